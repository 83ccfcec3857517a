"""CUDA kernels of N-dimensional max pooling (see :mod:`.pooling_nd_kernel`)."""
from __future__ import annotations

from chainer.functions.pooling import pooling_nd_kernel
from chainer.utils import _window_kernels, conv_nd_kernel  # NOQA: F401

__all__ = ['MaxPoolingNDKernelBackward', 'MaxPoolingNDKernelForward',
           'MaxPoolingNDKernelForwardWithIndexes', 'MaxPoolingNDKernelForwardWithIndexes1']


def _backward_spec(ndim: int, idx: str, acc: str) -> tuple:
    return _window_kernels.window_spread_spec(ndim, idx, acc, indexed=True)


def _pick_spec(ndim: int, idx: str, acc: str) -> tuple:
    return _window_kernels.window_pick_spec(ndim, idx)


class MaxPoolingNDKernelForward(pooling_nd_kernel.PoolingNDKernelForward):
    """Window maxima ``y`` and their int32 flat window offsets ``widx``; padding reads as
    the ``ninf`` argument."""

    _spec = staticmethod(_window_kernels.max_pool_spec)


class MaxPoolingNDKernelBackward(pooling_nd_kernel.PoolingNDKernelBackward):
    """Gradient of max pooling: every pixel sums ``g`` over the windows whose ``widx``
    names it."""

    _spec = staticmethod(_backward_spec)


class MaxPoolingNDKernelForwardWithIndexes(pooling_nd_kernel.PoolingNDKernelForward):
    """Max pooling with known offsets: the entry of every window of ``x`` at ``widx``
    (the forward of the gradient's gradient)."""

    _spec = staticmethod(_pick_spec)


class MaxPoolingNDKernelForwardWithIndexes1(MaxPoolingNDKernelForwardWithIndexes):
    """The same kernel as :class:`MaxPoolingNDKernelForwardWithIndexes` (Chainer had a
    variant reading the gradient; one kernel serves both uses here)."""
