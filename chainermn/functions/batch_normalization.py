"""Batch normalization whose statistics cover the whole batch over all ranks.

The per-rank sums of ``x`` and ``x**2`` travel in one differentiable
allreduce, so the backward pass sums the gradient statistics over the ranks
as well.  As in Chainer, the gradients of ``gamma`` and ``beta`` are their
means over the ranks (the same on every rank).
"""
from __future__ import annotations

from typing import Any

import numpy

import chainer
import chainer.functions as F
from chainer.utils.array import as_compute

_BACKENDS = ('auto', 'mpi', 'nccl')


class _SumOverRanks(chainer.FunctionNode):
    """The sum of ``x`` over the ranks; its gradient is the sum of the ranks' gradients."""

    def __init__(self, comm: Any) -> None:
        self.comm = comm

    def forward(self, inputs: tuple) -> tuple:
        return self.comm.allreduce(inputs[0]),

    def backward(self, indexes: tuple, grad_outputs: tuple) -> tuple:
        return _SumOverRanks(self.comm).apply(grad_outputs)


class _MeanOverRanks(chainer.FunctionNode):
    """The mean of ``x`` over the ranks (float16 summed in float32); its gradient is
    the mean of the ranks' gradients."""

    def __init__(self, comm: Any) -> None:
        self.comm = comm

    def forward(self, inputs: tuple) -> tuple:
        x = inputs[0]
        total = self.comm.allreduce(as_compute(x))
        return (total / self.comm.size).astype(x.dtype, copy=False),

    def backward(self, indexes: tuple, grad_outputs: tuple) -> tuple:
        return _MeanOverRanks(self.comm).apply(grad_outputs)


class _MeanGradOverRanks(chainer.FunctionNode):
    """The identity, whose gradient is the mean of the ranks' gradients."""

    def __init__(self, comm: Any) -> None:
        self.comm = comm

    def forward(self, inputs: tuple) -> tuple:
        return inputs[0],

    def backward(self, indexes: tuple, grad_outputs: tuple) -> tuple:
        return _MeanOverRanks(self.comm).apply(grad_outputs)


def _mean_grad(comm: Any, v: Any) -> Any:
    if isinstance(v, chainer.Variable) and v.requires_grad:
        return _MeanGradOverRanks(comm).apply((v,))[0]
    return v


def get_communication_backend(comm: Any, communication_backend: str = 'auto') -> str:
    """The backend that carries the statistics: ``'nccl'`` or ``'mpi'``.

    ``'auto'`` picks ``'nccl'`` for the ``pure_nccl`` communicator, ``'mpi'`` otherwise.
    """
    if communication_backend not in _BACKENDS:
        raise ValueError(f'communication_backend must be one of {_BACKENDS}, '
                         f'got {communication_backend!r}')
    is_nccl = type(comm).__name__ == 'PureNcclCommunicator'
    if communication_backend == 'auto':
        return 'nccl' if is_nccl else 'mpi'
    if communication_backend == 'nccl' and not is_nccl:
        raise ValueError("communication_backend='nccl' needs the 'pure_nccl' communicator")
    return communication_backend


class MultiNodeBNImplSelector:
    """Picks the implementation for a communicator and backend; calling it returns a
    function ``(x, gamma, beta, axis, eps) -> (y, mean, var, count)``."""

    def __init__(self, comm: Any, communication_backend: str = 'auto') -> None:
        self.comm = comm
        self.communication_backend = get_communication_backend(comm, communication_backend)

    def __call__(self) -> Any:
        # NCCL and MPI move the same statistics; the collectives of the
        # communicator choose the transport.
        return lambda *args: multi_node_batch_normalization(self.comm, *args)


def multi_node_batch_normalization(comm: Any, x: Any, gamma: Any, beta: Any, axis: tuple,
                                   eps: float) -> tuple:
    """Normalizes ``x`` with the mean and variance over ``axis`` of all ranks' batches.

    Returns ``(y, mean, var, count)`` (mean and biased variance as arrays, count
    the global number of samples per channel) for the running statistics.
    """
    x = chainer.as_variable(x)
    dtype = x.dtype
    xc = F.cast(x, numpy.float32) if dtype == numpy.float16 else x
    local_n = int(numpy.prod([x.shape[a] for a in axis])) if axis else 1
    xp = chainer.backend.get_array_module(x.array)
    # One message: the sums, the sums of squares and the sample counts.
    count = chainer.Variable(xp.full((1, x.shape[1]), local_n, dtype=xc.dtype))
    stats = F.concat((F.sum(xc, axis=axis)[None], F.sum(xc * xc, axis=axis)[None], count),
                     axis=0)
    summed, = _SumOverRanks(comm).apply((stats,))
    total = float(summed.array[2, 0]) if x.shape[1] else 0.0
    mean = summed[0] / total
    var = summed[1] / total - mean * mean
    var = F.relu(var)  # rounding can make it slightly negative
    shape = [1] * x.ndim
    keep = [a for a in range(x.ndim) if a not in axis]
    for a in keep:
        shape[a] = x.shape[a]
    inv_std = (var + eps) ** -0.5
    xhat = (xc - F.reshape(mean, shape)) * F.reshape(inv_std, shape)
    gamma, beta = _mean_grad(comm, gamma), _mean_grad(comm, beta)
    y = xhat * F.reshape(F.cast(gamma, xhat.dtype), shape) + \
        F.reshape(F.cast(beta, xhat.dtype), shape)
    if dtype == numpy.float16:
        y = F.cast(y, dtype)
    return y, mean.array, var.array, total
