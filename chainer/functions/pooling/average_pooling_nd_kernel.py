"""CUDA kernels of N-dimensional average pooling (see :mod:`.pooling_nd_kernel`).

The kernels sum; the caller divides by the window size (or the count of pixels
inside the image when padding is excluded).
"""
from __future__ import annotations

from chainer.functions.pooling import pooling_nd_kernel
from chainer.utils import _window_kernels

__all__ = ['AveragePoolingNDKernelBackward', 'AveragePoolingNDKernelForward']


class AveragePoolingNDKernelForward(pooling_nd_kernel.PoolingNDKernelForward):
    """Window sums of ``x`` (padding adds zero)."""

    _spec = staticmethod(_window_kernels.window_sum_spec)


class AveragePoolingNDKernelBackward(pooling_nd_kernel.PoolingNDKernelBackward):
    """Adjoint of the window sum: every pixel sums ``g`` over the windows covering it."""

    _spec = staticmethod(_window_kernels.window_spread_spec)
