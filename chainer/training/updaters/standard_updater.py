"""The standard updater: one batch, one optimizer step per iteration."""
from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Callable

from chainer import backend
from chainer.dataset import convert
from chainer.dataset.convert import _call_converter
from chainer.dataset import iterator as iterator_module
from chainer.training import _updater
from chainer.utils import argument
from chainer.utils import error as error_module

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from chainer.types import DeviceSpec


def _convert_batch(converter: Callable, batch: Any, device: Any, iterator_name: str,
                   iteration: int, as_given: bool = False) -> Any:
    # ``as_given``: hand ``device`` to the converter unchanged (ParallelUpdater
    # passes the device specifiers the user gave, as Chainer did).
    try:
        if as_given:
            return converter(batch, device)
        return _call_converter(converter, batch, device)
    except Exception as e:
        name = getattr(converter, '__name__', None) or type(converter).__name__
        note = (f'(while converting the batch of iterator {iterator_name!r} at '
                f'iteration {iteration + 1} with converter {name})')
        error_module._add_note(e, note)
        raise


def _update_with(optimizer: Any, loss_func: Callable, in_arrays: Any) -> None:
    if isinstance(in_arrays, tuple):
        optimizer.update(loss_func, *in_arrays)
    elif isinstance(in_arrays, dict):
        optimizer.update(loss_func, **in_arrays)
    else:
        optimizer.update(loss_func, in_arrays)


class StandardUpdater(_updater.Updater):
    """Fetches a batch, converts it and calls ``optimizer.update`` once per iteration.

    Args:
        iterator: Dataset iterator, or a dict of them (``'main'`` is used).
        optimizer: Optimizer, or a dict of them (``'main'`` is used).
        converter: Turns a batch into the arguments of the loss function
            (default :func:`chainer.dataset.concat_examples`).
        device: Device the model is moved to and the batches are sent to.
        loss_func: The loss function; defaults to the optimizer's target link.
        loss_scale (float): Loss scaling factor for mixed precision.
        auto_new_epoch (bool): Call ``optimizer.new_epoch(auto=True)`` when the
            main iterator finishes an epoch.
        input_device: Device the batches are sent to (keyword only); it
            defaults to ``device``.

    Attributes:
        converter, loss_func, loss_scale, auto_new_epoch, iteration.
    """

    def __init__(self, iterator: Any, optimizer: Any, converter: Callable = convert.concat_examples,
                 device: DeviceSpec | None = None, loss_func: Callable | None = None,
                 loss_scale: float | None = None, auto_new_epoch: bool = True,
                 **kwargs: Any) -> None:
        input_device, = argument.parse_kwargs(kwargs, ('input_device', None))
        if device is not None:
            device = backend.get_device(device)

        # As in Chainer, an iterator is registered as 'main' and anything else
        # is kept as the mapping of iterators by name, unchecked: named
        # iterators and optimizers need no 'main' (a GAN's 'gen' and 'dis'),
        # only the default update_core and the epoch properties look it up.
        if isinstance(iterator, iterator_module.Iterator) or (
                not isinstance(iterator, Mapping) and hasattr(iterator, 'next')):
            iterator = {'main': iterator}
        self._iterators: Any = iterator

        if not isinstance(optimizer, Mapping):
            optimizer = {'main': optimizer}
        self._optimizers: Any = optimizer

        if device is not None:
            for opt in self._optimizers.values():
                opt.target.to_device(device)

        self.converter = converter
        self.loss_func = loss_func
        self.iteration = 0
        self._device = device
        self._input_device = (device if input_device is None
                              else backend.get_device(input_device))

        self.loss_scale = loss_scale
        if loss_scale is not None:
            for opt in self._optimizers.values():
                opt.set_loss_scale(loss_scale)

        self.auto_new_epoch = auto_new_epoch
        if auto_new_epoch:
            for opt in self._optimizers.values():
                opt.use_auto_new_epoch = True

    @property
    def device(self) -> Any:
        """The device the model was moved to (None if not moved)."""
        return self._device

    @property
    def input_device(self) -> Any:
        """The device batches are sent to (None: left where the converter puts them)."""
        return self._input_device

    @property
    def epoch(self) -> int:
        return self._iterators['main'].epoch

    @property
    def epoch_detail(self) -> float:
        return self._iterators['main'].epoch_detail

    @property
    def previous_epoch_detail(self) -> float | None:
        return self._iterators['main'].previous_epoch_detail

    @property
    def is_new_epoch(self) -> bool:
        return self._iterators['main'].is_new_epoch

    def finalize(self) -> None:
        """Finalizes all iterators (ending their worker processes or threads)."""
        for iterator in self._iterators.values():
            iterator.finalize()

    def get_optimizer(self, name: str) -> Any:
        return self._optimizers[name]

    def get_all_optimizers(self) -> dict:
        return dict(self._optimizers)

    def get_iterator(self, name: str) -> Any:
        """Returns the iterator registered under ``name``."""
        return self._iterators[name]

    def update(self) -> None:
        """Does one update (:meth:`update_core`) and counts the iteration."""
        self.update_core()
        self.iteration += 1

    def update_core(self) -> None:
        """Takes the next batch of the main iterator and updates the main optimizer."""
        iterator = self._iterators['main']
        batch = iterator.next()
        in_arrays = _convert_batch(self.converter, batch, self.input_device, 'main',
                                   self.iteration)

        optimizer = self._optimizers['main']
        loss_func = self.loss_func or optimizer.target
        _update_with(optimizer, loss_func, in_arrays)

        if self.auto_new_epoch and iterator.is_new_epoch:
            optimizer.new_epoch(auto=True)

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the iterators, optimizers, models and iteration count."""
        # Models first: loading into lazily initialized parameters draws from
        # NumPy's global random state, which a shuffling iterator restores.
        for name, optimizer in self._optimizers.items():
            optimizer.serialize(serializer['optimizer:' + name])
            optimizer.target.serialize(serializer['model:' + name])
        for name, iterator in self._iterators.items():
            iterator.serialize(serializer['iterator:' + name])
        self.iteration = serializer('iteration', self.iteration)
