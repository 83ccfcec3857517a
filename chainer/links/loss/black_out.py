"""BlackOut: the BlackOut loss with its output embeddings."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import numpy

from chainer import initializers
from chainer import link
from chainer import variable
from chainer.functions.loss.black_out import black_out
from chainer.utils import walker_alias

if TYPE_CHECKING:
    from chainer.device_resident import DeviceResidentsVisitor
    from chainer.types import VariableOrArray


class BlackOut(link.Link):
    """BlackOut loss layer: a weighted softmax over the target and sampled words.

    Negative words are drawn in proportion to ``counts`` with Walker's alias method.

    Args:
        in_size: Size of the input vectors.
        counts: Frequency of each word (its length is the vocabulary size).
        sample_size: Number of negative samples per example.

    Attributes:
        W (~chainer.Parameter): Output embeddings ``(len(counts), in_size)``.
        sampler (~chainer.utils.WalkerAlias): The negative sampler.
        sample_data: If not None, these samples (``(B, sample_size)`` int32)
            are used instead of drawing new ones (for tests).
    """

    sample_data = None

    def __init__(self, in_size: int, counts: Sequence[Any], sample_size: int) -> None:
        super().__init__()
        vocab_size = len(counts)
        p = numpy.array(counts, dtype=numpy.float32)
        self.sampler = walker_alias.WalkerAlias(p)
        self.sample_size = sample_size

        # Chainer's W started NaN and drew nothing from NumPy's global
        # generator; ours starts LeCun-normal and then puts the generator back,
        # so a seeded program draws the same numbers afterwards (samples, the
        # weights of later links) as under Chainer.
        state = numpy.random.get_state()
        with self.init_scope():
            self.W = variable.Parameter(
                initializers._get_initializer(None), (vocab_size, in_size))
        numpy.random.set_state(state)

    def device_resident_accept(self, visitor: DeviceResidentsVisitor) -> None:
        super().device_resident_accept(visitor)
        # The sampler's tables follow the link to its device.
        self.sampler.to_device(self.device)

    def forward(self, x: VariableOrArray, t: VariableOrArray) -> variable.Variable:
        """Computes the mean BlackOut loss of ``x`` (B, in_size) for the targets ``t`` (B,)."""
        if self.sample_data is not None:
            sample_data = self.sample_data
        else:
            sample_data = self.sampler.sample((x.shape[0], self.sample_size))
        samples = variable.Variable(sample_data, requires_grad=False)
        return black_out(x, t, self.W, samples)
