"""Pieces the optimizers' update rules have in common."""
from __future__ import annotations

from typing import Any

import numpy

from chainer import backend
from chainer import optimizer
from chainer.backends import cuda


def set_given(hyperparam: optimizer.Hyperparameter, **values: Any) -> None:
    """Sets the hyperparameters given; a None value is left to the parent hyperparameter."""
    for name, value in values.items():
        if value is not None:
            setattr(hyperparam, name, value)


def lookup(hyperparam: Any, name: str) -> Any:
    """``getattr(hyperparam, name)`` without Python's slow path for inherited values.

    A value a :class:`~chainer.optimizer.Hyperparameter` inherits is found by a
    failed attribute lookup (an exception) and ``__getattr__``; this reads the
    instance dictionaries up the parent chain instead, so update rules can read
    their hyperparameters anew at every step at little cost. Anything but a
    plain Hyperparameter in the chain (a subclass may define properties) is
    left to ``getattr``.
    """
    hp = hyperparam
    while type(hp) is optimizer.Hyperparameter:
        d = hp.__dict__
        if name in d:
            return d[name]
        hp = d.get('_parent')
    return getattr(hyperparam, name)


def cached_scalars(rule: Any, values: tuple, dtype: Any) -> tuple:
    """0-d arrays of ``dtype`` holding ``values``, kept on ``rule`` while the values hold.

    NumPy multiplies an array by a 0-d array of its dtype faster than by a
    scalar; reusing the arrays also saves creating them at every step. The
    products are the same as with ``dtype.type(value)``.
    """
    cached = getattr(rule, '_scalar_cache', None)
    if cached is not None and cached[1] == dtype and cached[0] == values:
        return cached[2]
    arrays = []
    for value in values:
        a = numpy.array(value, dtype)
        a.flags.writeable = False
        arrays.append(a)
    arrays = tuple(arrays)
    rule._scalar_cache = (values, dtype, arrays)
    return arrays


def zeros_state(state: dict, param: Any, *names: str) -> None:
    """Adds to ``state`` an array of zeros like ``param.array``, on its device, per name."""
    device = param.device
    with backend.using_device(device):
        for name in names:
            state[name] = device.xp.zeros_like(param.array)


def cast_eps(eps: float, dtype: Any, optimizer_name: str) -> Any:
    """Casts ``eps`` to ``dtype``; a nonzero eps that underflows to zero is an error."""
    dtype = numpy.dtype(dtype)
    cast = dtype.type(eps)
    if eps != 0 and cast == 0:
        raise ValueError(
            f'eps of {optimizer_name} optimizer is too small for {dtype.name} ({eps})')
    return cast


class VelocityRule(optimizer.UpdateRule):
    """Base of the update rules with a velocity ``v`` and hyperparameters lr, momentum.

    A subclass sets ``default_hyperparam``, writes the CPU step in
    :meth:`step_cpu` and gives the same step as CUDA code in ``gpu_code`` (over
    ``grad, lr, momentum`` in, ``param, v`` in-out) named ``gpu_name``.
    """

    is_elementwise = True
    default_hyperparam: optimizer.Hyperparameter
    gpu_code = ''
    gpu_name = ''
    _kernels: dict = {}

    def __init__(self, parent_hyperparam: optimizer.Hyperparameter | None = None,
                 lr: float | None = None, momentum: float | None = None) -> None:
        super().__init__(
            self.default_hyperparam if parent_hyperparam is None else parent_hyperparam)
        set_given(self.hyperparam, lr=lr, momentum=momentum)

    def init_state(self, param: Any) -> None:
        zeros_state(self.state, param, 'v')

    def step_cpu(self, data: Any, grad: Any, v: Any, lr: float, momentum: float) -> None:
        """Updates ``data`` and ``v`` in place (constants cast to ``grad.dtype``)."""
        raise NotImplementedError

    def update_core_cpu(self, param: Any) -> None:
        grad = param.grad
        if grad is None:
            return
        hp = self.hyperparam
        self.step_cpu(param.array, grad, self._state['v'], lookup(hp, 'lr'),
                      lookup(hp, 'momentum'))

    def update_core_gpu(self, param: Any) -> None:
        grad = param.grad
        if grad is None:
            return
        kernel = VelocityRule._kernels.get(self.gpu_name)
        if kernel is None:
            kernel = VelocityRule._kernels[self.gpu_name] = cuda.elementwise(
                'T grad, T lr, T momentum', 'T param, T v', self.gpu_code, self.gpu_name)
        hp = self.hyperparam
        kernel(grad, float(hp.lr), float(hp.momentum), param.array, self.state['v'])


class VelocityOptimizer(optimizer.GradientMethod):
    """Base of the optimizers with hyperparameters lr and momentum (``rule_class``)."""

    rule_class: type

    def __init__(self, lr: float, momentum: float) -> None:
        super().__init__()
        self.hyperparam.lr = lr
        self.hyperparam.momentum = momentum

    lr = optimizer.HyperparameterProxy('lr')
    momentum = optimizer.HyperparameterProxy('momentum')

    def create_update_rule(self) -> VelocityRule:
        return self.rule_class(self.hyperparam)
