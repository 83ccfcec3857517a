import numpy
import pytest

from chainer import testing
from chainer.functions.loss.huber_loss import huber_loss
from chainer.utils import type_check

from tests.chainer_tests.functions_tests.loss_tests._loss_tolerances import set_tolerances


@testing.parameterize(*testing.product({
    'shape': [(4, 3), (2, 3, 2)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'reduce': ['sum_along_second_axis', 'no'],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestHuberLoss(testing.FunctionTestCase):

    delta = 1.0

    def setUp(self):
        set_tolerances(self, self.dtype)

    def generate_inputs(self):
        x = numpy.random.uniform(-2, 2, self.shape)
        t = numpy.random.uniform(-2, 2, self.shape)
        d = numpy.abs(x - t)
        # dodge the kink at |x - t| == delta and the one at 0
        x = numpy.where(numpy.abs(d - self.delta) < 0.1, x + 0.3, x)
        x = numpy.where(numpy.abs(x - t) < 0.05, x + 0.2, x)
        return x.astype(self.dtype), t.astype(self.dtype)

    def forward(self, inputs, device):
        return huber_loss(*inputs, delta=self.delta, reduce=self.reduce),

    def forward_expected(self, inputs):
        x, t = [a.astype(numpy.float64) for a in inputs]
        d = numpy.abs(x - t)
        y = numpy.where(d <= self.delta, 0.5 * d ** 2, self.delta * (d - 0.5 * self.delta))
        if self.reduce == 'sum_along_second_axis':
            y = y.sum(axis=1)
        return y.astype(self.dtype),


def test_bad_inputs():
    x = numpy.zeros((2, 3), numpy.float32)
    with pytest.raises(ValueError, match="only 'sum_along_second_axis' and 'no'"):
        huber_loss(x, x, 1.0, reduce='mean')
    with pytest.raises(type_check.InvalidType):
        huber_loss(x, x.astype(numpy.float64), 1.0)
    with pytest.raises(type_check.InvalidType):
        huber_loss(x, x[:1], 1.0)
    with pytest.raises(type_check.InvalidType):
        huber_loss(x[0], x[0], 1.0)
