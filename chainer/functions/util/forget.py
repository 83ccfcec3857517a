"""``forget``: run a function without keeping its graph and recompute it in backward."""
from __future__ import annotations

from typing import TYPE_CHECKING

import chainer
from chainer import function_node
from chainer.variable import Variable

if TYPE_CHECKING:
    from collections.abc import Callable

    from chainer.types import VariableOrArray


def _ordinal(n: int) -> str:
    suffix = {1: 'st', 2: 'nd', 3: 'rd'}.get(n % 10 if n % 100 not in (11, 12, 13) else 0, 'th')
    return f'{n}{suffix}'


class Forget(function_node.FunctionNode):
    """Calls ``func`` without building a graph; backward calls it again with one."""

    def __init__(self, func) -> None:
        if not callable(func):
            raise TypeError(f'func must be callable, got {type(func).__name__}')
        self.func = func

    def _call_func(self, xs) -> tuple:
        outs = self.func(*xs)
        if isinstance(outs, tuple):
            for i, out in enumerate(outs):
                if not isinstance(out, Variable):
                    raise RuntimeError(
                        f'{_ordinal(i + 1)} element of a returned tuple is not Variable, '
                        f'but is {type(out)}')
            return outs
        if isinstance(outs, Variable):
            return outs,
        raise RuntimeError(
            f'A tuple of Variables or a Variable are expected, but {type(outs)} is returned.')

    def forward(self, inputs):
        self.retain_inputs(tuple(range(len(inputs))))
        with chainer.no_backprop_mode(), chainer.using_config('_will_recompute', True):
            xs = [Variable(x) for x in inputs]
            outs = self._call_func(xs)
        return tuple(out.array for out in outs)

    def backward(self, indexes, grad_outputs):
        double = bool(chainer.config.enable_backprop)
        inputs = self.get_retained_inputs()
        if double:
            # Recompute on the inputs themselves so that the gradients stay
            # connected to them (and to the output gradients) for higher orders.
            xs = inputs
        else:
            # Fresh leaves: the recomputed graph is thrown away after this call.
            xs = tuple(Variable(x.array) for x in inputs)
        with chainer.force_backprop_mode(), chainer.using_config('in_recomputing', True):
            outs = self._call_func(xs)
        if len(outs) != len(grad_outputs):
            raise RuntimeError(
                f'func returned {len(outs)} outputs when recomputed in backward, '
                f'but {len(grad_outputs)} in forward')
        ys, gys = [], []
        for y, gy in zip(outs, grad_outputs):
            if gy is not None:
                ys.append(y)
                gys.append(gy)
        if not ys:
            return (None,) * len(indexes)
        targets = [xs[i] for i in indexes]
        # The leaves func reached on its own (a link's parameters, captured Variables)
        # get their gradients added, as a backward through func's graph would add them.
        leaves = _leaves(ys, xs)
        with chainer.force_backprop_mode():
            gs = chainer.grad(ys, targets + leaves, grad_outputs=gys,
                              enable_double_backprop=double)
        for leaf, g in zip(leaves, gs[len(targets):]):
            if g is not None:
                leaf.grad_var = g if leaf.grad_var is None else leaf.grad_var + g
        return tuple(gs[:len(targets)])


def _leaves(ys, xs) -> list:
    """The Variables that need a gradient and were not computed, in the graph of ``ys``
    above ``xs`` (the walk stops at ``xs``)."""
    stop = {id(x.node) for x in xs}
    seen: set = set()
    found = []
    stack = [y.node for y in ys]
    while stack:
        node = stack.pop()
        if id(node) in seen or id(node) in stop:
            continue
        seen.add(id(node))
        creator = node.creator_node
        if creator is not None:
            stack.extend(creator.inputs)
        elif node.requires_grad:
            var = node.get_variable_or_none()
            if var is not None:
                found.append(var)
    return found


def forget(func: Callable[..., Variable | tuple[Variable, ...]],
           *xs: VariableOrArray) -> Variable | tuple[Variable, ...]:
    """Calls ``func`` on ``xs`` without storing the intermediate graph.

    The intermediate results are dropped after the forward computation and
    recomputed by calling ``func`` again during backpropagation, trading
    computation for memory. ``func`` must be deterministic and return a
    Variable or a tuple of Variables.

    Args:
        func: A function of Variables returning a Variable or a tuple of them.
        xs: Its arguments (Variables or arrays).

    Returns:
        ~chainer.Variable or tuple: The output(s) of ``func``.
    """
    xs = tuple(x if isinstance(x, Variable) else Variable(x, requires_grad=True) for x in xs)
    ys = Forget(func).apply(xs)
    if len(ys) == 1:
        ys, = ys
    return ys
