import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'case': [((3, 4), 0, 0, 1), ((3, 4), 1, 0, 1), ((3, 4), -2, 1, 0), ((2, 3, 4), 0, 2, 0),
             ((2, 3, 4), -1, -1, -2), ((3, 3), 5, 0, 1)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestDiagonal(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.case[0]).astype(self.dtype),

    def forward(self, inputs, device):
        return F.diagonal(inputs[0], *self.case[1:]),

    def forward_expected(self, inputs):
        return inputs[0].diagonal(*self.case[1:]).copy(),


def test_diagonal_errors():
    with pytest.raises(type_check.InvalidType):
        F.diagonal(numpy.zeros((3,), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.diagonal(numpy.zeros((3, 3), numpy.float32), 0, 0, 2)
    with pytest.raises(ValueError):
        F.diagonal(numpy.zeros((3, 3), numpy.float32), 0, 1, 1)


def test_bad_ndim_and_axes_are_also_numpys_errors():
    with pytest.raises(type_check.InvalidType):
        F.diagonal(numpy.ones(3, numpy.float32))
    with pytest.raises(ValueError):
        F.diagonal(numpy.ones(3, numpy.float32))
    with pytest.raises(numpy.exceptions.AxisError):
        F.diagonal(numpy.ones((2, 3), numpy.float32), 0, 0, 2)


def test_check_message_of_a_vector_is_chainers():
    with pytest.raises(type_check.InvalidType) as e:
        F.diagonal(numpy.zeros(3, numpy.float32))
    assert str(e.value).endswith('Expect: x.ndim > 1\nActual: 1 <= 1')


@pytest.mark.parametrize('kwargs, name', [
    ({'offset': 2.5}, 'offset'), ({'offset': 'a'}, 'offset'), ({'axis1': 'a'}, 'axis1'),
])
def test_arguments_that_are_no_integers(kwargs, name):
    # Chainer 7.8.1 (NumPy's diagonal, its comparisons) raised TypeError; ours
    # truncated an offset of 2.5 and raised int()'s ValueError for strings
    with pytest.raises(TypeError, match=f'{name} must be an integer'):
        F.diagonal(numpy.ones((3, 4), 'f'), **kwargs)
    assert F.diagonal(numpy.ones((3, 4), 'f'), offset=numpy.int64(1)).shape == (3,)
