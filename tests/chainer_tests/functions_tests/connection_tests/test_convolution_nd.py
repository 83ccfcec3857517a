import itertools
import re

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import gradient_check
from chainer import testing
from chainer.functions.connection import convolution_nd
from chainer.utils import type_check
from tests.chainer_tests.functions_tests.connection_tests import _conv_reference as ref

_backends = [{}, {'use_cuda': True}]


_CASES = [
    # x spatial shape, kernel, stride, pad, cover_all, dilate, groups
    dict(dims=(5, 4), k=(3, 2), s=(1, 1), p=(0, 0), cover_all=False, d=(1, 1), g=1),
    dict(dims=(6, 5), k=(2, 2), s=(3, 2), p=(1, 0), cover_all=False, d=(1, 1), g=2),
    dict(dims=(5, 6), k=(3, 3), s=(2, 2), p=(1, 1), cover_all=True, d=(1, 1), g=1),
    dict(dims=(7, 5), k=(2, 3), s=(1, 2), p=(2, 1), cover_all=False, d=(2, 1), g=1),
    dict(dims=(7,), k=(3,), s=(2,), p=(1,), cover_all=True, d=(2,), g=2),
    dict(dims=(3, 4, 3), k=(2, 2, 2), s=(1, 2, 1), p=(0, 1, 1), cover_all=False,
         d=(1, 1, 1), g=1),
]


class _ConvolutionCase:
    """x ``(2, 4, *dims)``, 6 output channels; subclasses give the weight layout and
    the functions."""

    def setUp(self):
        ref.set_tolerances(self, self.dtype)

    def generate_inputs(self):
        x = numpy.random.uniform(-1, 1, (2, 4) + self.dims).astype(self.dtype)
        W = numpy.random.uniform(-1, 1, self.w_shape + self.k).astype(self.dtype)
        if self.nobias:
            return x, W
        return x, W, numpy.random.uniform(-1, 1, 6).astype(self.dtype)

    def forward(self, inputs, device):
        x, W = inputs[:2]
        b = inputs[2] if len(inputs) == 3 else None
        return self.apply(x, W, b),

    def forward_expected(self, inputs):
        x, W = inputs[:2]
        b = inputs[2] if len(inputs) == 3 else None
        return self.reference(x, W, b).astype(self.dtype),


@testing.parameterize(*(
    [dict(c, dtype=numpy.float32, nobias=False) for c in _CASES]
    + [dict(_CASES[1], dtype=numpy.float16, nobias=True),
       dict(_CASES[2], dtype=numpy.float64, nobias=False),
       dict(_CASES[3], dtype=numpy.float16, nobias=False)]))
@testing.inject_backend_tests(None, _backends)
class TestConvolutionND(_ConvolutionCase, testing.FunctionTestCase):

    @property
    def w_shape(self):
        return (6, 4 // self.g)

    def apply(self, x, W, b):
        if len(self.dims) == 2:
            return F.convolution_2d(x, W, b, self.s, self.p, self.cover_all, dilate=self.d,
                                    groups=self.g)
        return F.convolution_nd(x, W, b, self.s, self.p, self.cover_all, self.d, self.g)

    def reference(self, x, W, b):
        return ref.convolution(x, W, b, self.s, self.p, self.cover_all, self.d, self.g)


@testing.parameterize(*(
    [dict(c, dtype=numpy.float32, nobias=False, outsize=None) for c in _CASES
     if not c['cover_all']]
    + [dict(_CASES[1], dtype=numpy.float16, nobias=True, outsize=None),
       dict(_CASES[0], dtype=numpy.float64, nobias=False, outsize=(7, 5)),
       dict(_CASES[1], dtype=numpy.float32, nobias=False, outsize=(17, 11))]))
@testing.inject_backend_tests(None, _backends)
class TestDeconvolutionND(_ConvolutionCase, testing.FunctionTestCase):

    @property
    def w_shape(self):
        return (4, 6 // self.g)

    def apply(self, x, W, b):
        if len(self.dims) == 2:
            return F.deconvolution_2d(x, W, b, self.s, self.p, self.outsize, dilate=self.d,
                                      groups=self.g)
        return F.deconvolution_nd(x, W, b, self.s, self.p, self.outsize, self.d, self.g)

    def reference(self, x, W, b):
        out_dims = self.outsize or tuple(
            (self.dims[i] - 1) * self.s[i] + (self.k[i] - 1) * self.d[i] + 1 - 2 * self.p[i]
            for i in range(len(self.dims)))
        return ref.deconvolution(x, W, b, self.s, self.p, out_dims, self.d, self.g)


@testing.parameterize(
    {'dtype': numpy.float32, 'stride': 1, 'pad': 0, 'mult': 2},
    {'dtype': numpy.float16, 'stride': 2, 'pad': 1, 'mult': 2},
    {'dtype': numpy.float64, 'stride': (1, 2), 'pad': (1, 0), 'mult': 2},
    # one filter per channel: the input gradient is a stack of outer products
    {'dtype': numpy.float64, 'stride': 1, 'pad': 1, 'mult': 1},
    {'dtype': numpy.float32, 'stride': 2, 'pad': 0, 'mult': 1},
)
@testing.inject_backend_tests(None, _backends)
class TestDepthwiseConvolution2D(testing.FunctionTestCase):

    def setUp(self):
        ref.set_tolerances(self, self.dtype)

    def generate_inputs(self):
        x = numpy.random.uniform(-1, 1, (2, 3, 5, 4)).astype(self.dtype)
        W = numpy.random.uniform(-1, 1, (self.mult, 3, 2, 3)).astype(self.dtype)
        b = numpy.random.uniform(-1, 1, 3 * self.mult).astype(self.dtype)
        return x, W, b

    def forward(self, inputs, device):
        return F.depthwise_convolution_2d(*inputs, stride=self.stride, pad=self.pad),

    def forward_expected(self, inputs):
        x, W, b = inputs
        s = self.stride if isinstance(self.stride, tuple) else (self.stride,) * 2
        p = self.pad if isinstance(self.pad, tuple) else (self.pad,) * 2
        ys = []
        for c in range(3):
            for m in range(self.mult):  # output channel c * multiplier + m
                ys.append(ref.convolution(x[:, c:c + 1], W[m:m + 1, c:c + 1], None, s, p))
        y = numpy.concatenate(ys, axis=1) + b.reshape(1, -1, 1, 1)
        return y.astype(self.dtype),


@testing.inject_backend_tests(None, _backends)
class TestDilatedConvolution2D(testing.FunctionTestCase):

    def setUp(self):
        ref.set_tolerances(self, numpy.float32)

    def generate_inputs(self):
        return (numpy.random.uniform(-1, 1, (2, 3, 7, 6)).astype('f'),
                numpy.random.uniform(-1, 1, (4, 3, 2, 3)).astype('f'))

    def forward(self, inputs, device):
        return F.dilated_convolution_2d(*inputs, stride=1, pad=1, dilate=2),

    def forward_expected(self, inputs):
        x, W = inputs
        return ref.convolution(x, W, None, (1, 1), (1, 1), False, (2, 2)).astype('f'),


def test_convolution_1d_3d_and_nd_agree():
    x = numpy.random.rand(2, 3, 5)
    W = numpy.random.rand(4, 3, 2)
    numpy.testing.assert_allclose(F.convolution_1d(x, W).array,
                                  F.convolution_nd(x, W).array)
    with pytest.raises(ValueError):
        F.convolution_1d(numpy.zeros((1, 3, 4, 4)), numpy.zeros((2, 3, 2, 2)))
    with pytest.raises(ValueError):
        F.deconvolution_3d(numpy.zeros((1, 3, 4, 4)), numpy.zeros((3, 2, 2, 2)))


def test_third_order_gradient_through_convolution():
    x = chainer.Variable(numpy.random.rand(1, 2, 4, 4))
    W = chainer.Variable(numpy.random.rand(3, 2, 2, 2))
    y = F.sum(F.convolution_2d(x, W) ** 3)
    gx, = chainer.grad([y], [x], enable_double_backprop=True)
    ggx, = chainer.grad([F.sum(gx * gx)], [W], enable_double_backprop=True)
    gggx, = chainer.grad([F.sum(ggx)], [x])
    assert gggx.shape == x.shape and numpy.isfinite(gggx.array).all()


def test_mixed_dtypes_keep_input_dtypes():
    x = chainer.Variable(numpy.random.rand(1, 2, 4, 4).astype(numpy.float32))
    W = chainer.Variable(numpy.random.rand(3, 2, 2, 2))
    y = F.convolution_2d(x, W)
    assert y.dtype == numpy.float32
    F.sum(y).backward()
    assert x.grad.dtype == numpy.float32 and W.grad.dtype == numpy.float64


def test_cudnn_configs_accepted():
    x = numpy.random.rand(1, 2, 4, 4).astype('f')
    W = numpy.random.rand(3, 2, 2, 2).astype('f')
    with chainer.using_config('use_cudnn', 'always'), \
            chainer.using_config('cudnn_deterministic', True):
        y = F.convolution_2d(x, W)
    numpy.testing.assert_allclose(y.array, F.convolution_2d(x, W).array)
    with pytest.raises(ValueError):
        F.convolution_2d(x, W, deterministic=True)
    with pytest.raises(TypeError):
        F.convolution_2d(x, W, foo=1)


def test_cudnn_fast_refused_without_cudnn():
    # Chainer raised RuntimeError in forward wherever cuDNN did not run; rechainer
    # has none. Only F.convolution_2d and its node take the argument.
    from chainer.functions.connection import convolution_2d as c2
    x = numpy.ones((1, 3, 4, 4), 'f')
    W = numpy.ones((2, 3, 2, 2), 'f')
    with pytest.raises(RuntimeError, match='cudnn_fast'):
        F.convolution_2d(x, W, cudnn_fast=True)
    with pytest.raises(RuntimeError, match='cudnn_fast'):
        c2.Convolution2DFunction(cudnn_fast=True).apply((x, W))
    assert F.convolution_2d(x, W, cudnn_fast=False).shape == (1, 2, 3, 3)
    Wd = numpy.ones((3, 2, 2, 2), 'f')
    for call in [lambda: F.deconvolution_2d(x, Wd, cudnn_fast=True),
                 lambda: chainer.links.Convolution2D(3, 2, 2, cudnn_fast=True),
                 lambda: chainer.links.Deconvolution2D(3, 2, 2, cudnn_fast=False)]:
        with pytest.raises(TypeError):
            call()


def test_requires_x_grad_removed_from_the_nodes():
    # The nodes say the argument was removed (ValueError); the functions never took it.
    from chainer.functions.connection import convolution_2d as c2
    from chainer.functions.connection import deconvolution_2d as d2
    for node in (c2.Convolution2DFunction, d2.Deconvolution2DFunction):
        with pytest.raises(ValueError, match='requires_x_grad'):
            node(requires_x_grad=True)
    x = numpy.ones((1, 3, 4, 4), 'f')
    with pytest.raises(TypeError):
        F.convolution_2d(x, numpy.ones((2, 3, 2, 2), 'f'), requires_x_grad=False)


def test_unknown_keywords_name_the_function_called():
    # As Chainer's message: the public function or method, not a helper.
    x = numpy.zeros((1, 1, 4, 4), 'f')
    W = numpy.zeros((1, 1, 2, 2), 'f')
    for call, name in [(lambda: F.convolution_2d(x, W, foo=1), 'convolution_2d'),
                       (lambda: F.deconvolution_2d(x, W, foo=1), 'deconvolution_2d'),
                       (lambda: chainer.links.Convolution2D(1, 1, 2, foo=1), '__init__'),
                       (lambda: chainer.links.Deconvolution2D(1, 1, 2, foo=1), '__init__')]:
        message = rf"^{name}\(\) got unexpected keyword argument\(s\) 'foo'$"
        with pytest.raises(TypeError, match=message):
            call()


@pytest.mark.parametrize('x_shape,W_shape,kwargs', [
    ((1, 3, 4, 4), (2, 2, 2, 2), {}),                     # channel mismatch
    ((1, 3, 4), (2, 3, 2, 2), {}),                        # x is not 4-d
    ((1, 4, 4, 4), (3, 2, 2, 2), {'groups': 2}),          # out_c not divisible by groups
    ((1, 3, 2, 2), (2, 3, 3, 3), {}),                     # kernel larger than input
])
def test_convolution_bad_inputs(x_shape, W_shape, kwargs):
    with pytest.raises(type_check.InvalidType):
        F.convolution_2d(numpy.zeros(x_shape, 'f'), numpy.zeros(W_shape, 'f'), **kwargs)


def test_convolution_bad_dtype_and_args():
    x = numpy.zeros((1, 3, 4, 4), 'f')
    with pytest.raises(type_check.InvalidType):
        F.convolution_2d(x.astype('i'), numpy.zeros((2, 3, 2, 2), 'f'))
    with pytest.raises(type_check.InvalidType):
        F.convolution_2d(x, numpy.zeros((2, 3, 2, 2), 'f'), numpy.zeros(3, 'f'))
    with pytest.raises(ValueError):
        F.convolution_2d(x, numpy.zeros((2, 3, 2, 2), 'f'), stride=0)
    with pytest.raises(ValueError):
        F.convolution_2d(x, numpy.zeros((2, 3, 2, 2), 'f'), pad=-1)


def test_deconvolution_bad_inputs():
    with pytest.raises(type_check.InvalidType):
        F.deconvolution_2d(numpy.zeros((1, 3, 4, 4), 'f'), numpy.zeros((2, 3, 2, 2), 'f'))
    with pytest.raises(type_check.InvalidType):   # outsize inconsistent with the input
        F.deconvolution_2d(numpy.zeros((1, 3, 4, 4), 'f'), numpy.zeros((3, 2, 2, 2), 'f'),
                           outsize=(9, 9))
    with pytest.raises(type_check.InvalidType):
        F.depthwise_convolution_2d(numpy.zeros((1, 3, 4, 4), 'f'),
                                   numpy.zeros((2, 2, 2, 2), 'f'))


@pytest.mark.parametrize('call, also', [
    # Chainer 7.8.1's N-d functions raised TypeError ("The number of groups must be a
    # divisor ...") for a groups not dividing the channels; its 2-d deconvolution failed
    # in NumPy's reshape (ValueError), its 2-d convolution in its type check
    (lambda: F.convolution_1d(numpy.zeros((2, 3, 8), 'f'), numpy.zeros((4, 3, 3), 'f'),
                              groups=2), TypeError),
    (lambda: F.convolution_1d(numpy.zeros((2, 4, 8), 'f'), numpy.zeros((5, 2, 3), 'f'),
                              groups=2), TypeError),
    (lambda: F.convolution_3d(numpy.zeros((1, 3, 4, 4, 4), 'f'),
                              numpy.zeros((4, 3, 3, 3, 3), 'f'), groups=2), TypeError),
    (lambda: F.deconvolution_1d(numpy.zeros((2, 3, 8), 'f'), numpy.zeros((3, 4, 3), 'f'),
                                groups=2), TypeError),
    (lambda: F.deconvolution_3d(numpy.zeros((1, 3, 4, 4, 4), 'f'),
                                numpy.zeros((3, 4, 3, 3, 3), 'f'), groups=2), TypeError),
    (lambda: F.deconvolution_2d(numpy.zeros((2, 3, 6, 6), 'f'), numpy.zeros((3, 4, 3, 3), 'f'),
                                groups=2), ValueError),
    (lambda: F.convolution_1d(numpy.zeros((2, 4, 8), 'f'), numpy.zeros((4, 3, 3), 'f'),
                              groups=2), ValueError),
])
def test_groups_not_dividing_the_channels_raise_chainers_class(call, also):
    with pytest.raises(type_check.InvalidType) as e:
        call()
    assert isinstance(e.value, also)


def test_convolution_2d_groups_message_as_in_chainer():
    with pytest.raises(type_check.InvalidType) as e:
        F.convolution_2d(numpy.zeros((2, 3, 6, 6), 'f'), numpy.zeros((4, 3, 3, 3), 'f'), groups=2)
    assert type(e.value) is type_check.InvalidType
    assert str(e.value).endswith(
        'Expect: in_types[0].shape[1] == in_types[1].shape[1] * 2\nActual: 3 != 6')


def test_deconvolution_outsize_with_none_axes():
    # An axis of outsize given as None takes the default size, so (None, None) is the
    # same as no outsize (Deconvolution2D stores that when built without outsize).
    rng = numpy.random.RandomState(0)
    x = rng.randn(1, 3, 4, 4).astype('f')
    W = rng.randn(3, 2, 3, 3).astype('f')
    y = F.deconvolution_2d(x, W, stride=2)
    assert y.shape == (1, 2, 9, 9)
    numpy.testing.assert_array_equal(
        F.deconvolution_2d(x, W, stride=2, outsize=(None, None)).array, y.array)
    y2 = F.deconvolution_2d(x, W, stride=2, outsize=(None, 10))
    assert y2.shape == (1, 2, 9, 10)
    numpy.testing.assert_array_equal(y2.array[:, :, :, :9], y.array)
    with pytest.raises(type_check.InvalidType):
        F.deconvolution_2d(x, W, stride=2, outsize=(None, 12))


def test_zero_batch():
    y = F.convolution_2d(numpy.zeros((0, 2, 4, 4), 'f'), numpy.ones((3, 2, 2, 2), 'f'))
    assert y.shape == (0, 3, 3, 3)


def test_exported_modules():
    from chainer.functions.connection import convolution_2d, deconvolution_2d
    assert F.convolution_2d is convolution_2d.convolution_2d
    assert F.deconvolution_2d is deconvolution_2d.deconvolution_2d
    assert issubclass(convolution_2d.Convolution2DFunction, chainer.FunctionNode)


@pytest.mark.gpu
def test_gpu_matches_cpu():
    cupy = pytest.importorskip('cupy')
    x = numpy.random.rand(2, 4, 7, 6).astype('f')
    W = numpy.random.rand(6, 2, 3, 2).astype('f')
    kw = dict(stride=(2, 1), pad=1, dilate=(1, 2), groups=2)
    xg, Wg = chainer.Variable(cupy.asarray(x)), chainer.Variable(cupy.asarray(W))
    xc, Wc = chainer.Variable(x), chainer.Variable(W)
    yg = F.convolution_2d(xg, Wg, **kw)
    yc = F.convolution_2d(xc, Wc, **kw)
    numpy.testing.assert_allclose(cupy.asnumpy(yg.array), yc.array, rtol=1e-4, atol=1e-5)
    F.sum(yg * yg).backward()
    F.sum(yc * yc).backward()
    numpy.testing.assert_allclose(cupy.asnumpy(xg.grad), xc.grad, rtol=1e-4, atol=1e-4)
    numpy.testing.assert_allclose(cupy.asnumpy(Wg.grad), Wc.grad, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize('pad', [0, 1])
def test_large_convolution_and_deconvolution_match_unblocked_transposes(monkeypatch, pad):
    # Outputs of 16K+ elements go back to batch-first order block by block; the
    # values are those of NumPy's own transposing copy.
    from chainer.utils import array as array_utils
    rng = numpy.random.RandomState(9)
    x = rng.uniform(-1, 1, (8, 3, 20, 20)).astype(numpy.float32)
    W = rng.uniform(-1, 1, (16, 3, 3, 3)).astype(numpy.float32)
    Wd = rng.uniform(-1, 1, (16, 3, 3, 3)).astype(numpy.float32)

    def run():
        xv, Wv, Wdv = (chainer.Variable(a) for a in (x, W, Wd))
        y = F.convolution_2d(xv, Wv, pad=pad)
        z = F.deconvolution_2d(y, Wdv, pad=pad)
        F.sum(z * z).backward()
        return [v.array for v in (y, z)] + [v.grad for v in (xv, Wv, Wdv)]

    blocked = run()
    monkeypatch.setattr(array_utils, '_TRANSPOSE_BLOCK', 1 << 40)
    for a, b in zip(blocked, run()):
        numpy.testing.assert_array_equal(a, b)
    assert blocked[0].size >= 1 << 14


@pytest.mark.parametrize('transposed', [False, True])
def test_nd_bias_of_another_dtype_is_cast_like_w(transposed):
    # Chainer's N-D (de)convolutions took a float32 link's W and b with float64 x;
    # its 2-D ones, and ours, refuse a bias of another dtype there.
    x = chainer.Variable(numpy.random.uniform(-1, 1, (2, 3, 5)))
    W = chainer.Variable(numpy.random.uniform(-1, 1, (3, 4, 3) if transposed else (4, 3, 3))
                         .astype(numpy.float32))
    b = chainer.Variable(numpy.random.uniform(-1, 1, 4).astype(numpy.float32))
    f = F.deconvolution_nd if transposed else F.convolution_nd
    y = f(x, W, b)
    assert y.dtype == numpy.float64
    y_ref = f(x, W.array.astype(numpy.float64), b.array.astype(numpy.float64))
    numpy.testing.assert_allclose(y.array, y_ref.array, rtol=1e-6)
    y.grad = numpy.ones_like(y.array)
    y.backward()
    assert b.grad.dtype == numpy.float32 and W.grad.dtype == numpy.float32
    numpy.testing.assert_allclose(b.grad, y.array.shape[0] * y.array.shape[2], rtol=1e-6)
    x4 = numpy.ones((1, 3, 4, 4))
    f2 = F.deconvolution_2d if transposed else F.convolution_2d
    with pytest.raises(type_check.InvalidType):
        f2(x4, numpy.ones((3, 4, 2, 2) if transposed else (4, 3, 2, 2)),
           numpy.ones(4, numpy.float32))


@pytest.mark.parametrize('case', [c for c in _CASES if c['g'] == 1])
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float64])
def test_channel_last_deconvolution_matches_batch_last(monkeypatch, case, dtype):
    # Large input gradients and deconvolutions build their patch matrix channel
    # last on NumPy; the values are those of the batch-last path.
    from chainer.functions.connection import convolution_nd as conv_mod
    rng = numpy.random.RandomState(4)
    nd = len(case['dims'])
    x = rng.uniform(-1, 1, (3, 4) + case['dims']).astype(dtype)
    W = rng.uniform(-1, 1, (5, 4) + case['k']).astype(dtype)
    kw = dict(stride=case['s'], pad=case['p'], dilate=case['d'])
    calls = []
    channel_last = conv_mod._deconv_channel_last

    def spy(*args):
        calls.append(args)
        return channel_last(*args)

    monkeypatch.setattr(conv_mod, '_deconv_channel_last', spy)

    def run():
        xv, Wv, Wdv = chainer.Variable(x), chainer.Variable(W), chainer.Variable(W)
        y = F.convolution_nd(xv, Wv, cover_all=case['cover_all'], **kw)
        z = F.deconvolution_nd(y, Wdv, outsize=case['dims'], **kw)
        gz = rng.uniform(-1, 1, z.shape).astype(dtype)
        F.sum(z * gz).backward()
        return [v.array for v in (y, z)] + [v.grad for v in (xv, Wv, Wdv)]

    monkeypatch.setattr(conv_mod, '_CHANNEL_LAST_MIN', 1 << 62)
    rng.seed(5)
    expected = run()
    assert not calls
    monkeypatch.setattr(conv_mod, '_CHANNEL_LAST_MIN', 0)
    rng.seed(5)
    got = run()
    assert len(calls) == 2 and len(calls[0]) == 6 and nd == len(calls[0][-1])
    tol = 1e-2 if dtype == numpy.float16 else 1e-12
    for a, b in zip(expected, got):
        assert a.dtype == b.dtype and a.shape == b.shape
        numpy.testing.assert_allclose(b, a, rtol=tol, atol=tol)


def test_channel_last_deconvolution_of_empty_batch(monkeypatch):
    from chainer.functions.connection import convolution_nd as conv_mod
    monkeypatch.setattr(conv_mod, '_CHANNEL_LAST_MIN', 0)
    x = numpy.zeros((0, 2, 3, 3), numpy.float32)
    W = numpy.ones((2, 3, 2, 2), numpy.float32)
    y = F.deconvolution_2d(x, W, stride=2)
    assert y.shape == (0, 3, 6, 6) and y.dtype == numpy.float32


def test_output_size_below_one_is_also_chainers_error_type():
    # Chainer asserted a positive output size (RuntimeError in the 2-d deconvolution).
    x = numpy.ones((1, 1, 1, 1), numpy.float32)
    W = numpy.ones((1, 1, 3, 3), numpy.float32)
    for call in (lambda: F.convolution_2d(x, W),
                 lambda: F.convolution_nd(x, W),
                 lambda: F.depthwise_convolution_2d(x, W),
                 lambda: F.dilated_convolution_2d(x, W)):
        with pytest.raises(type_check.InvalidType):
            call()
        with pytest.raises(AssertionError):
            call()
    W1 = numpy.ones((1, 1, 1, 1), numpy.float32)
    with pytest.raises(RuntimeError):
        F.deconvolution_2d(x, W1, pad=1)
    with pytest.raises(AssertionError):
        F.deconvolution_nd(x, W1, pad=1)


def test_output_size_below_one_is_an_error_with_type_checks_off():
    # Chainer's forward asserted a positive output size even with type checks off;
    # an empty or negative output size is never computed.
    x = numpy.ones((1, 1, 1, 1), numpy.float32)
    W1 = numpy.ones((1, 1, 1, 1), numpy.float32)
    W3 = numpy.ones((1, 1, 3, 3), numpy.float32)
    with chainer.using_config('type_check', False):
        with pytest.raises(RuntimeError):
            F.deconvolution_2d(x, W1, pad=1)
        for call in (lambda: F.deconvolution_nd(x, W1, pad=1),
                     lambda: F.deconvolution_nd(x[..., 0], W1[..., 0], pad=(5,)),
                     lambda: F.convolution_2d(x, W3),
                     lambda: F.convolution_nd(x, W3)):
            with pytest.raises(AssertionError):
                call()
        assert F.deconvolution_nd(x, W1, outsize=(1, 1)).shape == (1, 1, 1, 1)


def test_deconvolution_to_a_given_outsize_of_zero_is_empty():
    # An outsize of 0 that Chainer's check of the input length let through: Chainer
    # computed an empty output (only a default size below one was its error).
    x = numpy.arange(24.).reshape(2, 6, 2)
    W = numpy.ones((6, 2, 1))
    b = numpy.ones(6)
    xv, Wv, bv = chainer.Variable(x), chainer.Variable(W), chainer.Variable(b)
    y = F.deconvolution_nd(xv, Wv, bv, pad=1, outsize=(0,), groups=3)
    assert y.shape == (2, 6, 0)
    gy = chainer.Variable(numpy.ones(y.shape))
    gx, gW, gb = chainer.grad([y], [xv, Wv, bv], [gy], enable_double_backprop=True)
    assert (gx.shape, gW.shape, gb.shape) == (x.shape, W.shape, b.shape)
    assert not gx.array.any() and not gW.array.any() and not gb.array.any()
    ggy, = chainer.grad([F.sum(gx) + F.sum(gW)], [gy])
    assert ggy.shape == (2, 6, 0)
    y2 = F.deconvolution_2d(numpy.ones((1, 6, 2, 3)), numpy.ones((6, 2, 3, 1)), pad=(2, 0),
                            outsize=(0, 3))
    assert y2.shape == (1, 2, 0, 3)
    with pytest.raises(AssertionError):  # the default size, 0
        F.deconvolution_nd(x, W, pad=1, groups=3)


def test_channel_and_bias_mismatch_are_also_value_errors():
    # Chainer's N-d forms failed in NumPy with a ValueError.
    x = numpy.ones((1, 3, 4), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        F.convolution_1d(x, numpy.ones((2, 2, 3), numpy.float32))
    with pytest.raises(ValueError):
        F.convolution_nd(x, numpy.ones((2, 2, 3), numpy.float32))
    with pytest.raises(ValueError):
        F.deconvolution_nd(x, numpy.ones((3, 2, 3), numpy.float32),
                           numpy.ones(4, numpy.float32))


@pytest.mark.parametrize('stride,pad', [(1, 1), (2, 0)])
def test_deconvolution_weight_gradients_with_a_constant_input(stride, pad):
    # A first deconvolution layer takes an input that needs no gradient; Chainer 7.8.1
    # failed there in backward (it unpacked the weight's shape from the wrong argument).
    rng = numpy.random.RandomState(0)
    x = rng.randn(2, 3, 4, 4)
    W = rng.randn(3, 2, 3, 3)
    b = rng.randn(2)
    gy = rng.randn(*F.deconvolution_2d(x, W, b, stride, pad).shape)
    gradient_check.check_backward(
        lambda W, b: F.deconvolution_2d(x, W, b, stride, pad), (W, b), gy,
        eps=1e-3, atol=1e-5, rtol=1e-5)
    link = chainer.links.Deconvolution2D(3, 2, 3, stride, pad)
    y = link(x.astype('f'))
    F.sum(y * y).backward()
    assert link.W.grad.shape == (3, 2, 3, 3) and link.b.grad.shape == (2,)


@pytest.mark.parametrize('n, c, dims, pad', [
    (2, 3, (9, 8), (1, 2)),   # more pixels than (batch, channel) lanes: blocked transpose
    (4, 6, (3, 2), (1, 0)),   # fewer: NumPy's transposing copy
    (2, 2, (7,), (0,)),
])
def test_channel_last_deconvolution_either_final_copy(n, c, dims, pad):
    from chainer.functions.connection import convolution_nd as conv_mod
    rng = numpy.random.RandomState(6)
    nd = len(dims)
    ones = (1,) * nd
    W = rng.uniform(-1, 1, (5, c) + (3,) * nd)
    out_dims = tuple(d + 2 * p - 2 for d, p in zip(dims, pad))
    x = rng.uniform(-1, 1, (n, 5) + out_dims)
    y = conv_mod._deconv_channel_last(x, W, ones, pad, ones, dims)
    assert y.shape == (n, c) + dims and y.flags.c_contiguous
    expected = F.deconvolution_nd(x, W, stride=1, pad=pad, outsize=dims).array
    numpy.testing.assert_allclose(y, expected, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize('fn, n, wshape', [(F.convolution_1d, 1, (2, 3, 2)),
                                           (F.convolution_3d, 3, (2, 3, 2, 2, 2)),
                                           (F.deconvolution_1d, 1, (3, 2, 2)),
                                           (F.deconvolution_3d, 3, (3, 2, 2, 2, 2))])
def test_wrong_spatial_ndim_message(fn, n, wshape):
    # Chainer's wording, the same as the 1-D/3-D poolings give.
    x = numpy.ones((2, 3, 4, 5), numpy.float32)
    msg = f"input 'x' should be {n}. But the actual ndim was 2."
    with pytest.raises(ValueError, match=re.escape(msg)):
        fn(x, numpy.ones(wshape, numpy.float32))


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('fn,x_shape,W_shape,b_shape,kw', [
    # no output channels, as in Chainer (an empty output of the right shape)
    (F.convolution_2d, (2, 2, 3, 3), (0, 2, 2, 2), (0,), {}),
    (F.convolution_2d, (2, 4, 3, 3), (0, 2, 2, 2), None, {'groups': 2}),
    (F.convolution_1d, (2, 2, 4), (0, 2, 2), None, {'stride': 2}),
    (F.deconvolution_2d, (2, 2, 3, 3), (2, 0, 2, 2), (0,), {}),
    (F.depthwise_convolution_2d, (2, 2, 3, 3), (0, 2, 2, 2), None, {}),
    # no input channels: the output is the bias
    (F.convolution_2d, (2, 0, 3, 3), (3, 0, 2, 2), (3,), {}),
    (F.deconvolution_2d, (2, 0, 3, 3), (0, 3, 2, 2), (3,), {'stride': 2}),
    (F.deconvolution_nd, (2, 0, 3), (0, 3, 2), (3,), {}),
])
def test_zero_channels(dtype, fn, x_shape, W_shape, b_shape, kw):
    rng = numpy.random.RandomState(0)
    args = [rng.uniform(-1, 1, s).astype(dtype)
            for s in (x_shape, W_shape) + ((b_shape,) if b_shape else ())]

    def f(*a):
        return fn(*a, **kw)

    y = f(*args)
    assert y.dtype == dtype and y.shape[0] == 2
    if x_shape[1]:
        assert y.shape[1] == 0
    else:
        numpy.testing.assert_array_equal(
            y.array, numpy.broadcast_to(args[2].reshape(1, -1, *[1] * (y.ndim - 2)), y.shape))
    gy = rng.uniform(-1, 1, y.shape).astype(dtype)
    ggs = [rng.uniform(-1, 1, a.shape).astype(dtype) for a in args]
    opts = {'atol': 5e-2, 'rtol': 5e-2} if dtype == numpy.float16 else {}
    gradient_check.check_backward(f, tuple(args), gy, dtype=numpy.float64, **opts)
    gradient_check.check_double_backward(f, tuple(args), gy, tuple(ggs), dtype=numpy.float64,
                                         **opts)


def _answers_of(monkeypatch, name: str) -> list:
    """Wraps the route selector ``convolution_nd.<name>`` and returns the list of
    what it answers, call by call."""
    from chainer.functions.connection import convolution_nd as conv_mod
    answers = []
    original = getattr(conv_mod, name)

    def spy(*args):
        answers.append(original(*args))
        return answers[-1]

    monkeypatch.setattr(conv_mod, name, spy)
    return answers


def _assert_same_to_rounding(got, expected, dtype):
    """Two routes' results agree in dtype and shape, and in value to ``dtype``'s
    rounding, relative to the array's largest magnitude (an entry that is a small
    difference of large products, as second gradients hold, keeps the products'
    absolute error: the BLAS kernels of some CPUs round the two routes apart)."""
    tol = 2e-2 if dtype == numpy.float16 else 1e-5 if dtype == numpy.float32 else 1e-12
    for a, e in zip(got, expected, strict=True):
        assert a.dtype == e.dtype == dtype and a.shape == e.shape
        scale = max(1.0, float(numpy.abs(e).max())) if e.size else 1.0
        numpy.testing.assert_allclose(a, e, rtol=tol, atol=tol * scale)


# x spatial shape, deconvolution input / output channels, kernel, pad, dilate, groups
_FLIPPED_CASES = [
    ((6, 5), 4, 4, (3, 3), (1, 1), (1, 1), 1),
    ((7, 6), 4, 6, (3, 2), (2, 1), (2, 1), 2),
    ((5, 7), 6, 6, (3, 3), (1, 2), (1, 1), 3),
    ((9,), 3, 5, (5,), (2,), (1,), 1),
    ((4, 3, 4), 2, 2, (3, 3, 1), (1, 1, 0), (1, 1, 1), 1),
]


@pytest.mark.parametrize('case', _FLIPPED_CASES)
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_stride_one_deconvolution_as_flipped_convolution(monkeypatch, case, dtype):
    # A deconvolution of stride 1 with no more output than input pixels and at least
    # as many output as input channels (the input gradient of a "same" convolution)
    # runs as the convolution with the flipped filters on NumPy; values, gradients
    # and second gradients are those of the patch-matrix-and-col2im route.
    from chainer.functions.connection import convolution_nd as conv_mod
    dims, in_c, out_c, k, pad, dilate, groups = case
    rng = numpy.random.RandomState(3)
    x = rng.uniform(-1, 1, (3, in_c) + dims).astype(dtype)
    W = rng.uniform(-1, 1, (in_c, out_c // groups) + k).astype(dtype)
    b = rng.uniform(-1, 1, out_c).astype(dtype)
    kw = dict(stride=1, pad=pad, dilate=dilate, groups=groups)

    def run():
        xv, Wv, bv = (chainer.Variable(a) for a in (x, W, b))
        y = F.deconvolution_nd(xv, Wv, bv, **kw)
        gy = numpy.random.RandomState(4).uniform(-1, 1, y.shape).astype(dtype)
        gx, gW = chainer.grad([y], [xv, Wv], [chainer.Variable(gy)],
                              enable_double_backprop=True)
        F.sum(gx * gx).backward()
        return [y.array, gx.array, gW.array, Wv.grad]

    calls = _answers_of(monkeypatch, '_flipped_conv_pad')
    got = run()
    assert calls[0] is not None
    monkeypatch.setattr(conv_mod, '_flipped_conv_pad', lambda *args: None)
    expected = run()
    _assert_same_to_rounding(got, expected, dtype)


@pytest.mark.parametrize('x_shape, W_shape, kw', [
    ((2, 4, 5, 5), (4, 4, 3, 3), dict(stride=2, pad=1)),   # stride 2
    ((2, 6, 5, 5), (6, 3, 3, 3), dict(pad=1)),             # fewer output channels
    ((2, 4, 5, 5), (4, 4, 3, 3), dict(pad=0)),             # more output pixels
    ((2, 4, 5, 5), (4, 4, 3, 3), dict(pad=3)),             # a negative padding
])
def test_deconvolutions_not_run_as_flipped_convolutions(monkeypatch, x_shape, W_shape, kw):
    calls = _answers_of(monkeypatch, '_flipped_conv_pad')
    x = numpy.ones(x_shape, numpy.float32)
    F.deconvolution_2d(x, numpy.ones(W_shape, numpy.float32), **kw)
    assert calls == [None]


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('kw', [dict(pad=1), dict(stride=(2, 1), pad=(1, 2), dilate=(1, 2)),
                                dict(pad=0, cover_all=True, stride=2)])
def test_patch_matrix_in_pieces(monkeypatch, dtype, kw):
    # A large patch matrix is built and multiplied a few output rows at a time:
    # the forward values are those of the whole product, the weight gradient (summed
    # in pieces) and the input gradient agree to rounding.
    from chainer.functions.connection import convolution_nd as conv_mod
    rng = numpy.random.RandomState(6)
    x = rng.uniform(-1, 1, (3, 5, 9, 8)).astype(dtype)
    W = rng.uniform(-1, 1, (6, 5, 3, 3)).astype(dtype)
    b = rng.uniform(-1, 1, 6).astype(dtype)
    pieces = _answers_of(monkeypatch, '_patch_pieces')

    def run():
        xv, Wv, bv = (chainer.Variable(a) for a in (x, W, b))
        y = F.convolution_2d(xv, Wv, bv, **kw)
        gy = numpy.random.RandomState(7).uniform(-1, 1, y.shape).astype(dtype)
        y.grad = gy
        y.backward()
        return [y.array, xv.grad, Wv.grad, bv.grad]

    expected = run()
    assert set(pieces) == {None}
    monkeypatch.setattr(conv_mod, '_PATCH_PIECES_MIN', 0)
    monkeypatch.setattr(conv_mod, '_PATCH_PIECE', 1)
    monkeypatch.setattr(conv_mod, '_HALF_PATCH_PIECE', 1)  # float16's, in float32
    pieces.clear()
    got = run()
    assert 1 in pieces
    _assert_same_to_rounding(got, expected, dtype)


@pytest.mark.parametrize('x_shape, W_shape, kw', [
    ((3, 4, 11), (5, 4, 3), dict(stride=2, pad=1)),
    ((2, 3, 5, 6, 7), (4, 3, 2, 3, 2), dict(stride=(1, 2, 1), pad=(1, 0, 1), dilate=(2, 1, 1))),
])
def test_patch_matrix_in_pieces_nd(monkeypatch, x_shape, W_shape, kw):
    from chainer.functions.connection import convolution_nd as conv_mod
    rng = numpy.random.RandomState(8)
    x, W = rng.uniform(-1, 1, x_shape), rng.uniform(-1, 1, W_shape)

    def run():
        xv, Wv = chainer.Variable(x), chainer.Variable(W)
        y = F.convolution_nd(xv, Wv, **kw)
        y.grad = numpy.random.RandomState(9).uniform(-1, 1, y.shape)
        y.backward()
        return [y.array, xv.grad, Wv.grad]

    expected = run()
    monkeypatch.setattr(conv_mod, '_PATCH_PIECES_MIN', 0)
    monkeypatch.setattr(conv_mod, '_PATCH_PIECE', 1)
    for a, e in zip(run(), expected):
        numpy.testing.assert_allclose(a, e, rtol=1e-12, atol=1e-12)


# -- Winograd F(2x2, 3x3) (NumPy, 3x3 filters, stride 1) ---------------------------

def _winograd(monkeypatch, on: bool):
    """Forces the Winograd path on (from one channel and tile) or off."""
    from chainer.functions.connection import convolution_nd as conv_mod
    least = 1 if on else 1 << 30
    monkeypatch.setattr(conv_mod, '_WINOGRAD_MIN_CHANNELS', least)
    monkeypatch.setattr(conv_mod, '_WINOGRAD_GRAD_WEIGHT_MIN_CHANNELS', least)
    monkeypatch.setattr(conv_mod, '_WINOGRAD_MIN_TILES', 1)


def _winograd_calls(monkeypatch):
    """Counts the calls of the Winograd forward and weight gradient."""
    from chainer.functions.connection import convolution_nd as conv_mod
    calls = {'conv': 0, 'grad_weight': 0}
    for name in calls:
        original = getattr(conv_mod, f'_winograd_{name}')

        def spy(*args, _original=original, _name=name):
            calls[_name] += 1
            return _original(*args)

        monkeypatch.setattr(conv_mod, f'_winograd_{name}', spy)
    return calls


def _conv_and_grads(x, W, gy, pad, transposed=False):
    xv, Wv = chainer.Variable(x), chainer.Variable(W)
    fn = F.deconvolution_2d if transposed else F.convolution_2d
    y = fn(xv, Wv, pad=pad)
    y.grad = gy
    y.backward()
    return [y.array, xv.grad, Wv.grad]


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('n, c, k, dims, pad', [
    (2, 3, 4, (5, 7), 1),     # odd sizes: a half tile row and column
    (1, 1, 2, (6, 6), 0),
    (3, 2, 1, (4, 5), 2),
    (2, 5, 3, (1, 1), 1),     # one pixel
    (1, 4, 4, (3, 3), (0, 2)),
    (2, 4, 64, (16, 16), 1),  # even outputs of 16384 values a sample: the blocked copy
])
@pytest.mark.parametrize('transposed', [False, True])
def test_winograd_matches_patch_matrix(monkeypatch, dtype, n, c, k, dims, pad, transposed):
    # The forward, the input gradient and the weight gradient through Winograd agree
    # with the patch-matrix route to rounding.
    if transposed and max(numpy.atleast_1d(pad)) > 1 and min(dims) < 2:
        pytest.skip('no output')
    rng = numpy.random.RandomState(10)
    x = rng.uniform(-1, 1, (n, c) + dims).astype(dtype)
    W = rng.uniform(-1, 1, (c, k, 3, 3) if transposed else (k, c, 3, 3)).astype(dtype)
    calls = _winograd_calls(monkeypatch)
    _winograd(monkeypatch, False)
    xv = chainer.Variable(x)
    fn = F.deconvolution_2d if transposed else F.convolution_2d
    gy = rng.uniform(-1, 1, fn(xv, W, pad=pad).shape).astype(dtype)
    expected = _conv_and_grads(x, W, gy, pad, transposed)
    assert calls == {'conv': 0, 'grad_weight': 0}
    _winograd(monkeypatch, True)
    got = _conv_and_grads(x, W, gy, pad, transposed)
    # forward and input gradient (one of them the flipped convolution), weight gradient
    assert calls == {'conv': 2, 'grad_weight': 1}
    _assert_same_to_rounding(got, expected, dtype)


def test_winograd_of_an_empty_batch(monkeypatch):
    _winograd(monkeypatch, True)
    calls = _winograd_calls(monkeypatch)
    x = numpy.zeros((0, 3, 5, 5), numpy.float32)
    W = numpy.ones((4, 3, 3, 3), numpy.float32)
    y, gx, gW = _conv_and_grads(x, W, numpy.zeros((0, 4, 5, 5), numpy.float32), 1)
    assert y.shape == (0, 4, 5, 5) and gx.shape == x.shape
    assert not gW.any()
    assert calls == {'conv': 0, 'grad_weight': 0}


@pytest.mark.parametrize('transposed', [False, True])
def test_winograd_backward_and_double_backward(monkeypatch, transposed):
    _winograd(monkeypatch, True)
    calls = _winograd_calls(monkeypatch)
    rng = numpy.random.RandomState(11)
    x = rng.uniform(-1, 1, (2, 3, 4, 5))
    W = rng.uniform(-1, 1, (3, 2, 3, 3) if transposed else (2, 3, 3, 3))
    fn = F.deconvolution_2d if transposed else F.convolution_2d
    y_shape = fn(x, W, pad=1).shape
    gy = rng.uniform(-1, 1, y_shape)
    gradient_check.check_backward(lambda a, b: fn(a, b, pad=1), (x, W), gy,
                                  dtype=numpy.float64, atol=1e-7, rtol=1e-7)
    ggx, ggW = rng.uniform(-1, 1, x.shape), rng.uniform(-1, 1, W.shape)
    gradient_check.check_double_backward(lambda a, b: fn(a, b, pad=1), (x, W), gy,
                                         (ggx, ggW), dtype=numpy.float64, atol=1e-7,
                                         rtol=1e-7)
    assert calls['conv'] and calls['grad_weight']


@pytest.mark.parametrize('value', [numpy.nan, numpy.inf, -numpy.inf])
@pytest.mark.parametrize('pad', [0, 1, 2])
def test_winograd_keeps_non_finite_values(monkeypatch, value, pad):
    # Wherever the patch-matrix route gives NaN or an infinity, so does Winograd (NaN
    # where it gives NaN); it may spread them further within a 2x2 tile.
    rng = numpy.random.RandomState(12)
    x = rng.uniform(-1, 1, (2, 3, 7, 6)).astype(numpy.float32)
    W = rng.uniform(-1, 1, (4, 3, 3, 3)).astype(numpy.float32)
    x[0, 1, 0, 0] = x[1, 2, 3, 4] = x[1, 0, 6, 5] = value
    gy = rng.uniform(-1, 1, (2, 4, 5 + 2 * pad, 4 + 2 * pad)).astype(numpy.float32)
    gy[0, 3, 0, 1] = gy[1, 1, 2 + pad, 2] = value
    results = []
    for on in (False, True):
        _winograd(monkeypatch, on)
        with numpy.errstate(invalid='ignore'):
            xv, Wv = chainer.Variable(x), chainer.Variable(W)
            y = F.convolution_2d(xv, Wv, pad=pad)
            y.grad = gy
            y.backward()
        results.append([y.array, xv.grad, Wv.grad])
    for e, a in zip(*results):
        assert not numpy.isfinite(e).all()
        assert not (numpy.isfinite(a) & ~numpy.isfinite(e)).any()
        assert not (numpy.isnan(e) & ~numpy.isnan(a)).any()
        finite = numpy.isfinite(a)
        numpy.testing.assert_allclose(a[finite], e[finite], rtol=1e-5, atol=1e-5)


def test_winograd_accuracy_and_determinism(monkeypatch):
    # float32 against a float64 reference: within a few times the rounding of the
    # patch-matrix route (max abs error / max abs of the result); the same bits twice.
    rng = numpy.random.RandomState(13)
    x = rng.uniform(-1, 1, (2, 64, 9, 8)).astype(numpy.float32)
    W = rng.uniform(-1, 1, (64, 64, 3, 3)).astype(numpy.float32)
    gy = rng.uniform(-1, 1, (2, 64, 9, 8)).astype(numpy.float32)
    _winograd(monkeypatch, False)
    exact = _conv_and_grads(x.astype(numpy.float64), W.astype(numpy.float64),
                            gy.astype(numpy.float64), 1)
    _winograd(monkeypatch, True)
    got = _conv_and_grads(x, W, gy, 1)
    for a, b, e in zip(got, _conv_and_grads(x, W, gy, 1), exact):
        assert numpy.array_equal(a, b)
        assert numpy.abs(a - e).max() <= 4e-6 * numpy.abs(e).max()


def test_winograd_trigger(monkeypatch):
    # 3x3 filters, stride 1, one group, no dilation, enough channels and output tiles
    # (the VGG layers); not with fewer channels or tiles, nor other strides.
    calls = _winograd_calls(monkeypatch)
    W = numpy.ones((128, 128, 3, 3), numpy.float32)
    x = numpy.ones((4, 128, 16, 16), numpy.float32)
    _conv_and_grads(x, W, numpy.ones((4, 128, 16, 16), numpy.float32), 1)
    assert calls == {'conv': 2, 'grad_weight': 1}
    for x, W, kw in [
            (x[:1, :, :8], W, dict(pad=1)),                   # 64 tiles
            (x[:, :32], W[:32, :32], dict(pad=1)),            # 32 channels
            (x, W, dict(pad=1, stride=2)),
            (x, W, dict(pad=2, dilate=2)),
            (x, W[:, :64], dict(pad=1, groups=2))]:
        calls.update(conv=0)
        F.convolution_2d(x, W, **kw)
        assert calls['conv'] == 0


def test_winograd_weight_gradient_from_64_channels():
    # The weight gradient runs as Winograd from 64 input and output channels on (the
    # first VGG block), as the forward and input gradient do; not from fewer.
    from chainer.functions.connection import convolution_nd as conv_mod
    for c, expected in ((64, True), (32, False)):
        x = numpy.ones((4, c, 16, 16), numpy.float32)  # 256 tiles
        assert conv_mod._winograd_applies(
            x.shape, (64, c, 3, 3), (1, 1), (1, 1), (1, 1), 1, (16, 16),
            conv_mod._WINOGRAD_GRAD_WEIGHT_MIN_CHANNELS) is expected


@pytest.mark.parametrize('transposed', [False, True])
def test_winograd_in_blocks_of_samples(monkeypatch, transposed):
    # Samples in blocks of 2 (the last one of 1): the same values as in one block.
    from chainer.functions.connection import convolution_nd as conv_mod
    _winograd(monkeypatch, True)
    rng = numpy.random.RandomState(14)
    x = rng.uniform(-1, 1, (5, 3, 5, 6))
    W = rng.uniform(-1, 1, (3, 4, 3, 3) if transposed else (4, 3, 3, 3))
    fn = F.deconvolution_2d if transposed else F.convolution_2d
    gy = rng.uniform(-1, 1, fn(x, W, pad=1).shape)
    expected = _conv_and_grads(x, W, gy, 1, transposed)
    # 16 * 3 x 3 tiles * 4 channels * 8 bytes per sample
    monkeypatch.setattr(conv_mod, '_WINOGRAD_BLOCK', 2 * 16 * 9 * 4 * 8)
    got = _conv_and_grads(x, W, gy, 1, transposed)
    for a, e in zip(got, expected):
        numpy.testing.assert_allclose(a, e, rtol=1e-13, atol=1e-13)


# -- few-channel convolutions as per-sample patch matrices (NumPy) -----------------

def _sample_patches_spy(monkeypatch, least: int, block: int | None = None):
    """Sets the output pixels from which convolutions of short patches run with a patch
    matrix per sample (and, if given, the bytes of a block of samples) and records what
    ``_per_sample_patches`` answers."""
    from chainer.functions.connection import convolution_nd as conv_mod
    monkeypatch.setattr(conv_mod, '_SAMPLE_PATCHES_MIN_PIXELS', least)
    if block is not None:
        monkeypatch.setattr(conv_mod, '_SAMPLE_PATCHES_BLOCK', block)
    return _answers_of(monkeypatch, '_per_sample_patches')


_SAMPLE_PATCHES_CASES = [
    # x shape, output channels, ksize, stride, pad, dilate, cover_all
    ((3, 3, 9, 8), 5, 3, 1, 1, 1, False),     # the first layer of an image model
    ((2, 1, 12, 10), 4, 5, 1, 0, 1, False),   # LeNet's first layer
    ((2, 2, 9, 11), 3, (3, 2), (2, 3), (1, 2), (2, 1), False),
    ((2, 3, 7, 8), 2, 3, 2, 0, 1, True),      # cover_all: windows past the input
    ((0, 3, 6, 6), 2, 3, 1, 1, 1, False),
    ((3, 2, 13), 4, 4, 1, 2, 1, False),
    ((2, 1, 5, 4, 6), 2, 3, (1, 2, 1), 1, 1, False),
]


@pytest.mark.parametrize('case', _SAMPLE_PATCHES_CASES)
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('block', [None, 1])
def test_sample_patches_match_batch_last_route(monkeypatch, case, dtype, block):
    # On NumPy a convolution of few input values per patch multiplies each sample's
    # patch matrix (in blocks of samples, one sample a block with ``block``): values,
    # gradients and second gradients are those of the batch-last patch-matrix route,
    # to rounding.
    x_shape, out_c, ksize, stride, pad, dilate, cover_all = case
    rng = numpy.random.RandomState(15)
    in_c, nd = x_shape[1], len(x_shape) - 2
    ksize = (ksize,) * nd if isinstance(ksize, int) else ksize
    x = rng.uniform(-1, 1, x_shape).astype(dtype)
    W = rng.uniform(-1, 1, (out_c, in_c) + ksize).astype(dtype)
    b = rng.uniform(-1, 1, out_c).astype(dtype)

    def run():
        xv, Wv, bv = chainer.Variable(x), chainer.Variable(W), chainer.Variable(b)
        y = F.convolution_nd(xv, Wv, bv, stride=stride, pad=pad, dilate=dilate,
                             cover_all=cover_all)
        gy = numpy.random.RandomState(16).uniform(-1, 1, y.shape).astype(dtype)
        grads = chainer.grad([y], [xv, Wv, bv], [chainer.Variable(gy[..., ::-1])],
                             enable_double_backprop=True)
        F.sum(grads[0] * grads[0]).backward()
        F.sum(grads[1] * grads[1]).backward()
        return [y.array] + [g.array for g in grads] + [xv.grad, Wv.grad]

    answers = _sample_patches_spy(monkeypatch, 1, block)
    got = run()
    assert any(answers)
    answers = _sample_patches_spy(monkeypatch, 1 << 62)
    expected = run()
    assert not any(answers)
    _assert_same_to_rounding(got, expected, dtype)


def test_sample_patches_trigger():
    # Few values per patch (channels x kernel) and enough output pixels: the VGG and
    # LeNet first layers; not 4 channels of 3x3 (36 values), small images or groups.
    from chainer.functions.connection import convolution_nd as conv_mod
    applies = conv_mod._per_sample_patches
    assert applies(numpy, (16, 3, 32, 32), (3, 3), 1, (32, 32))
    assert applies(numpy, (64, 1, 28, 28), (5, 5), 1, (24, 24))
    assert not applies(numpy, (16, 4, 32, 32), (3, 3), 1, (32, 32))
    assert not applies(numpy, (16, 3, 8, 8), (3, 3), 1, (8, 8))
    assert not applies(numpy, (16, 2, 32, 32), (3, 3), 2, (32, 32))
    assert not applies(numpy, (16, 0, 32, 32), (3, 3), 1, (32, 32))


def test_sample_patches_gradients(monkeypatch):
    _sample_patches_spy(monkeypatch, 1)
    rng = numpy.random.RandomState(17)
    x = rng.uniform(-1, 1, (2, 2, 5, 4))
    W = rng.uniform(-1, 1, (3, 2, 3, 3))
    b = rng.uniform(-1, 1, 3)
    y_shape = F.convolution_2d(x, W, b, pad=1).shape
    gy = rng.uniform(-1, 1, y_shape)
    ggx, ggW, ggb = (rng.uniform(-1, 1, a.shape) for a in (x, W, b))
    gradient_check.check_backward(lambda *a: F.convolution_2d(*a, pad=1), (x, W, b), gy,
                                  dtype=numpy.float64, atol=1e-7, rtol=1e-7)
    gradient_check.check_double_backward(lambda *a: F.convolution_2d(*a, pad=1), (x, W, b),
                                         gy, (ggx, ggW, ggb), dtype=numpy.float64,
                                         atol=1e-7, rtol=1e-7)


# -- 1x1 convolutions as per-sample products (NumPy) ------------------------------

def _pointwise_spy(monkeypatch, least: int):
    """Sets the pixels from which 1x1 convolutions run as per-sample products and
    records what ``_pointwise`` answers."""
    from chainer.functions.connection import convolution_nd as conv_mod
    monkeypatch.setattr(conv_mod, '_POINTWISE_MIN_PIXELS', least)
    return _answers_of(monkeypatch, '_pointwise')


_POINTWISE_CASES = [
    # x shape, output channels, stride, deconvolution
    ((3, 5, 4, 7), 6, 1, False),
    ((2, 3, 5, 6), 4, 2, False),
    ((2, 3, 6, 5), 4, (3, 1), False),
    ((1, 1, 3, 3), 1, 1, False),
    ((0, 3, 4, 4), 2, 1, False),
    ((2, 4, 9), 3, 1, False),
    ((2, 4, 3, 2, 5), 3, (1, 2, 2), False),
    ((3, 5, 4, 7), 6, 1, True),
    ((2, 3, 3, 4), 4, 2, True),
    ((2, 4, 2, 3, 2), 3, (2, 1, 3), True),
    ((1, 1, 5), 2, 1, True),
]


@pytest.mark.parametrize('case', _POINTWISE_CASES)
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('nobias', [False, True])
def test_pointwise_convolution_matches_batch_last_route(monkeypatch, case, dtype, nobias):
    # On NumPy a 1x1 convolution (or deconvolution) of no padding and one group
    # multiplies each sample in place: values, gradients and second gradients are
    # those of the batch-last patch-matrix route, to rounding.
    from chainer.functions.connection import convolution_nd as conv_mod
    x_shape, out_c, stride, deconv = case
    rng = numpy.random.RandomState(11)
    in_c, nd = x_shape[1], len(x_shape) - 2
    x = rng.uniform(-1, 1, x_shape).astype(dtype)
    W = rng.uniform(-1, 1, ((in_c, out_c) if deconv else (out_c, in_c)) + (1,) * nd)
    W = W.astype(dtype)
    b = None if nobias else rng.uniform(-1, 1, out_c).astype(dtype)

    def run():
        xv, Wv = chainer.Variable(x), chainer.Variable(W)
        bv = None if b is None else chainer.Variable(b)
        f = F.deconvolution_nd if deconv else F.convolution_nd
        y = f(xv, Wv, bv, stride=stride)
        gy = numpy.random.RandomState(12).uniform(-1, 1, y.shape).astype(dtype)
        params = [xv, Wv] + ([] if bv is None else [bv])
        grads = chainer.grad([y], params, [chainer.Variable(gy)],
                             enable_double_backprop=True)
        F.sum(grads[0] * grads[0]).backward()
        F.sum(grads[1] * grads[1]).backward()
        return [y.array] + [g.array for g in grads] + [xv.grad, Wv.grad]

    answers = _pointwise_spy(monkeypatch, 1)
    got = run()
    assert answers and all(answers)
    answers = _pointwise_spy(monkeypatch, 1 << 62)
    monkeypatch.setattr(conv_mod, '_POINTWISE_SMALL_MIN_PIXELS', 1 << 62)
    expected = run()
    assert not any(answers)
    _assert_same_to_rounding(got, expected, dtype)


@pytest.mark.parametrize('deconv', [False, True])
def test_pointwise_convolution_gradients(monkeypatch, deconv):
    _pointwise_spy(monkeypatch, 1)
    rng = numpy.random.RandomState(13)
    x = rng.uniform(-1, 1, (2, 3, 3, 4))
    W = rng.uniform(-1, 1, (3, 2, 1, 1) if deconv else (2, 3, 1, 1))
    b = rng.uniform(-1, 1, 2)
    f = F.deconvolution_2d if deconv else F.convolution_2d
    y_shape = f(x, W, b, stride=2).shape
    gy = rng.uniform(-1, 1, y_shape)
    ggx, ggW, ggb = (rng.uniform(-1, 1, a.shape) for a in (x, W, b))
    gradient_check.check_backward(lambda *a: f(*a, stride=2), (x, W, b), gy,
                                  dtype=numpy.float64, atol=1e-7, rtol=1e-7)
    gradient_check.check_double_backward(lambda *a: f(*a, stride=2), (x, W, b), gy,
                                         (ggx, ggW, ggb), dtype=numpy.float64,
                                         atol=1e-7, rtol=1e-7)


@pytest.mark.parametrize('x_shape, W_shape, kw', [
    ((2, 4, 6, 6), (3, 4, 1, 1), dict(pad=1)),             # padded
    ((2, 4, 6, 6), (4, 2, 1, 1), dict(groups=2)),          # groups
    ((2, 4, 6, 6), (3, 4, 1, 1), dict(stride=4, cover_all=True)),  # a window past x
    ((2, 4, 6, 6), (3, 4, 3, 3), dict(pad=1)),             # not 1x1
])
def test_convolutions_not_run_pointwise(monkeypatch, x_shape, W_shape, kw):
    answers = _pointwise_spy(monkeypatch, 1)
    x = chainer.Variable(numpy.ones(x_shape, numpy.float32))
    y = F.convolution_2d(x, numpy.ones(W_shape, numpy.float32), **kw)
    y.grad = numpy.ones(y.shape, numpy.float32)
    y.backward()
    assert answers and not any(answers)


def test_pointwise_from_min_pixels(monkeypatch):
    # the default thresholds: from 64 output pixels, or from 16 with at most 2^16
    # weights; 1x1 convolutions of 512 x 512 weights and 7x7 outputs keep the
    # batch-last route, as do those of 3x3 outputs
    from chainer.functions.connection import convolution_nd as conv_mod
    answers = _pointwise_spy(monkeypatch, conv_mod._POINTWISE_MIN_PIXELS)
    assert conv_mod._POINTWISE_SMALL_MIN_PIXELS == 16
    assert conv_mod._POINTWISE_SMALL_MAX_WEIGHTS == 1 << 16
    for x_shape, W_shape in [((1, 512, 7, 7), (512, 512)), ((1, 512, 8, 8), (512, 512)),
                             ((1, 256, 4, 4), (256, 256)), ((1, 256, 4, 4), (257, 256)),
                             ((1, 64, 3, 5), (64, 64))]:
        F.convolution_2d(numpy.ones(x_shape, numpy.float32),
                         numpy.ones(W_shape + (1, 1), numpy.float32))
    assert answers == [False, True, True, False, False]


# -- strided deconvolutions phase by phase (NumPy) --------------------------------

_PHASE_CASES = [
    # x shape, W shape (deconvolution layout), stride, pad, groups, outsize
    ((2, 3, 5, 4), (3, 4, 3, 3), 2, 1, 1, None),
    ((2, 3, 5, 4), (3, 4, 3, 3), 2, 1, 1, (10, 8)),       # a larger outsize
    ((2, 4, 4, 5), (4, 3, 4, 4), (2, 3), (1, 2), 1, None),  # fewer out channels, k > s
    ((2, 4, 4, 5), (4, 3, 2, 2), 2, 0, 1, None),          # one tap per phase
    ((2, 3, 4, 4), (3, 2, 2, 1), 3, 0, 1, None),          # phases without taps
    ((2, 4, 5, 3), (4, 3, 3, 3), 2, 3, 2, None),          # groups, pad > k
    ((3, 2, 7), (2, 3, 5), 3, 1, 1, None),
    ((1, 2, 3, 2, 3), (2, 3, 3, 2, 3), (2, 1, 2), (1, 0, 1), 1, None),
]


@pytest.mark.parametrize('case', _PHASE_CASES)
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_strided_deconvolution_by_phases_matches_col2im(monkeypatch, case, dtype):
    # On NumPy a deconvolution of stride > 1 (the input gradient of a strided
    # convolution) runs as one stride-1 convolution per output phase; values,
    # gradients and second gradients are those of the col2im route, to rounding.
    from chainer.functions.connection import convolution_nd as conv_mod
    x_shape, W_shape, stride, pad, groups, outsize = case
    rng = numpy.random.RandomState(14)
    x = rng.uniform(-1, 1, x_shape).astype(dtype)
    W = rng.uniform(-1, 1, W_shape).astype(dtype)
    b = rng.uniform(-1, 1, W_shape[1] * groups).astype(dtype)

    def run():
        xv, Wv, bv = (chainer.Variable(a) for a in (x, W, b))
        y = F.deconvolution_nd(xv, Wv, bv, stride=stride, pad=pad, outsize=outsize,
                               groups=groups)
        gy = numpy.random.RandomState(15).uniform(-1, 1, y.shape).astype(dtype)
        gx, gW = chainer.grad([y], [xv, Wv], [chainer.Variable(gy)],
                              enable_double_backprop=True)
        F.sum(gW * gW).backward()
        return [y.array, gx.array, gW.array, xv.grad]

    monkeypatch.setattr(conv_mod, '_PHASES_MIN_PRODUCTS', 0)
    calls = _answers_of(monkeypatch, '_strided_phases')
    got = run()
    ran = calls[0] is not None
    assert ran == (W_shape[1] >= W_shape[0] // groups
                   or all(k <= s for k, s in zip(W_shape[2:], numpy.broadcast_to(
                       stride, len(W_shape) - 2))))
    monkeypatch.setattr(conv_mod, '_strided_phases', lambda *args: None)
    expected = run()
    _assert_same_to_rounding(got, expected, dtype)


def test_strided_convolution_gradients_by_phases(monkeypatch):
    from chainer.functions.connection import convolution_nd as conv_mod
    monkeypatch.setattr(conv_mod, '_PHASES_MIN_PRODUCTS', 0)
    rng = numpy.random.RandomState(16)
    x = rng.uniform(-1, 1, (2, 2, 5, 6))
    W = rng.uniform(-1, 1, (3, 2, 3, 3))
    gy = rng.uniform(-1, 1, (2, 3, 3, 3))
    ggx, ggW = rng.uniform(-1, 1, x.shape), rng.uniform(-1, 1, W.shape)

    def f(x, W):
        return F.convolution_2d(x, W, stride=2, pad=1)

    gradient_check.check_backward(f, (x, W), gy, dtype=numpy.float64, atol=1e-7, rtol=1e-7)
    gradient_check.check_double_backward(f, (x, W), gy, (ggx, ggW), dtype=numpy.float64,
                                         atol=1e-7, rtol=1e-7)


def test_deconvolutions_not_run_by_phases(monkeypatch):
    from chainer.functions.connection import convolution_nd as conv_mod
    calls = []
    phases = conv_mod._strided_phases
    monkeypatch.setattr(conv_mod, '_strided_phases',
                        lambda *args: calls.append(phases(*args)) or calls[-1])
    x = numpy.ones((2, 4, 6, 6), numpy.float32)
    F.deconvolution_2d(x, numpy.ones((4, 4, 3, 3), numpy.float32), stride=2)   # small
    F.deconvolution_2d(x, numpy.ones((4, 4, 3, 3), numpy.float32), stride=2, dilate=2)
    assert calls == [None, None]


def test_string_groups_and_outsize_are_refused_plainly():
    # Chainer 7.8.1: TypeError for groups='a' (a comparison), AssertionError / ValueError
    # for outsize='abc'; ours raised int()'s ValueError and a TypeError from `None in 'abc'`
    x = numpy.ones((2, 4, 8), 'f')
    with pytest.raises(TypeError, match='groups must be an integer'):
        F.convolution_1d(x, numpy.ones((4, 2, 3), 'f'), groups='a')
    for f, W in ((F.deconvolution_1d, numpy.ones((4, 2, 3), 'f')),
                 (F.deconvolution_2d, numpy.ones((4, 2, 3, 3), 'f'))):
        xx = x if f is F.deconvolution_1d else x[..., None]
        with pytest.raises(ValueError) as e:
            f(xx, W, outsize='abc')
        assert isinstance(e.value, AssertionError)


@pytest.mark.parametrize('ksize, stride, dilate, out_dims', [
    ((3, 2), (2, 1), (1, 2), (3, 4)),
    ((2, 2, 3), (1, 3, 2), (2, 1, 1), (2, 2, 3)),
    ((4,), (2,), (1,), (5,)),
])
def test_add_windows_adds_each_offset_into_its_strided_window(ksize, stride, dilate, out_dims):
    # col2im's sum (the window slices are built once per axis, then combined), against
    # the offsets added one by one with slices written out: the same adds in the same
    # order, so the same bits.
    rng = numpy.random.RandomState(0)
    full = tuple((o - 1) * s + (k - 1) * d + 1 for o, s, k, d in zip(out_dims, stride, ksize,
                                                                      dilate))
    col = rng.uniform(-1, 1, (3,) + ksize + out_dims + (2,)).astype(numpy.float32)
    img = numpy.zeros((3,) + full + (2,), numpy.float32)
    expected = img.copy()
    convolution_nd._add_windows(img, 1, col, 1, ksize, stride, dilate, out_dims)
    for kidx in itertools.product(*map(range, ksize)):
        window = tuple(slice(j * d, j * d + s * (o - 1) + 1, s)
                       for j, d, s, o in zip(kidx, dilate, stride, out_dims))
        expected[(slice(None),) + window] += col[(slice(None),) + kidx]
    assert img.tobytes() == expected.tobytes()


def _peak_bytes(fn):
    import tracemalloc

    tracemalloc.start()
    try:
        fn()
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.parametrize('deconv', [False, True])
def test_float16_patch_matrix_in_float32_pieces(deconv):
    # A float16 convolution accumulates in float32: its patch matrix is built in
    # float32 pieces straight from x (no float32 copy of x, no whole float32 matrix,
    # which is 18 times x here), and a stride-1 deconvolution (the input gradient) is
    # that convolution with flipped filters. Float32 keeps its whole-matrix route.
    rng = numpy.random.RandomState(0)
    x = rng.uniform(-1, 1, (64, 32, 16, 16)).astype(numpy.float16)  # 1 MiB
    W = rng.uniform(-1, 1, (32, 32, 3, 3)).astype(numpy.float16)
    f = F.deconvolution_2d if deconv else F.convolution_2d
    with chainer.no_backprop_mode():
        assert _peak_bytes(lambda: f(x, W, pad=1)) < 8 * x.nbytes
    xv, Wv = chainer.Variable(x), chainer.Variable(W)
    y = f(xv, Wv, pad=1)
    y.grad = numpy.ones_like(x)
    assert _peak_bytes(y.backward) < 9 * x.nbytes
    assert xv.grad.dtype == Wv.grad.dtype == numpy.float16
    # the values: float32 arithmetic rounded once
    y32 = f(x.astype(numpy.float32), W.astype(numpy.float32), pad=1).array
    numpy.testing.assert_allclose(y.array, y32.astype(numpy.float16), rtol=2e-3, atol=2e-2)
