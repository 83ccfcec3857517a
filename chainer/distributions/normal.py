"""The normal (Gaussian) distribution."""
from __future__ import annotations

import math

import chainer
from chainer import backend
from chainer import distribution
from chainer import function_node
import chainer.functions as F
from chainer.distributions import utils as _u
from chainer.utils import argument

ENTROPYC = 0.5 * math.log(2 * math.pi * math.e)
LOGPROBC = -0.5 * math.log(2 * math.pi)
PROBC = 1.0 / math.sqrt(2 * math.pi)


def _sum_to(gx, shape: tuple):
    return gx if gx.shape == shape else F.sum_to(gx, shape)


class _NormalLogProb(function_node.FunctionNode):
    """``log N(x; loc, scale**2)`` in one pass (the density is hot in VAEs and policies).

    The backward is built from differentiable functions, so higher-order
    gradients work.
    """

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))
        x, loc, scale = inputs
        xp = backend.get_array_module(*inputs)
        z = x - loc
        z /= scale
        y = z * z
        y *= -0.5
        y -= xp.log(scale)
        y += x.dtype.type(LOGPROBC)
        return chainer.utils.force_array(y, x.dtype),

    def backward(self, indexes, grad_outputs):
        x, loc, scale = self.get_retained_inputs()
        gy, = grad_outputs
        z = (x - loc) / scale
        g_loc = gy * z / scale  # d/dloc = z / scale = -d/dx
        grads = {}
        if 0 in indexes:
            grads[0] = _sum_to(-g_loc, x.shape)
        if 1 in indexes:
            grads[1] = _sum_to(g_loc, loc.shape)
        if 2 in indexes:
            grads[2] = _sum_to(g_loc * z - gy / scale, scale.shape)  # gy (z**2 - 1) / scale
        return tuple(grads.get(i) for i in indexes)


class _NormalKL(function_node.FunctionNode):
    """``KL(N(loc1, scale1**2) || N(loc2, scale2**2))`` in one pass, differentiable."""

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2, 3))
        loc1, scale1, loc2, scale2 = inputs
        xp = backend.get_array_module(*inputs)
        d = loc1 - loc2
        d /= scale2
        r = scale1 / scale2
        y = d * d
        y += r * r
        y *= 0.5
        y -= xp.log(r)
        y -= loc1.dtype.type(0.5)
        return chainer.utils.force_array(y, loc1.dtype),

    def backward(self, indexes, grad_outputs):
        loc1, scale1, loc2, scale2 = self.get_retained_inputs()
        gy, = grad_outputs
        d = (loc1 - loc2) / scale2
        r2 = (scale1 / scale2) ** 2
        grads = {}
        if 0 in indexes or 2 in indexes:
            g_loc1 = gy * d / scale2
            grads[0] = _sum_to(g_loc1, loc1.shape)
            grads[2] = _sum_to(-g_loc1, loc2.shape)
        if 1 in indexes:
            grads[1] = _sum_to(gy * (r2 - 1.0) / scale1, scale1.shape)
        if 3 in indexes:
            grads[3] = _sum_to(gy * (1.0 - r2 - d * d) / scale2, scale2.shape)
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

    def __init__(self, loc, scale=None, **kwargs) -> None:
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

    def log_prob(self, x):
        x = _u._as_value(x, self.loc)
        return _NormalLogProb().apply((x, self.loc, self.scale))[0]

    def prob(self, x):
        return (PROBC / self.scale) * F.exp(-0.5 * self._standardize(x) ** 2)

    def cdf(self, x):
        return F.ndtr(self._standardize(x))

    def log_cdf(self, x):
        return F.log_ndtr(self._standardize(x))

    def survival_function(self, x):
        return F.ndtr(-self._standardize(x))

    def log_survival_function(self, x):
        return F.log_ndtr(-self._standardize(x))

    def icdf(self, x):
        x = _u._as_value(x, self.loc)
        return self.loc + self.scale * F.ndtri(x)

    def sample_n(self, n: int):
        eps = _u._standard_normal(self.loc, (n,) + self.loc.shape)
        return self.loc + self.scale * eps


@distribution.register_kl(Normal, Normal)
def _kl_normal_normal(dist1: Normal, dist2: Normal):
    return _NormalKL().apply((dist1.loc, dist1.scale, dist2.loc, dist2.scale))[0]

