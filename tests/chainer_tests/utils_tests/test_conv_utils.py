import numpy
import pytest

from chainer.utils import conv


@pytest.mark.parametrize('args', [
    (2, 3, 1, 1, 0, 0, False, 1, 1), (3, 2, 2, 1, 1, 0, True, 1, 2),
    (2, 2, 1, 1, 0, 1, False, 2, 1)])
def test_col2im_is_adjoint_of_im2col(args):
    kh, kw, sy, sx, ph, pw, cover_all, dy, dx = args
    img = numpy.random.rand(2, 3, 7, 6)
    col = conv.im2col_cpu(img, kh, kw, sy, sx, ph, pw, cover_all=cover_all, dy=dy, dx=dx)
    assert col.shape[:4] == (2, 3, kh, kw)
    assert col.shape[4] == conv.get_conv_outsize(7, kh, sy, ph, cover_all, dy)
    assert col.shape[5] == conv.get_conv_outsize(6, kw, sx, pw, cover_all, dx)
    g = numpy.random.rand(*col.shape)
    back = conv.col2im_cpu(g, sy, sx, ph, pw, 7, 6, dy, dx)
    assert back.shape == img.shape
    numpy.testing.assert_allclose((col * g).sum(), (img * back).sum())


def test_pval_and_explicit_out_size():
    img = numpy.zeros((1, 1, 2, 2), numpy.float32)
    col = conv.im2col_cpu(img, 3, 3, 1, 1, 1, 1, pval=-1)
    assert col.shape == (1, 1, 3, 3, 2, 2)
    assert col[0, 0, 0, 0, 0, 0] == -1 and col[0, 0, 1, 1, 0, 0] == 0
    col = conv.im2col_cpu(img, 1, 1, 1, 1, 0, 0, out_h=1, out_w=2)
    assert col.shape == (1, 1, 1, 1, 1, 2)


def test_non_positive_output():
    with pytest.raises(AssertionError):
        conv.im2col_cpu(numpy.zeros((1, 1, 2, 2)), 3, 3, 1, 1, 0, 0)


def test_im2col_takes_cover_all_eighth_as_chainer():
    # im2col has no pval: its eighth positional argument is cover_all.
    img = numpy.random.rand(1, 2, 5, 5).astype(numpy.float32)
    col = conv.im2col(img, 2, 2, 2, 2, 0, 0, True)
    numpy.testing.assert_array_equal(
        col, conv.im2col_cpu(img, 2, 2, 2, 2, 0, 0, cover_all=True))
    assert col.shape[4:] == (3, 3)
    numpy.testing.assert_array_equal(col, conv.im2col_gpu(img, 2, 2, 2, 2, 0, 0, True))


def test_col2im_refuses_more_positions_than_the_image_has():
    col = numpy.ones((1, 1, 2, 2, 3, 3), numpy.float32)
    assert conv.col2im_cpu(col, 1, 1, 0, 0, 4, 4).shape == (1, 1, 4, 4)
    with pytest.raises(ValueError, match='height'):
        conv.col2im_cpu(col, 1, 1, 0, 0, 3, 4)
    with pytest.raises(ValueError, match='width'):
        conv.col2im_cpu(col, 1, 1, 0, 0, 4, 4, dx=2)
    # cover_all's margin of stride - 1 pixels is allowed.
    col = numpy.ones((1, 1, 2, 2, 3, 3), numpy.float32)
    assert conv.col2im_cpu(col, 2, 2, 0, 0, 5, 5).shape == (1, 1, 5, 5)


def test_col2im_takes_six_dimensional_col():
    with pytest.raises(ValueError, match='6-dimensional'):
        conv.col2im_cpu(numpy.ones((1, 1, 2, 2, 3), numpy.float32), 1, 1, 0, 0, 4, 4)


def test_im2col_refuses_an_out_size_the_image_does_not_hold():
    img = numpy.random.rand(1, 2, 4, 5).astype(numpy.float32)
    # Fewer positions than the image holds are a prefix of the full patches.
    full = conv.im2col_cpu(img, 2, 2, 1, 1, 0, 0)
    numpy.testing.assert_array_equal(
        conv.im2col_cpu(img, 2, 2, 1, 1, 0, 0, out_h=2, out_w=3), full[..., :2, :3])
    # cover_all's margin of stride - 1 pixels is allowed.
    assert conv.im2col_cpu(img, 2, 2, 2, 2, 0, 0, out_h=2, out_w=3).shape[4:] == (2, 3)
    with pytest.raises(ValueError, match='width'):
        conv.im2col_cpu(img, 3, 1, 3, 1, 1, 0, pval=1, cover_all=True, out_w=6)
    with pytest.raises(ValueError, match='height'):
        conv.im2col(img, 2, 2, 1, 1, 0, 0, out_h=4)


@pytest.mark.parametrize('stride', [0, -1])
def test_stride_below_one_with_given_sizes(stride):
    # Chainer's slicing raised ValueError for a zero step; a negative one read
    # the image backwards.
    img = numpy.ones((1, 1, 4, 4), numpy.float32)
    with pytest.raises(ValueError, match='stride'):
        conv.im2col_cpu(img, 2, 2, 1, stride, 0, 0, out_w=2)
    with pytest.raises(ValueError, match='stride'):
        conv.col2im_cpu(numpy.ones((1, 1, 2, 2, 3, 3)), stride, 1, 0, 0, 4, 4)
