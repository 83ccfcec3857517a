"""Shared bits of the converters."""
from __future__ import annotations

from typing import Any

import numpy

from onnx_chainer import onnx_helper


def builder(context: Any) -> onnx_helper.GraphBuilder:
    return onnx_helper.GraphBuilder(context)


def in_dtype(func: Any, i: int = 0) -> numpy.dtype:
    return numpy.dtype(func.inputs[i].dtype)


def tensor_type(dtype: Any) -> int:
    """ONNX's tensor element type for a NumPy ``dtype`` (the ``to`` of a Cast)."""
    from onnx import helper
    return helper.np_dtype_to_tensor_dtype(numpy.dtype(dtype))


def in_shape(func: Any, i: int = 0) -> tuple:
    return tuple(func.inputs[i].shape)


def out_shape(func: Any, i: int = 0) -> tuple:
    node = func.outputs[i]()
    if node is None:
        raise ValueError(f'the output {i} of {type(func).__name__} is gone')
    return tuple(node.shape)


def const(context: Any, value: Any, dtype: Any, name: str | None = None) -> str:
    """A constant ``<function>_const_<name>`` (Chainer's name for its role; a counter
    where ``name`` is None)."""
    return context.add_const(numpy.asarray(value, dtype=dtype), name)


def held_array(context: Any, array: Any) -> str:
    """The initializer for an array a node holds instead of taking it as an input
    (``Where``'s condition, ``Permutate``'s indices), named as array inputs are."""
    return context.add_initializer(to_cpu(array), context.fresh_name('const'))


def ints(context: Any, values: Any, name: str | None = None) -> str:
    return context.add_const(numpy.asarray(list(values), dtype=numpy.int64), name)


class UnsupportedError(ValueError, NotImplementedError):
    """A function call whose options no converter can write. Chainer raised
    ValueError, NotImplementedError or RuntimeError for these, case by case:
    this is all three, so that code catching any of them keeps working."""


def unsupported(func: Any, opset_version: int, why: str) -> UnsupportedError:
    return UnsupportedError(f'{type(func).__name__} is not supported by onnx_chainer at '
                            f'opset {opset_version}: {why}')


def single(op_type: str, input_names, output_names, **attrs: Any) -> tuple:
    return (onnx_helper.make_node(op_type, input_names, output_names, **attrs),)


def gemm_c(context: Any, opset_version: int, n: int, dtype: Any) -> list:
    """The C input of a Gemm without bias of ``n`` columns: none from opset 11, zeros
    before (C was required)."""
    return [] if opset_version >= 11 else [const(context, numpy.zeros(n), dtype, 'bias')]


def to_cpu(array: Any) -> Any:
    from chainer import backend
    return backend.CpuDevice().send(array)


def reduce(gb: Any, context: Any, opset_version: int, op_type: str, x: str, axes,
           keepdims: bool) -> str:
    """A Reduce* node: axes are an input from opset 18 on (13 for ReduceSum); None
    (every axis) writes none, as Chainer did."""
    if axes is None:
        return gb.op(op_type, [x], keepdims=int(keepdims))
    axes = [int(a) for a in axes]
    if opset_version >= 18 or op_type == 'ReduceSum':
        return gb.op(op_type, [x, ints(context, axes)], keepdims=int(keepdims))
    return gb.op(op_type, [x], axes=axes, keepdims=int(keepdims))


def to_out_shape(op_type: str, func: Any, input_names, output_names, context: Any) -> tuple:
    """``op_type(x, shape)`` with the traced output shape (Reshape, Expand)."""
    shape = ints(context, out_shape(func), 'shape')
    return single(op_type, [input_names[0], shape], output_names)
