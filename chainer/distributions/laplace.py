"""The Laplace (double exponential) distribution."""
from __future__ import annotations

from typing import TYPE_CHECKING
import math

from chainer import backend
from chainer import distribution
from chainer import function_node
import chainer.functions as F
from chainer.distributions import utils as _u
from chainer import utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class _StandardLaplaceNode(function_node.FunctionNode):
    """An elementwise function of one floating-point input."""

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)


class LaplaceCDF(_StandardLaplaceNode):
    """The CDF of the standard Laplace distribution, ``0.5 + 0.5 sign(x) (1 - exp(-|x|))``."""

    def forward(self, inputs):
        self.retain_inputs((0,))
        x, = inputs
        xp = backend.get_array_module(x)
        y = 0.5 - 0.5 * xp.sign(x) * xp.expm1(-xp.abs(x))
        return utils.force_array(y, x.dtype),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return grad_outputs[0] * (0.5 * F.exp(-F.absolute(x))),


class LaplaceICDF(_StandardLaplaceNode):
    """The inverse CDF of the standard Laplace distribution, for ``x`` in (0, 1)."""

    def forward(self, inputs):
        self.retain_inputs((0,))
        x, = inputs
        xp = backend.get_array_module(x)
        h = x - x.dtype.type(0.5)
        y = -xp.sign(h) * xp.log1p(-2 * xp.abs(h))
        return utils.force_array(y, x.dtype),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        # d/dx is 1 / min(x, 1 - x).
        return grad_outputs[0] / (0.5 - F.absolute(x - 0.5)),


class Laplace(_u._LocationScale):
    """Laplace distributions with location ``loc`` and scale ``scale`` (positive).

    ``sample`` is reparameterised: gradients flow to ``loc`` and ``scale``.
    """

    @property
    def mean(self):
        return self.loc

    @property
    def variance(self):
        return 2.0 * self.scale ** 2

    @property
    def stddev(self):
        return math.sqrt(2.0) * self.scale

    @property
    def entropy(self):
        return 1.0 + F.log(2.0 * self.scale)  # Chainer's form: its bits

    def log_prob(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.loc)
        # Chainer's form: its bits
        return -F.log(2.0 * self.scale) - F.absolute(x - self.loc) / self.scale

    def prob(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.loc)
        # Chainer's form and order: its bits
        return 0.5 / self.scale * F.exp(-F.absolute(x - self.loc) / self.scale)

    def cdf(self, x: VariableOrArray) -> Variable:
        z = _u._as_value((x - self.loc) / self.scale, self.loc)
        return LaplaceCDF().apply((z,))[0]

    def icdf(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.loc)
        return self.loc + self.scale * LaplaceICDF().apply((x,))[0]

    def sample_n(self, n: int) -> Variable:
        loc = self.loc
        with _u._sampling_device(loc):
            eps = loc.xp.random.laplace(size=(n,) + loc.shape)
        return loc + self.scale * eps.astype(loc.dtype, copy=False)


@distribution.register_kl(Laplace, Laplace)
def _kl_laplace_laplace(dist1: Laplace, dist2: Laplace):
    s1, s2 = dist1.scale, dist2.scale
    dist = F.absolute(dist1.loc - dist2.loc)
    return F.log(s2) - F.log(s1) + dist / s2 + (s1 / s2) * F.exp(-dist / s1) - 1.0
