"""Functions that index with user data reject out-of-range indices.

NumPy raises on most of them by itself; CuPy wraps them instead, so on the GPU
every such function checks (the ``gpu`` tests compare CuPy with NumPy).
"""
import numpy
import pytest

import chainer
import chainer.functions as F
from chainer.functions.array.get_item import _check_array_indices
from chainer.utils.array import check_index_range

X = numpy.random.RandomState(0).uniform(-1, 1, (4, 3)).astype(numpy.float32)


def _bad_label_calls(xp):
    """(name, call) pairs that each index with one out-of-range label."""
    x = xp.asarray(X)
    t_big = xp.asarray([0, 3, 1, 2], numpy.int32)
    t_neg = xp.asarray([0, -2, 1, 2], numpy.int32)
    w = xp.ones((3, 3), numpy.float32)
    xs = [xp.asarray(X[:, :3])] * 2
    return [
        ('softmax_cross_entropy', lambda: F.softmax_cross_entropy(x, t_big)),
        ('softmax_cross_entropy negative',
         lambda: F.softmax_cross_entropy(x, t_neg)),
        ('softmax_cross_entropy nd', lambda: F.softmax_cross_entropy(
            x.reshape(2, 3, 2), xp.asarray([[0, 3], [1, 2]], numpy.int32))),
        ('softmax_cross_entropy ignore',
         lambda: F.softmax_cross_entropy(x, xp.asarray([-1, 3, 1, 2], numpy.int32))),
        ('hinge', lambda: F.hinge(x, t_big)),
        ('embed_id', lambda: F.embed_id(t_big, w)),
        ('embed_id negative', lambda: F.embed_id(t_neg, w, ignore_label=-1)),
        ('black_out', lambda: F.black_out(x, xp.asarray([0, 1, 2, 3], numpy.int32),
                                          xp.ones((3, 3), numpy.float32),
                                          xp.zeros((4, 2), numpy.int32))),
        ('negative_sampling', lambda: F.negative_sampling(
            x, t_big, xp.ones((3, 3), numpy.float32),
            lambda shape: numpy.zeros(shape, numpy.int32), 2)),
        ('crf1d', lambda: F.crf1d(xp.zeros((3, 3), numpy.float32), xs,
                                  [xp.asarray([0, 1, 2, 3], numpy.int32),
                                   xp.asarray([0, 1, 2, 0], numpy.int32)])),
        ('connectionist_temporal_classification',
         lambda: F.connectionist_temporal_classification(
             xs, xp.asarray([[1, 3]] * 4, numpy.int32), 0)),
    ]


@pytest.mark.parametrize('index', range(len(_bad_label_calls(numpy))))
def test_bad_label_raises_on_cpu(index):
    name, call = _bad_label_calls(numpy)[index]
    # Also the IndexError that NumPy's indexing raised in Chainer.
    with pytest.raises(ValueError) as info:
        call()
    assert isinstance(info.value, IndexError)


def test_permutate_out_of_range_is_also_an_index_error():
    with pytest.raises(IndexError):
        F.permutate(X, numpy.array([0, 1, 2, 5], numpy.int32))


def test_non_integer_indices_raise_index_error():
    with pytest.raises(IndexError):
        check_index_range(numpy.zeros(2, numpy.float32), 3)
    x = numpy.ones((1, 1, 2, 2), numpy.float32)
    with pytest.raises(IndexError):
        F.upsampling_2d(x, numpy.zeros((1, 1, 2, 2), numpy.float32), 2)
    with pytest.raises(IndexError):
        F.negative_sampling(X, numpy.zeros(4, numpy.int32), numpy.ones((3, 3), numpy.float32),
                            lambda shape: numpy.zeros(shape, numpy.float32), 2)


def test_select_item_checks_labels_in_debug_mode():
    t = numpy.array([0, -1, 1, 2], numpy.int32)
    # NumPy indexing semantics outside debug mode (a negative label counts from the end)
    numpy.testing.assert_array_equal(F.select_item(X, t).array, X[numpy.arange(4), t])
    with chainer.using_config('debug', True):
        # Chainer's debug-mode text, its typo included.
        with pytest.raises(ValueError, match=r'^Each label `t` need to satisfty '
                                             r'`0 <= t < x\.shape\[1\]`$'):
            F.select_item(X, t)


def test_softmax_cross_entropy_checks_labels_in_debug_mode():
    with chainer.using_config('debug', True):
        with pytest.raises(ValueError, match=r'^Each label `t` need to satisfy '
                                             r'`0 <= t < x\.shape\[1\] or t == -1`$'):
            F.softmax_cross_entropy(X, numpy.array([0, 3, 1, 2], numpy.int32))
        loss = F.softmax_cross_entropy(X, numpy.array([0, -1, 1, 2], numpy.int32))
    assert numpy.isfinite(loss.array)


@pytest.mark.parametrize('shape, slices', [
    ((4, 3), (numpy.array([0, 4]),)),
    ((4, 3), (slice(None), numpy.array([2, 3]))),
    ((4, 3), (Ellipsis, numpy.array([-4]))),
    ((4, 3, 2), (None, numpy.array([True, False, False, True]), numpy.array([0, 3]))),
    ((4, 3, 2), (numpy.array([0, 1]), Ellipsis, [0, 2])),
])
def test_get_item_array_index_check(shape, slices):
    with pytest.raises(ValueError, match='out of range'):
        _check_array_indices(numpy, shape, slices)


@pytest.mark.parametrize('shape, slices', [
    ((4, 3), (numpy.array([0, 3, -4]),)),
    ((4, 3), (Ellipsis, numpy.array([-3, 2]))),
    ((4, 3, 2), (None, numpy.array([True, False, False, True]), numpy.array([0, 2]))),
    ((4, 3, 2), (numpy.array([0, 1]), Ellipsis, [0, 1])),
    ((4, 3), (1, [0, 2])),
])
def test_get_item_array_index_check_passes(shape, slices):
    _check_array_indices(numpy, shape, slices)
    numpy.zeros(shape)[slices]  # NumPy agrees


def test_check_index_range_message_and_ignore():
    check_index_range(numpy.array([0, 2, -1]), 3, ignore=-1)
    check_index_range(numpy.array([], numpy.int32), 0)
    with pytest.raises(ValueError, match=r'label out of range: 5 is not in \[0, 3\)'):
        check_index_range(numpy.array([0, 5]), 3, 'label', ignore=-1)


# -- GPU: CuPy wraps out-of-range indices, so the functions must check -------------

@pytest.mark.gpu
@pytest.mark.parametrize('index', range(len(_bad_label_calls(numpy))))
def test_bad_label_raises_on_gpu(index):
    import cupy
    name, call = _bad_label_calls(cupy)[index]
    with pytest.raises(ValueError):
        call()


@pytest.mark.gpu
def test_get_item_and_select_item_check_on_gpu():
    import cupy
    x = cupy.asarray(X)
    with pytest.raises(ValueError, match='out of range'):
        F.get_item(x, cupy.asarray([0, 4]))
    with pytest.raises(ValueError, match='out of range'):
        F.get_item(x, (Ellipsis, cupy.asarray([3])))
    with pytest.raises(ValueError, match='out of range'):
        F.select_item(x, cupy.asarray([0, 3, 1, 2], numpy.int32))
    # negative indices within range follow NumPy
    idx = numpy.array([0, -1, 2])
    numpy.testing.assert_array_equal(
        cupy.asnumpy(F.get_item(x, cupy.asarray(idx)).array), X[idx])


@pytest.mark.gpu
@pytest.mark.parametrize('t, ignore_label', [
    ([0, 1, 1, 2], -1), ([0, -1, 1, 2], -1), ([0, 2, 1, 2], 2)])
@pytest.mark.parametrize('reduce', ['mean', 'no'])
def test_softmax_cross_entropy_gpu_matches_cpu(t, ignore_label, reduce):
    import cupy
    out = []
    for xp in (numpy, cupy):
        x = chainer.Variable(xp.asarray(X))
        loss = F.softmax_cross_entropy(x, xp.asarray(t, numpy.int32),
                                       ignore_label=ignore_label, reduce=reduce)
        loss.grad = xp.ones_like(loss.array)
        loss.backward()
        out.append((cupy.asnumpy(loss.array), cupy.asnumpy(x.grad)))
    for a, b in zip(*out):
        numpy.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


@pytest.mark.gpu
def test_embed_id_gpu_matches_cpu():
    import cupy
    W = numpy.arange(12, dtype=numpy.float32).reshape(4, 3)
    ids = numpy.array([[0, 3], [-1, 2]], numpy.int32)
    ys = [F.embed_id(xp.asarray(ids), xp.asarray(W), ignore_label=-1).array
          for xp in (numpy, cupy)]
    numpy.testing.assert_array_equal(ys[0], cupy.asnumpy(ys[1]))


def test_embed_id_out_of_range_has_chainers_debug_text():
    for debug in (False, True):
        with chainer.using_config('debug', debug):
            with pytest.raises(ValueError, match=r'^Each not ignored `x` value need to satisfy '
                                                 r'`0 <= x < len\(W\)`$'):
                F.embed_id(numpy.array([5], numpy.int32), numpy.ones((3, 2), numpy.float32))
