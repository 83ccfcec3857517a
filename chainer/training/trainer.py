"""The Trainer: runs the update loop and the extensions."""
from __future__ import annotations

import collections
import os
import sys
import time
import traceback
from typing import TYPE_CHECKING, Any

from chainer import reporter as reporter_module
from chainer import serializer as serializer_module
from chainer.training import extension as extension_module
from chainer.training import util
from chainer.utils import argument

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from collections.abc import Callable


class _ExtensionEntry:

    __slots__ = ('extension', 'trigger', 'priority', 'call_before_training')

    def __init__(self, extension: Any, priority: int, trigger: Any,
                 call_before_training: bool) -> None:
        self.extension = extension
        self.trigger = trigger
        self.priority = priority
        self.call_before_training = call_before_training

    def __setstate__(self, state: Any) -> None:
        # Chainer pickled the entry's __dict__; rechainer's slots come as (None, slots).
        if isinstance(state, tuple):
            state = state[1]
        for name, value in state.items():
            setattr(self, name, value)


def _get_time() -> float:
    return time.perf_counter()


class Trainer:
    """Runs the training loop: updates, then the extensions whose triggers fire.

    Args:
        updater (~chainer.training.Updater): Does one update per iteration.
        stop_trigger: When to stop (a trigger, a ``(length, unit)`` tuple or
            None to run until an extension or error stops it).
        out (str): Output directory for logs, snapshots and plots.
        extensions (list): Extensions to register with :meth:`extend`.

    Attributes:
        updater: The updater.
        stop_trigger: The stop trigger object.
        observation (dict): What was reported during the current iteration.
        out (str): The output directory.
        reporter (~chainer.Reporter): The reporter, with the optimizers'
            target links registered as observers under their optimizer names.
    """

    def __init__(self, updater: Any, stop_trigger: Any = None, out: str = 'result',
                 extensions: list | None = None) -> None:
        self.updater = updater
        self.stop_trigger = util.get_trigger(stop_trigger)
        self.observation: dict = {}
        self.out = out
        if extensions is None:
            extensions = []

        reporter = reporter_module.Reporter()
        for name, optimizer in updater.get_all_optimizers().items():
            reporter.add_observer(name, optimizer.target)
            reporter.add_observers(name, optimizer.target.namedlinks(skipself=True))
        self.reporter = reporter

        self._done = False
        self._extensions: collections.OrderedDict = collections.OrderedDict()
        self._start_at: float | None = None
        self._snapshot_elapsed_time = 0.0
        self._final_elapsed_time: float | None = None

        updater.connect_trainer(self)
        for ext in extensions:
            self.extend(ext)

    @property
    def is_before_training(self) -> bool:
        """True until the first update."""
        return self.updater.iteration == 0

    @property
    def elapsed_time(self) -> float:
        """Seconds of training so far, including the time before a resume."""
        if self._done:
            return self._final_elapsed_time
        if self._start_at is None:
            raise RuntimeError('training has not been started yet')
        return _get_time() - self._start_at + self._snapshot_elapsed_time

    def extend(self, extension: Any, name: str | None = None,
               trigger: tuple[int | float, str] | Callable[[Trainer], bool] | None = None,
               priority: int | None = None, *, call_before_training: bool = False,
               **kwargs: Any) -> None:
        """Registers an extension.

        Args:
            extension: The extension (an :class:`Extension` or a callable
                taking the trainer).
            name (str): Its name; defaults to ``extension.name``,
                ``extension.default_name`` or the function name. A number
                is appended to make it unique.
            trigger: When to call it; defaults to ``extension.trigger``.
            priority (int): Extensions with higher priority run first in
                an iteration; defaults to ``extension.priority``.
            call_before_training (bool): Also call it once before the first
                update (not again when a run resumed from a snapshot).
        """
        argument.check_unexpected_kwargs(
            kwargs, invoke_before_training=extension_module._INVOKE_BEFORE_TRAINING_REMOVED)
        argument.assert_kwargs_empty(kwargs)

        if name is None:
            name = getattr(extension, 'name', None)
            if name is None:
                name = getattr(extension, 'default_name', None)
                if name is None:
                    name = getattr(extension, '__name__', None)
                    if name is None:
                        raise TypeError('name is not given for the extension')
        if name == 'training':
            raise ValueError('the name "training" is prohibited as an extension name')

        if trigger is None:
            trigger = getattr(extension, 'trigger', (1, 'iteration'))
        trigger = util.get_trigger(trigger)

        if priority is None:
            priority = getattr(extension, 'priority', extension_module.PRIORITY_READER)

        modified_name = name
        ordinal = 0
        while modified_name in self._extensions:
            ordinal += 1
            modified_name = f'{name}_{ordinal}'

        extension.name = modified_name
        self._extensions[modified_name] = _ExtensionEntry(
            extension, priority, trigger, call_before_training)

    def get_extension(self, name: str) -> Any:
        """Returns the extension registered under ``name`` (ValueError if none)."""
        if name in self._extensions:
            return self._extensions[name].extension
        raise ValueError(f'extension {name} not found')

    def run(self, show_loop_exception_msg: bool = True) -> None:
        """Runs the training loop until the stop trigger fires.

        When the loop raises, the exception (and its traceback) is printed to
        stderr unless ``show_loop_exception_msg`` is False, every extension's
        ``on_error`` is called, and then the exception propagates. The
        extensions and the updater are finalized in every case.
        """
        if self._done:
            raise RuntimeError('cannot run training loop multiple times')

        try:
            os.makedirs(self.out, exist_ok=True)
        except OSError:
            pass  # as in Chainer: only extensions that write there fail

        # Sorting is stable, so equal priorities keep the order of registration.
        extension_order = sorted(
            self._extensions, key=lambda n: self._extensions[n].priority, reverse=True)
        extensions = [(name, self._extensions[name]) for name in extension_order]

        self._start_at = _get_time()

        try:
            # Extensions loading a snapshot (autoload) go first, so that the
            # others initialize from the restored state. A failure here is
            # handled as one in the loop (on_error, finalize), so writers and
            # progress bars are closed; Chainer let it through without either.
            init_order = sorted(
                extensions, key=lambda e: getattr(e[1].extension, 'autoload', False) is not True)
            for _, entry in init_order:
                initializer = getattr(entry.extension, 'initialize', None)
                finished = getattr(entry.trigger, 'finished', False)
                if initializer and not finished:
                    initializer(self)

            # Only before the first iteration: a resumed run does not repeat
            # them, so its log matches an uninterrupted run.
            if self.is_before_training:
                self.observation = {}
                with self.reporter.scope(self.observation):
                    for _, entry in extensions:
                        if entry.call_before_training:
                            entry.extension(self)

            update = self.updater.update
            reporter = self.reporter
            stop_trigger = self.stop_trigger
            while not stop_trigger(self):
                self.observation = {}
                with reporter.scope(self.observation):
                    update()
                    for _, entry in extensions:
                        if entry.trigger(self):
                            entry.extension(self)
        except Exception as e:
            tb = e.__traceback__
            if show_loop_exception_msg:
                f = sys.stderr
                f.write(f'Exception in main training loop: {e}\n')
                f.write('Traceback (most recent call last):\n')
                traceback.print_tb(tb, file=f)
                f.write('Will finalize trainer extensions and updater before '
                        'reraising the exception.\n')
                f.flush()
            for _, entry in extensions:
                handler = getattr(entry.extension, 'on_error', None)
                if handler:
                    try:
                        handler(self, e, tb)
                    except Exception as he:
                        f = sys.stderr
                        f.write(f'Exception in error handler: {he}\n')
                        f.write('Traceback (most recent call last):\n')
                        traceback.print_tb(he.__traceback__, file=f)
            raise
        finally:
            try:
                for _, entry in extensions:
                    finalize = getattr(entry.extension, 'finalize', None)
                    if finalize:
                        finalize()
            finally:
                self.updater.finalize()

        self._final_elapsed_time = self.elapsed_time
        self._done = True

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the updater, the stop trigger, the extensions and their triggers."""
        self.updater.serialize(serializer['updater'])
        if hasattr(self.stop_trigger, 'serialize'):
            self.stop_trigger.serialize(serializer['stop_trigger'])

        s = serializer['extensions']
        t = serializer['extension_triggers']
        for name, entry in self._extensions.items():
            if hasattr(entry.extension, 'serialize'):
                entry.extension.serialize(s[name])
            if hasattr(entry.trigger, 'serialize'):
                entry.trigger.serialize(t[name])

        if isinstance(serializer, serializer_module.Serializer):
            elapsed = (self.elapsed_time if self._start_at is not None or self._done
                       else self._snapshot_elapsed_time)
            serializer('_snapshot_elapsed_time', elapsed)
        else:
            self._snapshot_elapsed_time = float(
                serializer('_snapshot_elapsed_time', 0.0))
