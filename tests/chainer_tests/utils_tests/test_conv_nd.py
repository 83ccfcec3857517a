import numpy
import pytest

from chainer.utils import conv
from chainer.utils import conv_nd


@pytest.mark.parametrize('dims,k,s,p,cover_all,d', [
    ((5,), (2,), (1,), (0,), False, (1,)),
    ((6, 5), (3, 2), (2, 1), (1, 0), True, (1, 2)),
    ((4, 5, 3), (2, 2, 2), (1, 2, 1), (1, 0, 1), False, (1, 1, 2)),
])
def test_col2im_nd_is_adjoint_of_im2col_nd(dims, k, s, p, cover_all, d):
    img = numpy.random.rand(2, 3, *dims)
    col = conv_nd.im2col_nd(img, k, s, p, cover_all, d)
    out = tuple(conv.get_conv_outsize(dims[i], k[i], s[i], p[i], cover_all, d[i])
                for i in range(len(dims)))
    assert col.shape == (2, 3) + k + out
    g = numpy.random.rand(*col.shape)
    back = conv_nd.col2im_nd(g, s, p, dims, d)
    assert back.shape == img.shape
    numpy.testing.assert_allclose((col * g).sum(), (img * back).sum())


def test_im2col_nd_entries():
    img = numpy.arange(2 * 5 * 6, dtype=numpy.float32).reshape(1, 2, 5, 6)
    col = conv_nd.im2col_nd_cpu(img, (2, 3), (2, 1), (1, 0), dilate=(1, 2))
    for j in range(2):
        for i in range(3):
            for y in range(col.shape[4]):
                for x in range(col.shape[5]):
                    r, c = y * 2 + j - 1, x + i * 2
                    want = img[0, :, r, c] if 0 <= r < 5 and 0 <= c < 6 else 0
                    numpy.testing.assert_array_equal(col[0, :, j, i, y, x], want)
    # The 2-D helpers give the same patches.
    numpy.testing.assert_array_equal(conv.im2col_cpu(img, 2, 3, 2, 1, 1, 0, dy=1, dx=2), col)


def test_as_tuple():
    assert conv_nd.as_tuple(2, 3) == (2, 2, 2)
    assert conv_nd.as_tuple((1, 2), 2) == (1, 2)
    with pytest.raises(ValueError):
        conv_nd.as_tuple((1, 2), 3)


def test_outsize_formulas_live_in_one_place():
    import chainer.utils
    assert chainer.utils.get_conv_outsize is conv.get_conv_outsize
    assert conv_nd.get_conv_outsize is conv.get_conv_outsize
    assert conv.get_deconv_outsize(3, 3, 2, 1) == 5
    assert conv.get_conv_outsize(5, 3, 2, 1) == 3


def test_as_tuple_takes_integers_only():
    assert conv_nd.as_tuple(numpy.int64(2), 2) == (2, 2)
    assert conv_nd.as_tuple([1, numpy.int32(3)], 2) == (1, 3)
    for bad in (1.5, 2.0, (1, 2.0), None):
        with pytest.raises(TypeError):
            conv_nd.as_tuple(bad, 2)
    # A sequence of the wrong length: ValueError, and Chainer's AssertionError.
    with pytest.raises(ValueError) as info:
        conv_nd.as_tuple((1, 2, 3), 2)
    assert isinstance(info.value, AssertionError)


@pytest.mark.parametrize('call', [
    lambda F, x: F.max_pooling_2d(x, 2.0),
    lambda F, x: F.average_pooling_2d(x, 2, stride=1.5),
    lambda F, x: F.convolution_2d(x, numpy.ones((1, 1, 2, 2), numpy.float32), stride=1.5),
    lambda F, x: F.deconvolution_2d(x, numpy.ones((1, 1, 2, 2), numpy.float32), pad=0.5),
    lambda F, x: F.im2col(x, 2.0),
    lambda F, x: F.unpooling_2d(x, 2.0),
])
def test_float_window_arguments_raise_type_error(call):
    import chainer.functions as F
    with pytest.raises(TypeError):
        call(F, numpy.ones((1, 1, 4, 4), numpy.float32))


@pytest.mark.parametrize('call', [
    lambda F, x, W: F.convolution_2d(x, W, stride=0),
    lambda F, x, W: F.convolution_2d(x, W, pad=-1),
    lambda F, x, W: F.max_pooling_2d(x, 0),
    lambda F, x, W: F.average_pooling_2d(x, 2, stride=-1),
    lambda F, x, W: F.local_convolution_2d(x, numpy.ones((1, 3, 3, 1, 2, 2), numpy.float32),
                                           stride=0),
])
def test_non_positive_window_arguments(call):
    import chainer.functions as F
    x = numpy.ones((1, 1, 4, 4), numpy.float32)
    with pytest.raises(ValueError) as info:
        call(F, x, numpy.ones((1, 1, 2, 2), numpy.float32))
    assert isinstance(info.value, AssertionError)


def test_im2col_nd_cpu_takes_pval_fifth_as_chainer():
    img = numpy.arange(6, dtype=numpy.float32).reshape(1, 1, 6)
    col = conv_nd.im2col_nd_cpu(img, (2,), (2,), (1,), -2.5)
    assert col.shape == (1, 1, 2, 4)
    numpy.testing.assert_array_equal(col[0, 0, 0], [-2.5, 1, 3, 5])
    numpy.testing.assert_array_equal(col[0, 0, 1], [0, 2, 4, -2.5])
    # cover_all and dilate follow pval, positionally too.
    numpy.testing.assert_array_equal(
        conv_nd.im2col_nd_cpu(img, (2,), (4,), (0,), 0, True, (2,)),
        conv_nd.im2col_nd(img, (2,), (4,), (0,), cover_all=True, dilate=(2,)))


def test_col2im_nd_refuses_more_positions_than_the_image_has():
    col = numpy.ones((1, 1, 2, 2, 3, 3), numpy.float32)
    assert conv_nd.col2im_nd_cpu(col, (1, 1), (0, 0), (4, 4)).shape == (1, 1, 4, 4)
    with pytest.raises(ValueError, match='axis 0'):
        conv_nd.col2im_nd_cpu(col, (1, 1), (0, 0), (3, 4))
    with pytest.raises(ValueError, match='axis 1'):
        conv_nd.col2im_nd(col, (1, 1), (0, 0), (4, 4), (1, 2))


def test_col2im_nd_refuses_col_of_another_rank_than_dims():
    # Chainer asserted that col holds a kernel and an output axis per image axis.
    col = numpy.ones((1, 1, 2, 3, 3), numpy.float32)  # one kernel axis short
    for f in (conv_nd.col2im_nd, conv_nd.col2im_nd_cpu):
        with pytest.raises(AssertionError):
            f(col, (1, 1), (0, 0), (4, 4))
        with pytest.raises(ValueError):
            f(numpy.ones((1, 1, 2, 2, 3, 3), numpy.float32), (1, 1), (0, 0), (4,))


def _geometry(node) -> dict:
    names = ('sy', 'sx', 'ph', 'pw', 'kh', 'kw', 'dy', 'dx', 'outh', 'outw', 'cover_all')
    return {n: getattr(node, n) for n in names if hasattr(node, n)}


def test_2d_nodes_expose_chainers_per_axis_attributes():
    # Graph inspectors (cost estimators, exporters) read sy/sx/ph/pw/... off the
    # 2-D nodes, as Chainer named them; outh/outw hold the size used after forward.
    import chainer.functions as F

    rng = numpy.random.RandomState(0)
    x = rng.rand(2, 3, 6, 6).astype(numpy.float32)
    conv = F.convolution_2d(x, rng.rand(4, 3, 3, 3).astype(numpy.float32),
                            stride=(2, 1), pad=(1, 0), dilate=(1, 2)).creator
    assert _geometry(conv) == dict(sy=2, sx=1, ph=1, pw=0, dy=1, dx=2, cover_all=False)
    deconv = F.deconvolution_2d(x, rng.rand(3, 2, 3, 3).astype(numpy.float32),
                                stride=2, pad=1).creator
    assert _geometry(deconv) == dict(sy=2, sx=2, ph=1, pw=1, dy=1, dx=1, outh=11, outw=11,
                                     cover_all=None)
    avg = F.average_pooling_2d(x, 3, 2, 1).creator
    assert _geometry(avg) == dict(sy=2, sx=2, ph=1, pw=1, kh=3, kw=3, cover_all=False)
    assert (avg.return_indices, avg.is_cudnn_used) == (False, False)
    unpool = F.unpooling_2d(x, 2, cover_all=False).creator
    assert _geometry(unpool) == dict(sy=2, sx=2, ph=0, pw=0, kh=2, kw=2, outh=12, outw=12,
                                     cover_all=False)
    y, indexes = F.max_pooling_2d(x, 2, return_indices=True)
    assert y.creator.return_indices is True
    up = F.upsampling_2d(y, indexes, 2, outsize=(6, 6)).creator
    assert _geometry(up) == dict(sy=2, sx=2, ph=0, pw=0, kh=2, kw=2, outh=6, outw=6,
                                 cover_all=True)
    assert F.deconvolution_nd(x[:, :, 0], rng.rand(3, 2, 3).astype(numpy.float32)
                              ).creator.outs == (8,)


@pytest.mark.parametrize('ksize', [(1, 1), (3, 4)])
def test_im2col_is_new_memory(ksize):
    # 1x1 and whole-image windows are plain views of img: col must not share
    # img's memory (Chainer's never did), so writing into it leaves img alone
    img = numpy.arange(24, dtype=numpy.float32).reshape(1, 2, 3, 4)
    for col in (conv.im2col_cpu(img, *ksize, 1, 1, 0, 0),
                conv_nd.im2col_nd_cpu(img, ksize, 1, 0)):
        assert not numpy.shares_memory(col, img)


def test_as_tuple_messages_print_numpy_scalars_as_chainer_did():
    with pytest.raises(TypeError, match=r'^expected an integer, got 2\.0 \(float32\)$'):
        conv_nd.as_tuple(numpy.float32(2), 2)
    with pytest.raises(ValueError, match=r'^expected a tuple of length 3, got \(2, 1\)$'):
        conv_nd.as_tuple((numpy.int64(2), numpy.int32(1)), 3)


@pytest.mark.parametrize('call', [
    lambda x: conv_nd.im2col_nd_cpu(x, (2, 2), (1, 1), (0, 0), dilate=(-1, -1)),
    lambda x: conv.im2col_cpu(x, 2, 2, 1, 1, 0, 0, dy=-2, dx=1),
    lambda x: __import__('chainer').functions.im2col(x, 2, dilate=-1),
])
def test_im2col_refuses_a_negative_dilation(call):
    # the strided view read memory before the image (garbage values); Chainer 7.8.1's
    # padding failed to broadcast (ValueError)
    x = numpy.arange(25, dtype=numpy.float32).reshape(1, 1, 5, 5)
    with pytest.raises(ValueError, match='dilate must not be negative'):
        call(x)
