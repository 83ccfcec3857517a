"""Small helpers to build ONNX nodes and tensors."""
from __future__ import annotations

import re
from typing import Any

import numpy

try:
    import onnx
    from onnx import helper as _helper
    from onnx import numpy_helper as _numpy_helper
except ImportError:  # the extra is optional; export() says what to install
    onnx = None

_FUNC_NAME_ATTR = '_onnx_chainer_name'


def require_onnx() -> None:
    """Raises an ImportError naming the extra when ``onnx`` is missing."""
    if onnx is None:
        raise ImportError(
            "onnx_chainer needs the 'onnx' package: pip install 'rechainer[onnx]'")


def cleanse_param_name(name: str) -> str:
    """ONNX-friendly name of a link parameter path (``/l1/W`` -> ``param_l1_W``)."""
    return 'param' + re.sub(r'[^0-9A-Za-z_]', '_', name)


def set_func_name(func: Any, name: str) -> None:
    """Gives ``func`` (a FunctionNode) a fixed node name in the exported graph."""
    setattr(func, _FUNC_NAME_ATTR, name)


def get_func_name(func: Any) -> str | None:
    """The node name given by :func:`set_func_name`, or None."""
    return getattr(func, _FUNC_NAME_ATTR, None)


def is_support_non_standard_domain() -> bool:
    """Whether the installed ``onnx`` checks nodes of custom domains (it does)."""
    return onnx is not None


def make_node(op_type: str, inputs, outputs, name: str | None = None,
              domain: str | None = None, **attrs: Any):
    """One NodeProto; attributes whose value is None are left out."""
    require_onnx()
    attrs = {k: v for k, v in attrs.items() if v is not None}
    return _helper.make_node(op_type, list(inputs), list(outputs), name=name,
                             domain=domain, **attrs)


def write_tensor_pb(filename: str, name: str, value: Any) -> None:
    """Writes ``value`` as a TensorProto file (``*.pb``) named ``name``."""
    from chainer.utils import _atomic
    require_onnx()
    tensor = _numpy_helper.from_array(numpy.asarray(value), name)
    with _atomic.replacing(filename) as tmp:
        with open(tmp, 'wb') as f:
            f.write(tensor.SerializeToString())


class GraphBuilder:
    """Collects the nodes one converter emits; intermediate names are made unique.

    ``gb.op('Relu', [x])`` returns the name of the new node's output;
    :meth:`op_output_named` sets the outputs, :meth:`nodes` lists what was built
    with the last node's outputs renamed to ``output_names`` when given.
    """

    def __init__(self, context: Any = None, prefix: str = 'tmp') -> None:
        self._nodes: list = []
        self._context = context
        self._prefix = prefix
        self._n = 0

    def _fresh(self) -> str:
        if self._context is not None:
            return self._context.fresh_name(self._prefix)
        self._n += 1
        return f'{self._prefix}_{self._n}'

    def op(self, op_type: str, inputs, n_outputs: int = 1, **attrs: Any):
        outs = [self._fresh() for _ in range(n_outputs)]
        self._nodes.append(make_node(op_type, inputs, outs, **attrs))
        return outs[0] if n_outputs == 1 else tuple(outs)

    def op_output_named(self, op_type: str, inputs, output_names, **attrs: Any):
        self._nodes.append(make_node(op_type, inputs, output_names, **attrs))
        return tuple(output_names)

    def const(self, value: Any, dtype: Any = None) -> str:
        """Name of a constant (an initializer of the graph)."""
        arr = numpy.asarray(value, dtype=dtype)
        return self._context.add_const(arr)

    def nodes(self, output_names=None) -> tuple:
        if output_names is not None and self._nodes:
            last = self._nodes[-1]
            del last.output[:]
            last.output.extend(output_names)
        return tuple(self._nodes)
