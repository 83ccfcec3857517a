import numpy
import pytest

import chainer
from chainer import testing
from chainer.functions.math.sum import Sum, SumTo, sum, sum_to
from chainer.utils import type_check
from tests.chainer_tests._numpy1_sums import long_values, numpy1_sum

_backends = [{}, {'use_cuda': True}]


def _tols(case, dtype):
    if dtype == numpy.float16:
        case.check_forward_options = {'atol': 1e-2, 'rtol': 1e-2}
        case.check_backward_options = {'eps': 2 ** -3, 'atol': 5e-2, 'rtol': 5e-2}
        case.check_double_backward_options = {'eps': 2 ** -3, 'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'case': [((3, 4), None), ((3, 4), 0), ((3, 4), -1), ((2, 3, 4), (0, 2)),
             ((2, 3, 4), (-1, 0)), ((), None), ((0, 3), 0), ((0, 3), None), ((2, 3), ())],
    'keepdims': [False, True],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, _backends)
class TestSum(testing.FunctionTestCase):

    def setUp(self):
        self.shape, self.axis = self.case
        _tols(self, self.dtype)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        return sum(inputs[0], axis=self.axis, keepdims=self.keepdims),

    def forward_expected(self, inputs):
        return numpy.asarray(
            inputs[0].sum(axis=self.axis, keepdims=self.keepdims), dtype=self.dtype),


@testing.parameterize(*testing.product({
    'case': [((3, 4), (4,)), ((3, 4), (1, 4)), ((3, 4), (3, 1)), ((2, 3, 4), ()),
             ((2, 3, 4), (1, 1)), ((0, 3), (3,)), ((2, 3), (2, 3))],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, _backends)
class TestSumTo(testing.FunctionTestCase):

    def setUp(self):
        self.in_shape, self.out_shape = self.case
        _tols(self, self.dtype)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.in_shape).astype(self.dtype),

    def forward(self, inputs, device):
        return sum_to(inputs[0], self.out_shape),

    def forward_expected(self, inputs):
        x = inputs[0]
        lead = x.ndim - len(self.out_shape)
        y = x.sum(axis=tuple(range(lead)))
        y = y.sum(axis=tuple(i for i, s in enumerate(self.out_shape) if s == 1),
                  keepdims=True)
        return numpy.asarray(y, dtype=self.dtype).reshape(self.out_shape),


def test_sum_is_zero_dim_array():
    y = sum(numpy.ones((2, 2), numpy.float32))
    assert isinstance(y.array, numpy.ndarray) and y.shape == ()
    assert isinstance(y.creator, Sum)


def test_sum_to_same_shape_returns_input():
    x = chainer.Variable(numpy.ones((2, 2), numpy.float32))
    assert sum_to(x, (2, 2)) is x
    assert isinstance(sum_to(x, (2,)).creator, SumTo)


# A bool axis is a TypeError, as in Chainer.
@pytest.mark.parametrize('axis', [[0], 0.5, (0, 'a'), True, (False,)])
def test_bad_axis_type(axis):
    with pytest.raises(TypeError):
        sum(numpy.ones((2, 2), numpy.float32), axis=axis)


# Chainer type-checked a bool axis as the int it is: out of range it is
# InvalidType; in range its array function refused it (TypeError).
@pytest.mark.parametrize('axis', [True, (True,), (0, True)])
def test_bool_axis_out_of_range_is_invalid_type(axis):
    with pytest.raises(type_check.InvalidType):
        sum(numpy.ones(3, numpy.float32), axis=axis)
    with pytest.raises(type_check.InvalidType):
        chainer.functions.mean(numpy.ones(3, numpy.float32), axis=axis)


def test_bool_axis_after_the_equal_int_axis():
    x = numpy.ones((2, 3), numpy.float32)
    assert sum(x, axis=1).shape == (2,)
    with pytest.raises(TypeError):
        sum(x, axis=True)


def test_bool_and_equal_int_axis_are_duplicates():
    with pytest.raises(ValueError, match='duplicate'):
        sum(numpy.ones((2, 2), numpy.float32), axis=(1, True))


def test_duplicate_axis():
    with pytest.raises(ValueError, match='duplicate'):
        sum(numpy.ones((2, 2), numpy.float32), axis=(0, 0))


@pytest.mark.parametrize('axis', [2, -3, (0, 2)])
def test_axis_out_of_range(axis):
    with pytest.raises(type_check.InvalidType):
        sum(numpy.ones((2, 2), numpy.float32), axis=axis)


def test_integer_input():
    with pytest.raises(type_check.InvalidType):
        sum(numpy.ones((2, 2), numpy.int32))


@pytest.mark.parametrize('shape', [(3,), (2, 2, 2), (4, 1)])
def test_sum_to_bad_shape(shape):
    with pytest.raises(ValueError):
        sum_to(numpy.ones((2, 2), numpy.float32), shape)


@pytest.mark.parametrize('name', ['sum', 'mean', 'average', 'max', 'min', 'prod',
                                  'logsumexp', 'argmax'])
def test_numpy_integer_axes_are_taken(name):
    # README: Chainer raised TypeError for NumPy integer axes; NumPy 2 code makes them often.
    x = numpy.arange(6, dtype=numpy.float32).reshape(2, 3) + 1
    f = getattr(chainer.functions, name)
    numpy.testing.assert_array_equal(f(x, axis=numpy.int64(1)).array, f(x, axis=1).array)
    if name != 'argmax':
        numpy.testing.assert_array_equal(f(x, axis=(numpy.int32(0),)).array,
                                         f(x, axis=(0,)).array)


@pytest.mark.parametrize('f', ['sum', 'mean', 'prod', 'max', 'min'])
def test_numpy_bool_keepdims(f):
    # NumPy 1 (Chainer's) took keepdims=numpy.True_; NumPy 2's reductions refuse it.
    x = chainer.Variable(numpy.arange(1, 7, dtype=numpy.float32).reshape(2, 3))
    y = getattr(chainer.functions, f)(x, axis=1, keepdims=numpy.True_)
    assert y.shape == (2, 1)
    y.grad = numpy.ones_like(y.array)
    y.backward()
    assert x.grad.shape == (2, 3)
    assert getattr(chainer.functions, f)(x, axis=1, keepdims=numpy.False_).shape == (2,)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_sum_of_long_runs_in_numpy1_order(dtype):
    # Chainer's sums were NumPy 1's: runs over 8192 elements in pieces (the rule
    # written out in _numpy1_sums), which NumPy 2 sums otherwise.
    x = long_values((7, 10000), dtype)
    numpy.testing.assert_array_equal(sum(x, axis=1).array, numpy1_sum(x, -1))
    numpy.testing.assert_array_equal(sum(x, axis=-1, keepdims=True).array,
                                     numpy1_sum(x, -1, True))
    numpy.testing.assert_array_equal(sum(x).array, numpy1_sum(x))
