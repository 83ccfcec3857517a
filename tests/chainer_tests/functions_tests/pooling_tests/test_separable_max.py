"""The separable NumPy max pooling forward (``pooling_nd._separable_max``, which reads
no padded copy) against the offset-by-offset sweep over the padded image: values and
window offsets bit for bit, ties, NaN (several payloads), infinities, signed zeros
and all-padding windows included."""
import itertools

import numpy
import pytest

import chainer.functions as F
from chainer.functions.pooling import pooling_nd
from chainer.utils import conv

_BITS = {numpy.float16: numpy.uint16, numpy.float32: numpy.uint32,
         numpy.float64: numpy.uint64}

_CASES = [  # (dims, ksize, stride, pad)
    ((7, 9), (3, 3), (2, 2), (1, 1)),
    ((8, 8), (3, 3), (2, 2), (0, 0)),
    ((6, 7), (3, 3), (1, 1), (1, 1)),
    ((5, 6), (2, 2), (2, 2), (0, 0)),
    ((7, 5), (2, 3), (1, 2), (1, 0)),
    ((9, 8), (5, 4), (2, 3), (2, 1)),
    ((6, 6), (3, 1), (2, 1), (1, 0)),
    ((5, 6), (2, 3), (1, 2), (2, 3)),  # windows all padding along an axis
    ((3, 4), (4, 5), (1, 2), (1, 2)),  # windows wider than the image
    ((6, 6), (1, 3), (1, 2), (0, 1)),
    ((5, 6, 7), (3, 3, 3), (2, 2, 2), (1, 1, 1)),
    ((4, 5, 6), (2, 1, 3), (1, 2, 2), (0, 0, 1)),
    ((5, 4, 6), (1, 2, 3), (2, 1, 1), (1, 0, 1)),
    ((4, 5, 6), (1, 3, 2), (2, 1, 2), (1, 1, 0)),
]


def _nans(dtype):
    """Quiet NaNs with different payloads (one negative)."""
    bits = numpy.array([numpy.nan, -numpy.nan, numpy.nan], dtype).view(_BITS[dtype])
    bits[2] += 1
    return bits.view(dtype)


def _input(shape, dtype, kind, rng):
    if kind == 'ties':
        vals = numpy.array([-1, 0, 1, 2], dtype)
    elif kind == 'zeros':
        vals = numpy.array([-0.0, 0.0, -1], dtype)
    elif kind == 'inf':
        vals = numpy.array([-numpy.inf, numpy.inf, 0, 1], dtype)
    else:
        vals = numpy.concatenate([_nans(dtype), numpy.array([-numpy.inf, -0.0, 0.0, 1], dtype)])
    return vals[rng.randint(0, len(vals), shape)]


def _both(monkeypatch, x, ksize, stride, pad, out):
    monkeypatch.setattr(pooling_nd, '_separable_pays', lambda *args: False)
    expect = pooling_nd.window_max(x, ksize, stride, pad, out)
    monkeypatch.setattr(pooling_nd, '_separable_pays', lambda *args: True)
    got = pooling_nd.window_max(x, ksize, stride, pad, out)
    assert got[0].flags.c_contiguous and got[1].flags.c_contiguous
    return expect, got


@pytest.mark.parametrize('dims,ksize,stride,pad', _CASES)
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('cover_all', [False, True])
@pytest.mark.parametrize('kind', ['ties', 'zeros', 'inf', 'nan'])
def test_separable_max_bitwise_as_the_sweep(monkeypatch, dims, ksize, stride, pad, dtype,
                                            cover_all, kind):
    rng = numpy.random.RandomState(len(dims) * 1000 + sum(ksize) * 10 + int(cover_all))
    out = tuple(conv.get_conv_outsize(d, k, s, p, cover_all)
                for d, k, s, p in zip(dims, ksize, stride, pad))
    bits = _BITS[dtype]
    for _ in range(4):
        x = _input((2, 3) + dims, dtype, kind, rng)
        (y0, i0), (y1, i1) = _both(monkeypatch, x, ksize, stride, pad, out)
        assert y1.dtype == y0.dtype and i1.dtype == i0.dtype == numpy.int32
        numpy.testing.assert_array_equal(y1.view(bits), y0.view(bits))
        numpy.testing.assert_array_equal(i1, i0)


def test_separable_max_every_3x3_window_of_three_values(monkeypatch):
    """All 3**9 windows over {-0.0, 0.0, 1} (ties and signed zeros everywhere)."""
    vals = numpy.array([-0.0, 0.0, 1.0], numpy.float32)
    wins = numpy.array(list(itertools.product(range(3), repeat=9)))
    x = vals[wins].reshape(1, -1, 3, 3)
    (y0, i0), (y1, i1) = _both(monkeypatch, x, (3, 3), (1, 1), (0, 0), (1, 1))
    numpy.testing.assert_array_equal(y1.view(numpy.uint32), y0.view(numpy.uint32))
    numpy.testing.assert_array_equal(i1, i0)


def test_overlapping_windows_take_the_separable_path(monkeypatch):
    calls = []
    inner = pooling_nd._separable_max

    def spy(*args):
        calls.append(args[1])
        return inner(*args)

    monkeypatch.setattr(pooling_nd, '_separable_max', spy)
    x = numpy.random.uniform(-1, 1, (2, 3, 16, 16)).astype(numpy.float32)
    F.max_pooling_2d(x, 3, 2, 1, cover_all=False)  # the ResNet stem's
    F.max_pooling_2d(x[:, :, :8, :8], 3, 1, 1)
    F.max_pooling_2d(x, 2)  # no overlap: the sweep
    F.max_pooling_1d(x[:, :, 0], 3, 1, 1)  # one axis: the sweep
    F.max_pooling_2d(x, (3, 1), 1, 1)
    F.max_pooling_3d(x[:, :, :4, :5, None], (2, 3, 1), (2, 2, 1))
    assert calls == [(3, 3), (3, 3), (2, 3, 1)]
