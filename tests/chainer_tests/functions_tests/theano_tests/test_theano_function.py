"""Tests of the TheanoFunction node with plain callables standing for Theano's."""
import numpy
import pytest

import chainer
from chainer import testing
from chainer.functions.theano import theano_function as tf_module
from chainer.utils import type_check


def _forward(x, y):
    return x * y + numpy.sin(x), numpy.asarray((x * 2).sum())


def _backward(x, y, g0, g1):
    return g0 * y + g0 * numpy.cos(x) + 2 * g1, g0 * x


@testing.parameterize(*testing.product({
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestTheanoFunction(testing.FunctionTestCase):
    """The node runs the callables on the host and casts gradients to the inputs' dtypes."""

    skip_double_backward_test = True

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 1e-3, 'rtol': 1e-3}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.numerical_grad_dtype = numpy.float64

    def generate_inputs(self):
        rs = numpy.random
        return (rs.uniform(-1, 1, (2, 3)).astype(self.dtype),
                rs.uniform(-1, 1, (2, 3)).astype(self.dtype))

    def forward(self, inputs, device):
        x, y = inputs

        def fwd(a, b):
            return tuple(o.astype(a.dtype) for o in _forward(a, b))

        return tf_module.theano_function(fwd, _backward, x, y)

    def forward_expected(self, inputs):
        x, y = (a.astype(numpy.float64) for a in inputs)
        return tuple(numpy.asarray(o, self.dtype) for o in _forward(x, y))


def test_single_output_is_a_variable():
    x = numpy.arange(3, dtype=numpy.float32)
    y = tf_module.theano_function(lambda a: (a * 3,), lambda a, g: (g * 3,), x)
    assert isinstance(y, chainer.Variable)
    numpy.testing.assert_array_equal(y.array, x * 3)


def test_non_float_input_gets_no_gradient():
    x = chainer.Variable(numpy.ones(3, numpy.float32))
    n = numpy.array([1, 2, 3], numpy.int32)
    y = tf_module.theano_function(lambda a, b: ((a * b).astype(a.dtype),),
                                  lambda a, b, g: (g * b, g), x, n)
    y.grad = numpy.ones(3, numpy.float32)
    y.backward()
    numpy.testing.assert_array_equal(x.grad, [1, 2, 3])
    assert x.grad.dtype == numpy.float32


def test_gradient_cast_to_input_dtype():
    x = chainer.Variable(numpy.ones(2, numpy.float32))
    y = tf_module.theano_function(lambda a: (a * 2,),
                                  lambda a, g: (g.astype(numpy.float64) * 2,), x)
    y.grad = numpy.ones(2, numpy.float32)
    y.backward()
    assert x.grad.dtype == numpy.float32


def test_unused_output_gets_zero_gradient():
    x = chainer.Variable(numpy.ones(2))
    seen = []

    def backward(a, g0, g1):
        seen.append((g0.copy(), g1.copy()))
        return g0 + g1,

    y0, y1 = tf_module.theano_function(lambda a: (a * 1, a * 2), backward, x)
    chainer.functions.sum(y0).backward()
    numpy.testing.assert_array_equal(seen[0][1], [0, 0])
    numpy.testing.assert_array_equal(x.grad, [1, 1])


def test_backward_count_mismatch():
    x = chainer.Variable(numpy.ones(2))
    y = tf_module.theano_function(lambda a: (a,), lambda a, g: (g, g), x)
    with pytest.raises(ValueError, match='one per input'):
        chainer.functions.sum(y).backward()


def test_gradient_is_not_differentiable_again():
    x = chainer.Variable(numpy.ones(2))
    y = tf_module.theano_function(lambda a: (a * a,), lambda a, g: (2 * a * g,), x)
    gx, = chainer.grad([chainer.functions.sum(y)], [x], enable_double_backprop=True)
    with pytest.raises(NotImplementedError, match='Theano'):
        chainer.functions.sum(gx).backward()


class _FakeType:
    def __init__(self, ndim, dtype):
        self.ndim = ndim
        self.numpy_dtype = dtype


class _FakeCompiled:
    """Mimics the attributes of a compiled Theano function that the node reads."""

    def __init__(self, types):
        class _In:
            def __init__(self, t):
                self.type = t

        self.maker = type('Maker', (), {})()
        self.maker.fgraph = type('FGraph', (), {})()
        self.maker.fgraph.inputs = [_In(t) for t in types]

    def __call__(self, x):
        return x * 2,


def test_type_check_against_theano_input_types():
    func = _FakeCompiled([_FakeType(2, 'float32')])
    node = tf_module.TheanoFunction(func, None)
    node.apply((numpy.ones((2, 2), numpy.float32),))
    with pytest.raises(type_check.InvalidType):
        tf_module.TheanoFunction(func, None).apply((numpy.ones(2, numpy.float32),))
    with pytest.raises(type_check.InvalidType):
        tf_module.TheanoFunction(func, None).apply((numpy.ones((2, 2)),))


testing.run_module(__name__, __file__)
