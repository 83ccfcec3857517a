"""Export a whole Python function (or Link call) as one custom ONNX node."""
from __future__ import annotations

import functools
import inspect
from typing import Any, Callable

import chainer
from chainer import function_node

__all__ = ['WrappedFunctionNode', 'as_funcnode', 'fake_as_funcnode']


class WrappedFunctionNode(function_node.FunctionNode):
    """A FunctionNode that runs ``func`` and appears in the traced graph as one node.

    Args:
        name: The node's class name in the exported graph (the converter key).
        func: The wrapped callable, run on ``args`` and ``kwargs`` as given.
        args: Positional arguments.
        kwargs: Keyword arguments.
        arg_vars: The Variables among the arguments: the node's inputs.
        attributes: ``{name: value}`` set as attributes of the node, for the converter.
    """

    def __init__(self, name: str, func: Callable, args: Any, kwargs: dict,
                 arg_vars: list, attributes: dict | None = None) -> None:
        self.custom_function_node_name = name
        self.func = func
        self.args = args
        self.kwargs = kwargs
        self.arg_vars = arg_vars
        self.internal_results: list | None = None
        self.skeleton: Any = None
        for k, v in (attributes or {}).items():
            setattr(self, k, v)

    def forward(self, xs):
        results = self.func(*self.args, **self.kwargs)
        flat: list = []
        self.skeleton = _skeleton(results, flat)
        arrays = tuple(r.array if isinstance(r, chainer.Variable) else r for r in flat)
        if all(isinstance(r, chainer.Variable) for r in flat):
            self.internal_results = flat
        if not arrays or not chainer.is_arrays_compatible(arrays):
            raise ValueError(
                f'the function wrapped by as_funcnode ({self.custom_function_node_name}) '
                'must return arrays or Variables (or a tuple, list or dict of them)')
        return arrays

    def backward(self, target_input_indexes, grad_outputs):
        if self.internal_results is None:
            raise ValueError(
                f'{self.custom_function_node_name} (as_funcnode) cannot backpropagate: '
                'the wrapped function returned arrays, not Variables')
        grads = chainer.grad(self.internal_results, self.arg_vars, grad_outputs=grad_outputs)
        return tuple(g if i in target_input_indexes else None for i, g in enumerate(grads))

    def reconstruct_return_value(self, outputs: Any) -> Any:
        """``outputs`` (one per returned array) in the structure ``func`` returned."""
        def build(s):
            if isinstance(s, (tuple, list)):
                return type(s)(build(e) for e in s)
            if isinstance(s, dict):
                return {k: build(v) for k, v in s.items()}
            return outputs[s]
        return build(self.skeleton)


def _skeleton(x: Any, flat: list) -> Any:
    """``x`` with every leaf replaced by its index in ``flat`` (where it is appended)."""
    if isinstance(x, (tuple, list)):
        return type(x)(_skeleton(e, flat) for e in x)
    if isinstance(x, dict):
        return {k: _skeleton(v, flat) for k, v in x.items()}
    flat.append(x)
    return len(flat) - 1


def _leaves(x: Any) -> list:
    if not isinstance(x, (list, tuple)):
        return [x]
    return [leaf for e in x for leaf in _leaves(e)]


def fake_as_funcnode(alt_func: Callable, name: str, rename_attributes: Any = None,
                     experimental_warning: bool = True) -> Callable:
    """Wraps ``alt_func`` so that calling it records one :class:`WrappedFunctionNode`.

    The Variables among the arguments (also inside lists and tuples made only of
    Variables) are the node's inputs; every other argument, defaults included, is
    an attribute of the node, named ``arg<i>`` (positional) or by its keyword.
    The wrapped function returns Variables in the structure ``alt_func`` returns.

    Args:
        alt_func: The function to wrap.
        name: The node name (and converter key) in the exported graph.
        rename_attributes: ``[(index or keyword, attribute name)]`` renaming attributes.
        experimental_warning: Warn (FutureWarning) that this is experimental.
    """
    renamed = dict(rename_attributes or ())
    signature = inspect.signature(alt_func)

    @functools.wraps(alt_func)
    def wrapper(*args, **kwargs):
        bound = signature.bind(*args, **kwargs)
        bound.apply_defaults()
        kwargs = dict(kwargs)
        for i, (k, v) in enumerate(bound.arguments.items()):
            if i >= len(args):
                kwargs[k] = v
        inputs: list = []
        attributes: dict = {}
        for key, value in list(enumerate(args)) + list(kwargs.items()):
            leaves = _leaves(value)
            is_var = [isinstance(v, chainer.Variable) for v in leaves]
            if isinstance(value, (list, tuple)) and leaves and all(is_var):
                inputs.extend(leaves)
            elif isinstance(value, chainer.Variable):
                inputs.append(value)
            elif any(is_var):
                raise ValueError(
                    f'an argument of {name} (as_funcnode) mixes Variables and other values')
            else:
                default = key if isinstance(key, str) else f'arg{key}'
                attributes[renamed.get(key, default)] = value
        if not inputs:
            raise ValueError(f'the arguments of {name} (as_funcnode) must include at least '
                             'one chainer.Variable')
        node = WrappedFunctionNode(name, alt_func, args, kwargs, inputs, attributes)
        return node.reconstruct_return_value(node.apply(inputs))

    if experimental_warning:
        chainer.utils.experimental('as_funcnode')
    return wrapper


def as_funcnode(name: str, rename_attributes: Any = None) -> Callable:
    """Decorator form of :func:`fake_as_funcnode`."""
    def decorator(fn):
        return fake_as_funcnode(fn, name, rename_attributes)
    return decorator
