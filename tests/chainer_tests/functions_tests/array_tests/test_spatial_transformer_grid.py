import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'case': [(2, (3, 4)), (1, (1, 1)), (3, (2, 5))],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestSpatialTransformerGrid(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, (self.case[0], 2, 3)).astype(self.dtype),

    def forward(self, inputs, device):
        return F.spatial_transformer_grid(inputs[0], self.case[1]),

    def forward_expected(self, inputs):
        theta, = inputs
        h, w = self.case[1]
        y = numpy.empty((len(theta), 2, h, w), numpy.float64)
        ys = numpy.linspace(-1, 1, h)
        xs = numpy.linspace(-1, 1, w)
        for b in range(len(theta)):
            for i in range(h):
                for j in range(w):
                    y[b, :, i, j] = theta[b].astype(numpy.float64) @ [xs[j], ys[i], 1]
        return y.astype(self.dtype),


def test_identity_theta():
    theta = numpy.array([[[1, 0, 0], [0, 1, 0]]], numpy.float32)
    g = F.spatial_transformer_grid(theta, (2, 3)).array
    numpy.testing.assert_allclose(g[0, 0], [[-1, 0, 1], [-1, 0, 1]])
    numpy.testing.assert_allclose(g[0, 1], [[-1, -1, -1], [1, 1, 1]])


def test_spatial_transformer_grid_errors():
    with pytest.raises(type_check.InvalidType):
        F.spatial_transformer_grid(numpy.zeros((1, 3, 3), numpy.float32), (2, 2))
    with pytest.raises(type_check.InvalidType):
        F.spatial_transformer_grid(numpy.zeros((2, 3), numpy.float32), (2, 2))
    with pytest.raises(type_check.InvalidType):
        F.spatial_transformer_grid(numpy.zeros((1, 2, 3), numpy.int32), (2, 2))
    with pytest.raises(ValueError, match='use_cudnn'):
        F.spatial_transformer_grid(numpy.zeros((1, 2, 3), numpy.float32), (2, 2),
                                   use_cudnn='never')
    with pytest.raises(TypeError, match=r"^spatial_transformer_grid\(\) got unexpected "
                                        r"keyword argument\(s\) 'foo'$"):
        F.spatial_transformer_grid(numpy.zeros((1, 2, 3), numpy.float32), (2, 2), foo=1)


def test_node_keeps_theta():
    # Chainer's SpatialTransformerGrid was an old-style Function, whose node kept its
    # input; graph readers (WebDNN's converter) read array inputs from the node.
    theta = numpy.array([[[1, 0, 0], [0, 1, 0]]], numpy.float32)
    node = F.spatial_transformer_grid(theta, (2, 3)).creator
    numpy.testing.assert_array_equal(node.inputs[0].data, theta)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_theta_gradient_bitwise_as_chainer(dtype):
    # Chainer's ggrid (B, 2, H * W) dot the transposed target coordinates
    rng = numpy.random.RandomState(0)
    theta = chainer.Variable(rng.standard_normal((2, 2, 3)).astype(dtype))
    ggrid = rng.standard_normal((2, 2, 4, 5)).astype(dtype)
    gtheta, = chainer.grad([F.spatial_transformer_grid(theta, (4, 5))], [theta],
                           [chainer.Variable(ggrid)])
    ys, xs = numpy.meshgrid(numpy.linspace(-1, 1, 4, dtype=dtype),
                            numpy.linspace(-1, 1, 5, dtype=dtype), indexing='ij')
    coords = numpy.concatenate([xs[None], ys[None], numpy.ones((1, 4, 5), dtype)])
    expected = ggrid.reshape(2, 2, 20).dot(coords.reshape(3, 20).T)
    numpy.testing.assert_array_equal(gtheta.array, expected)
