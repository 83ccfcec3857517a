import numpy
import pytest

import chainer
import chainer.functions as F
import chainer.links as L
from chainer.links.connection import deformable_convolution_2d
from chainer import gradient_check
from chainer import initializers
from chainer import serializers
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests._graph import applied_nodes
from tests.chainer_tests.functions_tests.connection_tests import _conv_reference as ref

_backends = [{}, {'use_cuda': True}]


@testing.parameterize(
    {'dtype': numpy.float32, 'stride': 1, 'nobias': False},
    {'dtype': numpy.float16, 'stride': 2, 'nobias': True},
    {'dtype': numpy.float64, 'stride': (2, 1), 'nobias': False},
)
@testing.inject_backend_tests(None, _backends)
class TestLocalConvolution2D(testing.FunctionTestCase):

    def setUp(self):
        ref.set_tolerances(self, self.dtype)
        s = self.stride if isinstance(self.stride, tuple) else (self.stride,) * 2
        self.s = s
        self.out = ((5 - 2) // s[0] + 1, (4 - 3) // s[1] + 1)

    def generate_inputs(self):
        x = numpy.random.uniform(-1, 1, (2, 3, 5, 4)).astype(self.dtype)
        W = numpy.random.uniform(-1, 1, (2,) + self.out + (3, 2, 3)).astype(self.dtype)
        if self.nobias:
            return x, W
        return x, W, numpy.random.uniform(-1, 1, (2,) + self.out).astype(self.dtype)

    def forward(self, inputs, device):
        x, W = inputs[:2]
        b = inputs[2] if len(inputs) == 3 else None
        return F.local_convolution_2d(x, W, b, self.stride),

    def forward_expected(self, inputs):
        x, W = inputs[:2]
        y = numpy.zeros((2, 2) + self.out)
        for p in range(self.out[0]):
            for q in range(self.out[1]):
                patch = x[:, :, p * self.s[0]:p * self.s[0] + 2, q * self.s[1]:q * self.s[1] + 3]
                y[:, :, p, q] = numpy.tensordot(patch.astype(numpy.float64), W[:, p, q],
                                                ((1, 2, 3), (1, 2, 3)))
        if len(inputs) == 3:
            y += inputs[2]
        return y.astype(self.dtype),


def _shift_reference(x, kh, kw, dy, dx):
    n, c, h, w = x.shape
    groups = kh * kw
    size = c // groups
    center = (groups - 1) // 2
    y = numpy.zeros_like(x)
    for i in range(groups):
        g = {center: groups - 1, groups - 1: center}.get(i, i)
        oy = (g // kw - kh // 2) * dy
        ox = (g % kw - kw // 2) * dx
        chans = range(i * size, (i + 1) * size if i < groups - 1 else c)
        for ch in chans:
            for r in range(h):
                for col in range(w):
                    sr, sc = r - oy, col - ox
                    if 0 <= sr < h and 0 <= sc < w:
                        y[:, ch, r, col] = x[:, ch, sr, sc]
    return y


@testing.parameterize(
    {'dtype': numpy.float32, 'ksize': 3, 'dilate': 1, 'c': 9},
    {'dtype': numpy.float16, 'ksize': (3, 1), 'dilate': 2, 'c': 4},
    {'dtype': numpy.float64, 'ksize': 3, 'dilate': (1, -1), 'c': 11},
)
@testing.inject_backend_tests(None, _backends)
class TestShift(testing.FunctionTestCase):

    def setUp(self):
        ref.set_tolerances(self, self.dtype)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, (2, self.c, 4, 5)).astype(self.dtype),

    def forward(self, inputs, device):
        return F.shift(inputs[0], self.ksize, self.dilate),

    def forward_expected(self, inputs):
        kh, kw = self.ksize if isinstance(self.ksize, tuple) else (self.ksize,) * 2
        dy, dx = self.dilate if isinstance(self.dilate, tuple) else (self.dilate,) * 2
        return _shift_reference(inputs[0], kh, kw, dy, dx),


@testing.parameterize(
    {'dtype': numpy.float32, 'stride': 1, 'pad': 0},
    {'dtype': numpy.float64, 'stride': 2, 'pad': 1},
)
@testing.inject_backend_tests(None, _backends)
class TestDeformableConvolution2DSampler(testing.FunctionTestCase):

    def setUp(self):
        ref.set_tolerances(self, self.dtype)
        self.out = ((5 + 2 * self.pad - 2) // self.stride + 1,
                    (6 + 2 * self.pad - 3) // self.stride + 1)

    def generate_inputs(self):
        x = numpy.random.uniform(-1, 1, (2, 3, 5, 6)).astype(self.dtype)
        # Offsets away from integers: bilinear sampling is smooth there.
        offset = numpy.random.uniform(0.2, 0.8, (2, 12) + self.out).astype(self.dtype)
        offset *= numpy.random.choice([-1, 1], offset.shape).astype(self.dtype)
        W = numpy.random.uniform(-1, 1, (4, 3, 2, 3)).astype(self.dtype)
        b = numpy.random.uniform(-1, 1, 4).astype(self.dtype)
        return x, offset, W, b

    def forward(self, inputs, device):
        return F.deformable_convolution_2d_sampler(*inputs, stride=self.stride, pad=self.pad),

    def forward_expected(self, inputs):
        x, offset, W, b = (a.astype(numpy.float64) for a in inputs)
        xp = numpy.pad(x, ((0, 0), (0, 0), (self.pad,) * 2, (self.pad,) * 2))
        H, Wd = xp.shape[2:]

        def sample(img, yy, xx):
            y0, x0 = int(numpy.floor(yy)), int(numpy.floor(xx))
            val = 0
            for yi, wy in ((y0, 1 - (yy - y0)), (y0 + 1, yy - y0)):
                for xi, wx in ((x0, 1 - (xx - x0)), (x0 + 1, xx - x0)):
                    if 0 <= yi < H and 0 <= xi < Wd:
                        val = val + wy * wx * img[..., yi, xi]
            return val

        y = numpy.zeros((2, 4) + self.out)
        for p in range(self.out[0]):
            for q in range(self.out[1]):
                for j in range(2):
                    for i in range(3):
                        k = j * 3 + i
                        for n in range(2):
                            yy = p * self.stride + j + offset[n, 6 + k, p, q]
                            xx = q * self.stride + i + offset[n, k, p, q]
                            v = sample(xp[n], yy, xx)           # (c,)
                            y[n, :, p, q] += W[:, :, j, i] @ v
        y += b.reshape(1, -1, 1, 1)
        return y.astype(self.dtype),


def test_deformable_with_zero_offsets_is_a_convolution():
    x = numpy.random.rand(2, 3, 5, 6)
    W = numpy.random.rand(4, 3, 3, 2)
    y = F.convolution_2d(x, W, stride=2, pad=1)
    off = numpy.zeros((2, 12) + y.shape[2:])
    numpy.testing.assert_allclose(
        F.deformable_convolution_2d_sampler(x, off, W, stride=2, pad=1).array, y.array,
        atol=1e-12)


@pytest.mark.parametrize('x_dtype, offset_dtype, result', [
    # Chainer 7.8.1 added the offsets to a float32 grid of the taps
    (numpy.float32, numpy.float16, numpy.float32),
    (numpy.float32, numpy.bool_, numpy.float32),
    (numpy.float16, numpy.float16, numpy.float16),
    (numpy.float32, numpy.int32, None),     # a float64 grid: the sampler's InvalidType
    (numpy.float64, numpy.float32, None),
])
def test_deformable_offset_dtypes_as_chainer(x_dtype, offset_dtype, result):
    rng = numpy.random.RandomState(3)
    x = rng.randn(2, 3, 5, 5).astype(x_dtype)
    W = rng.randn(4, 3, 3, 3).astype(x_dtype)
    offset = rng.randn(2, 18, 3, 3)
    if result is None:
        with pytest.raises(type_check.InvalidType):
            F.deformable_convolution_2d_sampler(x, offset.astype(offset_dtype), W)
        return
    y = F.deformable_convolution_2d_sampler(x, offset.astype(offset_dtype), W)
    assert y.dtype == result
    expected = F.deformable_convolution_2d_sampler(
        x.astype(numpy.float64), offset.astype(offset_dtype).astype(numpy.float64),
        W.astype(numpy.float64))
    tol = 5e-2 if x_dtype == numpy.float16 else 1e-3
    numpy.testing.assert_allclose(y.array, expected.array, rtol=tol, atol=tol * 10)
    if offset_dtype == numpy.float16 and x_dtype == numpy.float32:
        v = chainer.Variable(offset.astype(offset_dtype))
        F.sum(F.deformable_convolution_2d_sampler(x, v, W)).backward()
        assert v.grad.dtype == numpy.float16


def test_bad_inputs():
    x = numpy.zeros((1, 3, 4, 4), 'f')
    with pytest.raises(type_check.InvalidType):
        F.local_convolution_2d(x, numpy.zeros((2, 3, 3, 2, 2, 2), 'f'))   # channel mismatch
    with pytest.raises(type_check.InvalidType):
        F.local_convolution_2d(x, numpy.zeros((2, 2, 2, 3, 2, 2), 'f'))   # wrong out size
    with pytest.raises(type_check.InvalidType):
        F.shift(numpy.zeros((1, 4, 3, 3), 'f'), 3)                       # too few channels
    with pytest.raises(type_check.InvalidType):
        F.shift(numpy.zeros((1, 9, 3), 'f'), 3)
    for ksize in (2, (3, 2)):
        with pytest.raises(ValueError):                                 # even, as Chainer
            F.shift(numpy.zeros((1, 9, 3, 3), 'f'), ksize)
    with pytest.raises(type_check.InvalidType):
        F.deformable_convolution_2d_sampler(x, numpy.zeros((1, 4, 2, 2), 'f'),
                                            numpy.zeros((2, 3, 3, 3), 'f'))


@pytest.mark.parametrize('make,x_shape,y_shape', [
    (lambda: L.LocalConvolution2D(3, 2, 5, 2), (2, 3, 5, 5), (2, 2, 4, 4)),
    (lambda: L.LocalConvolution2D(None, 2, ksize=3, stride=2), (2, 3, 5, 5), (2, 2, 2, 2)),
    (lambda: L.DeformableConvolution2D(3, 2, 3, pad=1), (1, 3, 4, 5), (1, 2, 4, 5)),
])
def test_links(make, x_shape, y_shape, tmp_path):
    link = make()
    x = numpy.random.rand(*x_shape).astype('f')
    y = link(x)
    assert y.shape == y_shape
    F.sum(y).backward()
    for name, p in link.namedparams():
        assert p.grad is not None, name
    path = str(tmp_path / 'l.npz')
    serializers.save_npz(path, link)
    other = make()
    other(x)
    serializers.load_npz(path, other)
    numpy.testing.assert_array_equal(other(x).array, y.array)


def test_local_convolution_link_needs_ksize():
    with pytest.raises(TypeError, match='needs ksize'):
        L.LocalConvolution2D(3, 4)
    with pytest.raises(TypeError, match='needs ksize'):
        L.LocalConvolution2D(3, 4, in_size=5)


def test_deformable_link_default_initializers_as_chainer():
    # Chainer starts the deformable filter at zero and the offset convolution
    # with Convolution2D's default initializer.
    link = L.DeformableConvolution2D(3, 2, 3, pad=1)
    x = numpy.random.rand(1, 3, 4, 5).astype('f')
    y = link(x)
    assert not link.deform_conv.W.array.any() and link.offset_conv.W.array.any()
    numpy.testing.assert_array_equal(y.array, numpy.zeros((1, 2, 4, 5), 'f'))
    sampler = deformable_convolution_2d.DeformableConvolution2DSampler(3, 2, 3)
    assert sampler.W.shape == (2, 3, 3, 3) and not sampler.W.array.any()


def test_deformable_link_with_zero_offsets_is_a_convolution():
    link = L.DeformableConvolution2D(3, 2, 3, pad=1, offset_initialW=initializers.Zero(),
                                     deform_initialW=initializers.LeCunNormal())
    x = numpy.random.rand(1, 3, 4, 5).astype('f')
    link(x)
    y = F.convolution_2d(x, link.deform_conv.W, link.deform_conv.b, pad=1)
    numpy.testing.assert_allclose(link(x).array, y.array, rtol=1e-5, atol=1e-6)
    assert link.offset_conv.W.shape == (18, 3, 3, 3)


def test_double_backward_through_local_convolution():
    x = chainer.Variable(numpy.random.rand(1, 2, 4, 4))
    W = chainer.Variable(numpy.random.rand(2, 3, 3, 2, 2, 2))
    gx, = chainer.grad([F.sum(F.local_convolution_2d(x, W) ** 2)], [x],
                       enable_double_backprop=True)
    gW, = chainer.grad([F.sum(gx * gx)], [W])
    assert gW.shape == W.shape


def test_list_inputs_raise_type_error():
    x = numpy.ones((1, 2, 4, 4), numpy.float32)
    with pytest.raises(TypeError):
        F.local_convolution_2d(x.tolist(), numpy.ones((1, 3, 3, 2, 2, 2), numpy.float32))
    with pytest.raises(TypeError):
        F.depthwise_convolution_2d(x.tolist(), numpy.ones((1, 2, 2, 2), numpy.float32))


@pytest.mark.parametrize('x_dtype, W_dtype', [
    (numpy.float16, numpy.float32), (numpy.float32, numpy.float16),
    (numpy.float64, numpy.float32)])
def test_local_convolution_output_takes_x_dtype(x_dtype, W_dtype):
    # As in Chainer: a float16 input with float32 weights gives float16.
    rs = numpy.random.RandomState(0)
    x = chainer.Variable(rs.randn(1, 2, 3, 3).astype(x_dtype))
    W = chainer.Variable(rs.randn(2, 1, 1, 2, 3, 3).astype(W_dtype))
    y = F.local_convolution_2d(x, W)
    assert y.dtype == x_dtype
    wide = F.local_convolution_2d(x.array.astype(numpy.float64), W.array.astype(numpy.float64))
    numpy.testing.assert_allclose(y.array, wide.array, rtol=1e-2, atol=1e-2)
    F.sum(y).backward()
    assert x.grad.dtype == x_dtype and W.grad.dtype == W_dtype


@pytest.mark.parametrize('bias', [False, True])
def test_deformable_link_float16_input_float32_weights(bias):
    # As in Chainer, whose taps met W in a matmul: a float16 input with
    # float32 weights gives float32 (and takes a float32 bias).
    rs = numpy.random.RandomState(0)
    link = L.DeformableConvolution2D(2, 3, 2, stride=2, pad=1, offset_nobias=True,
                                     deform_nobias=not bias,
                                     offset_initialW=initializers.Normal(0.3),
                                     deform_initial_bias=initializers.Normal(1.0))
    x = chainer.Variable(rs.uniform(-1, 1, (1, 2, 5, 5)).astype(numpy.float16))
    y = link(x)
    assert y.dtype == numpy.float32 and y.shape == (1, 3, 3, 3)
    x64 = x.array.astype(numpy.float64)
    off = F.convolution_2d(x64, link.offset_conv.W.array.astype(numpy.float64), stride=2, pad=1)
    b = None if not bias else link.deform_conv.b.array.astype(numpy.float64)
    wide = F.deformable_convolution_2d_sampler(
        x64, off, link.deform_conv.W.array.astype(numpy.float64), b, stride=2, pad=1)
    numpy.testing.assert_allclose(y.array, wide.array, rtol=1e-2, atol=1e-2)
    F.sum(y * y).backward()
    assert x.grad.dtype == numpy.float16
    assert link.deform_conv.W.grad.dtype == numpy.float32


@pytest.mark.parametrize('shapes, expect', [
    (((1, 2, 4, 4), (2, 2, 2, 2, 3, 3, 1)), 'Expect: in_types[1].ndim == 6\nActual: 7 != 6'),
    (((1, 2, 4, 4), (2, 2, 2, 2, 3, 3), (2,)), 'Expect: in_types[2].ndim == 3\nActual: 1 != 3'),
    (((1, 3, 4, 4), (2, 2, 2, 2, 3, 3)),
     'Expect: in_types[0].shape[1] == in_types[1].shape[3]\nActual: 3 != 2'),
])
def test_local_convolution_2d_check_messages_are_chainers(shapes, expect):
    args = [numpy.zeros(s, numpy.float32) for s in shapes]
    with pytest.raises(type_check.InvalidType) as e:
        F.local_convolution_2d(*args)
    assert str(e.value) == ('\nInvalid operation is performed in: LocalConvolution2DFunction '
                            '(Forward)\n\n' + expect)


def test_depthwise_convolution_2d_check_names_chainers_node():
    with pytest.raises(type_check.InvalidType) as e:
        F.depthwise_convolution_2d(numpy.zeros((2, 5, 5), numpy.float32),
                                   numpy.zeros((2, 2, 3, 3), numpy.float32))
    assert str(e.value) == ('\nInvalid operation is performed in: Convolution2DFunction '
                            '(Forward)\n\nExpect: in_types[0].ndim == 4\nActual: 3 != 4')
    with pytest.raises(TypeError, match='in the forward input of Convolution2DFunction'):
        F.depthwise_convolution_2d('x', numpy.zeros((2, 2, 3, 3), numpy.float32))


def test_local_convolution_2d_of_none_is_chainers_attribute_error():
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'dtype'"):
        F.local_convolution_2d(None, numpy.zeros((2, 2, 2, 2, 3, 3), numpy.float32))


@pytest.mark.parametrize('with_b', [False, True])
def test_local_convolution_is_one_node_keeping_its_inputs(with_b):
    # As in Chainer, one LocalConvolution2DFunction node: the graph keeps x, W and
    # b, not the im2col columns (9x x here) of the composition.
    x = chainer.Variable(numpy.random.rand(2, 3, 5, 5).astype(numpy.float32))
    W = chainer.Variable(numpy.random.rand(4, 3, 3, 3, 3, 3).astype(numpy.float32))
    b = chainer.Variable(numpy.random.rand(4, 3, 3).astype(numpy.float32)) if with_b else None
    y = F.local_convolution_2d(x, W, b)
    node = y.creator
    assert type(node).__name__ == 'LocalConvolution2DFunction'
    assert [v.creator for v in node.inputs] == [None] * (3 if with_b else 2)
    expected = F.local_convolution_2d(x.array, W.array, None if b is None else b.array)
    numpy.testing.assert_array_equal(y.array, expected.array)
    F.sum(y * y).backward()
    assert x.grad is not None and W.grad is not None


@pytest.mark.parametrize('kwargs', [{'stride': 0}, {'stride': -1}, {'pad': -1}])
def test_deformable_refuses_bad_strides_and_pads(kwargs):
    # Chainer 7.8.1 divided by a zero stride and failed on negative ones; ours sampled
    # every output pixel at the origin for stride=0
    rng = numpy.random.RandomState(0)
    x, W = rng.randn(2, 3, 5, 5).astype('f'), rng.randn(4, 3, 3, 3).astype('f')
    with pytest.raises(ValueError):
        F.deformable_convolution_2d_sampler(x, rng.randn(2, 18, 3, 3).astype('f'), W, **kwargs)


@pytest.mark.parametrize('call', [
    # Chainer 7.8.1 raised ValueError for these (unpacking W.shape or offset.shape, its
    # own offset check, a reshape); ours are InvalidType and ValueError
    lambda r: F.depthwise_convolution_2d(r.randn(2, 3, 5, 5).astype('f'),
                                         r.randn(2, 3, 3).astype('f')),
    lambda r: F.deformable_convolution_2d_sampler(r.randn(2, 3, 5, 5).astype('f'),
                                                  r.randn(2, 18, 3).astype('f'),
                                                  r.randn(4, 3, 3, 3).astype('f')),
    lambda r: F.deformable_convolution_2d_sampler(r.randn(2, 3, 5, 5).astype('f'),
                                                  r.randn(2, 18, 3, 3).astype('f'),
                                                  r.randn(4, 3, 3, 4).astype('f')),
    lambda r: F.local_convolution_2d(r.randn(2, 3, 5, 5).astype('f'),
                                     r.randn(2, 3, 3, 3, 3, 4).astype('f')),
])
def test_shape_errors_are_also_value_errors(call):
    with pytest.raises(type_check.InvalidType) as e:
        call(numpy.random.RandomState(0))
    assert isinstance(e.value, ValueError)


def test_local_convolution_forward_and_gradient_are_one_node_each(monkeypatch):
    applied = applied_nodes(monkeypatch)
    x = chainer.Variable(numpy.random.rand(2, 3, 5, 5))
    W = chainer.Variable(numpy.random.rand(4, 2, 4, 3, 3, 2))
    b = chainer.Variable(numpy.random.rand(4, 2, 4))
    y = F.local_convolution_2d(x, W, b, stride=(2, 1))
    assert applied == ['LocalConvolution2DFunction']
    gx, gW = chainer.grad([y], [x, W], [chainer.Variable(numpy.ones(y.shape))],
                          enable_double_backprop=True)
    assert applied[1:] == ['_LocalConvolution2DGrad']
    assert gx.creator is gW.creator


def test_local_convolution_third_order():
    x = numpy.random.uniform(-1, 1, (2, 2, 4, 3))
    W = numpy.random.uniform(-1, 1, (2, 2, 1, 2, 3, 3))
    gy = numpy.random.randn(2, 2, 2, 1)

    def first(x, W, gy):
        y = F.local_convolution_2d(x, W)
        return chainer.grad([y * y], [x, W], [gy], enable_double_backprop=True)

    def randn(*arrays):
        return tuple(numpy.random.randn(*a.shape) for a in arrays)

    gradient_check.check_double_backward(
        first, (x, W, gy), randn(x, W), randn(x, W, gy), atol=1e-4, rtol=1e-3)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('stride', [1, 2])
def test_local_convolution_2d_input_gradient_bits(dtype, stride):
    # Chainer's order: each window's tensordot(gy, W) added into a zero gradient,
    # window after window (row by row), where the windows overlap
    rs = numpy.random.RandomState(0)
    x = chainer.Variable(rs.uniform(-1, 1, (2, 3, 7, 7)).astype(dtype))
    o = (7 - 3) // stride + 1
    W = rs.uniform(-1, 1, (2, o, o, 3, 3, 3)).astype(dtype)
    gy = rs.uniform(-1, 1, (2, 2, o, o)).astype(dtype)
    y = F.local_convolution_2d(x, W, stride=stride)
    gx, = chainer.grad([y], [x], grad_outputs=[gy])
    expected = numpy.zeros(x.shape, dtype)
    for i in range(o):
        for j in range(o):
            expected[:, :, i * stride:i * stride + 3, j * stride:j * stride + 3] += \
                numpy.tensordot(gy[:, :, i, j], W[:, i, j], axes=(1, 0))
    numpy.testing.assert_array_equal(gx.array, expected)
