import numpy
import pytest

import chainer
from chainer import gradient_check
from chainer import testing
from chainer.functions.array.get_item import GetItem, get_item
from chainer.functions.math.sum import sum as F_sum

_backends = [{}, {'use_cuda': True}]

_TOL = {
    numpy.float16: {'atol': 5e-2, 'rtol': 5e-2},
    numpy.float32: {'atol': 1e-4, 'rtol': 1e-4},
    numpy.float64: {'atol': 1e-4, 'rtol': 1e-4},
}

_SLICES = [
    ((4, 3, 2), (1,)),
    ((4, 3, 2), (slice(None), 0)),
    ((4, 3, 2), (slice(1, 3), slice(None, None, -1))),
    ((4, 3, 2), (Ellipsis, 1)),
    ((4, 3, 2), (None, 1, None)),
    ((4, 3, 2), -1),
    ((4, 3, 2), [0, 2, 2, 0]),                       # repeated index: gradients add up
    ((4, 3, 2), ([1, 0], slice(None), [1, 1])),
    ((4, 3, 2), (numpy.array([[0, 1], [3, 3]]),)),
    ((4, 3, 2), numpy.array([True, False, True, True])),
    ((4, 3, 2), (slice(None), numpy.array([[True, False]] * 3))),
    ((4, 3, 2), [True, False, False, True]),         # a list of bools is a mask
    ((4, 3, 2), ([0, 1], [2, 1])),
    ((4, 3, 2), [[0, 1], [2, 1]]),                   # Chainer reads it as a tuple
    ((4, 3, 2), (Ellipsis, None)),
    ((4, 3, 2), ()),
    ((4, 3, 2), slice(4, 4)),                        # empty result
    ((0, 3), (slice(None), 1)),                      # 0-size input
    ((), ()),                                        # 0-d input
    ((), None),
    ((), Ellipsis),
    ((5,), numpy.array(2)),                          # 0-d integer index -> 0-d output
    ((3,), (True,)),
    ((3,), (numpy.array(False),)),
]


@testing.parameterize(*testing.product({
    'case': list(range(len(_SLICES))),
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, _backends)
class TestGetItem(testing.FunctionTestCase):

    def setUp(self):
        self.shape, self.slices = _SLICES[self.case]
        tol = _TOL[self.dtype]
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        self.check_backward_options = dict(tol)
        self.check_double_backward_options = dict(tol)
        if self.dtype == numpy.float16:
            self.check_backward_options['eps'] = 2 ** -3
            self.check_double_backward_options['eps'] = 2 ** -3

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        slices = self.slices
        if isinstance(slices, tuple):
            slices = tuple(device.send(s) if isinstance(s, numpy.ndarray) else s
                           for s in slices)
        elif isinstance(slices, numpy.ndarray):
            slices = device.send(slices)
        return get_item(inputs[0], slices),

    def forward_expected(self, inputs):
        x, = inputs
        slices = self.slices
        if isinstance(slices, list) and not all(isinstance(s, int) for s in slices):
            slices = tuple(slices)
        return numpy.asarray(x[slices]),


def test_repeated_indices_accumulate():
    x = chainer.Variable(numpy.zeros((3,), numpy.float32))
    y = x[[0, 0, 2, 0]]
    y.grad = numpy.array([1, 2, 3, 4], numpy.float32)
    y.backward()
    numpy.testing.assert_array_equal(x.grad, [7, 0, 3])


def test_variable_getitem_installed():
    x = chainer.Variable(numpy.arange(6, dtype=numpy.float32).reshape(2, 3))
    y = x[1, ::2]
    assert isinstance(y.creator, GetItem)
    numpy.testing.assert_array_equal(y.array, [3, 5])
    F_sum(y).backward()
    numpy.testing.assert_array_equal(x.grad, [[0, 0, 0], [1, 0, 1]])


def test_list_of_numpy_ints_is_a_tuple():
    # Chainer reads any list that is not all Python ints as a tuple of indices.
    x = numpy.arange(12, dtype=numpy.float32).reshape(3, 4)
    y = get_item(x, [numpy.int64(1), numpy.int64(2)])
    assert y.shape == ()
    assert float(y.array) == 6.0
    assert get_item(x, [1, 2]).shape == (2, 4)


def test_zero_dim_output_is_array():
    x = chainer.Variable(numpy.arange(3, dtype=numpy.float32))
    y = x[1]
    assert isinstance(y.array, numpy.ndarray) and y.shape == ()
    y.backward()
    numpy.testing.assert_array_equal(x.grad, [0, 1, 0])


def test_basic_slice_is_a_view():
    x = numpy.arange(6, dtype=numpy.float32)
    y = get_item(x, slice(1, 3))
    assert numpy.shares_memory(y.array, x)


def test_array_input_and_double_backward_of_repeat():
    x = numpy.random.rand(4).astype(numpy.float64)
    gradient_check.check_double_backward(
        lambda v: get_item(v, [1, 1, 3]) ** 2, x, numpy.random.rand(3),
        numpy.random.rand(4))


def test_iteration_through_getitem():
    x = chainer.Variable(numpy.arange(3, dtype=numpy.float32))
    assert [float(v.array) for v in x] == [0.0, 1.0, 2.0]


@pytest.mark.parametrize('slices,error', [
    (5, IndexError),
    ((0, 0, 0), IndexError),
    ([5, 0], IndexError),
    (1.5, IndexError),
    (numpy.array([True, False]), IndexError),
    ('a', IndexError),
])
def test_bad_index(slices, error):
    x = chainer.Variable(numpy.zeros((3, 2), numpy.float32))
    with pytest.raises(error):
        get_item(x, slices)


def test_variable_as_index_is_rejected():
    x = chainer.Variable(numpy.zeros((3,), numpy.float32))
    idx = chainer.Variable(numpy.array([0, 1]))
    with pytest.raises(TypeError, match='Variable'):
        x[idx]
    # Chainer passed it on to NumPy, which raised IndexError
    with pytest.raises(IndexError, match='index with its array'):
        x[idx]


def test_two_ellipses_rejected():
    x = chainer.Variable(numpy.zeros((3, 2), numpy.float32))
    with pytest.raises(IndexError):
        x[..., ...]
    with chainer.using_config('debug', True):
        with pytest.raises(ValueError, match='Ellipsis'):
            x[..., 0, ...]
