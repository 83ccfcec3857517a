"""Elementwise sign (not differentiable)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer.functions.math import _nondifferentiable

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def sign(x: VariableOrArray) -> Variable:
    """Elementwise sign (-1, 0 or 1), as a Variable outside the graph.

    No gradient flows through it. A Python int or float is taken as a 0-d array, and a list or
    tuple as an array, as Chainer's ``sign`` took them.
    """
    if type(x) in (int, float, list, tuple):
        x = numpy.asarray(x)
    return _nondifferentiable.apply('sign', x)
