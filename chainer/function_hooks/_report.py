"""The right-aligned table printed by the profiling hooks' ``print_report``."""
from __future__ import annotations

from typing import Sequence


def write_table(entries: Sequence[Sequence[str]], file) -> None:
    """Writes rows of strings, each column right-aligned, columns two spaces apart."""
    widths = [max(len(row[i]) for row in entries) for i in range(len(entries[0]))]
    for row in entries:
        file.write('  '.join(cell.rjust(w) for cell, w in zip(row, widths)))
        file.write('\n')
    if hasattr(file, 'flush'):
        file.flush()
