"""Converters of chainer.functions.activation."""
from __future__ import annotations

from onnx_chainer import onnx_helper
from onnx_chainer.functions import _util
from onnx_chainer.functions.opset_version import OPSETS as _OPSETS
from onnx_chainer.functions.opset_version import support

__all__ = ['convert_CReLU', 'convert_Swish', 'convert_ClippedReLU', 'convert_ELU',
           'convert_HardSigmoid', 'convert_LeakyReLU',
           'convert_LogSoftmax', 'convert_PReLUFunction', 'convert_ReLU', 'convert_Selu',
           'convert_Sigmoid', 'convert_Softmax', 'convert_Softplus', 'convert_Tanh',
           'onnx_helper', 'support']


@support(_OPSETS)
def convert_ClippedReLU(func, opset_version, input_names, output_names, context):
    dt = _util.in_dtype(func)
    lo = _util.const(context, 0, dt, 'zero')
    hi = _util.const(context, func.cap, dt, 'clip_z')
    return _util.single('Clip', [input_names[0], lo, hi], output_names)


@support(_OPSETS)
def convert_ELU(func, opset_version, input_names, output_names, context):
    return _util.single('Elu', input_names, output_names, alpha=float(func.alpha))


@support(_OPSETS)
def convert_HardSigmoid(func, opset_version, input_names, output_names, context):
    return _util.single('HardSigmoid', input_names, output_names, alpha=0.2, beta=0.5)


@support(_OPSETS)
def convert_LeakyReLU(func, opset_version, input_names, output_names, context):
    return _util.single('LeakyRelu', input_names, output_names, alpha=float(func.slope))


def _axis(func) -> int:
    axis = getattr(func, 'axis', 1)
    return int(axis)


def _softmax(op_type: str, func, opset_version, input_names, output_names, context):
    """``op_type`` over one axis; before opset 13 ONNX normalizes over all axes from
    ``axis`` on, so another axis than the last is swapped with the last and back
    (Chainer's form)."""
    axis = _axis(func)
    ndim = len(_util.in_shape(func))
    if opset_version >= 13 or axis % ndim == ndim - 1:
        return _util.single(op_type, input_names, output_names, axis=axis)
    perm = list(range(ndim))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    gb = _util.builder(context)
    y = gb.op(op_type, [gb.op('Transpose', input_names, perm=perm)], axis=ndim - 1)
    gb.op('Transpose', [y], perm=perm)
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_LogSoftmax(func, opset_version, input_names, output_names, context):
    return _softmax('LogSoftmax', func, opset_version, input_names, output_names, context)


@support(_OPSETS)
def convert_Softmax(func, opset_version, input_names, output_names, context):
    return _softmax('Softmax', func, opset_version, input_names, output_names, context)


def _after_batch_axis(func, gb, context, name: str) -> str:
    """Input 1 (PReLU's W, Swish's beta) reshaped to broadcast against input 0.

    Chainer aligns it with the axes after the batch axis; ONNX broadcasts from the end.
    """
    x_ndim = len(_util.in_shape(func, 0))
    p_shape = _util.in_shape(func, 1)
    shape = tuple(p_shape) + (1,) * (x_ndim - 1 - len(p_shape))
    return gb.op('Reshape', [name, _util.ints(context, shape)])


@support(_OPSETS)
def convert_PReLUFunction(func, opset_version, input_names, output_names, context):
    gb = _util.builder(context)
    gb.op('PRelu', [input_names[0], _after_batch_axis(func, gb, context, input_names[1])])
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_ReLU(func, opset_version, input_names, output_names, context):
    return _util.single('Relu', input_names, output_names)


@support(_OPSETS)
def convert_Selu(func, opset_version, input_names, output_names, context):
    return _util.single('Selu', input_names, output_names,
                        alpha=float(getattr(func, 'alpha', 1.6732632423543772)),
                        gamma=float(getattr(func, 'scale', 1.0507009873554805)))


@support(_OPSETS)
def convert_Sigmoid(func, opset_version, input_names, output_names, context):
    return _util.single('Sigmoid', input_names, output_names)


@support(_OPSETS)
def convert_Softplus(func, opset_version, input_names, output_names, context):
    beta = float(func.beta)
    if beta == 1.0:
        return _util.single('Softplus', input_names, output_names)
    dt = _util.in_dtype(func)
    b = _util.const(context, beta, dt)
    gb = _util.builder(context)
    y = gb.op('Softplus', [gb.op('Mul', [input_names[0], b])])
    gb.op('Div', [y, b])
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_Tanh(func, opset_version, input_names, output_names, context):
    return _util.single('Tanh', input_names, output_names)


@support(_OPSETS)
def convert_CReLU(func, opset_version, input_names, output_names, context):
    gb = _util.builder(context)
    x = input_names[0]
    pos = gb.op('Relu', [x])
    neg = gb.op('Relu', [gb.op('Neg', [x])])
    gb.op('Concat', [pos, neg], axis=int(func.axis))
    return gb.nodes(output_names)


@support(_OPSETS)
def convert_Swish(func, opset_version, input_names, output_names, context):
    gb = _util.builder(context)
    beta = _after_batch_axis(func, gb, context, input_names[1])
    x = input_names[0]
    gb.op('Mul', [x, gb.op('Sigmoid', [gb.op('Mul', [x, beta])])])
    return gb.nodes(output_names)
