"""Conditions for skipping documentation examples (Sphinx ``:skipif:``).

Each function returns ``True`` when the example should be skipped.  Setting
the environment variable ``CHAINER_DOCTEST_NO_SKIP=1`` runs every example.
"""
from __future__ import annotations

import os

from chainer.testing import helper


def skipif(condition: bool) -> bool:
    """``condition``, unless skipping is turned off by the environment."""
    if os.environ.get('CHAINER_DOCTEST_NO_SKIP', '0') == '1':
        return False
    return bool(condition)


def skipif_requires_satisfied(*requirements: str) -> bool:
    """Skip when all pip ``requirements`` hold (examples showing a fallback)."""
    return skipif(helper._requirements_satisfied(requirements))


def skipif_not_enough_cuda_devices(device_count: int) -> bool:
    """Skip unless CuPy sees at least ``device_count`` GPUs."""
    from chainer.backends import cuda
    available = 0
    if cuda.available:
        try:
            available = cuda.cupy.cuda.runtime.getDeviceCount()
        except Exception:
            available = 0
    return skipif(available < device_count)
