"""Tests of F.max, F.min, F.argmax and F.argmin."""
import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check


def _distinct(shape, dtype):
    # Well separated values, so the numerical gradient never crosses a tie.
    n = int(numpy.prod(shape))
    x = numpy.random.permutation(n).astype(numpy.float64) * 0.5 - n / 4
    return x.reshape(shape).astype(dtype)


@testing.parameterize(*testing.product_dict(
    [{'shape': (3, 2), 'axis': None, 'keepdims': False},
     {'shape': (3, 2), 'axis': 1, 'keepdims': True},
     {'shape': (2, 3, 4), 'axis': (0, 2), 'keepdims': False},
     {'shape': (2, 3, 4), 'axis': -1, 'keepdims': False},
     {'shape': (), 'axis': None, 'keepdims': False}],
    [{'op': 'max'}, {'op': 'min'}],
    [{'dtype': numpy.float16}, {'dtype': numpy.float32}, {'dtype': numpy.float64}],
))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestMaxMin(testing.FunctionTestCase):

    def setUp(self):
        self.check_backward_options = {'eps': 1e-2}
        self.check_double_backward_options = {'eps': 1e-2}
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options.update({'atol': 5e-2, 'rtol': 5e-2})
            self.check_double_backward_options.update({'atol': 5e-2, 'rtol': 5e-2})

    def generate_inputs(self):
        return _distinct(self.shape, self.dtype),

    def forward(self, inputs, device):
        return getattr(F, self.op)(inputs[0], axis=self.axis, keepdims=self.keepdims),

    def forward_expected(self, inputs):
        f = numpy.amax if self.op == 'max' else numpy.amin
        return numpy.asarray(f(inputs[0], axis=self.axis, keepdims=self.keepdims)),


def test_max_ties_receive_full_gradient():
    x = chainer.Variable(numpy.array([[1., 3., 3.], [2., 0., 2.]], numpy.float32))
    y = F.max(x, axis=1)
    y.grad = numpy.array([1., 2.], numpy.float32)
    y.backward()
    numpy.testing.assert_array_equal(x.grad, [[0, 1, 1], [2, 0, 2]])


def test_min_zero_size_kept_axis():
    x = numpy.zeros((0, 3), numpy.float32)
    assert F.min(x, axis=1).shape == (0,)


@pytest.mark.parametrize('op', ['max', 'min'])
def test_maxmin_bad_input(op):
    f = getattr(F, op)
    with pytest.raises(type_check.InvalidType):
        f(numpy.arange(3, dtype=numpy.int32))
    with pytest.raises(type_check.InvalidType):
        f(numpy.zeros((2, 3), numpy.float32), axis=2)
    with pytest.raises(TypeError):
        f(numpy.zeros((2, 3), numpy.float32), axis=[0])
    with pytest.raises(ValueError, match='duplicate'):
        f(numpy.zeros((2, 3), numpy.float32), axis=(0, 0))


@pytest.mark.parametrize('op', ['argmax', 'argmin'])
@pytest.mark.parametrize('axis', [None, 0, 1, -1])
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_argmax_argmin(op, axis, dtype):
    x = _distinct((3, 4), dtype)
    v = chainer.Variable(x)
    y = getattr(F, op)(v, axis=axis)
    expected = getattr(numpy, op)(x, axis=axis)
    assert isinstance(y, chainer.Variable)
    assert y.dtype == numpy.int32
    assert y.shape == numpy.shape(expected)
    assert isinstance(y.array, numpy.ndarray)
    numpy.testing.assert_array_equal(y.array, expected)
    # As in Chainer, the indices come from an ArgMax/ArgMin node (exporters and graph
    # dumps see it) that passes no gradient back.
    assert type(y.creator).__name__ == {'argmax': 'ArgMax', 'argmin': 'ArgMin'}[op]
    (F.sum(F.cast(y, dtype)) + F.sum(v)).backward()
    numpy.testing.assert_array_equal(v.grad, numpy.ones_like(x))


def test_argmax_first_of_ties_and_bad_input():
    x = numpy.array([1., 3., 3.], numpy.float32)
    assert int(F.argmax(x).array) == 1
    assert int(F.argmin(numpy.array([2., 0., 0.], numpy.float32)).array) == 1
    with pytest.raises(type_check.InvalidType):
        F.argmax(numpy.arange(3))
    with pytest.raises(type_check.InvalidType):
        F.argmax(x, axis=1)
    with pytest.raises(TypeError):
        F.argmin(x, axis=(0,))
    with pytest.raises(type_check.InvalidType):
        F.argmax(numpy.zeros((0,), numpy.float32))


testing.run_module(__name__, __file__)


@pytest.mark.parametrize('func,reduce', [(F.max, numpy.max), (F.min, numpy.min)])
@pytest.mark.parametrize('shape,axis', [((4, 5, 3), -1), ((4, 5, 3), 2), ((6, 32), 1),
                                        ((6, 33), 1), ((7, 1), 1), ((5,), 0)])
@pytest.mark.parametrize('keepdims', [False, True])
def test_max_min_over_a_short_last_axis(func, reduce, shape, axis, keepdims):
    # Taken slice by slice on NumPy: the reduction's values, every tied extremum
    # gets the gradient, NaN propagates.
    rng = numpy.random.RandomState(8)
    x = rng.randint(-2, 3, shape).astype(numpy.float32)
    x.flat[-1] = numpy.nan
    xv = chainer.Variable(x)
    y = func(xv, axis=axis, keepdims=keepdims)
    want = reduce(x, axis=axis, keepdims=keepdims)
    assert y.shape == want.shape and y.dtype == x.dtype
    numpy.testing.assert_array_equal(y.array, want)
    gy = rng.uniform(1, 2, y.shape).astype(numpy.float32)
    y.grad = gy
    y.backward()
    kept = reduce(x, axis=axis, keepdims=True)
    numpy.testing.assert_array_equal(xv.grad, gy.reshape(kept.shape) * (x == kept))


@pytest.mark.parametrize('fn', [F.argmax, F.argmin])
def test_arg_extremum_of_nothing_is_also_a_value_error(fn):
    # NumPy's "attempt to get argmax of an empty sequence" in Chainer.
    x = numpy.ones((0, 2), numpy.float32)
    for kw in ({}, {'axis': 0}):
        with pytest.raises(type_check.InvalidType):
            fn(x, **kw)
        with pytest.raises(ValueError):
            fn(x, **kw)
    assert fn(x, axis=1).shape == (0,)


# A bool axis passes the type check as the int it is (out of range on 1-d:
# InvalidType, as in Chainer), then is refused with TypeError; it never
# reduces over axis 0 or 1.
@pytest.mark.parametrize('fn', [F.max, F.min, F.prod, F.logsumexp])
@pytest.mark.parametrize('shape, error', [((3,), type_check.InvalidType), ((2, 3), TypeError),
                                          ((2, 3, 4), TypeError)])
def test_bool_axis(fn, shape, error):
    x = numpy.arange(numpy.prod(shape), dtype=numpy.float32).reshape(shape)
    fn(x, axis=0 if len(shape) == 1 else 1)  # a passed check of axis 1 is not reused
    with pytest.raises(error):
        fn(x, axis=True)
    with pytest.raises(error):
        fn(x, axis=(True,))
    with pytest.raises(TypeError):
        fn(x, axis=numpy.bool_(True))
