"""Front ends of the CUDA kernels behind N-dimensional pooling.

Every class has ``generate(ndim)``, the ``(in_params, out_params, operation, name)``
tuple of an elementwise kernel for ``ndim`` spatial axes (no CuPy needed), and
``kernel(ndim)``, that kernel compiled through
:func:`chainer.backends.cuda.elementwise` (CuPy required).  The sources come from
:mod:`chainer.utils._window_kernels`; their parameter order is that module's, not
Chainer's.  The pooling functions launch them through that module's wrappers.
"""
from __future__ import annotations

from typing import Any, Callable

from chainer.backends import cuda  # NOQA: F401 - the module Chainer's held
from chainer.utils import conv_nd_kernel

__all__ = ['PoolingNDKernelBackward', 'PoolingNDKernelForward']


class _PoolingNDKernel:
    """A pooling kernel source generated per number of spatial axes; subclasses set
    ``_spec(ndim, idx, acc)``."""

    _spec: Callable[..., tuple] | None = None

    @classmethod
    def generate(cls, ndim: int, idx: str = 'int', acc: str = 'T') -> tuple:
        """``(in_params, out_params, operation, name)`` for ``ndim`` spatial axes.

        ``idx``: C type of flat indices (``'int'`` or ``'long long'``); ``acc``: the type
        sums and comparisons are done in (``'float'`` for float16 data, else ``'T'``).
        """
        if cls._spec is None:
            raise NotImplementedError(f'{cls.__name__} is an abstract kernel')
        if ndim < 1:
            raise ValueError(f'ndim must be positive, got {ndim}')
        return cls._spec(ndim, idx, acc)

    @classmethod
    def kernel(cls, ndim: int, idx: str = 'int', acc: str = 'T') -> Any:
        """The compiled ``cupy.ElementwiseKernel`` (needs CuPy)."""
        return conv_nd_kernel._compile(cls.generate(ndim, idx, acc))


class PoolingNDKernelForward(_PoolingNDKernel):
    """Base of the forward pooling kernels: raw ``x`` ``(n, c, *d)`` -> ``(n, c, *o)``."""


class PoolingNDKernelBackward(_PoolingNDKernel):
    """Base of the backward pooling kernels: raw ``g`` ``(n, c, *o)`` -> ``(n, c, *d)``."""
