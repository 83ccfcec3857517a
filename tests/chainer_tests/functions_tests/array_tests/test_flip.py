import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'case': [('flip', (2, 3, 4), 0), ('flip', (2, 3, 4), -1), ('flip', (3,), 0),
             ('flip', (0, 3), 1), ('fliplr', (3, 2), None), ('fliplr', (2, 3, 4), None),
             ('flipud', (3,), None), ('flipud', (3, 2, 2), None)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestFlip(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.case[1]).astype(self.dtype),

    def forward(self, inputs, device):
        name, _, axis = self.case
        if name == 'flip':
            return F.flip(inputs[0], axis),
        return getattr(F, name)(inputs[0]),

    def forward_expected(self, inputs):
        name, _, axis = self.case
        if name == 'flip':
            return numpy.flip(inputs[0], axis),
        return getattr(numpy, name)(inputs[0]),


def test_flip_errors():
    with pytest.raises(type_check.InvalidType):
        F.flip(numpy.zeros((2, 3), numpy.float32), 2)
    with pytest.raises(type_check.InvalidType):
        F.flip(numpy.zeros((), numpy.float32), 0)
    with pytest.raises(TypeError):
        F.flip(numpy.zeros((2, 3), numpy.float32), None)
    with pytest.raises(type_check.InvalidType):
        F.fliplr(numpy.zeros((3,), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.flipud(numpy.zeros((), numpy.float32))


@pytest.mark.parametrize('dtype', [numpy.int32, numpy.uint8, numpy.bool_])
def test_fliplr_and_flipud_take_floats_only(dtype):
    # As in Chainer, unlike F.flip, which takes any dtype.
    for fn in (F.fliplr, F.flipud):
        with pytest.raises(type_check.InvalidType):
            fn(numpy.zeros((2, 3), dtype))
    assert F.flip(numpy.zeros((2, 3), dtype), 1).dtype == dtype


def test_flip_helper_reverses_an_array_axis():
    from chainer.functions.array import flip as flip_module
    x = numpy.arange(6).reshape(2, 3)
    numpy.testing.assert_array_equal(flip_module._flip(x, 1), x[:, ::-1])
    numpy.testing.assert_array_equal(flip_module._flip(x, -2), x[::-1])
