"""Pieces the optimizers' update rules have in common."""
from __future__ import annotations

from typing import Any

import numpy

from chainer import backend
from chainer import optimizer


def set_given(hyperparam: optimizer.Hyperparameter, **values: Any) -> None:
    """Sets the hyperparameters given; a None value is left to the parent hyperparameter."""
    for name, value in values.items():
        if value is not None:
            setattr(hyperparam, name, value)


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
