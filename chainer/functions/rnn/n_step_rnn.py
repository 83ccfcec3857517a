"""Multi-layer (optionally bidirectional) Elman RNNs over variable-length sequences,
and the shared driver and layer nodes of every ``n_step_*`` function.

The public functions take and return time-major lists as Chainer's do
(``xs[t]`` holds step ``t`` of the sequences longer than ``t``); the
``*_sequences`` forms, which the links call, take the sequences themselves
(``(L_i, in_size)`` arrays sorted by decreasing length).  The driver lays them
out time-major in one array, so that
each layer projects the inputs of all steps with one matrix product; only the
recurrent product runs once per time step.  Each layer and direction runs as
one :class:`LayerNode` (its gradient one :class:`LayerGradNode`); the LSTM,
GRU and Elman nodes supply only their cell math.
"""
from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Callable, List, Optional, Sequence, Tuple

import numpy

import chainer
from chainer import backend
from chainer import function_node
from chainer.functions import _composite
from chainer.functions.array.permutate import permutate_unchecked
from chainer.functions.rnn import _gates
from chainer.utils import argument
from chainer.utils import array as array_utils
from chainer.utils import type_check
from chainer.utils.error import _IndexValueError

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

_TRAIN_REMOVED = ('train argument is not supported anymore. '
                  'Use chainer.using_config')
_CUDNN_REMOVED = ('use_cudnn argument is not supported anymore. '
                  'Use chainer.using_config')


def _parse_kwargs(kwargs: dict) -> None:
    """Rejects the removed ``train``/``use_cudnn`` and unknown names, naming the caller."""
    argument._parse_kwargs_of(sys._getframe(1).f_code.co_name, kwargs,
                              train=_TRAIN_REMOVED, use_cudnn=_CUDNN_REMOVED)


class SummedBias(function_node.FunctionNode):
    """``bx + bh`` of two bias parameters (same shape), as the layers add them
    once to the input projection.  Unlike ``+``, whose two gradients are one
    shared array, the gradient of ``bh`` is a copy: in-place optimizer hooks
    (``GradientClipping``, ``WeightDecay``) then change each parameter's
    gradient once, as with Chainer's per-step sums."""

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('bx', 'bh'))
        bx, bh = in_types
        type_check.expect(bx.dtype.kind == 'f', bh.dtype == bx.dtype, bh.shape == bx.shape)

    def forward(self, inputs):
        bx, bh = inputs
        return bx + bh,

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        return tuple(gy if i == 0 else chainer.functions.copy(gy, gy.device)
                     for i in indexes)


def summed_bias(bx: Any, bh: Any) -> Any:
    """``bx + bh`` with a separate gradient array for each (see :class:`SummedBias`)."""
    return SummedBias().apply((bx, bh))[0]


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

    def node(self, batches: Sequence[int], reverse: bool) -> 'LayerNode':
        """The node running one layer and direction of this cell."""
        raise NotImplementedError

    def layer(self, x: Any, h: Any, c: Any, w: Sequence[Any], b: Sequence[Any],
              batches: List[int], reverse: bool) -> Tuple[Any, Any, Any]:
        """Runs one layer in one direction over the time-major rows ``x``.

        Step ``t`` reads the next ``batches[t]`` rows of ``x`` (the leading
        sequences); ``reverse`` runs the steps from the last to the first.
        Returns ``(y, h, c)``: the output of every row (time-major, as ``x``)
        and the final states of every sequence (``c`` None without cell state).
        """
        wx, bx = self.input_params(w, b)
        wh, bh = self.hidden_params(w, b)
        states = (h,) if c is None else (h, c)
        biases = (bx,) if bh is None else (bx, bh)
        outs = self.node(batches, reverse).apply((x,) + states + (wx, wh) + biases)
        return outs[0], outs[1], (outs[2] if len(outs) > 2 else None)


class LayerNode(function_node.FunctionNode):
    """Base of the nodes running one layer and direction of an n-step RNN over
    time-major rows, step ``t`` being the next ``batches[t]`` rows (the leading
    sequences, so ``batches`` does not increase).

    The inputs are ``(x, *states, w, wh, *biases)``: ``x`` ``(N, I)``, the
    initial states ``(B, H)`` (the hidden state first), the weights ``w``
    ``(G * H, I)`` on the input and ``wh`` ``(G * H, H)`` on the hidden state
    stacking ``G`` gate blocks, and biases ``(G * H,)``: the first added to the
    input projection, a second one (where the cell has it) to the hidden-state
    projection.  The outputs are ``(y, *states)``: the hidden state after every
    row's step ``(N, H)`` and the states after each sequence's last step.

    The input projection of all rows is one matrix product; subclasses set the
    layout below and supply the cell math: :meth:`_forward_cell` (the steps on
    arrays), ``_cell`` (the :class:`_Cell` whose ``step`` composes one step of
    differentiable functions) and a :class:`LayerGradNode` subclass naming the
    layer as its ``_layer`` (the backward steps).

    Args:
        batches: The number of rows of each step, in time order.
        reverse: Whether the steps run from the last to the first.
    """

    #: Gate blocks stacked in the weights and biases.
    _n_gates = 1
    #: States carried from step to step: 1 (hidden) or 2 (hidden and cell).
    _n_states = 1
    #: Biases: 1 (input side) or 2 (input and hidden side).
    _n_biases = 1
    #: The cell class, built with :meth:`_options`.
    _cell: type = _Cell
    #: The gradient node class (set by the :class:`LayerGradNode` subclass).
    _grad_class: type

    def __init__(self, batches: Sequence[int], reverse: bool = False) -> None:
        self.batches = tuple(int(n) for n in batches)
        self.reverse = reverse

    @classmethod
    def _split(cls, inputs: Sequence[Any]) -> Tuple[Any, Sequence[Any], Any, Any,
                                                    Sequence[Any]]:
        """``(x, states, w, wh, biases)`` of the layer inputs."""
        s = cls._n_states
        return inputs[0], inputs[1:1 + s], inputs[1 + s], inputs[2 + s], inputs[3 + s:]

    def check_type_forward(self, in_types):
        names = (('x',) + ('h0', 'c0')[:self._n_states] + ('w', 'wh')
                 + (('b',) if self._n_biases == 1 else ('bx', 'bh')))
        type_check._argname(in_types, names)
        x, states, w, wh, biases = self._split(in_types)
        h0 = states[0]
        type_check.expect(
            x.dtype.kind == 'f',
            *[t.dtype == x.dtype for t in in_types[1:]],
            *[t.ndim == 2 for t in (x,) + tuple(states) + (w, wh)],
            *[b.ndim == 1 for b in biases],
            x.shape[0] == sum(self.batches),
            h0.shape[0] >= max(self.batches, default=0),
            *[s.shape == h0.shape for s in states[1:]],
            w.shape[0] == self._n_gates * h0.shape[1],
            w.shape[1] == x.shape[1],
            wh.shape[0] == w.shape[0],
            wh.shape[1] == h0.shape[1],
            *[b.shape[0] == w.shape[0] for b in biases],
        )

    def _forward_cell(self, xp: Any, acts: Any, wh: Any, hidden_biases: Sequence[Any],
                      prev: Sequence[Any], states: Sequence[Any]
                      ) -> Tuple[Any, Tuple[Any, ...], Callable]:
        """Sets up the steps on the input projections ``acts`` ``(N, G * H)``
        (laid out by :meth:`_project`; compute dtype; the cell may overwrite
        them); ``wh`` is the
        hidden-state weight ``(G * H, H)``, ``states`` the current states ``(B,
        H)`` and ``prev`` ``(N, H)`` the states each row's step starts from.

        Returns ``(y, kept, step)``: the ``(N, H)`` array the steps write the
        new hidden states to (may be ``acts`` itself), the further arrays the
        backward pass needs, and ``step(g, rows, n)``, which runs the step of
        the rows ``rows`` (``g`` their view of ``acts``; their ``prev`` filled
        in), updates the states other than the hidden one for the leading
        ``n`` sequences and returns their new hidden states.
        """
        raise NotImplementedError

    def _project(self, xp: Any, x: Any, w: Any, b: Any) -> Any:
        """The input projections ``x w^T + b`` of all rows ``(N, G * H)``
        (compute dtype; a fresh array the steps may overwrite).  A cell may
        arrange the values within each step's block of rows (``acts[rows]`` is
        contiguous) in another order its step math reads faster."""
        acts = xp.matmul(x, w.T)
        acts += b
        return acts

    def _options(self) -> dict:
        """Further arguments of the cell, passed to the gradient node and on to
        :meth:`composed`."""
        return {}

    def forward(self, inputs):
        self.retain_inputs(tuple(range(len(inputs))))
        dtype = inputs[0].dtype
        x, states, w, wh, biases = self._split(inputs)
        xp = backend.get_array_module(x)
        as_compute = array_utils.as_compute
        # float16's float32 copies each made where it is read, and those of x and w
        # gone before the steps' arrays are made
        acts = self._project(xp, as_compute(x), as_compute(w), as_compute(biases[0]))
        wh = as_compute(wh)
        biases = [as_compute(b) for b in biases]
        states = [s.astype(acts.dtype, copy=True) for s in states]
        # The states each row's step started from.
        prev = [xp.empty((x.shape[0], s.shape[1]), acts.dtype) for s in states]
        y, kept, step = self._forward_cell(xp, acts, wh, biases[1:], prev, states)
        h = states[0]
        for start, n in step_spans(self.batches, self.reverse):
            rows = slice(start, start + n)
            for p, s in zip(prev, states):
                p[rows] = s[:n]
            h[:n] = step(acts[rows], rows, n)
        self._saved = (acts,) + tuple(kept) + tuple(prev)
        # y is copied where it is acts, kept for the backward pass.
        return ((y.astype(dtype, copy=y is acts),)
                + tuple(s.astype(dtype, copy=False) for s in states))

    def backward(self, indexes, grad_outputs):
        inputs = self.get_retained_inputs()
        x, h0 = inputs[0], inputs[1]
        gy = grad_outputs[0]
        if gy is None:
            gy = _gates.zeros_var((x.shape[0], h0.shape[1]), h0)
        gs = tuple(_gates.zeros_like_or(g, h0) for g in grad_outputs[1:])
        grad = self._grad_class(self.batches, self.reverse, indexes, self._saved,
                                **self._options())
        return grad.apply(inputs + (gy,) + gs)

    @classmethod
    def composed(cls, inputs: Sequence[Any], batches: Sequence[int], reverse: bool,
                 **options: Any) -> Tuple[Any, ...]:
        """The layer composed of differentiable functions (its reference; used to
        differentiate its gradient)."""
        x, states, w, wh, biases = cls._split(inputs)
        proj = chainer.functions.linear(x, w, biases[0])
        c0 = states[1] if len(states) > 1 else None
        bh = biases[1] if len(biases) > 1 else None
        outs = run_projected(cls._cell(**options), proj, batches, states[0], c0, wh, bh,
                             reverse)
        return outs[:1 + cls._n_states]


class LayerGradNode(_composite.CompositeNode):
    """Base of the gradients of the :class:`LayerNode` subclass ``_layer``:
    ``(*layer inputs, gy, *g_states)`` to the gradients of the layer inputs
    listed in ``indexes``.

    The forward pass runs backpropagation through time on arrays, the weight
    gradients as one product over all steps; its own gradient differentiates
    the layer composed of differentiable functions.  Subclasses supply the cell
    math of a step in :meth:`_backward_cell`.

    Args:
        batches: The number of rows of each step, in time order.
        reverse: Whether the layer ran the steps from the last to the first.
        indexes: Which input gradients to compute (positions in the layer
            inputs).
        saved: ``(acts, *kept, *prev)`` arrays of the layer's forward pass
            (compute dtype; see :meth:`LayerNode._forward_cell`), ``prev`` the
            states each row's step started from.
        options: Further arguments of the layer's composed reference.
    """

    _layer: type = LayerNode

    def __init_subclass__(cls, **kwargs: Any) -> None:
        # Each subclass is the gradient node of its layer.
        super().__init_subclass__(**kwargs)
        cls._layer._grad_class = cls

    def __init__(self, batches: Sequence[int], reverse: bool, indexes: Sequence[int],
                 saved: Tuple[Any, ...], **options: Any) -> None:
        self.batches = tuple(batches)
        self.reverse = reverse
        self.indexes = tuple(indexes)
        self.saved = saved
        self.options = options

    def _backward_cell(self, xp: Any, wh: Any, gin: Any, ghid: Any,
                       gstates: Sequence[Any]) -> Callable:
        """``step(g, d, rows, n, gy)``: the backward step of the rows ``rows``
        (of the leading ``n`` sequences).

        ``g`` is their view of the saved ``acts``.  It adds ``gy`` (the
        gradient of the rows' outputs) to the gradients ``gstates`` ``(B, H)``
        of the new states, writes the gradients of the rows' input and
        hidden-state projections to ``d`` (their view of ``gin``) and ``ghid``
        (the same array as ``gin`` unless the cell has a hidden-side bias) and
        turns ``gstates`` into the gradients of the states the step started
        from.
        """
        raise NotImplementedError

    def forward(self, inputs):
        self.retain_inputs(tuple(range(len(inputs))))
        dtype = inputs[0].dtype
        layer = self._layer
        n_in = len(inputs) - 1 - layer._n_states
        arrays = [array_utils.as_compute(a) for a in inputs]
        x, _, w, wh, _ = layer._split(arrays[:n_in])
        xp = backend.get_array_module(x)
        acts, h_prev = self.saved[0], self.saved[-layer._n_states]
        cdt = acts.dtype
        gin = xp.empty_like(acts)
        ghid = xp.empty_like(acts) if layer._n_biases == 2 else gin
        gy = arrays[n_in].astype(cdt, copy=False)
        gstates = [g.astype(cdt, copy=True) for g in arrays[n_in + 1:]]
        step = self._backward_cell(xp, wh.astype(cdt, copy=False), gin, ghid, gstates)
        for start, n in reversed(step_spans(self.batches, self.reverse)):
            rows = slice(start, start + n)
            step(acts[rows], gin[rows], rows, n, gy[rows])
        s = layer._n_states
        out = []
        for k in self.indexes:
            if k == 0:
                g = xp.matmul(gin, w.astype(cdt, copy=False))
            elif k <= s:
                g = gstates[k - 1]
            elif k == s + 1:
                g = xp.matmul(gin.T, x.astype(cdt, copy=False))
            elif k == s + 2:
                g = xp.matmul(ghid.T, h_prev)
            elif k == s + 3:
                g = gin.sum(axis=0)
            else:
                g = ghid.sum(axis=0)
            out.append(g.astype(dtype, copy=False))
        return tuple(out)

    def _compose(self, *inputs):
        n_in = len(inputs) - 1 - self._layer._n_states
        outs = self._layer.composed(inputs[:n_in], self.batches, self.reverse,
                                    **self.options)
        grads = chainer.grad(list(outs), list(inputs[:n_in]), list(inputs[n_in:]),
                             enable_double_backprop=True)
        return tuple(grads[k] for k in self.indexes)


class _ElmanCell(_Cell):
    n_weights = 2

    def __init__(self, activation: str) -> None:
        self.activation_name = activation
        self.activation = _activation(activation)

    def input_params(self, w, b):
        return w[0], summed_bias(b[0], b[1])

    def hidden_params(self, w, b):
        return w[1], None

    def step(self, x, h, c, wh, bh):
        return self.activation(x + chainer.functions.linear(h, wh)), None

    def node(self, batches, reverse):
        return NStepRNNLayer(batches, reverse, self.activation_name)


def _activation(name: str) -> Callable:
    F = chainer.functions
    if name == 'tanh':
        return F.tanh
    if name == 'relu':
        return F.relu
    raise ValueError(f'Invalid activation: "{name}". Please select from [tanh, relu]')


class NStepRNNLayer(LayerNode):
    """One layer and direction of an n-step Elman RNN (see :class:`LayerNode`):
    ``(x, h0, w, wh, b) -> (y, h)`` with ``h_t = f(w x_t + b + wh h_{t-1})``;
    ``w`` is ``(H, I)``, ``wh`` ``(H, H)``, ``b`` ``(H,)``.

    Args:
        batches: The number of rows of each step, in time order.
        reverse: Whether the steps run from the last to the first.
        activation: ``'tanh'`` or ``'relu'``.
    """

    _cell = _ElmanCell

    def __init__(self, batches: Sequence[int], reverse: bool = False,
                 activation: str = 'tanh') -> None:
        _activation(activation)
        super().__init__(batches, reverse)
        self.activation = activation

    def _forward_cell(self, xp, acts, wh, hidden_biases, prev, states):
        # The input projections of every row are replaced step by step by the
        # new states.
        h_prev, = prev
        tanh = self.activation == 'tanh'

        def step(g, rows, n):
            g += xp.matmul(h_prev[rows], wh.T)
            if tanh:
                xp.tanh(g, out=g)
            else:
                xp.maximum(g, 0, out=g)
            return g
        return acts, (), step

    def _options(self):
        return {'activation': self.activation}


class NStepRNNLayerGrad(LayerGradNode):
    """Gradient of :class:`NStepRNNLayer`: ``(x, h0, w, wh, b, gy, gh)`` to the
    gradients of ``(x, h0, w, wh, b)`` listed in ``indexes``; arguments as
    :class:`LayerGradNode`, with the layer's ``activation``.  ``saved`` is
    ``(y, h_prev)``: the new state of every row and the state its step started
    from.
    """

    _layer = NStepRNNLayer

    def _backward_cell(self, xp, wh, gin, ghid, gstates):
        gh, = gstates
        tanh = self.options.get('activation', 'tanh') == 'tanh'

        def step(yr, d, rows, n, gy):
            ghn = gh[:n]
            ghn += gy
            if tanh:
                xp.multiply(yr, yr, out=d)
                xp.subtract(1, d, out=d)
                d *= ghn
            else:
                xp.multiply(ghn, yr > 0, out=d)
            ghn[...] = xp.matmul(d, wh)
        return step


def composed_layer(x, h0, w, wh, b, batches: Sequence[int], reverse: bool,
                   activation: str = 'tanh'):
    """:class:`NStepRNNLayer` composed of differentiable functions (its
    reference; used to differentiate its gradient)."""
    return NStepRNNLayer.composed((x, h0, w, wh, b), batches, reverse,
                                  activation=activation)


def _as_var(x: Any) -> Any:
    return x if isinstance(x, chainer.Variable) else chainer.Variable(x, requires_grad=False)


def _check_inputs(cell: _Cell, n_layers: int, n_dirs: int, hx: Any, cx: Any,
                  ws: Sequence, bs: Sequence, xs: Sequence) -> None:
    if len(xs) == 0:
        raise _IndexValueError('xs must contain at least one sequence')
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
    # Too few entries: also the IndexError Chainer's indexing raised.
    if len(ws) != n_cells or len(bs) != n_cells:
        raise (_IndexValueError if min(len(ws), len(bs)) < n_cells else ValueError)(
            f'ws and bs need {n_cells} entries for {n_layers} layers '
            f'({n_dirs} direction(s)); got {len(ws)} and {len(bs)}')
    for i, (w, b) in enumerate(zip(ws, bs)):
        if len(w) != cell.n_weights or len(b) != cell.n_weights:
            raise (_IndexValueError if min(len(w), len(b)) < cell.n_weights else ValueError)(
                f'ws[{i}] and bs[{i}] need {cell.n_weights} entries each; '
                f'got {len(w)} and {len(b)}')
        for a in list(w) + list(b):
            if a.dtype != dtype:
                raise type_check.InvalidType(f'weights of dtype {dtype}', f'{a.dtype}')
    w_in = ws[0][0].shape[1]
    if in_size is not None and in_size != (w_in,):
        # Chainer raised ValueError here for most cells, and the first layer's
        # InvalidType for the GRUs: this is both.
        raise type_check._InvalidValue(
            f'{w_in} features', f'{in_size[0]}',
            'Inconsistent input size in input values and weight parameters: '
            f'{in_size[0]} != {w_in}')
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


def _fill_missing_biases(ws: Sequence, bs: Sequence) -> Sequence:
    """``bs`` with each None bias replaced by zeros (no bias), as Chainer's
    ``n_step_rnn`` took them."""
    if not any(b is None for layer in bs for b in layer):
        return bs
    filled = []
    for w_layer, b_layer in zip(ws, bs):
        layer = list(b_layer)
        for j, b in enumerate(layer):
            if b is None and j < len(w_layer):
                w = w_layer[j]
                w = w.array if isinstance(w, chainer.Variable) else w
                layer[j] = backend.get_array_module(w).zeros(w.shape[:1], w.dtype)
        filled.append(layer)
    return filled + list(bs[len(filled):])


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
    bs = _fill_missing_biases(ws, bs)
    dtype = getattr(xs[0], 'dtype', None) if len(xs) else None
    if cell.n_weights == 2 and dtype is not None:
        # Chainer's plain RNN applied each weight with F.linear, which takes one of
        # another float dtype (its gradient comes back in that dtype).
        ws = [[F.cast(w, dtype) if getattr(w, 'dtype', dtype).kind == 'f'
               and w.dtype != dtype else w for w in layer] for layer in ws]
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
        layer_in = permutate_unchecked(layer_in, index)
    hs = list(F.separate(hx, axis=0))
    cs = list(F.separate(cx, axis=0)) if cx is not None else None
    hy: List[Any] = []
    cy: List[Any] = []
    for layer in range(n_layers):
        outs = []
        for di in range(n_dirs):
            idx = layer * n_dirs + di
            x = layer_in
            if layer > 0:
                # Between layers only; each direction draws its own mask, at a ratio
                # of 0 too (as in Chainer: seeded draws that follow stay in step).
                x = F.dropout(x, ratio=dropout_ratio)
            c0 = cs[idx] if cs is not None else None
            y, h, c = cell.layer(x, hs[idx], c0, ws[idx], bs[idx], batches, di == 1)
            hy.append(h)
            if c is not None:
                cy.append(c)
            outs.append(y)
        layer_in = F.concat(outs, axis=1) if n_dirs > 1 else outs[0]
    if permute:
        layer_in = permutate_unchecked(layer_in, index, inv=True)
    ends = numpy.cumsum(lengths)[:-1].tolist()
    ys = tuple(F.split_axis(layer_in, ends, axis=0)) if ends else (layer_in,)
    hy_var = F.stack(hy, axis=0)
    cy_var = F.stack(cy, axis=0) if cy else None
    return hy_var, cy_var, ys


def sequences_of(xs: Sequence, hx: Any = None) -> List[Any]:
    """The sequences ``(L_i, ...)`` of the time-major ``xs`` (``xs[t]`` of shape
    ``(B_t, ...)``, ``B_t`` non-increasing), as :func:`transpose_sequence` gives.

    When ``hx`` holds more rows than ``xs[0]`` (as Chainer allows), the extra
    rows get empty sequences: their states pass through unchanged.
    """
    dtypes = [getattr(x, 'dtype', None) for x in xs]
    for i, dt in enumerate(dtypes[1:], 1):
        # transpose_sequence would cast them; Chainer's steps refused a mix.
        if dt != dtypes[0]:
            raise type_check.InvalidType(f'xs[{i}].dtype == xs[0].dtype', f'{dt} != {dtypes[0]}')
    seqs = list(chainer.functions.transpose_sequence(list(xs)))
    if not seqs and xs and hx is not None:
        seqs = [xs[0][:0]]  # every step empty (Chainer passed the states through)
    if seqs and hx is not None and hx.shape[1] > len(seqs):
        seqs += _empty_steps(seqs[0], hx.shape[1] - len(seqs))
    return seqs


def _empty_steps(like: Any, n: int) -> list:
    """``n`` Variables with no rows, of the row shape, dtype and device of ``like``."""
    first = like.array if isinstance(like, chainer.Variable) else like
    xp = backend.get_array_module(first)
    with backend.using_device(backend.get_device_from_array(first)):
        empty = xp.empty((0,) + first.shape[1:], first.dtype)
    return [chainer.Variable(empty, requires_grad=False) for _ in range(n)]


def time_major(ys: Sequence, steps: int = 0) -> tuple:
    """The time-major form of the sequences ``ys`` (sorted by decreasing length), with
    empty outputs for the steps up to ``steps`` that no sequence reaches (time-major
    inputs that end in empty batches: Chainer returned an output for each)."""
    out = tuple(chainer.functions.transpose_sequence(list(ys)))
    if len(out) < steps:
        out += tuple(_empty_steps(ys[0], steps - len(out)))
    return out


def n_step_rnn_sequences(n_layers: int, dropout_ratio: float, hx: Any, ws: Sequence,
                         bs: Sequence, xs: Sequence, activation: str,
                         use_bi_direction: bool, **kwargs):
    """As :func:`n_step_rnn_base` with ``xs`` and ``ys`` as sequences ``(L_i, I)``
    sorted by decreasing length (what the links call)."""
    _parse_kwargs(kwargs)
    cell = _ElmanCell(activation)
    hy, _, ys = n_step_rnn_impl(cell, n_layers, dropout_ratio, hx, None, ws, bs, xs,
                                use_bi_direction)
    return hy, ys


def n_step_rnn_base(n_layers: int, dropout_ratio: float, hx: Any, ws: Sequence,
                    bs: Sequence, xs: Sequence, activation: str,
                    use_bi_direction: bool, **kwargs):
    """Stacked Elman RNN, one or two directions; returns ``(hy, ys)``.

    ``xs`` and ``ys`` are time-major as in Chainer: ``xs[t]`` ``(B_t, I)`` holds
    step ``t`` of the sequences longer than ``t`` (``B_t`` non-increasing; see
    :func:`~chainer.functions.transpose_sequence`). See :func:`n_step_rnn` and
    :func:`n_step_birnn`.
    """
    _parse_kwargs(kwargs)
    hy, ys = n_step_rnn_sequences(n_layers, dropout_ratio, hx, ws, bs,
                                  sequences_of(xs, hx), activation, use_bi_direction,
                                  **kwargs)
    return hy, time_major(ys, len(xs))


def n_step_rnn(n_layers: int, dropout_ratio: float, hx: VariableOrArray, ws: Sequence, bs: Sequence,
               xs: Sequence, activation: str = 'tanh',
               **kwargs: Any) -> tuple[Variable, list[Variable]]:
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
        xs: Time-major inputs: ``xs[t]`` ``(B_t, I)`` holds step ``t`` of the
            sequences longer than ``t``, ``B_t`` non-increasing (sort the
            sequences by decreasing length and apply
            :func:`~chainer.functions.transpose_sequence`).
        activation: ``'tanh'`` or ``'relu'``.

    Returns:
        tuple: ``hy`` ``(n_layers, B, H)`` (the state after each sequence's last
        step) and ``ys``, the last layer's outputs, time-major as ``xs``:
        ``ys[t]`` ``(B_t, H)``.
    """
    _parse_kwargs(kwargs)
    return n_step_rnn_base(n_layers, dropout_ratio, hx, ws, bs, xs, activation,
                           False, **kwargs)


def n_step_birnn(n_layers: int, dropout_ratio: float, hx: VariableOrArray, ws: Sequence,
                 bs: Sequence, xs: Sequence, activation: str = 'tanh',
                 **kwargs: Any) -> tuple[Variable, list[Variable]]:
    """Stacked bidirectional Elman RNN over variable-length sequences.

    As :func:`n_step_rnn`, with a forward and a backward RNN per layer:
    ``ws``, ``bs`` and ``hx`` hold ``2 * n_layers`` entries ordered
    ``[layer 0 forward, layer 0 backward, layer 1 forward, ...]``; the layers
    after the first read ``2 * H`` features; each ``ys[t]`` is ``(B_t, 2 * H)``
    (forward and backward outputs side by side).
    """
    _parse_kwargs(kwargs)
    return n_step_rnn_base(n_layers, dropout_ratio, hx, ws, bs, xs, activation,
                           True, **kwargs)
