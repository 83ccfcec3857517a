"""Multi-layer (optionally bidirectional) LSTMs over variable-length sequences.

Each layer and direction runs as one :class:`NStepLSTMLayer` node: the input
projection of all steps is one matrix product, the recurrence one product per
step on preallocated buffers, and the backward pass walks time inside one
:class:`NStepLSTMLayerGrad` node with the weight gradients as one product over
all steps.  On NumPy each step keeps its gate activations gate-major, so that
the step math runs on contiguous blocks.
"""
from __future__ import annotations

import itertools
from typing import TYPE_CHECKING, Any, Sequence

import numpy

import chainer
from chainer.backends import cuda
from chainer.functions.rnn import n_step_rnn
from chainer.utils import array as array_utils

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

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


class _LSTMCell(n_step_rnn._Cell):
    """The LSTM cell; its stacked weights and steps take the gate blocks in the
    order of :class:`NStepLSTMLayer`."""

    n_weights = 8
    has_cell_state = True

    def input_params(self, w, b):
        F = chainer.functions
        return (F.concat([w[k] for k in _GATE_ORDER], axis=0),
                n_step_rnn.summed_bias(F.concat([b[k] for k in _GATE_ORDER], axis=0),
                                       F.concat([b[k + 4] for k in _GATE_ORDER], axis=0)))

    def hidden_params(self, w, b):
        return chainer.functions.concat([w[k + 4] for k in _GATE_ORDER], axis=0), None

    def step(self, x, h, c, wh, bh):
        F = chainer.functions
        i, f, o, a = F.split_axis(x + F.linear(h, wh), 4, axis=1)
        c = F.sigmoid(f) * c + F.sigmoid(i) * F.tanh(a)
        return F.sigmoid(o) * F.tanh(c), c

    def node(self, batches, reverse):
        return NStepLSTMLayer(batches, reverse)


class NStepLSTMLayer(n_step_rnn.LayerNode):
    """One layer and direction of an n-step LSTM (see
    :class:`~chainer.functions.rnn.n_step_rnn.LayerNode`):
    ``(x, h0, c0, w, wh, b) -> (y, h, c)``.

    ``w`` ``(4H, I)``, ``wh`` ``(4H, H)`` and ``b`` ``(4H,)`` stack the gates in
    blocks ordered input, forget, output, cell input; ``c0`` and ``c`` are the
    cell states.  Arguments as the base class.
    """

    _n_gates = 4
    _n_states = 2
    _cell = _LSTMCell

    def _project(self, xp, x, w, b):
        if xp is not numpy:
            return super()._project(xp, x, w, b)
        # Each step's block of rows holds its gates gate-major, (4, n, H): each
        # gate a contiguous (n, H) array, on which NumPy runs the step math
        # faster than on the strided gate columns of (n, 4H) rows.  The product
        # is the row-major one (the same values), moved in place a run of equal
        # steps at a time with the bias added in that pass (NumPy reads the run
        # through a copy of its own, as the output overlaps it).
        acts = xp.matmul(x, w.T)
        units = w.shape[0] // 4
        b4 = b.reshape(4, 1, units)
        start = 0
        for n, run in itertools.groupby(self.batches):
            k = len(list(run))
            block = acts[start:start + k * n]
            numpy.add(block.reshape(k, n, 4, units).transpose(0, 2, 1, 3), b4,
                      out=block.reshape(k, 4, n, units))
            start += k * n
        return acts

    def _forward_cell(self, xp, acts, wh, hidden_biases, prev, states):
        # The gate pre-activations of every row are activated in place step by
        # step.
        h_prev, c_prev = prev
        c = states[1]
        units = c.shape[1]
        tanh_c = xp.empty_like(h_prev)
        y = xp.empty_like(h_prev)

        def step(g, rows, n):
            hp, cp = h_prev[rows], c_prev[rows]
            cn, t, yr = c[:n], tanh_c[rows], y[rows]
            if xp is not numpy:
                g += xp.matmul(hp, wh.T)
                _step_forward_kernel()(units, cp, g, cn, t, yr)
                return yr
            g = g.reshape(4, n, units)  # gate-major (see _project)
            g += xp.matmul(hp, wh.T).reshape(n, 4, units).transpose(1, 0, 2)
            i, f, o, a = g
            array_utils.sigmoid_inplace(g[:3])
            xp.tanh(a, out=a)
            xp.multiply(f, cp, out=cn)
            cn += i * a
            xp.tanh(cn, out=t)
            xp.multiply(o, t, out=yr)
            return yr
        return y, (tanh_c,), step


class NStepLSTMLayerGrad(n_step_rnn.LayerGradNode):
    """Gradient of :class:`NStepLSTMLayer`: ``(x, h0, c0, w, wh, b, gy, gh, gc)``
    to the gradients of ``(x, h0, c0, w, wh, b)`` listed in ``indexes``;
    arguments as :class:`~chainer.functions.rnn.n_step_rnn.LayerGradNode`.
    ``saved`` is ``(acts, tanh_c, h_prev, c_prev)``: gate activations of every
    row (blocks input, forget, output, cell input; on NumPy each step's rows
    gate-major, see :meth:`NStepLSTMLayer._project`), ``tanh`` of the new cell
    state, and the hidden and cell state each row's step started from.
    """

    _layer = NStepLSTMLayer

    def _backward_cell(self, xp, wh, gin, ghid, gstates):
        _, tanh_c, _, c_prev = self.saved
        gh, gc = gstates
        units = tanh_c.shape[1]
        if xp is numpy:
            # Gate-major scratch of the widest step, reused by every step: the
            # gate gradients are computed there on contiguous blocks, then moved
            # into the row-major rows of gin in one copy.
            size = gh.shape[0] * units
            d_buf = numpy.empty(4 * size, gin.dtype)
            pre_buf = numpy.empty(3 * size, gin.dtype)

        def step(g, d, rows, n, gy):
            t = tanh_c[rows]
            ghn, gcn = gh[:n], gc[:n]
            if xp is not numpy:
                _step_backward_kernel()(units, g, t, c_prev[rows], gy, ghn, gcn, d)
                ghn[...] = xp.matmul(d, wh)
                return
            g = g.reshape(4, n, units)  # the gate-major activations
            i, f, o, a = g
            ghn += gy
            dc = t * t  # gc += gh * o * (1 - tanh(c)^2)
            xp.subtract(1, dc, out=dc)
            dc *= o
            dc *= ghn
            gcn += dc
            m = n * units
            d4 = d_buf[:4 * m].reshape(4, n, units)
            # The sigmoid gates: what reaches each activation times s - s^2.
            s = g[:3]
            ds = d4[:3]
            xp.multiply(s, s, out=ds)
            xp.subtract(s, ds, out=ds)
            pre = pre_buf[:3 * m].reshape(3, n, units)
            xp.multiply(gcn, a, out=pre[0])
            xp.multiply(gcn, c_prev[rows], out=pre[1])
            xp.multiply(ghn, t, out=pre[2])
            ds *= pre
            da = d4[3]  # the cell input: gc * i * (1 - a^2)
            xp.multiply(a, a, out=da)
            xp.subtract(1, da, out=da)
            da *= i
            da *= gcn
            d.reshape(n, 4, units)[...] = d4.transpose(1, 0, 2)
            gcn *= f
            xp.matmul(d, wh, out=ghn)  # ghn: leading rows of gh, C-contiguous
        return step


def composed_layer(x, h0, c0, w, wh, b, batches: Sequence[int], reverse: bool):
    """:class:`NStepLSTMLayer` composed of differentiable functions (its
    reference; used to differentiate its gradient)."""
    return NStepLSTMLayer.composed((x, h0, c0, w, wh, b), batches, reverse)


def n_step_lstm_sequences(n_layers: int, dropout_ratio: float, hx: Any, cx: Any,
                          ws: Sequence, bs: Sequence, xs: Sequence,
                          use_bi_direction: bool, **kwargs):
    """As :func:`n_step_lstm_base` with ``xs`` and ``ys`` as sequences ``(L_i, I)``
    sorted by decreasing length (what the links call)."""
    n_step_rnn._parse_kwargs(kwargs)
    return n_step_rnn.n_step_rnn_impl(_LSTMCell(), n_layers, dropout_ratio, hx, cx,
                                      ws, bs, xs, use_bi_direction)


def n_step_lstm_base(n_layers: int, dropout_ratio: float, hx: Any, cx: Any,
                     ws: Sequence, bs: Sequence, xs: Sequence,
                     use_bi_direction: bool, **kwargs):
    """Stacked LSTM, one or two directions; returns ``(hy, cy, ys)``.

    ``xs`` and ``ys`` are time-major as in Chainer (see :func:`n_step_lstm`).
    """
    n_step_rnn._parse_kwargs(kwargs)
    hy, cy, ys = n_step_lstm_sequences(n_layers, dropout_ratio, hx, cx, ws, bs,
                                       n_step_rnn.sequences_of(xs, hx), use_bi_direction,
                                       **kwargs)
    return hy, cy, n_step_rnn.time_major(ys, len(xs))


def n_step_lstm(n_layers: int, dropout_ratio: float, hx: VariableOrArray, cx: VariableOrArray,
                ws: Sequence, bs: Sequence, xs: Sequence,
                **kwargs: Any) -> tuple[Variable, Variable, list[Variable]]:
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
        xs: Time-major inputs: ``xs[t]`` ``(B_t, I)`` holds step ``t`` of the
            sequences longer than ``t``, ``B_t`` non-increasing (sort the
            sequences by decreasing length and apply
            :func:`~chainer.functions.transpose_sequence`).

    Returns:
        tuple: ``(hy, cy, ys)``: final hidden and cell states ``(n_layers, B,
        H)`` (after each sequence's last step) and the last layer's outputs,
        time-major as ``xs``: ``ys[t]`` ``(B_t, H)``.
    """
    n_step_rnn._parse_kwargs(kwargs)
    return n_step_lstm_base(n_layers, dropout_ratio, hx, cx, ws, bs, xs, False,
                            **kwargs)


def n_step_bilstm(n_layers: int, dropout_ratio: float, hx: VariableOrArray, cx: VariableOrArray,
                  ws: Sequence, bs: Sequence, xs: Sequence,
                  **kwargs: Any) -> tuple[Variable, Variable, list[Variable]]:
    """Stacked bidirectional LSTM over variable-length sequences.

    As :func:`n_step_lstm`, with a forward and a backward LSTM per layer:
    ``ws``, ``bs``, ``hx`` and ``cx`` hold ``2 * n_layers`` entries ordered
    ``[layer 0 forward, layer 0 backward, layer 1 forward, ...]``; the layers
    after the first read ``2 * H`` features; each ``ys[t]`` is ``(B_t, 2 * H)``.
    """
    n_step_rnn._parse_kwargs(kwargs)
    return n_step_lstm_base(n_layers, dropout_ratio, hx, cx, ws, bs, xs, True,
                            **kwargs)
