"""NegativeSampling: the negative-sampling loss with its output embeddings."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy

import chainer
from chainer import initializers
from chainer import link
from chainer import variable
from chainer.functions.loss import negative_sampling
from chainer.utils import argument
from chainer.utils import walker_alias

if TYPE_CHECKING:
    from chainer.device_resident import DeviceResidentsVisitor
    from chainer.types import DTypeSpec, VariableOrArray


class NegativeSampling(link.Link):
    """Negative-sampling loss layer (word2vec's output layer).

    Negative samples are drawn from the unigram distribution raised to
    ``power``, ``counts[i] ** power``, with Walker's alias method.

    Args:
        in_size: Size of the input vectors.
        counts: Frequency of each word (its length is the vocabulary size).
        sample_size: Number of negative samples per example.
        power: Power applied to the counts.
        dtype: Data type of the sampling weights (default ``chainer.config.dtype``);
            ``W`` takes ``chainer.config.dtype``, as in Chainer.

    Attributes:
        W (~chainer.Parameter): Output embeddings ``(len(counts), in_size)``,
            initialised to zero.
        sampler (~chainer.utils.WalkerAlias): The negative sampler.
    """

    def __init__(self, in_size: int, counts: Sequence[Any], sample_size: int, power: float = 0.75,
                 dtype: DTypeSpec | None = None) -> None:
        super().__init__()
        dtype = chainer.get_dtype(dtype)
        vocab_size = len(counts)
        self.sample_size = sample_size
        power = dtype.type(power)
        p = numpy.array(counts, dtype)
        numpy.power(p, power, p)
        self.sampler = walker_alias.WalkerAlias(p)

        with self.init_scope():
            self.W = variable.Parameter(initializers.Zero(), (vocab_size, in_size))

    def device_resident_accept(self, visitor: DeviceResidentsVisitor) -> None:
        super().device_resident_accept(visitor)
        # The sampler's tables follow the link to its device.
        self.sampler.to_device(self.device)

    def forward(self, x: VariableOrArray, t: VariableOrArray, reduce: str = 'sum',
                **kwargs: Any) -> Any:
        """Computes the loss of the inputs ``x`` (B, in_size) for the targets ``t`` (B,).

        Args:
            x: Batch of input vectors.
            t: Target word ids (int32).
            reduce: ``'sum'`` or ``'no'`` (one loss per example).
            return_samples (bool): Also return the sampled ids (keyword only).
        """
        return_samples, = argument.parse_kwargs(kwargs, ('return_samples', False))
        return negative_sampling.negative_sampling(
            x, t, self.W, self.sampler.sample, self.sample_size,
            reduce=reduce, return_samples=return_samples)
