"""Batch normalization over the whole batch of all ranks (synchronized statistics)."""
from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import numpy

import chainer
import chainer.functions as F
from chainer import initializers
from chainer.utils import experimental
from chainermn.functions import batch_normalization as chainermn_batch_normalization

if TYPE_CHECKING:
    from chainer.types import DTypeSpec, InitializerSpec
    from chainer.types import VariableOrArray
    from chainermn.communicators.communicator_base import CommunicatorBase

__all__ = ['MultiNodeBatchNormalization', 'chainermn_batch_normalization']


def _initializer(initial: Any, default: float, dtype: numpy.dtype) -> Any:
    if initial is None:
        return initializers.Constant(default, dtype)
    if isinstance(initial, (int, float)):
        return initializers.Constant(initial, dtype)
    return initial


class MultiNodeBatchNormalization(chainer.Link):
    """Like ``BatchNormalization``, but the mean and variance in training cover the
    batches of every rank of ``comm``.

    Learns ``gamma`` and ``beta`` (``size`` channels on axis 1 of the input)
    and keeps the running statistics ``avg_mean``, ``avg_var`` and ``N``;
    in test mode (``chainer.config.train`` false) normalizes with those.
    Every rank must call it together in training.
    """

    def __init__(self, size: int, comm: CommunicatorBase, decay: float = 0.9, eps: float = 2e-5,
                 dtype: DTypeSpec | None = None, use_gamma: bool = True, use_beta: bool = True,
                 initial_gamma: InitializerSpec | None = None,
                 initial_beta: InitializerSpec | None = None,
                 communication_backend: str = 'auto') -> None:
        experimental('chainermn.links.MultiNodeBatchNormalization')
        super().__init__()
        # as Chainer: None follows chainer.config.dtype (mixed16 keeps float32 statistics)
        dtype = chainer.get_dtype(dtype, map_mixed16=numpy.float32)
        self.comm = comm
        self.decay = decay
        self.eps = eps
        self.use_gamma = use_gamma
        self.use_beta = use_beta
        selector = chainermn_batch_normalization.MultiNodeBNImplSelector(
            comm, communication_backend)
        self.communication_backend = selector.communication_backend
        self._impl = selector()
        self.add_persistent('avg_mean', numpy.zeros(size, dtype=dtype))
        self.add_persistent('avg_var', numpy.zeros(size, dtype=dtype))
        self.add_persistent('N', 0)
        with self.init_scope():
            if use_gamma:
                self.gamma = chainer.Parameter(_initializer(initial_gamma, 1, dtype), (size,))
            if use_beta:
                self.beta = chainer.Parameter(_initializer(initial_beta, 0, dtype), (size,))
        self._dtype = dtype
        self._size = size

    def __deepcopy__(self, memo: dict) -> 'MultiNodeBatchNormalization':
        # A copy (Link.copy(mode='copy'), copy.deepcopy of a model holding this link)
        # shares the communicator, which holds MPI handles that cannot be copied.
        memo[id(self.comm)] = self.comm
        new = type(self).__new__(type(self))
        memo[id(self)] = new
        new.__dict__.update(copy.deepcopy(self.__dict__, memo))
        return new

    def _gamma_beta(self, xp: Any) -> tuple:
        gamma = self.gamma if self.use_gamma else \
            chainer.Variable(xp.ones(self._size, dtype=self._dtype), requires_grad=False)
        beta = self.beta if self.use_beta else \
            chainer.Variable(xp.zeros(self._size, dtype=self._dtype), requires_grad=False)
        return gamma, beta

    def forward(self, x: VariableOrArray, finetune: bool = False) -> chainer.Variable:
        x = chainer.as_variable(x)
        if x.ndim < 2 or x.shape[1] != self._size:
            raise ValueError(f'MultiNodeBatchNormalization({self._size}) got an input of '
                             f'shape {x.shape}: axis 1 must have {self._size} channels')
        xp = chainer.backend.get_array_module(x.array)
        gamma, beta = self._gamma_beta(xp)
        axis = (0,) + tuple(range(2, x.ndim))
        if chainer.config.train:
            y, mean, var, count = self._impl(x, gamma, beta, axis, self.eps)
            if finetune:
                self.N += 1
                decay = 1. - 1. / self.N
            else:
                decay = self.decay
            unbiased = var * (count / max(count - 1, 1))
            self.avg_mean *= decay
            self.avg_mean += ((1 - decay) * mean).astype(self.avg_mean.dtype, copy=False)
            self.avg_var *= decay
            self.avg_var += ((1 - decay) * unbiased).astype(self.avg_var.dtype, copy=False)
            return y
        shape = [1] * x.ndim
        shape[1] = self._size
        inv_std = (self.avg_var + self.avg_var.dtype.type(self.eps)) ** -0.5
        scale = F.reshape(gamma * inv_std.astype(gamma.dtype), shape)
        shift = F.reshape(beta - gamma * (self.avg_mean * inv_std).astype(gamma.dtype), shape)
        if x.dtype == scale.dtype:
            return x * scale + shift
        # as Chainer: the output has the input's dtype
        return F.cast(F.cast(x, scale.dtype) * scale + shift, x.dtype)

    def start_finetuning(self) -> None:
        """Resets the sample counter used by ``finetune=True``."""
        self.N = 0
