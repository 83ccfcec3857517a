"""TimerHook: elapsed time of every function call."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_hook
from chainer.function_hooks._report import TimerMixin

if TYPE_CHECKING:
    from chainer.function_node import FunctionNode
    from chainer.types import NdArray


class TimerHook(TimerMixin, function_hook.FunctionHook):
    """Function hook measuring the elapsed time of functions.

    Forward and backward computations are timed separately; on the GPU the
    time is measured with CUDA events. Use it as a context manager, then call
    :meth:`print_report`::

        hook = TimerHook()
        with hook:
            trainer.run()
        hook.print_report()

    which prints a table like::

               FunctionName  ElapsedTime  Occurrence
             LinearFunction      1.24sec        3900
                       ReLU      0.59sec        2600

    Attributes:
        call_history: List of ``(function name, elapsed seconds)`` pairs, one
            per call, in the order the calls finished.
    """

    name = 'TimerHook'
    _summary_type = dict
    _name_header = 'FunctionName'

    def forward_preprocess(self, function: FunctionNode, in_data: tuple[NdArray, ...]) -> None:
        self.xp = backend.get_array_module(*in_data)
        self._start_timer()

    def backward_preprocess(self, function: FunctionNode, in_data: tuple[NdArray, ...],
                            out_grad: tuple[NdArray | None, ...]) -> None:
        self.xp = backend.get_array_module(*(tuple(in_data) + tuple(out_grad)))
        self._start_timer()

    def forward_postprocess(self, function: FunctionNode, in_data: tuple[NdArray, ...]) -> None:
        self._stop_timer(function._impl_name)

    def backward_postprocess(self, function: FunctionNode, in_data: tuple[NdArray, ...],
                             out_grad: tuple[NdArray | None, ...]) -> None:
        self._stop_timer(function._impl_name)
