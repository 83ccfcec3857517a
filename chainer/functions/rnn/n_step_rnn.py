"""Multi-layer (optionally bidirectional) Elman RNNs over variable-length sequences,
and the shared driver of every ``n_step_*`` function.

Sequences arrive batch-major (a list of ``(L_i, in_size)`` arrays sorted by
decreasing length).  The driver lays them out time-major in one array, so that
each layer projects the inputs of all steps with one matrix product; only the
recurrent product runs once per time step.
"""
from __future__ import annotations

from typing import Any, Callable, List, Optional, Sequence, Tuple

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer.functions import _composite
from chainer.functions.rnn import _gates
from chainer.utils import argument
from chainer.utils import array as array_utils
from chainer.utils import type_check

_TRAIN_REMOVED = ('train argument is not supported anymore. '
                  'Use chainer.using_config')
_CUDNN_REMOVED = ('use_cudnn argument is not supported anymore. '
                  'Use chainer.using_config')


def _parse_kwargs(kwargs: dict) -> None:
    argument.parse_kwargs(kwargs, train=_TRAIN_REMOVED, use_cudnn=_CUDNN_REMOVED)


class _Cell:
    """How one kind of recurrent cell uses its weights.

    ``n_weights`` is the number of weight matrices (and of biases) per layer and
    direction; the first half act on the layer input, the second half on the
    hidden state.
    """

    n_weights = 0
    has_cell_state = False

    def input_params(self, w: Sequence[Any], b: Sequence[Any]) -> Tuple[Any, Any]:
        """Stacked input weight and bias for the projection of all steps at once."""
        raise NotImplementedError

    def hidden_params(self, w: Sequence[Any], b: Sequence[Any]) -> Tuple[Any, Any]:
        """Stacked hidden-state weight and bias (either may be None)."""
        raise NotImplementedError

    def step(self, x: Any, h: Any, c: Any, wh: Any, bh: Any) -> Tuple[Any, Any]:
        """``(h, c)`` after one step; ``x`` is the projected input of the step."""
        raise NotImplementedError

    def layer(self, x: Any, h: Any, c: Any, w: Sequence[Any], b: Sequence[Any],
              batches: List[int], reverse: bool) -> Tuple[Any, Any, Any]:
        """Runs one layer in one direction over the time-major rows ``x``.

        Step ``t`` reads the next ``batches[t]`` rows of ``x`` (the leading
        sequences); ``reverse`` runs the steps from the last to the first.
        Returns ``(y, h, c)``: the output of every row (time-major, as ``x``)
        and the final states of every sequence (``c`` None without cell state).
        """
        return run_layer(self, x, h, c, w, b, batches, reverse)


class _ElmanCell(_Cell):
    n_weights = 2

    def __init__(self, activation: str) -> None:
        self.activation_name = activation
        self.activation = _activation(activation)

    def input_params(self, w, b):
        return w[0], b[0] + b[1]

    def hidden_params(self, w, b):
        return w[1], None

    def step(self, x, h, c, wh, bh):
        return self.activation(x + chainer.functions.linear(h, wh)), None

    def layer(self, x, h, c, w, b, batches, reverse):
        wx, bx = self.input_params(w, b)
        node = NStepRNNLayer(batches, reverse, self.activation_name)
        y, h = node.apply((x, h, wx, w[1], bx))
        return y, h, None


def _activation(name: str) -> Callable:
    F = chainer.functions
    if name == 'tanh':
        return F.tanh
    if name == 'relu':
        return F.relu
    raise ValueError(f'Invalid activation: "{name}". Please select from [tanh, relu]')


class NStepRNNLayer(function_node.FunctionNode):
    """One layer and direction of an n-step Elman RNN over time-major rows:
    ``(x, h0, w, wh, b) -> (y, h)`` with ``h_t = f(w x_t + b + wh h_{t-1})``.

    ``x`` ``(N, I)`` holds the steps one after another, step ``t`` being the
    next ``batches[t]`` rows (the leading sequences).  ``h0`` is ``(B, H)``,
    ``w`` ``(H, I)``, ``wh`` ``(H, H)``, ``b`` ``(H,)``.  ``y`` ``(N, H)`` is the
    hidden state after every row's step; ``h`` the state after each sequence's
    last step.

    Args:
        batches: The number of rows of each step, in time order.
        reverse: Whether the steps run from the last to the first.
        activation: ``'tanh'`` or ``'relu'``.
    """

    def __init__(self, batches: Sequence[int], reverse: bool = False,
                 activation: str = 'tanh') -> None:
        _activation(activation)
        self.batches = tuple(int(n) for n in batches)
        self.reverse = reverse
        self.activation = activation

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x', 'h0', 'w', 'wh', 'b'))
        x, h0, w, wh, b = in_types
        type_check.expect(
            x.dtype.kind == 'f',
            h0.dtype == x.dtype, w.dtype == x.dtype, wh.dtype == x.dtype,
            b.dtype == x.dtype,
            x.ndim == 2, h0.ndim == 2, w.ndim == 2, wh.ndim == 2, b.ndim == 1,
            x.shape[0] == sum(self.batches),
            h0.shape[0] >= max(self.batches, default=0),
            w.shape[0] == h0.shape[1],
            w.shape[1] == x.shape[1],
            wh.shape[0] == h0.shape[1],
            wh.shape[1] == h0.shape[1],
            b.shape[0] == h0.shape[1],
        )

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2, 3, 4))
        dtype = inputs[0].dtype
        x, h0, w, wh, b = [array_utils.as_compute(a) for a in inputs]
        xp = backend.get_array_module(x)
        # y: the input projections of every row, replaced step by step by the
        # new states; h_prev: the state each row's step started from.
        y = xp.matmul(x, w.T)
        y += b
        h_prev = xp.empty_like(y)
        h = h0.astype(y.dtype, copy=True)
        wh_t = wh.T
        for start, n in step_spans(self.batches, self.reverse):
            rows = slice(start, start + n)
            hp = h_prev[rows]
            hp[...] = h[:n]
            g = y[rows]
            g += xp.matmul(hp, wh_t)
            if self.activation == 'tanh':
                xp.tanh(g, out=g)
            else:
                xp.maximum(g, 0, out=g)
            h[:n] = g
        self._saved = (y, h_prev)
        return y.astype(dtype), h.astype(dtype, copy=False)

    def backward(self, indexes, grad_outputs):
        inputs = self.get_retained_inputs()
        x, h0 = inputs[0], inputs[1]
        gy, gh = grad_outputs
        if gy is None:
            gy = _gates.zeros_var((x.shape[0], h0.shape[1]), h0)
        gh = _gates.zeros_like_or(gh, h0)
        grad = NStepRNNLayerGrad(self.batches, self.reverse, self.activation, indexes,
                                 self._saved)
        return grad.apply(inputs + (gy, gh))


class NStepRNNLayerGrad(_composite.CompositeNode):
    """Gradient of :class:`NStepRNNLayer`: ``(x, h0, w, wh, b, gy, gh)`` to the
    gradients of ``(x, h0, w, wh, b)`` listed in ``indexes``.

    The forward pass runs backpropagation through time on arrays; its own
    gradient differentiates the layer composed of differentiable functions.

    Args:
        batches: The number of rows of each step, in time order.
        reverse: Whether the layer ran the steps from the last to the first.
        activation: ``'tanh'`` or ``'relu'``.
        indexes: Which input gradients to compute (positions in ``(x, h0, w,
            wh, b)``).
        saved: ``(y, h_prev)`` arrays of the layer's forward pass (compute
            dtype): the new state of every row and the state its step started
            from.
    """

    def __init__(self, batches: Sequence[int], reverse: bool, activation: str,
                 indexes: Sequence[int], saved: Tuple[Any, Any]) -> None:
        self.batches = tuple(batches)
        self.reverse = reverse
        self.activation = activation
        self.indexes = tuple(indexes)
        self.saved = saved

    def forward(self, inputs):
        self.retain_inputs(tuple(range(len(inputs))))
        dtype = inputs[0].dtype
        x, h0, w, wh, b, gy, gh_last = [array_utils.as_compute(a) for a in inputs]
        xp = backend.get_array_module(x)
        y, h_prev = self.saved
        cdt = y.dtype
        # Gradient of the pre-activation of every row.
        gpre = xp.empty_like(y)
        gh = gh_last.astype(cdt, copy=True)
        gy = gy.astype(cdt, copy=False)
        wh = wh.astype(cdt, copy=False)
        for start, n in reversed(step_spans(self.batches, self.reverse)):
            rows = slice(start, start + n)
            ghn, d, yr = gh[:n], gpre[rows], y[rows]
            ghn += gy[rows]
            if self.activation == 'tanh':
                xp.multiply(yr, yr, out=d)
                xp.subtract(1, d, out=d)
                d *= ghn
            else:
                xp.multiply(ghn, yr > 0, out=d)
            ghn[...] = xp.matmul(d, wh)
        out = []
        for k in self.indexes:
            if k == 0:
                g = xp.matmul(gpre, w.astype(cdt, copy=False))
            elif k == 1:
                g = gh
            elif k == 2:
                g = xp.matmul(gpre.T, x.astype(cdt, copy=False))
            elif k == 3:
                g = xp.matmul(gpre.T, h_prev)
            else:
                g = gpre.sum(axis=0)
            out.append(g.astype(dtype, copy=False))
        return tuple(out)

    def _compose(self, x, h0, w, wh, b, gy, gh):
        y, h = composed_layer(x, h0, w, wh, b, self.batches, self.reverse, self.activation)
        grads = chainer.grad([y, h], [x, h0, w, wh, b], [gy, gh],
                             enable_double_backprop=True)
        return tuple(grads[k] for k in self.indexes)


def composed_layer(x, h0, w, wh, b, batches: Sequence[int], reverse: bool,
                   activation: str = 'tanh'):
    """:class:`NStepRNNLayer` composed of differentiable functions (its
    reference; used to differentiate its gradient)."""
    proj = chainer.functions.linear(x, w, b)
    y, h, _ = run_projected(_ElmanCell(activation), proj, batches, h0, None, wh, None,
                            reverse)
    return y, h


def _as_var(x: Any) -> Any:
    return x if isinstance(x, chainer.Variable) else chainer.Variable(x, requires_grad=False)


def _check_inputs(cell: _Cell, n_layers: int, n_dirs: int, hx: Any, cx: Any,
                  ws: Sequence, bs: Sequence, xs: Sequence) -> None:
    if len(xs) == 0:
        raise ValueError('xs must contain at least one sequence')
    lengths = [len(x) for x in xs]
    if any(p < n for p, n in zip(lengths, lengths[1:])):
        raise type_check.InvalidType(
            'xs sorted by decreasing length', f'lengths {lengths}',
            f'xs must be sorted by decreasing length; got lengths {lengths}')
    dtype = xs[0].dtype
    if dtype.kind != 'f':
        raise type_check.InvalidType('xs[0].dtype.kind == f', f'dtype {dtype}')
    in_size = xs[0].shape[1:] if xs[0].ndim == 2 else None
    for i, x in enumerate(xs):
        if x.ndim != 2 or x.dtype != dtype or x.shape[1:] != in_size:
            raise type_check.InvalidType(
                f'xs[{i}]: 2-d, dtype {dtype}, {in_size} features',
                f'shape {x.shape}, dtype {x.dtype}')
    n_cells = n_layers * n_dirs
    if len(ws) != n_cells or len(bs) != n_cells:
        raise ValueError(
            f'ws and bs need {n_cells} entries for {n_layers} layers '
            f'({n_dirs} direction(s)); got {len(ws)} and {len(bs)}')
    for i, (w, b) in enumerate(zip(ws, bs)):
        if len(w) != cell.n_weights or len(b) != cell.n_weights:
            raise ValueError(
                f'ws[{i}] and bs[{i}] need {cell.n_weights} entries each; '
                f'got {len(w)} and {len(b)}')
        for a in list(w) + list(b):
            if a.dtype != dtype:
                raise type_check.InvalidType(f'weights of dtype {dtype}', f'{a.dtype}')
    units = ws[0][-1].shape[0]
    for name, s in (('hx', hx), ('cx', cx)):
        if s is None:
            continue
        if s.dtype != dtype:
            raise type_check.InvalidType(f'{name}.dtype == {dtype}', f'{s.dtype}')
        if s.shape != (n_cells, len(xs), units):
            raise type_check.InvalidType(
                f'{name}.shape == {(n_cells, len(xs), units)}', f'{s.shape}')


def _time_major_index(lengths: numpy.ndarray) -> Tuple[numpy.ndarray, List[int]]:
    """Rows of ``concat(xs)`` in time-major order, and the batch size of each step."""
    steps = int(lengths[0]) if len(lengths) else 0
    offsets = numpy.concatenate([[0], numpy.cumsum(lengths)[:-1]])
    t = numpy.arange(steps)[:, None]
    active = lengths[None, :] > t
    index = (offsets[None, :] + t)[active]
    return index.astype(numpy.int32), active.sum(axis=1).tolist()


def _run_direction(cell: _Cell, steps_in: List[Any], batches: List[int],
                   h: Any, c: Any, wh: Any, bh: Any, reverse: bool):
    """Runs one layer in one direction; returns the outputs per step (time order)
    and the final ``h`` and ``c`` of every sequence."""
    F = chainer.functions
    order = range(len(steps_in) - 1, -1, -1) if reverse else range(len(steps_in))
    parked_h: List[Any] = []
    parked_c: List[Any] = []
    outs: List[Any] = [None] * len(steps_in)
    for t in order:
        n = batches[t]
        rows = h.shape[0]
        if n < rows:
            h, rest = F.split_axis(h, [n], axis=0)
            parked_h.insert(0, rest)
            if c is not None:
                c, rest = F.split_axis(c, [n], axis=0)
                parked_c.insert(0, rest)
        elif n > rows:
            take, keep = F.split_axis(parked_h[0], [n - rows], axis=0)
            h = F.concat([h, take], axis=0)
            parked_h[0] = keep
            if c is not None:
                take, keep = F.split_axis(parked_c[0], [n - rows], axis=0)
                c = F.concat([c, take], axis=0)
                parked_c[0] = keep
        h, c = cell.step(steps_in[t], h, c, wh, bh)
        outs[t] = h
    if parked_h:
        h = F.concat([h] + parked_h, axis=0)
        if c is not None:
            c = F.concat([c] + parked_c, axis=0)
    return outs, h, c


def step_spans(batches: Sequence[int], reverse: bool) -> List[Tuple[int, int]]:
    """``(first row, rows)`` of every step of time-major rows (step ``t`` has
    ``batches[t]`` rows), in the order a layer runs the steps."""
    spans = []
    start = 0
    for n in batches:
        spans.append((start, n))
        start += n
    return spans[::-1] if reverse else spans


def run_layer(cell: _Cell, x: Any, h: Any, c: Any, w: Sequence[Any], b: Sequence[Any],
              batches: List[int], reverse: bool) -> Tuple[Any, Any, Any]:
    """:meth:`_Cell.layer` composed of differentiable functions: the input
    projection of all steps in one product, then :meth:`_Cell.step` per step."""
    wx, bx = cell.input_params(w, b)
    wh, bh = cell.hidden_params(w, b)
    proj = chainer.functions.linear(x, wx, bx)
    return run_projected(cell, proj, batches, h, c, wh, bh, reverse)


def run_projected(cell: Any, proj: Any, batches: Sequence[int], h: Any, c: Any, wh: Any,
                  bh: Any, reverse: bool) -> Tuple[Any, Any, Any]:
    """Runs ``cell.step`` over the projected time-major rows ``proj`` (step ``t``
    takes the next ``batches[t]`` rows); returns ``(y, h, c)`` as
    :meth:`_Cell.layer`."""
    F = chainer.functions
    split_at = numpy.cumsum(batches)[:-1].tolist()
    steps_in = list(F.split_axis(proj, split_at, axis=0)) if split_at else [proj]
    outs, h, c = _run_direction(cell, steps_in, list(batches), h, c, wh, bh, reverse)
    return (F.concat(outs, axis=0) if len(outs) > 1 else outs[0]), h, c


def n_step_rnn_impl(cell: _Cell, n_layers: int, dropout_ratio: float, hx: Any,
                    cx: Optional[Any], ws: Sequence, bs: Sequence, xs: Sequence,
                    use_bi_direction: bool):
    """Runs ``n_layers`` layers of ``cell`` over the sequences ``xs``.

    Returns ``(hy, cy, ys)``: the final hidden (and, for cells with one, cell)
    states stacked as ``(n_layers * n_dirs, B, H)`` and a tuple of the per-step
    outputs of the last layer, one ``(L_i, n_dirs * H)`` Variable per sequence.
    """
    F = chainer.functions
    n_dirs = 2 if use_bi_direction else 1
    _check_inputs(cell, n_layers, n_dirs, hx, cx, ws, bs, xs)
    xp = backend.get_array_module(xs[0])
    device = backend.get_device_from_array(
        xs[0].array if isinstance(xs[0], chainer.Variable) else xs[0])
    batch = len(xs)
    units = ws[0][-1].shape[0]
    dtype = xs[0].dtype
    with backend.using_device(device):
        if hx is None:
            hx = chainer.Variable(xp.zeros((n_layers * n_dirs, batch, units), dtype),
                                  requires_grad=False)
        if cell.has_cell_state and cx is None:
            cx = chainer.Variable(xp.zeros((n_layers * n_dirs, batch, units), dtype),
                                  requires_grad=False)
    lengths = numpy.array([len(x) for x in xs])
    if not lengths.any():
        # Nothing to run: the states stay, every output is empty.
        with backend.using_device(device):
            empty = xp.zeros((0, n_dirs * units), dtype)
        ys = tuple(chainer.Variable(empty, requires_grad=False) for _ in xs)
        return F.identity(hx), (F.identity(cx) if cx is not None else None), ys
    index, batches = _time_major_index(lengths)
    permute = batch > 1 and not (index == numpy.arange(len(index))).all()
    if permute:
        index = device.send(index)
    layer_in = F.concat(list(xs), axis=0) if batch > 1 else _as_var(xs[0])
    if permute:
        layer_in = F.permutate(layer_in, index)
    hs = list(F.separate(hx, axis=0))
    cs = list(F.separate(cx, axis=0)) if cx is not None else None
    hy: List[Any] = []
    cy: List[Any] = []
    for layer in range(n_layers):
        outs = []
        for di in range(n_dirs):
            idx = layer * n_dirs + di
            x = layer_in
            if layer > 0 and dropout_ratio > 0:
                # Between layers only; each direction draws its own mask.
                x = F.dropout(x, ratio=dropout_ratio)
            c0 = cs[idx] if cs is not None else None
            y, h, c = cell.layer(x, hs[idx], c0, ws[idx], bs[idx], batches, di == 1)
            hy.append(h)
            if c is not None:
                cy.append(c)
            outs.append(y)
        layer_in = F.concat(outs, axis=1) if n_dirs > 1 else outs[0]
    if permute:
        layer_in = F.permutate(layer_in, index, inv=True)
    ends = numpy.cumsum(lengths)[:-1].tolist()
    ys = tuple(F.split_axis(layer_in, ends, axis=0)) if ends else (layer_in,)
    hy_var = F.stack(hy, axis=0)
    cy_var = F.stack(cy, axis=0) if cy else None
    return hy_var, cy_var, ys


def n_step_rnn_base(n_layers: int, dropout_ratio: float, hx: Any, ws: Sequence,
                    bs: Sequence, xs: Sequence, activation: str,
                    use_bi_direction: bool, **kwargs):
    """Stacked Elman RNN, one or two directions; returns ``(hy, ys)``.

    See :func:`n_step_rnn` and :func:`n_step_birnn`.
    """
    _parse_kwargs(kwargs)
    cell = _ElmanCell(activation)
    hy, _, ys = n_step_rnn_impl(cell, n_layers, dropout_ratio, hx, None, ws, bs, xs,
                                use_bi_direction)
    return hy, ys


def n_step_rnn(n_layers: int, dropout_ratio: float, hx: Any, ws: Sequence,
               bs: Sequence, xs: Sequence, activation: str = 'tanh', **kwargs):
    """Stacked uni-directional Elman RNN over variable-length sequences.

    Each layer computes ``h_t = f(W0 x_t + b0 + W1 h_{t-1} + b1)`` with ``f``
    tanh or relu; dropout of ``dropout_ratio`` is applied to the input of each
    layer after the first in training mode.

    Args:
        n_layers: Number of layers.
        dropout_ratio: Dropout ratio of the inputs of the layers after the first.
        hx: Initial hidden states ``(n_layers, B, H)``, or None for zeros.
        ws: ``n_layers`` lists ``[W0 (H, I), W1 (H, H)]`` (``I`` is the input size
            for the first layer and ``H`` for the others).
        bs: ``n_layers`` lists ``[b0 (H,), b1 (H,)]``.
        xs: ``B`` sequences ``(L_i, I)`` sorted by decreasing length.
        activation: ``'tanh'`` or ``'relu'``.

    Returns:
        tuple: ``hy`` ``(n_layers, B, H)`` (the state after each sequence's last
        step) and ``ys``, a tuple of ``B`` Variables ``(L_i, H)`` (the last
        layer's outputs).
    """
    return n_step_rnn_base(n_layers, dropout_ratio, hx, ws, bs, xs, activation,
                           False, **kwargs)


def n_step_birnn(n_layers: int, dropout_ratio: float, hx: Any, ws: Sequence,
                 bs: Sequence, xs: Sequence, activation: str = 'tanh', **kwargs):
    """Stacked bidirectional Elman RNN over variable-length sequences.

    As :func:`n_step_rnn`, with a forward and a backward RNN per layer:
    ``ws``, ``bs`` and ``hx`` hold ``2 * n_layers`` entries ordered
    ``[layer 0 forward, layer 0 backward, layer 1 forward, ...]``; the layers
    after the first read ``2 * H`` features; each output of ``ys`` is
    ``(L_i, 2 * H)`` (forward and backward outputs side by side).
    """
    return n_step_rnn_base(n_layers, dropout_ratio, hx, ws, bs, xs, activation,
                           True, **kwargs)
