"""PrintHook: prints what goes into every function call."""
from __future__ import annotations

from typing import TYPE_CHECKING
import sys
import warnings

from chainer import backend
from chainer import function_hook
from chainer import variable

if TYPE_CHECKING:
    from typing import TextIO

    from chainer.function_node import FunctionNode
    from chainer.types import NdArray


class PrintHook(function_hook.FunctionHook):
    """Function hook printing the inputs (and output gradients) of every call.

    Before each forward it prints the function's label and a
    :meth:`~chainer.Variable.debug_print` summary of each input; before each
    backward also a summary of each output gradient.

    Args:
        sep: Deprecated and ignored.
        end: Text written after each printed item.
        file: Where to print.
        flush: Flush ``file`` after each call's report.
    """

    name = 'PrintHook'

    def __init__(self, sep: str | None = None, end: str = '\n', file: TextIO = sys.stdout,
                 flush: bool = True) -> None:
        if sep is not None:
            warnings.warn('sep argument in chainer.function_hooks.PrintHook is deprecated.',
                          DeprecationWarning)
        self.sep = sep
        self.end = end
        self.file = file
        self.flush = flush

    def _print(self, msg: str) -> None:
        self.file.write(msg + self.end)

    def _process(self, function, in_data, out_grad=None) -> None:
        self._print(f'function\t{function.label}')
        self._print('input data')
        for d in in_data:
            if d is None:
                # Backward gets None for inputs whose arrays were not retained.
                self._print('(removed)')
                continue
            self._print(variable.Variable(d).debug_print())
        if out_grad is not None:
            self._print('output gradient')
            for d in out_grad:
                if d is None:
                    v = variable.Variable()
                else:
                    xp = backend.get_array_module(d)
                    v = variable.Variable(xp.zeros_like(d, dtype=d.dtype))
                    v.grad = d
                self._print(v.debug_print())
        if self.flush and hasattr(self.file, 'flush'):
            self.file.flush()

    def forward_preprocess(self, function: FunctionNode, in_data: tuple[NdArray, ...]) -> None:
        self._process(function, in_data)

    def backward_preprocess(self, function: FunctionNode, in_data: tuple[NdArray, ...],
                            out_grad: tuple[NdArray | None, ...]) -> None:
        self._process(function, in_data, out_grad)
