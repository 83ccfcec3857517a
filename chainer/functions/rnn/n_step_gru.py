"""Multi-layer (optionally bidirectional) GRUs over variable-length sequences.

Each layer and direction runs as one :class:`NStepGRULayer` node: the input
projection of all steps is one matrix product, the recurrence one product per
step, and the backward pass walks time inside one :class:`NStepGRULayerGrad`
node with the weight gradients as one product over all steps.
"""
from __future__ import annotations

from typing import Any, Sequence, Tuple

import chainer
from chainer import backend
from chainer import function_node
from chainer.functions import _composite
from chainer.functions.rnn import _gates
from chainer.functions.rnn import n_step_rnn
from chainer.utils import array as array_utils
from chainer.utils import type_check


class NStepGRULayer(function_node.FunctionNode):
    """One layer and direction of an n-step GRU over time-major rows:
    ``(x, h0, w, wh, bx, bh) -> (y, h)``.

    ``x`` ``(N, I)`` holds the steps one after another, step ``t`` being the
    next ``batches[t]`` rows (the leading sequences).  ``h0`` is ``(B, H)``;
    ``w`` ``(3H, I)`` and ``bx`` ``(3H,)`` act on the input, ``wh`` ``(3H, H)``
    and ``bh`` ``(3H,)`` on the hidden state, each stacking the reset gate,
    update gate and candidate blocks.  ``y`` ``(N, H)`` is the hidden state
    after every row's step; ``h`` the state after each sequence's last step.

    Args:
        batches: The number of rows of each step, in time order.
        reverse: Whether the steps run from the last to the first.
    """

    def __init__(self, batches: Sequence[int], reverse: bool = False) -> None:
        self.batches = tuple(int(n) for n in batches)
        self.reverse = reverse

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x', 'h0', 'w', 'wh', 'bx', 'bh'))
        x, h0, w, wh, bx, bh = in_types
        type_check.expect(
            x.dtype.kind == 'f',
            h0.dtype == x.dtype, w.dtype == x.dtype, wh.dtype == x.dtype,
            bx.dtype == x.dtype, bh.dtype == x.dtype,
            x.ndim == 2, h0.ndim == 2, w.ndim == 2, wh.ndim == 2,
            bx.ndim == 1, bh.ndim == 1,
            x.shape[0] == sum(self.batches),
            h0.shape[0] >= max(self.batches, default=0),
            w.shape[0] == 3 * h0.shape[1],
            w.shape[1] == x.shape[1],
            wh.shape[0] == w.shape[0],
            wh.shape[1] == h0.shape[1],
            bx.shape[0] == w.shape[0],
            bh.shape[0] == w.shape[0],
        )

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2, 3, 4, 5))
        dtype = inputs[0].dtype
        x, h0, w, wh, bx, bh = [array_utils.as_compute(a) for a in inputs]
        xp = backend.get_array_module(x)
        n_rows, units = x.shape[0], h0.shape[1]
        u2 = 2 * units
        # acts: the input projections of every row, replaced step by step by
        # the activations r, z, n; hn: W5 h + b5 of every row's step; h_prev:
        # the state each row's step started from.
        acts = xp.matmul(x, w.T)
        acts += bx
        hn = xp.empty((n_rows, units), acts.dtype)
        h_prev = xp.empty_like(hn)
        y = xp.empty_like(hn)
        h = h0.astype(acts.dtype, copy=True)
        wh_t = wh.T
        for start, n in n_step_rnn.step_spans(self.batches, self.reverse):
            rows = slice(start, start + n)
            hp = h_prev[rows]
            hp[...] = h[:n]
            g = acts[rows]
            hh = xp.matmul(hp, wh_t)
            hh += bh
            rz = g[:, :u2]
            rz += hh[:, :u2]
            _gates.sigmoid_inplace(rz)
            hnr = hn[rows]
            hnr[...] = hh[:, u2:]
            cand = g[:, u2:]
            cand += g[:, :units] * hnr
            xp.tanh(cand, out=cand)
            yr = y[rows]
            xp.subtract(hp, cand, out=yr)  # h = n + z (h_prev - n)
            yr *= g[:, units:u2]
            yr += cand
            h[:n] = yr
        self._saved = (acts, hn, h_prev)
        return y.astype(dtype, copy=False), h.astype(dtype, copy=False)

    def backward(self, indexes, grad_outputs):
        inputs = self.get_retained_inputs()
        x, h0 = inputs[0], inputs[1]
        gy, gh = grad_outputs
        if gy is None:
            gy = _gates.zeros_var((x.shape[0], h0.shape[1]), h0)
        gh = _gates.zeros_like_or(gh, h0)
        grad = NStepGRULayerGrad(self.batches, self.reverse, indexes, self._saved)
        return grad.apply(inputs + (gy, gh))


class NStepGRULayerGrad(_composite.CompositeNode):
    """Gradient of :class:`NStepGRULayer`: ``(x, h0, w, wh, bx, bh, gy, gh)``
    to the gradients of ``(x, h0, w, wh, bx, bh)`` listed in ``indexes``.

    The forward pass runs backpropagation through time on arrays; its own
    gradient differentiates the layer composed of differentiable functions.

    Args:
        batches: The number of rows of each step, in time order.
        reverse: Whether the layer ran the steps from the last to the first.
        indexes: Which input gradients to compute (positions in ``(x, h0, w,
            wh, bx, bh)``).
        saved: ``(acts, hn, h_prev)`` arrays of the layer's forward pass
            (compute dtype): the activations ``r``, ``z``, ``n`` of every row,
            ``W5 h + b5`` of every row's step, and the state each row's step
            started from.
    """

    def __init__(self, batches: Sequence[int], reverse: bool, indexes: Sequence[int],
                 saved: Tuple[Any, Any, Any]) -> None:
        self.batches = tuple(batches)
        self.reverse = reverse
        self.indexes = tuple(indexes)
        self.saved = saved

    def forward(self, inputs):
        self.retain_inputs(tuple(range(len(inputs))))
        dtype = inputs[0].dtype
        x, h0, w, wh, bx, bh, gy, gh_last = [array_utils.as_compute(a) for a in inputs]
        xp = backend.get_array_module(x)
        acts, hn, h_prev = self.saved
        units = h0.shape[1]
        u2 = 2 * units
        cdt = acts.dtype
        # gin: gradients of the input projections (r, z, n pre-activations);
        # ghid: of the hidden projections (the same but r * gn for n).
        gin = xp.empty_like(acts)
        ghid = xp.empty_like(acts)
        gh = gh_last.astype(cdt, copy=True)
        gy = gy.astype(cdt, copy=False)
        wh = wh.astype(cdt, copy=False)
        for start, n in reversed(n_step_rnn.step_spans(self.batches, self.reverse)):
            rows = slice(start, start + n)
            g, d, dh = acts[rows], gin[rows], ghid[rows]
            r, z, cand = g[:, :units], g[:, units:u2], g[:, u2:]
            ghn = gh[:n]
            ghn += gy[rows]
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
        out = []
        for k in self.indexes:
            if k == 0:
                g = xp.matmul(gin, w.astype(cdt, copy=False))
            elif k == 1:
                g = gh
            elif k == 2:
                g = xp.matmul(gin.T, x.astype(cdt, copy=False))
            elif k == 3:
                g = xp.matmul(ghid.T, h_prev)
            elif k == 4:
                g = gin.sum(axis=0)
            else:
                g = ghid.sum(axis=0)
            out.append(g.astype(dtype, copy=False))
        return tuple(out)

    def _compose(self, x, h0, w, wh, bx, bh, gy, gh):
        y, h = composed_layer(x, h0, w, wh, bx, bh, self.batches, self.reverse)
        grads = chainer.grad([y, h], [x, h0, w, wh, bx, bh], [gy, gh],
                             enable_double_backprop=True)
        return tuple(grads[k] for k in self.indexes)


def composed_layer(x, h0, w, wh, bx, bh, batches: Sequence[int], reverse: bool):
    """:class:`NStepGRULayer` composed of differentiable functions (its
    reference; used to differentiate its gradient)."""
    proj = chainer.functions.linear(x, w, bx)
    y, h, _ = n_step_rnn.run_projected(_GRUCell(), proj, batches, h0, None, wh, bh, reverse)
    return y, h


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

    def layer(self, x, h, c, w, b, batches, reverse):
        wx, bx = self.input_params(w, b)
        wh, bh = self.hidden_params(w, b)
        y, h = NStepGRULayer(batches, reverse).apply((x, h, wx, wh, bx, bh))
        return y, h, None


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
