"""The interface of updaters: objects doing one training update per call."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from chainer.training.trainer import Trainer


class Updater:
    """Base class of updaters used by :class:`~chainer.training.Trainer`.

    Subclasses implement :meth:`update`, :meth:`get_optimizer`,
    :meth:`get_all_optimizers` and :meth:`serialize`, and provide
    ``iteration``, ``epoch``, ``epoch_detail``, ``previous_epoch_detail``
    and ``is_new_epoch``.
    """

    def connect_trainer(self, trainer: Trainer) -> None:
        """Called by the trainer that uses this updater (nothing by default)."""

    def finalize(self) -> None:
        """Releases resources (such as iterator workers) at the end of training."""
        raise NotImplementedError

    def get_optimizer(self, name: str) -> Any:
        """Returns the optimizer registered under ``name``."""
        raise NotImplementedError

    def get_all_optimizers(self) -> dict:
        """Returns a dict of all optimizers by name."""
        raise NotImplementedError

    def update(self) -> None:
        """Does one update and advances the iteration count."""
        raise NotImplementedError

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the state of the updater."""
        raise NotImplementedError
