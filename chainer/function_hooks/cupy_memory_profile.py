"""CupyMemoryProfileHook: CuPy memory-pool usage of every function call."""
from __future__ import annotations

from typing import TYPE_CHECKING
import collections
import functools
import sys

from chainer import function_hook
from chainer.backends import cuda
from chainer.function_hooks._report import write_table

if TYPE_CHECKING:
    from typing import TextIO

    from chainer.function_node import FunctionNode
    from chainer.types import NdArray


def _check_cupy_memory_hooks() -> None:
    if not cuda.available:
        raise RuntimeError(
            'CupyMemoryProfileHook requires CuPy (with a CUDA GPU), which is not '
            'available. ' + cuda._INSTALL_HINT)
    try:
        from cupy.cuda import memory_hook  # NOQA: F401
    except ImportError as e:
        raise RuntimeError('CupyMemoryProfileHook requires CuPy memory hooks '
                           '(cupy.cuda.memory_hook)') from e


def _memory_hooks_importable() -> bool:
    if not cuda.available:
        return False
    try:
        from cupy.cuda import memory_hook  # NOQA: F401
    except ImportError:
        return False
    return True


@functools.cache
def _cumulative_hook_class() -> type:
    cls = _define_cumulative_hook_class()
    cls.__module__ = __name__
    cls.__qualname__ = cls.__name__
    return cls


def _define_cumulative_hook_class() -> type:
    """The CuPy memory hook class adding up bytes taken from the pool and the GPU."""
    if not _memory_hooks_importable():
        class CupyMemoryCumulativeHook:
            """Stand-in: CuPy memory hooks are not available here."""

            def __init__(self, *args, **kwargs):
                _check_cupy_memory_hooks()

        return CupyMemoryCumulativeHook

    from cupy.cuda import memory_hook

    class CupyMemoryCumulativeHook(memory_hook.MemoryHook):
        """Counts ``used_bytes`` (taken from the pool) and ``acquired_bytes`` (from the GPU)."""

        name = 'CupyMemoryCumulativeHook'

        def __init__(self):
            self.used_bytes = 0
            self.acquired_bytes = 0

        def alloc_preprocess(self, **kwargs):
            self.acquired_bytes += kwargs['mem_size']

        def malloc_preprocess(self, **kwargs):
            self.used_bytes += kwargs['mem_size']

    return CupyMemoryCumulativeHook


def _make_cumulative_hook():
    return _cumulative_hook_class()()


def __getattr__(name: str):
    # Resolved on access so that importing this module never imports CuPy.
    if name == 'memory_hook_available':
        return _memory_hooks_importable()
    if name == 'CupyMemoryCumulativeHook':
        return _cumulative_hook_class()
    raise AttributeError(f'module {__name__!r} has no attribute {name!r}')


class CupyMemoryProfileHook(function_hook.FunctionHook):
    """Function hook measuring the memory functions take from CuPy's memory pool.

    ``print_report`` prints a table like::

               FunctionName  UsedBytes  AcquiredBytes  Occurrence
             LinearFunction     5.16GB       179.98MB        3900
                       ReLU   991.82MB       458.97MB        2600

    where *UsedBytes* is what the function took from the pool and
    *AcquiredBytes* what the pool had to allocate from the GPU for it.

    Attributes:
        call_history: List of ``(function name, used bytes, acquired bytes,
            depth)`` tuples, one per call.
    """

    name = 'CupyMemoryProfileHook'
    _units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB', 'EB', 'ZB']
    _table = {unit: 1024 ** i for i, unit in enumerate(_units)}

    def __init__(self) -> None:
        _check_cupy_memory_hooks()
        self.call_history: list = []
        self._memory_hook = _make_cumulative_hook()
        self._running_stack: list = []
        self._total_used_bytes = 0
        self._total_acquired_bytes = 0

    def added(self, function: FunctionNode | None = None) -> None:
        self._memory_hook.__enter__()

    def deleted(self, function: FunctionNode | None = None) -> None:
        self._memory_hook.__exit__()

    def _preprocess(self) -> None:
        self._running_stack.append(
            (self._memory_hook.used_bytes, self._memory_hook.acquired_bytes))

    def forward_preprocess(self, function: FunctionNode, in_data: tuple[NdArray, ...]) -> None:
        self._preprocess()

    def backward_preprocess(self, function: FunctionNode, in_data: tuple[NdArray, ...],
                            out_grad: tuple[NdArray | None, ...]) -> None:
        self._preprocess()

    def _postprocess(self, function) -> None:
        start_used, start_acquired = self._running_stack.pop()
        used_bytes = self._memory_hook.used_bytes - start_used
        acquired_bytes = self._memory_hook.acquired_bytes - start_acquired
        depth = len(self._running_stack)
        self.call_history.append((function._impl_name, used_bytes, acquired_bytes, depth))
        if depth == 0:
            self._total_used_bytes += used_bytes
            self._total_acquired_bytes += acquired_bytes

    def _call_failed(self, function) -> None:
        self._running_stack.pop()  # the call raised: it records nothing

    def forward_postprocess(self, function: FunctionNode, in_data: tuple[NdArray, ...]) -> None:
        self._postprocess(function)

    def backward_postprocess(self, function: FunctionNode, in_data: tuple[NdArray, ...],
                             out_grad: tuple[NdArray | None, ...]) -> None:
        self._postprocess(function)

    def total_used_bytes(self) -> int:
        """Total bytes the functions took from the memory pool."""
        return self._total_used_bytes

    def total_acquired_bytes(self) -> int:
        """Total bytes the memory pool allocated from the GPU."""
        return self._total_acquired_bytes

    def summary(self) -> collections.OrderedDict:
        """Memory per function name.

        Returns:
            An ordered dict mapping each function name to a dict with
            ``'used_bytes'``, ``'acquired_bytes'`` and ``'occurrence'``.
        """
        summary: collections.OrderedDict = collections.OrderedDict()
        for func_name, used_bytes, acquired_bytes, _depth in self.call_history:
            record = summary.get(func_name)
            if record is None:
                record = summary[func_name] = {
                    'used_bytes': 0, 'acquired_bytes': 0, 'occurrence': 0}
            record['used_bytes'] += used_bytes
            record['acquired_bytes'] += acquired_bytes
            record['occurrence'] += 1
        return summary

    def _choose_unit(self, size) -> tuple:
        """The largest unit in which ``size`` bytes is at least one: (divisor, unit)."""
        denomi = 1.0
        if size <= 0:
            return denomi, 'B'
        for unit in self._units[:-1]:
            if size < 1024:
                return denomi, unit
            size /= 1024.0
            denomi *= 1024.0
        return denomi, self._units[-1]  # ZB at most: 1024ZB and more print as such

    def print_report(self, unit: str = 'auto', file: TextIO = sys.stdout) -> None:
        """Prints the summary as a table.

        Args:
            unit: One of ``'B'``, ``'KB'``, ..., ``'ZB'``, ``'auto'`` (units
                chosen for the largest values) or ``'auto_foreach'`` (per row).
            file: Where to write the table.
        """
        if unit not in self._table and unit not in ('auto', 'auto_foreach'):
            raise ValueError(f'unit must be one of {self._units}, auto or auto_foreach; '
                             f'got {unit!r}')
        summary = self.summary()
        entries = [['FunctionName', 'UsedBytes', 'AcquiredBytes', 'Occurrence']]
        if unit == 'auto':
            max_used = max((r['used_bytes'] for r in summary.values()), default=0)
            max_acquired = max((r['acquired_bytes'] for r in summary.values()), default=0)
            denomi_used, unit_used = self._choose_unit(max_used)
            denomi_acquired, unit_acquired = self._choose_unit(max_acquired)
        elif unit != 'auto_foreach':
            denomi_used = denomi_acquired = self._table[unit]
            unit_used = unit_acquired = unit
        for function_name, record in summary.items():
            used_bytes = record['used_bytes']
            acquired_bytes = record['acquired_bytes']
            if unit == 'auto_foreach':
                denomi_used, unit_used = self._choose_unit(used_bytes)
                denomi_acquired, unit_acquired = self._choose_unit(acquired_bytes)
            entries.append([function_name,
                            f'{used_bytes / denomi_used:3.2f}{unit_used}',
                            f'{acquired_bytes / denomi_acquired:3.2f}{unit_acquired}',
                            str(record['occurrence'])])
        write_table(entries, file)
