"""Tree LSTM cell: one node of an N-ary or child-sum tree LSTM."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer.functions.rnn import _gates
from chainer.utils import type_check
from chainer.function import _CallableNode

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _blocks(x, n: int):
    """Array view of ``x`` (``(B, n * H, ...)``) as ``n`` blocks ``(B, H, R)``."""
    r = x.reshape(x.shape[0], n, x.shape[1] // n, _gates.rest_size(x.shape))
    return [r[:, k] for k in range(n)]


class TreeLSTM(_CallableNode, function_node.FunctionNode):
    """``(c_1, ..., c_n, x) -> (c, h)`` of a tree LSTM node with ``n`` children."""

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() >= 2)
        n_ary = type_check.eval(in_types.size()) - 1
        x_type = in_types[n_ary]
        type_check.expect(x_type.ndim >= 2)
        for k in range(n_ary):
            c_type = in_types[k]
            type_check.expect(
                c_type.dtype.kind == 'f',
                x_type.dtype == c_type.dtype,
                c_type.ndim >= 2,
                c_type.ndim == x_type.ndim,
                x_type.shape[0] == c_type.shape[0],
                x_type.shape[1] == (3 + n_ary) * c_type.shape[1],
            )
            for j in range(2, type_check.eval(c_type.ndim)):
                type_check.expect(x_type.shape[j] == c_type.shape[j])

    def forward(self, inputs):
        self.retain_inputs(tuple(range(len(inputs))))
        *cs, x = inputs
        a, i, o, *fs = _blocks(x, 3 + len(cs))
        c, h = _gates.cell_forward(a, i, o, fs, [ck.reshape(a.shape) for ck in cs],
                                   children_first=True)
        return c.reshape(cs[0].shape), h.reshape(cs[0].shape)

    def backward(self, indexes, grad_outputs):
        inputs = self.get_retained_inputs()
        gc = _gates.zeros_like_or(grad_outputs[0], inputs[0])
        gh = _gates.zeros_like_or(grad_outputs[1], inputs[0])
        return TreeLSTMGrad().apply(inputs + (gc, gh))


class TreeLSTMGrad(function_node.FunctionNode):
    """Gradient of :class:`TreeLSTM`: ``(c_1, ..., c_n, x, gc, gh) -> (gc_1, ...,
    gc_n, gx)``."""

    def forward(self, inputs):
        self.retain_inputs(tuple(range(len(inputs))))
        *cs, x, gc, gh = inputs
        xp = backend.get_array_module(x)
        a, i, o, *fs = _blocks(x, 3 + len(cs))
        g_a, g_i, g_o, g_fs, g_cs = _gates.cell_grad(
            a, i, o, fs, [ck.reshape(a.shape) for ck in cs],
            gc.reshape(a.shape), gh.reshape(a.shape), children_first=True)
        gx = xp.stack([g_a, g_i, g_o] + g_fs, axis=1).reshape(x.shape)
        return tuple(g.reshape(ck.shape) for g, ck in zip(g_cs, cs)) + (gx,)

    def backward(self, indexes, grad_outputs):
        *cs, x, gc, gh = self.get_retained_inputs()
        *gg_cs, gg_x = grad_outputs
        gg_cs = [_gates.zeros_like_or(g, ck) for g, ck in zip(gg_cs, cs)]
        a, i, o, *fs = _gates.gate_vars(x, 3 + len(cs), interleaved=False)
        gg_a, gg_i, gg_o, *gg_fs = _gates.gate_vars(
            _gates.zeros_like_or(gg_x, x), 3 + len(cs), interleaved=False)
        g_a, g_i, g_o, g_fs, g_cs, g_gc, g_gh = _gates.cell_grad_grad(
            a, i, o, fs, cs, gc, gh, gg_a, gg_i, gg_o, gg_fs, gg_cs)
        g_x = _gates.join_gate_vars([g_a, g_i, g_o] + g_fs, interleaved=False)
        return tuple(g_cs) + (g_x, g_gc, g_gh)


def tree_lstm(*inputs: VariableOrArray) -> tuple[Variable, Variable]:
    """Tree LSTM node with ``n`` children.

    The last input ``x`` of shape ``(B, (3 + n) * H, ...)`` holds contiguous
    blocks of ``H`` units each: cell input ``a``, input gate ``i``, output gate
    ``o`` and one forget gate ``f_k`` per child; the other inputs are the
    children's cell states ``c_1, ..., c_n`` of shape ``(B, H, ...)``.  With
    ``c = tanh(a) * sigmoid(i) + sum_k sigmoid(f_k) * c_k`` and
    ``h = sigmoid(o) * tanh(c)``, returns ``(c, h)``.

    Args:
        inputs: ``c_1, ..., c_n, x``.

    Returns:
        tuple: ``(c, h)`` Variables.
    """
    return TreeLSTM().apply(inputs)
