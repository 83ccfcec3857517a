"""Tests of F.tensordot."""
import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check


@testing.parameterize(*testing.product_dict(
    [{'a_shape': (2, 3, 4), 'b_shape': (3, 4, 2), 'axes': 2},
     {'a_shape': (2, 3, 4), 'b_shape': (4, 3, 5), 'axes': ([1, 2], [1, 0])},
     {'a_shape': (2, 3), 'b_shape': (4,), 'axes': 0},
     {'a_shape': (3, 2), 'b_shape': (4, 3), 'axes': ([0], [1])},
     {'a_shape': (3, 2), 'b_shape': (3, 2), 'axes': 2},
     {'a_shape': (2, 3), 'b_shape': (3, 4), 'axes': (1, 0)}],
    [{'dtype': numpy.float16}, {'dtype': numpy.float32}, {'dtype': numpy.float64}],
))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestTensorDot(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}

    def generate_inputs(self):
        a = numpy.random.uniform(-1, 1, self.a_shape).astype(self.dtype)
        b = numpy.random.uniform(-1, 1, self.b_shape).astype(self.dtype)
        return a, b

    def forward(self, inputs, device):
        a, b = inputs
        return F.tensordot(a, b, axes=self.axes),

    def forward_expected(self, inputs):
        a, b = inputs
        y = numpy.tensordot(a.astype(numpy.float64), b.astype(numpy.float64), axes=self.axes)
        return numpy.asarray(y, self.dtype),


def test_tensordot_bad_input():
    a = numpy.ones((2, 3), numpy.float32)
    for b, axes in ((numpy.ones((2, 3), numpy.float32), 1), (a.T.copy(), 2)):
        # mismatched summed axes: an InvalidType and Chainer's (NumPy's) ValueError
        with pytest.raises(type_check.InvalidType):
            F.tensordot(a, b, axes=axes)
        with pytest.raises(ValueError):
            F.tensordot(a, b, axes=axes)
    with pytest.raises(ValueError):
        F.tensordot(a, a, axes=3)
    with pytest.raises(ValueError):
        F.tensordot(a, a, axes=([0, 1], [0]))
    with pytest.raises(type_check.InvalidType):
        F.tensordot(a.astype(numpy.int32), a, axes=([0], [0]))


testing.run_module(__name__, __file__)


@pytest.mark.parametrize('axes, error, message', [
    ((1,), ValueError, 'axes must be a pair of sequence of integers when it is a list or tuple.'),
    (1.5, TypeError, 'axes must be a pair of sequence of integers or an integer'),
])
def test_bad_axes_messages_are_chainers(axes, error, message):
    a = numpy.ones((2, 3), numpy.float32)
    with pytest.raises(error) as e:
        F.tensordot(a, a.T, axes=axes)
    assert str(e.value) == message
