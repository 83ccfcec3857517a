"""The traced computational graph and its conversion to an ONNX GraphProto."""
from __future__ import annotations

from typing import Any, NamedTuple

import numpy

import chainer
from onnx_chainer import onnx_helper

__all__ = ['FunctionConverterParams', 'Graph', 'onnx_helper']


class FunctionConverterParams(NamedTuple):
    """What a converter receives about one function call."""
    func: Any
    opset_version: int
    input_names: list
    output_names: list
    context: Any


def _func_class_name(func: Any) -> str:
    inner = getattr(func, 'function', None)
    if isinstance(func, chainer.function.FunctionAdapter) and inner is not None:
        func = inner
    return (onnx_helper.get_func_name(func) or getattr(func, 'custom_function_node_name', None)
            or type(func).__name__)


def _value_info(name: str, shape, dtype):
    from onnx import helper
    elem = helper.np_dtype_to_tensor_dtype(numpy.dtype(dtype))
    return helper.make_tensor_value_info(name, elem, list(shape))


class Graph:
    """Walks the graph from ``outputs`` back to the inputs and converts each call.

    Args:
        context: The export's :class:`~onnx_chainer.context.Context`.
        converters: Mapping of function class names to converters.
        opset_version: The ONNX opset to target.
        recorded: ``[(func, in_data)]`` in call order (from the retain hook).
        inputs: ``{name: Variable}`` of the model inputs.
        outputs: ``{name: Variable}`` of the model outputs.
    """

    def __init__(self, context, converters: dict, opset_version: int, recorded: list,
                 inputs: dict, outputs: dict) -> None:
        self.context = context
        self.converters = converters
        self.opset_version = opset_version
        self.recorded = recorded
        self.inputs = inputs
        self.outputs = outputs
        self.nodes: list = []
        self.functions: list = []

    def _reachable(self) -> set:
        seen = set()
        stack = [v.node.creator_node for v in self.outputs.values()]
        while stack:
            f = stack.pop()
            if f is None or id(f) in seen:
                continue
            seen.add(id(f))
            for n in f.inputs or ():
                stack.append(n.creator_node)
        return seen

    def _input_name(self, node, data) -> str:
        ctx = self.context
        key = id(node)
        if key in ctx.names:
            return ctx.names[key]
        if id(data) in ctx.param_names or isinstance(node._variable(), chainer.Parameter):
            name = ctx.add_param(data)
        elif id(data) in ctx.names:
            name = ctx.names[id(data)]
        else:
            name = ctx.add_const(chainer.backend.CpuDevice().send(data))
            ctx.names[id(data)] = name
            ctx._keep.append(data)
        ctx.names[key] = name
        return name

    def build(self) -> None:
        """Converts every reachable call, in call order."""
        ctx = self.context
        for name, v in self.inputs.items():
            ctx.names[id(v.node)] = name
        out_node_names = {}
        aliases = []  # a Variable returned twice: the later names copy the first
        for name, v in self.outputs.items():
            if v.node.creator_node is None:
                continue
            if id(v.node) in out_node_names:
                aliases.append((out_node_names[id(v.node)], name))
                continue
            out_node_names[id(v.node)] = name
        ctx.names.update(out_node_names)
        reachable = self._reachable()
        for func, in_data in self.recorded:
            if id(func) not in reachable:
                continue
            in_names = [self._input_name(n, d) if n.creator_node is None
                        else ctx.names[id(n)] for n, d in zip(func.inputs, in_data)]
            out_names = []
            for ref in func.outputs:
                n = ref()
                if n is not None and id(n) in ctx.names:
                    out_names.append(ctx.names[id(n)])
                    continue
                name = ctx.fresh_name('v')
                if n is not None:
                    ctx.names[id(n)] = name
                out_names.append(name)
            self.nodes.extend(self.convert(func, in_names, out_names))
            self.functions.append(func)
        for name, v in self.outputs.items():
            if v.node.creator_node is None:
                src = self._input_name(v.node, v.array)
                self.nodes.append(onnx_helper.make_node('Identity', [src], [name]))
        for src, name in aliases:
            self.nodes.append(onnx_helper.make_node('Identity', [src], [name]))

    def convert(self, func, input_names: list, output_names: list) -> tuple:
        name = _func_class_name(func)
        conv = self.converters.get(name)
        if conv is None:
            raise ValueError(
                f'{name} is not supported by onnx_chainer (opset {self.opset_version}): '
                'no converter; pass one in external_converters')
        nodes = conv(func, self.opset_version, input_names, output_names, self.context)
        fixed = onnx_helper.get_func_name(func)
        for i, node in enumerate(nodes):
            if not node.name:
                node.name = f'{fixed or name}_{self.context.fresh_name("")}'
        return tuple(nodes)

    def to_onnx_graph(self, graph_name: str, export_params: bool = True):
        """The GraphProto: inputs, outputs, nodes and (if ``export_params``) initializers."""
        from onnx import helper, numpy_helper
        ctx = self.context
        used = set()
        for node in self.nodes:
            used.update(node.input)
        inputs = [_value_info(name, v.shape, v.dtype) for name, v in self.inputs.items()]
        initializers = []
        params = ctx.param_set
        for name, arr in ctx.initializers.items():
            if name not in used:
                continue
            if not export_params and name in params:
                inputs.append(_value_info(name, arr.shape, arr.dtype))
            else:
                initializers.append(numpy_helper.from_array(numpy.asarray(arr), name))
        outputs = [_value_info(name, v.shape, v.dtype) for name, v in self.outputs.items()]
        return helper.make_graph(self.nodes, graph_name, inputs, outputs, initializers)
