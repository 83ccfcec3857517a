import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import gradient_check
from chainer import testing
from chainer.functions.noise.dropout import dropout
from chainer.utils import type_check

_backends = [{}, {'use_cuda': True}]


@testing.parameterize(*(
    testing.product({'shape': [(3, 4)], 'ratio': [0.0, 0.3],
                     'dtype': [numpy.float16, numpy.float32, numpy.float64]})
    + [{'shape': (), 'ratio': 0.5, 'dtype': numpy.float32},
       {'shape': (0, 2), 'ratio': 0.5, 'dtype': numpy.float64},
       {'shape': (2, 3, 1), 'ratio': 0.9, 'dtype': numpy.float32}]
))
@testing.inject_backend_tests(None, _backends)
class TestDropout(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
        # A fixed mask, so that the numerical gradient sees the same function.
        flag = numpy.random.random_sample(self.shape) >= self.ratio
        self.mask = (flag * (1 / (1 - self.ratio))).astype(self.dtype)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        return dropout(inputs[0], self.ratio, mask=device.send(self.mask)),

    def forward_expected(self, inputs):
        return (inputs[0] * self.mask).astype(self.dtype),


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_random_mask_statistics_and_return_mask(dtype):
    x = numpy.ones((200, 100), dtype)
    y, mask = dropout(x, 0.25, return_mask=True)
    assert y.dtype == dtype and mask.dtype == dtype
    kept = mask != 0
    assert 0.7 < kept.mean() < 0.8
    numpy.testing.assert_allclose(mask[kept], 1 / 0.75, rtol=1e-3)
    numpy.testing.assert_array_equal(y.array, x * mask)


def test_backward_uses_the_same_mask():
    x = chainer.Variable(numpy.random.rand(5, 6).astype(numpy.float32))
    y, mask = dropout(x, 0.5, return_mask=True)
    F.sum(y).backward()
    numpy.testing.assert_array_equal(x.grad, mask)


def test_double_backward_random_mask():
    x = numpy.random.rand(3, 3)
    _, mask = dropout(x, 0.4, return_mask=True)
    gradient_check.check_double_backward(
        lambda x_: dropout(x_, 0.4, mask=mask) ** 2, x,
        numpy.random.rand(3, 3), numpy.random.rand(3, 3))


def test_identity_in_test_mode():
    x = numpy.random.rand(3, 2).astype(numpy.float32)
    with chainer.using_config('train', False):
        y, mask = dropout(x, 0.5, return_mask=True)
    assert isinstance(y, chainer.Variable) and mask is None
    numpy.testing.assert_array_equal(y.array, x)


def test_bad_arguments():
    x = numpy.ones((2, 2), numpy.float32)
    with pytest.raises(ValueError):
        dropout(x, 1.0)
    with pytest.raises(ValueError):
        dropout(x, -0.1)
    with pytest.raises(ValueError):
        dropout(x, 0.5, train=True)
    with pytest.raises(TypeError):
        dropout(x, 0.5, foo=1)
    with pytest.raises(type_check.InvalidType):
        dropout(numpy.ones((2, 2), numpy.int32))
