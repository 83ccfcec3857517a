import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


def _ref(x, ksize, stride, pad, cover_all, dilate):
    kh, kw = ksize
    sy, sx = stride
    ph, pw = pad
    dy, dx = dilate
    n, c, h, w = x.shape

    def outsize(size, k, s, p, d):
        dk = k + (k - 1) * (d - 1)
        if cover_all:
            return (size + p * 2 - dk + s - 1) // s + 1
        return (size + p * 2 - dk) // s + 1

    oh, ow = outsize(h, kh, sy, ph, dy), outsize(w, kw, sx, pw, dx)
    y = numpy.zeros((n, c, kh, kw, oh, ow), x.dtype)
    for j in range(kh):
        for i in range(kw):
            for oy in range(oh):
                for ox in range(ow):
                    iy, ix = oy * sy + j * dy - ph, ox * sx + i * dx - pw
                    if 0 <= iy < h and 0 <= ix < w:
                        y[:, :, j, i, oy, ox] = x[:, :, iy, ix]
    return y.reshape(n, c * kh * kw, oh, ow)


@testing.parameterize(*testing.product({
    'case': [((2, 3, 4, 5), 2, 1, 0, False, 1), ((1, 2, 5, 4), (3, 2), (2, 1), (1, 0), False, 1),
             ((1, 1, 5, 5), 2, 2, 0, True, 1), ((1, 2, 6, 5), 2, 1, 1, False, (2, 1)),
             ((1, 1, 4, 4), 3, 2, 1, True, 1)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestIm2Col(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.case[0]).astype(self.dtype),

    def forward(self, inputs, device):
        _, k, s, p, cover_all, d = self.case
        return F.im2col(inputs[0], k, s, p, cover_all, d),

    def forward_expected(self, inputs):
        _, k, s, p, cover_all, d = self.case

        def pair(v):
            return v if isinstance(v, tuple) else (v, v)
        return _ref(inputs[0], pair(k), pair(s), pair(p), cover_all, pair(d)),


def test_defaults():
    x = numpy.random.rand(1, 2, 3, 3).astype(numpy.float32)
    assert F.im2col(x, 2).shape == (1, 8, 2, 2)


def test_im2col_errors():
    with pytest.raises(type_check.InvalidType):
        F.im2col(numpy.zeros((2, 3, 4), numpy.float32), 2)
    with pytest.raises(type_check.InvalidType):
        F.im2col(numpy.zeros((1, 1, 4, 4), numpy.int32), 2)
    with pytest.raises(AssertionError):
        F.im2col(numpy.zeros((1, 1, 2, 2), numpy.float32), 3)


def test_output_does_not_share_the_input():
    # as in Chainer, even a 1x1 window gives new memory
    x = numpy.zeros((1, 2, 3, 4), numpy.float32)
    y = F.im2col(x, 1)
    assert not numpy.shares_memory(y.array, x)
