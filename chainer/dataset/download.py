"""Dataset root directory, cached downloads and cached derived files.

The root is ``$CHAINER_DATASET_ROOT`` or ``~/.chainer/dataset``.  Every file
lands under its final name only once complete: it is written through the
library's atomic writer (temporary in the same directory, fsync, rename),
under a file lock (``filelock``) so that concurrent processes do not race;
the threads of one process share its hold of the lock, and wait only for a
thread making the same file.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import inspect
import os
import sys
import threading
import urllib.error
from typing import Any, Callable, Iterator

from chainer.utils import _atomic

_dataset_root = os.environ.get(
    'CHAINER_DATASET_ROOT',
    os.path.join(os.path.expanduser('~'), '.chainer', 'dataset'))


class DownloadError(urllib.error.URLError):
    """A dataset file is missing and could not be downloaded.

    A ``URLError`` (an ``OSError``), which is what Chainer let through; its
    ``reason`` is the underlying one, as on the ``URLError`` Chainer raised
    (the message when there is none).
    """

    def __init__(self, message: str, reason: Any = None) -> None:
        super().__init__(message if reason is None else reason)
        self.args = (message, reason)
        self.message = message

    def __str__(self) -> str:
        return self.message


class _DatasetRootError(RuntimeError, OSError):
    """The dataset root cannot be made a directory (a file is in the way): the
    RuntimeError Chainer raised, and an OSError as the failure underneath."""


def get_dataset_root() -> Any:
    """Returns the root directory of downloaded datasets, as it was set."""
    return _dataset_root


def set_dataset_root(path: Any) -> None:
    """Sets the root directory of downloaded datasets (default from ``CHAINER_DATASET_ROOT``).

    ``path`` is kept as given (a ``str`` or a path object), as Chainer kept it.
    """
    global _dataset_root
    _dataset_root = path


def get_dataset_directory(dataset_name: str, create_directory: bool = True) -> str:
    """Returns ``<dataset root>/<dataset_name>``, creating it unless told not to."""
    path = os.path.join(_dataset_root, dataset_name)
    if create_directory:
        try:
            os.makedirs(path, exist_ok=True)
        except OSError:
            if not os.path.isdir(path):
                raise
    return path


class _ProcessFileLock:
    """An inter-process file lock that this process holds for all its threads, plus
    a lock per file made under it.

    The file lock is taken when the first thread of the process needs it and let go
    when the last one is done, so that threads never wait for each other's hold of
    it: a creator (or download) that hands work to another thread which makes
    another cached file (as Chainer, which held its lock only to rename, allowed)
    goes on instead of waiting for the lock its own caller holds. Threads making
    the same file wait for each other through that file's reentrant lock (a creator
    may make another cached file in its own thread: the PTB word ids need the
    vocabulary), so the file is made once, and then loaded by the others.
    """

    def __init__(self, lock_path: str) -> None:
        self._lock_path = lock_path
        self._mutex = threading.Lock()
        self._holders = 0
        self._file_lock: Any = None
        self._keys: dict = {}  # key -> [RLock, threads using it]

    @contextlib.contextmanager
    def holding(self, key: str) -> Iterator[None]:
        with self._mutex:
            if self._holders == 0:  # (no thread here holds the file lock: nobody waits)
                self._file_lock = _os_file_lock(self._lock_path)
                self._file_lock.acquire()
            self._holders += 1
            entry = self._keys.get(key)
            if entry is None:
                entry = self._keys[key] = [threading.RLock(), 0]
            entry[1] += 1
        try:
            with entry[0]:
                yield
        finally:
            with self._mutex:
                entry[1] -= 1
                if entry[1] == 0:
                    del self._keys[key]
                self._holders -= 1
                if self._holders == 0:
                    file_lock, self._file_lock = self._file_lock, None
                    file_lock.release()


# (pid, lock path) -> its _ProcessFileLock: a forked child makes its own (the parent's
# are kept, never collected: a collected lock object would unlock the parent's file).
_process_locks: dict = {}
_process_locks_mutex = threading.Lock()


def _reset_mutex_in_child() -> None:
    global _process_locks_mutex
    _process_locks_mutex = threading.Lock()  # another thread may have held it at the fork


if hasattr(os, 'register_at_fork'):
    os.register_at_fork(after_in_child=_reset_mutex_in_child)


def _file_lock(lock_path: str, key: str) -> contextlib.AbstractContextManager:
    """Holds the inter-process lock ``lock_path`` and this process's lock for making
    the file ``key`` (see :class:`_ProcessFileLock`)."""
    name = (os.getpid(), os.path.abspath(lock_path))
    with _process_locks_mutex:
        lock = _process_locks.get(name)
        if lock is None:
            lock = _process_locks[name] = _ProcessFileLock(name[1])
    return lock.holding(os.path.abspath(key))


def _os_file_lock(lock_path: str) -> Any:
    """A ``filelock.FileLock`` on ``lock_path`` that any thread may release."""
    # Imported on first use: only downloads and dataset caches need it.
    import filelock
    global _file_lock_options
    if _file_lock_options is None:
        # (an older filelock has no such argument, nor thread-local state; calling it
        # with one leaves a half-made lock that complains when collected)
        takes = 'thread_local' in inspect.signature(filelock.FileLock.__init__).parameters
        _file_lock_options = {'thread_local': False} if takes else {}
    return filelock.FileLock(lock_path, **_file_lock_options)


_file_lock_options: dict | None = None


def _is_stock_urlretrieve(f: Any) -> bool:
    return (getattr(f, '__module__', None) == 'urllib.request'
            and getattr(f, '__qualname__', None) == 'urlretrieve')


def _urlretrieve(url: str, path: str) -> None:
    # Looked up at call time, so that replacing ``urllib.request.urlretrieve``,
    # ``six.moves.urllib.request.urlretrieve`` (the name Chainer called, which
    # its tests and code copying them patch) or this function redirects
    # downloads. six caches the stock function once used, so a patch of
    # urllib's wins over a six that was not patched.
    import urllib.request  # imported lazily: it is slow to import
    retrieve = urllib.request.urlretrieve
    six = sys.modules.get('six')
    if six is not None and _is_stock_urlretrieve(retrieve):
        with contextlib.suppress(Exception):  # a partial or stand-in six
            retrieve = six.moves.urllib.request.urlretrieve
    retrieve(url, path)


def cached_download(url: str) -> str:
    """Downloads ``url`` once into ``<root>/_dl_cache`` and returns the local path.

    The cache file is named by the MD5 of the URL, as in Chainer.  Raises
    :class:`DownloadError` (an ``OSError``) naming the URL and the cache path
    when the download fails.
    """
    cache_root = os.path.join(_dataset_root, '_dl_cache')
    os.makedirs(cache_root, exist_ok=True)
    lock_path = os.path.join(cache_root, '_dl_lock')
    cache_path = os.path.join(cache_root, hashlib.md5(url.encode('utf-8')).hexdigest())
    with _file_lock(lock_path, cache_path):
        if os.path.exists(cache_path):
            return cache_path
        sys.stderr.write(f'Downloading from {url}...\n')
        sys.stderr.flush()
        try:
            with _atomic.replacing(cache_path) as temp_path:
                _urlretrieve(url, temp_path)
        except Exception as e:
            raise DownloadError(f'could not download {url} (to {cache_path}): {e}',
                                getattr(e, 'reason', e)) from e
    return cache_path


def cache_or_load_file(path: str, creator: Callable[[str], Any],
                       loader: Callable[[str], Any]) -> Any:
    """Loads ``path`` with ``loader``; if it is missing, makes it with ``creator``.

    ``creator(temp_path)`` writes the file at a temporary path (same base name,
    inside a temporary directory beside ``path``) and returns the content; the
    file is then synced and renamed to ``path``, so ``path`` never holds a
    partial file and exists only if ``creator`` succeeded.
    """
    if os.path.exists(path):
        return loader(path)
    directory = os.path.dirname(os.path.abspath(path))
    os.makedirs(directory, exist_ok=True)
    try:
        os.makedirs(_dataset_root, exist_ok=True)
    except OSError as e:
        if not os.path.isdir(_dataset_root):
            raise _DatasetRootError(
                f'cannot create dataset directory {os.fspath(_dataset_root)!r}: {e}') from e
    lock_path = os.path.join(_dataset_root, '_create_lock')
    with _file_lock(lock_path, path):
        if os.path.exists(path):
            return loader(path)
        with _atomic.replacing(path, keep_name=True) as temp_path:
            content = creator(temp_path)
            if not os.path.exists(temp_path):
                raise FileNotFoundError(
                    errno.ENOENT, f'the creator of {path} did not write the file', temp_path)
    return content
