import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests.functions_tests.normalization_tests import _util


def _reference(x, groups, gamma, beta, eps):
    y = numpy.empty(x.shape)
    n, c = x.shape[:2]
    per = c // groups
    for i in range(n):
        for g in range(groups):
            block = x[i, g * per:(g + 1) * per].astype(numpy.float64)
            y[i, g * per:(g + 1) * per] = (block - block.mean()) / numpy.sqrt(block.var() + eps)
    shape = (1, c) + (1,) * (x.ndim - 2)
    return y * gamma.reshape(shape) + beta.reshape(shape)


@testing.parameterize(*(
    testing.product({
        'shape': [(3, 4, 2, 3)],
        'groups': [2],
        'dtype': [numpy.float16, numpy.float32, numpy.float64],
    }) + [
        {'shape': (2, 6), 'groups': 3, 'dtype': numpy.float64},
        {'shape': (2, 3, 5), 'groups': 1, 'dtype': numpy.float32},
        {'shape': (1, 4, 3), 'groups': 4, 'dtype': numpy.float64},
    ]
))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestGroupNormalization(testing.FunctionTestCase):

    eps = 1e-2

    def setUp(self):
        _util.set_tolerances(self, self.dtype)

    def generate_inputs(self):
        c = self.shape[1]
        x = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        gamma = numpy.random.uniform(0.5, 1.5, c).astype(self.dtype)
        beta = numpy.random.uniform(-1, 1, c).astype(self.dtype)
        return x, gamma, beta

    def forward(self, inputs, device):
        x, gamma, beta = inputs
        return F.group_normalization(x, self.groups, gamma, beta, eps=self.eps),

    def forward_expected(self, inputs):
        x, gamma, beta = inputs
        return _reference(x, self.groups, gamma, beta, self.eps).astype(self.dtype),


def test_bad_inputs():
    x = numpy.zeros((2, 4, 3), numpy.float32)
    g = numpy.ones(4, numpy.float32)
    with pytest.raises(ValueError):
        F.group_normalization(x, 3, g, g)
    with pytest.raises(type_check.InvalidType):
        F.group_normalization(x, 2, numpy.ones(5, numpy.float32), numpy.ones(5, numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.group_normalization(x.astype(numpy.int32), 2, g, g)
    with pytest.raises(type_check.InvalidType):
        F.group_normalization(numpy.zeros(4, numpy.float32), 2, g, g)
