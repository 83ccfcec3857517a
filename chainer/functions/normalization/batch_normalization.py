"""Batch normalization: normalize with the batch statistics or with given ones."""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any, Optional, Sequence

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer.backends import cuda
from chainer.utils import argument
from chainer.utils import array as array_utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray


def _reduced_axes(ndim: int, axis: Any, param_ndim: int = 1) -> tuple:
    """The axes statistics are taken over: ``axis``, or by default the first axis
    and those after the ``param_ndim`` axes of ``gamma`` (every axis but the second
    for a 1-d ``gamma``)."""
    if axis is None:
        return (0,) + tuple(range(param_ndim + 1, ndim))
    if isinstance(axis, int):
        axis = (axis,)
    # Out-of-range axes stay as they are, for the caller's check to refuse.
    return tuple(sorted(a % ndim if -ndim <= a < ndim else a for a in axis))


def _axis_arg(axis: Any) -> Any:
    """``axis`` as given to the batch normalizations: None, an int (a NumPy integer as
    an int) or a sequence of them; anything else is the ``RuntimeError`` Chainer
    raised ("axis must be int, tuple of int or None")."""
    if axis is None or type(axis) is int or type(axis) is tuple:
        return axis
    if isinstance(axis, (int, numpy.integer)):
        return int(axis)
    if isinstance(axis, Sequence) and not isinstance(axis, str):
        return axis
    raise RuntimeError(f'axis must be int, tuple of int or None, got {axis!r}')


def _expander(x_shape: Sequence[int], axis: tuple) -> tuple:
    """Shape of a per-channel array broadcastable against ``x`` (1 on ``axis``)."""
    return tuple(1 if i in axis else s for i, s in enumerate(x_shape))


def _check_param_types(in_types, axis: Optional[tuple], gamma_first: bool) -> None:
    """Chainer's checks, in its order: the dtypes, the parameters' dtypes and shapes
    against ``gamma``'s (written ``gamma.dtype == beta.dtype`` where ``gamma_first``,
    as in BatchNormalization, else ``beta.dtype == gamma.dtype``), then ``gamma``'s
    ndim and each of its axes against ``x``'s."""
    x_type, gamma_type = in_types[:2]
    others = in_types[2:]
    if gamma_first:
        dtypes = [gamma_type.dtype == t.dtype for t in others]
        shapes = [gamma_type.shape == t.shape for t in others]
    else:
        dtypes = [t.dtype == gamma_type.dtype for t in others]
        shapes = [t.shape == gamma_type.shape for t in others]
    type_check.expect(x_type.dtype.kind == 'f', gamma_type.dtype.kind == 'f',
                      *dtypes, *shapes)
    ndim = type_check.eval(x_type.ndim)
    ax = _reduced_axes(ndim, axis, type_check.eval(gamma_type.ndim))
    if any(a < 0 or a >= ndim for a in ax):
        raise type_check._InvalidAxis(
            f'valid axes for an input of ndim {ndim}', f'axis={axis}')
    if len(set(ax)) != len(ax):
        raise type_check.InvalidType(
            f'valid axes for an input of ndim {ndim}', f'axis={axis}')
    kept = [i for i in range(ndim) if i not in ax]
    type_check.expect(gamma_type.ndim == len(kept))
    for j, i in enumerate(kept):
        type_check.expect(x_type.shape[i] == gamma_type.shape[j])


# -- fused GPU kernels ---------------------------------------------------------

def _gpu_normalize(x, mean, scale, beta, out_dtype):
    return cuda.elementwise(
        'T x, U mean, U scale, U beta', 'V y',
        'y = (V)(((U)x - mean) * scale + beta)',
        'rechainer_bn_fwd')(x, mean, scale, beta, _empty(x, out_dtype))


def _empty(x, dtype):
    xp = backend.get_array_module(x)
    return xp.empty(x.shape, dtype)


def _gpu_var(x, mean_e, axis, m):
    return cuda.reduce(
        'T x, U mean, U m', 'U var',
        '((U)x - mean) * ((U)x - mean)', 'a + b', 'var = a / m', '0',
        'rechainer_bn_var')(x, mean_e, mean_e.dtype.type(max(m, 1)), axis=axis)


def _gpu_scale(var, gamma, eps: float):
    """Per channel, ``inv_std = 1 / sqrt(var + eps)`` and ``scale = gamma * inv_std``."""
    return cuda.elementwise(
        'U var, P gamma, U eps', 'U inv_std, U scale',
        '''inv_std = (U)1 / sqrt(var + eps);
           scale = (U)gamma * inv_std;''',
        'rechainer_bn_scale')(var, gamma, var.dtype.type(eps))


def _gpu_update_running(running_mean, running_var, mean, var, decay: float, adjust: float):
    """Both running averages in one launch (see :func:`_update_running`)."""
    cuda.elementwise(
        'U mean, U var, U decay, U keep, U adjust', 'R running_mean, S running_var',
        '''running_mean = (R)((U)running_mean * decay + mean * keep);
           running_var = (S)((U)running_var * decay + var * adjust * keep);''',
        'rechainer_bn_running')(mean, var, mean.dtype.type(decay), mean.dtype.type(1 - decay),
                                mean.dtype.type(adjust), running_mean, running_var)


def _gpu_gamma_grad(gy, x, mean_e, inv_std_e, axis):
    return cuda.reduce(
        'T gy, T x, U mean, U inv_std', 'U g',
        '(U)gy * (((U)x - mean) * inv_std)', 'a + b', 'g = a', '0',
        'rechainer_bn_ggamma')(gy, x, mean_e, inv_std_e, axis=axis)


def _gpu_data_grad(gy, x, gamma_e, mean_e, inv_std_e, gbeta_e, ggamma_e, inv_m, out_dtype):
    return cuda.elementwise(
        'T gy, T x, P gamma, U mean, U inv_std, U gbeta, U ggamma, U inv_m', 'V gx',
        '''U xhat = ((U)x - mean) * inv_std;
           gx = (V)((U)gamma * inv_std * ((U)gy - (gbeta + xhat * ggamma) * inv_m));''',
        'rechainer_bn_bwd')(gy, x, gamma_e, mean_e, inv_std_e, gbeta_e, ggamma_e,
                            inv_m, _empty(x, out_dtype))


# -- statistics -----------------------------------------------------------------

#: Up to this many elements the host computes Chainer's sequence of operations
#: (``(x - mean) * inv_std * gamma + beta`` and its gradient); larger inputs take the
#: fused forms, a pass or two over memory fewer.
_EXACT_FORM_MAX = array_utils.EXACT_FORM_MAX


def _inv_std(var, eps: float, xp):
    """``1 / sqrt(var + eps)`` as Chainer computed it (per channel)."""
    dt = var.dtype
    if xp is numpy:
        return numpy.reciprocal(numpy.sqrt(var + dt.type(eps)))
    return cuda.cupyx.rsqrt(var + dt.type(eps))


def _batch_stats(x, axis: tuple, cdt, xp):
    """Per-channel ``(mean, var, m)`` of ``x`` over ``axis`` in the compute dtype,
    and on NumPy the centred ``x - mean`` (else None) for the caller to reuse."""
    m = x.size // max(1, array_utils.size_of_shape(
        [s for i, s in enumerate(x.shape) if i not in axis]))
    shape = _expander(x.shape, axis)
    if xp is numpy and x.size > _EXACT_FORM_MAX:
        # The mean summed from x in the compute dtype (float16: from x's copy in it,
        # then centred in place), and spread over a sample (see sample_operand).
        xf = x if x.dtype == cdt else x.astype(cdt)
        mean = array_utils.sum_over(xf, axis)
        mean /= cdt.type(max(m, 1))
        mean_s = array_utils.sample_operand(mean.reshape(shape), x)
        if xf is x:
            xc = x - mean_s
        else:
            xc = xf
            xc -= mean_s
    else:
        mean = x.mean(axis=axis, dtype=cdt)
        if xp is not numpy:
            return mean, _gpu_var(x, mean.reshape(shape), axis, m), m, None
        xc = array_utils.centered(x, mean.reshape(shape), cdt)
    var = array_utils.sum_of_products(xc, xc, axis)
    var /= cdt.type(max(m, 1))
    return mean, var, m, xc


def _update_running(running, value, decay: float) -> None:
    """``running = decay * running + (1 - decay) * value`` in place."""
    if running is None:
        return
    new = running * running.dtype.type(decay) + (value * (1 - decay)).astype(
        running.dtype, copy=False)
    running[...] = new


def _update_running_stats(running_mean, running_var, mean, var, m: int, decay: float,
                          xp) -> None:
    """Updates the running mean and the running (unbiased) variance, where given,
    from the batch statistics of ``m`` elements per channel.  An empty batch says
    nothing about them: they stay as they were (Chainer filled them with NaN)."""
    if m == 0:
        return
    adjust = m / max(m - 1.0, 1.0)
    if xp is numpy:
        # Chainer's in-place sequence (the product added in the statistics' dtype)
        if running_mean is not None:
            running_mean *= decay
            running_mean += (1 - decay) * mean
        if running_var is not None:
            running_var *= decay
            running_var += (1 - decay) * adjust * var
        return
    if (running_mean is not None and running_var is not None
            and running_mean is not running_var):
        _gpu_update_running(running_mean, running_var, mean, var, decay, adjust)
        return
    _update_running(running_mean, mean, decay)
    _update_running(running_var, var * var.dtype.type(adjust), decay)


def _warn_single_sample(x_shape: Sequence[int], axis: tuple) -> None:
    """Warns, as Chainer did, when the statistics are taken over one value per
    channel: the normalized output is then all zeros."""
    if all(x_shape[i] == 1 for i in axis):
        if 0 in axis:
            cause = ('a batch of one sample (evaluating with chainer.config.train '
                     'still True, or the last batch of a non-repeating iterator?)')
        else:
            cause = 'an input whose axes of the statistics all have length one'
        warnings.warn(f'F.batch_normalization was given {cause}: the statistics are '
                      'those of one value per channel, so the output is all zeros.',
                      UserWarning)


class BatchNormalization(function_node.FunctionNode):
    """Normalizes ``x`` with its own mean and variance over ``axis``, then scales
    by ``gamma`` and shifts by ``beta``; optionally updates running averages."""

    #: Whether a batch of one value per channel warns (batch renormalization,
    #: which Chainer computed in a node of its own, does not).
    warns_single_sample = True

    def __init__(self, eps: float = 2e-5, mean=None, var=None, decay: float = 0.9,
                 axis: Any = None) -> None:
        self.running_mean = mean
        self.running_var = var
        self.eps = argument._real(eps, 'eps')
        self.decay = decay
        self.axis = _axis_arg(axis)
        self.mean = None
        self.inv_std = None

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() == 3)
        _check_param_types(in_types, self.axis, gamma_first=True)

    def forward(self, inputs):
        x, gamma, beta = inputs
        array_utils.check_on_device_of(self.running_mean, x, 'running_mean')
        array_utils.check_on_device_of(self.running_var, x, 'running_var')
        xp = backend.get_array_module(x)
        axis = _reduced_axes(x.ndim, self.axis, gamma.ndim)
        self.axis = axis
        if self.warns_single_sample:
            _warn_single_sample(x.shape, axis)
        cdt = array_utils.compute_dtype(numpy.promote_types(x.dtype, gamma.dtype))
        mean, var, m, xc = _batch_stats(x, axis, cdt, xp)
        shape = _expander(x.shape, axis)
        if xc is not None:
            inv_std = xp.asarray(_inv_std(var, self.eps, xp), cdt)
            scale = gamma.astype(cdt, copy=False) * inv_std
        else:
            inv_std, scale = _gpu_scale(var, gamma, self.eps)
        self.mean, self.inv_std = mean, inv_std
        scale = scale.reshape(shape)
        beta_e = beta.astype(cdt, copy=False).reshape(shape)
        if xc is not None:
            # The centred x becomes y in place: no other array as large as x.
            if x.size <= _EXACT_FORM_MAX:
                xc *= inv_std.reshape(shape)
                xc *= gamma.astype(cdt, copy=False).reshape(shape)
                xc += beta_e
            else:
                scale_s = array_utils.sample_operand(scale, x)
                beta_s = array_utils.sample_operand(beta_e, x)
                for block in array_utils.sample_blocks(xc):
                    yb = xc[block]
                    yb *= array_utils.block_operand(scale_s, block)
                    yb += array_utils.block_operand(beta_s, block)
            y = xc.astype(x.dtype, copy=False)
        else:
            y = _gpu_normalize(x, mean.reshape(shape), scale, beta_e, x.dtype)
        if self.running_mean is not None or self.running_var is not None:
            _update_running_stats(self.running_mean, self.running_var, mean, var, m,
                                  self.decay, xp)
        self.retain_inputs((0, 1))
        return y,

    def backward(self, indexes, grad_outputs):
        x, gamma = self.get_retained_inputs()
        gy, = grad_outputs
        grads = BatchNormalizationGrad(
            self.eps, self.axis, self.mean, self.inv_std).apply((x, gamma, gy))
        return tuple(grads[i] for i in indexes)


def _sum_channels(v, axis):
    return chainer.functions.sum(v, axis=axis)


def _cast(v, dtype):
    return v if v.dtype == dtype else chainer.functions.cast(v, dtype)


class BatchNormalizationGrad(function_node.FunctionNode):
    """``(gx, ggamma, gbeta)`` of :class:`BatchNormalization` from ``(x, gamma, gy)``.

    ``mean`` and ``inv_std`` are the batch statistics the forward pass used.
    """

    def __init__(self, eps: float, axis: tuple, mean, inv_std) -> None:
        self.eps = eps
        self.axis = axis
        self.mean = mean
        self.inv_std = inv_std

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))
        x, gamma, gy = inputs
        xp = backend.get_array_module(x)
        axis = self.axis
        cdt = self.mean.dtype
        shape = _expander(x.shape, axis)
        m = x.size // max(1, gamma.size)
        mean_e = self.mean.reshape(shape)
        inv_std_e = self.inv_std.reshape(shape)
        if xp is numpy and x.size <= _EXACT_FORM_MAX:
            # Chainer's sequence: xhat = (x - mean) inv_std, ggamma = sum(gy xhat),
            # gx = gamma inv_std (gy - (xhat ggamma + gbeta) / m), the sums and 1 / m
            # in gamma's dtype
            sdt = array_utils.compute_dtype(gamma.dtype)
            gbeta = gy.sum(axis=axis, dtype=sdt)
            gyc = gy.astype(cdt, copy=False)
            t = array_utils.centered(x, mean_e, cdt)
            t *= inv_std_e
            ggamma = (gyc * t).sum(axis=axis, dtype=sdt)
            t *= ggamma.reshape(shape)
            t += gbeta.reshape(shape)
            t *= sdt.type(1.0 / max(m, 1))
            gx = numpy.subtract(gyc, t, out=t)
            gx *= (gamma * self.inv_std).reshape(shape)
        elif xp is numpy:
            # gx = gamma inv_std (gy - (xhat ggamma + gbeta) / m) with
            # xhat = (x - mean) inv_std, in place on one array the size of x; the
            # per-channel factors spread over a sample (see sample_operand).
            gyc = gy.astype(cdt, copy=False)
            gbeta = array_utils.sum_over(gyc, axis)
            t = array_utils.centered(x, array_utils.sample_operand(mean_e, x), cdt)
            ggamma = array_utils.sum_of_products(gyc, t, axis)
            gyc = None  # (float16's float32 copy: each block's is cast below)
            ggamma *= self.inv_std
            inv_m = cdt.type(1.0 / max(m, 1))
            k1, k2, k3 = (array_utils.sample_operand(k.reshape(shape), x) for k in (
                self.inv_std * ggamma * inv_m, gbeta * inv_m,
                gamma.astype(cdt, copy=False) * self.inv_std))
            for block in array_utils.sample_blocks(t):
                tb = t[block]
                tb *= array_utils.block_operand(k1, block)
                tb += array_utils.block_operand(k2, block)
                numpy.subtract(array_utils.as_compute(gy[block]), tb, out=tb)
                tb *= array_utils.block_operand(k3, block)
            gx = t
        else:
            gbeta = gy.sum(axis=axis, dtype=cdt)
            ggamma = _gpu_gamma_grad(gy, x, mean_e, inv_std_e, axis)
            gx = _gpu_data_grad(gy, x, gamma.reshape(shape), mean_e, inv_std_e,
                                gbeta.reshape(shape), ggamma.reshape(shape),
                                cdt.type(1.0 / max(m, 1)), x.dtype)
        return (gx.astype(x.dtype, copy=False), ggamma.astype(gamma.dtype, copy=False),
                gbeta.astype(gamma.dtype, copy=False))

    def backward(self, indexes, grad_outputs):
        F = chainer.functions
        x, gamma, gy = self.get_retained_inputs()
        ggx, gggamma, ggbeta = grad_outputs
        axis = self.axis
        cdt = array_utils.compute_dtype(numpy.promote_types(x.dtype, gamma.dtype))
        shape = _expander(x.shape, axis)
        m = max(1, x.size // max(1, gamma.size))
        xc_, gc, gyc = _cast(x, cdt), _cast(gamma, cdt), _cast(gy, cdt)

        def mean(v):
            return F.mean(v, axis=axis, keepdims=True)

        def bcast(v):
            return F.broadcast_to(F.reshape(v, shape), x.shape)

        xc = xc_ - F.broadcast_to(mean(xc_), x.shape)
        r = F.rsqrt(mean(xc * xc) + cdt.type(self.eps))
        r_b = F.broadcast_to(r, x.shape)
        xhat = xc * r_b
        g_b = bcast(gc)

        # The projections proj(w) = w - mean(w) - xhat mean(w xhat) of gy and ggx,
        # and the parts other terms read (gy centred, mean(gy xhat), ggx xhat), are
        # formed once each, however many terms read them.
        gy_c = gyc - F.broadcast_to(mean(gyc), x.shape)
        b = mean(gyc * xhat)
        p_gy = gy_c - xhat * F.broadcast_to(b, x.shape)
        ggxc = p_ggx = None
        if ggx is not None:
            ggxc = _cast(ggx, cdt)
            if 0 in indexes:
                s1 = F.sum(ggxc * gy_c, axis=axis, keepdims=True)
            if 0 in indexes or 2 in indexes:
                ggx_xhat = ggxc * xhat
                if 0 in indexes:
                    c = F.sum(ggx_xhat, axis=axis, keepdims=True)
                p_ggx = ggxc - F.broadcast_to(mean(ggxc), x.shape) \
                    - xhat * F.broadcast_to(mean(ggx_xhat), x.shape)
                del ggx_xhat
        del gy_c  # no longer needed: freed before the terms below are formed
        ret = {}
        if 0 in indexes:
            gx = None
            if gggamma is not None:
                gx = r_b * bcast(_cast(gggamma, cdt)) * p_gy
            if ggx is not None:
                r2 = r * r
                t = -F.broadcast_to(r2 * c / m, x.shape) * g_b * p_gy \
                    - g_b * F.broadcast_to(r2 * (s1 - b * c) / m, x.shape) * xhat \
                    - g_b * F.broadcast_to(r2 * b, x.shape) * p_ggx
                gx = _plus(gx, t)
            # zeros that depend on x where no term applies, as Chainer's (not None)
            ret[0] = x * 0 if gx is None else _cast(gx, x.dtype)
        if 1 in indexes:
            ret[1] = gamma * 0 if ggx is None else _cast(
                _sum_channels(ggxc * r_b * p_gy, axis), gamma.dtype)
        if 2 in indexes:
            g = None
            if ggbeta is not None:
                g = bcast(_cast(ggbeta, cdt))
            if gggamma is not None:
                t = bcast(_cast(gggamma, cdt)) * xhat
                g = _plus(g, t)
            if ggx is not None:
                t = g_b * r_b * p_ggx
                g = _plus(g, t)
            ret[2] = None if g is None else _cast(g, gy.dtype)
        return tuple(ret[i] for i in indexes)


def _fixed_inv_std(var, eps: float):
    """``(1 / (var + eps), sqrt of it)`` in the statistics' compute dtype, Chainer's
    sequence for given statistics (NumPy)."""
    dt = array_utils.compute_dtype(var.dtype)
    inv_var = numpy.reciprocal(var.astype(dt, copy=False) + dt.type(eps))
    return inv_var, numpy.sqrt(inv_var)


class FixedBatchNormalization(function_node.FunctionNode):
    """``gamma * (x - mean) / sqrt(var + eps) + beta`` with given statistics."""

    def __init__(self, eps: float = 2e-5, axis: Any = None) -> None:
        self.eps = argument._real(eps, 'eps')
        self.axis = _axis_arg(axis)

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() == 5)
        _check_param_types(in_types, self.axis, gamma_first=False)

    def forward(self, inputs):
        self.retain_inputs((0, 1, 3, 4))
        x, gamma, beta, mean, var = inputs
        xp = backend.get_array_module(x)
        # The statistics as this pass used them: the caller may update its arrays in
        # place before backward (L.BatchNormalization's running averages in a later
        # training call), which must not change this node's gradients. On the host
        # only, as Chainer kept its 1/std there; on a GPU a copy is a launch more per
        # call, and Chainer's cuDNN path read the statistics again in backward too.
        self._stats = (mean.copy(), var.copy()) \
            if xp is numpy and chainer.config.enable_backprop else None
        axis = _reduced_axes(x.ndim, self.axis, gamma.ndim)
        self.axis = axis
        cdt = array_utils.compute_dtype(numpy.promote_types(x.dtype, gamma.dtype))
        shape = _expander(x.shape, axis)
        if xp is numpy:
            # 1 / std in the statistics' dtype, as Chainer (sqrt(1 / (var + eps)))
            inv_std = _fixed_inv_std(var, self.eps)[1]
            scale = gamma.astype(cdt, copy=False) * inv_std
        else:
            scale = _gpu_scale(var.astype(cdt, copy=False), gamma, self.eps)[1]
        scale = scale.reshape(shape)
        mean_e = mean.astype(cdt, copy=False).reshape(shape)
        beta_e = beta.astype(cdt, copy=False).reshape(shape)
        if xp is numpy and x.size <= _EXACT_FORM_MAX:
            y = array_utils.centered(x, mean_e, cdt)
            y *= inv_std.reshape(shape)
            y *= gamma.astype(cdt, copy=False).reshape(shape)
            y += beta_e
            y = y.astype(x.dtype, copy=False)
        elif xp is numpy:
            # (x - mean) scale + beta block by block (x cast to the compute dtype
            # by the subtraction)
            y = numpy.empty(x.shape, cdt)
            mean_s, scale_s, beta_s = (array_utils.sample_operand(v, x)
                                       for v in (mean_e, scale, beta_e))
            for block in array_utils.sample_blocks(y):
                yb = y[block]
                numpy.subtract(x[block], array_utils.block_operand(mean_s, block), out=yb)
                yb *= array_utils.block_operand(scale_s, block)
                yb += array_utils.block_operand(beta_s, block)
            y = y.astype(x.dtype, copy=False)
        else:
            y = _gpu_normalize(x, mean_e, scale, beta_e, x.dtype)
        return y,

    def backward(self, indexes, grad_outputs):
        x, gamma, mean, var = self.get_retained_inputs()
        if self._stats is not None:
            mean, var = (_as_forwarded(v, saved) for v, saved in zip((mean, var), self._stats))
        grads = FixedBatchNormalizationGrad(self.eps, self.axis, indexes).apply(
            (x, gamma, mean, var, grad_outputs[0]))
        return tuple(grads[i] for i in indexes)


class FixedBatchNormalizationGrad(function_node.FunctionNode):
    """``(gx, ggamma, gbeta, gmean, gvar)`` of :class:`FixedBatchNormalization` from
    ``(x, gamma, mean, var, gy)``.

    Only the gradients in ``indexes`` are computed (the others are zeros nobody
    reads). Differentiated again, it gives every input a gradient, zeros where the
    second derivative vanishes, as Chainer's node does (not None).
    """

    def __init__(self, eps: float, axis: tuple, indexes: tuple) -> None:
        self.eps = eps
        self.axis = axis
        self.indexes = indexes

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2, 3, 4))
        x, gamma, mean, var, gy = inputs
        xp = backend.get_array_module(x)
        axis = self.axis
        want = set(self.indexes)
        cdt = array_utils.compute_dtype(numpy.promote_types(x.dtype, gamma.dtype))
        shape = _expander(x.shape, axis)
        if xp is numpy:
            return self._forward_cpu(x, gamma, mean, var, gy, cdt, shape, want)
        r = (var.astype(cdt) + cdt.type(self.eps)) ** cdt.type(-0.5)
        gc = gamma.astype(cdt, copy=False)
        gyc = gy.astype(cdt, copy=False)
        gx = (gyc * (gc * r).reshape(shape)).astype(x.dtype, copy=False) if 0 in want else \
            xp.zeros_like(x)
        gy_sum = gyc.sum(axis=axis) if want & {2, 3} else None
        ggamma = gvar = None
        if want & {1, 4}:
            xc = array_utils.centered(x, mean.astype(cdt, copy=False).reshape(shape), cdt)
            ggamma = array_utils.sum_of_products(gyc, xc, axis) * r
            gvar = cdt.type(-0.5) * gc * r * r * ggamma
        zeros = xp.zeros(gamma.shape, cdt)
        return (gx, _as(ggamma, zeros, gamma.dtype), _as(gy_sum, zeros, gamma.dtype),
                _as(None if gy_sum is None else -(gc * r * gy_sum), zeros, mean.dtype),
                _as(gvar, zeros, var.dtype))

    def _forward_cpu(self, x, gamma, mean, var, gy, cdt, shape, want):
        # Chainer's sequence: gamma_over_std = gamma / std, gx = gamma_over_std gy,
        # gbeta = sum(gy), ggamma = sum(xhat gy), gmean = -gamma_over_std gbeta,
        # gvar = -0.5 / (var + eps) * gamma ggamma, with 1 / std in the statistics'
        # dtype (xhat and ggamma from one pass fewer on large inputs)
        axis = self.axis
        pdt = array_utils.compute_dtype(var.dtype)
        inv_var, inv_std = _fixed_inv_std(var, self.eps)
        gc = gamma.astype(pdt, copy=False)
        gos = gc * inv_std
        gyc = gy.astype(cdt, copy=False)
        exact = x.size <= _EXACT_FORM_MAX

        def spread(v):  # a per-channel operand, spread over a sample on large inputs
            return v if exact else array_utils.sample_operand(v, x)

        gbeta = None
        if want & {2, 3}:
            gbeta = gy.sum(axis=axis, dtype=pdt) if exact or gyc.dtype != pdt \
                else array_utils.sum_over(gyc, axis)
        ggamma = gvar = None
        if want & {1, 4}:
            xc = array_utils.centered(
                x, spread(mean.astype(cdt, copy=False).reshape(shape)), cdt)
            if exact:
                xc *= inv_std.reshape(shape)
                ggamma = array_utils.sum_of_products(xc, gyc, axis)
            else:
                ggamma = array_utils.sum_of_products(gyc, xc, axis) * inv_std
            gvar = -0.5 * inv_var * (gc * ggamma).astype(pdt, copy=False)
            xc = None
        # gx last, its float16 result made after the sums' float32 arrays are gone
        if 0 in want:
            gos_e = spread(gos.reshape(shape))
            if array_utils.owns_compute_copy(gyc, gy) and gos.dtype == gyc.dtype:
                gyc *= gos_e
                gx = gyc.astype(x.dtype)
            else:
                gx = (gyc * gos_e).astype(x.dtype, copy=False)
        else:
            gx = numpy.zeros_like(x)
        zeros = numpy.zeros(gamma.shape, cdt)
        return (gx, _as(ggamma, zeros, gamma.dtype), _as(gbeta, zeros, gamma.dtype),
                _as(None if gbeta is None else -gos * gbeta, zeros, mean.dtype),
                _as(gvar, zeros, var.dtype))

    def backward(self, indexes, grad_outputs):
        F = chainer.functions
        x, gamma, mean, var, gy = self.get_retained_inputs()
        axis = self.axis
        cdt = array_utils.compute_dtype(numpy.promote_types(x.dtype, gamma.dtype))
        shape = _expander(x.shape, axis)

        def bcast(v):
            return F.broadcast_to(F.reshape(v, shape), x.shape)

        a, b, c, d, e = [None if g is None else _cast(g, cdt) for g in grad_outputs]
        gc, gyc = _cast(gamma, cdt), _cast(gy, cdt)
        r = F.rsqrt(_cast(var, cdt) + cdt.type(self.eps))
        r3 = r * r * r
        xc = _cast(x, cdt) - bcast(_cast(mean, cdt))
        # The second-order loss is sum(a gx) + sum(b ggamma) + ... ; k is the
        # per-channel coefficient of sum(gy * xc) in it.
        # -0.5 e, -d and the channel sums of gy are formed once, for every term
        half_e = None if e is None else -0.5 * e
        neg_d = None if d is None else -d
        k = None
        if b is not None:
            k = b * r
        if e is not None:
            k = _plus(k, half_e * gc * r3)
        sum_gy = None
        if d is not None or (2 in indexes and k is not None):
            sum_gy = _sum_channels(gyc, axis)
        ret = {}
        if 0 in indexes and k is not None:
            ret[0] = bcast(k) * gyc
        if 2 in indexes and k is not None:
            ret[2] = -sum_gy * k
        sum_agy = None if a is None else _sum_channels(a * gyc, axis)
        sum_gyxc = None if b is None and e is None else _sum_channels(gyc * xc, axis)
        if 1 in indexes:
            g = None
            if a is not None:
                g = r * sum_agy
            if d is not None:
                g = _plus(g, neg_d * r * sum_gy)
            if e is not None:
                g = _plus(g, half_e * r3 * sum_gyxc)
            ret[1] = g
        if 3 in indexes:
            g = None
            if a is not None:
                g = gc * sum_agy
            if b is not None:
                g = _plus(g, b * sum_gyxc)
            if d is not None:
                g = _plus(g, neg_d * gc * sum_gy)
            if g is not None:
                g = -0.5 * r3 * g
            if e is not None:
                g = _plus(g, 0.75 * e * gc * r3 * r * r * sum_gyxc)
            ret[3] = g
        if 4 in indexes:
            g = None
            if a is not None:
                g = a * bcast(gc * r)
            if k is not None:
                g = _plus(g, bcast(k) * xc)
            if c is not None:
                g = _plus(g, bcast(c))
            if d is not None:
                g = _plus(g, -bcast(d * gc * r))
            ret[4] = g
        inputs = (x, gamma, mean, var, gy)
        return tuple(inputs[i] * 0 if ret.get(i) is None else _cast(ret[i], inputs[i].dtype)
                     for i in indexes)


def _as_forwarded(v, saved):
    """The retained input ``v`` with the value ``saved`` (a host array) it had at the
    forward pass, its gradient still flowing to ``v`` (``v`` itself if unchanged)."""
    if numpy.array_equal(v.array, saved, equal_nan=True):
        return v
    return v + (saved - v.array)


def _plus(t, u):
    """``t + u``, where a None ``t`` is an empty sum."""
    return u if t is None else t + u


def _as(a, zeros, dtype):
    return (zeros if a is None else a).astype(dtype, copy=False)


def batch_normalization(x: VariableOrArray, gamma: VariableOrArray, beta: VariableOrArray,
                        **kwargs: Any) -> 'chainer.Variable':
    """Batch normalization: ``gamma * (x - mean) / sqrt(var + eps) + beta`` with the
    mean and variance of ``x`` over the batch (and spatial) axes.

    Args:
        x: Input array of shape ``(N, C, ...)`` (or any shape, with ``axis``).
        gamma: Scale, shaped like ``x`` without the reduced axes.
        beta: Shift, shaped like ``gamma``.
        eps (float): Added to the variance for numerical stability.
        running_mean: Array updated in place with the running average of the mean.
        running_var: Array updated in place with the running average of the
            unbiased variance.
        decay (float): Decay rate of the running averages.
        axis (int or tuple of int): Axes the statistics are taken over;
            default: the first axis and those after ``gamma``'s (every axis
            except the second for a 1-d ``gamma``).

    Returns:
        ~chainer.Variable: Normalized output with the shape and dtype of ``x``.
    """
    eps, running_mean, running_var, decay, axis = argument.parse_kwargs(
        kwargs, ('eps', 2e-5), ('running_mean', None), ('running_var', None),
        ('decay', 0.9), ('axis', None),
        train='train argument is not supported anymore. '
        'Use chainer.using_config')
    return BatchNormalization(eps, running_mean, running_var, decay, axis).apply(
        (x, gamma, beta))[0]


def fixed_batch_normalization(x: VariableOrArray, gamma: VariableOrArray, beta: VariableOrArray,
                              mean: VariableOrArray, var: VariableOrArray, eps: float = 2e-5,
                              axis: Any = None) -> 'chainer.Variable':
    """Batch normalization with fixed statistics (for inference):
    ``gamma * (x - mean) / sqrt(var + eps) + beta``.

    Args:
        x: Input array.
        gamma, beta: Scale and shift, shaped like ``x`` without the reduced axes.
        mean, var: The statistics to normalize with, shaped like ``gamma``.
        eps (float): Added to the variance for numerical stability.
        axis (int or tuple of int): Axes that ``gamma`` etc. are broadcast along;
            default: the first axis and those after ``gamma``'s (every axis
            except the second for a 1-d ``gamma``).
    """
    return FixedBatchNormalization(eps, axis).apply((x, gamma, beta, mean, var))[0]
