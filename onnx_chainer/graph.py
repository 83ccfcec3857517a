"""The traced computational graph and its conversion to an ONNX GraphProto."""
from __future__ import annotations

import collections
import heapq
from typing import Any

import numpy

import chainer
from onnx_chainer import onnx_helper
from onnx_chainer.functions import _util
from onnx_chainer.functions.converter import FunctionConverterParams

__all__ = ['FunctionConverterParams', 'Graph', 'onnx_helper']


def _check_inputs_apart(inputs: list, initializers: list) -> None:
    """Raises onnx's ValidationError, as Chainer's export did (it listed the
    initializers among the graph inputs), where an input is named as an initializer
    (``input_names`` naming one after a parameter): ONNX would read the initializer
    as that input's default, and the model would compute with the input instead."""
    import onnx
    names = {t.name for t in initializers}
    for vi in inputs:
        if vi.name in names:
            raise onnx.checker.ValidationError(
                f'Graph must be in single static assignment (SSA) form, however '
                f'{vi.name!r} has been used as graph input names multiple times: an '
                f'input is named as a parameter or constant')


def _func_class_name(func: Any) -> str:
    inner = getattr(func, 'function', None)
    if isinstance(func, chainer.function.FunctionAdapter) and inner is not None:
        func = inner
    return getattr(func, 'custom_function_node_name', None) or type(func).__name__


def _value_info(name: str, shape, dtype):
    from onnx import helper
    return helper.make_tensor_value_info(name, _util.tensor_type(dtype), list(shape))


#: The opset the converters write for; below it each node is checked against the
#: operator's schema at the requested opset.
_CONVERTERS_OPSET = 13

#: The newest opset whose schemas :func:`_check_schemas` searches for the one a node needs.
_LATEST_OPSET = 18


#: Operators whose inputs after the first were attributes before an opset:
#: ``{op_type: (opset, attribute names of inputs 1, 2, ...)}``.
_INPUTS_ONCE_ATTRIBUTES = {
    'Squeeze': (13, ('axes',)), 'Unsqueeze': (13, ('axes',)), 'ReduceSum': (13, ('axes',)),
    'Split': (13, ('split',)), 'Pad': (11, ('pads', 'value')), 'Clip': (11, ('min', 'max')),
    'Slice': (10, ('starts', 'ends', 'axes', 'steps')),
    'Upsample': (9, ('scales',))}

#: Those attributes that are one number (the others are lists), and their type.
_SCALAR_ATTRIBUTES = {'value': float, 'min': float, 'max': float}

#: Functions whose nodes Chainer named ``<call>_tmp_<j>``, also when there is one.
_HELPER_NAMED = frozenset((
    'GetItem', 'SelectItem', 'Permutate', 'Repeat', 'Stack', 'Hstack', 'Vstack', 'Dstack',
    'Separate', 'TransposeSequence', 'SoftmaxCrossEntropy', 'MatMul', 'LinearInterpolate',
    'GroupNormalization'))

#: Inputs that Chainer named ``<function>_param_<role>`` (when not a link's), by position.
_PARAMETER_INPUTS = {'FixedBatchNormalization': {3: 'avg_mean', 4: 'avg_var'}}


def _older_resize(node, opset_version: int) -> None:
    """Rewrites (in place) a nearest ``Resize(x, roi, scales)`` of opset 11 to Resize-10
    ``(x, scales)`` or, before 10, Upsample (the same for the integer scales written);
    other Resize nodes are left for the schema check to refuse."""
    if len(node.input) != 3 or [(a.name, a.s) for a in node.attribute] != [('mode', b'nearest')]:
        return
    del node.input[1]
    if opset_version < 10:
        node.op_type = 'Upsample'


def _with_attributes(nodes: list, constants: list, opset_version: int) -> list:
    """Rewrites (in place) the nodes of :data:`_INPUTS_ONCE_ATTRIBUTES` whose later inputs
    are ``constants`` (Constant nodes) to the attribute form of the opsets before the
    inputs form (Slice-1 has no steps: only steps of 1 are dropped); returns the
    constants still used."""
    from onnx import helper, numpy_helper
    values = {c.output[0]: numpy_helper.to_array(c.attribute[0].t) for c in constants}
    for node in nodes:
        if node.op_type == 'Resize' and opset_version < 11:
            _older_resize(node, opset_version)
        since, attrs = _INPUTS_ONCE_ATTRIBUTES.get(node.op_type, (0, ()))
        later = list(node.input[1:])
        if opset_version >= since or not all(n in values or n == '' for n in later):
            continue
        new = []
        for attr, name in zip(attrs, later):
            if name == '':
                continue
            value = values[name]
            if attr in _SCALAR_ATTRIBUTES:
                new.append(helper.make_attribute(attr, _SCALAR_ATTRIBUTES[attr](value)))
            elif attr == 'steps' and (value == 1).all():
                continue
            else:
                value = [(float if value.dtype.kind == 'f' else int)(v) for v in value.ravel()]
                if value:
                    new.append(helper.make_attribute(attr, value))
        if any(a.name == 'steps' for a in new):
            continue  # Slice-1 cannot step
        del node.input[1:]
        # Where Chainer wrote them: axes before keepdims, split after axis.
        attrs = new + list(node.attribute) if attrs == ('axes',) else \
            list(node.attribute) + new
        del node.attribute[:]
        node.attribute.extend(attrs)
    used = {name for node in nodes for name in node.input}
    return [c for c in constants if c.output[0] in used]


def _fits(node, opset_version: int) -> bool:
    """Whether a standard node fits its operator's schema at ``opset_version``."""
    import onnx
    try:
        schema = onnx.defs.get_schema(node.op_type, opset_version, '')
    except onnx.defs.SchemaError:
        return False
    return schema.min_input <= len(node.input) <= schema.max_input and \
        all(a.name in schema.attributes for a in node.attribute) and \
        not any(name == '' and i < len(schema.inputs) and
                schema.inputs[i].option == onnx.defs.OpSchema.FormalParameterOption.Single
                for i, name in enumerate(node.input))


def _check_schemas(func_name: str, nodes: list, opset_version: int) -> None:
    """Raises the converters' unsupported error (a RuntimeError too) where a standard
    node does not fit its operator's schema at ``opset_version`` (an operator not there
    yet, inputs or attributes it lacks), naming the opset from which it would."""
    for node in nodes:
        if node.domain not in ('', 'ai.onnx') or _fits(node, opset_version):
            continue
        needed = next((v for v in range(opset_version + 1, _LATEST_OPSET + 1)
                       if _fits(node, v)), None)
        raise _util.UnsupportedError(
            f'{func_name} is not supported by onnx_chainer at opset {opset_version}: its '
            f'{node.op_type} node needs a newer opset'
            + (f' ({needed} or newer)' if needed else ''))


def _in_conversion_order(outputs, inputs) -> list:
    """The functions that compute ``outputs`` from ``inputs`` (Variables), each
    after its inputs' creators: collected from the outputs by decreasing rank,
    then reversed."""
    stop = {id(v.node) for v in inputs}
    heap: list = []
    pushed = 0
    for v in outputs:
        heap.append((-v.node.rank, pushed, v.node))
        pushed += 1
    heapq.heapify(heap)
    seen: dict = {}
    while heap:
        _, _, node = heapq.heappop(heap)
        func = node.creator_node
        if func is None or id(func) in seen or id(node) in stop:
            continue
        seen[id(func)] = func
        for n in func.inputs:
            heapq.heappush(heap, (-n.rank, pushed, n))
            pushed += 1
    return list(reversed(seen.values()))


class Graph:
    """Walks the graph from ``outputs`` back to the inputs and converts each call.

    Every call is named ``<function class>_<k>`` (counted per class): its nodes
    are named after it and so is its output (``..._<i>`` for several), unless
    that output is a graph output with a name given.

    Args:
        context: The export's :class:`~onnx_chainer.context.Context`.
        converters: Mapping of function class names to converters, each called
            with one :class:`FunctionConverterParams`.
        opset_version: The ONNX opset to target.
        recorded: ``[(func, in_data)]`` in call order (from the retain hook).
        inputs: ``{name: Variable}`` of the model inputs.
        outputs: The model's output Variables, in order.
        output_names: Their names, or None to name them after the functions
            that compute them.
    """

    def __init__(self, context, converters: dict, opset_version: int, recorded: list,
                 inputs: dict, outputs: list, output_names: list | None = None) -> None:
        self.context = context
        self.converters = converters
        self.opset_version = opset_version
        self.in_data = {id(func): in_data for func, in_data in recorded}
        self.inputs = inputs
        self.output_vars = list(outputs)
        self.output_names = output_names
        self.outputs: collections.OrderedDict = collections.OrderedDict()
        self.nodes: list = []
        self.functions: list = []
        self._counts: dict = collections.defaultdict(int)

    def _input_name(self, node, data, param_name: str | None = None) -> str:
        """The name of a function's input; an array that is neither named nor a
        parameter becomes a constant initializer, or the parameter ``param_name``."""
        ctx = self.context
        key = id(node)
        if key in ctx.names:
            return ctx.names[key]
        if data is None:  # a call made before the export traced the model
            var = node.get_variable_or_none()
            data = var.array if var is not None else node.data
            if data is None:
                raise ValueError(
                    'an input of a function called before the export is gone: keep the '
                    'Variables the model computed earlier, or compute them in forward')
        if id(data) in ctx.param_names or isinstance(node._variable(), chainer.Parameter):
            name = ctx.add_param(data)
        elif id(data) in ctx.names:
            name = ctx.names[id(data)]
        elif param_name is not None:
            name = ctx.add_param(data, param_name, use_original_name=True)
        else:
            name = ctx.add_const(chainer.backend.CpuDevice().send(data))
            ctx.implicit_inputs.append(name)
            ctx.names[id(data)] = name
            ctx._keep.append(data)
        ctx.names[key] = name
        return name

    def _base_name(self, func_name: str) -> str:
        base = f'{func_name}_{self._counts[func_name]}'
        self._counts[func_name] += 1
        return base

    def build(self) -> None:
        """Converts every function the outputs depend on, inputs before users."""
        ctx = self.context
        for name, v in self.inputs.items():
            ctx.names[id(v.node)] = name
        named = {}  # id(output node) -> the given name, for those computed here
        if self.output_names is not None:
            for name, v in zip(self.output_names, self.output_vars):
                if v.node.creator_node is not None:
                    named.setdefault(id(v.node), name)
        for func in _in_conversion_order(self.output_vars, self.inputs.values()):
            func_name = _func_class_name(func)
            base = self._base_name(func_name)
            in_data = self.in_data.get(id(func), (None,) * len(func.inputs))
            roles = _PARAMETER_INPUTS.get(func_name, {})
            in_names = [ctx.names[id(n)] if id(n) in ctx.names else
                        self._input_name(n, d, f'{base}_param_{roles[i]}' if i in roles
                                         else None)
                        for i, (n, d) in enumerate(zip(func.inputs, in_data))]
            out_names = []
            for i, ref in enumerate(func.outputs):
                n = ref()
                name = named.get(id(n)) if n is not None else None
                if name is None:
                    name = base if len(func.outputs) == 1 else f'{base}_{i}'
                if n is not None:
                    ctx.names[id(n)] = name
                out_names.append(name)
            onnx_helper.set_func_name(base)
            try:
                self.nodes.extend(self.convert(func_name, func, in_names, out_names))
            finally:
                onnx_helper.set_func_name(None)
            self.functions.append(func)
        self._name_outputs()

    def _name_outputs(self) -> None:
        """Fills ``outputs``: an output returned twice, renamed by ``output_names`` or
        not computed by the graph (a parameter or constant) is a copy (an Identity node)
        under its own name; a model input returned as it is stays that input, as
        Chainer wrote it."""
        ctx = self.context
        given = self.output_names
        taken = set()
        for i, v in enumerate(self.output_vars):
            src = ctx.names.get(id(v.node))
            if src is None:
                n_implicit = len(ctx.implicit_inputs)
                src = self._input_name(v.node, v.array)
                # a constant only returned stays an initializer with export_params=False
                del ctx.implicit_inputs[n_implicit:]
            name = given[i] if given is not None else src
            if name == src and name not in taken and \
                    (v.node.creator_node is not None or name in self.inputs):
                taken.add(name)
                self.outputs[name] = v
                continue
            if given is None:
                name = self._base_name('Identity')
            self.nodes.append(onnx_helper.make_node('Identity', [src], [name], name=name))
            taken.add(name)
            self.outputs[name] = v

    def convert(self, func_name: str, func, input_names: list, output_names: list) -> list:
        conv = self.converters.get(func_name)
        if conv is None:
            raise ValueError(
                f'{func_name} is not supported by onnx_chainer (opset {self.opset_version}): '
                'no converter; pass one in external_converters')
        nodes = conv(FunctionConverterParams(func, self.opset_version, list(input_names),
                                             list(output_names), self.context))
        nodes = [nodes] if hasattr(nodes, 'op_type') else list(nodes)  # one NodeProto or more
        if len(nodes) == 1:
            # A call that is one node is named after the call, but where Chainer's
            # converter built its nodes as helpers (<call>_tmp_0) even when one is made.
            base = onnx_helper.get_func_name()
            if func_name in _HELPER_NAMED and nodes[0].name == base:
                nodes[0].name = f'{base}_tmp_0'
            elif func_name not in _HELPER_NAMED and nodes[0].name == f'{base}_tmp_0':
                nodes[0].name = base
        constants = list(self.context.constants)
        self.context.constants.clear()
        if self.opset_version < _CONVERTERS_OPSET:
            constants = _with_attributes(nodes, constants, self.opset_version)
            if self.opset_version < 9:
                constants = self._floats_only(constants)
            _check_schemas(func_name, nodes, self.opset_version)
        return constants + nodes

    def _floats_only(self, constants: list) -> list:
        """The float Constant nodes among ``constants``; the others (a Constant holds
        only floats before opset 9) become initializers of the same name."""
        from onnx import numpy_helper
        kept = []
        for c in constants:
            value = numpy_helper.to_array(c.attribute[0].t)
            if value.dtype.kind == 'f':
                kept.append(c)
            else:
                self.context.add_initializer(value, c.output[0])
        return kept

    def to_onnx_graph(self, graph_name: str, export_params: bool = True) -> Any:
        """The GraphProto: inputs, outputs, nodes and (if ``export_params``) initializers.

        Parameters are initializers that are not graph inputs; the link parameters
        come first among the initializers, in ``namedparams()`` order. Without
        ``export_params`` they are graph inputs without initializers, as Chainer
        listed them: the link parameters first (all, in ``namedparams()`` order), then
        the model's inputs, then the arrays the model passed to functions, then
        the other arrays (running statistics).
        """
        from onnx import helper, numpy_helper
        ctx = self.context
        used = set()
        for node in self.nodes:
            used.update(node.input)
        inputs = [_value_info(name, v.shape, v.dtype) for name, v in self.inputs.items()]
        initializers = []
        params, implicit, others = [], [], []
        implicit_names = set(ctx.implicit_inputs)
        for name, arr in ctx.initializers.items():
            if name not in used:
                continue
            if not export_params and (name in ctx.param_set or name in implicit_names):
                info = _value_info(name, arr.shape, arr.dtype)
                (params if name in ctx.link_params else
                 implicit if name in implicit_names else others).append((name, info))
            else:
                initializers.append(numpy_helper.from_array(numpy.asarray(arr), name))
        if not export_params:
            # Every parameter is an input, also one no function took, as Chainer
            # listed them (code feeding them all by name keeps working).
            listed = {name for name, _ in params}
            params += [(name, _value_info(name, arr.shape, arr.dtype))
                       for name, arr in ctx.link_params.items() if name not in listed]
        order = {name: i for i, name in enumerate(ctx.link_params)}
        params.sort(key=lambda p: order[p[0]])
        # Link parameters first, in namedparams() order, as Chainer listed them.
        initializers.sort(key=lambda t: order.get(t.name, len(order)))
        inputs = [i for _, i in params] + inputs + [i for _, i in implicit + others]
        _check_inputs_apart(inputs, initializers)
        outputs = [_value_info(name, v.shape, v.dtype) for name, v in self.outputs.items()]
        return helper.make_graph(self.nodes, graph_name, inputs, outputs, initializers)
