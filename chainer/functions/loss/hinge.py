"""Hinge loss for multi-class classification."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer import variable
from chainer.functions.activation.relu import relu
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.loss import _util
from chainer.functions.math.sum import sum as _sum
from chainer.utils import array as array_utils
from chainer.utils import type_check
from chainer.utils.array import check_index_range
from chainer.function import _CallableNode

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Hinge(_CallableNode, function_node.FunctionNode):
    """``max(0, 1 - x_t)`` for the true class and ``max(0, 1 + x_j)`` for the others."""

    def __init__(self, norm='L1', reduce='mean'):
        if norm not in ('L1', 'L2'):
            raise NotImplementedError("norm should be either 'L1' or 'L2'")
        self.norm = norm
        _util.check_reduce(reduce, ('mean', 'no'))
        self.reduce = reduce

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x', 't'))
        x_type, t_type = in_types
        type_check.expect(
            x_type.dtype.kind == 'f',
            t_type.dtype.kind == 'i',
            x_type.ndim == 2,
            t_type.ndim == 1,
            x_type.shape[0] == t_type.shape[0],
        )

    def forward(self, inputs):
        x, t = inputs
        xp = backend.get_array_module(x)
        check_index_range(t, x.shape[1], 'label t')
        self.retain_inputs((0, 1))
        margin = _margin(x, t)
        xp.maximum(margin, 0, out=margin)
        loss = margin if self.norm == 'L1' else margin * margin
        if self.reduce == 'mean':
            loss = array_utils.sum(loss) / x.dtype.type(max(len(x), 1))
        return utils.force_array(loss, x.dtype),

    def backward(self, indexes, grad_outputs):
        x, t = self.get_retained_inputs()
        count = max(len(x), 1) if self.reduce == 'mean' else None
        gx, = HingeGrad(t.array, self.norm, count).apply((x, grad_outputs[0]))
        return gx, None


def _margin(x, t):
    """``1 + sign * x`` (a new array; ``sign`` as :func:`_sign` makes it), bit for bit:
    ``x + 1``, and ``1 - x`` at the true class of each row."""
    xp = backend.get_array_module(x)
    rows = xp.arange(len(t))
    m = x + 1
    m[rows, t] = 1 - x[rows, t]
    return m


def _sign(x, t):
    """-1 at the true class ``t`` of each row of ``x`` and +1 elsewhere (an array of
    x's shape and dtype)."""
    xp = backend.get_array_module(x)
    sign = xp.ones(x.shape, x.dtype)
    sign[xp.arange(len(t)), t] = -1
    return sign


class HingeGrad(function_node.FunctionNode):
    """``gx = gy / count * sign * mask`` (L1) or ``... * 2 * (1 + sign * x)`` (L2) from
    inputs ``(x, gy)``; ``sign`` is -1 at the true class ``t``, ``mask`` marks positive
    margins, ``gy`` is a scalar (mean, over ``count`` samples) or of the shape of ``x``
    (``count`` None).

    ``sign`` and ``mask`` are computed from ``x`` and the labels when needed, so
    that no array of x's shape is kept on the nodes while the graph lives.
    """

    def __init__(self, t, norm: str, count: int | None = None) -> None:
        self.t = t
        self.norm = norm
        self.count = count  # the mean's divisor: gy / count as Chainer, not gy * scale
        self.scale = 1.0 if count is None else 1.0 / count

    def _unscaled(self, x):
        """The gradient for ``gy = 1``, unscaled: ``sign * sign(max(margin, 0))`` (L1;
        a NaN score gives a NaN gradient, as in Chainer) or ``2 sign max(margin, 0)`` (L2;
        an infinite score on the zero side gives 0, not inf * 0), ``margin = 1 + sign x``.
        Of a Variable ``x`` (L2): a Variable."""
        if isinstance(x, variable.Variable):
            if self.norm == 'L2':
                sign = _sign(x.array, self.t)
                return relu(x * sign + 1) * (2 * sign)
            x = x.array
        xp = backend.get_array_module(x)
        rows = xp.arange(len(self.t))
        g = _margin(x, self.t)
        xp.maximum(g, 0, out=g)
        if self.norm == 'L1':
            xp.sign(g, out=g)
        else:
            g *= 2  # exact: the bits of max(margin, 0) * (2 * sign) with the sign below
        g[rows, self.t] *= -1
        return g

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, gy = inputs
        g = self._unscaled(x)
        if self.count is None:
            g *= gy
        else:
            g *= gy / x.dtype.type(self.count)
        return utils.force_array(g, x.dtype),

    def backward(self, indexes, grad_outputs):
        x, gy = self.get_retained_inputs()
        ggx, = grad_outputs
        ret = []
        if 0 in indexes:
            if self.norm == 'L1':
                ret.append(None)  # piecewise constant in x
            else:
                mask = _margin(x.array, self.t) > 0
                c = (2 * self.scale) * mask.astype(x.dtype)
                ret.append(broadcast_to(gy, x.shape) * ggx * c)
        if 1 in indexes:
            g = ggx * self._unscaled(x) * self.scale
            ret.append(_sum(g) if gy.shape != x.shape else g)
        return tuple(ret)


def hinge(x: VariableOrArray, t: VariableOrArray, norm: str = 'L1',
          reduce: str = 'mean') -> Variable:
    """Hinge loss of scores ``x`` (N, C) for integer labels ``t`` (N,).

    Args:
        norm: ``'L1'`` or ``'L2'`` (squared hinge).
        reduce: ``'mean'`` (summed and divided by N) or ``'no'`` (shape of ``x``).
    """
    return Hinge(norm, reduce).apply((x, t))[0]
