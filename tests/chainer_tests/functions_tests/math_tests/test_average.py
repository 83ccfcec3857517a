import numpy
import pytest

import chainer
from chainer import testing
from chainer.functions.math.average import average
from chainer.utils import type_check

_backends = [{}, {'use_cuda': True}]


@testing.parameterize(*testing.product({
    'case': [
        ((3, 4), None, False),
        ((3, 4), 0, False),
        ((3, 4), -1, False),
        ((2, 3, 4), (0, 2), False),
        ((2, 3, 4), 1, True),
        ((2, 3, 4), None, True),
        ((), None, False),
        ((5,), 0, False),
    ],
    'use_weights': [False, True],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, _backends)
class TestAverage(testing.FunctionTestCase):

    def setUp(self):
        self.shape, self.axis, self.keepdims = self.case
        if self.use_weights and isinstance(self.axis, tuple):
            raise unittest_skip()
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-3}
            self.check_backward_options = {'eps': 2 ** -3, 'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {
                'eps': 2 ** -3, 'atol': 5e-2, 'rtol': 5e-2}
        else:
            self.check_backward_options = {'atol': 1e-3, 'rtol': 1e-3}
            self.check_double_backward_options = {'atol': 1e-3, 'rtol': 1e-3}

    def generate_inputs(self):
        x = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        if not self.use_weights:
            return x,
        w_shape = self.shape if self.axis is None else (self.shape[self.axis],)
        w = numpy.random.uniform(0.5, 1.5, w_shape).astype(self.dtype)
        return x, w

    def forward(self, inputs, device):
        x = inputs[0]
        w = inputs[1] if self.use_weights else None
        return average(x, axis=self.axis, weights=w, keepdims=self.keepdims),

    def forward_expected(self, inputs):
        x = inputs[0].astype(numpy.float64)
        w = inputs[1].astype(numpy.float64) if self.use_weights else None
        if w is None:
            y = numpy.mean(x, axis=self.axis, keepdims=self.keepdims)
        else:
            y = numpy.average(x, axis=self.axis, weights=w, keepdims=self.keepdims)
        return numpy.asarray(y, dtype=self.dtype),


def unittest_skip():
    import unittest
    return unittest.SkipTest('tuple axis is not supported with weights')


def test_variable_mean():
    x = chainer.Variable(numpy.arange(6, dtype=numpy.float32).reshape(2, 3))
    numpy.testing.assert_allclose(x.mean().array, 2.5)
    numpy.testing.assert_allclose(x.mean(axis=1).array, [1, 4])
    w = numpy.array([1, 0, 1], numpy.float32)
    numpy.testing.assert_allclose(x.mean(axis=1, weights=w).array, [1, 4])
    assert x.mean(axis=0, keepdims=True).shape == (1, 3)
    assert x.mean().dtype == numpy.float32


def test_single_axis_tuple_with_weights():
    x = numpy.random.rand(2, 3)
    w = numpy.random.rand(3)
    numpy.testing.assert_allclose(
        average(x, axis=(1,), weights=w).array, numpy.average(x, axis=1, weights=w))


def test_tuple_axis_with_weights_rejected():
    x = numpy.zeros((2, 3), numpy.float32)
    with pytest.raises(ValueError, match='tuple axis'):
        average(x, axis=(0, 1), weights=numpy.ones((2, 3), numpy.float32))


@pytest.mark.parametrize('axis,w_shape', [(None, (3,)), (None, (1, 3)), (1, (2,)),
                                          (1, (2, 3))])
def test_bad_weight_shape(axis, w_shape):
    # Also an InvalidType: Chainer raised one or the other, depending on the case.
    for error in (ValueError, type_check.InvalidType):
        with pytest.raises(error, match='weights'):
            average(numpy.zeros((2, 3), numpy.float32), axis=axis,
                    weights=numpy.ones(w_shape, numpy.float32))


def test_bad_axis_with_weights():
    # Chainer failed there in a type check (InvalidType).
    for error in (ValueError, type_check.InvalidType):
        with pytest.raises(error, match='axis 2'):
            average(numpy.zeros((2, 3), numpy.float32), axis=2,
                    weights=numpy.ones(3, numpy.float32))


def test_weights_of_another_dtype():
    with pytest.raises(type_check.InvalidType):
        average(chainer.Variable(numpy.zeros((2, 3), numpy.float32)),
                weights=chainer.Variable(numpy.ones((2, 3))))


def test_integer_input():
    with pytest.raises(type_check.InvalidType):
        average(numpy.zeros((2, 3), numpy.int32))


def test_empty_input():
    with pytest.raises(ZeroDivisionError):
        average(numpy.zeros((0, 3), numpy.float32))


def test_bad_axis_and_input_type():
    x = numpy.ones((2, 3), numpy.float32)
    for axis in (2, -3, (0, 2)):
        with pytest.raises(type_check.InvalidType):
            average(x, axis=axis)
    for bad in ([[1.0, 2.0]], 1.5):
        with pytest.raises(TypeError):
            average(bad)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32])
@pytest.mark.parametrize('axis', [None, 0, 1, 2, (0, 2)])
def test_unweighted_mean_is_the_arrays_mean(dtype, axis):
    # As in Chainer: one Mean node computing NumPy's mean (float16 summed and divided
    # in float32, rounded once), whose gradient is gy / n spread over the axes.
    x = chainer.Variable(numpy.random.RandomState(0).uniform(-1, 1, (6, 50, 7)).astype(dtype))
    y = chainer.functions.mean(x, axis=axis)
    assert type(y.creator).__name__ == 'Mean'
    numpy.testing.assert_array_equal(y.array, x.array.mean(axis=axis))
    n = x.size // max(y.size, 1)
    gy = numpy.random.RandomState(1).uniform(-1, 1, y.shape).astype(dtype)
    y.grad = gy
    y.backward()
    expected = gy * dtype(1.0 / n)
    if axis is not None:
        expected = numpy.expand_dims(expected, axis)
    numpy.testing.assert_array_equal(x.grad, numpy.broadcast_to(expected, x.shape))
