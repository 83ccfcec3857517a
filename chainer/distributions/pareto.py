"""The Pareto distribution."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import distribution
from chainer import function_node
import chainer.functions as F
from chainer.distributions import utils as _u

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class ParetoNoise(function_node.FunctionNode):
    """Pareto noise ``w = exp(e / alpha)`` (``e`` standard exponential) given as drawn.

    ``w`` is drawn by the caller as ``numpy.random.pareto(alpha) + 1`` (so
    seeded draws are Chainer's); this node passes it on and gives its
    derivative in ``alpha``, ``-w log(w) / alpha``, so that samples are
    reparameterised in ``alpha`` too.
    """

    def __init__(self, w) -> None:
        self._w = w

    def forward(self, inputs):
        self.retain_inputs((0,))
        self.retain_outputs((0,))
        return self._w,

    def backward(self, indexes, grad_outputs):
        alpha, = self.get_retained_inputs()
        w, = self.get_retained_outputs()
        gw, = grad_outputs
        return F.sum_to(-gw * w * F.log(w) / alpha, alpha.shape),


class Pareto(_u._ScalarEvent):
    """Pareto distributions on ``[scale, inf)`` with tail index ``alpha`` (both positive).

    The mean is infinite for ``alpha <= 1``, the variance for ``alpha <= 2``.
    ``sample`` is reparameterised: gradients flow to ``scale`` and ``alpha``.
    """

    _param_names = ('scale', 'alpha')

    def __init__(self, scale: VariableOrArray, alpha: VariableOrArray) -> None:
        self._set_params(('scale', 'alpha'), scale=scale, alpha=alpha)

    @property
    def mean(self):
        alpha = self.alpha
        finite = alpha.array > 1
        safe = _u._fill_outside(alpha, finite, 2.0)
        return _u._where_in_support(finite, self.scale * safe / (safe - 1.0), numpy.inf)

    @property
    def mode(self):
        return self.scale

    @property
    def variance(self):
        alpha = self.alpha
        finite = alpha.array > 2
        safe = _u._fill_outside(alpha, finite, 3.0)
        # two divisions (as in Dirichlet.variance): one by the product overflows
        # float16 in the second derivative sooner
        var = self.scale ** 2 * safe / (safe - 1.0) ** 2 / (safe - 2.0)
        return _u._where_in_support(finite, var, numpy.inf)

    @property
    def entropy(self):
        return F.log(self.scale) - F.log(self.alpha) + 1.0 / self.alpha + 1.0

    @property
    def support(self) -> str:
        return '[scale, inf]'

    def log_prob(self, x: VariableOrArray) -> Variable:
        scale, alpha = self.scale, self.alpha
        x = _u._as_value(x, scale)
        return _u._log_prob_in_support(
            x, x.array >= scale.array, scale,
            lambda x: F.log(alpha) + alpha * F.log(scale) - (alpha + 1.0) * F.log(x))

    def cdf(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.scale)
        inside = x.array >= self.scale.array
        ratio = self.scale / F.maximum(x, F.broadcast_to(self.scale, x.shape))
        return _u._where_in_support(inside, 1.0 - ratio ** self.alpha, 0.0)

    def icdf(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.scale)
        return self.scale * (1.0 - x) ** (-1.0 / self.alpha)

    def sample_n(self, n: int) -> Variable:
        alpha = self.alpha
        w = _u._draw(alpha, 'pareto', alpha.array, size=(n,) + alpha.shape)
        w = w.astype(alpha.dtype, copy=False) + alpha.dtype.type(1)
        return self.scale * ParetoNoise(w).apply((alpha,))[0]


@distribution.register_kl(Pareto, Pareto)
def _kl_pareto_pareto(dist1: Pareto, dist2: Pareto):
    s1, a1, s2, a2 = dist1.scale, dist1.alpha, dist2.scale, dist2.alpha
    # Chainer's form and order: its bits
    kl = a2 * (F.log(s1) - F.log(s2)) + F.log(a1) - F.log(a2) + (a2 - a1) / a1
    return _u._where_in_support(s1.array >= s2.array, kl, numpy.inf)
