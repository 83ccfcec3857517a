"""Tests of chainer.utils.walker_alias: the tables Chainer 7.8.1 builds, so that a
seeded generator draws the same samples."""
import numpy
import pytest

from chainer.utils.walker_alias import WalkerAlias


def _implied(w) -> numpy.ndarray:
    """The distribution the tables draw from."""
    n = len(w.threshold)
    keep = numpy.clip(w.threshold.astype(numpy.float64), 0, 1)
    out = numpy.zeros(n)
    numpy.add.at(out, w.values[0::2], keep / n)
    numpy.add.at(out, w.values[1::2], (1 - keep) / n)
    return out


@pytest.mark.parametrize('probs,threshold,values', [
    # Outcomes are placed in increasing order of probability; each gives its
    # excess to the earliest slots still without an alias.
    ([0.1, 0.2, 0.3, 0.4], [0.4, 0.8, 0.6, 1.0], [0, 2, 1, 3, 2, 3, 3, 0]),
    ([5, 1, 1, 1], [0.5, 0.5, 0.5, 1.0], [1, 0, 2, 0, 3, 0, 0, 0]),
    ([3, 1], [0.5, 1.0], [1, 0, 0, 0]),
    ([0.25] * 4, [1.0] * 4, [0, 0, 1, 0, 2, 0, 3, 0]),
    ([2], [1.0], [0, 0]),
])
def test_tables_as_chainer(probs, threshold, values):
    w = WalkerAlias(probs)
    numpy.testing.assert_allclose(w.threshold, threshold, rtol=1e-6)
    numpy.testing.assert_array_equal(w.values, values)
    assert w.threshold.dtype == numpy.float32 and w.values.dtype == numpy.int32


def test_tables_round_as_chainer():
    # Chainer subtracts in float64 from the float32 thresholds already stored;
    # the last bits decide which slot a draw lands in.
    w = WalkerAlias([1, 2, 0, 3, 4])
    assert w.threshold.view(numpy.uint32).tolist() == [
        0x00000000, 0x3f000000, 0x32800000, 0x33a00000, 0x3f800001]
    assert w.values.tolist() == [2, 1, 0, 3, 1, 3, 3, 4, 4, 0]


def test_seeded_samples_as_chainer():
    w = WalkerAlias([0.1, 0.2, 0.3, 0.4])
    numpy.random.seed(0)
    assert w.sample((10,)).tolist() == [2, 3, 2, 2, 1, 2, 1, 3, 3, 1]
    w = WalkerAlias([1, 2, 0, 3, 4])
    numpy.random.seed(0)
    assert w.sample((10,)).tolist() == [3, 4, 4, 3, 3, 4, 3, 4, 4, 3]



def test_large_tables_and_samples_as_chainer():
    # Chainer normalized with NumPy 1's float32 sum (8192-element buffers added
    # in turn) and took the fraction of a draw in float32; over 50000 outcomes
    # both decide the last bits, hence where seeded draws land.
    w = WalkerAlias(1.0 / numpy.arange(1, 50001))
    assert w.threshold[:3].tolist() == [
        0.08774234354496002, 0.0877440944314003, 0.08774584531784058]
    assert w.threshold.astype(numpy.float64).sum() == 12799.0168890059
    numpy.random.seed(5)
    s = w.sample((100000,))
    assert s[:8].tolist() == [286, 6463, 337, 0, 19, 19412, 1, 14]
    assert int(s.sum()) == 437407301


def test_sum_in_numpy1_order():
    from chainer.utils import array
    x = numpy.array(1.0 / numpy.arange(1, 50001), numpy.float32)
    assert array.sum_in_numpy1_order(x) == numpy.float32(11.397006)  # NumPy 1.26's sum
    assert array.sum_in_numpy1_order(x[:100]) == x[:100].sum()

@pytest.mark.parametrize('seed', range(5))
def test_tables_draw_the_given_distribution(seed):
    rng = numpy.random.RandomState(seed)
    probs = rng.randint(0, 6, rng.randint(1, 40)).astype(numpy.float64)
    probs[rng.randint(len(probs))] += 1
    w = WalkerAlias(probs)
    numpy.testing.assert_allclose(_implied(w), probs / probs.sum(), atol=1e-6)


@pytest.mark.parametrize('probs', [[], [[1, 2]], [1, -1], [0, 0], [1, numpy.inf]])
def test_bad_probs(probs):
    with pytest.raises(ValueError):
        WalkerAlias(probs)


def test_device_resident_as_chainer():
    import pickle
    import warnings

    import chainer

    w = WalkerAlias([0.2, 0.8])
    assert isinstance(w, chainer.DeviceResident)
    assert w.device == chainer.get_device('@numpy') and w.xp is numpy and not w.use_gpu
    with pytest.warns(DeprecationWarning, match='to_cpu'):
        assert w.to_cpu() is w
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert w.to_device('@numpy') is w and w.from_chx() is w
    with pytest.raises(RuntimeError):
        w.to_chx()
    numpy.random.seed(3)
    drawn = w.sample((5,))
    w2 = pickle.loads(pickle.dumps(w))
    numpy.random.seed(3)
    assert w2.sample((5,)).tolist() == drawn.tolist() and w2.device == w.device


def test_to_device_moves_the_tables(monkeypatch):
    import chainer

    w = WalkerAlias([0.2, 0.8])
    seen = []

    class Visitor(chainer.device_resident.DeviceResidentsVisitor):
        def visit_device_resident(self, resident):
            seen.append(resident)

        def visit_array(self, arr):
            seen.append(arr.dtype)
            return arr.copy()

    threshold = w.threshold
    w.device_resident_accept(Visitor())
    assert seen == [w, numpy.float32, numpy.int32]
    assert w.threshold is not threshold
    numpy.testing.assert_array_equal(w.threshold, threshold)
