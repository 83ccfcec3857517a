"""Snapshot writers save through the atomic writer, in the loop, a thread or a process."""
import multiprocessing
import os
import sys

import numpy
import pytest

from chainer import links as L
from chainer import optimizers
from chainer import serializers
from chainer import training
from chainer.training import extensions
from chainer.training.extensions import snapshot_writers
from chainer.utils import _atomic
from tests.chainer_tests.training_tests import training_stubs as S
from tests.chainer_tests.training_tests.training_stubs import run_in_tmp_dir  # NOQA: F401

# The queue writers that run here (ProcessQueueWriter needs fork).
_QUEUE_WRITERS = ['ThreadQueueWriter', *(['ProcessQueueWriter'] if hasattr(os, 'fork') else [])]

WRITERS = [snapshot_writers.SimpleWriter, snapshot_writers.ThreadWriter,
           snapshot_writers.ThreadQueueWriter]
if hasattr(os, 'fork'):
    WRITERS += [snapshot_writers.ProcessWriter, snapshot_writers.ProcessQueueWriter]


@pytest.mark.parametrize('writer_class', WRITERS)
def test_writer_saves_complete_files(tmp_path, writer_class):
    link = L.Linear(3, 2)
    writer = writer_class()
    for i in range(2):
        writer(f'snap_{i}', str(tmp_path), link)
    writer.finalize()
    assert sorted(os.listdir(str(tmp_path))) == ['snap_0', 'snap_1']
    loaded = L.Linear(3, 2)
    serializers.load_npz(str(tmp_path / 'snap_1'), loaded)
    numpy.testing.assert_array_equal(loaded.W.array, link.W.array)


def _write_and_reload(writer, tmp_path) -> None:
    link = L.Linear(3, 2)
    writer('snap', str(tmp_path), link)
    writer.finalize()
    loaded = L.Linear(3, 2)
    serializers.load_npz(str(tmp_path / 'snap'), loaded)
    numpy.testing.assert_array_equal(loaded.W.array, link.W.array)


@pytest.mark.skipif(not sys.platform.startswith('linux'), reason='forks on Linux only')
def test_process_writer_takes_what_only_fork_can_pass(tmp_path, forkserver_default):
    # Chainer's ProcessWriter forked on Linux, so a savefun needed no pickling
    # (a local function here); Python 3.14's default start method (forkserver)
    # would pickle it and fail.
    def savefun(path, target):
        serializers.save_npz(path, target)

    writer = snapshot_writers.ProcessWriter(savefun=savefun)
    _write_and_reload(writer, tmp_path)
    assert writer._worker.exitcode == 0
    # and the workers are multiprocessing.Process objects, as Chainer's were
    assert isinstance(writer._worker, multiprocessing.Process)
    assert isinstance(writer.create_worker('f', str(tmp_path), None), multiprocessing.Process)


@pytest.mark.skipif(not sys.platform.startswith('linux'), reason='forks on Linux only')
def test_process_queue_writer_consumer_is_forked(tmp_path, forkserver_default):
    # The consumer is forked too: a writer class defined in a function (or in an
    # interactive __main__) cannot be pickled for forkserver.
    class Writer(snapshot_writers.ProcessQueueWriter):
        pass

    writer = Writer()
    _write_and_reload(writer, tmp_path)
    assert writer._consumer.exitcode == 0
    assert isinstance(writer._consumer, multiprocessing.Process)


def test_writer_with_other_savefun_keeps_suffix(tmp_path):
    seen = []

    def savefun(path, target):
        seen.append(path)
        numpy.save(path, numpy.arange(3))  # would append .npy to other names

    snapshot_writers.SimpleWriter(savefun=savefun)('a.npy', str(tmp_path), None)
    assert os.path.basename(seen[0]) == 'a.npy' and seen[0] != str(tmp_path / 'a.npy')
    assert os.listdir(str(tmp_path)) == ['a.npy']
    assert not any(_atomic.is_temporary_name(n) for n in os.listdir(str(tmp_path)))


def _trainer(out, iterations):
    model = S.Regressor()
    opt = optimizers.SGD()
    opt.setup(model)
    updater = training.StandardUpdater(S.ListIterator(S.make_dataset(6), 3), opt)
    return training.Trainer(updater, (iterations, 'iteration'), out=out), model


def test_snapshot_with_writer_argument(tmp_path):
    trainer, model = _trainer(str(tmp_path), 2)
    writer = snapshot_writers.ThreadQueueWriter()
    trainer.extend(extensions.snapshot_object(model, 'model_{.updater.iteration}',
                                              writer=writer), trigger=(1, 'iteration'))
    trainer.run()
    assert sorted(os.listdir(str(tmp_path))) == ['model_1', 'model_2']
    with pytest.raises(TypeError):
        extensions.snapshot(savefun=serializers.save_npz, writer=writer)


def test_background_writer_removes_stale_snapshots_after_saving(tmp_path):
    trainer, _ = _trainer(str(tmp_path), 4)
    trainer.extend(extensions.snapshot(filename='snap_{.updater.iteration}', n_retains=2,
                                       writer=snapshot_writers.ThreadWriter()),
                   trigger=(1, 'iteration'))
    trainer.run()
    assert sorted(os.listdir(str(tmp_path))) == ['snap_3', 'snap_4']


@pytest.mark.parametrize('writer_class', [c for c in WRITERS if issubclass(
    c, snapshot_writers.QueueWriter)])
def test_queue_writer_removes_stale_snapshots(tmp_path, writer_class):
    # Chainer registered the cleanup on the queue writer but never ran it there.
    trainer, _ = _trainer(str(tmp_path), 5)
    trainer.extend(extensions.snapshot(filename='snap_{.updater.iteration}', n_retains=2,
                                       writer=writer_class()),
                   trigger=(1, 'iteration'))
    trainer.run()
    assert sorted(os.listdir(str(tmp_path))) == ['snap_4', 'snap_5']


def test_writer_gets_the_state_of_the_call(tmp_path):
    got = []

    class Keep(snapshot_writers.Writer):
        def __call__(self, filename, outdir, target):
            got.append(target)

    trainer, model = _trainer(str(tmp_path), 3)
    trainer.extend(extensions.snapshot_object(model, 'm', writer=Keep()),
                   trigger=(1, 'iteration'))
    weights = []
    trainer.extend(lambda t: weights.append(model.W.array.copy()), name='w',
                   trigger=(1, 'iteration'))
    trainer.run()
    assert [sorted(t) for t in got] == [['W']] * 3
    for target, w in zip(got, weights):
        numpy.testing.assert_array_equal(target['W'], w)
    assert not numpy.shares_memory(got[-1]['W'], model.W.array)


def test_num_retain_is_a_deprecated_n_retains():
    with pytest.warns(DeprecationWarning, match='n_retains'):
        assert extensions.snapshot(num_retain=2).n_retains == 2
    with pytest.warns(DeprecationWarning):
        assert extensions.snapshot_object(L.Linear(2, 2), 'x', num_retain=3).n_retains == 3
    with pytest.raises(TypeError):
        extensions.snapshot(retain=2)


def test_queue_writer_takes_task_second(tmp_path):
    # Chainer's signature: QueueWriter(savefun=save_npz, task=None).
    done = []
    writer = snapshot_writers.ThreadQueueWriter(serializers.save_npz,
                                                lambda f, o, t: done.append(f))
    writer('a', str(tmp_path), {})
    writer.finalize()
    assert done == ['a']


def _run_python(code: str):
    """Runs ``code`` in a fresh interpreter that imports this checkout's chainer."""
    import subprocess
    import sys
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    env = dict(os.environ, PYTHONPATH=root + os.pathsep + os.environ.get('PYTHONPATH', ''))
    return subprocess.run([sys.executable, '-c', code], timeout=60, env=env,
                          capture_output=True, text=True)


@pytest.mark.parametrize('name', _QUEUE_WRITERS)
def test_unfinalized_queue_writer_writes_and_lets_python_exit(tmp_path, name):
    # Never finalized (as when its trainer never runs): the queued snapshot is still
    # written at exit, and the interpreter ends instead of waiting for the consumer.
    code = (
        'import chainer.links as L\n'
        'from chainer.training.extensions import snapshot_writers\n'
        f'w = snapshot_writers.{name}()\n'
        f'w("snap", {str(tmp_path)!r}, L.Linear(3, 2))\n')
    done = _run_python(code)
    assert done.returncode == 0, done.stderr
    assert os.listdir(str(tmp_path)) == ['snap']
    serializers.load_npz(str(tmp_path / 'snap'), L.Linear(3, 2))


@pytest.mark.parametrize('name', _QUEUE_WRITERS)
def test_queue_writer_goes_on_after_a_failed_snapshot(tmp_path, name):
    # A full disk fails one snapshot: the error is printed, the next snapshot is
    # written and finalize returns (Chainer's consumer died and finalize hung).
    code = (
        'import chainer.links as L\n'
        'from chainer import serializers\n'
        'from chainer.training.extensions import snapshot_writers\n'
        'calls = []\n'
        'def save(path, target):\n'
        '    calls.append(path)\n'
        '    if len(calls) == 1:\n'
        '        raise OSError(28, "No space left on device")\n'
        '    serializers.save_npz(path, target)\n'
        f'w = snapshot_writers.{name}(savefun=save)\n'
        f'w("a", {str(tmp_path)!r}, L.Linear(3, 2))\n'
        f'w("b", {str(tmp_path)!r}, L.Linear(3, 2))\n'
        'w.finalize()\n'
        'print("finalized")\n')
    done = _run_python(code)
    assert done.returncode == 0, done.stderr
    assert done.stdout == 'finalized\n'
    assert f"cannot save {str(tmp_path / 'a')!r}: No space left on device" in done.stderr
    assert os.listdir(str(tmp_path)) == ['b']
