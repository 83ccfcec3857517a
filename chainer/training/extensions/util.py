"""Text progress bars redrawn in place on a terminal, appended when piped."""
from __future__ import annotations

import collections
import datetime
import sys
import time
from typing import Any


def _isatty(out: Any) -> bool:
    try:
        return bool(out.isatty())
    except (AttributeError, ValueError):
        return False


def format_eta(seconds: float) -> str:
    """``datetime.timedelta``-style text of an estimated duration."""
    if seconds != seconds or seconds == float('inf'):
        return 'unknown'
    return str(datetime.timedelta(seconds=max(seconds, 0.0)))


class ProgressBar:
    """Base of the text progress bars; subclasses implement :meth:`get_lines`.

    On a terminal the bar is redrawn in place with ANSI escape codes;
    on other streams (files, pipes) each update appends the lines as
    plain text.
    """

    def __init__(self, out: Any = None) -> None:
        self._out = sys.stdout if out is None else out
        # The speed is measured over the last 100 updates, as in Chainer.
        self._recent_timing: collections.deque = collections.deque(maxlen=100)
        self._tty = _isatty(self._out)

    def update_speed(self, iteration: int, epoch_detail: float) -> tuple:
        """Iterations and epochs per second over the last 100 updates."""
        now = time.time()
        self._recent_timing.append((iteration, epoch_detail, now))
        old_t, old_e, old_sec = self._recent_timing[0]
        span = now - old_sec
        if span != 0:
            speed_t = (iteration - old_t) / span
            speed_e = (epoch_detail - old_e) / span
        else:
            speed_t = float('inf')
            speed_e = float('inf')
        return speed_t, speed_e

    def get_lines(self) -> list:
        raise NotImplementedError

    def update(self) -> None:
        """Draws the bar (in place on a terminal)."""
        lines = self.get_lines()
        out = self._out
        if self._tty:
            out.write('\033[J')
            out.write(''.join(lines))
            out.write(f'\033[{len(lines):d}A')
        else:
            out.write(''.join(lines))
        self.flush()

    def close(self) -> None:
        """Erases the bar on a terminal."""
        if self._tty:
            self._out.write('\033[J')
        self.flush()

    def flush(self) -> None:
        if hasattr(self._out, 'flush'):
            self._out.flush()


def _bar(rate: float, bar_length: int) -> str:
    marks = '#' * int(rate * bar_length)
    return marks + '.' * (bar_length - len(marks))


def _speed_ratio(remaining: float, speed: float) -> float:
    if speed == 0:
        return float('inf')
    return remaining / speed


class IteratorProgressBar(ProgressBar):
    """Progress of one sweep over an iterator (used by the Evaluator)."""

    def __init__(self, iterator: Any, title: str = 'validation', bar_length: int = 50,
                 out: Any = None) -> None:
        if not (hasattr(iterator, 'current_position') and hasattr(iterator, 'epoch_detail')):
            raise TypeError('Iterator must have the following attributes to enable a '
                            'progress bar: current_position, epoch_detail')
        super().__init__(out)
        self._iterator = iterator
        self._title = title
        self._bar_length = bar_length

    def get_lines(self) -> list:
        iterator = self._iterator
        iteration = iterator.current_position
        epoch_detail = iterator.epoch_detail
        epoch_size = getattr(iterator, '_epoch_size', None)
        rate = min(max(epoch_detail, 0.0), 1.0)
        lines = [f'{self._title:>10} [{_bar(rate, self._bar_length)}] {rate:6.2%}\n']
        if epoch_size:
            lines.append(f'{iteration:10} / {epoch_size} iterations\n')
        else:
            lines.append(f'{iteration:10} iterations\n')
        speed_t, speed_e = self.update_speed(iteration, epoch_detail)
        eta = _speed_ratio(1.0 - epoch_detail, speed_e)
        lines.append(f'{speed_t:10.5g} iters/sec. Estimated time to finish: '
                     f'{format_eta(eta)}.\n')
        return lines
