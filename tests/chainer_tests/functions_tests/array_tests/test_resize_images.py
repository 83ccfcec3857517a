import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


def _coords(out_size, in_size, mode, align_corners):
    pos = []
    for o in range(out_size):
        if mode == 'nearest':
            pos.append(min(numpy.floor(o * in_size / out_size), in_size - 1))
        elif align_corners:
            pos.append(0.0 if out_size == 1 else o * (in_size - 1) / (out_size - 1))
        else:
            pos.append(max((o + 0.5) * in_size / out_size - 0.5, 0.0))
    return pos


def _ref(x, out_shape, mode, align_corners):
    n, c, h, w = x.shape
    oh, ow = out_shape
    vs = _coords(oh, h, mode, align_corners)
    us = _coords(ow, w, mode, align_corners)
    y = numpy.zeros((n, c, oh, ow), numpy.float64)
    for i, v in enumerate(vs):
        v0 = int(numpy.floor(v))
        v1 = min(v0 + 1, h - 1)
        wv = v - v0
        for j, u in enumerate(us):
            u0 = int(numpy.floor(u))
            u1 = min(u0 + 1, w - 1)
            wu = u - u0
            y[:, :, i, j] = ((1 - wv) * (1 - wu) * x[:, :, v0, u0] + (1 - wv) * wu * x[:, :, v0, u1]
                             + wv * (1 - wu) * x[:, :, v1, u0] + wv * wu * x[:, :, v1, u1])
    return y.astype(x.dtype)


@testing.parameterize(*testing.product({
    'case': [((2, 2, 3, 4), (5, 7)), ((1, 1, 5, 6), (2, 3)), ((1, 2, 3, 3), (1, 1)),
             ((1, 1, 1, 2), (3, 4)), ((1, 1, 4, 3), (4, 3))],
    'mode': ['bilinear', 'nearest'],
    'align_corners': [True, False],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestResizeImages(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)
        else:
            self.check_forward_options = {'atol': 1e-5, 'rtol': 1e-5}

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.case[0]).astype(self.dtype),

    def forward(self, inputs, device):
        return F.resize_images(inputs[0], self.case[1], mode=self.mode,
                               align_corners=self.align_corners),

    def forward_expected(self, inputs):
        return _ref(inputs[0], self.case[1], self.mode, self.align_corners),


def test_default_mode_upsample_corners():
    x = numpy.arange(4, dtype=numpy.float32).reshape(1, 1, 2, 2)
    y = F.resize_images(x, (3, 3))
    numpy.testing.assert_allclose(y.array[0, 0], [[0, .5, 1], [1, 1.5, 2], [2, 2.5, 3]])


def test_resize_images_errors():
    with pytest.raises(type_check.InvalidType):
        F.resize_images(numpy.zeros((2, 3, 4), numpy.float32), (2, 2))
    with pytest.raises(type_check.InvalidType):
        F.resize_images(numpy.zeros((1, 1, 2, 2), numpy.int32), (2, 2))
    with pytest.raises(ValueError):
        F.resize_images(numpy.zeros((1, 1, 2, 2), numpy.float32), (2, 2), mode='cubic')
    with pytest.raises(TypeError):
        F.resize_images(numpy.zeros((1, 1, 2, 2), numpy.float32), (2, 2), 'bilinear')


def test_unknown_mode_is_also_an_assertion_error():
    with pytest.raises(ValueError) as info:
        F.resize_images(numpy.ones((1, 1, 2, 2), numpy.float32), (3, 3), mode='bicubic')
    assert isinstance(info.value, AssertionError)


@pytest.mark.parametrize('output_shape, error', [
    # Chainer 7.8.1 indexed output_shape[0] and [1]: IndexError for one length (a third
    # was ignored), TypeError for a number; ours failed in unpacking (ValueError) or
    # in numpy.linspace for a negative size
    ((4,), IndexError),
    ((4, 4, 4), IndexError),
    (4, TypeError),
    ((-1, 2), ValueError),
])
def test_resize_images_bad_output_shapes(output_shape, error):
    with pytest.raises(error, match='output_shape must'):
        F.resize_images(numpy.ones((1, 1, 4, 4), 'f'), output_shape)
