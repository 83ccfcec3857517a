import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests._graph import applied_nodes

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


def _ref(x, grid):
    B, C, H, W = x.shape
    _, _, oh, ow = grid.shape
    xp_ = numpy.pad(x.astype(numpy.float64), ((0, 0), (0, 0), (1, 1), (1, 1)))
    y = numpy.zeros((B, C, oh, ow))
    for b in range(B):
        for i in range(oh):
            for j in range(ow):
                u = (float(grid[b, 0, i, j]) + 1) * (W - 1) / 2 + 1
                v = (float(grid[b, 1, i, j]) + 1) * (H - 1) / 2 + 1
                u = min(max(u, 0), W + 1)
                v = min(max(v, 0), H + 1)
                u0 = min(int(numpy.floor(u)), W)
                v0 = min(int(numpy.floor(v)), H)
                for vi, wv in ((v0, v0 + 1 - v), (v0 + 1, v - v0)):
                    for ui, wu in ((u0, u0 + 1 - u), (u0 + 1, u - u0)):
                        y[b, :, i, j] += wv * wu * xp_[b, :, vi, ui]
    return y.astype(x.dtype)


def _grid(B, H, W, oh, ow, dtype):
    # Pixel positions (in the zero-padded image) away from integers, where the
    # interpolation is smooth, covering the border region outside the image.
    u = numpy.random.randint(0, W + 1, (B, oh, ow)) + numpy.random.uniform(.2, .8, (B, oh, ow))
    v = numpy.random.randint(0, H + 1, (B, oh, ow)) + numpy.random.uniform(.2, .8, (B, oh, ow))
    gx = (u - 1) * 2 / (W - 1) - 1
    gy = (v - 1) * 2 / (H - 1) - 1
    return numpy.stack([gx, gy], axis=1).astype(dtype)


@testing.parameterize(*testing.product({
    'case': [((2, 3, 4, 5), (3, 2)), ((1, 1, 3, 2), (2, 4))],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestSpatialTransformerSampler(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 1e-1, 'rtol': 1e-1}
            self.check_double_backward_options = {'atol': 1e-1, 'rtol': 1e-1}
        else:
            self.check_backward_options = {'atol': 1e-3, 'rtol': 1e-3}
            self.check_double_backward_options = {'atol': 1e-3, 'rtol': 1e-3}

    def generate_inputs(self):
        (B, C, H, W), (oh, ow) = self.case
        x = numpy.random.uniform(-1, 1, (B, C, H, W)).astype(self.dtype)
        return x, _grid(B, H, W, oh, ow, self.dtype)

    def forward(self, inputs, device):
        return F.spatial_transformer_sampler(*inputs),

    def forward_expected(self, inputs):
        return _ref(*inputs),


def test_far_points_are_zero_and_clipped_like_chainer():
    x = numpy.random.rand(1, 2, 3, 3).astype(numpy.float64)
    grid = numpy.array([5., -7., 0.3, 1.]).reshape(1, 2, 1, 2)  # x: 5, -7; y: 0.3, 1
    y = F.spatial_transformer_sampler(x, grid)
    numpy.testing.assert_allclose(y.array, _ref(x, grid))


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_points_on_or_beyond_the_zero_border_get_no_coordinate_gradient(dtype):
    # In pixels of the image padded by one zero pixel, a coordinate outside (0, W + 1)
    # is clipped, and (as in Chainer) gets no gradient; a huge one still samples 0.
    x = numpy.arange(1, 10, dtype=dtype).reshape(1, 1, 3, 3)
    # y at 1 (the last row); x at 1.0 (inside), 2.0 (the border: u = W + 1), 3.25, 1e4
    gx_ = numpy.array([1.0, 2.0, 3.25, 1e4], dtype)
    grid = chainer.Variable(numpy.stack([gx_, numpy.ones(4, dtype)]).reshape(1, 2, 1, 4))
    y = F.spatial_transformer_sampler(x, grid)
    numpy.testing.assert_array_equal(y.array, numpy.array([[[[9, 0, 0, 0]]]], dtype))
    g, = chainer.grad([y], [grid], [numpy.ones(y.shape, dtype)])
    numpy.testing.assert_array_equal(g.array[0, :, 0, 1:], numpy.zeros((2, 3), dtype))
    assert g.array[0, 0, 0, 0] == -9  # inside: toward the zero border


def test_identity_grid_reproduces_image():
    x = numpy.random.rand(2, 3, 4, 5).astype(numpy.float32)
    theta = numpy.tile(numpy.array([[1, 0, 0], [0, 1, 0]], numpy.float32), (2, 1, 1))
    grid = F.spatial_transformer_grid(theta, (4, 5))
    y = F.spatial_transformer_sampler(chainer.Variable(x), grid)
    numpy.testing.assert_allclose(y.array, x, atol=1e-6)


def test_spatial_transformer_sampler_errors():
    x = numpy.zeros((2, 1, 3, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        F.spatial_transformer_sampler(x, numpy.zeros((2, 3, 2, 2), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.spatial_transformer_sampler(x, numpy.zeros((1, 2, 2, 2), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.spatial_transformer_sampler(x, numpy.zeros((2, 2, 2, 2), numpy.float64))
    with pytest.raises(type_check.InvalidType):
        F.spatial_transformer_sampler(x[0], numpy.zeros((2, 2, 2, 2), numpy.float32))
    with pytest.raises(ValueError, match='use_cudnn'):
        F.spatial_transformer_sampler(x, numpy.zeros((2, 2, 2, 2), numpy.float32),
                                      use_cudnn='never')


def test_one_node_keeping_only_its_inputs():
    # As in Chainer, one SpatialTransformerSampler node: the graph keeps x and
    # grid, not the gathered pixels and weights of the composition.
    x = chainer.Variable(numpy.random.rand(2, 3, 5, 5).astype(numpy.float32))
    grid = chainer.Variable(numpy.random.uniform(-1, 1, (2, 2, 4, 4)).astype(numpy.float32))
    y = F.spatial_transformer_sampler(x, grid)
    node = y.creator
    assert type(node).__name__ == 'SpatialTransformerSampler'
    assert [v.creator for v in node.inputs] == [None, None]
    gx, ggrid = chainer.grad([F.sum(y * y)], [x, grid], enable_double_backprop=True)
    assert gx.shape == x.shape and ggrid.shape == grid.shape
    assert gx.creator is not None  # still differentiable


def test_forward_and_gradient_are_one_node_each(monkeypatch):
    x = chainer.Variable(numpy.random.rand(2, 3, 5, 5))
    grid = chainer.Variable(_grid(2, 5, 5, 3, 4, numpy.float64))
    applied = applied_nodes(monkeypatch)
    y = F.spatial_transformer_sampler(x, grid)
    assert applied == ['SpatialTransformerSampler']
    gx, ggrid = chainer.grad([y], [x, grid], [chainer.Variable(numpy.ones(y.shape))],
                             enable_double_backprop=True)
    assert applied[1:] == ['_SamplerGrad']
    assert gx.creator is ggrid.creator


def test_third_order():
    x = numpy.random.uniform(-1, 1, (1, 2, 3, 4))
    grid = _grid(1, 3, 4, 2, 3, numpy.float64)
    gy = numpy.random.randn(1, 2, 2, 3)

    def first(x, grid, gy):
        y = F.spatial_transformer_sampler(x, grid)
        return chainer.grad([y], [x, grid], [gy], enable_double_backprop=True)

    def randn(*arrays):
        return tuple(numpy.random.randn(*a.shape) for a in arrays)

    chainer.gradient_check.check_double_backward(
        first, (x, grid, gy), randn(x, grid), randn(x, grid, gy), atol=1e-4, rtol=1e-3)


@pytest.mark.parametrize('x_shape, grid_shape', [
    ((0, 3, 4, 4), (0, 2, 2, 2)), ((2, 0, 4, 4), (2, 2, 2, 2)), ((2, 3, 4, 4), (2, 2, 0, 2))])
def test_empty(x_shape, grid_shape):
    x = chainer.Variable(numpy.ones(x_shape, numpy.float32))
    grid = chainer.Variable(numpy.zeros(grid_shape, numpy.float32))
    y = F.spatial_transformer_sampler(x, grid)
    assert y.shape == x_shape[:2] + grid_shape[2:]
    y.grad = numpy.ones_like(y.array)
    y.backward()
    assert x.grad.shape == x_shape and grid.grad.shape == grid_shape
