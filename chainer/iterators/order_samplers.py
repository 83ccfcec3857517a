"""Order samplers: choose the order in which an iterator visits the dataset."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer


class OrderSampler:
    """Base class: ``sampler(current_order, current_position)`` → the next epoch's order.

    Iterators call it at the start of each epoch; the result must be a
    permutation-like integer array of the same length as ``current_order``.
    """

    def __call__(self, current_order: numpy.ndarray, current_position: int) -> numpy.ndarray:
        raise NotImplementedError


class ShuffleOrderSampler(OrderSampler):
    """Draws a random permutation each epoch from ``random_state``.

    ``random_state`` is a :class:`numpy.random.RandomState` (or ``Generator``);
    by default NumPy's global random state.  Its state is saved with the
    iterator so that a resumed run draws the same orders.
    """

    def __init__(self, random_state: Any = None) -> None:
        if random_state is None:
            random_state = numpy.random.random.__self__
        self._random = random_state

    def __call__(self, current_order: numpy.ndarray, current_position: int) -> numpy.ndarray:
        return self._random.permutation(len(current_order))

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the state of a ``RandomState`` (other generators are skipped)."""
        rng = self._random
        if not isinstance(rng, numpy.random.RandomState):
            return
        name, keys, pos, has_gauss, cached = rng.get_state()
        keys = numpy.array(keys, dtype=numpy.uint32)
        loaded_keys = serializer('rng_keys', keys)
        pos = serializer('rng_pos', int(pos))
        has_gauss = serializer('rng_has_gauss', int(has_gauss))
        cached = serializer('rng_cached_gaussian', float(cached))
        if getattr(serializer, 'checking', False):
            return
        if loaded_keys is not None and hasattr(loaded_keys, 'shape'):
            keys = loaded_keys
        rng.set_state((name, numpy.asarray(keys, dtype=numpy.uint32), int(pos),
                       int(has_gauss), float(cached)))
