"""Logarithm of the absolute value of the gamma function."""
from __future__ import annotations


from typing import TYPE_CHECKING

from chainer import function_node  # NOQA: F401 (a name of Chainer's module)
from chainer.functions.math._special import UnarySpecial
from chainer import utils  # NOQA: F401 (a name of Chainer's module)
from chainer.functions.math.digamma import digamma
from chainer.utils import type_check  # NOQA: F401 (a name of Chainer's module)

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class LGamma(UnarySpecial):
    """Elementwise log-gamma function ``log|Gamma(x)|``."""

    _name = 'lgamma'
    _scipy_name = 'gammaln'

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return grad_outputs[0] * digamma(x),


def lgamma(x: VariableOrArray) -> Variable:
    """Elementwise log-gamma function ``log|Gamma(x)|``."""
    return LGamma().apply((x,))[0]
