"""Multi-layer (optionally bidirectional) LSTMs over variable-length sequences."""
from __future__ import annotations

from typing import Any, Sequence

import chainer
from chainer.functions.rnn import n_step_rnn
from chainer.functions.rnn.lstm import lstm


def _stack_gates(ps: Sequence[Any]) -> Any:
    """Interleaves four ``(H, ...)`` per-gate parameters unit by unit into one
    ``(4 * H, ...)`` parameter, the layout :func:`~chainer.functions.lstm` reads."""
    F = chainer.functions
    s = F.stack(list(ps), axis=1)
    return F.reshape(s, (s.shape[0] * s.shape[1],) + tuple(s.shape[2:]))


class _LSTMCell(n_step_rnn._Cell):
    n_weights = 8
    has_cell_state = True

    # ws[0..3] act on the input as the input, forget, cell and output gates;
    # lstm() wants them in the order cell, input, forget, output.
    _ORDER = (2, 0, 1, 3)

    def input_params(self, w, b):
        o = self._ORDER
        bias = [b[k] + b[k + 4] for k in o]
        return _stack_gates([w[k] for k in o]), _stack_gates(bias)

    def hidden_params(self, w, b):
        return _stack_gates([w[k + 4] for k in self._ORDER]), None

    def step(self, x, h, c, wh, bh):
        c, h = lstm(c, x + chainer.functions.linear(h, wh))
        return h, c


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
