"""Huber loss."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer import variable
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.reshape import reshape
from chainer.functions.loss import _util
from chainer.functions.math.clip import clip
from chainer.functions.math.sum import sum as _sum
from chainer.utils import array as array_utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class HuberLoss(function_node.FunctionNode):
    """Quadratic for ``|x - t| <= delta`` and linear beyond."""

    def __init__(self, delta, reduce='sum_along_second_axis'):
        self.delta = delta
        _util.check_reduce(reduce, ('sum_along_second_axis', 'no'), only='Only')
        self.reduce = reduce

    def check_type_forward(self, in_types):
        type_check._expect_float_pair(in_types, ('x', 't'), same_shape=True)
        x_type = in_types[0]
        if self.reduce == 'sum_along_second_axis':
            with type_check._failing_as(type_check._InvalidAxis):
                type_check.expect(x_type.ndim >= 2)

    def forward(self, inputs):
        x, t = inputs
        xp = backend.get_array_module(x)
        self.retain_inputs((0, 1))
        delta = x.dtype.type(self.delta)
        # Chainer's sequence: min(d**2, max(2 delta |d| - delta**2, delta**2)) / 2,
        # which is d**2 / 2 inside the quadratic zone and rounds the linear part as
        # (2 delta |d| - delta**2) / 2
        lin = xp.subtract(x, t, out=xp.empty_like(x))
        xp.abs(lin, out=lin)
        loss = xp.square(lin)
        lin *= 2 * delta
        delta2 = delta * delta
        lin -= delta2
        xp.maximum(lin, delta2, out=lin)
        xp.minimum(loss, lin, out=loss)
        loss *= x.dtype.type(0.5)
        if self.reduce == 'sum_along_second_axis':
            loss = array_utils.sum(loss, 1)
        return utils.force_array(loss, x.dtype),

    def backward(self, indexes, grad_outputs):
        x, t = self.get_retained_inputs()
        grads = HuberLossGrad(self.delta, self.reduce).apply(
            (x, t, grad_outputs[0]))
        return tuple(grads[i] for i in indexes)


class HuberLossGrad(function_node.FunctionNode):
    """``(gx, gt) = (g, -g)`` of the Huber loss, ``g = gy * (diff`` inside the
    quadratic zone ``|diff| <= delta``, ``delta * sign(diff)`` outside), inputs
    ``(x, t, gy)``."""

    def __init__(self, delta, reduce: str) -> None:
        self.delta = delta
        self.reduce = reduce

    def _expand(self, gy):
        """``gy`` with the summed axis 1 restored (as an array or a Variable)."""
        if self.reduce != 'sum_along_second_axis':
            return gy
        return reshape(gy, gy.shape[:1] + (1,) + gy.shape[1:]) \
            if isinstance(gy, variable.Variable) else gy[:, None]

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))
        x, t, gy = inputs
        xp = backend.get_array_module(x)
        delta = x.dtype.type(self.delta)
        # diff inside the quadratic zone, delta * sign(diff) outside: a clip
        g = xp.subtract(x, t, out=xp.empty_like(x))
        xp.clip(g, -delta, delta, out=g)
        g *= self._expand(gy)
        g = utils.force_array(g, x.dtype)
        return g, -g

    def backward(self, indexes, grad_outputs):
        x, t, gy = self.get_retained_inputs()
        xp = backend.get_array_module(x.array)
        h = _util.difference(*grad_outputs)
        # The zone is found again from the retained inputs rather than kept as a
        # mask of x's shape on the nodes for as long as the graph lives.
        mask = (xp.abs(x.array - t.array) <= x.dtype.type(self.delta)).astype(x.dtype)
        ret = []
        g = None
        for i in indexes:
            if i == 2:
                # the unscaled gradient, clip(diff, -delta, delta): diff inside, the
                # constant delta * sign(diff) outside (an infinite diff included)
                gg = h * clip(x - t, -self.delta, self.delta)
                ret.append(_sum(gg, axis=1) if self.reduce == 'sum_along_second_axis'
                           else gg)
                continue
            if g is None:  # formed once: t's gradient is its negation
                g = broadcast_to(self._expand(gy), h.shape) * h * mask
            ret.append(g if i == 0 else -g)
        return tuple(ret)


def huber_loss(x: VariableOrArray, t: VariableOrArray, delta: float,
               reduce: str = 'sum_along_second_axis') -> Variable:
    """Huber loss: ``(x - t) ** 2 / 2`` where ``|x - t| <= delta``, else
    ``delta * (|x - t| - delta / 2)``.

    Args:
        x, t: Arrays of the same shape.
        delta: The threshold between the quadratic and the linear part.
        reduce: ``'sum_along_second_axis'`` (sum over axis 1) or ``'no'``.
    """
    return HuberLoss(delta=delta, reduce=reduce).apply((x, t))[0]
