"""Data-parallel updater: splits each batch over copies of the model on several devices."""
from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any, Callable

from chainer import backend
from chainer import function
from chainer import serializer as serializer_module
from chainer.dataset import convert
from chainer.training.updaters import standard_updater

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from chainer.training.trainer import Trainer


class ParallelUpdater(standard_updater.StandardUpdater):
    """Updater splitting each batch over model copies on several devices.

    The batch is split into ``len(models)`` interleaved parts; each copy
    computes its loss and gradients, the gradients are added into the main
    model, the main optimizer updates it and the copies get its parameters.
    With one device this trains exactly like :class:`StandardUpdater`.

    Args:
        iterator: Dataset iterator, or a dict of them (``'main'`` is used).
        optimizer: Optimizer, or a dict of them (``'main'`` is used).
        converter: Batch converter.
        models (dict): Model copies by name (any names); those other than the
            main optimizer's target add their gradients into it, and
            ``models['main']``, if given, must be that target. Built from
            ``devices`` when omitted.
        devices (dict): Devices by name, with the keys of ``models``; each is
            handed to the converter as given. ``'main'`` is required when
            ``models`` is omitted.
        loss_func: The loss function; defaults to each model.
        loss_scale (float): Loss scaling factor.
        auto_new_epoch (bool): As in :class:`StandardUpdater`.
    """

    def __init__(self, iterator: Any, optimizer: Any,
                 converter: Callable = convert.concat_examples, models: dict | None = None,
                 devices: dict | None = None, loss_func: Callable | None = None,
                 loss_scale: float | None = None, auto_new_epoch: bool = True) -> None:
        super().__init__(iterator=iterator, optimizer=optimizer, converter=converter,
                         loss_func=loss_func, loss_scale=loss_scale,
                         auto_new_epoch=auto_new_epoch)

        # The converter gets each device as the user gave it, as in Chainer.
        specs = devices
        if devices is not None:
            if models is None and 'main' not in devices:
                raise KeyError("'devices' must contain a 'main' key.")
            devices = {name: backend.get_device(d) for name, d in devices.items()}

        if models is None:
            if devices is None:
                raise ValueError('either models or devices must be specified')
            main_target = self.get_optimizer('main').target
            models = {'main': main_target}
            for name, device in devices.items():
                if name == 'main':
                    continue
                model = copy.deepcopy(main_target)
                model.to_device(device)
                models[name] = model
            main_target.to_device(devices['main'])
        else:
            # Any names will do: the copies are the models that are not the
            # main optimizer's target.
            optimizers = self.get_all_optimizers()
            if ('main' in models and 'main' in optimizers
                    and models['main'] is not optimizers['main'].target):
                raise ValueError("models['main'] must be the target of the main optimizer")
            if devices is None:
                devices = specs = {name: m.device for name, m in models.items()}
            elif set(devices) != set(models):
                raise ValueError('models and devices must have the same keys')

        self._devices = devices
        self._device_specs = specs
        self._models = models

    def connect_trainer(self, trainer: Trainer) -> None:
        """Registers the model copies as observers so they can report."""
        model_main = self.get_optimizer('main').target
        for name, model in self._models.items():
            if model is not model_main:
                trainer.reporter.add_observer(name, model)

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the state; loading also gives the copies the main model's parameters."""
        super().serialize(serializer)
        # Snapshots hold the main model only. Every update ends by copying its
        # parameters into the copies; a loaded updater does so too, so that the
        # next update matches an uninterrupted run (Chainer's copies computed
        # it with the parameters they had before loading).
        optimizer = self.get_all_optimizers().get('main')
        if (optimizer is None or not serializer_module.is_loading(serializer)
                or serializer_module.is_checking(serializer)):
            return
        for model in self._models.values():
            if model is not optimizer.target:
                model.copyparams(optimizer.target)

    def update_core(self) -> None:
        optimizer = self.get_optimizer('main')
        model_main = optimizer.target
        models_others = {k: m for k, m in self._models.items() if m is not model_main}

        iterator = self.get_iterator('main')
        batch = iterator.next()

        n = len(self._models)
        # A ParallelUpdater pickled by Chainer has only _devices, as given.
        specs = getattr(self, '_device_specs', None) or self._devices
        in_arrays_list = {}
        for i, key in enumerate(self._models):
            in_arrays_list[key] = standard_updater._convert_batch(
                self.converter, batch[i::n], specs[key], 'main', self.iteration,
                as_given=True)

        for model in self._models.values():
            model.cleargrads()

        losses = []
        for key, model in self._models.items():
            in_arrays = in_arrays_list[key]
            loss_func = self.loss_func or model
            with function.force_backprop_mode(), backend.using_device(self._devices[key]):
                if isinstance(in_arrays, tuple):
                    loss = loss_func(*in_arrays)
                elif isinstance(in_arrays, dict):
                    loss = loss_func(**in_arrays)
                else:
                    loss = loss_func(in_arrays)
            losses.append(loss)

        # Clear again: parameters initialised lazily during the forward pass.
        for model in self._models.values():
            model.cleargrads()

        for loss in losses:
            loss.backward(loss_scale=self.loss_scale)

        for model in models_others.values():
            model_main.addgrads(model)

        optimizer.update()

        for model in models_others.values():
            model.copyparams(model_main)

        if self.auto_new_epoch and iterator.is_new_epoch:
            optimizer.new_epoch(auto=True)
