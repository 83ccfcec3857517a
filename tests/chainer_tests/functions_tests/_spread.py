"""What the checks of per-channel operands spread over a sample share: a function's
output and gradients with ``utils.array.sample_operand`` at work and with it
turned off (NumPy's plain broadcast), and how many operands it spread."""
import numpy

import chainer
from chainer.utils import array as array_utils


def spread_and_plain(monkeypatch, f, arrays, seed=0):
    """``(spread, fast, plain)``: ``fast`` and ``plain`` are ``[y, *grads]`` (arrays)
    of ``y = f(*variables)`` for a seeded output gradient, computed with
    ``sample_operand`` as it is and returning its operand as given; ``spread``
    counts the operands it spread in the first run."""
    gy = None
    real = array_utils.sample_operand
    count = [0]

    def counting(v, x):
        out = real(v, x)
        count[0] += out is not v
        return out

    results = []
    for op in (counting, lambda v, x: v):
        with monkeypatch.context() as m:
            m.setattr(array_utils, 'sample_operand', op)
            xs = [chainer.Variable(a.copy()) for a in arrays]
            y = f(*xs)
            if gy is None:
                gy = numpy.random.RandomState(seed).uniform(-1, 1, y.shape).astype(y.dtype)
            grads = chainer.grad([y], xs, [chainer.Variable(gy)])
            results.append([y.array] + [g.array for g in grads])
    return count[0], results[0], results[1]
