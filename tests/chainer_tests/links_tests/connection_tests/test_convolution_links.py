import os

import numpy
import pytest

import chainer
import chainer.functions as F
import chainer.links as L
from chainer import initializers
from chainer import link_hooks
from chainer import serializers
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests.functions_tests.connection_tests import _conv_reference as ref

_backends = [{}, {'use_cuda': True}]


def _link_tols(case):
    if case.dtype == numpy.float16:
        case.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
        case.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
    else:
        case.check_backward_options = {'atol': 1e-3, 'rtol': 1e-3}


@testing.parameterize(*testing.product({
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'nobias': [False, True],
}))
@testing.inject_backend_tests(None, _backends)
class TestConvolution2DLink(testing.LinkTestCase):

    def setUp(self):
        _link_tols(self)
        self.param_names = ('W',) if self.nobias else ('W', 'b')

    def generate_params(self):
        W = numpy.random.uniform(-1, 1, (4, 3, 2, 3)).astype(self.dtype)
        if self.nobias:
            return W,
        return W, numpy.random.uniform(-1, 1, 4).astype(self.dtype)

    def create_link(self, inits):
        inits = [initializers.Constant(a, self.dtype) for a in inits]
        if self.nobias:
            return L.Convolution2D(3, 4, (2, 3), stride=2, pad=1, nobias=True,
                                   initialW=inits[0])
        return L.Convolution2D(3, 4, (2, 3), stride=2, pad=1, initialW=inits[0],
                               initial_bias=inits[1])

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, (2, 3, 5, 4)).astype(self.dtype),

    def forward_expected(self, link, inputs):
        b = None if self.nobias else link.b.array
        y = ref.convolution(inputs[0], link.W.array, b, (2, 2), (1, 1))
        return y.astype(self.dtype),


@testing.parameterize({'dtype': numpy.float32}, {'dtype': numpy.float64})
@testing.inject_backend_tests(None, _backends)
class TestDeconvolution2DLink(testing.LinkTestCase):

    param_names = ('W', 'b')

    def setUp(self):
        _link_tols(self)

    def generate_params(self):
        return (numpy.random.uniform(-1, 1, (4, 2, 2, 2)).astype(self.dtype),
                numpy.random.uniform(-1, 1, 4).astype(self.dtype))

    def create_link(self, inits):
        W, b = (initializers.Constant(a, self.dtype) for a in inits)
        return L.Deconvolution2D(4, 4, 2, stride=2, initialW=W, initial_bias=b, groups=2)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, (2, 4, 3, 2)).astype(self.dtype),

    def forward_expected(self, link, inputs):
        y = ref.deconvolution(inputs[0], link.W.array, link.b.array, (2, 2), (0, 0), (6, 4),
                              groups=2)
        return y.astype(self.dtype),


@pytest.mark.parametrize('make,x_shape,y_shape', [
    (lambda: L.Convolution2D(3, 4, 3, pad=1), (2, 3, 5, 5), (2, 4, 5, 5)),
    (lambda: L.Convolution2D(4, 3), (2, 3, 5, 5), (2, 4, 3, 3)),
    (lambda: L.Convolution2D(None, 4, 2, groups=2, dilate=2), (1, 6, 5, 5), (1, 4, 3, 3)),
    (lambda: L.Convolution1D(3, 4, 2), (2, 3, 5), (2, 4, 4)),
    (lambda: L.Convolution3D(3, 4, 2, stride=2), (1, 3, 4, 4, 5), (1, 4, 2, 2, 2)),
    (lambda: L.ConvolutionND(2, 3, 4, 2, cover_all=True, stride=2), (1, 3, 5, 5),
     (1, 4, 3, 3)),
    (lambda: L.ConvolutionND(1, 4, 3), (2, 2, 6), (2, 4, 4)),
    (lambda: L.Deconvolution2D(3, 4, 3, stride=2), (1, 3, 4, 4), (1, 4, 9, 9)),
    (lambda: L.Deconvolution2D(4, 2, outsize=(5, 5), stride=2), (1, 3, 2, 2), (1, 4, 5, 5)),
    (lambda: L.Deconvolution1D(3, 4, 2), (2, 3, 5), (2, 4, 6)),
    (lambda: L.Deconvolution3D(3, 4, 2), (1, 3, 2, 2, 2), (1, 4, 3, 3, 3)),
    (lambda: L.DeconvolutionND(2, None, 4, 2, groups=2), (1, 6, 3, 3), (1, 4, 4, 4)),
    (lambda: L.DepthwiseConvolution2D(3, 2, 3, pad=1), (1, 3, 4, 4), (1, 6, 4, 4)),
    (lambda: L.DepthwiseConvolution2D(None, 2, 3), (1, 3, 4, 4), (1, 6, 2, 2)),
    (lambda: L.DilatedConvolution2D(3, 4, 3, dilate=2), (1, 3, 7, 7), (1, 4, 3, 3)),
    (lambda: L.DilatedConvolution2D(4, 3, pad=2, dilate=2), (1, 3, 5, 5), (1, 4, 5, 5)),
    (lambda: L.MLPConvolution2D(3, (4, 5, 6), 3), (1, 3, 5, 5), (1, 6, 3, 3)),
    (lambda: L.MLPConvolution2D((4, 5), 3, activation=F.tanh), (1, 3, 5, 5), (1, 5, 3, 3)),
    (lambda: L.Inception(3, 2, 2, 3, 2, 3, 2), (1, 3, 5, 5), (1, 10, 5, 5)),
])
def test_link_shapes_grads_and_save_load(make, x_shape, y_shape, tmp_path):
    link = make()
    x = numpy.random.rand(*x_shape).astype(numpy.float32)
    y = link(x)
    assert y.shape == y_shape and y.dtype == numpy.float32
    F.sum(y).backward()
    for name, p in link.namedparams():
        assert p.grad is not None, name
    path = os.path.join(str(tmp_path), 'link.npz')
    serializers.save_npz(path, link)
    other = make()
    other(x)  # materialize lazily created parameters
    serializers.load_npz(path, other)
    numpy.testing.assert_array_equal(other(x).array, y.array)


def test_convolution2d_defaults_and_from_params():
    link = L.Convolution2D(3, 4, 3)
    assert link.W.shape == (4, 3, 3, 3) and link.b.shape == (4,)
    assert isinstance(link.W.initializer, initializers.LeCunNormal)
    numpy.testing.assert_array_equal(link.b.array, numpy.zeros(4, 'f'))
    lazy = L.Convolution2D(None, 4, 3)
    assert lazy.W.array is None
    lazy(numpy.zeros((1, 2, 4, 4), 'f'))
    assert lazy.W.shape == (4, 2, 3, 3)
    copy = L.Convolution2D.from_params(link.W, link.b, stride=2)
    numpy.testing.assert_array_equal(copy.W.array, link.W.array)
    assert copy.stride == (2, 2)  # a pair, as Chainer keeps it
    assert L.Deconvolution2D(3, 4, 3).W.shape == (3, 4, 3, 3)
    assert L.Deconvolution2D(4, 4, 3, groups=2).W.shape == (4, 2, 3, 3)
    assert L.Convolution2D(4, 6, 3, groups=2).W.shape == (6, 2, 3, 3)
    assert L.DepthwiseConvolution2D(3, 2, 3).b.shape == (6,)


def test_link_bad_arguments():
    with pytest.raises(ValueError):
        L.Convolution2D(3, 5, 3, groups=2)
    with pytest.raises(ValueError):
        L.Convolution2D(3, 4, 3, groups=2)
    with pytest.raises(ValueError):
        L.Convolution2D(3, 4, 3, deterministic=True)
    with pytest.raises(TypeError):
        L.Convolution2D(3, 4, 3, foo=1)
    link = L.Convolution2D(3, 4, 3)
    with pytest.raises(type_check.InvalidType):
        link(numpy.zeros((1, 2, 5, 5), 'f'))          # channel mismatch
    # The link keeps dilate as a 3-tuple, which a 2-d input rejects before the type check.
    with pytest.raises((type_check.InvalidType, ValueError)):
        L.ConvolutionND(3, 2, 4, 2)(numpy.zeros((1, 2, 5, 5), 'f'))


@pytest.mark.parametrize('make', [
    lambda: L.Convolution1D(3, 4, 2), lambda: L.Convolution2D(3, 4, 2),
    lambda: L.Deconvolution2D(3, 4, 2)])
def test_spectral_normalization_on_convolutions(make):
    link = make()
    hook = link_hooks.SpectralNormalization(n_power_iteration=30)
    link.add_hook(hook)
    x = numpy.random.rand(*((2, 3) + (5,) * (link.W.ndim - 2))).astype('f')
    y = link(x)
    F.sum(y).backward()
    assert link.W.grad is not None
    axis = 1 if isinstance(link, L.Deconvolution2D) else 0
    W = numpy.moveaxis(link.W.array, axis, 0).reshape(link.W.shape[axis], -1)
    sigma = numpy.linalg.svd(W, compute_uv=False)[0]
    b = link.b.array.reshape((1, -1) + (1,) * (x.ndim - 2))
    with chainer.using_config('train', False):
        y2 = link(x)
    expected = make()
    expected.W.array[...] = link.W.array / sigma
    expected.b.array[...] = link.b.array
    numpy.testing.assert_allclose(y2.array, expected(x).array, rtol=1e-3, atol=1e-4)
    assert b.shape[1] == y.shape[1]


@pytest.mark.parametrize('make', [lambda: L.Convolution1D(3, 4, 2),
                                  lambda: L.Convolution2D(3, 4, 2),
                                  lambda: L.Convolution2D(None, 4, 2)])
def test_weight_standardization_on_convolutions(make):
    link = make()
    link.add_hook(link_hooks.WeightStandardization())
    x = numpy.random.rand(*((2, 3) + (5,) * (2 if 'Convolution2D' in type(link).__name__
                                             else 1))).astype('f')
    y = link(x)
    F.sum(y).backward()
    assert link.W.grad is not None
    W = link.W.array.reshape(4, -1)
    Ws = (W - W.mean(axis=1, keepdims=True)) / numpy.sqrt(W.var(axis=1, keepdims=True) + 1e-5)
    plain = make()
    plain(x)
    plain.W.array[...] = Ws.reshape(link.W.shape)
    plain.b.array[...] = link.b.array
    numpy.testing.assert_allclose(y.array, plain(x).array, rtol=1e-4, atol=1e-5)


@pytest.mark.gpu
def test_convolution2d_link_on_gpu():
    cupy = pytest.importorskip('cupy')
    link = L.Convolution2D(3, 4, 3, pad=1)
    x = numpy.random.rand(2, 3, 5, 5).astype('f')
    y_cpu = link(x).array
    link.to_gpu()
    y_gpu = link(cupy.asarray(x))
    numpy.testing.assert_allclose(cupy.asnumpy(y_gpu.array), y_cpu, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('kwargs,x_shape,y_shape', [
    (dict(in_channels=3, out1=2, proj3=2, out3=3, proj33=2, out33=3, pooltype='max',
          proj_pool=2), (2, 3, 5, 5), (2, 10, 5, 5)),
    (dict(in_channels=None, out1=0, proj3=2, out3=3, proj33=2, out33=3, pooltype='avg',
          stride=2), (2, 3, 5, 5), (2, 9, 3, 3)),
])
def test_inception_bn(kwargs, x_shape, y_shape, tmp_path):
    link = L.InceptionBN(**kwargs)
    x = numpy.random.rand(*x_shape).astype('f')
    y = link(x)
    assert y.shape == y_shape
    F.sum(y).backward()
    assert link.proj3.W.grad is not None
    path = str(tmp_path / 'inc.npz')
    serializers.save_npz(path, link)
    other = L.InceptionBN(**kwargs)
    other(x)
    serializers.load_npz(path, other)
    with chainer.using_config('train', False):
        numpy.testing.assert_allclose(other(x).array, link(x).array, rtol=1e-5, atol=1e-6)
    assert hasattr(link, 'conv1') == (kwargs['out1'] > 0)
    with pytest.raises(NotImplementedError):
        L.InceptionBN(3, 2, 2, 3, 2, 3, 'median', proj_pool=2)


def test_printed_specs_and_pair_attributes():
    # Convolution2D prints its constructor's in_channels (None when read from
    # the input) and keeps stride, pad and dilate as pairs; the other
    # convolution links print no specs.
    conv = L.Convolution2D(3, 4, 3, nobias=True, dilate=2)
    assert str(conv) == ('Convolution2D(in_channels=3, out_channels=4, ksize=3, stride=(1, 1), '
                         'pad=(0, 0), nobias=True, dilate=(2, 2), groups=1)')
    lazy = L.Convolution2D(4, 3, stride=(2, 1), pad=1)
    lazy(numpy.zeros((1, 2, 5, 5), numpy.float32))
    assert str(lazy) == ('Convolution2D(in_channels=None, out_channels=4, ksize=3, '
                         'stride=(2, 1), pad=(1, 1), nobias=False, dilate=(1, 1), groups=1)')
    assert lazy.in_channels is None and lazy.W.shape == (4, 2, 3, 3)
    deconv = L.Deconvolution2D(3, 4, 3, stride=2)
    assert deconv.stride == (2, 2) and deconv.pad == (0, 0) and deconv.dilate == (1, 1)
    assert L.DilatedConvolution2D(3, 4, 3, dilate=2).dilate == (2, 2)
    nd = L.ConvolutionND(3, 2, 4, 3, stride=2, dilate=2)
    assert nd.stride == 2
    for link in (deconv, L.DilatedConvolution2D(3, 4, 3), nd, L.DeconvolutionND(2, 3, 4, 3),
                 L.Convolution1D(3, 4, 3)):
        assert str(link) == f'{type(link).__name__}()'
    y = lazy(numpy.ones((1, 2, 5, 5), numpy.float32))
    assert y.shape == (1, 4, 3, 5)


@pytest.mark.parametrize('make,ndim', [
    (lambda: L.Convolution2D(3, 4), 4), (lambda: L.Deconvolution2D(3, 2), 4),
    (lambda: L.DilatedConvolution2D(3, 2), 4), (lambda: L.ConvolutionND(1, None, 3, 2), 3),
    (lambda: L.DeconvolutionND(3, None, 3, 2), 5)])
def test_lazy_link_refuses_a_wrong_input_before_sizing_its_filter(make, ndim):
    # A first call with the wrong number of axes must not fix the filter's
    # input channels: the next, right call works (as under Chainer).
    link = make()
    # InvalidType for the 2-d links; the N-d ones raise a ValueError that is also
    # the AssertionError Chainer's assert raised.
    error = type_check.InvalidType if ndim == 4 else AssertionError
    with pytest.raises(error):
        link(numpy.ones((2, 3), numpy.float32))
    assert link.W.array is None
    x = numpy.ones((2, 2) + (6,) * (ndim - 2), numpy.float32)
    assert link(x).shape[:2] == (2, 3)


@pytest.mark.parametrize('make', [
    lambda: L.ConvolutionND(2, 2, 3, 2), lambda: L.Convolution3D(2, 3, 2),
    lambda: L.Deconvolution1D(2, 3, 2), lambda: L.DeconvolutionND(2, None, 3, 2)])
def test_nd_links_refuse_inputs_with_other_spatial_axes(make):
    with pytest.raises(ValueError):
        make()(numpy.ones((1, 2, 4, 4, 4, 4), numpy.float32))
    with pytest.raises(AssertionError):
        make()(numpy.ones((1, 2, 4, 4, 4, 4), numpy.float32))


def test_inception_bn_projection_errors_are_value_and_assertion_errors():
    for kwargs in ({'stride': 2, 'proj_pool': 1}, {}):
        with pytest.raises(ValueError):
            L.InceptionBN(2, 1, 1, 2, 1, 2, 'max', **kwargs)
        with pytest.raises(AssertionError):
            L.InceptionBN(2, 1, 1, 2, 1, 2, 'max', **kwargs)


def test_mlp_convolution_2d_leaves_its_output_unactivated():
    link = L.MLPConvolution2D(2, (3, 4), 3, pad=1)
    x = numpy.random.uniform(-1, 1, (1, 2, 4, 4)).astype(numpy.float32)
    y = link(x).array
    h = F.relu(link[0](x))
    numpy.testing.assert_array_equal(y, link[1](h).array)
    assert (y < 0).any()


def test_mlp_convolution_wscale_is_refused_with_a_hint():
    with pytest.raises(ValueError, match='conv_init'):
        L.MLPConvolution2D(3, (4,), 3, wscale=1)
    with pytest.raises(TypeError, match='conv_init'):
        L.MLPConvolution2D(3, (4,), 3, 1, 0, F.relu, 1)


def test_whole_float_in_channels_work_as_in_chainer():
    # Chainer sized the filter with int(in_channels / groups), so ``n / 2`` worked.
    assert L.Convolution2D(3.0, 4, 3).W.shape == (4, 3, 3, 3)
    assert L.ConvolutionND(1, 4.0, 4, 3, groups=2).W.shape == (4, 2, 3)
    with pytest.raises(ValueError):
        L.Convolution2D(1.5, 4, 3)


def test_lazy_convolution_refuses_a_list_with_type_error():
    with pytest.raises(TypeError):
        L.Convolution2D(None, 2, 1)([[[[1.0]]]])


@pytest.mark.parametrize('cls, ndim', [(L.ConvolutionND, 3), (L.ConvolutionND, 1),
                                       (L.Convolution1D, 1), (L.Convolution3D, 3)])
def test_convolution_nd_from_params(cls, ndim):
    W = numpy.random.randn(*(6, 2) + (2,) * ndim).astype('f')
    b = numpy.random.randn(6).astype('f')
    link = cls.from_params(chainer.Variable(W), b, stride=2, pad=1, groups=3,
                           cover_all=True, dilate=1)
    assert type(link) is cls and link.ndim == ndim
    assert link.W.array is not W
    numpy.testing.assert_array_equal(link.W.array, W)
    numpy.testing.assert_array_equal(link.b.array, b)
    assert (link.stride, link.pad, link.groups, link.cover_all) == (2, 1, 3, True)
    assert link.ksize == (2,) * ndim
    x = numpy.random.randn(*(1, 6) + (5,) * ndim).astype('f')
    expected = F.convolution_nd(x, W, b, 2, 1, cover_all=True, groups=3)
    numpy.testing.assert_allclose(link(x).array, expected.array, rtol=1e-5)


def test_convolution_from_params_nobias_and_errors():
    W = numpy.zeros((4, 3, 2, 2), 'f')
    for cls in (L.ConvolutionND, L.Convolution2D):
        # nobias drops a given bias, as Chainer's docs say
        assert cls.from_params(W, numpy.zeros(4, 'f'), nobias=True).b is None
        numpy.testing.assert_array_equal(cls.from_params(W).b.array, numpy.zeros(4, 'f'))
        with pytest.raises(ValueError):
            cls.from_params(W, numpy.zeros(3, 'f'))
        with pytest.raises(TypeError):
            cls.from_params(W, foo=1)
    with pytest.raises(ValueError):
        L.Convolution3D.from_params(W)
    with pytest.raises(TypeError):
        L.Convolution2D.from_params(W, cover_all=True)
    # Deconvolutions do not implement it in Chainer either.
    with pytest.raises(NotImplementedError):
        L.DeconvolutionND.from_params(W)


@pytest.mark.parametrize('make', [
    lambda: L.DilatedConvolution2D(2.5, 4, 3), lambda: L.DilatedConvolution2D(3, 2.5, 3),
    lambda: L.Convolution2D(2.5, 4, 3), lambda: L.Deconvolution2D(3, 2.5, 3),
    lambda: L.ConvolutionND(2, 2.5, 4, 3)])
def test_fractional_channel_count_names_the_problem(make):
    # Chainer raised ValueError (the groups check) for most links and TypeError for
    # DilatedConvolution2D; the message spoke of groups that were never given.
    with pytest.raises(ValueError, match='whole number, got 2.5') as info:
        make()
    assert isinstance(info.value, TypeError)
