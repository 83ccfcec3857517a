"""The normal (Gaussian) distribution."""
from __future__ import annotations

from typing import TYPE_CHECKING
import math

import numpy

import chainer
from chainer import backend
from chainer import distribution
from chainer import function_node
import chainer.functions as F
from chainer.functions import _composite
from chainer.distributions import utils as _u
from chainer.utils import array as array_utils
from chainer.utils import argument

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

ENTROPYC = 0.5 * math.log(2 * math.pi * math.e)
LOGPROBC = -0.5 * math.log(2 * math.pi)
PROBC = 1.0 / math.sqrt(2 * math.pi)


def _broadcast_shape(arrays) -> tuple:
    return numpy.broadcast_shapes(*(a.shape for a in arrays))


class _NormalLogProb(function_node.FunctionNode):
    """``log N(x; loc, scale**2)`` in one pass (the density is hot in VAEs and policies).

    The third input is the scale, or its logarithm when ``log_scale`` is true.
    The gradients come from :class:`_NormalLogProbGrad`, itself differentiable, so
    higher-order gradients work.
    """

    def __init__(self, log_scale: bool = False) -> None:
        self.log_scale = log_scale

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))
        x, loc, s = (array_utils.as_compute(a) for a in inputs)  # float16: squares overflow
        xp = backend.get_array_module(*inputs)
        # (C - log_scale) - (x - loc)**2 / 2 / scale**2, rounded as Chainer rounds it,
        # in two arrays of its own. A log-scale is used as given, so that scales which
        # overflow or underflow (exp of 0 or inf) still give finite log-densities.
        y = xp.subtract(x, loc, out=xp.empty(_broadcast_shape(inputs), x.dtype))
        y *= y
        y *= x.dtype.type(0.5)
        if self.log_scale:
            t = xp.exp(s, out=xp.empty_like(s))  # an array, 0-d too
            y /= xp.multiply(t, t, out=t)
            log_scale = s
        else:
            t = xp.multiply(s, s, out=xp.empty_like(s))  # an array, 0-d too
            y /= t
            log_scale = xp.log(s, out=t)
        xp.subtract(xp.subtract(x.dtype.type(LOGPROBC), log_scale, out=t), y, out=y)
        return chainer.utils.force_array(y, inputs[0].dtype),

    def backward(self, indexes, grad_outputs):
        x, loc, s = self.get_retained_inputs()
        gy, = grad_outputs
        return _NormalLogProbGrad(self.log_scale, tuple(indexes)).apply((x, loc, s, gy))


class _NormalKL(function_node.FunctionNode):
    """``KL(N(loc1, scale1**2) || N(loc2, scale2**2))`` in one pass, differentiable.

    Each scale input is the scale, or its logarithm where ``log_scales`` says so.
    The gradients come from :class:`_NormalKLGrad`, itself differentiable.
    """

    def __init__(self, log_scales: tuple = (False, False)) -> None:
        self.log_scales = log_scales

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2, 3))
        loc1, s1, loc2, s2 = (array_utils.as_compute(a) for a in inputs)
        xp = backend.get_array_module(*inputs)
        log1, log2 = self.log_scales
        half = loc1.dtype.type(0.5)
        # (log_scale2 - log_scale1) + (scale1**2 + d**2) / 2 / scale2**2 - 1/2, rounded
        # as Chainer rounds it (and no 0 / 0 where a scale underflowed), in three
        # arrays of its own: ``spare`` holds those no longer needed, for reuse.
        spare = []

        def take(shape):  # an array of ``shape`` of its own (0-d too)
            for i, a in enumerate(spare):
                if a.shape == shape:
                    return spare.pop(i)
            return xp.empty(shape, loc1.dtype)

        def square(s, is_log):  # scale**2 in an array of its own
            if is_log:
                t = xp.exp(s, out=take(s.shape))
                return xp.multiply(t, t, out=t)
            return xp.multiply(s, s, out=take(s.shape))

        y = xp.subtract(loc1, loc2, out=xp.empty(_broadcast_shape(inputs), loc1.dtype))
        y *= y
        t = square(s1, log1)
        y += t
        spare.append(t)
        y *= half
        t = square(s2, log2)
        y /= t
        spare.append(t)
        log_scale2 = s2 if log2 else xp.log(s2, out=take(s2.shape))
        log_scale1 = s1 if log1 else xp.log(s1, out=take(s1.shape))
        spare.extend(a for a, is_log in ((log_scale2, log2), (log_scale1, log1)) if not is_log)
        y += xp.subtract(log_scale2, log_scale1, out=take(
            numpy.broadcast_shapes(log_scale2.shape, log_scale1.shape)))
        y -= half
        return chainer.utils.force_array(y, inputs[0].dtype),

    def backward(self, indexes, grad_outputs):
        loc1, s1, loc2, s2 = self.get_retained_inputs()
        gy, = grad_outputs
        return _NormalKLGrad(self.log_scales, tuple(indexes)).apply((loc1, s1, loc2, s2, gy))


def _grads_out(grads: dict, inputs) -> dict:
    """The gradients ``grads`` (input index -> array of the output's shape, in the
    compute dtype) summed to the shapes of ``inputs`` and cast to their dtypes."""
    return {i: chainer.utils.force_array(array_utils.sum_to(g, inputs[i].shape))
            .astype(inputs[i].dtype, copy=False) for i, g in grads.items()}


def _negated_grad(g, x, out: dict):
    """``-g`` summed to the shape of ``x`` and cast to its dtype; negated in place
    unless that would change ``g`` while a gradient in ``out`` is ``g`` itself."""
    r = chainer.utils.force_array(array_utils.sum_to(g, x.shape))
    if r is g and any(o is g for o in out.values()):
        r = -g
    else:
        backend.get_array_module(r).negative(r, out=r)
    return r.astype(x.dtype, copy=False)


def _gpu_grads(inputs, names: tuple, indexes: tuple, code: str, kernel: str) -> tuple:
    """The gradients ``indexes`` of the CuPy ``inputs`` (named ``names``, the last
    the output gradient ``gy``) in one fused kernel whose ``code`` defines the ``C``
    value ``g<i>_`` of each gradient, summed to the input shapes."""
    params = ', '.join(f'T {n}' for n in names)
    outs = ', '.join(f'T g{i}' for i in indexes)
    op = code + ''.join(f' g{i} = (T)g{i}_;' for i in indexes)
    name = f'{kernel}_{"".join(map(str, indexes))}'
    r = array_utils.compute_kernel(params, outs, op, name, inputs[0].dtype)(*inputs)
    r = r if isinstance(r, tuple) else (r,)
    return tuple(array_utils.sum_to(g, inputs[i].shape) for i, g in zip(indexes, r))


class _NormalLogProbGrad(_composite.CompositeNode):
    """The gradients ``indexes`` of :class:`_NormalLogProb` from ``(x, loc, s, gy)``,
    computed in place on the few arrays they need; ``_compose`` is the same
    formula in differentiable functions, for higher derivatives."""

    def __init__(self, log_scale: bool, indexes: tuple) -> None:
        self.log_scale = log_scale
        self.indexes = indexes

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2, 3))
        want = self.indexes
        xp = backend.get_array_module(*inputs)
        if xp is not numpy:
            scale = 'exp((C)s)' if self.log_scale else '(C)s'
            g_s = 'g * (z * z - (C)1)' if self.log_scale else 'gl * z - g / sc'
            code = (f'C sc = {scale}; C g = (C)gy; C z = ((C)x - (C)loc) / sc;'
                    f' C gl = g * z / sc; C g0_ = -gl; C g1_ = gl; C g2_ = {g_s};')
            return _gpu_grads(inputs, ('x', 'loc', 's', 'gy'), want, code,
                              f'rechainer_normal_log_prob_grad{int(self.log_scale)}')
        x, loc, s, gy = (array_utils.as_compute(a) for a in inputs)
        shape, cdt = gy.shape, gy.dtype
        scale = xp.exp(s) if self.log_scale else s
        z = xp.subtract(x, loc, out=xp.empty(shape, cdt))
        z /= scale
        grads = {}
        g_loc = None
        if 0 in want or 1 in want or not self.log_scale:
            g_loc = xp.multiply(gy, z, out=xp.empty(shape, cdt))
            g_loc /= scale  # gy z / scale: d/dloc = -d/dx
            if 1 in want:
                grads[1] = g_loc
        if 2 in want:
            if self.log_scale:  # gy (z**2 - 1)
                z *= z
                z -= 1
                z *= gy
            else:  # g_loc z - gy / scale; g_loc is scratch when no other gradient uses it
                z *= g_loc
                z -= xp.divide(gy, scale, out=None if 0 in want or 1 in want else g_loc)
            grads[2] = z
        out = _grads_out(grads, inputs)
        if 0 in want:
            out[0] = _negated_grad(g_loc, inputs[0], out)
        return tuple(out[i] for i in want)

    def _compose(self, x, loc, s, gy):
        """The same gradients with differentiable functions (for their derivative)."""
        scale = F.exp(s) if self.log_scale else s
        z = (x - loc) / scale
        g_loc = gy * z / scale  # d/dloc = z / scale = -d/dx
        grads = {}
        if 0 in self.indexes:
            grads[0] = F.sum_to(-g_loc, x.shape)
        if 1 in self.indexes:
            grads[1] = F.sum_to(g_loc, loc.shape)
        if 2 in self.indexes:
            if self.log_scale:
                g_s = gy * (z * z - 1.0)
            else:
                g_s = g_loc * z - gy / scale  # gy (z**2 - 1) / scale
            grads[2] = F.sum_to(g_s, s.shape)
        return tuple(grads[i] for i in self.indexes)


class _NormalKLGrad(_composite.CompositeNode):
    """The gradients ``indexes`` of :class:`_NormalKL` from ``(loc1, s1, loc2, s2,
    gy)``, computed in place on the arrays they are returned in; ``_compose`` is
    the same formula in differentiable functions, for higher derivatives."""

    def __init__(self, log_scales: tuple, indexes: tuple) -> None:
        self.log_scales = log_scales
        self.indexes = indexes

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2, 3, 4))
        want = self.indexes
        log1, log2 = self.log_scales
        xp = backend.get_array_module(*inputs)
        if xp is not numpy:
            code = (f'C sc1 = {"exp((C)s1)" if log1 else "(C)s1"};'
                    f' C sc2 = {"exp((C)s2)" if log2 else "(C)s2"};'
                    ' C g = (C)gy; C d = ((C)loc1 - (C)loc2) / sc2; C r = sc1 / sc2;'
                    ' C r2 = r * r; C g0_ = g * d / sc2; C g2_ = -g0_;'
                    f' C g1_ = g * (r2 - (C)1){"" if log1 else " / sc1"};'
                    f' C g3_ = g * ((C)1 - r2 - d * d){"" if log2 else " / sc2"};')
            return _gpu_grads(inputs, ('loc1', 's1', 'loc2', 's2', 'gy'), want, code,
                              f'rechainer_normal_kl_grad{int(log1)}{int(log2)}')
        loc1, s1, loc2, s2, gy = (array_utils.as_compute(a) for a in inputs)
        shape, cdt = gy.shape, gy.dtype
        scale2 = xp.exp(s2) if log2 else s2
        grads = {}
        d = g_loc = None
        if 0 in want or 2 in want or 3 in want:
            d = xp.subtract(loc1, loc2, out=xp.empty(shape, cdt))
            d /= scale2  # (loc1 - loc2) / scale2
        if 0 in want or 2 in want:
            g_loc = xp.multiply(gy, d, out=xp.empty(shape, cdt))
            g_loc /= scale2  # d/dloc1 = -d/dloc2
            if 0 in want:
                grads[0] = g_loc
        if 1 in want or 3 in want:
            scale1 = xp.exp(s1) if log1 else s1
            q = xp.divide(scale1, scale2, out=xp.empty(shape, cdt))
            q *= q  # r2 = (scale1 / scale2)**2
            if 3 in want:
                xp.subtract(1, q, out=q)  # 1 - r2
                d *= d
                xp.subtract(q, d, out=d)
                d *= gy  # gy (1 - r2 - d**2): d/dlog(scale2)
                if not log2:
                    d /= scale2
                grads[3] = d
                if 1 in want:  # gy (r2 - 1) = -(gy (1 - r2)): d/dlog(scale1)
                    q *= gy
                    if not log1:
                        q /= scale1
                    xp.negative(q, out=q)
            else:
                q -= 1
                q *= gy
                if not log1:
                    q /= scale1
            if 1 in want:
                grads[1] = q
        out = _grads_out(grads, inputs)
        if 2 in want:
            out[2] = _negated_grad(g_loc, inputs[2], out)
        return tuple(out[i] for i in want)

    def _compose(self, loc1, s1, loc2, s2, gy):
        """The same gradients with differentiable functions (for their derivative)."""
        log1, log2 = self.log_scales
        scale1 = F.exp(s1) if log1 else s1
        scale2 = F.exp(s2) if log2 else s2
        d = (loc1 - loc2) / scale2
        r2 = (scale1 / scale2) ** 2
        want = self.indexes
        grads = {}
        if 0 in want or 2 in want:
            g_loc1 = gy * d / scale2
            grads[0] = F.sum_to(g_loc1, loc1.shape)
            grads[2] = F.sum_to(-g_loc1, loc2.shape)
        if 1 in want:
            g1 = gy * (r2 - 1.0)  # d/dlog(scale1)
            grads[1] = F.sum_to(g1 if log1 else g1 / scale1, s1.shape)
        if 3 in want:
            g2 = gy * (1.0 - r2 - d * d)  # d/dlog(scale2)
            grads[3] = F.sum_to(g2 if log2 else g2 / scale2, s2.shape)
        return tuple(grads[i] for i in want)


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
        x = _u._as_value(x, self.loc)
        # Chainer's form and order: its bits
        return (PROBC / self.scale) * F.exp(-0.5 * (x - self.loc) ** 2 / self.variance)

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

