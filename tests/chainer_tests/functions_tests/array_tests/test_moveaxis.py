import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'case': [((2, 3, 4), 0, 2), ((2, 3, 4), -1, 0), ((2, 3, 4), (0, 1), (2, 0)),
             ((2, 3, 4), (0, 2), (-1, -2)), ((2, 3, 4, 5), [3, 0], [0, 3]), ((3,), 0, 0)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestMoveaxis(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.case[0]).astype(self.dtype),

    def forward(self, inputs, device):
        return F.moveaxis(inputs[0], self.case[1], self.case[2]),

    def forward_expected(self, inputs):
        return numpy.moveaxis(inputs[0], self.case[1], self.case[2]),


def test_moveaxis_errors():
    x = numpy.zeros((2, 3, 4), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        F.moveaxis(x, 3, 0)
    with pytest.raises(type_check.InvalidType):
        F.moveaxis(x, 0, -4)
    with pytest.raises(ValueError):
        F.moveaxis(x, (0, 0), (1, 2))
    with pytest.raises(ValueError):
        F.moveaxis(x, (0, 1), (1,))
    with pytest.raises(TypeError):
        F.moveaxis(x, 0.5, 1)
    with pytest.raises(type_check.InvalidType):  # floats only, as in Chainer
        F.moveaxis(numpy.zeros((2, 3), numpy.int32), 0, 1)


def test_axes_as_integer_arrays():
    x = numpy.ones((2, 3, 4), numpy.float32)
    assert F.moveaxis(x, numpy.array([0]), numpy.array([2])).shape == (3, 4, 2)
    assert F.moveaxis(x, numpy.array([], numpy.int64), ()).shape == (2, 3, 4)
    assert F.moveaxis(x, [0, 1], (numpy.array(1), 0)).shape == (3, 2, 4)


def test_axes_are_checked_before_their_counts():
    # Chainer's type check of the axes ran before the count check
    x = numpy.ones((4,), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        F.moveaxis(x, (), (1,))
    with pytest.raises(ValueError):
        F.moveaxis(x, (), (0,))
