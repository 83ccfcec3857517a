"""``onnx_chainer.export``: trace a model's forward and write it as an ONNX model."""
from __future__ import annotations

import collections
import io
import os
from typing import Any

import numpy

import chainer
from chainer import function_hook
from onnx_chainer import context as _context
from onnx_chainer import graph as _graph
from onnx_chainer import mapping, onnx_helper

__all__ = ['MAXIMUM_OPSET_VERSION', 'MINIMUM_OPSET_VERSION', 'RetainInputHook',
           'check_onnx_model', 'convert_parameter', 'export', 'format_customized_shapes',
           'rename_variable_name']

#: The oldest opset the converters write (axes of Squeeze/Unsqueeze/ReduceSum/Split
#: are inputs from opset 13 on).
MINIMUM_OPSET_VERSION = 13
#: The newest opset the converters write.
MAXIMUM_OPSET_VERSION = 18


class RetainInputHook(function_hook.FunctionHook):
    """Records every function call and its input arrays, in call order.

    The export needs the values of constant inputs (arrays that are not
    parameters or model inputs), which the graph itself does not keep.
    """

    name = 'RetainInputHook'

    def __init__(self) -> None:
        self.recorded: list = []

    def forward_postprocess(self, function, in_data) -> None:
        self.recorded.append((function, tuple(in_data)))


def convert_parameter(parameter: Any, context: Any) -> Any:
    """A TensorProto of ``parameter`` (a Parameter, Variable or array) named in ``context``."""
    from onnx import numpy_helper
    arr = parameter.array if isinstance(parameter, chainer.Variable) else parameter
    arr = chainer.backend.CpuDevice().send(arr)
    name = context.add_param(arr)
    return numpy_helper.from_array(numpy.asarray(arr), name)


def rename_variable_name(context: Any, variables: Any, named_vars: dict, new_names) -> None:
    """Renames ``variables`` (Variables keyed in ``named_vars``) to ``new_names``."""
    if isinstance(new_names, str):
        new_names = [new_names]
    items = list(variables.values()) if isinstance(variables, dict) else list(variables)
    if len(items) != len(new_names):
        raise ValueError(f'{len(new_names)} names given for {len(items)} variables')
    old = list(named_vars.keys())
    for old_name, new_name in zip(old, new_names):
        named_vars[new_name] = named_vars.pop(old_name)


def format_customized_shapes(args: Any, shapes: Any) -> list:
    """Checks ``shapes`` (one per argument) and returns them as a list of tuples."""
    if isinstance(args, dict):
        n = len(args)
    elif isinstance(args, (list, tuple)):
        n = len(args)
    else:
        n = 1
    if isinstance(shapes, tuple) and shapes and not isinstance(shapes[0], (tuple, list)):
        shapes = [shapes]
    shapes = [tuple(s) for s in shapes]
    if len(shapes) != n:
        raise ValueError(f'{len(shapes)} input shapes given for {n} inputs')
    return shapes


def check_onnx_model(onnx_model: Any, external_converters: Any = None,
                     external_opset_imports: Any = None) -> None:
    """Runs ``onnx.checker`` (custom domains are only checked when imported)."""
    import onnx
    try:
        onnx.checker.check_model(onnx_model)
    except onnx.checker.ValidationError as e:
        if external_converters is None:
            raise
        if not external_opset_imports:
            raise ValueError(
                'the model has nodes of custom converters that onnx.checker rejects; '
                'pass their domains in external_opset_imports') from e
        raise


def _as_variables(args: Any, input_names: Any) -> tuple:
    """(call arguments, {name: Variable}) from an array, Variable, list, tuple or dict."""
    def var(x):
        if isinstance(x, chainer.Variable):
            return x
        return chainer.Variable(x)

    if isinstance(args, dict):
        call = {k: var(v) for k, v in args.items()}
        keys = list(call.keys())
        values = list(call.values())
    elif isinstance(args, (list, tuple)):
        call = [var(v) for v in args]
        keys = None
        values = call
    else:
        call = var(args)
        keys = None
        values = [call]
    names = _names(input_names, len(values), keys, 'Input')
    return call, collections.OrderedDict(zip(names, values))


def _names(given: Any, n: int, keys: Any, prefix: str) -> list:
    if given is None:
        return list(keys) if keys is not None else [f'{prefix}_{i}' for i in range(n)]
    if isinstance(given, str):
        given = [given]
    if isinstance(given, dict):
        given = list(given.values())
    given = list(given)
    if len(given) != n:
        raise ValueError(f'{len(given)} names given for {n} {prefix.lower()}s')
    return given


def _flatten_outputs(outputs: Any, output_names: Any) -> collections.OrderedDict:
    if isinstance(outputs, dict):
        keys = list(outputs.keys())
        values = list(outputs.values())
    elif isinstance(outputs, (list, tuple)):
        keys = None
        values = list(outputs)
    else:
        keys = None
        values = [outputs]
    for v in values:
        if not isinstance(v, chainer.Variable):
            raise TypeError(f'the model must return Variables, got {type(v).__name__}')
    names = _names(output_names, len(values), keys, 'Output')
    return collections.OrderedDict(zip(names, values))


def _opset(opset_version: Any) -> int:
    if opset_version is None:
        return MAXIMUM_OPSET_VERSION
    opset_version = int(opset_version)
    if not MINIMUM_OPSET_VERSION <= opset_version <= MAXIMUM_OPSET_VERSION:
        raise ValueError(
            f'opset_version {opset_version} is not supported: choose one from '
            f'{MINIMUM_OPSET_VERSION} to {MAXIMUM_OPSET_VERSION}')
    return opset_version


def _save(onnx_model: Any, filename: Any, save_text: bool) -> None:
    from chainer.utils import _atomic
    data = onnx_model.SerializeToString()
    if isinstance(filename, (str, os.PathLike)):
        with _atomic.replacing(filename) as tmp:
            with open(tmp, 'wb') as f:
                f.write(data)
        if save_text:
            with _atomic.replacing(os.fspath(filename) + '.txt') as tmp:
                with open(tmp, 'w') as f:
                    f.write(str(onnx_model))
    elif isinstance(filename, io.IOBase) or hasattr(filename, 'write'):
        filename.write(data)
    else:
        raise TypeError(f'filename must be a path or a file object, not {type(filename)}')


def _trace(model, args, train, input_names, output_names):
    call, inputs = _as_variables(args, input_names)
    hook = RetainInputHook()
    with chainer.using_config('train', train), \
            chainer.using_config('enable_backprop', True), hook:
        if isinstance(call, dict):
            outputs = model(**call)
        elif isinstance(call, list):
            outputs = model(*call)
        else:
            outputs = model(call)
    return inputs, _flatten_outputs(outputs, output_names), hook.recorded


def export(model: Any, args: Any, filename: Any = None, export_params: bool = True,
           graph_name: str = 'Graph', save_text: bool = False, opset_version: Any = None,
           train: bool = False, return_named_inout: bool = False,
           external_converters: Any = None, external_opset_imports: Any = None,
           input_names: Any = None, output_names: Any = None):
    """Exports a model (a Link or any callable) to an ONNX ModelProto.

    The model is run once on ``args`` (an array, a Variable, a list/tuple of them
    passed as positional arguments or a dict passed as keywords) and every function
    it calls is converted to ONNX operators.

    Args:
        model: The model to trace.
        args: Sample inputs (their shapes become the graph's input shapes).
        filename: Path or file object to write the model to (None: not written).
        export_params: Store parameters as initializers; otherwise they become
            graph inputs.
        graph_name: Name of the ONNX graph.
        save_text: Also write a text dump to ``filename + '.txt'``.
        opset_version: ONNX opset (default :data:`MAXIMUM_OPSET_VERSION`).
        train: Trace in training mode (``chainer.config.train``).
        return_named_inout: Also return the ``{name: Variable}`` inputs and outputs.
        external_converters: ``{function class name: converter}`` added to (and
            overriding) the built-in converters.
        external_opset_imports: ``{domain: version}`` of custom domains used.
        input_names, output_names: Names for the graph's inputs and outputs.

    Returns:
        The ModelProto, or ``(model, inputs, outputs)`` with ``return_named_inout``.
    """
    onnx_helper.require_onnx()
    from onnx import helper
    opset = _opset(opset_version)
    inputs, outputs, recorded = _trace(model, args, train, input_names, output_names)
    converters = dict(mapping.converters)
    if external_converters:
        converters.update(external_converters)
    ctx = _context.Context(model)
    g = _graph.Graph(ctx, converters, opset, recorded, inputs, outputs)
    g.build()
    graph = g.to_onnx_graph(graph_name, export_params)
    opsets = [helper.make_opsetid('', opset)]
    for domain, version in (external_opset_imports or {}).items():
        opsets.append(helper.make_opsetid(domain, version))
    onnx_model = helper.make_model(graph, opset_imports=opsets, producer_name='Chainer',
                                   producer_version=chainer.__version__)
    # The oldest IR version that carries this opset keeps older runtimes able to load it.
    onnx_model.ir_version = 8
    check_onnx_model(onnx_model, external_converters, external_opset_imports)
    if filename is not None:
        _save(onnx_model, filename, save_text)
    if return_named_inout:
        return onnx_model, inputs, outputs
    return onnx_model
