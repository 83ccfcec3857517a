"""Conditions for skipping documentation examples (Sphinx ``:skipif:``).

Each function returns ``True`` when the example should be skipped.  On Read the
Docs (``READTHEDOCS=True``), as in Chainer, or with ``CHAINER_DOCTEST_NO_SKIP=1``
every example runs.
"""
from __future__ import annotations

import os

from chainer.testing import attr
from chainer.testing import helper


def skipif(condition: bool) -> bool:
    """``condition``, unless skipping is turned off by the environment."""
    if (os.environ.get('READTHEDOCS') == 'True'
            or os.environ.get('CHAINER_DOCTEST_NO_SKIP', '0') == '1'):
        return False
    return bool(condition)


def skipif_requires_satisfied(*requirements: str) -> bool:
    """Skip when all pip ``requirements`` hold (examples showing a fallback)."""
    return skipif(helper._requirements_satisfied(requirements))


def skipif_not_enough_cuda_devices(device_count: int) -> bool:
    """Skip when ``CHAINER_TEST_GPU_LIMIT`` (0 or more) is below ``device_count``,
    as :mod:`chainer.testing.attr` skips GPU tests; unset, nothing is skipped."""
    limit = attr._gpu_limit()
    return skipif(0 <= limit < device_count)
