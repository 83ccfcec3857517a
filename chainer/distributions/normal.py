"""The normal (Gaussian) distribution."""
from __future__ import annotations

from typing import TYPE_CHECKING
import math

import chainer
from chainer import backend
from chainer import distribution
from chainer import function_node
import chainer.functions as F
from chainer.distributions import utils as _u
from chainer.utils import array as array_utils
from chainer.utils import argument

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

ENTROPYC = 0.5 * math.log(2 * math.pi * math.e)
LOGPROBC = -0.5 * math.log(2 * math.pi)
PROBC = 1.0 / math.sqrt(2 * math.pi)


def _scale_and_log(xp, s, is_log: bool):
    """``(scale, log(scale))`` from ``s``, which is the scale or (``is_log``) its log.

    A log-scale is used as given, so that scales which overflow or underflow
    (``exp(log_scale)`` of 0 or inf) still give finite log-densities, as in Chainer.
    """
    if is_log:
        return xp.exp(s), s
    return s, xp.log(s)


class _NormalLogProb(function_node.FunctionNode):
    """``log N(x; loc, scale**2)`` in one pass (the density is hot in VAEs and policies).

    The third input is the scale, or its logarithm when ``log_scale`` is true.
    The backward is built from differentiable functions, so higher-order
    gradients work.
    """

    def __init__(self, log_scale: bool = False) -> None:
        self.log_scale = log_scale

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))
        x, loc, s = (array_utils.as_compute(a) for a in inputs)  # float16: squares overflow
        xp = backend.get_array_module(*inputs)
        scale, log_scale = _scale_and_log(xp, s, self.log_scale)
        # (C - log_scale) - (x - loc)**2 / 2 / scale**2, rounded as Chainer rounds it.
        d = x - loc
        y = d * d
        y *= x.dtype.type(0.5)
        y /= scale * scale
        y = (x.dtype.type(LOGPROBC) - log_scale) - y
        return chainer.utils.force_array(y, inputs[0].dtype),

    def backward(self, indexes, grad_outputs):
        x, loc, s = self.get_retained_inputs()
        gy, = grad_outputs
        scale = F.exp(s) if self.log_scale else s
        z = (x - loc) / scale
        g_loc = gy * z / scale  # d/dloc = z / scale = -d/dx
        grads = {}
        if 0 in indexes:
            grads[0] = F.sum_to(-g_loc, x.shape)
        if 1 in indexes:
            grads[1] = F.sum_to(g_loc, loc.shape)
        if 2 in indexes:
            if self.log_scale:
                g_s = gy * (z * z - 1.0)
            else:
                g_s = g_loc * z - gy / scale  # gy (z**2 - 1) / scale
            grads[2] = F.sum_to(g_s, s.shape)
        return tuple(grads.get(i) for i in indexes)


class _NormalKL(function_node.FunctionNode):
    """``KL(N(loc1, scale1**2) || N(loc2, scale2**2))`` in one pass, differentiable.

    Each scale input is the scale, or its logarithm where ``log_scales`` says so.
    """

    def __init__(self, log_scales: tuple = (False, False)) -> None:
        self.log_scales = log_scales

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2, 3))
        loc1, s1, loc2, s2 = (array_utils.as_compute(a) for a in inputs)
        xp = backend.get_array_module(*inputs)
        scale1, log_scale1 = _scale_and_log(xp, s1, self.log_scales[0])
        scale2, log_scale2 = _scale_and_log(xp, s2, self.log_scales[1])
        d = loc1 - loc2
        # (log_scale2 - log_scale1) + (scale1**2 + d**2) / 2 / scale2**2 - 1/2, rounded
        # as Chainer rounds it (and no 0 / 0 where a scale underflowed).
        y = d * d
        y += scale1 * scale1
        y *= loc1.dtype.type(0.5)
        y /= scale2 * scale2
        y += log_scale2 - log_scale1
        y -= loc1.dtype.type(0.5)
        return chainer.utils.force_array(y, inputs[0].dtype),

    def backward(self, indexes, grad_outputs):
        loc1, s1, loc2, s2 = self.get_retained_inputs()
        gy, = grad_outputs
        log1, log2 = self.log_scales
        scale1 = F.exp(s1) if log1 else s1
        scale2 = F.exp(s2) if log2 else s2
        d = (loc1 - loc2) / scale2
        r2 = (scale1 / scale2) ** 2
        grads = {}
        if 0 in indexes or 2 in indexes:
            g_loc1 = gy * d / scale2
            grads[0] = F.sum_to(g_loc1, loc1.shape)
            grads[2] = F.sum_to(-g_loc1, loc2.shape)
        if 1 in indexes:
            g1 = gy * (r2 - 1.0)  # d/dlog(scale1)
            grads[1] = F.sum_to(g1 if log1 else g1 / scale1, s1.shape)
        if 3 in indexes:
            g2 = gy * (1.0 - r2 - d * d)  # d/dlog(scale2)
            grads[3] = F.sum_to(g2 if log2 else g2 / scale2, s2.shape)
        return tuple(grads.get(i) for i in indexes)


class Normal(_u._LocationScale):
    """Normal distributions ``N(loc, scale**2)``, elementwise over the batch.

    Give either ``scale`` or ``log_scale`` (keyword), the logarithm of the
    standard deviation.  ``sample`` is reparameterised: gradients flow to
    ``loc`` and ``scale``.

    Args:
        loc: The means.
        scale: The standard deviations (positive).
        log_scale: ``log(scale)`` instead of ``scale``.
    """

    def __init__(self, loc: VariableOrArray, scale: VariableOrArray | None = None,
                 **kwargs: VariableOrArray) -> None:
        log_scale, = argument.parse_kwargs(kwargs, ('log_scale', None))
        if (scale is None) == (log_scale is None):
            raise ValueError('Normal: give either scale or log_scale (exactly one)')
        if scale is not None:
            self.loc, self._scale = _u._as_params('Normal', {'loc': loc, 'scale': scale})
            _u._check_positive('Normal', 'scale', self._scale)
            self._log_scale = None
        else:
            self.loc, self._log_scale = _u._as_params(
                'Normal', {'loc': loc, 'log_scale': log_scale})
            self._scale = None

    @property
    def scale(self) -> chainer.Variable:
        """The standard deviations."""
        if self._scale is None:
            return F.exp(self._log_scale)
        return self._scale

    @property
    def log_scale(self) -> chainer.Variable:
        """The logarithms of the standard deviations."""
        if self._log_scale is None:
            return F.log(self._scale)
        return self._log_scale

    @property
    def mean(self):
        return self.loc

    @property
    def stddev(self):
        return self.scale

    @property
    def variance(self):
        return self.scale ** 2

    @property
    def entropy(self):
        return self.log_scale + ENTROPYC

    def _standardize(self, x):
        x = _u._as_value(x, self.loc)
        return (x - self.loc) / self.scale

    def _scale_input(self) -> tuple:
        """The scale as given: ``(Variable, whether it is the log-scale)``."""
        if self._scale is None:
            return self._log_scale, True
        return self._scale, False

    def log_prob(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.loc)
        s, is_log = self._scale_input()
        return _NormalLogProb(is_log).apply((x, self.loc, s))[0]

    def prob(self, x: VariableOrArray) -> Variable:
        return (PROBC / self.scale) * F.exp(-0.5 * self._standardize(x) ** 2)

    def cdf(self, x: VariableOrArray) -> Variable:
        return F.ndtr(self._standardize(x))

    def log_cdf(self, x: VariableOrArray) -> Variable:
        return F.log_ndtr(self._standardize(x))

    def survival_function(self, x: VariableOrArray) -> Variable:
        return F.ndtr(-self._standardize(x))

    def log_survival_function(self, x: VariableOrArray) -> Variable:
        return F.log_ndtr(-self._standardize(x))

    def icdf(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.loc)
        return self.loc + self.scale * F.ndtri(x)

    def sample_n(self, n: int) -> Variable:
        eps = _u._standard_normal(self.loc, (n,) + self.loc.shape)
        return self.loc + self.scale * eps


@distribution.register_kl(Normal, Normal)
def _kl_normal_normal(dist1: Normal, dist2: Normal):
    s1, log1 = dist1._scale_input()
    s2, log2 = dist2._scale_input()
    return _NormalKL((log1, log2)).apply((dist1.loc, s1, dist2.loc, s2))[0]

