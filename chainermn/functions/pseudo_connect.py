"""Joining a delegate variable into a graph so that its backward runs with it."""
from __future__ import annotations

from typing import Any

import chainer
from chainer import backend
from chainer.utils import experimental


class PseudoConnect(chainer.FunctionNode):
    """Returns the actual inputs unchanged; the delegate input gets a zero gradient, which
    starts the backward pass of the communication behind it."""

    def forward(self, inputs: tuple) -> tuple:
        self.retain_inputs((0,))
        return tuple(inputs[1:])

    def backward(self, indexes: tuple, grad_outputs: tuple) -> tuple:
        delegate, = self.get_retained_inputs()
        out = []
        for i in indexes:
            if i == 0:
                xp = backend.get_array_module(delegate.array)
                out.append(chainer.Variable(xp.zeros_like(delegate.array)))
            else:
                out.append(grad_outputs[i - 1])
        return tuple(out)


def pseudo_connect(delegate_variable: chainer.Variable | None,
                   *actual_variables: Any) -> Any:
    """``actual_variables`` unchanged, with ``delegate_variable`` hooked into their graph.

    A backward pass through the result also runs the backward of
    ``delegate_variable`` (e.g. receives the gradients of an earlier :func:`send`).
    Returns a tuple of variables, one per actual variable (also for just one).
    """
    experimental('chainermn.functions.pseudo_connect')
    if delegate_variable is None:
        return tuple(chainer.as_variable(v) for v in actual_variables)
    return tuple(PseudoConnect().apply((delegate_variable,) + tuple(actual_variables)))
