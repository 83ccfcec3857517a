import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'case': [((4, 3), 2, 0), ((3, 6), [1, 4], 1), ((3, 6), numpy.array([2]), -1),
             ((2, 4), [0, 2, 2, 4], 1), ((6,), 3, 0), ((0, 2), 2, 0)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestSplitAxis(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.case[0]).astype(self.dtype),

    def forward(self, inputs, device):
        return F.split_axis(inputs[0], self.case[1], self.case[2])

    def forward_expected(self, inputs):
        return tuple(numpy.split(inputs[0], self.case[1], self.case[2]))


def test_unused_output_gets_zero_grad():
    x = chainer.Variable(numpy.arange(6, dtype=numpy.float32).reshape(2, 3))
    ys = F.split_axis(x, [1], 1)
    F.sum(ys[1]).backward()
    numpy.testing.assert_array_equal(x.grad, [[0, 1, 1], [0, 1, 1]])


def test_force_tuple():
    x = numpy.zeros((2, 3), numpy.float32)
    y = F.split_axis(x, 1, 1, force_tuple=False)
    assert isinstance(y, chainer.Variable) and y.shape == (2, 3)
    ys = F.split_axis(x, 1, 1)
    assert isinstance(ys, tuple) and len(ys) == 1


def test_split_axis_errors():
    x = numpy.zeros((2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        F.split_axis(x, 2, 1)
    with pytest.raises(type_check.InvalidType):
        F.split_axis(x, 2, 2)
    with pytest.raises(type_check.InvalidType):
        F.split_axis(x, [1, 4], 1)
    with pytest.raises(TypeError):
        F.split_axis(x, 1.5, 1)
    with pytest.raises(TypeError):
        F.split_axis(x, numpy.array([[1]]), 1)
    with pytest.raises(ValueError):
        F.split_axis(x, 0, 1)


def test_unsorted_indices_raise_in_debug_mode_only():
    x = numpy.arange(6, dtype=numpy.float32)
    ys = F.split_axis(x, [4, 2], 0)  # NumPy's split: the middle piece is empty
    assert [y.shape for y in ys] == [(4,), (0,), (4,)]
    with chainer.using_config('debug', True):
        with pytest.raises(ValueError, match='sorted'):
            F.split_axis(x, [4, 2], 0)
        assert len(F.split_axis(x, [2, 2, 4], 0)) == 4


def test_0d_integer_arrays_for_sections_and_axis():
    # Chainer read a 0-d indices_or_sections as a number of sections.
    x = numpy.ones((2, 3), numpy.float32)
    ys = F.split_axis(x, numpy.array(3), numpy.array(1))
    assert [y.shape for y in ys] == [(2, 1)] * 3


@pytest.mark.parametrize('ios, message', [
    (1.5, "^indices_or_sections must be integer or 1-D array.\nActual: <class 'float'>$"),
    (numpy.array([1.5, 2.0]), '^indices_or_sections must be integers$'),
    (numpy.zeros((2, 2), numpy.int32), '^indices_or_sections must be 1-D sequence$'),
])
def test_bad_indices_or_sections_messages_are_chainers(ios, message):
    with pytest.raises(TypeError, match=message):
        F.split_axis(numpy.zeros((2, 6), numpy.float32), ios, 1)
