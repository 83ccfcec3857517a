"""Sigmoid cross entropy for binary labels."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import function_node
from chainer import utils
from chainer.backends import cuda
from chainer.functions.activation.sigmoid import sigmoid
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.cast import cast
from chainer.functions.loss import _util
from chainer.functions.math.sum import sum as _sum
from chainer.utils import array as array_utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class SigmoidCrossEntropy(function_node.FunctionNode):
    """Cross entropy between ``sigmoid(x)`` and labels in {0, 1} (-1 is ignored)."""

    ignore_label = -1
    t_valid = None  # the mask of used labels (NumPy)

    def __init__(self, normalize=True, reduce='mean'):
        self.normalize = normalize
        _util.check_reduce(reduce, ('mean', 'no'))
        self.reduce = reduce
        self.count = None

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x', 't'))
        x_type, t_type = in_types
        type_check.expect(
            x_type.dtype.kind == 'f',
            t_type.dtype.kind == 'i',
            x_type.shape == t_type.shape,
        )

    def forward(self, inputs):
        x, t = inputs
        self.retain_inputs((0, 1))
        if array_utils._xp(x) is not numpy:
            return self._forward_gpu(x, t),
        t_valid = t != self.ignore_label
        self.t_valid = t_valid
        if x.size <= array_utils.EXACT_FORM_MAX:
            return self._chainer_forward(x, t, t_valid),
        # -(x * t - log(1 + exp(x))) = log1p(exp(-|x|)) - x * (t - [x >= 0]), with
        # no overflow; few fresh arrays, the rest in place. float16 is computed in
        # float32, as on the GPU (Chainer's CPU code computed it in float64), so that
        # a mean of large losses does not overflow.
        xc = array_utils.as_compute(x)
        loss = array_utils.log1p_exp_neg_abs(xc)
        shift = t.astype(xc.dtype)
        shift -= xc >= 0
        shift *= xc
        loss -= shift
        loss *= t_valid
        if self.reduce == 'mean':
            self.count = self._count(t_valid, x)
            loss = array_utils.sum(loss) / loss.dtype.type(self.count)
        return utils.force_array(loss, x.dtype),

    def _count(self, t_valid, x) -> int:
        if self.normalize:
            return max(1, int(t_valid.sum()))
        return max(1, x.shape[0] if x.ndim else 1)

    def _chainer_forward(self, x, t, t_valid):
        """Chainer's CPU arithmetic, ``-(used * (x * (t - [x >= 0]) - log1p(exp(-|x|))))``:
        the logarithm in x's dtype, the rest in x's dtype promoted with the labels'
        (float64 for int32 labels), where the mean is also summed and divided; the
        result is rounded once to x's dtype."""
        log_part = numpy.abs(x, out=numpy.empty_like(x))
        numpy.negative(log_part, out=log_part)
        numpy.exp(log_part, out=log_part)
        numpy.log1p(log_part, out=log_part)  # (NumPy's log1p, as Chainer)
        loss = t.astype(numpy.result_type(x.dtype, t.dtype))
        loss -= x >= 0
        loss *= x
        loss -= log_part
        loss *= t_valid
        if self.reduce == 'mean':
            self.count = self._count(t_valid, x)
            return utils.force_array(-loss.sum() / self.count, x.dtype)
        return utils.force_array(numpy.negative(loss, out=loss).astype(x.dtype, copy=False))

    def _forward_gpu(self, x, t):
        """The loss in one fused kernel (a reduction for the mean), and with
        ``normalize`` the count of used labels on the device: no host read."""
        cdt = array_utils.compute_dtype(x.dtype)
        c, ctype = cdt.name, array_utils.C_TYPES[cdt]
        # log1p(exp(-|x|)) - x * (t - [x >= 0]), 0 where t is ignored
        loss = (f'(t == ignore ? ({ctype})0 : log1p(exp(-fabs(({ctype})x))) '
                f'- ({ctype})x * (({ctype})t - (({ctype})x >= 0)))')
        if self.reduce == 'no':
            return array_utils.compute_kernel(
                'T x, S t, S ignore', 'T y', f'y = (T){loss}', 'rechainer_sigmoid_ce',
                x.dtype)(x, t, self.ignore_label)
        if self.normalize:
            count = cuda.reduce(
                'S t, S ignore', f'{c} n', 't != ignore', 'a + b', f'n = max(a, ({ctype})1)',
                '0', f'rechainer_count_used_{c}')(t, self.ignore_label)
        else:
            count = max(1, x.shape[0] if x.ndim else 1)
        self.count = count
        # n is an array with normalize: it can be read in the map only (as in CuPy).
        return cuda.reduce(
            f'T x, S t, S ignore, {c} n', 'T y', f'{loss} / n', 'a + b', 'y = (T)a', '0',
            f'rechainer_sigmoid_ce_mean_{c}', reduce_type=ctype)(x, t, self.ignore_label, count)

    def backward(self, indexes, grad_outputs):
        x, t = self.get_retained_inputs()
        # in the compute dtype: 1 / count in float16 is subnormal from 16384 used
        # labels on (it loses its digits, and is 0 from 2**25)
        dtype = array_utils.compute_dtype(x.dtype)
        if array_utils._xp(t.array) is not numpy:
            # 1 / count where the label is used, on the device (the output array
            # given binds T)
            coeff = array_utils.compute_kernel(
                'S t, S ignore, C n', 'T coeff', 'coeff = t == ignore ? (T)0 : (T)((C)1 / n)',
                'rechainer_sigmoid_ce_coeff', dtype)(
                    t.array, self.ignore_label, 1 if self.count is None else self.count,
                    cuda.cupy.empty(x.shape, dtype))
        elif x.size <= array_utils.EXACT_FORM_MAX:
            coeff = None  # Chainer's arithmetic, from the mask and the count
        else:
            coeff = self.t_valid.astype(dtype)
            if self.reduce == 'mean':
                coeff *= dtype.type(1.0 / self.count)
        gx, = SigmoidCrossEntropyGrad(t.array, coeff, self.t_valid, self.count).apply(
            (x, grad_outputs[0]))
        return gx, None


class SigmoidCrossEntropyGrad(function_node.FunctionNode):
    """``gx = gy * coeff * (sigmoid(x) - t)`` from inputs ``(x, gy)``; ``gy`` is a
    scalar (mean) or of the shape of ``x``, ``coeff`` holds the mask of used labels
    and the mean's factor, in the compute dtype of ``x`` (float16 gradients are
    computed in float32 and rounded once).

    With ``coeff`` None (NumPy inputs of up to ``EXACT_FORM_MAX`` elements), Chainer's
    CPU arithmetic from ``t_valid``, the mask, and ``count``, the mean's divisor
    (None without the mean).
    """

    def __init__(self, t, coeff, t_valid=None, count=None) -> None:
        self.t = t
        self.coeff = coeff
        self.t_valid = t_valid
        self.count = count

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, gy = inputs
        if array_utils._xp(x) is not numpy:
            return array_utils.compute_kernel(
                'T x, S t, C coeff, T gy', 'T gx',
                '''C s = tanh((C)x * (C)0.5) * (C)0.5 + (C)0.5;
                   gx = (T)((s - (C)t) * (C)coeff * (C)gy);''',
                'rechainer_sigmoid_ce_grad', x.dtype)(x, self.t, self.coeff, gy),
        if self.coeff is None:
            # (gy * used) * (sigmoid(x) - t) [/ count]: the sigmoid in x's dtype, the
            # rest in x's dtype promoted with the labels' (float64 for int32 labels)
            gx = numpy.subtract(array_utils.sigmoid(x), self.t)
            gx *= gy  # gy * used exact: used is 0 or 1
            gx *= self.t_valid
            if self.count is not None:
                gx /= self.count
            return utils.force_array(gx.astype(x.dtype, copy=False)),
        xc = array_utils.as_compute(x)
        gx = array_utils.sigmoid(xc)
        gx -= self.t.astype(xc.dtype)
        gx *= self.coeff
        gx *= gy
        return utils.force_array(gx.astype(x.dtype, copy=False)),

    def backward(self, indexes, grad_outputs):
        x, gy = self.get_retained_inputs()
        ggx, = grad_outputs
        if self.coeff is None:
            return self._chainer_backward(indexes, x, gy, ggx)
        dtype = x.dtype
        if dtype != self.coeff.dtype:  # float16: the products in float32, as forward
            x, gy, ggx = (cast(v, self.coeff.dtype) for v in (x, gy, ggx))
        y = sigmoid(x)
        ret = []
        if 0 in indexes:
            ret.append(broadcast_to(gy, x.shape) * ggx * (y * (1 - y)) * self.coeff)
        if 1 in indexes:
            g = ggx * (y - self.t.astype(x.dtype)) * self.coeff
            ret.append(_sum(g) if gy.shape != x.shape else g)
        return tuple(r if r.dtype == dtype else cast(r, dtype) for r in ret)

    def _chainer_backward(self, indexes, x, gy, ggx):
        """Chainer's order: ``y (1 - y) gy (used ggx) / count`` and
        ``sum((y - t) (used ggx)) / count``, in x's dtype."""
        y = sigmoid(x)
        ggx = ggx * self.t_valid.astype(x.dtype)
        scale = None if self.count is None else 1.0 / self.count
        ret = []
        if 0 in indexes:
            g = y * (1 - y) * broadcast_to(gy, x.shape) * ggx
            ret.append(g if scale is None else g * scale)
        if 1 in indexes:
            g = (y - self.t.astype(x.dtype)) * ggx
            if gy.shape != x.shape:
                g = _sum(g)
            ret.append(g if scale is None else g * scale)
        return tuple(ret)


def sigmoid_cross_entropy(x: VariableOrArray, t: VariableOrArray, normalize: bool = True,
                          reduce: str = 'mean') -> Variable:
    """Cross entropy of ``sigmoid(x)`` against binary labels ``t`` (-1 entries ignored).

    Args:
        x: Float scores.
        t: Integer labels (0, 1, or -1 to ignore) of the same shape as ``x``.
        normalize: With ``reduce='mean'``, divide by the number of used labels (True)
            or by the batch size (False).
        reduce: ``'mean'`` or ``'no'`` (elementwise loss).
    """
    return SigmoidCrossEntropy(normalize, reduce).apply((x, t))[0]
