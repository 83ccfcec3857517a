"""``forget``: run a function without keeping its graph and recompute it in backward."""
from __future__ import annotations

import chainer
from chainer import function_node
from chainer.variable import Variable


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
        targets = [xs[i] for i in indexes]
        if not ys:
            return (None,) * len(indexes)
        with chainer.force_backprop_mode():
            gxs = chainer.grad(ys, targets, grad_outputs=gys, enable_double_backprop=double)
        return tuple(gxs)


def forget(func, *xs):
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
