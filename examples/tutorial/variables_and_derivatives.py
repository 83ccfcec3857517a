"""Chainer's tutorial "Variables and Derivatives", snippet by snippet.

Every snippet of the page (see shared/seed) runs in order and prints what the
page shows next to it. Run it with::

    python examples/tutorial/variables_and_derivatives.py
"""
import numpy as np

import chainer
from chainer.backends import cuda  # noqa: F401  (the page's imports, unchanged)
from chainer import Function, gradient_check, report, training, utils, Variable  # noqa: F401
from chainer import datasets, iterators, optimizers, serializers  # noqa: F401
from chainer import Link, Chain, ChainList  # noqa: F401
import chainer.functions as F  # noqa: F401
import chainer.links as L  # noqa: F401
from chainer.training import extensions  # noqa: F401


def run(show=print):
    """Replays the page; ``show(label, value)`` receives each printed value."""
    # A one-element variable and y = x^2 - 2x + 1.
    x = Variable(np.array([5], dtype=np.float32))
    y = x**2 - 2 * x + 1
    show('y.array', y.array)
    show('y.data', y.data)

    y.backward()
    show('x.grad', x.grad)

    # Intermediate gradients are freed by default ...
    z = 2*x
    y = x**2 - z + 1
    y.backward()
    show('z.grad', z.grad)

    # ... unless retain_grad=True.
    z = 2*x
    y = x**2 - z + 1
    y.backward(retain_grad=True)
    show('z.grad (retain_grad=True)', z.grad)

    # Many elements: the initial gradient is set by hand.
    x = Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    y = x**2 - 2*x + 1
    y.grad = np.ones((2, 3), dtype=np.float32)
    y.backward()
    show('x.grad (ones)', x.grad)

    x = Variable(np.array([[1, 2, 3], [4, 5, 6]], dtype=np.float32))
    y = x**2 - 2*x + 1
    y.grad = np.array([[0, 0, 0], [1, 2, 3]], dtype=np.float32)
    y.backward()
    show('x.grad (weighted)', x.grad)

    # Higher-order derivatives.
    x = chainer.Variable(np.array([[0, 2, 3], [4, 5, 6]], dtype=np.float32))
    y = x ** 3
    y.grad = np.ones((2, 3), dtype=np.float32)
    y.backward(enable_double_backprop=True)
    show('x.grad_var', x.grad_var)
    show('x.grad_var.array is x.grad', x.grad_var.array is x.grad)
    show('(x.grad == (3 * x**2).array).all()', (x.grad == (3 * x**2).array).all())

    gx = x.grad_var
    x.cleargrad()
    gx.grad = np.ones((2, 3), dtype=np.float32)
    gx.backward()
    show('x.grad (second order)', x.grad)
    show('(x.grad == (6 * x).array).all()', (x.grad == (6 * x).array).all())

    # Without enable_double_backprop there is no graph to differentiate again.
    x = chainer.Variable(np.array([[0, 2, 3], [4, 5, 6]], dtype=np.float32))
    y = x ** 3
    y.grad = np.ones((2, 3), dtype=np.float32)
    y.backward()
    gx = x.grad_var
    x.cleargrad()
    gx.grad = np.ones((2, 3), dtype=np.float32)
    gx.backward()
    show('x.grad (no double backprop)', x.grad)

    # Without cleargrad the second-order gradient adds to the first.
    x = chainer.Variable(np.array([[0, 2, 3], [4, 5, 6]], dtype=np.float32))
    y = x ** 3
    y.grad = np.ones((2, 3), dtype=np.float32)
    y.backward(enable_double_backprop=True)
    gx = x.grad_var
    show('x.grad (before, without cleargrad)', x.grad)
    gx.grad = np.ones((2, 3), dtype=np.float32)
    gx.backward()
    show('x.grad (without cleargrad)', x.grad)
    # The page closes with "gxx = gx.backward()" as notation for d2y/dx2: backward()
    # returns None and stores the derivative in x.grad, as shown above.


def _print(label, value):
    print(f'# {label}')
    if isinstance(value, np.ndarray):
        print(repr(value))
    else:
        print(value)


if __name__ == '__main__':
    run(_print)
