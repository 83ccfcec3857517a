"""Formatting helpers for error messages about arrays."""
from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _format_array_props(arrays: Sequence[Any]) -> str:
    """One line per array giving its shape, dtype and device (None stays None)."""
    from chainer import backend
    lines = []
    for array in arrays:
        if array is None:
            lines.append('None')
            continue
        device = backend.get_device_from_array(array)
        lines.append(f'shape={array.shape}, dtype={array.dtype}, device={device}')
    return '\n'.join(lines)
