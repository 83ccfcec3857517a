"""Converters of chainer.functions.rnn (LSTM cells through their gate arithmetic)."""
from __future__ import annotations

from onnx_chainer import onnx_helper
from onnx_chainer.functions import _util
from onnx_chainer.functions.opset_version import OPSETS as _OPSETS
from onnx_chainer.functions.opset_version import support

__all__ = ['convert_LSTM', 'convert_NStepGRULayer', 'convert_NStepLSTMLayer',
           'convert_NStepRNNLayer', 'convert_SummedBias', 'convert_n_step_gru', 'onnx_helper',
           'support']


@support(_OPSETS)
def convert_LSTM(func, opset_version, input_names, output_names, context):
    c_prev, x = input_names
    c_shape = _util.in_shape(func, 0)
    x_shape = _util.in_shape(func, 1)
    if c_shape[0] != x_shape[0] or len(x_shape) != 2:
        raise _util.unsupported(func, opset_version,
                                'c_prev with more rows than x, or inputs beyond 2-D')
    batch, units = c_shape
    gb = _util.builder(context)
    # The gates are interleaved unit by unit: x is read as (B, H, 4).
    gates = gb.op('Reshape', [x, _util.ints(context, (batch, units, 4))])
    parts = gb.op('Split', [gates, _util.ints(context, [1, 1, 1, 1])], num_outputs=4, axis=2)
    axes = _util.ints(context, [2])
    a, i, f, o = (gb.op('Squeeze', [p, axes]) for p in parts)
    a = gb.op('Tanh', [a])
    i, f, o = (gb.op('Sigmoid', [g]) for g in (i, f, o))
    c = gb.op('Add', [gb.op('Mul', [a, i]), gb.op('Mul', [f, c_prev])])
    gb.op_output_named('Identity', [c], [output_names[0]])
    gb.op_output_named('Mul', [o, gb.op('Tanh', [c])], [output_names[1]])
    return gb.nodes()


@support(_OPSETS)
def convert_SummedBias(func, opset_version, input_names, output_names, context):
    # The two biases of an n-step RNN layer, added once (their gradients differ, not y).
    return _util.single('Add', input_names, output_names)


def _unroll(func, context, proj_inputs, states, step, output_names):
    """Emits one layer of an n-step RNN node unrolled over its steps.

    ``proj_inputs`` names ``(x, w, b)`` of the input projection of all rows;
    ``states`` the initial states ``(B, H)``; ``step(gb, split, x_t,
    [state[:n]]) -> [new state[:n]]`` emits one step, the new hidden state
    first (``split``: the sizes of the gate blocks, None for one gate).  The
    outputs, the hidden state of every row (time-major) and the final states,
    get ``output_names``.
    """
    gb = _util.builder(context)
    full, units = _util.in_shape(func, 1)
    gates = _util.in_shape(func, 1 + len(states))[0] // units
    split = _util.ints(context, [units] * gates) if gates > 1 else None
    proj = gb.op('Gemm', list(proj_inputs), transB=1)
    zero = _util.ints(context, [0])

    def rows(v, start, stop):
        return gb.op('Slice', [v, _util.ints(context, [start]), _util.ints(context, [stop]),
                               zero])

    spans = []
    start = 0
    for n in func.batches:
        spans.append((start, n))
        start += n
    outs = {}
    for start, n in (spans[::-1] if func.reverse else spans):
        now = [v if n == full else rows(v, 0, n) for v in states]
        new = step(gb, split, rows(proj, start, start + n), now)
        outs[start] = new[0]
        # The first n rows of each state replaced.
        states = [v if n == full else gb.op('Concat', [v, rows(old, n, full)], axis=0)
                  for v, old in zip(new, states)]
    ys = [outs[s] for s, _ in spans]
    y = ys[0] if len(ys) == 1 else gb.op('Concat', ys, axis=0)
    for v, name in zip([y] + states, output_names):
        gb.op_output_named('Identity', [v], [name])
    return gb.nodes()


@support(_OPSETS)
def convert_NStepLSTMLayer(func, opset_version, input_names, output_names, context):
    """One layer and direction of an n-step LSTM, unrolled over its steps."""
    x, h, c, w, wh, b = input_names
    zero = _util.gemm_c(context, opset_version, _util.in_shape(func, 4)[0], _util.in_dtype(func))

    def step(gb, split, xt, states):
        hp, cp = states
        g = gb.op('Add', [xt, gb.op('Gemm', [hp, wh] + zero, transB=1)])
        i, f, o, a = gb.op('Split', [g, split], num_outputs=4, axis=1)
        i, f, o = (gb.op('Sigmoid', [v]) for v in (i, f, o))
        cn = gb.op('Add', [gb.op('Mul', [f, cp]), gb.op('Mul', [i, gb.op('Tanh', [a])])])
        return [gb.op('Mul', [o, gb.op('Tanh', [cn])]), cn]

    return _unroll(func, context, (x, w, b), [h, c], step, output_names)


@support(_OPSETS)
def convert_NStepGRULayer(func, opset_version, input_names, output_names, context):
    """One layer and direction of an n-step GRU, unrolled over its steps."""
    x, h, w, wh, bx, bh = input_names

    def step(gb, split, xt, states):
        hp, = states
        xr, xz, xn = gb.op('Split', [xt, split], num_outputs=3, axis=1)
        hh = gb.op('Gemm', [hp, wh, bh], transB=1)
        hr, hz, hn = gb.op('Split', [hh, split], num_outputs=3, axis=1)
        r = gb.op('Sigmoid', [gb.op('Add', [xr, hr])])
        z = gb.op('Sigmoid', [gb.op('Add', [xz, hz])])
        n = gb.op('Tanh', [gb.op('Add', [xn, gb.op('Mul', [r, hn])])])
        return [gb.op('Add', [n, gb.op('Mul', [z, gb.op('Sub', [hp, n])])])]

    return _unroll(func, context, (x, w, bx), [h], step, output_names)


@support(_OPSETS)
def convert_NStepRNNLayer(func, opset_version, input_names, output_names, context):
    """One layer and direction of an n-step Elman RNN, unrolled over its steps."""
    x, h, w, wh, b = input_names
    act = 'Tanh' if func.activation == 'tanh' else 'Relu'
    zero = _util.gemm_c(context, opset_version, _util.in_shape(func, 3)[0], _util.in_dtype(func))

    def step(gb, split, xt, states):
        hp, = states
        return [gb.op(act, [gb.op('Add', [xt, gb.op('Gemm', [hp, wh] + zero, transB=1)])])]

    return _unroll(func, context, (x, w, b), [h], step, output_names)


@support(_OPSETS)
def convert_n_step_gru(func, opset_version, input_names, output_names, context):
    raise _util.unsupported(func, opset_version,
                            'n_step_gru (export the step through its gate arithmetic)')
