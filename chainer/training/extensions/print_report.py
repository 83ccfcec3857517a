"""PrintReport: prints the entries of a LogReport as aligned columns."""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Sequence

from chainer.training import extension
from chainer.training.extensions import log_report as log_report_module
from chainer.training.extensions import util

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from chainer.training.trainer import Trainer
    from typing import TextIO


class PrintReport(extension.Extension):
    """Prints the chosen entries of the log made by a :class:`LogReport`.

    The first call prints a header; each column is ``max(len(entry), 10)``
    characters wide and columns are separated by two spaces. Numbers are
    printed with the ``g`` format; missing values leave the column blank.

    Args:
        entries (list of str): Keys to print, in order.
        log_report (str or LogReport): The log report, or the name of the
            trainer extension holding it.
        out: Stream to write to.
    """

    def __init__(self, entries: Sequence[str], log_report: Any = 'LogReport',
                 out: TextIO = sys.stdout) -> None:
        self._entries = list(entries)
        self._log_report = log_report
        self._out = out
        self._log_len = 0

        widths = [max(10, len(s)) for s in self._entries]
        self._header: str | None = '  '.join(
            f'{entry:{w}}' for entry, w in zip(self._entries, widths)) + '\n'
        self._templates = [(entry, f'{{:<{w}g}}  ', ' ' * (w + 2))
                           for entry, w in zip(self._entries, widths)]

    def __call__(self, trainer: Trainer) -> None:
        out = self._out
        if self._header:
            out.write(self._header)
            self._header = None

        log_report = self._log_report
        if isinstance(log_report, str):
            log_report = trainer.get_extension(log_report)
        elif isinstance(log_report, log_report_module.LogReport):
            log_report(trainer)
        else:
            raise TypeError(f'log report has a wrong type {type(log_report)}')

        log = log_report.log
        while len(log) > self._log_len:
            # Erase a progress bar drawn below the cursor (terminals only).
            if util._isatty(out):
                out.write('\033[J')
            self._print(log[self._log_len])
            self._log_len += 1

    def _print(self, observation: dict) -> None:
        out = self._out
        for entry, template, empty in self._templates:
            if entry in observation:
                out.write(template.format(observation[entry]))
            else:
                out.write(empty)
        out.write('\n')
        if hasattr(out, 'flush'):
            out.flush()

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the log report it owns (when given as an object)."""
        log_report = self._log_report
        if isinstance(log_report, log_report_module.LogReport):
            log_report.serialize(serializer['_log_report'])
