"""Elementwise functions that carry no gradient (floor, ceil, sign, fix)."""
from __future__ import annotations

import numpy

import chainer
from chainer import backend
from chainer import utils


# NumPy 2.5 deprecates numpy.fix for trunc, which rounds the same way.
_UFUNC = {'fix': 'trunc'}


def apply(name: str, x):
    """``xp.<name>(x)`` as a Variable outside the graph, keeping the dtype of ``x``."""
    if isinstance(x, chainer.variable.Variable):
        x = x.array
    elif isinstance(x, numpy.generic):
        # A NumPy scalar has a dtype, and Chainer took it as a 0-d array.
        x = numpy.asarray(x)
    if not isinstance(x, chainer.get_array_types()):
        raise TypeError(
            f'{name} expects a Variable or an array, '
            f'got {type(x).__module__}.{type(x).__qualname__}')
    xp = backend.get_array_module(x)
    return chainer.as_variable(utils.force_array(getattr(xp, _UFUNC.get(name, name))(x), x.dtype))
