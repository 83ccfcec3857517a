"""Tests of F.tree_lstm."""
import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests.functions_tests.rnn_tests import _reference as R


def _tree_lstm_ref(*inputs):
    *cs, x = inputs
    n = len(cs)
    g = x.astype(numpy.float64).reshape((x.shape[0], 3 + n) + cs[0].shape[1:])
    c = numpy.tanh(g[:, 0]) * R.sigmoid(g[:, 1])
    for k, ck in enumerate(cs):
        c = c + R.sigmoid(g[:, 3 + k]) * ck
    h = R.sigmoid(g[:, 2]) * numpy.tanh(c)
    return c.astype(x.dtype), h.astype(x.dtype)


@testing.parameterize(*testing.product({
    'n_ary_shape': [(1, (3, 2)), (2, (2, 3, 2)), (3, (2, 2))],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestTreeLSTM(testing.FunctionTestCase):

    def setUp(self):
        R.set_tolerances(self, self.dtype)

    def generate_inputs(self):
        n, shape = self.n_ary_shape
        x_shape = (shape[0], (3 + n) * shape[1]) + shape[2:]
        cs = [numpy.random.uniform(-1, 1, shape).astype(self.dtype) for _ in range(n)]
        return tuple(cs) + (numpy.random.uniform(-1, 1, x_shape).astype(self.dtype),)

    def forward(self, inputs, device):
        return F.tree_lstm(*inputs)

    def forward_expected(self, inputs):
        return _tree_lstm_ref(*inputs)


def test_tree_lstm_bad_input():
    c = numpy.zeros((2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        F.tree_lstm(c, c, numpy.zeros((2, 12), numpy.float32))  # needs 15 columns
    with pytest.raises(type_check.InvalidType):
        F.tree_lstm(c, numpy.zeros((3, 12), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.tree_lstm(numpy.zeros((2, 12), numpy.float32))


testing.run_module(__name__, __file__)
