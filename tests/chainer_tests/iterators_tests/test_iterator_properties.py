"""Property checks of the epoch bookkeeping, on SerialIterator (shared by all iterators)."""
import numpy
import pytest

pytest.importorskip('hypothesis')  # a test extra; the GPU machine's image lacks it

from hypothesis import given  # noqa: E402
from hypothesis import settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from chainer import iterators  # noqa: E402
from chainer.serializers import npz  # noqa: E402


@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 13), batch=st.integers(1, 20), shuffle=st.booleans(),
       seed=st.integers(0, 2 ** 16))
def test_each_epoch_visits_every_example_once(n, batch, shuffle, seed):
    sampler = iterators.ShuffleOrderSampler(numpy.random.RandomState(seed)) if shuffle \
        else None
    it = iterators.SerialIterator(list(range(n)), batch, shuffle=None if shuffle else False,
                                  order_sampler=sampler)
    seen = []
    epochs = 3
    while it.epoch < epochs:
        previous = it.epoch_detail
        seen.extend(it.next())
        assert it.previous_epoch_detail == previous
        assert abs(it.epoch_detail - (len(seen) / n)) < 1e-9
    for e in range(epochs):
        assert sorted(seen[e * n:(e + 1) * n]) == list(range(n))


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 9), batch=st.integers(1, 12), stop=st.integers(0, 10),
       seed=st.integers(0, 2 ** 16))
def test_resume_anywhere_continues_identically(n, batch, stop, seed):
    def fresh(s):
        return iterators.SerialIterator(
            list(range(n)), batch,
            order_sampler=iterators.ShuffleOrderSampler(numpy.random.RandomState(s)))

    ref = fresh(seed)
    reference = [ref.next() for _ in range(stop + 6)]
    it = fresh(seed)
    for _ in range(stop):
        it.next()
    target = {}
    npz.DictionarySerializer(target).save(it)
    resumed = fresh(seed + 1)
    npz.NpzDeserializer(target).load(resumed)
    assert [resumed.next() for _ in range(6)] == reference[stop:]
    assert resumed.epoch == ref.epoch


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 9), batch=st.integers(1, 12))
def test_no_repeat_yields_dataset_once(n, batch):
    it = iterators.SerialIterator(list(range(n)), batch, repeat=False, shuffle=False)
    batches = list(it)
    assert sum(batches, []) == list(range(n))
    assert all(len(b) == batch for b in batches[:-1])
