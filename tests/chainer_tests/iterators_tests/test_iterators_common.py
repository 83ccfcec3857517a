"""Behaviour shared by SerialIterator, MultithreadIterator and MultiprocessIterator."""
import copy
import os
import zipfile

import numpy
import pytest

import chainer
from chainer import iterators
from chainer import serializers
from chainer.serializers import npz


def _serial(ds, bs, **kw):
    return iterators.SerialIterator(ds, bs, **kw)


def _thread(ds, bs, **kw):
    return iterators.MultithreadIterator(ds, bs, n_threads=2, **kw)


def _process(ds, bs, **kw):
    return iterators.MultiprocessIterator(ds, bs, n_processes=2, dataset_timeout=10, **kw)


MAKERS = [_serial, _thread, _process]


@pytest.fixture(params=MAKERS, ids=['serial', 'thread', 'process'])
def make(request):
    made = []

    def factory(*args, **kwargs):
        it = request.param(*args, **kwargs)
        made.append(it)
        return it

    yield factory
    for it in made:
        it.finalize()


def test_transform_dataset_with_lambda(make):
    # Chainer's workers are forked: unpicklable datasets work.
    from chainer import datasets
    ds = datasets.TransformDataset(list(range(4)), lambda x: x * 10)
    it = make(ds, 4, shuffle=False)
    assert it.next() == [0, 10, 20, 30]


def test_no_shuffle_repeat(make):
    it = make(list(range(5)), 2, shuffle=False)
    assert it.epoch == 0 and it.epoch_detail == 0. and it.previous_epoch_detail is None
    expected = [([0, 1], 0, False, 0.4), ([2, 3], 0, False, 0.8), ([4, 0], 1, True, 1.2),
                ([1, 2], 1, False, 1.6), ([3, 4], 2, True, 2.0)]
    previous = None
    for batch, epoch, new, detail in expected:
        assert it.next() == batch
        assert (it.epoch, it.is_new_epoch) == (epoch, new)
        assert it.epoch_detail == pytest.approx(detail)
        assert it.previous_epoch_detail == previous or \
            it.previous_epoch_detail == pytest.approx(previous if previous else 0.)
        previous = detail
    assert it.current_position == 0
    assert it.repeat is True and it.batch_size == 2


def test_no_repeat(make):
    it = make(list(range(5)), 2, repeat=False, shuffle=False)
    assert [b for b in it] == [[0, 1], [2, 3], [4]]
    assert it.epoch == 1 and it.is_new_epoch
    with pytest.raises(StopIteration):
        it.next()
    it.reset()
    assert it.next() == [0, 1]


def test_stop_iteration_moves_previous_epoch_detail(make):
    # As in Chainer, the call that raises StopIteration still records the
    # epoch_detail it started from.
    it = make([0, 1, 2], 3, repeat=False, shuffle=False)
    it.next()
    assert it.previous_epoch_detail == 0.
    with pytest.raises(StopIteration):
        it.next()
    assert it.previous_epoch_detail == 1.
    assert it.epoch_detail == 1.


class _IndexTypes:
    def __len__(self):
        return 4

    def __getitem__(self, i):
        return type(i)


@pytest.mark.parametrize('shuffle', [False, True])
def test_dataset_gets_numpy_integers(make, shuffle):
    # As in Chainer, the indices reaching the dataset are NumPy integers.
    it = make(_IndexTypes(), 3, shuffle=shuffle)
    assert it.next() + it.next() == [numpy.int64] * 6


def test_batch_larger_than_dataset(make):
    it = make([0, 1, 2], 7, shuffle=False)
    assert it.next() == [0, 1, 2, 0, 1, 2, 0]
    assert it.epoch == 2 and it.current_position == 1
    it2 = make([0, 1, 2], 7, repeat=False, shuffle=False)
    assert it2.next() == [0, 1, 2]


def test_shuffle_is_permutation_each_epoch(make):
    it = make(list(range(6)), 3, shuffle=True)
    for _ in range(3):
        epoch = it.next() + it.next()
        assert sorted(epoch) == list(range(6))
        assert it.is_new_epoch


def test_order_sampler(make):
    class Reverse(iterators.OrderSampler):
        def __call__(self, order, position):
            return numpy.arange(len(order))[::-1]

    it = make([10, 11, 12], 2, order_sampler=Reverse())
    assert it.next() == [12, 11]
    assert it.next() == [10, 12]


def test_bad_arguments(make):
    with pytest.raises(ValueError, match='shuffle'):
        make([1, 2], 1, shuffle=True, order_sampler=iterators.ShuffleOrderSampler())
    with pytest.raises(ValueError, match='positive'):
        make([1, 2], 0)

    class Bad(iterators.OrderSampler):
        def __call__(self, order, position):
            return numpy.arange(len(order) + 1)

    # the first order sets the epoch size; a later order of another size is refused
    it = make([1, 2], 1, order_sampler=Bad())
    with pytest.raises(ValueError, match='size of order'):
        for _ in range(3):
            it.next()
    it.finalize()


def test_empty_dataset(make):
    it = make([], 2)
    with pytest.raises(ValueError, match='Epoch size must be positive'):
        it.next()
    it = make([], 2, repeat=False)
    assert list(it) == []


class Broken:
    def __len__(self):
        return 4

    def __getitem__(self, i):
        if i == 2:
            raise KeyError(f'bad example {i}')
        return i


def test_dataset_error_propagates(make):
    it = make(Broken(), 2, shuffle=False)
    assert it.next() == [0, 1]
    with pytest.raises(KeyError, match='bad example 2'):
        it.next()


@pytest.mark.parametrize('make_it', MAKERS, ids=['serial', 'thread', 'process'])
@pytest.mark.parametrize('repeat', [True, False])
def test_batch_that_fails_to_load_is_consumed(make_it, repeat):
    # As in Chainer's serial and thread iterators, a caller that catches the
    # dataset's error goes on with the next batch (retrying the same batch forever
    # would hang a skipping loop); the process iterator does the same.
    class Broken:
        def __len__(self):
            return 7

        def __getitem__(self, i):
            if i in (0, 4):
                raise KeyError(f'bad example {i}')
            return int(i)

    it = make_it(Broken(), 3, repeat=repeat, shuffle=False)
    try:
        with pytest.raises(KeyError, match='bad example 0'):
            it.next()
        assert (it.epoch, it.current_position, it.previous_epoch_detail) == (0, 3, 0.0)
        with pytest.raises(KeyError, match='bad example 4'):
            it.next()
        assert it.current_position == 6
        if repeat:
            for _ in range(3):  # [6, 0, 1], [2, 3, 4], [5, 6, 0]
                with pytest.raises(KeyError):
                    it.next()
            assert it.next() == [1, 2, 3]
            assert (it.epoch, it.current_position) == (2, 4)
        else:
            assert it.next() == [6]
            with pytest.raises(StopIteration):
                it.next()
    finally:
        if hasattr(it, 'finalize'):
            it.finalize()


def test_shuffled_batch_that_fails_to_load_keeps_its_order():
    # The order drawn while advancing past the failed batch is kept, so the
    # shared random stream is drawn from as often as in Chainer.
    class Broken:
        def __len__(self):
            return 4

        def __getitem__(self, i):
            raise KeyError(i)

    numpy.random.seed(3)
    it = iterators.SerialIterator(Broken(), 4)
    numpy.random.seed(3)
    first = numpy.random.permutation(4)
    second = numpy.random.permutation(4)
    numpy.random.seed(3)
    it.reset()
    with pytest.raises(KeyError):
        it.next()
    assert it.epoch == 1
    numpy.testing.assert_array_equal(it._state.order, second)
    assert not numpy.array_equal(first, second)


def test_thread_iterator_copy_continues_with_the_prefetched_batch():
    numpy.random.seed(1)
    it = iterators.MultithreadIterator(list(range(5)), 3, n_threads=2)
    try:
        it.next()  # prefetches the batch crossing into epoch 1, drawing its order
        copied = copy.copy(it)
        try:
            assert copied.next() == it.next()
            assert copied.next() == it.next()
        finally:
            copied.finalize()
    finally:
        it.finalize()


def _resume(make, tmp_path, stop_after, total, batch=3, n=7):
    def fresh(seed):
        sampler = iterators.ShuffleOrderSampler(numpy.random.RandomState(seed))
        return make(list(range(n)), batch, order_sampler=sampler)

    ref = fresh(0)
    reference = [ref.next() for _ in range(total)]
    it = fresh(0)
    for _ in range(stop_after):
        it.next()
    path = str(tmp_path / 'it.npz')
    serializers.save_npz(path, it)
    # Saving does not disturb the live iterator.
    assert [it.next() for _ in range(total - stop_after)] == reference[stop_after:]
    resumed = fresh(123)
    serializers.load_npz(path, resumed)
    assert [resumed.next() for _ in range(total - stop_after)] == reference[stop_after:]
    return resumed


@pytest.mark.parametrize('stop_after', [0, 1, 2, 3, 5])
def test_serialize_resume_mid_epoch(make, tmp_path, stop_after):
    _resume(make, tmp_path, stop_after, total=9)


@pytest.mark.parametrize('stop_after', [1, 2, 3])
def test_finalize_keeps_the_orders_drawn_ahead(make, tmp_path, stop_after):
    # A trainer finalizes its iterators at the end of run(); a snapshot saved
    # then, or going on with the same iterator, sees the orders of an
    # uninterrupted run (the prefetching iterators had drawn the next order
    # and dropped it).
    def fresh(seed):
        sampler = iterators.ShuffleOrderSampler(numpy.random.RandomState(seed))
        return make(list(range(7)), 3, order_sampler=sampler)

    ref = fresh(0)
    reference = [ref.next() for _ in range(6)]
    it = fresh(0)
    for _ in range(stop_after):
        it.next()
    it.finalize()
    path = str(tmp_path / 'it.npz')
    serializers.save_npz(path, it)
    resumed = fresh(123)
    serializers.load_npz(path, resumed)
    assert [resumed.next() for _ in range(6 - stop_after)] == reference[stop_after:]
    assert [it.next() for _ in range(6 - stop_after)] == reference[stop_after:]


def test_serialize_state_values(make, tmp_path):
    it = make(list(range(5)), 2, shuffle=False)
    for _ in range(3):
        it.next()
    path = str(tmp_path / 'it.npz')
    serializers.save_npz(path, it)
    other = make(list(range(5)), 2, shuffle=False)
    serializers.load_npz(path, other)
    assert other.epoch == 1 and other.is_new_epoch and other.current_position == 1
    assert other.epoch_detail == pytest.approx(1.2)
    assert other.previous_epoch_detail == pytest.approx(0.8)
    assert other.next() == [1, 2]


@pytest.mark.parametrize('maker, key', [(_serial, 'order'), (_thread, '_order'),
                                        (_process, 'order')])
def test_order_key_in_snapshot(maker, key, tmp_path):
    # Chainer's MultithreadIterator saves the order as '_order', the others as 'order'.
    it = maker(list(range(4)), 2)
    try:
        path = str(tmp_path / 'it.npz')
        serializers.save_npz(path, it)
        with numpy.load(path) as f:
            assert {'order', '_order'} & set(f.files) == {key}
            numpy.testing.assert_array_equal(f[key], it._state.order)
    finally:
        it.finalize()


@pytest.mark.parametrize('key', ['order', '_order'])
def test_load_either_order_key(make, key, tmp_path):
    it = make(list(range(4)), 2)
    it.next()
    path = str(tmp_path / 'it.npz')
    serializers.save_npz(path, it)
    with numpy.load(path) as f:
        state = {k: f[k] for k in f.files if k not in ('order', '_order')}
    state[key] = numpy.array([3, 1, 0, 2])
    numpy.savez(path, **state)
    other = make(list(range(4)), 2)
    serializers.load_npz(path, other)
    assert other.next() == [0, 2]


def test_multithread_without_order_loads_a_saved_order(tmp_path):
    # Chainer's MultithreadIterator loads '_order' even when it had no order.
    path = str(tmp_path / 'it.npz')
    numpy.savez(path, current_position=2, epoch=0, is_new_epoch=False,
                previous_epoch_detail=0., _order=numpy.array([3, 1, 0, 2]))
    it = _thread(list(range(4)), 2, shuffle=False)
    try:
        serializers.load_npz(path, it)
        assert it.next() == [0, 2]
    finally:
        it.finalize()


def test_multithread_without_order_saves_none_as_chainer(tmp_path):
    # Chainer's MultithreadIterator writes '_order' as None and needs the key to load.
    it = _thread(list(range(4)), 2, shuffle=False)
    try:
        it.next()
        path = str(tmp_path / 'it.npz')
        serializers.save_npz(path, it)
        with zipfile.ZipFile(path) as z:
            assert z.read('_order.npy') == npz._CHAINER_NONE_NPY
        other = _thread(list(range(4)), 2, shuffle=False)
        try:
            serializers.load_npz(path, other)
            assert other._state.order is None and other.next() == [2, 3]
        finally:
            other.finalize()
    finally:
        it.finalize()


def test_load_chainer_style_snapshot(make, tmp_path):
    # Snapshots written by Chainer lack the sampler state (and older ones
    # previous_epoch_detail): loading must still work.
    it = make(list(range(6)), 2)
    it.next()
    path = str(tmp_path / 'it.npz')
    serializers.save_npz(path, it)
    with numpy.load(path) as f:
        kept = {k: f[k] for k in f.files
                if not k.startswith('order_sampler') and k != 'previous_epoch_detail'}
    numpy.savez(path, **kept)
    other = make(list(range(6)), 2)
    serializers.load_npz(path, other)
    assert other.current_position == 2 and other.epoch == 0
    assert other.previous_epoch_detail == pytest.approx(0.0)
    numpy.testing.assert_array_equal(other._state.order, it._state.order)
    order = list(it._state.order)
    assert other.next() == order[2:4]


def test_copy(make):
    it = make(list(range(4)), 2, shuffle=False)
    it.next()
    c = copy.copy(it)
    assert c.next() == [2, 3]
    c.finalize()


def test_context_manager(make):
    with make(list(range(4)), 2, shuffle=False) as it:
        assert it.next() == [0, 1]
    # after finalize the iterator may be used again
    assert it.next() in ([2, 3], [0, 1])
    it.finalize()
    assert os.getpid()  # nothing hangs


def test_multithread_finalize_stops_threads():
    import threading
    it = iterators.MultithreadIterator(list(range(10)), 3, n_threads=3)
    it.next()
    threads = [t for t in threading.enumerate() if t.name.startswith('MultithreadIterator')]
    assert threads
    it.finalize()
    for t in threads:
        t.join(5)
        assert not t.is_alive()
    with pytest.raises(ValueError, match='n_threads'):
        iterators.MultithreadIterator([1], 1, n_threads=0)


def test_multithread_finalize_does_not_wait_for_running_loads():
    # Chainer's ThreadPool.terminate did not: a load that waits for the caller
    # (which finalizes first) deadlocked.
    import threading
    import time
    release = threading.Event()
    started = threading.Semaphore(0)

    class Waiting(chainer.dataset.DatasetMixin):
        def __len__(self):
            return 4

        def get_example(self, i):
            if i >= 2:
                started.release()
                release.wait(30)
            return int(i)

    it = iterators.MultithreadIterator(Waiting(), 2, shuffle=False, n_threads=2)
    assert it.next() == [0, 1]
    assert started.acquire(timeout=5)  # the prefetch of [2, 3] is running
    begin = time.monotonic()
    it.finalize()
    assert time.monotonic() - begin < 10
    release.set()
    assert it.next() == [2, 3]
    it.finalize()


def test_multithread_load_running_does_not_hold_up_exit():
    # Chainer's workers were daemon threads; a ThreadPoolExecutor's are joined at exit.
    import subprocess
    import sys
    import time
    program = (
        'import time\n'
        'from chainer import iterators\n'
        'class Slow(list):\n'
        '    def __getitem__(self, i):\n'
        '        if i >= 2:\n'
        '            time.sleep(60)\n'
        '        return list.__getitem__(self, i)\n'
        'it = iterators.MultithreadIterator(Slow(range(4)), 2, shuffle=False)\n'
        'assert it.next() == [0, 1]\n'
        'time.sleep(0.2)\n')
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get('PYTHONPATH', ''))
    begin = time.monotonic()
    subprocess.run([sys.executable, '-c', program], env=env, check=True, timeout=50)
    assert time.monotonic() - begin < 30


class _RecordingSampler(iterators.OrderSampler):
    def __init__(self):
        self.positions = []

    def __call__(self, order, position):
        self.positions.append(int(position))
        return numpy.arange(len(order))


@pytest.mark.parametrize('batch_size,n,expected', [
    (4, 3, [0, 0, 1, 2, 0]),  # the third batch wraps twice: from 2, then from 0
    (11, 3, [0, 0, 0, 0, 2, 0, 0, 0]),
    (2, 3, [0, 2])])
def test_sampler_told_where_each_epoch_part_began(make, batch_size, n, expected):
    sampler = _RecordingSampler()
    it = make(list(range(n)), batch_size, order_sampler=sampler)
    for _ in range(len(expected) // 2 + 1):
        it.next()
    assert sampler.positions[:len(expected)] == expected


class _FlatSerializer(chainer.serializer.Serializer):
    """A serializer that keeps values in a dict and makes no child serializers, as
    user code written for Chainer's iterators may (they never asked for one)."""

    def __init__(self, target):
        self.target = target

    def __getitem__(self, key):
        raise NotImplementedError

    def __call__(self, key, value):
        self.target[key] = value
        return value


class _FlatDeserializer(chainer.serializer.Deserializer):
    def __init__(self, target):
        self.target = target

    def __getitem__(self, key):
        raise NotImplementedError

    def __call__(self, key, value):
        if value is None:
            return self.target[key]
        if isinstance(value, numpy.ndarray):
            numpy.copyto(value, self.target[key])
            return value
        return type(value)(numpy.asarray(self.target[key]))


def test_serialize_with_a_serializer_that_makes_no_children(make):
    # The shuffling sampler's state needs a child serializer; one that cannot
    # make children still saves and loads the position and order.
    data = list(range(6))
    it = make(data, 2)
    first = it.next() + it.next()
    target = {}
    it.serialize(_FlatSerializer(target))
    assert 'order' in target or '_order' in target
    other = make(data, 2)
    other.serialize(_FlatDeserializer(target))
    assert other.epoch_detail == pytest.approx(4 / 6)
    assert sorted(first + other.next()) == data
    assert other.is_new_epoch
