import gc
import multiprocessing
import sys
import time
import warnings

import numpy
import pytest

from chainer import iterators


class SlowDataset:
    def __init__(self, n, delay):
        self.n, self.delay = n, delay

    def __len__(self):
        return self.n

    def __getitem__(self, i):
        time.sleep(self.delay)
        return i


class FailingDataset:
    def __len__(self):
        return 6

    def __getitem__(self, i):
        if i == 3:
            raise ValueError(f'cannot load example {i}')
        return numpy.full(2, i)


def _workers(it):
    pool = it._pool
    return [] if pool is None else list(pool._pool)


def _assert_all_dead(procs, timeout=5.0):
    deadline = time.monotonic() + timeout
    for p in procs:
        p.join(max(0.0, deadline - time.monotonic()))
        assert not p.is_alive()


def test_arrays_and_prefetch():
    data = [numpy.arange(3) + i for i in range(10)]
    with iterators.MultiprocessIterator(data, 4, n_processes=2, n_prefetch=3,
                                        shuffle=False) as it:
        batches = [it.next() for _ in range(5)]
    numpy.testing.assert_array_equal(batches[0][1], data[1])
    assert [int(b[0][0]) for b in batches] == [0, 4, 8, 2, 6]
    assert it.n_processes == 2 and it.n_prefetch == 3


def test_default_n_processes():
    it = iterators.MultiprocessIterator([1], 1)
    assert it.n_processes == multiprocessing.cpu_count()
    it.finalize()


def test_pool_started_lazily_and_finalized():
    it = iterators.MultiprocessIterator(list(range(8)), 2, n_processes=2)
    assert it._pool is None
    it.next()
    procs = _workers(it)
    assert len(procs) == 2 and all(p.is_alive() for p in procs)
    it.finalize()
    _assert_all_dead(procs)
    it.finalize()  # idempotent


def test_no_leak_when_loop_raises():
    procs = []
    with pytest.raises(RuntimeError, match='training failed'):
        with iterators.MultiprocessIterator(list(range(8)), 2, n_processes=2) as it:
            it.next()
            procs = _workers(it)
            raise RuntimeError('training failed')
    assert procs
    _assert_all_dead(procs)


def test_no_leak_on_garbage_collection():
    it = iterators.MultiprocessIterator(list(range(8)), 2, n_processes=2)
    it.next()
    procs = _workers(it)
    del it
    gc.collect()
    _assert_all_dead(procs)


def test_worker_exception_propagates_and_workers_end():
    it = iterators.MultiprocessIterator(FailingDataset(), 2, n_processes=2, shuffle=False)
    it.next()
    with pytest.raises(ValueError, match='cannot load example 3'):
        it.next()
    procs = _workers(it)
    it.finalize()
    _assert_all_dead(procs)


def test_timeout_warning():
    it = iterators.MultiprocessIterator(SlowDataset(2, 0.3), 2, n_processes=1,
                                        dataset_timeout=0.05, shuffle=False)
    try:
        with pytest.warns(iterators.MultiprocessIterator.TimeoutWarning):
            assert it.next() == [0, 1]
    finally:
        it.finalize()
    assert issubclass(iterators.MultiprocessIterator.TimeoutWarning, RuntimeWarning)


def test_no_timeout():
    with iterators.MultiprocessIterator(SlowDataset(2, 0.01), 2, n_processes=2,
                                        dataset_timeout=None, shuffle=False) as it:
        with warnings.catch_warnings():
            # Only TimeoutWarning: forking while another test's threads linger
            # warns DeprecationWarning on Python 3.12+ (seen on 3.15).
            warnings.simplefilter('error', iterators.MultiprocessIterator.TimeoutWarning)
            assert it.next() == [0, 1]


def test_maxtasksperchild():
    with iterators.MultiprocessIterator(list(range(20)), 5, n_processes=2,
                                        maxtasksperchild=1, shuffle=False) as it:
        for _ in range(4):
            batch = it.next()
        assert batch == [15, 16, 17, 18, 19]


def test_reset_drops_prefetch():
    with iterators.MultiprocessIterator(list(range(6)), 2, n_processes=2, n_prefetch=2,
                                        shuffle=False) as it:
        it.next()
        it.next()
        it.reset()
        assert it.epoch == 0 and it.next() == [0, 1]


def test_n_processes_zero_means_all_cpus_and_numpy_ints_work():
    it = iterators.MultiprocessIterator([1], 1, n_processes=0)
    assert it.n_processes == multiprocessing.cpu_count()
    with iterators.MultiprocessIterator([1, 2], 2, n_processes=numpy.int64(2),
                                        shuffle=False) as it:
        assert it.n_processes == 2 and it.next() == [1, 2]


@pytest.mark.parametrize('kwargs,error', [
    ({'n_processes': -1}, ValueError), ({'n_processes': 1.0}, TypeError),
    ({'n_processes': '2'}, TypeError), ({'shared_mem': -1}, ValueError),
    ({'shared_mem': 1.5}, TypeError)])
def test_bad_n_processes_and_shared_mem(kwargs, error):
    with pytest.raises(error, match=next(iter(kwargs))):
        iterators.MultiprocessIterator([1], 1, **kwargs)


def test_shuffle_attribute():
    for shuffle in (None, True, False):
        it = iterators.MultiprocessIterator([1], 1, shuffle=shuffle, n_processes=1)
        assert it.shuffle is shuffle


@pytest.mark.parametrize('how', ['copy', 'pickle'])
def test_copy_and_unpickle_draw_an_order_as_construction(how):
    # Chainer built these through __init__, whose reset draws one order from
    # the sampler before the copied order replaces it.
    import copy
    import pickle

    def make():
        sampler = iterators.ShuffleOrderSampler(numpy.random.RandomState(3))
        return iterators.MultiprocessIterator(list(range(5)), 5, n_processes=1,
                                              order_sampler=sampler)
    it = make()
    other = copy.copy(it) if how == 'copy' else pickle.loads(pickle.dumps(it))
    expected = numpy.random.RandomState(3)
    first = expected.permutation(5)
    expected.permutation(5)
    with other:
        assert other.next() == list(first)
        assert other.next() == list(expected.permutation(5))
    with it:
        assert it.next() == list(first)


def test_copy_of_finalized_iterator_can_be_reset():
    import copy
    it = iterators.MultiprocessIterator(list(range(4)), 2, n_processes=1, shuffle=False)
    it.finalize()
    other = copy.copy(it)
    other.reset()
    with other:
        assert other.next() == [0, 1]


def test_shared_mem_accepted():
    with iterators.MultiprocessIterator([numpy.zeros(3)] * 4, 2, n_processes=2,
                                        shared_mem=1024) as it:
        assert len(it.next()) == 2


class DrawingDataset:
    """Each example draws one number from numpy.random (a random augmentation)."""

    def __len__(self):
        return 6

    def __getitem__(self, i):
        return float(numpy.random.rand())


@pytest.mark.parametrize('dataset_timeout', [30.0, None])
def test_first_batch_draws_in_this_process_without_shared_mem(dataset_timeout):
    # As Chainer, which loaded it here to measure the examples: its draws move
    # this process's stream, and the worker, forked after them, goes on from there.
    numpy.random.seed(4)
    expected = numpy.random.rand(6)
    numpy.random.seed(4)
    numpy.random.rand(3)
    after_first = numpy.random.get_state()[1].copy()
    numpy.random.seed(4)
    with iterators.MultiprocessIterator(DrawingDataset(), 3, n_processes=1, shuffle=False,
                                        dataset_timeout=dataset_timeout) as it:
        assert it.next() == list(expected[:3])
        assert it.current_position == 3
        numpy.testing.assert_array_equal(numpy.random.get_state()[1], after_first)
        assert it.next() == list(expected[3:])
        numpy.testing.assert_array_equal(numpy.random.get_state()[1], after_first)


def test_first_batch_loaded_by_the_workers_with_shared_mem():
    numpy.random.seed(4)
    expected = numpy.random.rand(6)
    numpy.random.seed(4)
    seeded = numpy.random.get_state()[1].copy()
    with iterators.MultiprocessIterator(DrawingDataset(), 3, n_processes=1, shuffle=False,
                                        shared_mem=1024) as it:
        assert it.next() == list(expected[:3])
        assert it.next() == list(expected[3:])
        numpy.testing.assert_array_equal(numpy.random.get_state()[1], seeded)


def test_first_batch_error_consumes_it():
    it = iterators.MultiprocessIterator(FailingDataset(), 4, n_processes=1, shuffle=False)
    with pytest.raises(ValueError, match='cannot load example 3'):
        it.next()
    with it:
        assert [int(v[0]) for v in it.next()] == [4, 5, 0, 1]


def test_killed_worker_is_an_error_not_a_hang():
    import os
    import signal
    it = iterators.MultiprocessIterator(SlowDataset(4, 0.5), 4, n_processes=2,
                                        dataset_timeout=None, shuffle=False)
    try:
        it._fill()
        time.sleep(0.1)
        procs = _workers(it)
        for p in procs:
            os.kill(p.pid, signal.SIGKILL)
        with pytest.raises(RuntimeError, match='worker process died'):
            it.next()
    finally:
        it.finalize()
    _assert_all_dead(procs)


def test_finalize_lets_batches_in_flight_finish_before_terminating(monkeypatch):
    # Terminating a worker while it sends a result can leave the result queue's lock
    # held, and Pool.terminate then hangs (a CPython race): finalize waits for them.
    import multiprocessing.pool
    in_flight = []
    terminate = multiprocessing.pool.Pool.terminate

    def recording_terminate(pool):
        in_flight.append(len(pool._cache))
        terminate(pool)

    monkeypatch.setattr(multiprocessing.pool.Pool, 'terminate', recording_terminate)
    it = iterators.MultiprocessIterator(SlowDataset(8, 0.05), 2, n_processes=2,
                                        n_prefetch=3, shuffle=False)
    assert it.next() == [0, 1]
    procs = _workers(it)
    it.finalize()
    assert in_flight == [0]
    _assert_all_dead(procs)


def test_finalize_after_idle_workers_were_killed_does_not_hang(monkeypatch):
    # A worker killed while idle (out of memory, say) holds the task queue's lock, and
    # Pool.terminate waits for it forever; finalize stops the workers itself instead.
    import os
    import signal
    import threading
    from chainer.iterators import multiprocess_iterator
    monkeypatch.setattr(multiprocess_iterator, '_SHUTDOWN_GRACE_SECONDS', 0.5)
    it = iterators.MultiprocessIterator(list(range(4)), 4, n_processes=2, n_prefetch=1,
                                        repeat=False, shuffle=False)
    assert it.next() == [0, 1, 2, 3]
    time.sleep(0.3)
    for p in _workers(it):
        os.kill(p.pid, signal.SIGKILL)
    time.sleep(0.2)
    finalizing = threading.Thread(target=it.finalize, daemon=True)
    finalizing.start()
    finalizing.join(30)
    assert not finalizing.is_alive(), 'finalize hung'


def test_reset_after_finalize_is_not_supported():
    it = iterators.MultiprocessIterator(list(range(6)), 2, n_processes=1, shuffle=False)
    it.next()
    it.reset()  # before finalize: fine
    it.finalize()
    with pytest.raises(NotImplementedError, match='finalized'):
        it.reset()


def test_order_sampler_module_names():
    from chainer.iterators import multiprocess_iterator, multithread_iterator, serial_iterator
    for module in (multiprocess_iterator, multithread_iterator, serial_iterator):
        assert module.ShuffleOrderSampler is iterators.ShuffleOrderSampler


def test_dali_iterator_needs_dali():
    from chainer.iterators import dali_iterator
    assert iterators.DaliIterator is dali_iterator.DaliIterator
    if not dali_iterator._dali_available():
        with pytest.raises(RuntimeError, match='DALI'):
            iterators.DaliIterator(object())


@pytest.mark.skipif(not sys.platform.startswith('linux'), reason='forks on Linux only')
def test_dataset_need_not_be_picklable_on_linux(forkserver_default):
    # Chainer's workers were forked on Linux, so a dataset holding a lambda
    # worked; Python 3.14's default start method (forkserver) would pickle it.
    from chainer import datasets
    dataset = datasets.TransformDataset(list(range(4)), lambda x: x * 10)
    it = iterators.MultiprocessIterator(dataset, 2, repeat=False, shuffle=False,
                                        n_processes=2)
    try:
        assert [x for batch in it for x in batch] == [0, 10, 20, 30]
    finally:
        it.finalize()
