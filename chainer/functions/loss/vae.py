"""Losses of variational auto-encoders."""
from __future__ import annotations

from typing import TYPE_CHECKING
import math
import operator

import chainer
from chainer import backend
from chainer import function_node
from chainer.functions.activation.softplus import softplus
from chainer.functions.loss import _util
from chainer.functions.math.average import average
from chainer.functions.math.exponential import exp
from chainer.functions.math.sum import sum as _sum
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _check(reduce) -> None:
    _util.check_reduce(reduce, ('sum', 'mean', 'no'))


def _reduce(loss, reduce):
    if reduce == 'sum':
        return _sum(loss)
    if reduce == 'mean':
        return average(loss)
    return loss


def _as_data(name: str, a, like):
    """An observed value or a mean as Chainer took it: a Variable as is; anything else
    (an array of any dtype, a list, a Python scalar) is a constant array in ``like``'s
    dtype (arithmetic on such constants stays NumPy/CuPy, no node, as in Chainer)."""
    if isinstance(a, chainer.Variable):
        return a
    if a is None or isinstance(a, (str, bytes)):
        raise TypeError(f'{name} must be an array, a Variable or a number, got '
                        f'{type(a).__name__}')
    return backend.get_array_module(like).asarray(a, dtype=like.dtype)


def _arith(op, a, b, names: str):
    """``op(a, b)``; two arrays of shapes that do not broadcast are an error that is
    both NumPy's ``ValueError`` (Chainer's) and an ``InvalidType``."""
    try:
        return op(a, b)
    except ValueError as e:
        if isinstance(e, type_check.InvalidType):
            raise
        raise type_check._InvalidValue(
            f'{names} of broadcastable shapes', f'{a.shape} and {b.shape}') from e


def gaussian_kl_divergence(mean: VariableOrArray, ln_var: VariableOrArray,
                           reduce: str = 'sum') -> Variable:
    """KL divergence of ``N(mean, exp(ln_var))`` from the standard normal.

    Args:
        mean, ln_var: Mean and log variance of the diagonal Gaussian.
        reduce: ``'sum'``, ``'mean'`` or ``'no'`` (elementwise).
    """
    _check(reduce)
    function_node._check_input(ln_var)
    mean = _as_data('mean', mean, ln_var)
    var = exp(ln_var)  # first, and ``- 1`` an int: the nodes (and labels) of Chainer
    loss = (mean * mean + var - ln_var - 1) * 0.5
    return _reduce(loss, reduce)


def bernoulli_nll(x: VariableOrArray, y: VariableOrArray, reduce: str = 'sum') -> Variable:
    """Negative log-likelihood of ``x`` under Bernoulli distributions with logits ``y``.

    Args:
        x: Observed values (0 or 1 or probabilities).
        y: Logits (pre-sigmoid) of the distribution.
        reduce: ``'sum'``, ``'mean'`` or ``'no'``.
    """
    _check(reduce)
    function_node._check_input(y)
    x = _as_data('x', x, y)
    with type_check._failing_as(type_check._InvalidValue):  # NumPy's error in Chainer
        # x * y: the operands in the order of Chainer's node
        loss = softplus(y) - _arith(operator.mul, x, y, 'x and y')
    return _reduce(loss, reduce)


def gaussian_nll(x: VariableOrArray, mean: VariableOrArray, ln_var: VariableOrArray,
                 reduce: str = 'sum') -> Variable:
    """Negative log-likelihood of ``x`` under diagonal Gaussians ``N(mean, exp(ln_var))``.

    Args:
        x: Observed values.
        mean, ln_var: Mean and log variance.
        reduce: ``'sum'``, ``'mean'`` or ``'no'``.
    """
    _check(reduce)
    function_node._check_input(ln_var)
    x = _as_data('x', x, ln_var)
    mean = _as_data('mean', mean, ln_var)
    x_prec = exp(-ln_var)
    with type_check._failing_as(type_check._InvalidValue):  # NumPy's error in Chainer
        x_diff = _arith(operator.sub, x, mean, 'x and mean')
        x_power = (x_diff * x_diff) * x_prec * -0.5
    loss = (ln_var + math.log(2 * math.pi)) / 2 - x_power
    return _reduce(loss, reduce)
