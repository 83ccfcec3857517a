"""Attributes and printed form of the convolution links, as Chainer keeps them.

Code built on Chainer reads these attributes (``link.dilate[0]``, ``link.stride``)
to compute output lengths, so their forms are part of the API.
"""
import numpy
import pytest

import chainer
import chainer.links as L
from chainer.utils import type_check


def test_convolution_nd_keeps_ksize_and_dilate_as_tuples():
    link = L.Convolution1D(3, 4, 3, stride=2, pad=1, dilate=2)
    assert link.ksize == (3,) and link.dilate == (2,)
    assert link.stride == 2 and link.pad == 1  # as given
    # An output length computed from the attributes, as sequence models do.
    n = 11
    out = (n + 2 * link.pad - link.dilate[0] * (link.ksize[0] - 1) - 1) // link.stride + 1
    assert link(numpy.zeros((1, 3, n), 'f')).shape == (1, 4, out)
    link3 = L.ConvolutionND(3, 2, 2, (1, 2, 3), dilate=(1, 2, 1))
    assert link3.ksize == (1, 2, 3) and link3.dilate == (1, 2, 1)
    deconv = L.DeconvolutionND(2, 3, 2, 3, stride=(2, 1))
    assert deconv.ksize == (3, 3) and deconv.dilate == (1, 1)
    assert deconv.stride == (2, 1) and deconv.outsize is None
    assert L.Deconvolution1D(3, 2, 4).ksize == (4,)


def test_two_dimensional_links_keep_stride_pad_dilate_as_pairs():
    conv = L.Convolution2D(3, 4, 3, stride=2, pad=1)
    assert conv.ksize == 3
    assert conv.stride == (2, 2) and conv.pad == (1, 1) and conv.dilate == (1, 1)
    assert L.Convolution2D(3, 4, (3, 1), stride=(1, 2), dilate=2).dilate == (2, 2)
    deconv = L.Deconvolution2D(3, 4, 3, stride=2)
    assert deconv.stride == (2, 2) and deconv.pad == (0, 0) and deconv.dilate == (1, 1)
    assert deconv.outsize == (None, None)
    assert deconv(numpy.zeros((1, 3, 4, 4), 'f')).shape == (1, 4, 9, 9)
    assert L.Deconvolution2D(3, 4, 3, stride=2, outsize=(10, 10)).outsize == (10, 10)
    dil = L.DilatedConvolution2D(3, 4, 3, pad=2, dilate=2)
    assert dil.stride == (1, 1) and dil.pad == (2, 2) and dil.dilate == (2, 2)
    assert dil(numpy.zeros((1, 3, 5, 5), 'f')).shape == (1, 4, 5, 5)
    dw = L.DepthwiseConvolution2D(3, 2, 3, stride=2, pad=1)
    assert dw.ksize == 3 and dw.stride == (2, 2) and dw.pad == (1, 1)
    assert dw(numpy.zeros((1, 3, 5, 5), 'f')).shape == (1, 6, 3, 3)
    local = L.LocalConvolution2D(3, 2, in_size=4, ksize=3, stride=1)
    assert local.ksize == 3 and local.stride == (1, 1)
    assert local.W.shape == (2, 2, 2, 3, 3, 3)
    sampler = L.DeformableConvolution2D(3, 2, 3, stride=2, pad=1).deform_conv
    assert sampler.stride == (2, 2) and sampler.pad == (1, 1)


def test_deformable_lazy_bias_is_drawn_with_the_filter():
    # As in Chainer: with in_channels None the sampler's bias waits for the first
    # call and is drawn after its filter, so seeded draws agree.
    normal = chainer.initializers.Normal()
    numpy.random.seed(0)
    lazy = L.DeformableConvolution2D(None, 2, 1, deform_initialW=normal,
                                     deform_initial_bias=normal)
    assert lazy.deform_conv.b.array is None
    assert lazy.offset_conv.b.array is not None
    lazy(numpy.ones((1, 3, 2, 2), 'f'))
    numpy.random.seed(0)
    offset_W = numpy.random.normal(size=(2, 3, 1, 1)) * numpy.sqrt(1 / 3)
    deform = numpy.random.normal(size=8) * 0.05
    numpy.testing.assert_allclose(lazy.offset_conv.W.array, offset_W, rtol=1e-6)
    numpy.testing.assert_allclose(lazy.deform_conv.W.array.ravel(), deform[:6], rtol=1e-6)
    numpy.testing.assert_allclose(lazy.deform_conv.b.array, deform[6:], rtol=1e-6)
    assert L.DeformableConvolution2D(None, 2, 1, deform_nobias=True).deform_conv.b is None
    assert L.DeformableConvolution2D(3, 2, 1).deform_conv.b.shape == (2,)


def test_printed_form():
    assert str(L.Convolution2D(3, 4, 3)) == (
        'Convolution2D(in_channels=3, out_channels=4, ksize=3, stride=(1, 1), '
        'pad=(0, 0), nobias=False, dilate=(1, 1), groups=1)')
    lazy = L.Convolution2D(4, 3, stride=2, nobias=True)
    lazy(numpy.zeros((1, 2, 5, 5), 'f'))
    # in_channels is the constructor argument, so a lazily built link shows None.
    assert str(lazy) == (
        'Convolution2D(in_channels=None, out_channels=4, ksize=3, stride=(2, 2), '
        'pad=(0, 0), nobias=True, dilate=(1, 1), groups=1)')
    # The other convolution links print no specs.
    assert str(L.ConvolutionND(1, 3, 4, 3)) == 'ConvolutionND()'
    assert str(L.Deconvolution2D(3, 4, 3)) == 'Deconvolution2D()'
    assert str(L.DilatedConvolution2D(3, 4, 3)) == 'DilatedConvolution2D()'


def test_convolution_2d_has_chainers_layout_flags():
    link = L.Convolution2D(2, 3, 3)
    assert link.cudnn_fast is False and link.x_layout is None


@pytest.mark.parametrize('x, error', [
    (numpy.float32(1), TypeError), ([[1.0]], TypeError),
    (numpy.zeros((2, 3, 6), numpy.float32), type_check.InvalidType),
    (numpy.zeros((2, 3, 6, 6, 1), numpy.float32), type_check.InvalidType)])
def test_local_convolution_lazy_refuses_a_bad_first_input(x, error):
    # A 3-d input was an IndexError from the lazy initialization.
    link = L.LocalConvolution2D(None, 2, ksize=3)
    with pytest.raises(error):
        link(x)
    assert link.W.array is None
    assert link(numpy.ones((1, 3, 5, 5), numpy.float32)).shape == (1, 2, 3, 3)
