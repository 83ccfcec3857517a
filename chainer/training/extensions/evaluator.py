"""Evaluator: runs the model over a validation set and reports the mean values."""
from __future__ import annotations

import copy
import warnings
from typing import TYPE_CHECKING, Any, Callable

from chainer import backend
from chainer import configuration
from chainer import function
from chainer import iterators
from chainer import link
from chainer import reporter as reporter_module
from chainer.dataset import convert
from chainer.training import extension
from chainer.training.extensions import util
from chainer.training.updaters import standard_updater
from chainer.utils import argument

if TYPE_CHECKING:
    from chainer.training.trainer import Trainer
    from chainer.types import DeviceSpec


_BUILTIN_ITERATORS = (iterators.SerialIterator, iterators.MultiprocessIterator,
                      iterators.MultithreadIterator)


class Evaluator(extension.Extension):
    """Evaluates the target on every batch of an iterator and reports the means.

    Values reported during the evaluation are averaged over the batches
    and reported under ``<extension name>/<observer name>/<key>``, e.g.
    ``validation/main/loss``. Evaluation runs with ``chainer.config.train``
    set to False and without back-propagation.

    Args:
        iterator: Dataset iterator (or dict of them; ``'main'`` is used). It
            is reset before each evaluation and should not repeat.
        target: Link (or dict of links; ``'main'`` is used) to evaluate.
        converter: Batch converter.
        device: Device batches are sent to.
        eval_hook (callable): Called with the evaluator before each evaluation.
        eval_func (callable): Called with the converted batch instead of the
            target.
        progress_bar (bool): Show a progress bar while evaluating (keyword
            only; ``progress`` is accepted too).
    """

    trigger = 1, 'epoch'
    default_name = 'validation'
    priority = extension.PRIORITY_WRITER
    name = None

    def __init__(self, iterator: Any, target: Any, converter: Callable = convert.concat_examples,
                 device: DeviceSpec | None = None, eval_hook: Callable | None = None,
                 eval_func: Callable | None = None, **kwargs: Any) -> None:
        progress_bar, progress = argument.parse_kwargs(
            kwargs, ('progress_bar', False), ('progress', False))
        if device is not None:
            device = backend.get_device(device)

        if not isinstance(iterator, dict):
            iterator = {'main': iterator}
        self._iterators = iterator
        if isinstance(target, link.Link):
            target = {'main': target}
        # Any other target is stored as given, as Chainer did: subclasses that
        # override __call__ pass plain objects (e.g. a pose detector).
        self._targets = target

        self.converter = converter
        self.device = device
        self.eval_hook = eval_hook
        self.eval_func = eval_func
        self._progress_bar = bool(progress_bar or progress)

        # As in Chainer, only the built-in iterators are checked: a custom one
        # may say it repeats and still stop.
        for key, it in iterator.items():
            if isinstance(it, _BUILTIN_ITERATORS) and getattr(it, 'repeat', False):
                warnings.warn(
                    f'The `repeat` property of the iterator {key} is set to `True`. '
                    'Typically, the evaluator sweeps over iterators until they stop, '
                    'but as the property being `True`, this iterator might not stop '
                    'and evaluation could go into an infinite loop. We recommend to '
                    'check the configuration of iterators')

    def get_iterator(self, name: str) -> Any:
        return self._iterators[name]

    def get_all_iterators(self) -> dict:
        return dict(self._iterators)

    def get_target(self, name: str) -> Any:
        return self._targets[name]

    def get_all_targets(self) -> dict:
        return dict(self._targets)

    def __call__(self, trainer: Trainer | None = None) -> dict:
        """Evaluates, reports the result to the current reporter and returns it."""
        reporter = reporter_module.Reporter()
        prefix = self.name + '/' if self.name is not None else ''
        for name, target in self._targets.items():
            reporter.add_observer(prefix + name, target)
            reporter.add_observers(prefix + name, target.namedlinks(skipself=True))

        with reporter, configuration.using_config('train', False):
            result = self.evaluate()

        reporter_module.report(result)
        return result

    def evaluate(self) -> dict:
        """Runs the evaluation over the main iterator and returns the mean values."""
        iterator = self._iterators['main']
        eval_func = self.eval_func or self._targets['main']

        if self.eval_hook:
            self.eval_hook(self)

        if hasattr(iterator, 'reset'):
            iterator.reset()
            it = iterator
        else:
            warnings.warn(
                'This iterator does not have the reset method. Evaluator '
                'copies the iterator instead of resetting. This behavior is '
                'deprecated. Please implement the reset method.',
                DeprecationWarning)
            it = copy.copy(iterator)

        summary = reporter_module.DictSummary()
        pbar = util.IteratorProgressBar(iterator=it) if self._progress_bar else None
        try:
            for batch in it:
                observation: dict = {}
                with reporter_module.report_scope(observation):
                    in_arrays = standard_updater._call_converter(
                        self.converter, batch, self.device)
                    with function.no_backprop_mode():
                        if isinstance(in_arrays, tuple):
                            eval_func(*in_arrays)
                        elif isinstance(in_arrays, dict):
                            eval_func(**in_arrays)
                        else:
                            eval_func(in_arrays)
                summary.add(observation)
                if pbar is not None:
                    pbar.update()
        finally:
            if pbar is not None:
                pbar.close()
        return summary.compute_mean()

    def finalize(self) -> None:
        for iterator in self._iterators.values():
            iterator.finalize()
