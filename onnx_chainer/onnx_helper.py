"""Small helpers to build ONNX nodes and tensors."""
from __future__ import annotations

import re
import threading
from typing import Any

import numpy

try:
    import onnx
    from onnx import helper as _helper
    from onnx import numpy_helper as _numpy_helper
except ImportError:  # the extra is optional; export() says what to install
    onnx = None


class _Converting(threading.local):
    """The name of the function being converted and how many names of each kind
    (``'tmp'``, ``'const'``) were made for it, in this thread: threads export at
    once (Chainer's one global name let them name each other's nodes)."""

    def __init__(self) -> None:
        self.name: str | None = None
        self.counts: dict[str, int] = {}


_converting = _Converting()


def require_onnx() -> None:
    """Raises an ImportError naming the extra when ``onnx`` is missing."""
    if onnx is None:
        raise ImportError(
            "onnx_chainer needs the 'onnx' package: pip install 'rechainer[onnx]'")


def cleanse_param_name(name: str) -> str:
    """ONNX-friendly name of a link parameter path (``/l1/W`` -> ``param_l1_W``)."""
    return 'param' + re.sub(r'[^0-9A-Za-z_]', '_', name)


def set_func_name(func_name: str | None) -> None:
    """Sets the name of the function being converted (``'LinearFunction_0'``).

    Nodes made by :func:`make_node` and :class:`GraphBuilder` are named after it.
    """
    _converting.name = func_name
    _converting.counts = {}


def get_func_name() -> str | None:
    """The name of the function being converted (None outside a conversion)."""
    return _converting.name


def fresh_name(kind: str) -> str:
    """``<function name>_<kind>_<k>``: a new name for a node (and its output) of a
    converter (``kind='tmp'``) or for one of its constants (``kind='const'``)."""
    k = _converting.counts.get(kind, 0)
    _converting.counts[kind] = k + 1
    return f'{_converting.name}_{kind}_{k}'


def is_support_non_standard_domain() -> bool:
    """Whether the installed ``onnx`` checks nodes of custom domains (it does)."""
    return onnx is not None


def make_node(op_type: str, inputs, outputs, name: str | None = None,
              doc_string: str | None = None, domain: str | None = None, **attrs: Any):
    """One NodeProto, named after the function being converted unless ``name`` is given;
    attributes whose value is None are left out."""
    require_onnx()
    attrs = {k: v for k, v in attrs.items() if v is not None}
    if name is None:
        name = _converting.name
    return _helper.make_node(op_type, list(inputs), list(outputs), name=name,
                             doc_string=doc_string, domain=domain, **attrs)


def _tensor_pb(name: str, value: Any) -> bytes:
    """``value`` as the bytes of a TensorProto (a ``*.pb`` file) named ``name``."""
    require_onnx()
    return _numpy_helper.from_array(numpy.asarray(value), name).SerializeToString()


def write_tensor_pb(filename: str, name: str, value: Any) -> None:
    """Writes ``value`` as a TensorProto file (``*.pb``) named ``name``."""
    from chainer.utils import _atomic
    _atomic.write_bytes(filename, _tensor_pb(name, value))


class GraphBuilder:
    """Collects the nodes one converter emits.

    ``gb.op('Relu', [x])`` adds a node named ``<function name>_tmp_<k>`` and
    returns its output (of the same name; ``..._<i>`` for several outputs);
    :meth:`op_output_named` sets the outputs, :meth:`nodes` lists what was built
    with the last node's outputs renamed to ``output_names`` when given.

    Args:
        context: The export's Context, for :meth:`const`.
    """

    def __init__(self, context: Any = None) -> None:
        self._nodes: list = []
        self._context = context

    def op(self, op_name: str, input_names: Any, num_outputs: int = 1,
           **attrs: Any) -> str | tuple:
        name = fresh_name('tmp')
        outs = [name] if num_outputs == 1 else [f'{name}_{i}' for i in range(num_outputs)]
        self._nodes.append(make_node(op_name, input_names, outs, name=name, **attrs))
        return outs[0] if num_outputs == 1 else tuple(outs)

    def op_output_named(self, op_name: str, input_names: Any, output_names: Any,
                        **attrs: Any) -> str | tuple:
        self._nodes.append(make_node(op_name, input_names, output_names,
                                     name=fresh_name('tmp'), **attrs))
        outs = tuple(output_names)
        return outs[0] if len(outs) == 1 else outs

    def const(self, value: Any, dtype: Any = None) -> str:
        """Name of a constant: a Constant node of the function being converted
        (an initializer outside a conversion), see ``Context.add_const``."""
        arr = numpy.asarray(value, dtype=dtype)
        return self._context.add_const(arr)

    def nodes(self, output_names=None) -> tuple:
        if output_names is not None and self._nodes:
            last = self._nodes[-1]
            del last.output[:]
            last.output.extend(output_names)
        return tuple(self._nodes)
