"""Multi-layer (optionally bidirectional) GRUs over variable-length sequences.

Each layer and direction runs as one :class:`NStepGRULayer` node: the input
projection of all steps is one matrix product, the recurrence one product per
step, and the backward pass walks time inside one :class:`NStepGRULayerGrad`
node with the weight gradients as one product over all steps.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Sequence

import chainer
from chainer.functions.rnn import n_step_rnn
from chainer.utils import array as array_utils

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class _GRUCell(n_step_rnn._Cell):
    n_weights = 6

    def input_params(self, w, b):
        F = chainer.functions
        return F.concat(list(w[:3]), axis=0), F.concat(list(b[:3]), axis=0)

    def hidden_params(self, w, b):
        F = chainer.functions
        return F.concat(list(w[3:]), axis=0), F.concat(list(b[3:]), axis=0)

    def step(self, x, h, c, wh, bh):
        F = chainer.functions
        xr, xz, xn = F.split_axis(x, 3, axis=1)
        hr, hz, hn = F.split_axis(F.linear(h, wh, bh), 3, axis=1)
        r = F.sigmoid(xr + hr)
        z = F.sigmoid(xz + hz)
        n = F.tanh(xn + r * hn)
        return n + z * (h - n), None

    def node(self, batches, reverse):
        return NStepGRULayer(batches, reverse)


class NStepGRULayer(n_step_rnn.LayerNode):
    """One layer and direction of an n-step GRU (see
    :class:`~chainer.functions.rnn.n_step_rnn.LayerNode`):
    ``(x, h0, w, wh, bx, bh) -> (y, h)``.

    ``w`` ``(3H, I)`` and ``bx`` ``(3H,)`` act on the input, ``wh`` ``(3H, H)``
    and ``bh`` ``(3H,)`` on the hidden state, each stacking the reset gate,
    update gate and candidate blocks.  Arguments as the base class.
    """

    _n_gates = 3
    _n_biases = 2
    _cell = _GRUCell

    def _forward_cell(self, xp, acts, wh, hidden_biases, prev, states):
        # The input projections of every row are replaced step by step by the
        # activations r, z, n; hn keeps W5 h + b5 of every row's step.
        bh, = hidden_biases
        h_prev, = prev
        units = h_prev.shape[1]
        u2 = 2 * units
        hn = xp.empty_like(h_prev)
        y = xp.empty_like(h_prev)

        def step(g, rows, n):
            hp = h_prev[rows]
            hh = xp.matmul(hp, wh.T)
            hh += bh
            rz = g[:, :u2]
            rz += hh[:, :u2]
            array_utils.sigmoid_inplace(rz)
            hnr = hn[rows]
            hnr[...] = hh[:, u2:]
            cand = g[:, u2:]
            cand += g[:, :units] * hnr
            xp.tanh(cand, out=cand)
            yr = y[rows]
            xp.subtract(hp, cand, out=yr)  # h = n + z (h_prev - n)
            yr *= g[:, units:u2]
            yr += cand
            return yr
        return y, (hn,), step


class NStepGRULayerGrad(n_step_rnn.LayerGradNode):
    """Gradient of :class:`NStepGRULayer`: ``(x, h0, w, wh, bx, bh, gy, gh)``
    to the gradients of ``(x, h0, w, wh, bx, bh)`` listed in ``indexes``;
    arguments as :class:`~chainer.functions.rnn.n_step_rnn.LayerGradNode`.
    ``saved`` is ``(acts, hn, h_prev)``: the activations ``r``, ``z``, ``n``
    of every row, ``W5 h + b5`` of every row's step, and the state each row's
    step started from.
    """

    _layer = NStepGRULayer

    def _backward_cell(self, xp, wh, gin, ghid, gstates):
        # gin: gradients of the input projections (r, z, n pre-activations);
        # ghid: of the hidden projections (the same but r * gn for n).
        _, hn, h_prev = self.saved
        gh, = gstates
        units = hn.shape[1]
        u2 = 2 * units

        def step(g, d, rows, n, gy):
            ghn = gh[:n]
            dh = ghid[rows]
            r, z, cand = g[:, :units], g[:, units:u2], g[:, u2:]
            ghn += gy
            hp = h_prev[rows]
            gn = d[:, u2:]  # gh (1 - z) (1 - n^2)
            xp.multiply(cand, cand, out=gn)
            xp.subtract(1, gn, out=gn)
            gn *= ghn
            gn -= gn * z
            gz = d[:, units:u2]  # gh (h_prev - n) z (1 - z)
            xp.subtract(hp, cand, out=gz)
            gz *= ghn
            dz = z * z
            xp.subtract(z, dz, out=dz)
            gz *= dz
            gr = d[:, :units]  # gn hn r (1 - r)
            xp.multiply(gn, hn[rows], out=gr)
            dr = r * r
            xp.subtract(r, dr, out=dr)
            gr *= dr
            dh[:, :u2] = d[:, :u2]
            xp.multiply(gn, r, out=dh[:, u2:])
            ghn *= z
            ghn += xp.matmul(dh, wh)
        return step


def composed_layer(x, h0, w, wh, bx, bh, batches: Sequence[int], reverse: bool):
    """:class:`NStepGRULayer` composed of differentiable functions (its
    reference; used to differentiate its gradient)."""
    return NStepGRULayer.composed((x, h0, w, wh, bx, bh), batches, reverse)


def n_step_gru_sequences(n_layers: int, dropout_ratio: float, hx: Any, ws: Sequence,
                         bs: Sequence, xs: Sequence, use_bi_direction: bool, **kwargs):
    """As :func:`n_step_gru_base` with ``xs`` and ``ys`` as sequences ``(L_i, I)``
    sorted by decreasing length (what the links call)."""
    n_step_rnn._parse_kwargs(kwargs)
    hy, _, ys = n_step_rnn.n_step_rnn_impl(_GRUCell(), n_layers, dropout_ratio, hx,
                                           None, ws, bs, xs, use_bi_direction)
    return hy, ys


def n_step_gru_base(n_layers: int, dropout_ratio: float, hx: Any, ws: Sequence,
                    bs: Sequence, xs: Sequence, use_bi_direction: bool, **kwargs):
    """Stacked GRU, one or two directions; returns ``(hy, ys)``.

    ``xs`` and ``ys`` are time-major as in Chainer (see :func:`n_step_gru`).
    """
    n_step_rnn._parse_kwargs(kwargs)
    hy, ys = n_step_gru_sequences(n_layers, dropout_ratio, hx, ws, bs,
                                  n_step_rnn.sequences_of(xs, hx), use_bi_direction,
                                  **kwargs)
    return hy, n_step_rnn.time_major(ys, len(xs))


def n_step_gru(n_layers: int, dropout_ratio: float, hx: VariableOrArray, ws: Sequence, bs: Sequence,
               xs: Sequence, **kwargs: Any) -> tuple[Variable, list[Variable]]:
    """Stacked uni-directional GRU over variable-length sequences.

    Each layer computes, with ``W0..W2`` on the input and ``W3..W5`` on the
    previous hidden state::

        r = sigmoid(W0 x + b0 + W3 h + b3)
        z = sigmoid(W1 x + b1 + W4 h + b4)
        n = tanh(W2 x + b2 + r * (W5 h + b5))
        h = (1 - z) * n + z * h

    The arguments are those of :func:`~chainer.functions.n_step_rnn` (without
    ``activation``), with six weights and biases per layer: ``W0..W2`` act on
    the input and ``W3..W5`` (``(H, H)``) on the hidden state.

    Returns:
        tuple: ``(hy, ys)``: final hidden states ``(n_layers, B, H)`` and the
        last layer's outputs, time-major as ``xs``: ``ys[t]`` ``(B_t, H)``.
    """
    n_step_rnn._parse_kwargs(kwargs)
    return n_step_gru_base(n_layers, dropout_ratio, hx, ws, bs, xs, False, **kwargs)


def n_step_bigru(n_layers: int, dropout_ratio: float, hx: VariableOrArray, ws: Sequence,
                 bs: Sequence, xs: Sequence, **kwargs: Any) -> tuple[Variable, list[Variable]]:
    """Stacked bidirectional GRU over variable-length sequences.

    As :func:`n_step_gru`, with a forward and a backward GRU per layer:
    ``ws``, ``bs`` and ``hx`` hold ``2 * n_layers`` entries ordered
    ``[layer 0 forward, layer 0 backward, layer 1 forward, ...]``; the layers
    after the first read ``2 * H`` features; each ``ys[t]`` is ``(B_t, 2 * H)``.
    """
    n_step_rnn._parse_kwargs(kwargs)
    return n_step_gru_base(n_layers, dropout_ratio, hx, ws, bs, xs, True, **kwargs)
