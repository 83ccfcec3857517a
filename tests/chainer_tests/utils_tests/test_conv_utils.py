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
