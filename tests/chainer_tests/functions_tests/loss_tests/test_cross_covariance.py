import numpy
import pytest

from chainer import testing
from chainer.functions.loss.cross_covariance import cross_covariance
from chainer.functions.loss.decov import decov
from chainer.utils import type_check

from tests.chainer_tests.functions_tests.loss_tests._loss_tolerances import set_tolerances


@testing.parameterize(*testing.product({
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'reduce': ['half_squared_sum', 'no'],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestCrossCovariance(testing.FunctionTestCase):

    def setUp(self):
        set_tolerances(self, self.dtype)

    def generate_inputs(self):
        return (numpy.random.uniform(-1, 1, (4, 3)).astype(self.dtype),
                numpy.random.uniform(-1, 1, (4, 2)).astype(self.dtype))

    def forward(self, inputs, device):
        return cross_covariance(*inputs, reduce=self.reduce),

    def forward_expected(self, inputs):
        y, z = [a.astype(numpy.float64) for a in inputs]
        yc = y - y.mean(axis=0)
        zc = z - z.mean(axis=0)
        cov = yc.T.dot(zc) / len(y)
        if self.reduce == 'half_squared_sum':
            cov = 0.5 * (cov ** 2).sum()
        return numpy.asarray(cov, self.dtype),


@testing.parameterize(*testing.product({
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'reduce': ['half_squared_sum', 'no'],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestDeCov(testing.FunctionTestCase):

    def setUp(self):
        set_tolerances(self, self.dtype)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, (4, 3)).astype(self.dtype),

    def forward(self, inputs, device):
        return decov(inputs[0], reduce=self.reduce),

    def forward_expected(self, inputs):
        h = inputs[0].astype(numpy.float64)
        hc = h - h.mean(axis=0)
        cov = hc.T.dot(hc) / len(h)
        cov -= numpy.diag(numpy.diag(cov))
        if self.reduce == 'half_squared_sum':
            cov = 0.5 * (cov ** 2).sum()
        return numpy.asarray(cov, self.dtype),


def test_bad_inputs():
    a = numpy.zeros((2, 3), numpy.float32)
    with pytest.raises(ValueError, match="only 'half_squared_sum' and 'no'"):
        cross_covariance(a, a, reduce='mean')
    with pytest.raises(ValueError, match="only 'half_squared_sum' and 'no'"):
        decov(a, reduce='mean')
    with pytest.raises(type_check.InvalidType):
        cross_covariance(a, a[:1])
    with pytest.raises(type_check.InvalidType):
        cross_covariance(a, a.astype(numpy.float64))
    with pytest.raises(type_check.InvalidType):
        decov(a[0])
