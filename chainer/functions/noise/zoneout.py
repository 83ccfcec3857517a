"""Zoneout: keeps each unit of the previous state ``h`` with probability ``ratio``."""
from __future__ import annotations

from typing import TYPE_CHECKING


import chainer
from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.array.cast import _as_dtype
from chainer.utils.argument import parse_kwargs
from chainer.utils import type_check

if TYPE_CHECKING:
    from typing import Any

    from chainer.types import VariableOrArray

_TRAIN_REMOVED = 'train argument is not supported anymore. Use chainer.using_config'


class Zoneout(function_node.FunctionNode):
    """Mixes ``h`` and ``x`` elementwise with a random 0/1 mask."""

    def __init__(self, zoneout_ratio: float) -> None:
        self.zoneout_ratio = zoneout_ratio

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() == 2)
        h_type, x_type = in_types
        # two float dtypes mix into NumPy's promotion, as in Chainer
        type_check.expect(h_type.dtype.kind == 'f', x_type.dtype.kind == 'f')
        with type_check._failing_as(type_check._InvalidValue):  # NumPy's, in Chainer
            type_check.expect(h_type.shape == x_type.shape)

    def forward(self, inputs):
        h, x = inputs
        xp = backend.get_array_module(h, x)
        # Chainer's draw on both devices (float64 uniforms, also from CuPy), so a
        # seeded generator gives its masks and a mock of xp.random.rand controls them.
        flag_x = xp.asarray(xp.random.rand(*x.shape) >= self.zoneout_ratio)  # 0-d: an array too
        # boolean masks on the node, as Chainer keeps them (not float copies)
        self.flag_x = flag_x
        self.flag_h = ~flag_x
        dtype = x.dtype
        return utils.force_array(h * self.flag_h.astype(dtype) + x * self.flag_x.astype(dtype)),

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        # Products with constant masks: differentiable again (as MulConstant-like ops).
        ret = []
        for i in indexes:
            g = gy * (self.flag_h if i == 0 else self.flag_x).astype(self.inputs[1].dtype)
            dtype = self.inputs[i].dtype
            ret.append(_as_dtype(g, dtype))
        return tuple(ret)


def zoneout(h: VariableOrArray, x: VariableOrArray, ratio: float = .5,
            **kwargs: Any) -> VariableOrArray:
    """Zoneout of a recurrent state update.

    In training mode each element of the output is taken from the previous
    state ``h`` with probability ``ratio`` and from the new state ``x``
    otherwise; outside training mode the output is ``x``.

    Args:
        h: The previous state.
        x: The new state, of the same shape and dtype.
        ratio: The probability of keeping an element of ``h``.

    Returns:
        ~chainer.Variable: The mixed state.
    """
    parse_kwargs(kwargs, train=_TRAIN_REMOVED)
    if chainer.config.train:
        return Zoneout(ratio).apply((h, x))[0]
    return x
