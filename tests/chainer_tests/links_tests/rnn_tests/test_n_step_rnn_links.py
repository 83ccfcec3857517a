"""Tests of the NStep* links: sorting of unsorted input, parameters, lazy input size,
save and load."""
import numpy
import pytest

import chainer
import chainer.functions as F
import chainer.links as L
from chainer.links.rnn.n_step_rnn import argsort_list_descent
from chainer.links.rnn.n_step_rnn import permutate_list
from tests.chainer_tests.functions_tests.rnn_tests import _reference as R

# class -> (weights per cell, directions, has cell state, reference step)
_LINKS = {
    L.NStepLSTM: (8, 1, True, R.lstm_step),
    L.NStepBiLSTM: (8, 2, True, R.lstm_step),
    L.NStepGRU: (6, 1, False, R.gru_step),
    L.NStepBiGRU: (6, 2, False, R.gru_step),
    L.NStepRNNTanh: (2, 1, False, R.rnn_step('tanh')),
    L.NStepRNNReLU: (2, 1, False, R.rnn_step('relu')),
    L.NStepBiRNNTanh: (2, 2, False, R.rnn_step('tanh')),
    L.NStepBiRNNReLU: (2, 2, False, R.rnn_step('relu')),
}


def _run(link, with_c, hx, xs):
    if with_c:
        return link(hx, hx, xs)
    return link(hx, xs)


@pytest.mark.parametrize('cls', list(_LINKS))
def test_unsorted_sequences_match_reference(cls):
    n_w, n_dirs, with_c, step = _LINKS[cls]
    link = cls(2, 3, 4, 0.0)
    lengths = (2, 4, 1, 4)
    xs = [numpy.random.uniform(-1, 1, (n, 3)).astype(numpy.float32) for n in lengths]
    hx = numpy.random.uniform(-1, 1, (2 * n_dirs, len(xs), 4)).astype(numpy.float32)
    out = _run(link, with_c, hx, xs)
    ws = [[w.array for w in ws] for ws in link.ws]
    bs = [[b.array for b in bs] for bs in link.bs]
    rh, rc, rys = R.n_step(step, 2, n_dirs, hx, hx if with_c else None, ws, bs, xs)
    numpy.testing.assert_allclose(out[0].array, rh, atol=1e-5)
    if with_c:
        numpy.testing.assert_allclose(out[1].array, rc, atol=1e-5)
    assert len(out[-1]) == len(xs)
    for y, r in zip(out[-1], rys):
        numpy.testing.assert_allclose(y.array, r, atol=1e-5)
    sum(chainer.functions.sum(y) for y in out[-1]).backward()
    assert all(p.grad is not None for p in link.params())


@pytest.mark.parametrize('cls', list(_LINKS))
def test_parameters(cls):
    n_w, n_dirs, with_c, _ = _LINKS[cls]
    link = cls(2, 3, 4, 0.1)
    assert link[0].w0.shape == (4, 3)
    assert getattr(link[0], f'w{n_w - 1}').shape == (4, 4)
    assert link[n_dirs].w0.shape == (4, 4 * n_dirs)
    assert numpy.all(link[0].b0.array == 0)
    assert link.n_cells == (2 if with_c else 1)


def test_lazy_in_size_and_initializers():
    link = L.NStepLSTM(1, None, 4, 0.0, initialW=0.5, initial_bias=0.25)
    assert link[0].w0.array is None
    assert link[0].w4.shape == (4, 4)
    hy, cy, ys = link(None, None, [numpy.ones((2, 5), numpy.float32)])
    assert link[0].w0.shape == (4, 5)
    numpy.testing.assert_array_equal(link[0].w0.array, 0.5)
    numpy.testing.assert_array_equal(link[0].b3.array, 0.25)
    assert ys[0].shape == (2, 4)


def test_hx_none_and_init_hx():
    link = L.NStepBiGRU(2, 3, 4, 0.0)
    xs = [numpy.ones((3, 3), numpy.float32), numpy.ones((2, 3), numpy.float32)]
    hy, ys = link(None, xs)
    hy0, ys0 = link(link.init_hx(xs), xs)
    numpy.testing.assert_array_equal(hy.array, hy0.array)
    assert hy.shape == (4, 2, 4) and ys[0].shape == (3, 8)


def test_bad_arguments():
    with pytest.raises(ValueError):
        L.NStepLSTM(1, 3, 4, 0.0, use_cudnn=True)
    with pytest.raises(TypeError):
        L.NStepLSTM(1, 3, 4, 0.0, foo=1)
    link = L.NStepLSTM(1, 3, 4, 0.0)
    with pytest.raises(ValueError, match='at least one sequence'):
        link(None, None, [])
    with pytest.raises(IndexError):  # what Chainer raised, taking xs[0]
        L.NStepGRU(1, 3, 4, 0.0)(None, [])
    with pytest.raises(ValueError):
        link(None, None, [numpy.ones((2, 3), numpy.float32)], train=True)
    with pytest.raises(TypeError, match=r"^forward\(\) got unexpected keyword argument\(s\) 'foo'"):
        link(None, None, [numpy.ones((2, 3), numpy.float32)], foo=1)


def test_sort_helpers():
    xs = [numpy.zeros(n) for n in (1, 3, 2, 3)]
    idx = argsort_list_descent(xs)
    assert idx.dtype == numpy.int32
    assert [len(xs[i]) for i in idx] == [3, 3, 2, 1]
    perm = permutate_list(xs, idx, inv=False)
    assert permutate_list(perm, idx, inv=True) == xs


def test_sort_ties_follow_numpy_default_sort():
    # Chainer sorts with NumPy's default (unstable) argsort; the order of equal
    # lengths decides which rows each seeded dropout mask falls on.
    lengths = [3, 1, 4, 2, 2, 4, 3, 1, 4, 4, 1, 2, 3, 4, 2, 1, 3, 3, 1, 4]
    xs = [numpy.zeros((n, 2), numpy.float32) for n in lengths]
    expected = numpy.argsort([-n for n in lengths])
    numpy.testing.assert_array_equal(argsort_list_descent(xs), expected)


def test_nstep_lstm_dropout_masks_follow_sorted_order():
    numpy.random.seed(0)
    lengths = [2, 1, 3, 3, 1, 2, 3, 2, 1, 3, 2, 3, 1, 1, 2, 3, 2, 1, 3, 2]
    xs = [numpy.random.randn(n, 3).astype(numpy.float32) for n in lengths]
    link = L.NStepLSTM(2, 3, 4, 0.5)
    order = numpy.argsort([-n for n in lengths])
    numpy.random.seed(1)
    hy, cy, ys = link(None, None, xs)
    numpy.random.seed(1)
    h0 = numpy.zeros((2, len(xs), 4), numpy.float32)
    fhy, fcy, fys = F.n_step_lstm(2, 0.5, h0, h0, link.ws, link.bs,
                                  F.transpose_sequence([xs[i] for i in order]))
    numpy.testing.assert_allclose(hy.array[:, order], fhy.array, rtol=1e-6, atol=1e-6)
    numpy.testing.assert_allclose(cy.array[:, order], fcy.array, rtol=1e-6, atol=1e-6)


@pytest.mark.gpu
def test_nstep_lstm_gpu_matches_cpu():
    import cupy
    cpu = L.NStepBiLSTM(2, 3, 4, 0.0)
    gpu = cpu.copy('copy')
    gpu.to_gpu()
    xs = [numpy.random.uniform(-1, 1, (n, 3)).astype(numpy.float32) for n in (2, 3, 1)]
    hc, cc, yc = cpu(None, None, xs)
    hg, cg, yg = gpu(None, None, [cupy.asarray(x) for x in xs])
    numpy.testing.assert_allclose(cupy.asnumpy(hg.array), hc.array, atol=1e-5)
    for a, b in zip(yg, yc):
        numpy.testing.assert_allclose(cupy.asnumpy(a.array), b.array, atol=1e-5)
    sum(chainer.functions.sum(y) for y in yc).backward()
    sum(chainer.functions.sum(y) for y in yg).backward()
    numpy.testing.assert_allclose(cupy.asnumpy(gpu[0].w0.grad), cpu[0].w0.grad, atol=1e-4)


@pytest.mark.parametrize('cls', list(_LINKS))
def test_wrong_feature_count_is_value_error_and_invalid_type(cls):
    # Chainer raised ValueError for most cells and InvalidType for the GRUs.
    from chainer.utils import type_check
    with_c = _LINKS[cls][2]
    link = cls(1, 3, 4, 0.0)
    xs = [numpy.ones((2, 5), numpy.float32)]
    for err in (ValueError, type_check.InvalidType):
        with pytest.raises(err, match='^Inconsistent input size in input values and weight '
                                      'parameters: 5 != 3$'):
            _run(link, with_c, None, xs)


def test_xs_that_is_not_a_list_is_also_chainers_assertion_error():
    link = chainer.links.NStepLSTM(1, 3, 4, 0.0)
    for err in (TypeError, AssertionError):
        with pytest.raises(err):
            link(None, None, numpy.ones((2, 3), numpy.float32))


@pytest.mark.parametrize('cls', [L.NStepGRU, L.NStepLSTM, L.NStepBiRNNTanh])
@pytest.mark.parametrize('dtype', [numpy.float64, numpy.float16, numpy.int32, numpy.bool_])
def test_sequences_of_another_dtype_are_cast_to_the_longest_ones(cls, dtype):
    # Chainer's links transposed the sorted sequences first, which cast them to the
    # longest one's dtype; each float sequence gets its gradient in its own dtype
    rs = numpy.random.RandomState(0)
    link = cls(2, 2, 3, 0.0)
    arrays = [rs.rand(2, 2).astype(dtype), rs.rand(3, 2).astype(numpy.float32),
              rs.rand(1, 2).astype(numpy.float32)]
    xs = [chainer.Variable(a) if a.dtype.kind == 'f' else a for a in arrays]

    def call(xs):
        return link(None, None, xs) if 'LSTM' in cls.__name__ else link(None, xs)
    ys = call(xs)[-1]
    expected = call([a.astype(numpy.float32) for a in arrays])[-1]
    for y, e in zip(ys, expected):
        assert y.dtype == numpy.float32
        numpy.testing.assert_array_equal(y.array, e.array)
    sum(F.sum(y) for y in ys).backward()
    for x in xs:
        if isinstance(x, chainer.Variable):
            assert x.grad.dtype == x.dtype and x.grad.shape == x.shape
