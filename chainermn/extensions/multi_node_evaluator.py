"""Evaluation over the ranks: each evaluates its part, the results are combined."""
from __future__ import annotations

import copy
import types
from typing import TYPE_CHECKING, Any, Callable

import chainer
from chainer import backend
from chainer.dataset import convert
from chainer.training import extension
from chainermn.extensions.observation_aggregator import _to_host

if TYPE_CHECKING:
    from chainer.training.trainer import Trainer
    from chainer.types import DeviceSpec
    from chainermn.communicators.communicator_base import CommunicatorBase


def create_multi_node_evaluator(actual_evaluator: Any, communicator: CommunicatorBase) -> Any:
    """Makes ``actual_evaluator`` (an ``Evaluator``) report the mean over the ranks of each
    value it computes on its rank's part of the data.  Returns the same object."""
    original = actual_evaluator.evaluate

    def evaluate(self: Any) -> dict:
        local = original()
        size = communicator.size
        return {name: communicator.allreduce_obj(_to_host(value)) / size
                for name, value in sorted(local.items())}

    actual_evaluator._mn_original_evaluate = original
    actual_evaluator._mn_communicator = communicator
    actual_evaluator.evaluate = types.MethodType(evaluate, actual_evaluator)
    return actual_evaluator


class GenericMultiNodeEvaluator(extension.Extension):
    """An evaluator for results that are not simple means.

    Each rank runs :meth:`calc_local` on every batch of its ``iterator``; the
    root receives all of them (round by round, as Chainer gathers them: every
    rank's first batch in rank order, then every rank's second batch, ...) and
    passes them to :meth:`aggregate`, whose return value is the result (at the
    root; None elsewhere).  Nothing is reported (report in ``aggregate``).
    Override both methods (by default ``calc_local`` calls ``target`` and
    ``aggregate`` returns the list).  ``progress_hook(batch)`` is called at the
    root after each of its batches.
    """

    trigger = 1, 'epoch'
    default_name = 'validation'
    priority = extension.PRIORITY_WRITER
    name = None

    def __init__(self, comm: CommunicatorBase, iterator: Any, target: Any,
                 device: DeviceSpec | None = None, converter: Callable = convert.concat_examples,
                 root: int = 0, **kwargs: Any) -> None:
        self.comm = comm
        self.iterator = iterator
        self._targets = {'main': target}
        self.device = None if device is None else backend.get_device(device)
        self.converter = converter
        self.root = root
        self._progress_hook = kwargs.pop('progress_hook', None)
        if kwargs:
            raise TypeError(f'unexpected keyword arguments {sorted(kwargs)}')

    def calc_local(self, *args: Any, **kwargs: Any) -> Any:
        """The local computation on one converted batch (overridable)."""
        return self._targets['main'](*args, **kwargs)

    def aggregate(self, results: list) -> Any:
        """Combines the list of every rank's ``calc_local`` results (runs at the root)."""
        return results

    def _iterate(self) -> Any:
        it = self.iterator
        if hasattr(it, 'reset'):
            it.reset()
            yield from it
        else:
            yield from copy.copy(it)

    def evaluate(self) -> Any:
        local = []
        for batch in self._iterate():
            in_arrays = convert._call_converter(self.converter, batch, self.device)
            # as in Chainer, only backprop is off: calc_local sees the caller's 'train'
            with chainer.no_backprop_mode():
                if isinstance(in_arrays, tuple):
                    result = self.calc_local(*in_arrays)
                elif isinstance(in_arrays, dict):
                    result = self.calc_local(**in_arrays)
                else:
                    result = self.calc_local(in_arrays)
            local.append(result)
            if self._progress_hook is not None and self.comm.rank == self.root:
                self._progress_hook(batch)
        gathered = self.comm.gather_obj(local, root=self.root)
        if self.comm.rank != self.root:
            return None
        rounds = max((len(part) for part in gathered), default=0)
        return self.aggregate([part[i] for i in range(rounds) for part in gathered
                               if i < len(part)])

    def __call__(self, trainer: Trainer | None = None) -> Any:
        return self.evaluate()
