"""DecorrelatedBatchNormalization: ZCA whitening of channel groups with running statistics."""
from __future__ import annotations

from typing import Any

import numpy

from chainer import configuration
from chainer import link
from chainer import variable
from chainer.functions.normalization import decorrelated_batch_normalization as dbn
from chainer.links.normalization.batch_normalization import running_decay
from chainer.utils import argument


class DecorrelatedBatchNormalization(link.Link):
    """Decorrelated batch normalization layer (Huang et al., 2018).

    In training mode it whitens each of ``groups`` channel groups with the ZCA
    matrix of its batch covariance and updates the running mean and projection;
    in test mode it applies the running ones.

    Args:
        size (int): Number of channels.
        groups (int): Number of channel groups; must divide ``size``.
        decay (float): Decay rate of the running averages.
        eps (float): Added to the covariance diagonal.
        dtype: Dtype of the running statistics.

    Attributes:
        avg_mean: ``(groups, size // groups)`` running mean (persistent).
        avg_projection: ``(groups, size // groups, size // groups)`` running
            whitening matrices (persistent).
        N (int): Batches seen since :meth:`start_finetuning` (persistent).
    """

    def __init__(self, size: int, groups: int = 16, decay: float = 0.9, eps: float = 2e-5,
                 dtype: Any = numpy.float32) -> None:
        super().__init__()
        if size % groups:
            raise ValueError(f'size {size} is not divisible by groups {groups}')
        c = size // groups
        self.groups = groups
        self.decay = decay
        self.eps = eps
        self.avg_mean = numpy.zeros((groups, c), dtype)
        self.register_persistent('avg_mean')
        self.avg_projection = numpy.broadcast_to(
            numpy.eye(c, dtype=dtype), (groups, c, c)).copy()
        self.register_persistent('avg_projection')
        self.N = 0
        self.register_persistent('N')

    def forward(self, x: Any, **kwargs: Any) -> variable.Variable:
        """Whitens ``x``; ``finetune=True`` averages the statistics plainly."""
        finetune, = argument.parse_kwargs(kwargs, ('finetune', False))
        if configuration.config.train:
            return dbn.decorrelated_batch_normalization(
                x, groups=self.groups, eps=self.eps, running_mean=self.avg_mean,
                running_projection=self.avg_projection,
                decay=running_decay(self, finetune))
        return dbn.fixed_decorrelated_batch_normalization(
            x, variable.Variable(self.avg_mean, requires_grad=False),
            variable.Variable(self.avg_projection, requires_grad=False), self.groups)

    def start_finetuning(self) -> None:
        """Resets the batch count used by ``finetune=True``."""
        self.N = 0
