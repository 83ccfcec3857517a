"""Datasets stored as a sequence of pickles in one file.

WARNING: reading a PickleDataset *unpickles* its records, which can run
arbitrary code. Only open files that you wrote yourself or otherwise trust.
"""
from __future__ import annotations

import io
import multiprocessing.util
import os
import pickle
import pickletools
import threading
from typing import Any, BinaryIO

from chainer.dataset import dataset_mixin


class PickleDatasetWriter:
    """Appends pickled examples to ``writer`` (a binary file object)."""

    def __init__(self, writer: BinaryIO, protocol: int = 5) -> None:
        self._positions: list = []
        self._writer = writer
        self._protocol = protocol

    def close(self) -> None:
        self._writer.close()

    def __enter__(self) -> 'PickleDatasetWriter':
        return self

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        self.close()

    def write(self, x: Any) -> None:
        """Pickles one example at the end of the file."""
        self._positions.append(self._writer.tell())
        pickle.dump(x, self._writer, protocol=self._protocol)

    def flush(self) -> None:
        """Flushes the writer, if it can be flushed."""
        flush = getattr(self._writer, 'flush', None)
        if flush is not None:
            flush()


class PickleDataset(dataset_mixin.DatasetMixin):
    """Random access to the pickles written by :class:`PickleDatasetWriter`.

    ``reader`` is a seekable binary file object.  Record boundaries are found
    by scanning the pickle opcodes, without unpickling; ``dataset[i]``
    unpickles record ``i`` -- **only use trusted files**.  If ``reader`` has an
    ``after_fork()`` method, it is called in each child process that
    ``multiprocessing`` forks (as Chainer did), so that the reader can reopen
    its file instead of sharing the parent's file position.
    """

    def __init__(self, reader: BinaryIO) -> None:
        if not reader.seekable():
            raise ValueError('reader must support random access (seek)')
        self._reader = reader
        self._lock = threading.RLock()
        self._positions = []
        with self._lock:
            reader.seek(0)
            while True:
                pos = reader.tell()
                if not reader.read(1):
                    break
                reader.seek(pos)
                try:
                    for _ in pickletools.genops(reader):
                        pass
                except ValueError as e:
                    raise pickle.UnpicklingError(
                        f'corrupt pickle dataset: bad record at byte {pos} ({e})') from None
                self._positions.append(pos)
        self._register_hook()

    def _register_hook(self) -> None:
        multiprocessing.util.register_after_fork(self, PickleDataset._after_fork)

    def _after_fork(self) -> None:
        after_fork = getattr(self._reader, 'after_fork', None)
        if callable(after_fork):
            after_fork()

    def close(self) -> None:
        with self._lock:
            self._reader.close()

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        del state['_lock']
        return state

    def __setstate__(self, state: dict) -> None:
        self.__dict__.update(state)
        self._lock = threading.RLock()
        self._register_hook()

    def __enter__(self) -> 'PickleDataset':
        return self

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        self.close()

    def __len__(self) -> int:
        return len(self._positions)

    def get_example(self, index: int) -> Any:
        with self._lock:
            self._reader.seek(self._positions[index])
            return pickle.load(self._reader)


class _FileReader(io.RawIOBase):
    # Reopens the file in each process, so the dataset survives fork and pickling.

    def __init__(self, path: str) -> None:
        super().__init__()
        self._path = os.fspath(path)
        self._fp: Any = None
        self._pid: Any = None
        self._file()

    def _file(self) -> BinaryIO:
        if self.closed:
            raise ValueError(f'I/O operation on closed pickle dataset {self._path}')
        if self._fp is None or self._pid != os.getpid():
            self._fp = open(self._path, 'rb')
            self._pid = os.getpid()
        return self._fp

    def after_fork(self) -> None:
        """Reopens the file (called in a forked child, which must not share the
        parent's open file and its position)."""
        if self._fp is not None:
            self._fp.close()
            self._fp = None
        self._file()

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def read(self, size: int = -1) -> bytes:
        return self._file().read(size)

    def readline(self, size: int = -1) -> bytes:
        return self._file().readline(size)

    def readinto(self, b: Any) -> int:
        return self._file().readinto(b)

    def seek(self, offset: int, whence: int = 0) -> int:
        return self._file().seek(offset, whence)

    def tell(self) -> int:
        return self._file().tell()

    def close(self) -> None:
        if self._fp is not None:
            self._fp.close()
            self._fp = None
        super().close()

    def __getstate__(self) -> dict:
        return {'_path': self._path}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state['_path'])


def open_pickle_dataset(path: str) -> PickleDataset:
    """Opens the pickle dataset file ``path`` (unpickles on access: trusted files only)."""
    return PickleDataset(_FileReader(path))


def open_pickle_dataset_writer(path: str, protocol: int = 5) -> PickleDatasetWriter:
    """Creates (truncates) ``path`` and returns a writer for it."""
    return PickleDatasetWriter(open(path, 'wb'), protocol)
