"""SerialIterator: mini-batches loaded in the calling thread."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chainer.dataset import iterator
from chainer.iterators import _statemachine
from chainer.iterators.order_samplers import ShuffleOrderSampler  # NOQA: F401

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from collections.abc import Callable

    from chainer.types import NdArray


class SerialIterator(_statemachine.StateMixin, iterator.Iterator):
    """Iterates over ``dataset`` in batches of ``batch_size`` examples.

    With ``repeat`` it loops forever (a batch may span two epochs); otherwise
    it stops after one pass and the last batch may be shorter.  ``shuffle``
    (default ``True``) draws a new random order each epoch; ``order_sampler``
    replaces it with a custom :class:`~chainer.iterators.OrderSampler`.
    """

    def __init__(self, dataset: Any, batch_size: int, repeat: bool = True,
                 shuffle: bool | None = None,
                 order_sampler: Callable[[NdArray, int], NdArray] | None = None) -> None:
        self.dataset = dataset
        self.batch_size = _statemachine.check_batch_size(batch_size)
        self._repeat = repeat
        self.order_sampler = _statemachine.make_order_sampler(shuffle, order_sampler)
        self.reset()

    def __next__(self) -> list:
        previous = self.epoch_detail
        state, indices = _statemachine.iterator_statemachine(
            self._state, self.batch_size, self._repeat, self.order_sampler,
            len(self.dataset))
        self._previous_epoch_detail = previous
        if indices is None:
            raise StopIteration
        # As in Chainer, the batch is consumed even if loading it raises.
        self._state = state
        dataset = self.dataset
        return [dataset[index] for index in indices]  # NumPy integers, as Chainer

    next = __next__

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the position, epoch, order and sampler state."""
        self._serialize_state(serializer)

    def reset(self) -> None:
        """Rewinds to the start of epoch 0 with a fresh order."""
        self._state = self._initial_state()
