"""Third derivatives of the activations (their gradient nodes are differentiable twice)."""
import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import gradient_check

_FUNCS = {
    'clipped_relu': lambda v: F.clipped_relu(v, 0.75),
    'crelu': F.crelu,
    'elu': F.elu,
    'hard_sigmoid': F.hard_sigmoid,
    'leaky_relu': F.leaky_relu,
    'log_softmax': F.log_softmax,
    'maxout': lambda v: F.maxout(v, 2),
    'prelu': lambda v: F.prelu(v, numpy.full((4,), 0.3)),
    'relu': F.relu,
    'relu6': lambda v: F.relu6(v * 8.0),
    'rrelu': lambda v: F.rrelu(v, r=numpy.full(v.shape, 0.2)),
    'selu': F.selu,
    'sigmoid': F.sigmoid,
    'softmax': F.softmax,
    'softplus': lambda v: F.softplus(v, 2.0),
    'swish': lambda v: F.swish(v, numpy.full((4,), 0.7)),
}


@pytest.mark.parametrize('name', sorted(_FUNCS))
def test_third_order(name):
    f = _FUNCS[name]
    rng = numpy.random.RandomState(0)
    # Distinct values (no ties for maxout), at least 0.04 from the kinks at 0,
    # 0.75, +-2.5 and 6 / 8.
    x = (rng.permutation(12).reshape(3, 4) - 5.5) / 12.0
    w = rng.uniform(-1, 1, (3, 8) if name == 'crelu' else (3, 2) if name == 'maxout' else (3, 4))

    def grad_of_f(v):
        y = f(v)
        gx, = chainer.grad([F.sum(y * y * w)], [v], enable_double_backprop=True)
        return gx

    gradient_check.check_double_backward(
        grad_of_f, x, rng.uniform(-1, 1, x.shape), rng.uniform(-1, 1, x.shape),
        atol=1e-4, rtol=1e-4)
