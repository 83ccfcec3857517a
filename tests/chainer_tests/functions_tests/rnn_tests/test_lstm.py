"""Tests of F.lstm."""
import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests.functions_tests.rnn_tests import _reference as R


def _lstm_ref(c_prev, x):
    batch, units = x.shape[0], c_prev.shape[1]
    g = x.astype(numpy.float64).reshape((batch, units, 4) + x.shape[2:])
    a, i, f, o = (g[:, :, k] for k in range(4))
    c = c_prev.astype(numpy.float64).copy()
    c[:batch] = numpy.tanh(a) * R.sigmoid(i) + R.sigmoid(f) * c[:batch]
    h = R.sigmoid(o) * numpy.tanh(c[:batch])
    return c.astype(x.dtype), h.astype(x.dtype)


@testing.parameterize(*testing.product({
    'shapes': [((3, 2), (3, 8)), ((4, 2, 3), (2, 8, 3)), ((2, 3), (0, 12))],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestLSTM(testing.FunctionTestCase):

    def setUp(self):
        R.set_tolerances(self, self.dtype)

    def generate_inputs(self):
        c_shape, x_shape = self.shapes
        c = numpy.random.uniform(-1, 1, c_shape).astype(self.dtype)
        x = numpy.random.uniform(-1, 1, x_shape).astype(self.dtype)
        return c, x

    def forward(self, inputs, device):
        return F.lstm(*inputs)

    def forward_expected(self, inputs):
        return _lstm_ref(*inputs)


def test_lstm_without_gradient_of_c():
    c = numpy.random.uniform(-1, 1, (2, 3))
    x = chainer.Variable(numpy.random.uniform(-1, 1, (2, 12)))
    _, h = F.lstm(c, x)
    F.sum(h).backward()
    assert x.grad.shape == x.shape


@pytest.mark.parametrize('c_shape, x_shape, dtypes', [
    ((2, 3), (2, 11), ('f', 'f')),      # not 4 gates
    ((2, 3), (3, 12), ('f', 'f')),      # x has more rows than c
    ((2, 3), (2, 12), ('f', 'd')),      # dtype mismatch
    ((2, 3), (2, 12), ('i', 'i')),      # not float
    ((2, 3, 2), (2, 12, 3), ('f', 'f')),  # trailing shape mismatch
    ((2, 3), (2, 12, 1), ('f', 'f')),   # ndim mismatch
])
def test_lstm_bad_input(c_shape, x_shape, dtypes):
    c = numpy.zeros(c_shape, dtypes[0])
    x = numpy.zeros(x_shape, dtypes[1])
    with pytest.raises(type_check.InvalidType):
        F.lstm(c, x)


testing.run_module(__name__, __file__)
