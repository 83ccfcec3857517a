"""The position/epoch/order bookkeeping shared by all iterators."""
from __future__ import annotations

import contextlib
from typing import Any, NamedTuple

import numpy
from chainer.utils.error import _repr


class IteratorState(NamedTuple):
    current_position: int
    epoch: int
    is_new_epoch: bool
    order: Any


def _new_order(order_sampler: Any, order: numpy.ndarray, position: int) -> numpy.ndarray:
    new_order = order_sampler(order, position)
    if len(new_order) != len(order):
        raise ValueError(
            f'The size of order does not match the size of the previous order: '
            f'{len(new_order)} != {len(order)}')
    return numpy.asarray(new_order)


def iterator_statemachine(state: IteratorState, batch_size: int, repeat: bool,
                          order_sampler: Any, dataset_len: int) -> tuple:
    """Advances ``state`` by one batch; returns ``(new_state, indices or None)``.

    ``None`` means the (non-repeating) iteration is over.
    """
    i, epoch, _, order = state
    if not repeat and epoch > 0:
        return state, None
    n = dataset_len if order is None else len(order)
    if n == 0:
        if repeat:
            raise ValueError('Epoch size must be positive for an iterator that repeats.')
        return IteratorState(0, epoch + 1, True, order), None
    parts = []
    remaining = batch_size
    is_new_epoch = False
    while remaining > 0:
        part_start = i  # the sampler is told where this epoch's part began
        take = min(remaining, n - i)
        if order is None:
            parts.append(numpy.arange(i, i + take))
        else:
            parts.append(order[i:i + take])
        i += take
        remaining -= take
        if i >= n:
            epoch += 1
            is_new_epoch = True
            i = 0
            if order is not None and order_sampler is not None:
                order = _new_order(order_sampler, order, part_start)
            if not repeat:
                break
    indices = numpy.concatenate(parts) if len(parts) > 1 else parts[0]
    return IteratorState(i, epoch, is_new_epoch, order), indices


def _is_loading(serializer: Any) -> bool:
    from chainer import serializer as serializer_module
    return isinstance(serializer, serializer_module.Deserializer)


def _is_checking(serializer: Any) -> bool:
    from chainer import serializer as serializer_module
    return serializer_module.is_checking(serializer)


def check_batch_size(batch_size: Any) -> int:
    if isinstance(batch_size, bool) or not isinstance(batch_size, (int, numpy.integer)):
        raise TypeError(f'batch_size must be an int, got {_repr(batch_size)}')
    if batch_size <= 0:
        raise ValueError(f'batch_size must be positive, got {batch_size}')
    return int(batch_size)


def make_order_sampler(shuffle: Any, order_sampler: Any) -> Any:
    from chainer.iterators.order_samplers import ShuffleOrderSampler
    if shuffle is not None and order_sampler is not None:
        raise ValueError(
            '`shuffle` is not `None` and a custom `order_sampler` is set. '
            'Please set `shuffle` to `None` to use the custom order sampler.')
    if order_sampler is not None:
        return order_sampler
    if shuffle is None or shuffle:
        return ShuffleOrderSampler()
    return None


class StateMixin:
    """Properties and (de)serialisation over ``self._state`` (an IteratorState)."""

    _state: IteratorState
    _previous_epoch_detail: float
    _order_key = 'order'  # the key Chainer's iterator of this kind saves the order under

    def _initial_state(self) -> IteratorState:
        n = len(self.dataset)
        order = None
        if self.order_sampler is not None:
            # The first order sets the epoch size, which later orders keep; it
            # may be a subset of the dataset (Chainer checked only later ones).
            # A sampler returning None means the dataset's own order, as in Chainer.
            order = self.order_sampler(numpy.arange(n), 0)
            if order is not None:
                order = numpy.asarray(order)
        self._previous_epoch_detail = -1.
        return IteratorState(0, 0, False, order)

    @property
    def current_position(self) -> int:
        return self._state.current_position

    @property
    def epoch(self) -> int:
        return self._state.epoch

    @property
    def is_new_epoch(self) -> bool:
        return self._state.is_new_epoch

    @property
    def repeat(self) -> bool:
        return self._repeat

    @property
    def _epoch_size(self) -> int:
        order = self._state.order
        return len(self.dataset) if order is None else len(order)

    @property
    def epoch_detail(self) -> float:
        size = self._epoch_size
        if size == 0:
            return float(self.epoch)
        return self.epoch + self.current_position / size

    @property
    def previous_epoch_detail(self) -> float | None:
        if self._previous_epoch_detail < 0:
            return None
        return self._previous_epoch_detail

    def _sampler_rng_state(self) -> Any:
        # Prefetching iterators run the state machine ahead, which may draw
        # the next order; they save the RNG state from before that draw.
        rng = getattr(self.order_sampler, '_random', None)
        if isinstance(rng, numpy.random.RandomState):
            return rng.get_state()
        return None

    def _serialize_state(self, serializer: Any, rng_state: Any = None) -> None:
        current_position = int(serializer('current_position', self.current_position))
        epoch = int(serializer('epoch', self.epoch))
        is_new_epoch = bool(serializer('is_new_epoch', self.is_new_epoch))
        order = self._state.order
        if order is not None:
            order = numpy.array(order)  # a private, writable copy loaded in place
            other = '_order' if self._order_key == 'order' else 'order'
            try:
                loaded = serializer(self._order_key, order)
            except KeyError:
                loaded = serializer(other, order)
            if isinstance(loaded, numpy.ndarray):
                order = loaded
        elif self._order_key == '_order' and not _is_loading(serializer):
            serializer(self._order_key, None)  # as Chainer's MultithreadIterator
        elif self._order_key == '_order':
            # Chainer's MultithreadIterator saves a missing order as None; files
            # written before we did so have no key.
            with contextlib.suppress(KeyError):
                loaded = serializer(self._order_key, None)
                if isinstance(loaded, numpy.ndarray) and loaded.ndim == 1 \
                        and loaded.dtype.kind in 'iu':
                    order = loaded
        sampler_serialize = getattr(self.order_sampler, 'serialize', None)
        if _is_checking(serializer):
            # Two-phase load, first pass: read and check everything, change nothing.
            with contextlib.suppress(KeyError):
                float(serializer('previous_epoch_detail', self._previous_epoch_detail))
            if sampler_serialize is not None:
                with contextlib.suppress(KeyError, NotImplementedError):
                    sampler_serialize(serializer['order_sampler'])
            return
        self._state = IteratorState(current_position, epoch, is_new_epoch, order)
        try:
            previous = serializer('previous_epoch_detail', self._previous_epoch_detail)
            self._previous_epoch_detail = float(previous)
        except KeyError:
            # Snapshots of old versions lack it: estimate from the position.
            size = self._epoch_size or 1
            previous = self.epoch + (self.current_position - self.batch_size) / size
            self._previous_epoch_detail = max(previous, 0.) if self.epoch_detail > 0 else -1.
        if sampler_serialize is not None:
            rng = getattr(self.order_sampler, '_random', None)
            current = None
            if rng_state is not None:
                current = rng.get_state()
                rng.set_state(rng_state)
            try:
                sampler_serialize(serializer['order_sampler'])
            except (KeyError, NotImplementedError):
                # A snapshot without the sampler state (e.g. from Chainer), or a
                # serializer that makes no child serializers (Chainer's iterators
                # never asked for one).
                pass
            if current is not None and not _is_loading(serializer):
                # Saving: put back the state the prefetcher had advanced to.
                rng.set_state(current)
