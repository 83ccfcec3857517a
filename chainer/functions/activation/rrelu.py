"""Randomized leaky rectified linear unit."""
from __future__ import annotations

from typing import TYPE_CHECKING

import chainer
from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.utils import array as array_utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from typing import Any

    from chainer.types import NdArray, VariableOrArray
    from chainer.variable import Variable


class RReLU(function_node.FunctionNode):
    """``x`` where ``x >= 0``, ``r * x`` elsewhere; ``r`` is drawn from
    ``U(lower, upper)`` in training and is ``(lower + upper) / 2`` in test mode."""

    is_elementwise = True

    def __init__(self, lower: float = 1. / 8, upper: float = 1. / 3, r=None):
        if not 0.0 <= lower < 1.0:
            raise ValueError('lower must be in the range [0, 1)')
        if not 0.0 <= upper < 1.0:
            raise ValueError('upper must be in the range [0, 1)')
        if not lower < upper:
            raise ValueError('lower must be less than upper')
        self.lower = lower
        self.upper = upper
        self.r = r

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() == 1)
        x_type, = in_types
        type_check.expect(x_type.dtype.kind == 'f')
        r = self.r
        if r is not None:
            if isinstance(r, chainer.Variable) or not (hasattr(r, 'shape')
                                                       and hasattr(r, 'dtype')):
                raise TypeError(f'r must be an array, got {type(r).__name__}')
            type_check.expect(x_type.dtype == r.dtype)
            type_check.expect(x_type.shape == tuple(r.shape))

    def forward(self, inputs):
        x, = inputs
        xp = backend.get_array_module(x)
        if chainer.config.train:
            self.r = array_utils.on_device_of(self.r, x)
            if self.r is None:
                # (the float64 draw is not kept in a local past the cast: it is
                # twice the size of the output for float32)
                self.r = utils.force_array(xp.asarray(
                    xp.random.uniform(self.lower, self.upper, x.shape)).astype(x.dtype, copy=False))
        else:
            self.r = xp.full(x.shape, (self.lower + self.upper) / 2, dtype=x.dtype)
        self.retain_inputs((0,))
        return utils.force_array(xp.where(x >= 0, x, x * self.r), x.dtype),

    def backward(self, indexes, grad_outputs):
        x = self.get_retained_inputs()[0].array
        # The complement of forward's ``x >= 0``: a NaN input takes the slope r, as in Chainer.
        return _RReLUGrad(~(x >= 0), self.r).apply(grad_outputs)


class _RReLUGrad(function_node.FunctionNode):
    """``gy * r`` where ``neg`` is set, ``gy`` elsewhere; linear in ``gy``."""

    is_elementwise = True

    def __init__(self, neg, r):
        self.neg = neg
        self.r = r

    def forward(self, inputs):
        gy, = inputs
        xp = backend.get_array_module(gy)
        return utils.force_array(xp.where(self.neg, gy * self.r, gy), gy.dtype),

    def backward(self, indexes, grad_outputs):
        return _RReLUGrad(self.neg, self.r).apply(grad_outputs)


def rrelu(x: VariableOrArray, l: float = 1. / 8, u: float = 1. / 3,
          **kwargs: Any) -> Variable | tuple[Variable, NdArray]:
    """Randomized leaky ReLU: ``x`` if ``x >= 0``, else ``r * x``.

    In training (``chainer.config.train``) each element of ``r`` is drawn from
    ``U(l, u)`` unless ``r`` is given; in test mode ``r = (l + u) / 2``.

    Args:
        x: Input Variable or array of a float dtype.
        l (float): Lower bound of the slope, in ``[0, 1)``.
        u (float): Upper bound of the slope, in ``[0, 1)`` and above ``l``.
        r: (keyword only) The slopes to use in training, an array of the
            shape and dtype of ``x``.
        return_r (bool): (keyword only) Also return the slopes used.

    Returns:
        ~chainer.Variable, or a tuple of it and the slope array when
        ``return_r`` is True.
    """
    r = None
    return_r = False
    if kwargs:
        if 'train' in kwargs:
            raise ValueError(
                'train argument is not supported anymore. Use chainer.using_config')
        r = kwargs.pop('r', None)
        return_r = kwargs.pop('return_r', False)
        if kwargs:
            names = ', '.join(repr(k) for k in sorted(kwargs))
            raise TypeError(f'rrelu() got unexpected keyword argument(s) {names}')
    func = RReLU(l, u, r)
    y, = func.apply((x,))
    if return_r:
        return y, func.r
    return y
