"""Export a whole Python function (or Link call) as one custom ONNX node."""
from __future__ import annotations

import functools
from typing import Any, Callable

import chainer
from chainer import function_node

__all__ = ['WrappedFunctionNode', 'as_funcnode', 'fake_as_funcnode']


class WrappedFunctionNode(function_node.FunctionNode):
    """A FunctionNode that runs ``func`` and appears in the traced graph as one node.

    Args:
        name: The node's class name in the exported graph (the converter key).
        func: The wrapped callable (run on Variables, without building a graph).
        args: Positional arguments; Variables/arrays among them are the node's inputs.
        kwargs: Keyword arguments (become attributes, readable by the converter).
        attributes: Extra ``{name: value}`` for the converter.
    """

    def __init__(self, name: str, func: Callable, args: tuple, kwargs: dict,
                 attributes: dict | None = None) -> None:
        self.custom_function_node_name = name
        self.func = func
        self.args = args
        self.kwargs = kwargs
        self.arg_vars = [i for i, a in enumerate(args) if _is_array_like(a)]
        self.attributes = dict(attributes or {})
        for k, v in self.attributes.items():
            setattr(self, k, v)

    def forward(self, xs):
        args = list(self.args)
        for i, x in zip(self.arg_vars, xs):
            args[i] = x
        with chainer.using_config('enable_backprop', False):
            ys = self.func(*args, **self.kwargs)
        if not isinstance(ys, (tuple, list)):
            ys = (ys,)
        return tuple(y.array if isinstance(y, chainer.Variable) else y for y in ys)

    def backward(self, target_input_indexes, grad_outputs):
        raise NotImplementedError(
            f'{self.custom_function_node_name} (as_funcnode) has no backward: it is '
            'meant for export only')


def _is_array_like(x: Any) -> bool:
    return isinstance(x, chainer.Variable) or chainer.backend.get_array_module(x) is not None \
        and hasattr(x, 'shape') and hasattr(x, 'dtype')


def fake_as_funcnode(alt_func: Callable, name: str, rename_attributes: Any = None,
                     experimental_warning: bool = True) -> Callable:
    """Wraps ``alt_func`` so that calling it records one :class:`WrappedFunctionNode`.

    Args:
        alt_func: The function to wrap.
        name: The node name (and converter key) in the exported graph.
        rename_attributes: ``[(index or keyword, attribute name)]`` giving names
            to the non-array arguments, stored on the node for the converter.
        experimental_warning: Accepted for compatibility.
    """
    @functools.wraps(alt_func)
    def wrapper(*args, **kwargs):
        attrs = {}
        for key, new in (rename_attributes or ()):
            if isinstance(key, int) and key < len(args):
                attrs[new] = args[key]
            elif key in kwargs:
                attrs[new] = kwargs[key]
        node = WrappedFunctionNode(name, alt_func, args, kwargs, attrs)
        inputs = [args[i] for i in node.arg_vars]
        ys = node.apply(inputs)
        return ys[0] if len(ys) == 1 else ys
    return wrapper


def as_funcnode(name: str, rename_attributes: Any = None) -> Callable:
    """Decorator form of :func:`fake_as_funcnode`."""
    def decorator(fn):
        return fake_as_funcnode(fn, name, rename_attributes)
    return decorator
