"""The atomic writer: complete files or none, and nothing left behind by killed writers."""
import os
import signal
import stat

import numpy
import pytest

from chainer import dataset
from chainer import links as L
from chainer import serializers
from chainer.dataset import download
from chainer.serializers import npz as npz_module
from chainer.training.extensions import snapshot_writers
from chainer.utils import _atomic

posix_only = pytest.mark.skipif(os.name != 'posix', reason='needs fork and signals')


def _temporaries(directory):
    return [n for n in os.listdir(directory) if _atomic.is_temporary_name(n)]


def test_write_replaces_and_keeps_mode(tmp_path):
    path = str(tmp_path / 'f')
    _atomic.write_bytes(path, b'old')
    os.chmod(path, 0o600)
    _atomic.write_bytes(path, b'new')
    assert open(path, 'rb').read() == b'new'
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert os.listdir(str(tmp_path)) == ['f']


def test_failed_write_keeps_old_file(tmp_path):
    path = str(tmp_path / 'f')
    _atomic.write_bytes(path, b'old')

    def fail(f):
        f.write(b'partial')
        raise RuntimeError('boom')

    with pytest.raises(RuntimeError):
        _atomic.write_with(path, fail)
    assert open(path, 'rb').read() == b'old'
    assert os.listdir(str(tmp_path)) == ['f']


def test_keep_name_gives_final_base_name(tmp_path):
    path = str(tmp_path / 'x.npy')
    with _atomic.replacing(path, keep_name=True) as temp:
        assert os.path.basename(temp) == 'x.npy' and temp != path
        numpy.save(temp, numpy.arange(3))
    numpy.testing.assert_array_equal(numpy.load(path), numpy.arange(3))
    assert os.listdir(str(tmp_path)) == ['x.npy']


def test_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError):
        _atomic.write_bytes(str(tmp_path / 'no' / 'f'), b'')
    _atomic.write_bytes(str(tmp_path / 'no' / 'f'), b'', create_directory=True)


def test_directory_that_is_a_file(tmp_path):
    # As Chainer's writers (a Trainer whose out is a file): NotADirectoryError.
    (tmp_path / 'taken').write_bytes(b'x')
    for create in (False, True):
        with pytest.raises(NotADirectoryError):
            _atomic.write_bytes(str(tmp_path / 'taken' / 'f'), b'', create_directory=create)
    assert (tmp_path / 'taken').read_bytes() == b'x'


def _run_killed(func):
    """Runs ``func`` in a forked child that is expected to SIGKILL itself."""
    pid = os.fork()
    if pid == 0:
        try:
            func()
        finally:
            os._exit(3)
    _, status = os.waitpid(pid, 0)
    assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL


def _die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)


@posix_only
def test_killed_writers_are_cleaned_by_next_write(tmp_path):
    out = str(tmp_path)
    link = L.Linear(30, 20)

    def kill_in_save_npz():
        def write_then_die(f, arrays, compression):
            f.write(b'PK partial archive')
            _die()
        npz_module._write_npz = write_then_die
        serializers.save_npz(os.path.join(out, 'model.npz'), link)

    def kill_in_snapshot_writer():
        def savefun(path, target):
            with open(path, 'wb') as f:
                f.write(b'partial')
            _die()
        snapshot_writers.SimpleWriter(savefun=savefun)('snapshot_iter_1', out, link)

    for _ in range(3):
        _run_killed(kill_in_save_npz)
    _run_killed(kill_in_snapshot_writer)
    assert len(_temporaries(out)) == 4
    assert not os.path.exists(os.path.join(out, 'model.npz'))

    serializers.save_npz(os.path.join(out, 'model.npz'), link)
    assert sorted(os.listdir(out)) == ['model.npz']


@posix_only
def test_temporaries_of_live_writers_are_kept(tmp_path):
    out = str(tmp_path)
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        with _atomic.replacing(os.path.join(out, 'slow')):
            os.write(write_end, b'x')
            os.close(write_end)
            signal.pause()
        os._exit(0)
    os.close(write_end)
    assert os.read(read_end, 1) == b'x'
    os.close(read_end)
    try:
        _atomic.write_bytes(os.path.join(out, 'other'), b'')
        assert len(_temporaries(out)) == 1
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    _atomic.write_bytes(os.path.join(out, 'other'), b'')
    assert sorted(os.listdir(out)) == ['other']


@pytest.fixture
def root(tmp_path):
    original = dataset.get_dataset_root()
    dataset.set_dataset_root(str(tmp_path / 'root'))
    yield str(tmp_path / 'root')
    dataset.set_dataset_root(original)


@posix_only
def test_killed_dataset_writers_are_cleaned(root, monkeypatch):
    directory = dataset.get_dataset_directory('ds')

    def kill_in_creator():
        dataset.cache_or_load_file(os.path.join(directory, 'a.npz'), _die, None)

    def kill_in_download():
        download._urlretrieve = lambda url, path: (open(path, 'wb').write(b'half'), _die())
        dataset.cached_download('http://example.com/a')

    _run_killed(kill_in_creator)
    _run_killed(kill_in_download)
    cache = os.path.join(root, '_dl_cache')
    assert len(_temporaries(directory)) == 1 and len(_temporaries(cache)) == 1

    def create(path):
        numpy.savez(path, x=numpy.arange(2))
        return 'made'
    assert dataset.cache_or_load_file(os.path.join(directory, 'b.npz'), create, None) == 'made'
    monkeypatch.setattr(download, '_urlretrieve',
                        lambda url, path: open(path, 'wb').write(b'ok'))
    dataset.cached_download('http://example.com/b')
    assert _temporaries(directory) == [] and _temporaries(cache) == []


@posix_only
def test_save_hdf5_on_full_disk_raises_and_keeps_old_file(tmp_path):
    pytest.importorskip('h5py')
    resource = pytest.importorskip('resource')
    path = str(tmp_path / 'model.h5')
    serializers.save_hdf5(path, L.Linear(2, 2))
    old = open(path, 'rb').read()
    link = L.Linear(300, 300)  # 360 kB of random weights: does not compress away

    pid = os.fork()
    if pid == 0:
        code = 1
        try:
            limit = len(old) + 64 * 1024
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
            serializers.save_hdf5(path, link, compression=0)
        except OSError as e:
            code = 0 if path in str(e) else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assert open(path, 'rb').read() == old
    assert os.listdir(str(tmp_path)) == ['model.h5']


@pytest.mark.parametrize('fail_at', ['write', 'fsync', 'replace'])
def test_disk_error_names_the_destination(tmp_path, monkeypatch, fail_at):
    # A full disk raises OSError naming the file being saved (write, fsync and
    # rename errors name none), and the old file and directory are kept as they were.
    import errno
    path = str(tmp_path / 'm.npz')
    serializers.save_npz(path, L.Linear(3, 2))
    old = open(path, 'rb').read()

    def full(*args):
        raise OSError(errno.ENOSPC, 'No space left on device')
    if fail_at == 'write':
        monkeypatch.setattr(npz_module, '_write_npz', full)
    else:
        monkeypatch.setattr(_atomic.os, fail_at, full)
    with pytest.raises(OSError) as info:
        serializers.save_npz(path, L.Linear(3, 2))
    monkeypatch.undo()
    assert info.value.errno == errno.ENOSPC
    assert info.value.filename == path
    assert str(info.value).startswith(f'[Errno 28] cannot save {path!r}: No space left')
    assert open(path, 'rb').read() == old
    assert os.listdir(str(tmp_path)) == ['m.npz']


def test_other_errors_pass_unchanged(tmp_path):
    # Errors that are not of the disk (or already name a file) are not rewritten.
    def fail(f):
        raise PermissionError(13, 'Permission denied', 'elsewhere')
    with pytest.raises(PermissionError) as info:
        _atomic.write_with(str(tmp_path / 'f'), fail)
    assert info.value.filename == 'elsewhere'
    assert os.listdir(str(tmp_path)) == []


@pytest.mark.parametrize('keep_name', [False, True])
def test_unwritable_directory_error_names_the_destination(tmp_path, monkeypatch, keep_name):
    # The temporary cannot be made (a read-only directory): PermissionError naming
    # the file being saved, as Chainer's open(path, 'wb') raised, not the temporary.
    import errno
    path = str(tmp_path / 'm.npz')

    def refuse(name, *args):
        raise PermissionError(errno.EACCES, 'Permission denied', name)
    monkeypatch.setattr(_atomic.os, 'mkdir' if keep_name else 'open', refuse)
    with pytest.raises(PermissionError) as info:
        with _atomic.replacing(path, keep_name=keep_name):
            pass
    monkeypatch.undo()
    assert info.value.filename == path
    assert str(info.value) == f'[Errno 13] Permission denied: {path!r}'
    assert os.listdir(str(tmp_path)) == []


@posix_only
def test_device_destination_is_written_not_replaced(tmp_path):
    # A pipe or device destination is written into, as Chainer wrote into a pipe;
    # renaming a temporary over /dev/null replaced it with a regular file (as root).
    fifo = str(tmp_path / 'pipe')
    os.mkfifo(fifo)
    link = str(tmp_path / 'link')
    os.symlink(fifo, link)
    import threading
    received = []
    reader = threading.Thread(target=lambda: received.append(open(fifo, 'rb').read()),
                              daemon=True)
    reader.start()
    serializers.save_npz(link, L.Linear(3, 2))
    reader.join(30)
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert received and received[0].startswith(b'PK')
    assert sorted(os.listdir(str(tmp_path))) == ['link', 'pipe']
    _atomic.write_bytes(os.devnull, b'data')
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


@posix_only
def test_npz_is_saved_into_dev_null():
    # /dev/null's position stays 0, so zipfile's end record (which seeks back
    # to the central directory) raised struct.error: argument out of range.
    serializers.save_npz(os.devnull, L.Linear(3, 2))
    serializers.save_npz(os.devnull, L.Linear(3, 2), compression=False)
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


@pytest.mark.parametrize('name', ['\u91cd' * 80 + '.npz', 'a' * 251 + '.npz'], ids=['cjk', 'ascii'])
def test_longest_names_are_written(tmp_path, name):
    # A name near the 255-byte limit (80 CJK characters are 244 bytes in UTF-8)
    # gets a temporary short enough to be made.
    path = str(tmp_path / name)
    serializers.save_npz(path, L.Linear(3, 2))
    assert os.listdir(str(tmp_path)) == [name]
    serializers.load_npz(path, L.Linear(3, 2))


def test_write_together_renames_all_or_none(tmp_path):
    a, b = str(tmp_path / 'a'), str(tmp_path / 'b')
    _atomic.write_together([(a, b'a1'), (b, b'b1')])
    os.remove(b)
    os.mkdir(b)
    with pytest.raises(IsADirectoryError):
        _atomic.write_together([(a, b'a2'), (b, b'b2')])
    assert open(a, 'rb').read() == b'a1'
    assert sorted(os.listdir(str(tmp_path))) == ['a', 'b']
