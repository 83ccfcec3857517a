"""Converters of chainer.functions.rnn (LSTM cells through their gate arithmetic)."""
from __future__ import annotations

from onnx_chainer import onnx_helper
from onnx_chainer.functions import _util
from onnx_chainer.functions.opset_version import support

__all__ = ['convert_LSTM', 'convert_NStepLSTMLayer', 'convert_n_step_gru', 'onnx_helper',
           'support']


@support((13,))
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
    parts = gb.op('Split', [gates, _util.ints(context, [1, 1, 1, 1])], n_outputs=4, axis=2)
    axes = _util.ints(context, [2])
    a, i, f, o = (gb.op('Squeeze', [p, axes]) for p in parts)
    a = gb.op('Tanh', [a])
    i, f, o = (gb.op('Sigmoid', [g]) for g in (i, f, o))
    c = gb.op('Add', [gb.op('Mul', [a, i]), gb.op('Mul', [f, c_prev])])
    gb.op_output_named('Identity', [c], [output_names[0]])
    gb.op_output_named('Mul', [o, gb.op('Tanh', [c])], [output_names[1]])
    return gb.nodes()


@support((13,))
def convert_NStepLSTMLayer(func, opset_version, input_names, output_names, context):
    """One layer and direction of an n-step LSTM, unrolled over its steps."""
    x, h, c, w, wh, b = input_names
    units = _util.in_shape(func, 1)[1]
    full = _util.in_shape(func, 1)[0]
    gb = _util.builder(context)
    zero = _util.ints(context, [0])

    def rows(v, start, stop):
        return gb.op('Slice', [v, _util.ints(context, [start]), _util.ints(context, [stop]),
                               zero])

    def set_rows(state, new, n):
        # The first n rows of the state replaced by ``new``.
        return new if n == full else gb.op('Concat', [new, rows(state, n, full)], axis=0)

    proj = gb.op('Gemm', [x, w, b], transB=1)
    sizes = _util.ints(context, [units] * 4)
    spans = []
    start = 0
    for n in func.batches:
        spans.append((start, n))
        start += n
    outs = {}
    for start, n in (spans[::-1] if func.reverse else spans):
        hp = h if n == full else rows(h, 0, n)
        cp = c if n == full else rows(c, 0, n)
        g = gb.op('Add', [rows(proj, start, start + n), gb.op('Gemm', [hp, wh], transB=1)])
        i, f, o, a = gb.op('Split', [g, sizes], n_outputs=4, axis=1)
        i, f, o = (gb.op('Sigmoid', [v]) for v in (i, f, o))
        cn = gb.op('Add', [gb.op('Mul', [f, cp]), gb.op('Mul', [i, gb.op('Tanh', [a])])])
        hn = gb.op('Mul', [o, gb.op('Tanh', [cn])])
        outs[start] = hn
        h, c = set_rows(h, hn, n), set_rows(c, cn, n)
    ys = [outs[s] for s, _ in spans]
    if len(ys) == 1:
        gb.op_output_named('Identity', ys, [output_names[0]])
    else:
        gb.op_output_named('Concat', ys, [output_names[0]], axis=0)
    gb.op_output_named('Identity', [h], [output_names[1]])
    gb.op_output_named('Identity', [c], [output_names[2]])
    return gb.nodes()


@support((13,))
def convert_n_step_gru(func, opset_version, input_names, output_names, context):
    raise _util.unsupported(func, opset_version,
                            'n_step_gru (export the step through its gate arithmetic)')
