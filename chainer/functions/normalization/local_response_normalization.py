"""Local response normalization across neighbouring channels."""
from __future__ import annotations

from typing import TYPE_CHECKING

import chainer
from chainer import backend
from chainer import function_node
from chainer.utils import array as array_utils
from chainer.utils import argument
from chainer.utils import type_check
from chainer.functions import _composite

if TYPE_CHECKING:
    from chainer.types import VariableOrArray


def _window_sum_array(a, half: int):
    """``s[:, c] = sum(a[:, c'])`` over ``|c' - c| <= half`` (zeros past the edges)."""
    s = a.copy()
    c = a.shape[1]
    for d in range(1, min(half, c - 1) + 1):
        s[:, d:] += a[:, :-d]
        s[:, :-d] += a[:, d:]
    return s


class _ChannelWindowSum(function_node.FunctionNode):
    """The channel window sum as a node. It is linear and its window is symmetric, so it
    is its own adjoint: its gradient is the window sum of the output gradient."""

    def __init__(self, half: int) -> None:
        self.half = half

    def forward(self, inputs):
        return _window_sum_array(inputs[0], self.half),

    def backward(self, indexes, grad_outputs):
        return _ChannelWindowSum(self.half).apply(grad_outputs)


class LocalResponseNormalization(function_node.FunctionNode):
    """``y = x / (k + alpha * window_sum(x ** 2)) ** beta`` over channels (axis 1)."""

    _scale = _scale_pow = None

    def __init__(self, n: int = 5, k: float = 2, alpha: float = 1e-4,
                 beta: float = 0.75) -> None:
        self.n = n
        self.k = argument._real(k, 'k')
        self.alpha = argument._real(alpha, 'alpha')
        self.beta = argument._real(beta, 'beta')

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types, None, min_ndim=2)

    def forward(self, inputs):
        self.retain_inputs((0,))
        self.retain_outputs((0,))
        x, = inputs
        # scale and its power kept for a backward that is not differentiated again,
        # in x's dtype as Chainer keeps them (no float32 copies of a float16 x on the
        # node); float16 goes through float32 a block of samples at a time.
        y, self._scale, self._scale_pow = array_utils.in_compute_blocks(
            self._forward, (x,), per_sample=True)
        return y,

    def _forward(self, xc):
        """``(y, scale, scale_pow)`` of ``xc``, in its dtype (the compute dtype)."""
        xp = backend.get_array_module(xc)
        scale = _window_sum_array(xc * xc, self.n // 2)
        scale *= xc.dtype.type(self.alpha)
        scale += xc.dtype.type(self.k)
        scale_pow = xp.power(scale, xc.dtype.type(-self.beta))
        return scale_pow * xc, scale, scale_pow

    def backward(self, indexes, grad_outputs):
        F = chainer.functions
        x, = self.get_retained_inputs()
        y, = self.get_retained_outputs()
        gy, = grad_outputs
        half = self.n // 2
        if not chainer.config.enable_backprop:
            # from the kept scale and its power (a block of samples at a time)
            return _LRNGrad(half, self.alpha, self.beta).apply(
                (x, y, gy, self._scale, self._scale_pow))
        dtype = x.dtype
        if dtype != array_utils.compute_dtype(dtype):
            x, y, gy = (F.cast(v, array_utils.compute_dtype(dtype)) for v in (x, y, gy))
        # Differentiated again: the scale must be a function of x.
        scale, = _ChannelWindowSum(half).apply((x * x,))
        scale = scale * self.alpha + self.k
        scale_pow = scale ** -self.beta
        gx = _lrn_grad(x, y, gy, scale, scale_pow, half, self.alpha, self.beta)
        return (gx if gx.dtype == dtype else F.cast(gx, dtype)),


def _lrn_grad(x, y, gy, scale, scale_pow, half: int, alpha: float, beta: float):
    """With s = k + alpha * W(x ** 2), W self-adjoint, and y = x * s ** -beta:
    dy/dx^T gy = gy * s ** -beta - 2 * alpha * beta * x * W(gy * y / s)."""
    inner, = _ChannelWindowSum(half).apply((gy * y / scale,))
    return gy * scale_pow - (2 * alpha * beta) * x * inner


class _LRNGrad(_composite.CompositeNode):
    """:func:`_lrn_grad` of ``(x, y, gy, scale, scale_pow)`` with the scale and its
    power given (not differentiated), float16 in float32 a block of samples at a
    time; differentiated (never, in practice: it serves a backward that is not) as
    its composition."""

    _differentiable = (0, 1, 2)

    def __init__(self, half: int, alpha: float, beta: float) -> None:
        self.half, self.alpha, self.beta = half, alpha, beta

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2, 3, 4))
        return array_utils.in_compute_blocks(self._forward, inputs, per_sample=True),

    def _forward(self, *arrays):
        with chainer.no_backprop_mode():
            return self._compose(*[chainer.Variable(a) for a in arrays]).array

    def _compose(self, x, y, gy, scale, scale_pow):
        return _lrn_grad(x, y, gy, scale, scale_pow, self.half, self.alpha, self.beta)


def local_response_normalization(x: VariableOrArray, n: int = 5, k: float = 2, alpha: float = 1e-4,
                                 beta: float = 0.75) -> 'chainer.Variable':
    """Local response normalization (Krizhevsky et al., 2012).

    ``y[:, c] = x[:, c] / (k + alpha * sum(x[:, c'] ** 2)) ** beta``, the sum
    running over the channels ``c'`` with ``|c' - c| <= n // 2``.

    Args:
        x: Input of shape ``(N, C, ...)``.
        n (int): Width of the channel window.
        k, alpha, beta (float): Constants of the formula.
    """
    y, = LocalResponseNormalization(n, k, alpha, beta).apply((x,))
    return y
