"""Names and constants shared by the converters of one export."""
from __future__ import annotations

from typing import Any

import numpy

import chainer
from onnx_chainer import onnx_helper

__all__ = ['Context', 'onnx_helper']


class Context:
    """Export-wide state: unique names, parameter names and constant initializers.

    Args:
        model: The exported :class:`~chainer.Link` (its parameters and persistent
            values get names from their paths).
    """

    def __init__(self, model: Any = None) -> None:
        self._n = 0
        self.initializers: dict = {}
        self.names: dict = {}  # id(array or node) -> name
        self.param_names: dict = {}  # id(array) -> name
        self._keep: list = []
        self.param_set: set = set()
        #: Arrays the model passed to functions (not parameters): Chainer's implicit inputs.
        self.implicit_inputs: list = []
        self._pinned: set = set()
        #: Constant nodes made for the function being converted (taken by the graph).
        self.constants: list = []
        self._const_names: set = set()
        #: name -> array of each of the model's parameters (used or not), in
        #: ``namedparams()`` order.
        self.link_params: dict = {}
        #: id(Parameter) -> (the cleansed path of the child link owning it, that link).
        self.param_to_link: dict = {}
        if model is not None and hasattr(model, 'namedlinks'):
            links = dict(model.namedlinks())
            for path, param in model.namedparams(include_uninit=False):
                name = onnx_helper.cleanse_param_name(path)
                self.param_names[id(param.array)] = name
                self.link_params[name] = param.array
                owner = path[:path.rindex('/')]
                if owner in links:
                    self.param_to_link[id(param)] = (onnx_helper.cleanse_param_name(owner),
                                                     links[owner])
            for path, link in model.namedlinks():
                for pname in getattr(link, '_persistent', ()):
                    value = getattr(link, pname, None)
                    if hasattr(value, 'shape'):
                        self.param_names[id(value)] = onnx_helper.cleanse_param_name(
                            f'{path.rstrip("/")}/{pname}')

    def get_link(self, param: Any) -> tuple | None:
        """``(name, link)`` of the child link that owns the Parameter ``param``
        (``('param_bn', bn)`` for ``/bn/gamma``), or None (a parameter of the exported
        link itself, or not a parameter)."""
        return self.param_to_link.get(id(param))

    def fresh_name(self, prefix: str = 'v') -> str:
        self._n += 1
        return f'{prefix}{self._n}'

    def add_initializer(self, array: Any, name: str) -> str:
        if name not in self.initializers:
            # GPU arrays are copied to the host here, once per initializer.
            self.initializers[name] = numpy.asarray(chainer.backend.CpuDevice().send(array))
        return name

    def add_const(self, array: Any, name: str | None = None) -> str:
        """Registers a constant of the function being converted, a Constant node
        put before the function's nodes; returns its name,
        ``<function name>_const_<name>`` (a counter where ``name`` is None).

        Outside a conversion the constant is an initializer.
        """
        func_name = onnx_helper.get_func_name()
        if func_name is None:
            return self.add_initializer(array, name or self.fresh_name('const'))
        name = onnx_helper.fresh_name('const') if name is None else f'{func_name}_const_{name}'
        if name not in self._const_names:
            from onnx import numpy_helper
            value = numpy_helper.from_array(
                numpy.asarray(chainer.backend.CpuDevice().send(array)), name)
            self.constants.append(onnx_helper.make_node('Constant', [], [name], value=value))
            self._const_names.add(name)
        return name

    def add_param(self, array: Any, name: str | None = None,
                  use_original_name: bool = False) -> str:
        """Registers a parameter array (same array, same name); returns the name.

        A link's parameter is named after its path (``param_l1_W``); another
        array is named ``name`` with ``use_original_name``, else
        ``<function name>_param_<name>``.
        """
        key = id(array)
        if key in self.names:
            return self.names[key]
        if name is not None and not use_original_name:
            name = onnx_helper.cleanse_param_name(name if name.startswith(('/', '_'))
                                                  else '/' + name)
            name = f'{onnx_helper.get_func_name()}_{name}'
        name = name or self.param_names.get(key) or self.fresh_name('param')
        self._keep.append(array)
        self.names[key] = name
        self.param_set.add(name)
        return self.add_initializer(array, name)

    def get_name(self, variable: Any) -> str:
        """The graph name of a Variable, VariableNode or array (a new ``v<n>`` if unseen)."""
        node = getattr(variable, 'node', variable)
        name = self.names.get(id(node))
        if name is None:
            name = self.names.get(id(getattr(variable, 'array', None))) \
                or self.fresh_name('v')
            self.set_name(variable, name)
        return name

    def set_name(self, variable: Any, name: str, pinned: bool = False) -> None:
        """Names a Variable, VariableNode or array in the graph (``pinned``: for good)."""
        node = getattr(variable, 'node', variable)
        if id(node) in self._pinned:
            raise ValueError(f'{self.names[id(node)]!r} is pinned: it cannot be renamed')
        self._keep.append(variable)
        self.names[id(node)] = name
        if pinned:
            self._pinned.add(id(node))

    def is_pinned(self, variable: Any) -> bool:
        """Whether the name of ``variable`` was set with ``pinned=True``."""
        return id(getattr(variable, 'node', variable)) in self._pinned
