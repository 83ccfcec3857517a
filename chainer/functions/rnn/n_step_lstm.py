"""Multi-layer (optionally bidirectional) LSTMs over variable-length sequences.

Each layer and direction runs as one :class:`NStepLSTMLayer` node: the input
projection of all steps is one matrix product, the recurrence one product per
step on preallocated buffers, and the backward pass walks time inside one
:class:`NStepLSTMLayerGrad` node with the weight gradients as one product over
all steps.
"""
from __future__ import annotations

from typing import Any, Sequence, Tuple

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer.backends import cuda
from chainer.functions import _composite
from chainer.functions.rnn import _gates
from chainer.functions.rnn import n_step_rnn
from chainer.utils import array as array_utils
from chainer.utils import type_check

# The gate blocks of the stacked weights of NStepLSTMLayer, as indices into the
# eight weights of an n-step LSTM cell (W0..W3 act on the input as the input,
# forget, cell input and output gates): the three sigmoid gates come first, so
# that one pass activates them all.
_GATE_ORDER = (0, 1, 3, 2)


# Fused GPU kernels of one step.  Each thread handles one (row, unit) element of
# the step; the gates of row r and unit j sit at g[r * 4 * units + k * units + j]
# for the blocks k = input, forget, output, cell input.
_PREAMBLE = '''
template <typename T> __device__ T nstep_sigmoid(T x) {
    return (T)1 / ((T)1 + exp(-x));
}
#define NSTEP_BASE \\
    const int base = (i / units) * 4 * units + i % units;
'''

_STEP_FORWARD = '''
    NSTEP_BASE
    T ii = nstep_sigmoid(g[base]);
    T ff = nstep_sigmoid(g[base + units]);
    T oo = nstep_sigmoid(g[base + 2 * units]);
    T aa = tanh(g[base + 3 * units]);
    g[base] = ii;
    g[base + units] = ff;
    g[base + 2 * units] = oo;
    g[base + 3 * units] = aa;
    c = ff * c_prev + ii * aa;
    t = tanh(c);
    h = oo * t;
'''

_STEP_BACKWARD = '''
    NSTEP_BASE
    T ii = g[base];
    T ff = g[base + units];
    T oo = g[base + 2 * units];
    T aa = g[base + 3 * units];
    T ghv = gh + gy;
    T gcv = gc + ghv * oo * ((T)1 - t * t);
    d[base] = gcv * aa * ii * ((T)1 - ii);
    d[base + units] = gcv * c_prev * ff * ((T)1 - ff);
    d[base + 2 * units] = ghv * t * oo * ((T)1 - oo);
    d[base + 3 * units] = gcv * ii * ((T)1 - aa * aa);
    gc = gcv * ff;
'''


def _step_forward_kernel():
    # g: pre-activations in, activations out.
    return cuda.elementwise('int32 units, T c_prev', 'raw T g, T c, T t, T h',
                            _STEP_FORWARD, 'rechainer_nstep_lstm_fwd', preamble=_PREAMBLE)


def _step_backward_kernel():
    # gc: the gradient of the new cell state in, of the previous one out.
    return cuda.elementwise('int32 units, raw T g, T t, T c_prev, T gy, T gh',
                            'T gc, raw T d', _STEP_BACKWARD, 'rechainer_nstep_lstm_bwd',
                            preamble=_PREAMBLE)


class NStepLSTMLayer(function_node.FunctionNode):
    """One layer and direction of an n-step LSTM over time-major rows:
    ``(x, h0, c0, w, wh, b) -> (y, h, c)``.

    ``x`` ``(N, I)`` holds the steps one after another, step ``t`` being the
    next ``batches[t]`` rows (the leading sequences, so ``batches`` does not
    increase).  ``h0`` and ``c0`` are ``(B, H)``; ``w`` ``(4H, I)``, ``wh``
    ``(4H, H)`` and ``b`` ``(4H,)`` stack the gates in blocks ordered input,
    forget, output, cell input.  ``y`` ``(N, H)`` is the hidden state after
    every row's step; ``h`` and ``c`` are the states after each sequence's last
    step.

    Args:
        batches: The number of rows of each step, in time order.
        reverse: Whether the steps run from the last to the first.
    """

    def __init__(self, batches: Sequence[int], reverse: bool = False) -> None:
        self.batches = tuple(int(n) for n in batches)
        self.reverse = reverse

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x', 'h0', 'c0', 'w', 'wh', 'b'))
        x, h0, c0, w, wh, b = in_types
        type_check.expect(
            x.dtype.kind == 'f',
            h0.dtype == x.dtype, c0.dtype == x.dtype, w.dtype == x.dtype,
            wh.dtype == x.dtype, b.dtype == x.dtype,
            x.ndim == 2, h0.ndim == 2, c0.ndim == 2, w.ndim == 2, wh.ndim == 2,
            b.ndim == 1,
            x.shape[0] == sum(self.batches),
            h0.shape[0] >= max(self.batches, default=0),
            c0.shape == h0.shape,
            w.shape[0] == 4 * h0.shape[1],
            w.shape[1] == x.shape[1],
            wh.shape[0] == w.shape[0],
            wh.shape[1] == h0.shape[1],
            b.shape[0] == w.shape[0],
        )

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2, 3, 4, 5))
        dtype = inputs[0].dtype
        x, h0, c0, w, wh, b = [array_utils.as_compute(a) for a in inputs]
        xp = backend.get_array_module(x)
        n_rows, units = x.shape[0], h0.shape[1]
        s3 = 3 * units
        # acts: the gate pre-activations of every row, activated in place step
        # by step; h_prev, c_prev: the state each row's step started from.
        acts = xp.matmul(x, w.T)
        acts += b
        h_prev = xp.empty((n_rows, units), acts.dtype)
        c_prev = xp.empty_like(h_prev)
        tanh_c = xp.empty_like(h_prev)
        y = xp.empty_like(h_prev)
        h = h0.astype(acts.dtype, copy=True)
        c = c0.astype(acts.dtype, copy=True)
        wh_t = wh.T
        for start, n in n_step_rnn.step_spans(self.batches, self.reverse):
            rows = slice(start, start + n)
            hp, cp = h_prev[rows], c_prev[rows]
            hp[...] = h[:n]
            cp[...] = c[:n]
            g = acts[rows]
            g += xp.matmul(hp, wh_t)
            cn, t, yr = c[:n], tanh_c[rows], y[rows]
            if xp is numpy:
                _gates.sigmoid_inplace(g[:, :s3])
                a = g[:, s3:]
                xp.tanh(a, out=a)
                xp.multiply(g[:, units:2 * units], cp, out=cn)
                cn += g[:, :units] * a
                xp.tanh(cn, out=t)
                xp.multiply(g[:, 2 * units:s3], t, out=yr)
            else:
                _step_forward_kernel()(units, cp, g, cn, t, yr)
            h[:n] = yr
        self._saved = (acts, tanh_c, h_prev, c_prev)
        return (y.astype(dtype, copy=False), h.astype(dtype, copy=False),
                c.astype(dtype, copy=False))

    def backward(self, indexes, grad_outputs):
        inputs = self.get_retained_inputs()
        x, h0 = inputs[0], inputs[1]
        gy, gh, gc = grad_outputs
        if gy is None:
            gy = _gates.zeros_var((x.shape[0], h0.shape[1]), h0)
        gh = _gates.zeros_like_or(gh, h0)
        gc = _gates.zeros_like_or(gc, h0)
        grad = NStepLSTMLayerGrad(self.batches, self.reverse, indexes, self._saved)
        return grad.apply(inputs + (gy, gh, gc))


class NStepLSTMLayerGrad(_composite.CompositeNode):
    """Gradient of :class:`NStepLSTMLayer`: ``(x, h0, c0, w, wh, b, gy, gh, gc)``
    to the gradients of ``(x, h0, c0, w, wh, b)`` listed in ``indexes``.

    The forward pass runs backpropagation through time on arrays; its own
    gradient differentiates the layer composed of differentiable functions.

    Args:
        batches: The number of rows of each step, in time order.
        reverse: Whether the layer ran the steps from the last to the first.
        indexes: Which input gradients to compute (positions in ``(x, h0, c0,
            w, wh, b)``).
        saved: ``(acts, tanh_c, h_prev, c_prev)`` arrays of the layer's forward
            pass (compute dtype): gate activations of every row (blocks input,
            forget, output, cell input), ``tanh`` of the new cell state, and
            the hidden and cell state each row's step started from.
    """

    def __init__(self, batches: Sequence[int], reverse: bool, indexes: Sequence[int],
                 saved: Tuple[Any, Any, Any, Any]) -> None:
        self.batches = tuple(batches)
        self.reverse = reverse
        self.indexes = tuple(indexes)
        self.saved = saved

    def forward(self, inputs):
        self.retain_inputs(tuple(range(len(inputs))))
        dtype = inputs[0].dtype
        x, h0, c0, w, wh, b, gy, gh_last, gc_last = [
            array_utils.as_compute(a) for a in inputs]
        xp = backend.get_array_module(x)
        acts, tanh_c, h_prev, c_prev = self.saved
        units = h0.shape[1]
        u2, s3 = 2 * units, 3 * units
        cdt = acts.dtype
        ggate = xp.empty_like(acts)
        gh = gh_last.astype(cdt, copy=True)
        gc = gc_last.astype(cdt, copy=True)
        gy = gy.astype(cdt, copy=False)
        wh = wh.astype(cdt, copy=False)
        for start, n in reversed(n_step_rnn.step_spans(self.batches, self.reverse)):
            rows = slice(start, start + n)
            g, d, t = acts[rows], ggate[rows], tanh_c[rows]
            ghn, gcn = gh[:n], gc[:n]
            if xp is not numpy:
                _step_backward_kernel()(units, g, t, c_prev[rows], gy[rows], ghn, gcn, d)
                ghn[...] = xp.matmul(d, wh)
                continue
            s = g[:, :s3]
            i, f, o, a = g[:, :units], g[:, units:u2], g[:, u2:s3], g[:, s3:]
            ghn += gy[rows]
            dc = t * t  # gc += gh * o * (1 - tanh(c)^2)
            xp.subtract(1, dc, out=dc)
            dc *= o
            dc *= ghn
            gcn += dc
            xp.multiply(gcn, a, out=d[:, :units])
            xp.multiply(gcn, c_prev[rows], out=d[:, units:u2])
            xp.multiply(ghn, t, out=d[:, u2:s3])
            ds = s * s  # sigmoid'(z) = s - s^2
            xp.subtract(s, ds, out=ds)
            d[:, :s3] *= ds
            da = d[:, s3:]
            xp.multiply(a, a, out=da)
            xp.subtract(1, da, out=da)
            da *= i
            da *= gcn
            gcn *= f
            ghn[...] = xp.matmul(d, wh)
        out = []
        for k in self.indexes:
            if k == 0:
                g = xp.matmul(ggate, w.astype(cdt, copy=False))
            elif k == 1:
                g = gh
            elif k == 2:
                g = gc
            elif k == 3:
                g = xp.matmul(ggate.T, x.astype(cdt, copy=False))
            elif k == 4:
                g = xp.matmul(ggate.T, h_prev)
            else:
                g = ggate.sum(axis=0)
            out.append(g.astype(dtype, copy=False))
        return tuple(out)

    def _compose(self, x, h0, c0, w, wh, b, gy, gh, gc):
        y, h, c = composed_layer(x, h0, c0, w, wh, b, self.batches, self.reverse)
        grads = chainer.grad([y, h, c], [x, h0, c0, w, wh, b], [gy, gh, gc],
                             enable_double_backprop=True)
        return tuple(grads[k] for k in self.indexes)


class _BlockStep:
    """One LSTM step on gate blocks ordered as :class:`NStepLSTMLayer` stacks them."""

    @staticmethod
    def step(x, h, c, wh, bh):
        F = chainer.functions
        i, f, o, a = F.split_axis(x + F.linear(h, wh), 4, axis=1)
        c = F.sigmoid(f) * c + F.sigmoid(i) * F.tanh(a)
        return F.sigmoid(o) * F.tanh(c), c


def composed_layer(x, h0, c0, w, wh, b, batches: Sequence[int], reverse: bool):
    """:class:`NStepLSTMLayer` composed of differentiable functions (its
    reference; used to differentiate its gradient)."""
    proj = chainer.functions.linear(x, w, b)
    return n_step_rnn.run_projected(_BlockStep, proj, batches, h0, c0, wh, None, reverse)


class _LSTMCell(n_step_rnn._Cell):
    n_weights = 8
    has_cell_state = True

    def layer(self, x, h, c, w, b, batches, reverse):
        F = chainer.functions
        wx = F.concat([w[k] for k in _GATE_ORDER], axis=0)
        wh = F.concat([w[k + 4] for k in _GATE_ORDER], axis=0)
        bias = (F.concat([b[k] for k in _GATE_ORDER], axis=0)
                + F.concat([b[k + 4] for k in _GATE_ORDER], axis=0))
        return NStepLSTMLayer(batches, reverse).apply((x, h, c, wx, wh, bias))


def n_step_lstm_base(n_layers: int, dropout_ratio: float, hx: Any, cx: Any,
                     ws: Sequence, bs: Sequence, xs: Sequence,
                     use_bi_direction: bool, **kwargs):
    """Stacked LSTM, one or two directions; returns ``(hy, cy, ys)``.

    See :func:`n_step_lstm` and :func:`n_step_bilstm`.
    """
    n_step_rnn._parse_kwargs(kwargs)
    return n_step_rnn.n_step_rnn_impl(_LSTMCell(), n_layers, dropout_ratio, hx, cx,
                                      ws, bs, xs, use_bi_direction)


def n_step_lstm(n_layers: int, dropout_ratio: float, hx: Any, cx: Any, ws: Sequence,
                bs: Sequence, xs: Sequence, **kwargs):
    """Stacked uni-directional LSTM over variable-length sequences.

    Each layer computes, with ``W0..W3`` on the input and ``W4..W7`` on the
    previous hidden state::

        i = sigmoid(W0 x + b0 + W4 h + b4)
        f = sigmoid(W1 x + b1 + W5 h + b5)
        a = tanh(W2 x + b2 + W6 h + b6)
        o = sigmoid(W3 x + b3 + W7 h + b7)
        c = f * c + i * a;  h = o * tanh(c)

    Dropout of ``dropout_ratio`` is applied to the input of each layer after
    the first in training mode.

    Args:
        n_layers: Number of layers.
        dropout_ratio: Dropout ratio of the inputs of the layers after the first.
        hx: Initial hidden states ``(n_layers, B, H)``, or None for zeros.
        cx: Initial cell states ``(n_layers, B, H)``, or None for zeros.
        ws: ``n_layers`` lists of eight weights; ``W0..W3`` are ``(H, I)`` (``I``
            the input size for the first layer, ``H`` after), ``W4..W7``
            ``(H, H)``.
        bs: ``n_layers`` lists of eight biases ``(H,)``.
        xs: ``B`` sequences ``(L_i, I)`` sorted by decreasing length.

    Returns:
        tuple: ``(hy, cy, ys)``: final hidden and cell states ``(n_layers, B,
        H)`` (after each sequence's last step) and a tuple of ``B`` outputs
        ``(L_i, H)`` of the last layer.
    """
    return n_step_lstm_base(n_layers, dropout_ratio, hx, cx, ws, bs, xs, False,
                            **kwargs)


def n_step_bilstm(n_layers: int, dropout_ratio: float, hx: Any, cx: Any,
                  ws: Sequence, bs: Sequence, xs: Sequence, **kwargs):
    """Stacked bidirectional LSTM over variable-length sequences.

    As :func:`n_step_lstm`, with a forward and a backward LSTM per layer:
    ``ws``, ``bs``, ``hx`` and ``cx`` hold ``2 * n_layers`` entries ordered
    ``[layer 0 forward, layer 0 backward, layer 1 forward, ...]``; the layers
    after the first read ``2 * H`` features; each output of ``ys`` is
    ``(L_i, 2 * H)``.
    """
    return n_step_lstm_base(n_layers, dropout_ratio, hx, cx, ws, bs, xs, True,
                            **kwargs)
