"""NCCL through CuPy: ``chainermn.nccl.<name>`` is ``cupy.cuda.nccl.<name>`` (needs CuPy)."""
from __future__ import annotations

from typing import Any


class NcclNotAvailableError(RuntimeError, AttributeError):
    """NCCL is missing (no CuPy, or CuPy without NCCL); an AttributeError too, so that
    ``hasattr(chainermn.nccl, name)`` is False."""


def _nccl() -> Any:
    from chainer.backends import cuda
    if not cuda.available:
        raise NcclNotAvailableError('NCCL needs CuPy with a GPU: pip install cupy-cuda12x')
    try:
        from cupy.cuda import nccl
    except ImportError as e:  # CuPy built without NCCL
        raise NcclNotAvailableError(f'CuPy has no NCCL support here ({e})') from e
    if not getattr(nccl, 'available', True):
        raise NcclNotAvailableError('CuPy has no NCCL support here')
    return nccl


def __getattr__(name: str) -> Any:
    if name.startswith('__'):
        raise AttributeError(name)
    return getattr(_nccl(), name)
