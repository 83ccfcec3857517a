"""pytest marks used by Chainer's tests (``@attr.gpu``, ``@attr.slow``, ...).

``CHAINER_TEST_GPU_LIMIT`` (when 0 or more) skips tests that need more GPUs.
"""
from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest


def _gpu_limit() -> int:
    value = os.environ.get('CHAINER_TEST_GPU_LIMIT', '-1')
    try:
        return int(value)
    except ValueError:
        raise ValueError(
            f'CHAINER_TEST_GPU_LIMIT must be an integer, got {value!r}') from None


def get_error() -> None:
    """Kept for compatibility: the marks need pytest, which is always present."""
    return None


def check_available() -> None:
    """Kept for compatibility: pytest is a hard dependency of the tests."""


cudnn = pytest.mark.cudnn
slow = pytest.mark.slow
ideep = pytest.mark.ideep
chainerx = pytest.mark.chainerx


def multi_gpu(gpu_num: int) -> Callable[[Any], Any]:
    """Marks a test needing ``gpu_num`` GPUs (a ``gpu`` mark and a skip rule)."""
    if not isinstance(gpu_num, int) or isinstance(gpu_num, bool) or gpu_num < 1:
        raise ValueError(f'gpu_num must be a positive int, got {gpu_num!r}')
    limit = _gpu_limit()
    skip = pytest.mark.skipif(
        0 <= limit < gpu_num, reason=f'{gpu_num} GPUs required')

    def decorator(f):
        return pytest.mark.gpu(skip(pytest.mark.multi_gpu(gpu_num)(f)))

    return decorator


def gpu(f: Any) -> Any:
    """Marks a test that needs CuPy and one GPU."""
    return multi_gpu(1)(f)
