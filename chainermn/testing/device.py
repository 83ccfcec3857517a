"""Picking the device of a multi-rank test."""
from __future__ import annotations

from typing import Any

import chainer


def get_device(device: Any = None, use_chainerx: bool = False) -> Any:
    """``chainer.get_device(device)``; None gives the CPU (NumPy) device.

    ChainerX devices are not available in this implementation.
    """
    if use_chainerx:
        raise ValueError('ChainerX devices are not supported')
    if device is None:
        return chainer.get_device('@numpy')
    return chainer.get_device(device)
