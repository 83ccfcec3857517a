import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.functions.noise.simplified_dropconnect import simplified_dropconnect
from chainer.utils import type_check

_backends = [{}, {'use_cuda': True}]


@testing.parameterize(*[
    {'x_shape': (3, 4), 'batchwise': True, 'nobias': False, 'dtype': numpy.float32},
    {'x_shape': (3, 4), 'batchwise': False, 'nobias': False, 'dtype': numpy.float64},
    {'x_shape': (3, 2, 2), 'batchwise': True, 'nobias': True, 'dtype': numpy.float64},
    {'x_shape': (3, 4), 'batchwise': True, 'nobias': False, 'dtype': numpy.float16},
    {'x_shape': (3, 4), 'batchwise': False, 'nobias': True, 'dtype': numpy.float16},
])
@testing.inject_backend_tests(None, _backends)
class TestSimplifiedDropconnect(testing.FunctionTestCase):

    ratio = 0.4

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
        else:
            self.check_backward_options = {'atol': 1e-4, 'rtol': 1e-3}
            self.check_double_backward_options = {'atol': 1e-4, 'rtol': 1e-3}
        shape = ((self.x_shape[0], 5, 4) if self.batchwise else (5, 4))
        self.mask = numpy.random.rand(*shape) >= self.ratio

    def generate_inputs(self):
        x = numpy.random.uniform(-1, 1, self.x_shape).astype(self.dtype)
        W = numpy.random.uniform(-1, 1, (5, 4)).astype(self.dtype)
        if self.nobias:
            return x, W
        return x, W, numpy.random.uniform(-1, 1, (5,)).astype(self.dtype)

    def forward(self, inputs, device):
        x, W = inputs[:2]
        b = inputs[2] if len(inputs) == 3 else None
        return simplified_dropconnect(x, W, b, ratio=self.ratio, mask=device.send(self.mask),
                                      use_batchwise_mask=self.batchwise),

    def forward_expected(self, inputs):
        x = inputs[0].reshape(self.x_shape[0], 4).astype(numpy.float64)
        Wm = inputs[1].astype(numpy.float64) * self.mask / (1 - self.ratio)
        if self.batchwise:
            y = numpy.einsum('ij,ioj->io', x, Wm)
        else:
            y = x @ Wm.T
        if len(inputs) == 3:
            y = y + inputs[2]
        return y.astype(self.dtype),


def test_random_mask_and_test_mode():
    x = numpy.random.rand(2, 4).astype(numpy.float32)
    W = numpy.random.rand(3, 4).astype(numpy.float32)
    y = simplified_dropconnect(x, W, ratio=0.5)
    assert y.shape == (2, 3) and y.dtype == numpy.float32
    y = simplified_dropconnect(x, W, ratio=0.5, train=False)
    numpy.testing.assert_allclose(y.array, x @ W.T, rtol=1e-5)


def test_bad_inputs():
    x = numpy.zeros((2, 4), numpy.float32)
    W = numpy.zeros((3, 4), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        simplified_dropconnect(x, numpy.zeros((3, 5), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        simplified_dropconnect(x, W, numpy.zeros(2, numpy.float32))
    with pytest.raises(type_check.InvalidType):
        simplified_dropconnect(x, W, mask=numpy.ones((3, 4), bool))   # batchwise expected
    with pytest.raises(type_check.InvalidType):
        simplified_dropconnect(x.astype(numpy.int32), W)


def test_check_message_of_a_2d_w_is_chainers():
    with pytest.raises(type_check.InvalidType) as e:
        simplified_dropconnect(numpy.zeros((2, 4), numpy.float32),
                               numpy.zeros((3, 3), numpy.float32))
    assert str(e.value).endswith('Expect: prod(x.shape[1:]) == W.shape[1]\nActual: 4 != 3')


@pytest.mark.parametrize('batchwise', [True, False])
def test_node_keeps_the_boolean_mask_only(batchwise):
    # As in Chainer, the node holds the boolean mask, no float (scaled) copy of it.
    import chainer
    x = chainer.Variable(numpy.random.rand(3, 4).astype(numpy.float32))
    W = chainer.Variable(numpy.random.rand(5, 4).astype(numpy.float32))
    y = simplified_dropconnect(x, W, None, 0.5, use_batchwise_mask=batchwise)
    node = y.creator
    arrays = [v for v in vars(node).values() if isinstance(v, numpy.ndarray)]
    assert [a.dtype for a in arrays] == [numpy.bool_]
    y.grad = numpy.ones_like(y.array)
    y.backward()
    m = node.mask * 2.0 if batchwise else numpy.broadcast_to(node.mask * 2.0, (3, 5, 4))
    numpy.testing.assert_allclose(x.grad, (W.array * m).sum(axis=1), rtol=1e-6)
    numpy.testing.assert_allclose(W.grad, (m * x.array[:, None]).sum(axis=0), rtol=1e-6)


@pytest.mark.parametrize('ratio', [None, 'a', (1, 2, 3)])
def test_ratio_that_is_no_number(ratio):
    # Chainer 7.8.1's 1 - ratio raised TypeError; ours broadcast a tuple (ValueError)
    x, W = numpy.ones((3, 4), numpy.float32), numpy.ones((2, 4), numpy.float32)
    with pytest.raises(TypeError, match='ratio must be a real number'):
        simplified_dropconnect(x, W, ratio=ratio)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_batchwise_w_gradient_bitwise_as_chainer(dtype):
    # Chainer's sum(gy[:, :, None] * x[:, None, :] * mask, axis=0) * scale, and for
    # its gradient by x, sum(ggW * scale * mask * gy[:, :, None], axis=1)
    rng = numpy.random.RandomState(0)
    x = rng.standard_normal((4, 3)).astype(dtype)
    W = rng.standard_normal((5, 3)).astype(dtype)
    gy = rng.standard_normal((4, 5)).astype(dtype)
    ggW = rng.standard_normal((5, 3)).astype(dtype)
    mask = rng.rand(4, 5, 3) >= 0.3
    scale = dtype(1 / (1 - 0.3))
    xv, Wv = chainer.Variable(x), chainer.Variable(W)
    y = F.simplified_dropconnect(xv, Wv, None, 0.3, mask=mask)
    gW, = chainer.grad([y], [Wv], [chainer.Variable(gy)], enable_double_backprop=True)
    m = mask.astype(dtype)
    numpy.testing.assert_array_equal(gW.array, (gy[:, :, None] * x[:, None, :] * m).sum(axis=0)
                                     * scale)
    ggx, = chainer.grad([gW], [xv], [chainer.Variable(ggW)])
    numpy.testing.assert_array_equal(
        ggx.array, (numpy.broadcast_to(ggW * scale, m.shape) * m * gy[:, :, None]).sum(axis=1))
