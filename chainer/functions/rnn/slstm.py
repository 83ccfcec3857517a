"""S-LSTM cell: merges two LSTM states (as in tree-structured LSTMs)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer.function import _CallableNode
from chainer import function_node
from chainer.functions.rnn import _gates
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class SLSTM(function_node.FunctionNode):
    """``(c_prev1, c_prev2, x1, x2) -> (c, h)`` of an S-LSTM step."""

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('c_prev1', 'c_prev2', 'x1', 'x2'))
        c1, c2, x1, x2 = in_types
        # Chainer's checks, in its order; then the cells' shapes (which it left to
        # the forward's broadcasting).
        type_check.expect(
            c1.dtype.kind == 'f',
            c2.dtype == c1.dtype,
            x1.dtype == c1.dtype,
            x2.dtype == c1.dtype,
            c1.ndim >= 2,
            c2.ndim >= 2,
            x1.ndim >= 2,
            x2.ndim >= 2,
            c1.ndim == x1.ndim,
            c1.ndim == c2.ndim,
            c1.ndim == x2.ndim,
            c1.shape[0] == x1.shape[0],
            c1.shape[0] == c2.shape[0],
            c1.shape[0] == x2.shape[0],
            x1.shape[1] == 4 * c1.shape[1],
            x2.shape[1] == 4 * c2.shape[1],
        )
        for i in range(2, type_check.eval(c1.ndim)):
            type_check.expect(x1.shape[i] == c1.shape[i])
            type_check.expect(x2.shape[i] == c2.shape[i])
            type_check.expect(x1.shape[i] == x2.shape[i])
        with type_check._failing_as(type_check._InvalidValue):  # NumPy's, in Chainer
            type_check.expect(c1.shape == c2.shape)

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2, 3))
        self.retain_outputs((0,))  # the new cell, as Chainer's node keeps it
        c1, c2, x1, x2 = inputs
        a, i, o, fs, cs = _merged_gates(c1, c2, x1, x2)
        c, h = _gates.cell_forward(a, i, o, fs, cs)
        return c.reshape(c1.shape), h.reshape(c1.shape)

    def backward(self, indexes, grad_outputs):
        c1, c2, x1, x2 = self.get_retained_inputs()
        c, = self.get_retained_outputs()
        gc = _gates.zeros_like_or(grad_outputs[0], c1)
        gh = _gates.zeros_like_or(grad_outputs[1], c1)
        return SLSTMGrad().apply((c1, c2, x1, x2, c, gc, gh))


def _merged_gates(c1, c2, x1, x2):
    """Arrays ``([a1, a2], [i1, i2], o, [f1, f2], [c1, c2])`` of shape ``(B, H, R)``:
    the cell inputs and input gates of both children (activated separately, as
    Chainer computes them), the summed output gate and the forget gates."""
    g1 = _gates.split_interleaved(x1, 4)
    g2 = _gates.split_interleaved(x2, 4)
    shape = g1.shape[:2] + g1.shape[3:]
    return ([g1[:, :, 0], g2[:, :, 0]], [g1[:, :, 1], g2[:, :, 1]],
            g1[:, :, 3] + g2[:, :, 3], [g1[:, :, 2], g2[:, :, 2]],
            [c1.reshape(shape), c2.reshape(shape)])


class SLSTMGrad(_CallableNode, function_node.FunctionNode):
    """Gradient of :class:`SLSTM`: ``(c_prev1, c_prev2, x1, x2, c_next, gc, gh) ->
    (gc_prev1, gc_prev2, gx1, gx2)``, as Chainer's node: ``c_next`` is the new
    cell (an input of its own: ``tanh(c_next)`` is not recomputed from the
    gates). Calling it applies it, as Chainer's old-style ``SLSTMGrad()(...)`` did."""

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2, 3, 4, 5, 6))
        c1, c2, x1, x2, c_next, gc, gh = inputs
        xp = backend.get_array_module(x1)
        a, i, o, fs, cs = _merged_gates(c1, c2, x1, x2)
        shape = o.shape
        (g_a1, g_a2), (g_i1, g_i2), g_o, (g_f1, g_f2), (g_c1, g_c2) = _gates.cell_grad(
            a, i, o, fs, cs, gc.reshape(shape), gh.reshape(shape), c=c_next.reshape(shape))
        gx1 = xp.stack([g_a1, g_i1, g_f1, g_o], axis=2).reshape(x1.shape)
        gx2 = xp.stack([g_a2, g_i2, g_f2, g_o], axis=2).reshape(x2.shape)
        return g_c1.reshape(c1.shape), g_c2.reshape(c2.shape), gx1, gx2

    def backward(self, indexes, grad_outputs):
        return slstm_grad_grad(*self.get_retained_inputs(), *grad_outputs)


def slstm_grad_grad(c_prev1, c_prev2, x1, x2, c_next, gc, gh, ggc_prev1, ggc_prev2, ggx1,
                    ggx2):
    """Gradients of :class:`SLSTMGrad`'s outputs contracted with ``ggc_prev1``,
    ``ggc_prev2``, ``ggx1`` and ``ggx2`` (any may be None), with respect to
    ``(c_prev1, c_prev2, x1, x2, c_next, gc, gh)``; differentiable again."""
    ggc_prev1 = _gates.zeros_like_or(ggc_prev1, c_prev1)
    ggc_prev2 = _gates.zeros_like_or(ggc_prev2, c_prev2)
    a1, i1, f1, o1 = _gates.gate_vars(x1, 4)
    a2, i2, f2, o2 = _gates.gate_vars(x2, 4)
    gga1, ggi1, ggf1, ggo1 = _gates.gate_vars(_gates.zeros_like_or(ggx1, x1), 4)
    gga2, ggi2, ggf2, ggo2 = _gates.gate_vars(_gates.zeros_like_or(ggx2, x2), 4)
    # gx1 and gx2 carry the same gradient of the summed output gate o.
    (g_a1, g_a2), (g_i1, g_i2), g_o, (g_f1, g_f2), (g_c1, g_c2), g_gc, g_gh, g_cn = \
        _gates.cell_grad_grad(
            [a1, a2], [i1, i2], o1 + o2, [f1, f2], [c_prev1, c_prev2], gc, gh,
            [gga1, gga2], [ggi1, ggi2], ggo1 + ggo2, [ggf1, ggf2], [ggc_prev1, ggc_prev2],
            c_next=c_next)
    return (g_c1, g_c2, _gates.join_gate_vars([g_a1, g_i1, g_f1, g_o]),
            _gates.join_gate_vars([g_a2, g_i2, g_f2, g_o]), g_cn, g_gc, g_gh)


def slstm(c_prev1: VariableOrArray, c_prev2: VariableOrArray, x1: VariableOrArray,
          x2: VariableOrArray) -> tuple[Variable, Variable]:
    """S-LSTM step merging two child states.

    ``x1`` and ``x2`` (shape ``(B, 4 * H, ...)``) hold gate inputs interleaved
    as in :func:`~chainer.functions.lstm`: ``a, i, f, o`` per unit.  As Chainer
    computes it (its docstring writes ``tanh(a1 + a2) sigmoid(i1 + i2)``, its
    code activates each child's gates):
    ``c = tanh(a1) * sigmoid(i1) + tanh(a2) * sigmoid(i2) + sigmoid(f1) * c_prev1
    + sigmoid(f2) * c_prev2`` and ``h = sigmoid(o1 + o2) * tanh(c)``.

    Args:
        c_prev1: Cell state of the first child, ``(B, H, ...)``.
        c_prev2: Cell state of the second child, same shape.
        x1: Gate input from the first child, ``(B, 4 * H, ...)``.
        x2: Gate input from the second child, same shape.

    Returns:
        tuple: ``(c, h)`` Variables.
    """
    return SLSTM().apply((c_prev1, c_prev2, x1, x2))
