"""TimerHook: elapsed time of every link call."""
from __future__ import annotations

import collections
import sys
import time
from typing import Any

import numpy

from chainer import backend
from chainer import link_hook
from chainer.backends import cuda
from chainer.function_hooks._report import write_table


class TimerHook(link_hook.LinkHook):
    """Link hook measuring the elapsed time of the forward of links.

    On the GPU the time is measured with CUDA events. Use it as a context
    manager (or register it on a link), then call :meth:`print_report`::

        hook = TimerHook()
        with hook:
            model(x)
        hook.print_report()

    which prints a table like::

        LinkName  ElapsedTime  Occurrence
          Linear     41.42ms          2
             MLP     42.09ms          1

    Attributes:
        call_history: List of ``(link class name, elapsed seconds)`` pairs,
            one per call, in the order the calls finished.
    """

    name = 'TimerHook'
    table = {'sec': 1, 'ms': 10 ** 3, 'us': 10 ** 6, 'ns': 10 ** 9}

    def __init__(self) -> None:
        self.call_history: list = []
        self._running_stack: list = []
        self._depth = 0
        self._total_time = 0.0
        self.xp = numpy

    def forward_preprocess(self, args: Any) -> None:
        self.xp = backend.get_array_module(*args.args)
        if self.xp is numpy:
            self._running_stack.append(time.perf_counter())
        else:
            start = cuda.Event()
            stop = cuda.Event()
            start.record()
            self._running_stack.append((start, stop))
        self._depth += 1

    def forward_postprocess(self, args: Any) -> None:
        entry = self._running_stack.pop()
        if isinstance(entry, float):
            elapsed_time = time.perf_counter() - entry
        else:
            start, stop = entry
            stop.record()
            stop.synchronize()
            # get_elapsed_time is in milliseconds.
            elapsed_time = cuda.cupy.cuda.get_elapsed_time(start, stop) / 1000
        self.call_history.append((type(args.link).__name__, elapsed_time))
        self._depth -= 1
        if self._depth == 0:
            # Nested calls are already inside their caller's time.
            self._total_time += elapsed_time

    def total_time(self) -> float:
        """Total elapsed time in seconds (calls nested in other calls counted once)."""
        return self._total_time

    def summary(self) -> collections.OrderedDict:
        """Time per link class name.

        Returns:
            An ordered dict mapping each link class name to a dict with
            ``'elapsed_time'`` (seconds, summed) and ``'occurrence'`` (calls).
        """
        summary: collections.OrderedDict = collections.OrderedDict()
        for link_name, elapsed_time in self.call_history:
            record = summary.get(link_name)
            if record is None:
                record = summary[link_name] = {'elapsed_time': 0, 'occurrence': 0}
            record['elapsed_time'] += elapsed_time
            record['occurrence'] += 1
        return summary

    def _choose_unit(self, second: float) -> tuple:
        """The largest unit in which ``second`` is at least one."""
        factor = 1
        for unit in ('sec', 'ms', 'us'):
            if second * factor >= 1:
                return factor, unit
            factor *= 1000.0
        return factor, 'ns'

    def print_report(self, unit: str = 'auto', file: Any = sys.stdout) -> None:
        """Prints the summary as a table.

        Args:
            unit: ``'sec'``, ``'ms'``, ``'us'``, ``'ns'``, ``'auto'`` (one unit
                chosen for the largest time) or ``'auto_foreach'`` (a unit per row).
            file: Where to write the table.
        """
        if unit not in self.table and unit not in ('auto', 'auto_foreach'):
            raise ValueError(
                f"unit must be one of 'sec', 'ms', 'us', 'ns', 'auto' or 'auto_foreach'; "
                f'got {unit!r}')
        summary = self.summary()
        entries = [['LinkName', 'ElapsedTime', 'Occurrence']]
        auto_foreach = unit == 'auto_foreach'
        if unit == 'auto':
            max_time = max((r['elapsed_time'] for r in summary.values()), default=0)
            factor, unit = self._choose_unit(max_time)
        elif not auto_foreach:
            factor = self.table[unit]
        for link_name, record in summary.items():
            second = record['elapsed_time']
            if auto_foreach:
                factor, unit = self._choose_unit(second)
            entries.append([link_name, f'{second * factor:3.2f}{unit}',
                            str(record['occurrence'])])
        write_table(entries, file)
