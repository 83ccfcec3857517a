import numpy
import pytest

import chainer
from chainer import testing
from chainer.functions.array.cast import Cast, cast

_backends = [{}, {'use_cuda': True}]
_floats = [numpy.float16, numpy.float32, numpy.float64]


@testing.parameterize(*testing.product({
    'shape': [(3, 4), (), (0, 2)],
    'in_type': _floats,
    'out_type': _floats,
}))
@testing.inject_backend_tests(None, _backends)
class TestCast(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        # Cast is linear: a large eps is exact, and the tolerance covers rounding.
        if numpy.float16 in (self.in_type, self.out_type):
            tol = {'eps': 2 ** -2, 'atol': 1e-2, 'rtol': 1e-2}
        else:
            tol = {'eps': 2 ** -2, 'atol': 1e-3, 'rtol': 1e-3}
        self.check_backward_options = dict(tol)
        self.check_double_backward_options = dict(tol)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.shape).astype(self.in_type),

    def forward(self, inputs, device):
        return cast(inputs[0], self.out_type),

    def forward_expected(self, inputs):
        return inputs[0].astype(self.out_type),


@pytest.mark.parametrize('typ', [numpy.float16, 'float16', numpy.dtype('float16')])
def test_type_specifiers(typ):
    y = cast(numpy.arange(3, dtype=numpy.float64), typ)
    assert y.dtype == numpy.float16


def test_same_dtype_applies_cast_when_backprop_enabled():
    x = chainer.Variable(numpy.ones(3, numpy.float32))
    y = cast(x, numpy.float32)
    assert y is not x
    assert isinstance(y.creator, Cast)
    assert y.array is x.array


def test_same_dtype_without_backprop_returns_input():
    x = chainer.Variable(numpy.ones(3, numpy.float32))
    with chainer.no_backprop_mode():
        assert cast(x, numpy.float32) is x
        y = cast(x.array, numpy.float32)
    assert isinstance(y, chainer.Variable) and y.array is x.array


def test_int_to_float_and_back():
    x = chainer.Variable(numpy.array([1, 2, 3], numpy.int32))
    y = cast(x, numpy.float32)
    assert y.dtype == numpy.float32
    y.grad = numpy.ones(3, numpy.float32)
    y.backward()
    assert x.grad is None  # no gradient for an integer input

    f = chainer.Variable(numpy.array([1.7, -2.2], numpy.float32))
    i = cast(f, numpy.int32)
    numpy.testing.assert_array_equal(i.array, [1, -2])
    assert i.dtype == numpy.int32


def test_gradient_is_cast_back():
    x = chainer.Variable(numpy.array([1.0, 2.0], numpy.float16))
    y = cast(x, numpy.float64)
    y.grad = numpy.array([0.5, 0.25])
    y.backward()
    assert x.grad.dtype == numpy.float16
    numpy.testing.assert_array_equal(x.grad, [0.5, 0.25])


def test_bad_dtype():
    with pytest.raises(TypeError):
        cast(numpy.ones(2, numpy.float32), 'no-such-dtype')
