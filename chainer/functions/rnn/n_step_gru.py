"""Multi-layer (optionally bidirectional) GRUs over variable-length sequences."""
from __future__ import annotations

from typing import Any, Sequence

import chainer
from chainer.functions.rnn import n_step_rnn


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


def n_step_gru_base(n_layers: int, dropout_ratio: float, hx: Any, ws: Sequence,
                    bs: Sequence, xs: Sequence, use_bi_direction: bool, **kwargs):
    """Stacked GRU, one or two directions; returns ``(hy, ys)``.

    See :func:`n_step_gru` and :func:`n_step_bigru`.
    """
    n_step_rnn._parse_kwargs(kwargs)
    hy, _, ys = n_step_rnn.n_step_rnn_impl(_GRUCell(), n_layers, dropout_ratio, hx,
                                           None, ws, bs, xs, use_bi_direction)
    return hy, ys


def n_step_gru(n_layers: int, dropout_ratio: float, hx: Any, ws: Sequence,
               bs: Sequence, xs: Sequence, **kwargs):
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
        tuple: ``(hy, ys)``: final hidden states ``(n_layers, B, H)`` and a
        tuple of ``B`` outputs ``(L_i, H)`` of the last layer.
    """
    return n_step_gru_base(n_layers, dropout_ratio, hx, ws, bs, xs, False, **kwargs)


def n_step_bigru(n_layers: int, dropout_ratio: float, hx: Any, ws: Sequence,
                 bs: Sequence, xs: Sequence, **kwargs):
    """Stacked bidirectional GRU over variable-length sequences.

    As :func:`n_step_gru`, with a forward and a backward GRU per layer:
    ``ws``, ``bs`` and ``hx`` hold ``2 * n_layers`` entries ordered
    ``[layer 0 forward, layer 0 backward, layer 1 forward, ...]``; the layers
    after the first read ``2 * H`` features; each output of ``ys`` is
    ``(L_i, 2 * H)``.
    """
    return n_step_gru_base(n_layers, dropout_ratio, hx, ws, bs, xs, True, **kwargs)
