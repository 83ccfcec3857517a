"""Base class of dataset iterators."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer


class Iterator:
    """Iterates over a dataset in mini-batches.

    ``next()`` returns a list of examples.  Subclasses used with a Trainer
    also provide ``epoch``, ``is_new_epoch``, ``epoch_detail`` (float number
    of epochs done) and ``previous_epoch_detail`` (its value before the last
    ``next()``, or ``None``); as in Chainer the base class leaves them
    undefined so that subclasses may store them as plain attributes.
    ``finalize`` frees workers or handles; the iterator is also a context
    manager doing so.
    """

    def __iter__(self) -> 'Iterator':
        return self

    def __next__(self) -> Any:
        raise NotImplementedError

    def next(self) -> Any:
        """Python 2 style alias of ``__next__``."""
        return self.__next__()

    def finalize(self) -> None:
        """Releases resources held by the iterator (no-op by default)."""
        pass

    def __enter__(self) -> 'Iterator':
        return self

    def __exit__(self, exc_type, exc_value, traceback) -> None:
        self.finalize()

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the iterator state (no-op by default)."""
        pass
