"""Shared pieces of the profiling hooks: the right-aligned ``print_report`` table, and
the timing and report that the function and link ``TimerHook`` have in common."""
from __future__ import annotations

import sys
import time
from typing import Any, Sequence

import numpy

from chainer.backends import cuda


def write_table(entries: Sequence[Sequence[str]], file) -> None:
    """Writes rows of strings, each column right-aligned, columns two spaces apart."""
    widths = [max(len(row[i]) for row in entries) for i in range(len(entries[0]))]
    for row in entries:
        file.write('  '.join(cell.rjust(w) for cell, w in zip(row, widths)))
        file.write('\n')
    if hasattr(file, 'flush'):
        file.flush()


class _UnitError(ValueError, KeyError):
    """An unknown time unit (a KeyError in Chainer, which looked it up in a table)."""

    __str__ = ValueError.__str__


class TimerMixin:
    """Timing and reporting of the function and the link ``TimerHook``.

    The hook calls :meth:`_start_timer` (after setting ``xp``) before the timed
    call and :meth:`_stop_timer` after it; ``_name_header`` heads the first
    column of :meth:`print_report`.

    Attributes:
        call_history: List of ``(name, elapsed seconds)`` pairs, one per call,
            in the order the calls finished.
    """

    table = {'sec': 1, 'ms': 10 ** 3, 'us': 10 ** 6, 'ns': 10 ** 9}
    _name_header: str
    _summary_type: type  # dict (function hook) or OrderedDict (link hook), as in Chainer

    def __init__(self) -> None:
        self.call_history: list = []
        self._running_stack: list = []
        self._depth = 0
        self._total_time = 0
        # ``xp`` is set by each preprocess call; a fresh hook holds no module, so
        # it can be pickled or deep-copied as in Chainer.

    def _start_timer(self) -> None:
        if self.xp is numpy:
            self._running_stack.append(time.perf_counter())
        else:
            start = cuda.Event()
            stop = cuda.Event()
            start.record()
            self._running_stack.append((start, stop))
        self._depth += 1

    def _stop_timer(self, name: str) -> None:
        entry = self._running_stack.pop()
        if isinstance(entry, float):
            elapsed_time = time.perf_counter() - entry
        else:
            start, stop = entry
            stop.record()
            stop.synchronize()
            # get_elapsed_time is in milliseconds.
            elapsed_time = cuda.cupy.cuda.get_elapsed_time(start, stop) / 1000
        self.call_history.append((name, elapsed_time))
        self._depth -= 1
        if self._depth == 0:
            # Nested calls are already inside their caller's time.
            self._total_time += elapsed_time

    def _call_failed(self, target: Any) -> None:
        # The timed call (of a function or a link) raised: it records nothing, and
        # total_time() keeps counting later calls (Chainer left the start on the
        # stack for good).
        self._running_stack.pop()
        self._depth -= 1

    def total_time(self) -> float:
        """Total elapsed time in seconds (calls nested in other calls counted once)."""
        return self._total_time

    def summary(self) -> dict:
        """Time per name (function name, or link class name for the link hook).

        Returns:
            A dict (an ``OrderedDict`` for the link hook) mapping each name, in
            the order first seen, to a dict with ``'elapsed_time'`` (seconds,
            summed) and ``'occurrence'`` (calls).
        """
        summary = self._summary_type()
        for name, elapsed_time in self.call_history:
            record = summary.get(name)
            if record is None:
                record = summary[name] = {'elapsed_time': 0, 'occurrence': 0}
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
            raise _UnitError(
                f"unit must be one of 'sec', 'ms', 'us', 'ns', 'auto' or 'auto_foreach'; "
                f'got {unit!r}')
        summary = self.summary()
        entries = [[self._name_header, 'ElapsedTime', 'Occurrence']]
        auto_foreach = unit == 'auto_foreach'
        if unit == 'auto':
            max_time = max((r['elapsed_time'] for r in summary.values()), default=0)
            factor, unit = self._choose_unit(max_time)
        elif not auto_foreach:
            factor = self.table[unit]
        for name, record in summary.items():
            second = record['elapsed_time']
            if auto_foreach:
                factor, unit = self._choose_unit(second)
            entries.append([name, f'{second * factor:3.2f}{unit}',
                            str(record['occurrence'])])
        write_table(entries, file)
