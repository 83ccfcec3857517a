"""Picking the device of a multi-rank test."""
from __future__ import annotations

from typing import Optional

import chainer
from chainer import backend


def get_device(device_id: Optional[int] = None,
               use_chainerx: bool = False) -> backend.Device:
    """The device a test rank runs on, as Chainer's helper picks it.

    ``device_id`` None is the CPU (``'@numpy'``, or ChainerX's ``'native:0'``), an
    integer the GPU of that id (``'@cupy:N'``, or ChainerX's ``'cuda:N'``). ChainerX
    is not available here, so ``use_chainerx=True`` raises ``chainer.get_device``'s
    RuntimeError, as Chainer does in a build without ChainerX.
    """
    if device_id is None:
        spec = 'native:0' if use_chainerx else '@numpy'
    else:
        spec = f'cuda:{device_id}' if use_chainerx else f'@cupy:{device_id}'
    return chainer.get_device(spec)
