"""snapshot / snapshot_object: save the trainer or any object to files during training."""
from __future__ import annotations

import os
import re
import warnings
from typing import Any, Callable

import chainer
from chainer.serializers import npz
from chainer.training import extension
from chainer.training.extensions import snapshot_writers
from chainer.utils import argument


def _always_true() -> bool:
    return True


def _find_snapshot_files(fmt: str, path: str) -> list:
    # Files whose names could come from ``fmt``: same text before the first
    # field and after the last one; returned as (mtime, name), oldest first.
    # A format in a fixed folder (``'ckpt/s_{.updater.iteration}'``, or an
    # absolute one) is looked for in that folder; names come back with it.
    folder, fmt = os.path.split(fmt)
    if '{' in folder:  # a folder made from fields: only trainer.out is searched
        folder, fmt = '', os.path.join(folder, fmt)
    prefix = fmt.split('{')[0]
    suffix = fmt.split('}')[-1]
    if folder:
        path = os.path.join(path, folder)
    if not os.path.exists(path):
        return []
    # A file in place of the directory raises NotADirectoryError, as in Chainer.
    found = []
    for name in os.listdir(path):
        full = os.path.join(path, name)
        if name.startswith(prefix) and name.endswith(suffix) and os.path.isfile(full):
            found.append((os.stat(full).st_mtime_ns, _natural_key(name), name))
    return [(mtime, os.path.join(folder, name)) for mtime, _, name in sorted(found)]


def _natural_key(name: str) -> list:
    # Equal mtimes are ordered by the numbers in the names (iter_999 < iter_1000).
    return [(0, int(part), '') if part.isdigit() else (1, 0, part)
            for part in re.split(r'(\d+)', name)]


def _find_latest_snapshot(fmt: str, path: str) -> str | None:
    files = _find_snapshot_files(fmt, path)
    return files[-1][1] if files else None


def _find_stale_snapshots(fmt: str, path: str, n_retains: int) -> list:
    files = _find_snapshot_files(fmt, path)
    if n_retains <= 0 or len(files) <= n_retains:
        return []
    return [name for _, name in files[:len(files) - n_retains]]


class _StaleRemover:
    """Removes all but the ``n_retains`` newest snapshots (picklable, for writer processes)."""

    def __init__(self, fmt: str, outdir: str, n_retains: int) -> None:
        self.fmt = fmt
        self.outdir = outdir
        self.n_retains = n_retains

    def __call__(self) -> None:
        for name in _find_stale_snapshots(self.fmt, self.outdir, self.n_retains):
            try:
                os.remove(os.path.join(self.outdir, name))
            except FileNotFoundError:
                pass


class _Snapshot(extension.Extension):
    """The extension made by :func:`snapshot` and :func:`snapshot_object`."""

    trigger = 1, 'epoch'
    # After every other extension of the iteration, so that the saved state
    # includes their updates (log entries, shifted hyperparameters).
    priority = -100

    def __init__(self, target: Any = None, condition: Callable | None = None,
                 writer: Callable | None = None,
                 filename: Any = 'snapshot_iter_{.updater.iteration}',
                 snapshot_on_error: bool = False, n_retains: int = -1,
                 autoload: bool = False, *, savefun: Callable | None = None,
                 **kwargs: Any) -> None:
        n_retains = _renamed_num_retain(kwargs, n_retains)
        argument.assert_kwargs_empty(kwargs)
        if condition is None:
            condition = _always_true
        if writer is None:
            writer = snapshot_writers.SimpleWriter() if savefun is None \
                else snapshot_writers.SimpleWriter(savefun=savefun)
        self._target = target
        self.filename = filename
        self.condition = condition
        self.writer = writer
        self._savefun = savefun
        self._snapshot_on_error = snapshot_on_error
        self.n_retains = n_retains
        self.autoload = autoload
        self._cleanup_registered = False
        # Until an autoload has run, the target does not hold the state to save.
        self._autoload_pending = bool(autoload)

    def initialize(self, trainer: Any) -> None:
        """With ``autoload``, loads the newest matching snapshot in ``trainer.out``."""
        if not self.autoload:
            return
        self._autoload_pending = True
        if not isinstance(self.filename, str):
            raise TypeError('autoload needs the filename to be a format string')
        target = trainer if self._target is None else self._target
        latest = _find_latest_snapshot(self.filename, trainer.out)
        if latest is not None:
            from chainer import serializers
            path = os.path.join(trainer.out, latest)
            serializers.load_npz(path, target)
            if chainer.is_debug():  # Chainer's report of the outcome, in debug mode only
                print('Snapshot loaded from', path)
        elif chainer.is_debug():
            print(f'No snapshot file that matches {self.filename} was found')
        self._autoload_pending = False

    def on_error(self, trainer: Any, exc: BaseException, tb: Any) -> None:
        # A failed (or never run) autoload would save the fresh state as the
        # newest snapshot, which the next autoload would then resume from.
        if self._snapshot_on_error and not self._autoload_pending:
            self._make_snapshot(trainer)

    def __call__(self, trainer: Any) -> None:
        if self.condition():
            self._make_snapshot(trainer)

    def _make_snapshot(self, trainer: Any) -> None:
        # The writer gets the state as of now, as a dict of arrays (as in
        # Chainer); a writer that saves later gets copies, not live arrays.
        target = npz.serialize(trainer if self._target is None else self._target)
        if not isinstance(self.writer, snapshot_writers.SimpleWriter):
            target = {key: value.copy() for key, value in target.items()}
        filename = self.filename
        if callable(filename):
            filename = filename(trainer)
        else:
            filename = filename.format(trainer)
        outdir = trainer.out
        retain = self.n_retains > 0 and isinstance(self.filename, str)
        add_hook = getattr(self.writer, '_add_cleanup_hook', None)
        if retain and add_hook is not None and not self._cleanup_registered:
            # Writers that save in the background remove stale files after saving.
            add_hook(_StaleRemover(self.filename, outdir, self.n_retains))
            self._cleanup_registered = True

        self.writer(filename, outdir, target)

        if retain and add_hook is None:
            _StaleRemover(self.filename, outdir, self.n_retains)()

    def finalize(self) -> None:
        finalize = getattr(self.writer, 'finalize', None)
        if finalize is not None:
            finalize()


def _renamed_num_retain(kwargs: dict, n_retains: int) -> int:
    if 'num_retain' not in kwargs:
        return n_retains
    warnings.warn('Argument `num_retain` is deprecated. Please use `n_retains` instead',
                  DeprecationWarning)
    return kwargs.pop('num_retain')


def snapshot_object(target: Any, filename: Any, savefun: Callable | None = None,
                    **kwargs: Any) -> _Snapshot:
    """Returns an extension that saves ``target`` (e.g. a model) to a file.

    Args:
        target: Object with a ``serialize`` method to save.
        filename (str or callable): File name; a format string filled with
            the trainer (e.g. ``'model_epoch_{.updater.epoch}'``) or a
            function of the trainer.
        savefun: ``savefun(path, target)``; defaults to
            :func:`chainer.serializers.save_npz`.
        **kwargs: As for :func:`snapshot` (``condition``, ``writer``,
            ``snapshot_on_error``, ``n_retains``, ``autoload``).
    """
    return snapshot(target=target, filename=filename, savefun=savefun, **kwargs)


def snapshot(savefun: Callable | None = None,
             filename: Any = 'snapshot_iter_{.updater.iteration}', **kwargs: Any) -> _Snapshot:
    """Returns an extension that saves the trainer (or ``target``) to a file.

    The file is written under ``trainer.out`` to a temporary name and then
    renamed, so a crash never leaves a partial snapshot. By default it runs
    once per epoch, after the other extensions of that iteration.

    Args:
        savefun: ``savefun(path, target)``; defaults to
            :func:`chainer.serializers.save_npz`.
        filename (str or callable): File name; a format string filled with
            the trainer or a function of the trainer.
        target: Object to save instead of the trainer.
        condition (callable): Saves only when ``condition()`` is true.
        writer (callable): ``writer(filename, outdir, target)`` doing the
            writing instead of ``savefun`` (cannot be combined with it).
        snapshot_on_error (bool): Also save when training raises.
        n_retains (int): Keep only this many newest matching files (all
            when not positive).
        autoload (bool): Before training, load the newest matching snapshot
            in the output directory (NPZ format) if there is one.
    """
    n_retains = _renamed_num_retain(kwargs, kwargs.pop('n_retains', -1))
    target, condition, writer, snapshot_on_error, autoload = argument.parse_kwargs(
        kwargs, ('target', None), ('condition', None), ('writer', None),
        ('snapshot_on_error', False), ('autoload', False))
    if savefun is not None and writer is not None:
        raise TypeError('savefun and writer arguments cannot be specified together.')
    if not (isinstance(filename, str) or callable(filename)):
        raise TypeError(f'filename must be a str or a callable, got {filename!r}')
    return _Snapshot(target=target, condition=condition, writer=writer, savefun=savefun,
                     filename=filename, snapshot_on_error=snapshot_on_error,
                     n_retains=n_retains, autoload=autoload)
