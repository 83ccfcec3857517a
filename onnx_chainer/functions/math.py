"""Converters of chainer.functions.math (arithmetic, elementwise math, reductions)."""
from __future__ import annotations

import numpy

from onnx_chainer import onnx_helper
from onnx_chainer.functions import _util
from onnx_chainer.functions.opset_version import OPSETS as _OPSETS
from onnx_chainer.functions.opset_version import support

__all__ = [
    'convert_Absolute', 'convert_Add', 'convert_AddConstant', 'convert_Arccos',
    'convert_Arcsin', 'convert_Arctan', 'convert_ArgMax', 'convert_ArgMin', 'convert_BatchMatMul',
    'convert_BroadcastTo', 'convert_Clip', 'convert_Cos', 'convert_Cosh', 'convert_Div',
    'convert_DivByConstant', 'convert_DivFromConstant', 'convert_Exp', 'convert_Identity',
    'convert_LinearInterpolate', 'convert_Log', 'convert_LogSumExp', 'convert_MatMul',
    'convert_Max', 'convert_Maximum', 'convert_Mean', 'convert_Min', 'convert_Minimum',
    'convert_Mul', 'convert_MulConstant', 'convert_MultiAdd', 'convert_Neg',
    'convert_PowConstVar', 'convert_PowVarConst', 'convert_PowVarVar', 'convert_Prod',
    'convert_RsqrtGPU', 'convert_Sin', 'convert_Sinh', 'convert_Sqrt', 'convert_Square',
    'convert_Sub', 'convert_SubFromConstant', 'convert_Sum', 'convert_Tan', 'convert_sign',
    'convert_Arctanh', 'convert_Erf', 'convert_Erfc', 'convert_Log2', 'convert_Log10',
    'convert_Log1p', 'convert_Expm1', 'convert_Cumsum', 'convert_SumTo', 'convert_Fmod',
    'convert_SquaredError', 'convert_EinSum', 'convert_MeanSquaredError',
    'convert_MeanAbsoluteError',
    'onnx_helper', 'support']


def _unary(op_type: str):
    @support(_OPSETS)
    def convert(func, opset_version, input_names, output_names, context):
        return _util.single(op_type, input_names, output_names)
    convert.__doc__ = f'Converts to ONNX ``{op_type}``.'
    return convert


convert_Absolute = _unary('Abs')
convert_Add = _unary('Add')
convert_Arccos = _unary('Acos')
convert_Arcsin = _unary('Asin')
convert_Arctan = _unary('Atan')
convert_Arctanh = _unary('Atanh')
convert_Erf = _unary('Erf')
convert_Cos = _unary('Cos')
convert_Cosh = _unary('Cosh')
convert_Div = _unary('Div')
convert_Exp = _unary('Exp')
convert_Identity = _unary('Identity')
convert_Log = _unary('Log')
convert_Maximum = _unary('Max')
convert_Minimum = _unary('Min')
convert_Mul = _unary('Mul')
convert_MultiAdd = _unary('Sum')
convert_Neg = _unary('Neg')
convert_PowVarVar = _unary('Pow')
convert_Sin = _unary('Sin')
convert_Sinh = _unary('Sinh')
convert_Sqrt = _unary('Sqrt')
convert_Sub = _unary('Sub')
convert_Tan = _unary('Tan')
convert_sign = _unary('Sign')


def _with_const(op_type: str, const_first: bool):
    @support(_OPSETS)
    def convert(func, opset_version, input_names, output_names, context):
        c = _util.const(context, func.value, _util.in_dtype(func), 'value')
        ins = [c, input_names[0]] if const_first else [input_names[0], c]
        return _util.single(op_type, ins, output_names)
    return convert


convert_AddConstant = _with_const('Add', False)
convert_SubFromConstant = _with_const('Sub', True)
convert_MulConstant = _with_const('Mul', False)
convert_DivByConstant = _with_const('Div', False)
convert_DivFromConstant = _with_const('Div', True)
convert_PowVarConst = _with_const('Pow', False)
convert_PowConstVar = _with_const('Pow', True)


@support(_OPSETS)
def convert_Square(func, opset_version, input_names, output_names, context):
    return _util.single('Mul', [input_names[0], input_names[0]], output_names)


@support(_OPSETS)
def convert_RsqrtGPU(func, opset_version, input_names, output_names, context):
    gb = _util.builder(context)
    gb.op('Reciprocal', [gb.op('Sqrt', input_names)])
    return gb.nodes(output_names)


def _axes(func, ndim: int):
    """The axes as given (ONNX counts negative ones from the end), as Chainer wrote
    them; None for every axis."""
    axis = getattr(func, 'axis', None)
    if axis is None:
        return None
    if isinstance(axis, int):
        axis = (axis,)
    return [int(a) for a in axis]


@support(_OPSETS)
def convert_Sum(func, opset_version, input_names, output_names, context):
    ndim = len(_util.in_shape(func))
    gb = _util.builder(context)
    _util.reduce(gb, context, opset_version, 'ReduceSum', input_names[0], _axes(func, ndim),
                 bool(getattr(func, 'keepdims', False)))
    return gb.nodes(output_names)


def _reduce(op_type: str):
    @support(_OPSETS)
    def convert(func, opset_version, input_names, output_names, context):
        ndim = len(_util.in_shape(func))
        gb = _util.builder(context)
        _util.reduce(gb, context, opset_version, op_type, input_names[0], _axes(func, ndim),
                     bool(getattr(func, 'keepdims', False)))
        return gb.nodes(output_names)
    return convert


convert_Max = _reduce('ReduceMax')
convert_Min = _reduce('ReduceMin')
convert_Mean = _reduce('ReduceMean')
convert_Prod = _reduce('ReduceProd')
convert_LogSumExp = _reduce('ReduceLogSumExp')


def _arg(op_type: str):
    @support(_OPSETS)
    def convert(func, opset_version, input_names, output_names, context):
        gb = _util.builder(context)
        if func.axis is None:
            flat = gb.op('Reshape', [input_names[0], _util.ints(context, [-1], 'shape')])
            index = gb.op(op_type, [flat], axis=0, keepdims=0)
        else:
            index = gb.op(op_type, input_names, axis=int(func.axis), keepdims=0)
        # ONNX gives int64 indices; Chainer's are int32.
        gb.op('Cast', [index], to=6)  # INT32
        return gb.nodes(output_names)
    return convert


convert_ArgMax = _arg('ArgMax')
convert_ArgMin = _arg('ArgMin')


@support(_OPSETS)
def convert_BroadcastTo(func, opset_version, input_names, output_names, context):
    return _util.to_out_shape('Expand', func, input_names, output_names, context)


@support(_OPSETS)
def convert_Clip(func, opset_version, input_names, output_names, context):
    dt = _util.in_dtype(func)
    ins = [input_names[0]]
    ins.append('' if func.x_min is None else _util.const(context, func.x_min, dt, 'x_min'))
    if func.x_max is not None:
        ins.append(_util.const(context, func.x_max, dt, 'x_max'))
    return _util.single('Clip', ins, output_names)


@support(_OPSETS)
def convert_LinearInterpolate(func, opset_version, input_names, output_names, context):
    p, x, y = input_names
    one = _util.const(context, 1, _util.in_dtype(func), 'one')
    gb = _util.builder(context)
    q = gb.op('Sub', [one, p])
    a = gb.op('Mul', [p, x])
    b = gb.op('Mul', [q, y])
    gb.op('Add', [a, b])
    return gb.nodes(output_names)


def _swap_last(gb, context, name, ndim):
    perm = list(range(ndim))
    perm[-1], perm[-2] = perm[-2], perm[-1]
    return gb.op('Transpose', [name], perm=perm)


@support(_OPSETS)
def convert_MatMul(func, opset_version, input_names, output_names, context):
    a, b = input_names
    gb = _util.builder(context)
    a_nd = len(_util.in_shape(func, 0))
    b_nd = len(_util.in_shape(func, 1))
    if func.transa and a_nd >= 2:
        a = _swap_last(gb, context, a, a_nd)
    if func.transb and b_nd >= 2:
        b = _swap_last(gb, context, b, b_nd)
    gb.op('MatMul', [a, b])
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_BatchMatMul(func, opset_version, input_names, output_names, context):
    """The deprecated ``batch_matmul`` (Chainer's onnx_chainer had no converter): a
    2-D operand is a stack of columns, then as :func:`convert_MatMul`."""
    gb = _util.builder(context)
    names = []
    for i, (name, trans) in enumerate(zip(input_names, (func.transa, func.transb))):
        if len(_util.in_shape(func, i)) == 2:
            name = gb.op('Unsqueeze', [name, _util.ints(context, [2])])
        if trans:
            name = _swap_last(gb, context, name, 3)
        names.append(name)
    gb.op('MatMul', names)
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_Erfc(func, opset_version, input_names, output_names, context):
    one = _util.const(context, 1, _util.in_dtype(func))
    gb = _util.builder(context)
    gb.op('Sub', [one, gb.op('Erf', input_names)])
    return gb.nodes(output_names)


def _log_base(func, input_names, output_names, context):
    inv = _util.const(context, 1.0 / numpy.log(func._base), _util.in_dtype(func))
    gb = _util.builder(context)
    gb.op('Mul', [gb.op('Log', input_names), inv])
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_Log2(func, opset_version, input_names, output_names, context):
    return _log_base(func, input_names, output_names, context)


convert_Log10 = convert_Log2


@support(_OPSETS)
def convert_Log1p(func, opset_version, input_names, output_names, context):
    one = _util.const(context, 1, _util.in_dtype(func))
    gb = _util.builder(context)
    gb.op('Log', [gb.op('Add', [input_names[0], one])])
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_Expm1(func, opset_version, input_names, output_names, context):
    one = _util.const(context, 1, _util.in_dtype(func))
    gb = _util.builder(context)
    gb.op('Sub', [gb.op('Exp', input_names), one])
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_Cumsum(func, opset_version, input_names, output_names, context):
    gb = _util.builder(context)
    x = input_names[0]
    axis = func.axis
    if axis is None:
        x = gb.op('Reshape', [x, _util.ints(context, [-1])])
        axis = 0
    half = opset_version < 14 and _util.in_dtype(func) == numpy.float16
    if half:  # CumSum takes float16 from opset 14 on
        x = gb.op('Cast', [x], to=_util.tensor_type(numpy.float32))
    y = gb.op('CumSum', [x, context.add_const(numpy.asarray(axis, numpy.int64))])
    if half:
        gb.op('Cast', [y], to=_util.tensor_type(numpy.float16))
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_SumTo(func, opset_version, input_names, output_names, context):
    in_shape = _util.in_shape(func)
    out = _util.out_shape(func)
    lead = len(in_shape) - len(out)
    axes = list(range(lead)) + [lead + i for i, s in enumerate(out)
                                if s == 1 and in_shape[lead + i] != 1]
    gb = _util.builder(context)
    y = _util.reduce(gb, context, opset_version, 'ReduceSum', input_names[0], axes, True) \
        if axes else gb.op('Identity', input_names)
    gb.op('Reshape', [y, _util.ints(context, out)])
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_Fmod(func, opset_version, input_names, output_names, context):
    return _util.single('Mod', input_names, output_names, fmod=1)


@support(_OPSETS)
def convert_SquaredError(func, opset_version, input_names, output_names, context):
    gb = _util.builder(context)
    d = gb.op('Sub', input_names)
    gb.op('Mul', [d, d])
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_EinSum(func, opset_version, input_names, output_names, context):
    equation = ','.join(func.in_subs) + '->' + func.out_sub
    return _util.single('Einsum', input_names, output_names, equation=equation)


def _mean_error(func, opset_version, input_names, output_names, context, squared):
    ndim = len(_util.in_shape(func))
    gb = _util.builder(context)
    d = gb.op('Sub', input_names)
    e = gb.op('Mul', [d, d]) if squared else gb.op('Abs', [d])
    _util.reduce(gb, context, opset_version, 'ReduceMean', e, range(ndim), False)
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_MeanSquaredError(func, opset_version, input_names, output_names, context):
    return _mean_error(func, opset_version, input_names, output_names, context, True)


@support(_OPSETS)
def convert_MeanAbsoluteError(func, opset_version, input_names, output_names, context):
    return _mean_error(func, opset_version, input_names, output_names, context, False)
