import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'lengths': [[3, 1, 2], [2], [0, 2]],
    'trailing': [(), (2,)],
    'length': [None, 4],
    'padding': [0, -1.5],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestPadSequence(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        return tuple(numpy.random.uniform(-1, 1, (n,) + self.trailing).astype(self.dtype)
                     for n in self.lengths)

    def forward(self, inputs, device):
        return F.pad_sequence(inputs, self.length, self.padding),

    def forward_expected(self, inputs):
        length = self.length or max(self.lengths)
        y = numpy.full((len(inputs), length) + self.trailing, self.padding, self.dtype)
        for i, x in enumerate(inputs):
            y[i, :len(x)] = x
        return y,


def test_pad_sequence_errors():
    with pytest.raises(type_check.InvalidType):
        F.pad_sequence([numpy.zeros((3,), numpy.float32)], length=2)
    with pytest.raises(type_check.InvalidType):
        F.pad_sequence([numpy.zeros((3, 2), numpy.float32), numpy.zeros((3, 1), numpy.float32)])
    with pytest.raises(type_check.InvalidType):
        F.pad_sequence([numpy.zeros((), numpy.float32)])
    with pytest.raises(type_check.InvalidType):
        F.pad_sequence([numpy.zeros(2, numpy.float32), numpy.zeros(2, numpy.float64)])
    with pytest.raises(type_check.InvalidType):
        F.pad_sequence([])


@pytest.mark.parametrize('dtype', [numpy.uint8, numpy.uint16, numpy.uint32])
def test_negative_padding_wraps_for_unsigned_dtypes(dtype):
    # as with NumPy 1's casting (and Chainer): -1 becomes the dtype's maximum
    xs = [numpy.array([1, 2], dtype), numpy.array([3], dtype)]
    y = F.pad_sequence(xs, padding=-1).array
    assert y.dtype == dtype
    numpy.testing.assert_array_equal(y, [[1, 2], [3, numpy.iinfo(dtype).max]])


def test_a_string_length_is_a_type_error():
    # Chainer 7.8.1's comparison raised TypeError; ours int()'s ValueError
    with pytest.raises(TypeError, match='length must be an integer'):
        F.pad_sequence([numpy.ones((2, 3), 'f')], length='a')
