import numpy
import pytest

from chainer import iterators
from chainer import serializers


def test_shuffle_order_sampler_permutation():
    sampler = iterators.ShuffleOrderSampler(numpy.random.RandomState(0))
    order = sampler(numpy.arange(10), 0)
    assert sorted(order) == list(range(10))
    expected = numpy.random.RandomState(0).permutation(10)
    numpy.testing.assert_array_equal(order, expected)


def test_default_uses_global_random_state():
    numpy.random.seed(3)
    a = iterators.ShuffleOrderSampler()(numpy.arange(8), 0)
    numpy.random.seed(3)
    b = iterators.ShuffleOrderSampler()(numpy.arange(8), 0)
    numpy.testing.assert_array_equal(a, b)


def test_generator_random_state():
    sampler = iterators.ShuffleOrderSampler(numpy.random.default_rng(0))
    assert sorted(sampler(numpy.arange(5), 0)) == list(range(5))
    it = iterators.SerialIterator(list(range(5)), 2, order_sampler=sampler)
    it.next()
    target = {}
    serializers.DictionarySerializer(target).save(it)  # Generator state is skipped
    assert not any(k.startswith('order_sampler') for k in target)


def test_base_is_abstract():
    with pytest.raises(NotImplementedError):
        iterators.OrderSampler()(numpy.arange(3), 0)


def test_sampler_state_roundtrip(tmp_path):
    sampler = iterators.ShuffleOrderSampler(numpy.random.RandomState(1))
    sampler(numpy.arange(4), 0)
    path = str(tmp_path / 's.npz')
    serializers.save_npz(path, sampler)
    expected = sampler(numpy.arange(20), 0)
    other = iterators.ShuffleOrderSampler(numpy.random.RandomState(99))
    serializers.load_npz(path, other)
    numpy.testing.assert_array_equal(other(numpy.arange(20), 0), expected)


def test_dali_iterator_not_supported():
    with pytest.raises(RuntimeError, match='DALI'):
        iterators.DaliIterator(None)


def _subset_sampler(order, position):
    return numpy.array([6, 0, 3])


@pytest.mark.parametrize('make', [
    lambda ds: iterators.SerialIterator(ds, 2, order_sampler=_subset_sampler),
    lambda ds: iterators.MultithreadIterator(ds, 2, order_sampler=_subset_sampler, n_threads=1),
    lambda ds: iterators.MultiprocessIterator(ds, 2, order_sampler=_subset_sampler, n_processes=1),
])
def test_order_of_a_subset_sets_the_epoch(make):
    # The documented rule is that the size of the order stays constant; the
    # first order may visit a subset of the dataset, as in Chainer.
    it = make(list(range(7)))
    try:
        assert list(it.next()) == [6, 0]
        assert it.epoch_detail == pytest.approx(2 / 3)
        assert list(it.next()) == [3, 6]
        assert it.epoch == 1 and it.is_new_epoch
        assert it.epoch_detail == pytest.approx(4 / 3)
        it.reset()
        assert list(it.next()) == [6, 0]
    finally:
        it.finalize()


@pytest.mark.parametrize('make', [
    lambda ds, s: iterators.SerialIterator(ds, 3, order_sampler=s),
    lambda ds, s: iterators.MultithreadIterator(ds, 3, order_sampler=s, n_threads=1),
    lambda ds, s: iterators.MultiprocessIterator(ds, 3, order_sampler=s, n_processes=1),
])
def test_sampler_returning_none_keeps_the_dataset_order(make):
    # Chainer reads a None order as "no order": the dataset's own order.
    calls = []
    it = make(list(range(5)), lambda order, position: calls.append(position))
    try:
        batches = [list(it.next()) for _ in range(3)]
        assert batches == [[0, 1, 2], [3, 4, 0], [1, 2, 3]]
        assert it.epoch == 1 and it.epoch_detail == pytest.approx(9 / 5)
        assert calls == [0]
    finally:
        it.finalize()
