"""The blocked NumPy paths of the softmax helpers give the whole-array results, bit
for bit: each slice along the axis goes through the same operations in either."""
import numpy
import pytest

from chainer.utils import array as array_utils


def _whole(monkeypatch):
    monkeypatch.setattr(array_utils, '_SOFTMAX_BLOCKED_BYTES', 1 << 62)


def _blocked(monkeypatch):
    # blocks of a few slices even for small arrays
    monkeypatch.setattr(array_utils, '_SOFTMAX_BLOCKED_BYTES', 0)
    monkeypatch.setattr(array_utils, '_BLOCK_BYTES', 32)


def _bits(a):
    a = numpy.asarray(a)
    return a.dtype, a.shape, numpy.ascontiguousarray(a).tobytes()


def _inputs(shape, dtype, scale=3.0):
    x = (numpy.random.randn(*shape) * scale).astype(dtype)
    flat = x.reshape(-1)
    n = flat.size
    # infinities, a NaN, signed zeros and a large logit in some slices
    for k, v in enumerate([numpy.inf, -numpy.inf, numpy.nan, -0.0, 0.0, 6e4]):
        flat[(k * 7919) % n] = v
    return x


_HELPERS = [
    ('log_softmax', lambda x, axis: array_utils.log_softmax(x, axis)[0]),
    ('log_softmax_and_softmax', lambda x, axis: array_utils.log_softmax(x, axis, True)),
    ('softmax', array_utils.softmax),
    ('logsumexp', array_utils.logsumexp),
]
_SHAPES = [((13, 11), 1), ((13, 11), -1), ((6, 5, 70), 1), ((6, 5, 70), 2),
           ((4, 3, 300), 1), ((5, 4, 3, 2), 1), ((5, 4, 3, 2), 2), ((9, 6, 1), 1),
           ((3, 400), 1), ((12, 7), 0)]


@pytest.mark.parametrize('name, helper', _HELPERS)
@pytest.mark.parametrize('shape, axis', _SHAPES)
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_blocked_helpers_bitwise(monkeypatch, name, helper, shape, axis, dtype):
    x = _inputs(shape, dtype)
    with numpy.errstate(all='ignore'):
        _whole(monkeypatch)
        assert array_utils._softmax_rows(array_utils.as_compute(x), axis) is None
        expected = helper(x, axis)
        _blocked(monkeypatch)
        rows = array_utils._softmax_rows(array_utils.as_compute(x), axis)
        if axis != 0:
            assert rows is not None and len(rows[1]) > 1
        got = helper(x, axis)
    if isinstance(expected, tuple):
        assert [_bits(a) for a in got] == [_bits(a) for a in expected]
    else:
        assert _bits(got) == _bits(expected)


@pytest.mark.parametrize('scale', [1.0, 300.0])  # one global shift, or the maxima
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_blocked_global_shift_bitwise(monkeypatch, scale, dtype):
    # an inner axis followed by few elements: the shift is softmax_shift of the
    # whole array, shared by the blocks
    x = (numpy.random.randn(8, 20, 3) * scale).astype(dtype)
    _whole(monkeypatch)
    expected = [array_utils.log_softmax(x, 1, True), array_utils.softmax(x, 1),
                array_utils.logsumexp(x, 1)]
    _blocked(monkeypatch)
    assert array_utils._softmax_rows(x, 1)[2] is not None
    got = [array_utils.log_softmax(x, 1, True), array_utils.softmax(x, 1),
           array_utils.logsumexp(x, 1)]
    assert _bits(got[0][0]) == _bits(expected[0][0])
    assert _bits(got[0][1]) == _bits(expected[0][1])
    assert _bits(got[1]) == _bits(expected[1])
    assert _bits(got[2]) == _bits(expected[2])


@pytest.mark.parametrize('shape', [(9, 7), (6, 5, 3, 4)])
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_blocked_log_softmax_at_bitwise(monkeypatch, shape, dtype):
    x = _inputs(shape, dtype)
    x[2] = -numpy.inf  # a whole row of -inf: NaN log-probabilities
    index = numpy.random.randint(0, shape[1], (shape[0],) + shape[2:]).astype(numpy.int32)
    with numpy.errstate(all='ignore'):
        _whole(monkeypatch)
        expected = array_utils.log_softmax_at(x, index)
        _blocked(monkeypatch)
        got = array_utils.log_softmax_at(x, index)
    assert [_bits(a) for a in got] == [_bits(a) for a in expected]
    assert got[1].shape == (shape[0], 1) + shape[2:]


def test_rows_take_only_large_c_contiguous_numpy_arrays(monkeypatch):
    # a non-contiguous x keeps the whole-array path (its temporaries follow its
    # memory order, and so the sums along the axis: a transposed x sums otherwise
    # than its C-contiguous copy); so do the first axis, 0-size and small arrays
    x = numpy.random.randn(64, 32).astype(numpy.float32)
    monkeypatch.setattr(array_utils, '_BLOCK_BYTES', 96)
    assert array_utils._softmax_rows(x, 1) is None  # under _SOFTMAX_BLOCKED_BYTES
    monkeypatch.setattr(array_utils, '_SOFTMAX_BLOCKED_BYTES', 0)
    assert array_utils._softmax_rows(x, 1) is not None
    assert array_utils._softmax_rows(x.T, 1) is None
    assert array_utils._softmax_rows(x[:, ::2], 1) is None
    assert array_utils._softmax_rows(x, 0) is None
    assert array_utils._softmax_rows(x[:0], 1) is None
    assert array_utils._softmax_rows(x, 2) is None  # (the whole path raises)


def test_softmax_blocks_views(monkeypatch):
    _blocked(monkeypatch)
    y = numpy.random.rand(5, 4, 6).astype(numpy.float32)
    gy = numpy.random.rand(5, 4, 6).astype(numpy.float32)
    (yv, gyv), blocks = array_utils.softmax_blocks(2, y, gy)
    assert yv.shape == (20, 6) and numpy.shares_memory(yv, y) and numpy.shares_memory(gyv, gy)
    assert len(blocks) > 1
    (yv, gyv), blocks = array_utils.softmax_blocks(1, y, gy)
    assert yv.shape == (5, 4, 6)
    assert array_utils.softmax_blocks(1, y, gy.astype(numpy.float64)) is None
    assert array_utils.softmax_blocks(1, y, numpy.asfortranarray(gy)) is None
    assert array_utils.softmax_blocks(0, y, gy) is None
