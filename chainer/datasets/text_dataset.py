"""TextDataset: the lines of one or more parallel text files."""
from __future__ import annotations

import contextlib
import io
import os
import threading
from typing import Any, Callable

from chainer.dataset import dataset_mixin


def _per_file(value: Any, n_files: int, name: str) -> list:
    if isinstance(value, (list, tuple)):
        if len(value) != n_files:
            raise ValueError(f'{name} has {len(value)} entries for {n_files} files')
        return list(value)
    return [value] * n_files


class TextDataset(dataset_mixin.DatasetMixin):
    """Each example is a line (with its line ending) of ``paths``.

    ``paths`` is one path or a list/tuple of paths to files with the same
    number of lines. With one file an example is a string, with several a
    tuple of strings (one line of each file). ``encoding``, ``errors`` and
    ``newline`` are passed to :func:`open`; each may be a list giving one
    value per file. ``filter_func(*lines)`` keeps only the lines for which it
    returns true. Only line offsets are kept in memory.
    """

    def __init__(self, paths: Any, encoding: Any = None, errors: Any = None,
                 newline: Any = None, filter_func: Callable[..., bool] | None = None
                 ) -> None:
        if isinstance(paths, (str, os.PathLike)):
            paths = [paths]
        elif not (isinstance(paths, (list, tuple)) and paths):
            raise ValueError(f'paths must be a path or a non-empty list of paths, got {paths!r}')
        self._paths = [os.fspath(p) for p in paths]
        n_files = len(self._paths)
        self._options = [
            {'encoding': e, 'errors': r, 'newline': n}
            for e, r, n in zip(*(_per_file(v, n_files, name) for v, name in (
                (encoding, 'encoding'), (errors, 'errors'), (newline, 'newline'))))]
        self._lock = threading.Lock()
        self._fps: Any = None
        self._pid: Any = None

        self._rows = self._scan(filter_func)

    def _scan(self, filter_func: Callable[..., bool] | None) -> list:
        # All files in step, one line each, so that filter_func sees each row
        # as it is read and a file that ends early is noticed where it ends.
        rows = []
        with contextlib.ExitStack() as stack:
            files = [stack.enter_context(io.open(p, **o))
                     for p, o in zip(self._paths, self._options)]
            n_lines = 0
            while True:
                row = tuple(f.tell() for f in files)
                lines = [f.readline() for f in files]
                if not all(lines):
                    if any(lines):
                        ended = [p for p, line in zip(self._paths, lines) if not line]
                        raise ValueError(
                            'the files given to TextDataset must have the same number of '
                            f'lines: {", ".join(ended)} ended after {n_lines} lines '
                            'while the others go on')
                    return rows
                n_lines += 1
                if filter_func is None or filter_func(*lines):
                    rows.append(row)

    # Set by close(): the dataset is then unusable, as in Chainer (its copies made
    # by pickling are not closed).
    _closed = False

    def _files(self) -> list:
        if self._closed:
            raise ValueError(f'I/O operation on a closed TextDataset ({", ".join(self._paths)})')
        pid = os.getpid()
        if self._fps is None or self._pid != pid:
            self._fps = [io.open(p, **o) for p, o in zip(self._paths, self._options)]
            self._pid = pid
        return self._fps

    def _read_row(self, row: tuple) -> tuple:
        with self._lock:
            lines = []
            for f, pos in zip(self._files(), row):
                f.seek(pos)
                lines.append(f.readline())
        return tuple(lines)

    def __len__(self) -> int:
        return len(self._rows)

    def get_example(self, i: int) -> Any:
        lines = self._read_row(self._rows[i])
        return lines[0] if len(lines) == 1 else lines

    def close(self) -> None:
        """Closes the files; reading an example afterwards raises ValueError."""
        with self._lock:
            self._closed = True
            if self._fps is not None:
                for f in self._fps:
                    f.close()
            self._fps = None

    def __getstate__(self) -> dict:
        state = self.__dict__.copy()
        state['_fps'] = None
        state['_pid'] = None
        state.pop('_closed', None)
        del state['_lock']
        return state

    def __setstate__(self, state: dict) -> None:
        if '_bounds' in state:  # pickled by Chainer
            from chainer import _pickle_compat
            state = _pickle_compat.text_dataset_state(state)
        self.__dict__.update(state)
        self._lock = threading.Lock()

    def __del__(self) -> None:
        try:
            self.close()
        except Exception:
            pass
