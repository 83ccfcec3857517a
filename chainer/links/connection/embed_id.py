"""EmbedID: a learnable lookup table from integer IDs to vectors."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

from chainer import initializers
from chainer import link
from chainer import variable
from chainer.functions.connection.embed_id import embed_id

if TYPE_CHECKING:
    from chainer.types import InitializerSpec, VariableOrArray


class EmbedID(link.Link):
    """Word-embedding layer: maps each ID ``i`` to the row ``W[i]``.

    Args:
        in_size: Number of IDs (rows of ``W``).
        out_size: Size of each embedding vector.
        initialW: Initializer, array or scalar for ``W`` (default: standard
            normal, ``Normal(1.0)``).
        ignore_label: ID mapped to the zero vector (and given no gradient).

    Attributes:
        W (~chainer.Parameter): Embedding matrix of shape ``(in_size, out_size)``.
    """

    ignore_label = None

    def __init__(self, in_size: int, out_size: int, initialW: InitializerSpec | None = None,
                 ignore_label: Optional[int] = None) -> None:
        super().__init__()
        self.ignore_label = ignore_label

        with self.init_scope():
            if initialW is None:
                initialW = initializers.Normal(1.0)
            self.W = variable.Parameter(
                initializers._get_initializer(initialW), (in_size, out_size))

    @classmethod
    def from_params(cls, W: VariableOrArray, ignore_label: Optional[int] = None) -> 'EmbedID':
        """Builds an EmbedID link whose ``W`` is a copy of ``W`` (``(in_size, out_size)``)."""
        W = variable.as_array(W)
        in_size, out_size = W.shape
        return cls(in_size, out_size, initialW=W, ignore_label=ignore_label)

    def forward(self, x: VariableOrArray) -> variable.Variable:
        """Looks up the rows of ``W`` for the int32 IDs in ``x``."""
        return embed_id(x, self.W, ignore_label=self.ignore_label)
