"""Converters of chainer.functions.rnn (LSTM cells through their gate arithmetic)."""
from __future__ import annotations

from onnx_chainer import onnx_helper
from onnx_chainer.functions import _util
from onnx_chainer.functions.opset_version import support

__all__ = ['convert_LSTM', 'convert_n_step_gru', 'onnx_helper', 'support']


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
def convert_n_step_gru(func, opset_version, input_names, output_names, context):
    raise _util.unsupported(func, opset_version,
                            'n_step_gru (export the step through its gate arithmetic)')
