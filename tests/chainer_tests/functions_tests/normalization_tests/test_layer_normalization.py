import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests.functions_tests.normalization_tests import _util


@testing.parameterize(*(
    testing.product({
        'shape': [(3, 5)],
        'dtype': [numpy.float16, numpy.float32, numpy.float64],
    }) + [{'shape': (2, 3, 2), 'dtype': numpy.float64},
          {'shape': (0, 4), 'dtype': numpy.float32}]
))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestLayerNormalization(testing.FunctionTestCase):

    eps = 1e-2

    def setUp(self):
        _util.set_tolerances(self, self.dtype)

    def generate_inputs(self):
        x = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        gamma = numpy.random.uniform(0.5, 1.5, self.shape[1:]).astype(self.dtype)
        beta = numpy.random.uniform(-1, 1, self.shape[1:]).astype(self.dtype)
        return x, gamma, beta

    def forward(self, inputs, device):
        return F.layer_normalization(*inputs, eps=self.eps),

    def forward_expected(self, inputs):
        x, gamma, beta = inputs
        y = numpy.empty(x.shape)
        for i in range(len(x)):
            row = x[i].astype(numpy.float64)
            y[i] = (row - row.mean()) / numpy.sqrt(row.var() + self.eps) * gamma + beta
        return y.astype(self.dtype),


def test_bad_inputs():
    x = numpy.zeros((2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        F.layer_normalization(x, numpy.ones(4, 'f'), numpy.ones(4, 'f'))
    with pytest.raises(type_check.InvalidType):
        F.layer_normalization(x, numpy.ones(3, 'd'), numpy.ones(3, 'd'))
    with pytest.raises(type_check.InvalidType):
        F.layer_normalization(numpy.zeros(3, 'f'), numpy.ones(3, 'f'), numpy.ones(3, 'f'))
