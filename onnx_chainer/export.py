"""``onnx_chainer.export``: trace a model's forward and write it as an ONNX model."""
from __future__ import annotations

import collections
import os
import warnings
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

#: The oldest opset the converters write, as Chainer's (a function whose operators
#: are newer, such as Where, Erf or Sign before 9, raises its unsupported error).
MINIMUM_OPSET_VERSION = 7
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
    if isinstance(parameter, chainer.Variable):
        arr = parameter.array
    elif isinstance(parameter, chainer.get_array_types()):
        arr = parameter
    else:
        raise ValueError(f'parameter must be a Parameter, Variable or array, not '
                         f'{type(parameter).__name__}')
    arr = chainer.backend.CpuDevice().send(arr)
    name = context.add_param(arr)
    return numpy_helper.from_array(numpy.asarray(arr), name)


def _new_names(variables: Any, new_names: Any, prefix: str) -> list:
    """The names of ``variables`` (a Variable, list, tuple or dict of them):
    ``new_names`` (names in the same structure, each its own) or ``<prefix>_<i>``."""
    names = _names_in_structure(variables, new_names, prefix)
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        # Chainer merged the inputs (or dropped the outputs) named alike.
        raise ValueError(f'{new_names!r} gives two {prefix.lower()}s the name '
                         f'{repeated[0]!r}: each needs its own')
    return names


def _names_in_structure(variables: Any, new_names: Any, prefix: str) -> list:
    if isinstance(variables, (list, tuple)):
        if new_names is None:
            return [f'{prefix}_{i}' for i in range(len(variables))]
        if not isinstance(new_names, (list, tuple)) or len(variables) != len(new_names):
            raise ValueError(
                f'{new_names!r} does not name the {len(variables)} {prefix.lower()}s: '
                'give a list of as many names')
        return list(new_names)
    if isinstance(variables, dict):
        if new_names is None:
            return [f'{prefix}_{i}' for i in range(len(variables))]
        if not isinstance(new_names, (list, tuple, dict)) or len(variables) != len(new_names):
            raise ValueError(
                f'{new_names!r} does not name the {len(variables)} {prefix.lower()}s: '
                'give a list or a dict of as many names')
        if not isinstance(new_names, dict):
            return list(new_names)
        missing = [k for k in variables if k not in new_names]
        if missing:
            raise ValueError(f'no {prefix.lower()} name given for the keys {missing}')
        return [new_names[k] for k in variables]
    if not new_names:
        return [f'{prefix}_0']
    if isinstance(new_names, (list, tuple)):
        if len(new_names) != 1:
            raise ValueError(f'{new_names!r}: a single {prefix.lower()} takes one name')
        return [new_names[0]]
    if not isinstance(new_names, str):
        raise ValueError(f'a single {prefix.lower()} is named by a str or a list of one str, '
                         f'not {type(new_names).__name__}')
    return [new_names]


def rename_variable_name(context: Any, variables: Any, named_vars: dict, new_names: Any,
                         prefix: str = 'Input') -> None:
    """Renames ``variables`` (a Variable, list, tuple or dict of the Variables in
    ``named_vars``) to ``new_names`` (``<prefix>_<i>`` where None), in place, and
    pins the names in ``context``."""
    names = _new_names(variables, new_names, prefix)
    items = list(variables.values()) if isinstance(variables, dict) else (
        list(variables) if isinstance(variables, (list, tuple)) else [variables])
    old = {id(v): k for k, v in named_vars.items()}
    for var, name in zip(items, names):
        named_vars.pop(old.get(id(var)), None)
        named_vars[name] = var
        context.set_name(var, name, pinned=True)


def format_customized_shapes(args: Any, shapes: Any) -> list:
    """``shapes`` (``input_shapes`` of :func:`export`) as a list, one per input of ``args``.

    A list/tuple of inputs takes a list of shapes; a dict takes a list or a dict
    keyed as ``args``; a single input takes a tuple or a list of one. Each shape
    has as many axes as its input (an axis may be a name or None: a dynamic axis).
    """
    if isinstance(args, (list, tuple)):
        if not isinstance(shapes, list) or len(args) != len(shapes):
            raise ValueError(f'input_shapes must be a list of {len(args)} shapes')
        keyed = list(zip(range(len(args)), args, shapes))
    elif isinstance(args, dict):
        if not isinstance(shapes, (list, dict)) or len(args) != len(shapes):
            raise ValueError(f'input_shapes must be a list or a dict of {len(args)} shapes')
        if isinstance(shapes, list):
            shapes = dict(zip(args.keys(), shapes))
        missing = [k for k in args if k not in shapes]
        if missing:
            raise ValueError(f'input_shapes has no shape for the keys {missing}')
        keyed = [(k, a, shapes[k]) for k, a in args.items()]
    else:
        if isinstance(shapes, list):
            if len(shapes) != 1:
                raise ValueError('input_shapes of a single input must be one shape')
            shape = shapes[0]
        elif isinstance(shapes, tuple):
            shape = shapes
        else:
            raise ValueError(f'input_shapes of a single input must be a tuple, not '
                             f'{type(shapes).__name__}')
        keyed = [(0, args, shape)]
    for key, arg, shape in keyed:
        if len(arg.shape) != len(shape):
            raise ValueError(f'input_shapes[{key!r}] {tuple(shape)} must have as many axes '
                             f'as the input of shape {tuple(arg.shape)}')
    return [shape for _, _, shape in keyed]


def check_onnx_model(onnx_model: Any, external_converters: Any = None,
                     external_opset_imports: Any = None) -> None:
    """Runs ``onnx.checker``; with ``external_converters`` but no
    ``external_opset_imports`` a failed check only warns (custom nodes)."""
    import onnx
    try:
        onnx.checker.check_model(onnx_model)
    except onnx.checker.ValidationError as e:
        if external_converters is None or external_opset_imports:
            raise
        warnings.warn(
            'onnx.checker rejects the exported model, which has nodes of '
            'external_converters: pass their domains in external_opset_imports to have '
            f'them checked. The error:\n{e}', UserWarning)


def _as_variables(args: Any) -> tuple:
    """(call arguments, the input Variables) from an array, Variable, list, tuple or dict."""
    def var(x):
        return x if isinstance(x, chainer.Variable) else chainer.Variable(x)

    if isinstance(args, dict):
        call = {k: var(v) for k, v in args.items()}
        return call, list(call.values())
    if isinstance(args, (list, tuple)):
        call = [var(v) for v in args]
        return call, call
    if isinstance(args, (chainer.Variable,) + tuple(chainer.get_array_types())):
        call = var(args)
        return call, [call]
    raise ValueError(f'args must be a list, tuple, dict, array or Variable, not '
                     f'{type(args).__name__}')


def _flatten_outputs(outputs: Any) -> list:
    if isinstance(outputs, dict):
        values = list(outputs.values())
    elif isinstance(outputs, (list, tuple)):
        values = list(outputs)
    elif isinstance(outputs, chainer.Variable):
        values = [outputs]
    else:
        raise RuntimeError(f'the model returned a {type(outputs).__name__}: it must return '
                           'a Variable, or a list, tuple or dict of Variables')
    for v in values:
        if not isinstance(v, chainer.Variable):
            raise ValueError(f'the model must return Variables, got {type(v).__name__}')
    return values


def _opset(opset_version: Any) -> int:
    """The opset to write: by default the newest both the converters and the
    installed ``onnx`` know; one outside the converters' range only warns."""
    import onnx
    if opset_version is None:
        return min(int(onnx.defs.onnx_opset_version()), MAXIMUM_OPSET_VERSION)
    if not MINIMUM_OPSET_VERSION <= opset_version <= MAXIMUM_OPSET_VERSION:
        warnings.warn(
            f'onnx_chainer is tested with opsets {MINIMUM_OPSET_VERSION} to '
            f'{MAXIMUM_OPSET_VERSION}: the model exported at opset_version {opset_version} '
            'may not be valid (a converter that cannot write it raises RuntimeError)',
            UserWarning)
    return opset_version


def _model_files(onnx_model: Any, filename: Any, save_text: bool) -> list:
    """``(path, bytes)`` of the model file and, with ``save_text``, its ``.txt``."""
    files = [(filename, onnx_model.SerializeToString())]
    if save_text:
        files.append((os.fspath(filename) + '.txt', (str(onnx_model) + '\n').encode()))
    return files


def _save(onnx_model: Any, filename: Any, save_text: bool) -> None:
    from chainer.utils import _atomic
    if isinstance(filename, (str, os.PathLike)):
        # With save_text both files are renamed into place or neither.
        _atomic.write_together(_model_files(onnx_model, filename, save_text))
    elif hasattr(filename, 'write'):
        filename.write(onnx_model.SerializeToString())
    else:
        raise TypeError(f'filename must be a path or a file object, not {type(filename)}')


def _warn_uninitialized(model: Any) -> None:
    if not isinstance(model, chainer.Link):
        return
    for name, param in model.namedparams():
        if param.array is None:
            warnings.warn(f'the parameter {name!r} is not initialized: it is not exported')


def _trace(model, args, input_names, output_names):
    call, in_vars = _as_variables(args)
    inputs = collections.OrderedDict(zip(_new_names(args, input_names, 'Input'), in_vars))
    hook = RetainInputHook()
    with hook, mapping.patch_functions():
        if isinstance(call, dict):
            outputs = model(**call)
        elif isinstance(call, list):
            outputs = model(*call)
        else:
            outputs = model(call)
    out_vars = _flatten_outputs(outputs)
    names = _new_names(outputs, output_names, 'Output') if output_names else None
    return inputs, out_vars, names, hook.recorded


def _reshape_inputs(onnx_model: Any, names: list, shapes: list) -> Any:
    """The model with the inputs ``names`` given ``shapes`` and the output shapes
    inferred from them (the graph's inputs may also list parameters, which keep theirs)."""
    from onnx import shape_inference
    graph_inputs = {vi.name: vi for vi in onnx_model.graph.input}
    for name, shape in zip(names, shapes):
        vi = graph_inputs[name]
        dims = vi.type.tensor_type.shape.dim
        for d, size in zip(dims, shape):
            d.Clear()
            if isinstance(size, str):
                d.dim_param = size
            elif size is not None:
                d.dim_value = int(size)
    for vi in onnx_model.graph.output:
        for d in vi.type.tensor_type.shape.dim:
            d.Clear()
    return shape_inference.infer_shapes(onnx_model)


def export(model: Any, args: Any, filename: Any = None, export_params: bool = True,
           graph_name: str = 'Graph', save_text: bool = False, opset_version: Any = None,
           input_names: Any = None, output_names: Any = None, train: bool = False,
           return_named_inout: bool = False, external_converters: Any = None,
           external_opset_imports: Any = None, input_shapes: Any = None,
           no_testcase: bool = False) -> Any:
    """Exports a model (a Link or any callable) to an ONNX ModelProto.

    The model is run once on ``args`` (an array, a Variable, a list/tuple of them
    passed as positional arguments or a dict passed as keywords) and every function
    it calls is converted to ONNX operators. Parameters are initializers (not graph
    inputs); the graph's outputs keep the order the model returns them in.

    Args:
        model: The model to trace.
        args: Sample inputs (their shapes become the graph's input shapes).
        filename: Path or file object to write the model to (None: not written).
        export_params: Store parameters as initializers; otherwise they become
            graph inputs.
        graph_name: Name of the ONNX graph.
        save_text: Also write a text dump to ``filename + '.txt'``.
        opset_version: ONNX opset (default: the newest that both the converters,
            :data:`MAXIMUM_OPSET_VERSION`, and the installed ``onnx`` know).
        input_names, output_names: Names of the graph's inputs and outputs: a str
            for one, a list, or a dict keyed as ``args`` (as the model's returned
            dict). By default ``Input_<i>``, and outputs are named after the
            functions computing them (``LinearFunction_1``).
        train: Trace in training mode (``chainer.config.train``).
        return_named_inout: Also return the ``{name: Variable}`` inputs and outputs.
        external_converters: ``{function class name: converter}`` added to (and
            overriding) the built-in converters; a converter takes one
            :class:`~onnx_chainer.functions.converter.FunctionConverterParams`
            and returns NodeProtos.
        external_opset_imports: ``{domain: version}`` of custom domains used.
        input_shapes: Shapes to declare for the inputs instead of those of ``args``
            (an axis may be a name or None, a dynamic axis); the output shapes
            are inferred.
        no_testcase: Do not warn that writing a model without test data
            (:func:`export_testcase`) is deprecated.

    Returns:
        The ModelProto, or ``(model, inputs, outputs)`` with ``return_named_inout``.
    """
    onnx_helper.require_onnx()
    from onnx import helper
    if not no_testcase and filename is not None:
        warnings.warn('Exporting ONNX without testcases is deprecated. '
                      'Use export_testcase instead', DeprecationWarning)
    opset = _opset(opset_version)
    if input_shapes is not None:
        input_shapes = format_customized_shapes(args, input_shapes)
    with chainer.using_config('train', train), \
            chainer.using_config('in_recomputing', True), \
            chainer.using_config('enable_backprop', True):
        inputs, out_vars, out_names, recorded = _trace(model, args, input_names,
                                                       output_names)
    _warn_uninitialized(model)
    converters = dict(mapping.converters)
    if external_converters:
        chainer.utils.experimental('external_converters')
        converters.update(external_converters)
    ctx = _context.Context(model)
    g = _graph.Graph(ctx, converters, opset, recorded, inputs, out_vars, out_names)
    g.build()
    graph = g.to_onnx_graph(graph_name, export_params)
    opsets = [helper.make_opsetid('', opset)]
    if external_opset_imports:
        chainer.utils.experimental('external_opset_imports')
        for domain, version in external_opset_imports.items():
            opsets.append(helper.make_opsetid(domain, version))
    onnx_model = helper.make_model(graph, opset_imports=opsets, producer_name='Chainer',
                                   producer_version=chainer.__version__)
    # The oldest IR version that carries these opsets (8 at least) keeps older runtimes
    # able to load the model.
    onnx_model.ir_version = max(8, helper.find_min_ir_version_for(opsets, True))
    check_onnx_model(onnx_model, external_converters, external_opset_imports)
    if input_shapes is not None:
        onnx_model = _reshape_inputs(onnx_model, list(inputs), input_shapes)
        check_onnx_model(onnx_model, external_converters, external_opset_imports)
    if filename is not None:
        _save(onnx_model, filename, save_text)
    if return_named_inout:
        chainer.utils.experimental('return_named_inout')
        return onnx_model, inputs, g.outputs
    return onnx_model
