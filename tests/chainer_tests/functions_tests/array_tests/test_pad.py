import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'case': [((3, 2), 1, 'constant', {}), ((3, 2), ((1, 2), (0, 1)), 'constant',
                                          {'constant_values': 1.5}),
             ((2, 3, 2), (1, 2), 'constant', {}), ((3, 2), ((2, 1), (1, 3)), 'edge', {}),
             ((3, 4), ((2, 1), (1, 2)), 'reflect', {}), ((3, 2), 2, 'symmetric', {}),
             ((2, 3), ((1, 4), (2, 0)), 'wrap', {}), ((0, 2), ((1, 1), (0, 0)), 'constant', {}),
             ((2,), 0, 'constant', {})],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestPad(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.case[0]).astype(self.dtype),

    def forward(self, inputs, device):
        _, width, mode, kw = self.case
        return F.pad(inputs[0], width, mode, **kw),

    def forward_expected(self, inputs):
        _, width, mode, kw = self.case
        return numpy.pad(inputs[0], width, mode, **kw),


def test_unsupported_gradient_mode_raises():
    x = chainer.Variable(numpy.random.rand(3).astype(numpy.float32))
    y = F.pad(x, 2, 'maximum')
    numpy.testing.assert_array_equal(y.array, numpy.pad(x.array, 2, 'maximum'))
    with pytest.raises(NotImplementedError, match='maximum'):
        F.sum(y).backward()


def test_pad_errors():
    with pytest.raises(type_check.InvalidType):
        F.pad(numpy.zeros(3, numpy.int32), 1, 'constant')
    with pytest.raises(ValueError):
        F.pad(numpy.zeros(3, numpy.float32), ((1, 1), (1, 1)), 'constant')
    with pytest.raises(ValueError):
        F.pad(numpy.zeros(3, numpy.float32), 1, 'no-such-mode')


@pytest.mark.parametrize('mode', ['linear_ramp', 'mean', 'median', 'maximum'])
@pytest.mark.parametrize('shape,pad_width', [((3, 2), 0), ((3, 2), ((0, 0), (0, 0))), ((), 2)])
def test_gradient_of_nothing_padded_in_any_mode(mode, shape, pad_width):
    # Nothing is padded, so the output is x and the gradient gy itself (as in
    # Chainer), even in modes whose gradient is otherwise unsupported.
    x = chainer.Variable(numpy.arange(numpy.prod(shape), dtype=numpy.float32).reshape(shape))
    y = F.pad(x, pad_width, mode)
    gy = numpy.random.RandomState(0).uniform(-1, 1, y.shape).astype(numpy.float32)
    gx, = chainer.grad([y], [x], [chainer.Variable(gy)])
    numpy.testing.assert_array_equal(gx.array, gy)
