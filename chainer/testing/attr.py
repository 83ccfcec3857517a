"""pytest marks used by Chainer's tests (``@attr.gpu``, ``@attr.slow``, ...).

``CHAINER_TEST_GPU_LIMIT`` (when 0 or more) skips tests that need more GPUs.
"""
from __future__ import annotations

import functools
import os
import unittest
from collections.abc import Callable
from typing import Any

try:
    import pytest
except ImportError as e:  # chainer.testing imports without pytest
    pytest = None
    _error: ImportError | None = e
else:
    _error = None


def _gpu_limit() -> int:
    value = os.environ.get('CHAINER_TEST_GPU_LIMIT', '-1')
    try:
        return int(value)
    except ValueError:
        raise ValueError(
            f'CHAINER_TEST_GPU_LIMIT must be an integer, got {value!r}') from None


def is_available() -> bool:
    """Whether pytest, which the marks need, can be imported."""
    return _error is None


def get_error() -> ImportError | None:
    """The error importing pytest raised, or ``None``."""
    return _error


def check_available() -> None:
    """Raises ``RuntimeError`` saying why the marks are unavailable (no pytest)."""
    if _error is not None:
        raise RuntimeError(
            f'{__name__} is not available: pytest cannot be imported '
            f'({type(_error).__name__}: {_error})')


def _raising(test: Callable) -> Callable:
    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> Any:
        check_available()

    return run


def _unavailable(target: Any) -> Any:
    """Without pytest, a marked test raises (saying why) when it runs."""
    if isinstance(target, type):
        for name, value in list(vars(target).items()):
            if name.startswith('test') and callable(value):
                setattr(target, name, _raising(value))
        return target
    return _raising(target)


def _mark(name: str) -> Any:
    if pytest is None:
        return _unavailable

    def mark(*args: Any, **kwargs: Any) -> Any:
        # pytest.mark.<name> is looked up when the mark is used, not on import
        # (as in Chainer): importing attr warns of no unregistered mark.
        return getattr(pytest.mark, name)(*args, **kwargs)

    mark.__name__ = mark.__qualname__ = name
    mark.__doc__ = f'Marks a test with pytest\'s ``{name}`` mark.'
    return mark


cudnn = _mark('cudnn')
slow = _mark('slow')
ideep = _mark('ideep')
chainerx = _mark('chainerx')


def multi_gpu(gpu_num: int) -> Callable[[Any], Any]:
    """Marks a test needing ``gpu_num`` GPUs (a ``gpu`` mark and a skip rule)."""
    if not isinstance(gpu_num, int) or isinstance(gpu_num, bool) or gpu_num < 1:
        raise ValueError(f'gpu_num must be a positive int, got {gpu_num!r}')
    if pytest is None:
        return _unavailable
    limit = _gpu_limit()
    # unittest's skip, as Chainer's, so that `python -m unittest` skips too.
    skip = unittest.skipIf(0 <= limit < gpu_num, reason=f'{gpu_num} GPUs required')

    def decorator(f):
        # One GPU is what a bare ``gpu`` mark means: no ``multi_gpu`` mark then
        # (Chainer's ``gpu`` made only the ``gpu`` mark).
        if gpu_num > 1:
            f = pytest.mark.multi_gpu(gpu_num)(f)
        return skip(pytest.mark.gpu(f))

    return decorator


def gpu(f: Any) -> Any:
    """Marks a test that needs CuPy and one GPU."""
    return multi_gpu(1)(f)
