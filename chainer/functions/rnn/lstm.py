"""Long short-term memory cell: one step of an LSTM from its stacked gate input."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import backend
from chainer.function import _CallableNode
from chainer import function_node
from chainer.backends import cuda
from chainer.functions.rnn import _gates
from chainer.utils import array as array_utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

# Fused GPU kernels.  Each thread handles one (sample, unit, trailing) element;
# ``hr`` is H * R and ``r`` the trailing size R, the gate g of element i sits at
# x[b * 4 * hr + (j / r) * 4 * r + g * r + j % r] with b = i / hr, j = i % hr.
_PREAMBLE = '''
template <typename T> __device__ T lstm_sigmoid(T x) {
    return tanh(x * (T)0.5) * (T)0.5 + (T)0.5;
}
#define LSTM_GATES \\
    const int b = i / hr; const int j = i % hr; \\
    const int base = b * 4 * hr + (j / r) * 4 * r + j % r; \\
    T aa = tanh(x[base]); \\
    T ii = lstm_sigmoid(x[base + r]); \\
    T ff = lstm_sigmoid(x[base + 2 * r]); \\
    T oo = lstm_sigmoid(x[base + 3 * r]);
'''

_FORWARD = '''
    LSTM_GATES
    c = aa * ii + ff * c_prev;
    h = oo * tanh(c);
'''

_BACKWARD = '''
    LSTM_GATES
    T tt = tanh(c);
    T u = gh * oo * ((T)1 - tt * tt) + gc;
    gc_prev = u * ff;
    gx[base] = u * ii * ((T)1 - aa * aa);
    gx[base + r] = u * aa * (ii * ((T)1 - ii));
    gx[base + 2 * r] = u * c_prev * (ff * ((T)1 - ff));
    gx[base + 3 * r] = gh * tt * (oo * ((T)1 - oo));
'''


def _forward_kernel():
    return cuda.elementwise(
        'T c_prev, raw T x, int32 hr, int32 r', 'T c, T h', _FORWARD,
        'rechainer_lstm_fwd', preamble=_PREAMBLE)


def _backward_kernel():
    return cuda.elementwise(
        'T c_prev, T c, raw T x, T gc, T gh, int32 hr, int32 r', 'T gc_prev, raw T gx',
        _BACKWARD, 'rechainer_lstm_bwd', preamble=_PREAMBLE)


def _gate_major(x):
    """The four gates of the stacked input ``x`` (interleaved unit by unit) as
    one contiguous array ``(4, B, H, R)`` in the compute dtype."""
    g = _gates.split_interleaved(x, 4)
    out = numpy.empty((4,) + g.shape[:2] + g.shape[3:],
                      array_utils.compute_dtype(x.dtype))
    numpy.copyto(out, g.transpose(2, 0, 1, 3))
    return out


def _cell_shape(x) -> tuple:
    """``(B, H, R)``: the shape of one gate of the stacked input ``x``."""
    return (x.shape[0], x.shape[1] // 4, _gates.rest_size(x.shape))


def _gate_acts(x):
    """``(4, B, H, R)``: ``tanh(a)`` and the sigmoids of ``i``, ``f``, ``o`` of the
    stacked input ``x`` on the CPU (computed in place)."""
    acts = _gate_major(x)
    numpy.tanh(acts[0], out=acts[0])
    array_utils.sigmoid_inplace(acts[1:])
    return acts


def _activate(x, cp):
    """Forward of one step on the CPU: ``(acts, tanh(c), c, h)`` where ``acts``
    is :func:`_gate_acts`."""
    acts = _gate_acts(x)
    c = acts[2] * cp
    c += acts[0] * acts[1]
    t = numpy.tanh(c)
    return acts, t, c, acts[3] * t


def _check_cell_types(c_type, x_type, n_gates: int) -> None:
    type_check.expect(
        c_type.dtype.kind == 'f',
        x_type.dtype == c_type.dtype,
        c_type.ndim >= 2,
        x_type.ndim >= 2,
        c_type.ndim == x_type.ndim,
        x_type.shape[0] <= c_type.shape[0],
        x_type.shape[1] == n_gates * c_type.shape[1],
    )
    for i in range(2, type_check.eval(c_type.ndim)):
        type_check.expect(x_type.shape[i] == c_type.shape[i])


class LSTM(function_node.FunctionNode):
    """One LSTM step: ``(c_prev, x) -> (c, h)``.

    Rows of ``c_prev`` beyond the batch of ``x`` pass through to ``c``
    unchanged (sequences that already ended).
    """

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('c', 'x'))
        _check_cell_types(in_types[0], in_types[1], 4)

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        self.retain_outputs((0,))  # the new cell, as Chainer's node keeps it
        c_prev, x = inputs
        xp = backend.get_array_module(c_prev, x)
        dtype = x.dtype
        batch = len(x)
        cp = array_utils.as_compute(c_prev[:batch])
        # The gate activations are not kept on the node (Chainer keeps only c_prev,
        # x and c): backward recomputes them, so a long sequence's graph stays small.
        if xp is numpy:
            _, _, c_new, h = _activate(x, cp.reshape(_cell_shape(x)))
            c_new = c_new.reshape(cp.shape)
            h = h.reshape(cp.shape)
        else:
            hr = cp[0].size if batch else 0
            c_new, h = _forward_kernel()(
                cp, xp.ascontiguousarray(array_utils.as_compute(x)), hr,
                _gates.rest_size(x.shape))
        if len(c_prev) > batch:
            c = c_prev.copy()
            c[:batch] = c_new
        else:
            c = c_new.astype(dtype, copy=False)
        return c, h.astype(dtype, copy=False)

    def backward(self, indexes, grad_outputs):
        c_prev, x = self.get_retained_inputs()
        c, = self.get_retained_outputs()
        gc, gh = grad_outputs
        gc = _gates.zeros_like_or(gc, c_prev)
        if gh is None:
            gh = _gates.zeros_var((x.shape[0],) + c_prev.shape[1:], x)
        return LSTMGrad().apply((c_prev, x, c, gc, gh))


class LSTMGrad(_CallableNode, function_node.FunctionNode):
    """Gradient of :class:`LSTM`: ``(c_prev, x, c_next, gc, gh) -> (gc_prev, gx)``,
    as Chainer's node: ``c_next`` is the step's new cell (an input of its own:
    ``tanh(c_next)`` is not recomputed from the gates, which are). Calling it
    applies it, as Chainer's old-style ``LSTMGrad()(...)`` did."""

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2, 3, 4))
        c_prev, x, c_next, gc, gh = inputs
        xp = backend.get_array_module(c_prev, x)
        dtype = x.dtype
        batch = len(x)
        cp = array_utils.as_compute(c_prev[:batch])
        cn = array_utils.as_compute(c_next[:batch])
        gcb = array_utils.as_compute(gc[:batch])
        ghc = array_utils.as_compute(gh)
        if xp is numpy:
            cp = cp.reshape(_cell_shape(x))
            acts = _gate_acts(x)
            t = numpy.tanh(cn.reshape(cp.shape))
            a, i, f, o = acts
            ghr = ghc.reshape(a.shape)
            # gradient of c: gh * o * (1 - tanh(c)^2) + gc, in Chainer's order (as
            # the gates' below: bit-identical results)
            u = ghr * o
            d = t * t
            numpy.subtract(1, d, out=d)
            u *= d
            u += gcb.reshape(a.shape)
            # The gradient of each gate is pre * d(activation): pre holds the
            # gradient reaching its activation, der the activation's derivative.
            pre = numpy.empty_like(acts)
            numpy.multiply(u, i, out=pre[0])
            numpy.multiply(u, a, out=pre[1])
            numpy.multiply(u, cp, out=pre[2])
            numpy.multiply(ghr, t, out=pre[3])
            der = numpy.empty_like(acts)  # 1 - tanh^2, and s * (1 - s) for the sigmoids
            numpy.multiply(acts[0], acts[0], out=der[0])
            numpy.subtract(1, der[0], out=der[0])
            numpy.subtract(1, acts[1:], out=der[1:])
            der[1:] *= acts[1:]
            gx = numpy.empty(pre.shape[1:3] + (4,) + pre.shape[3:], pre.dtype)
            numpy.multiply(pre, der, out=gx.transpose(2, 0, 1, 3))
            gx = gx.reshape(x.shape)
            u *= f
            gcp = u.reshape(gcb.shape)
        else:
            xc = xp.ascontiguousarray(array_utils.as_compute(x))
            gcp = xp.empty(cp.shape, cp.dtype)
            gx = xp.empty(xc.shape, xc.dtype)
            hr = cp[0].size if batch else 0
            _backward_kernel()(cp, cn, xc, gcb, ghc, hr, _gates.rest_size(x.shape), gcp, gx)
        if len(c_prev) > batch:
            gc_prev = xp.concatenate([gcp.astype(dtype, copy=False), gc[batch:]])
        else:
            gc_prev = gcp.astype(dtype, copy=False)
        return gc_prev, gx.astype(dtype, copy=False)

    def backward(self, indexes, grad_outputs):
        c_prev, x, c_next, gc, gh = self.get_retained_inputs()
        ggc_prev, ggx = grad_outputs
        return lstm_grad_grad(c_prev, x, c_next, gc, gh, ggc_prev, ggx)


def lstm_grad_grad(c_prev, x, c_next, gc, gh, ggc_prev, ggx):
    """Gradients of :class:`LSTMGrad`'s outputs contracted with ``ggc_prev`` and
    ``ggx`` (either may be None), with respect to ``(c_prev, x, c_next, gc, gh)``.

    Built from differentiable functions, so it can be differentiated again.
    """
    F = chainer.functions
    batch, full = x.shape[0], c_prev.shape[0]
    ggc_prev = _gates.zeros_like_or(ggc_prev, c_prev)
    ggx = _gates.zeros_like_or(ggx, x)
    if full > batch:
        cp = F.split_axis(c_prev, [batch], axis=0)[0]
        cn = F.split_axis(c_next, [batch], axis=0)[0]
        gcb = F.split_axis(gc, [batch], axis=0)[0]
        ggcp, ggcp_rest = F.split_axis(ggc_prev, [batch], axis=0)
    else:
        cp, cn, gcb, ggcp = c_prev, c_next, gc, ggc_prev
    pa, pi, pf, po = _gates.gate_vars(x, 4)
    gga, ggi, ggf, ggo = _gates.gate_vars(ggx, 4)
    g_a, g_i, g_o, (g_f,), (g_cp,), g_gc, g_gh, g_cn = _gates.cell_grad_grad(
        pa, pi, po, [pf], [cp], gcb, gh, gga, ggi, ggo, [ggf], [ggcp], c_next=cn)
    g_x = _gates.join_gate_vars([g_a, g_i, g_f, g_o])
    if full > batch:
        rest = _gates.zeros_var((full - batch,) + tuple(c_prev.shape[1:]), c_prev)
        g_cp = F.concat([g_cp, rest], axis=0)
        g_cn = F.concat([g_cn, rest], axis=0)
        g_gc = F.concat([g_gc, ggcp_rest], axis=0)
    return g_cp, g_x, g_cn, g_gc, g_gh


def lstm(c_prev: VariableOrArray, x: VariableOrArray) -> tuple[Variable, Variable]:
    """Long short-term memory step.

    ``x`` of shape ``(B, 4 * H, ...)`` holds the four gate inputs interleaved
    unit by unit: read as ``(B, H, 4, ...)``, its gates are the cell input
    ``a``, input gate ``i``, forget gate ``f`` and output gate ``o``. With
    ``c = tanh(a) * sigmoid(i) + sigmoid(f) * c_prev`` and
    ``h = sigmoid(o) * tanh(c)``, returns ``(c, h)``.

    ``c_prev`` may have more rows than ``x``: the extra rows are copied to
    ``c`` unchanged, and ``h`` has the batch size of ``x``.

    Args:
        c_prev: Previous cell state, shape ``(N, H, ...)`` with ``N >= B``.
        x: Stacked gate input, shape ``(B, 4 * H, ...)``.

    Returns:
        tuple: ``(c, h)`` Variables.
    """
    return LSTM().apply((c_prev, x))
