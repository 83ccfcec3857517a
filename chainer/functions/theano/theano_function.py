"""A compiled Theano function pair (forward and gradient) as a node of the graph.

Theano computes on the host: arrays of another device are sent to the CPU and
the results back. Theano itself is not imported here; any pair of callables
taking and returning host arrays will do (Theano is no longer maintained).
"""
from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy

from chainer import backend
from chainer import function_node
from chainer.utils import type_check


def _theano_input_types(func: Any) -> list | None:
    """The Theano types of the inputs of a compiled Theano function, if it is one."""
    try:
        return [v.type for v in func.maker.fgraph.inputs]
    except AttributeError:
        return None


def _on_host(func: Callable, arrays: tuple, device: Any) -> tuple:
    """Calls ``func`` on host copies of ``arrays``; the results go to ``device``."""
    cpu = backend.CpuDevice()
    outs = func(*[cpu.send(a) for a in arrays])
    return tuple(device.send(numpy.asarray(o)) for o in outs)


class TheanoFunction(function_node.FunctionNode):
    """Applies ``forward_func`` and differentiates with ``backward_func``.

    ``forward_func(*inputs)`` returns the outputs; ``backward_func(*inputs,
    *grad_outputs)`` returns one gradient per input (what
    :class:`chainer.links.TheanoFunction` compiles with Theano). The gradient
    cannot be differentiated again.
    """

    def __init__(self, forward_func: Callable, backward_func: Callable) -> None:
        self.forward_func = forward_func
        self.backward_func = backward_func

    def check_type_forward(self, in_types):
        expected = _theano_input_types(self.forward_func)
        if expected is None:
            return
        type_check.expect(in_types.size() == len(expected))
        for actual, want in zip(in_types, expected):
            # Theano types carry no shapes.
            type_check.expect(actual.ndim == want.ndim,
                              actual.dtype == numpy.dtype(want.numpy_dtype))

    def forward(self, inputs):
        self.retain_inputs(tuple(range(len(inputs))))
        device = backend.get_device_from_array(*inputs)
        outputs = _on_host(self.forward_func, inputs, device)
        self._output_info = tuple((y.shape, y.dtype) for y in outputs)
        return outputs

    def backward(self, indexes, grad_outputs):
        xs = self.get_retained_inputs()
        gys = []
        for gy, (shape, dtype) in zip(grad_outputs, self._output_info):
            if gy is None:  # an unused output: its gradient is zero
                gy = xs[0].xp.zeros(shape, dtype)
            gys.append(gy)
        float_inputs = tuple(i for i, x in enumerate(xs) if x.dtype.kind == 'f')
        grads = TheanoFunctionGrad(self.backward_func, len(xs), float_inputs).apply(
            tuple(xs) + tuple(gys))
        by_input = dict(zip(float_inputs, grads))
        return tuple(by_input.get(i) for i in indexes)


class TheanoFunctionGrad(function_node.FunctionNode):
    """The gradients of :class:`TheanoFunction` for its float inputs.

    Inputs are the ``n_inputs`` forward inputs followed by the output
    gradients; ``float_inputs`` are the positions of the inputs that get a
    gradient.
    """

    def __init__(self, backward_func: Callable, n_inputs: int, float_inputs: tuple) -> None:
        self.backward_func = backward_func
        self.n_inputs = n_inputs
        self.float_inputs = tuple(float_inputs)

    def forward(self, inputs):
        device = backend.get_device_from_array(*inputs)
        grads = _on_host(self.backward_func, inputs, device)
        if len(grads) != self.n_inputs:
            raise ValueError(
                f'the backward function of a TheanoFunction returned {len(grads)} '
                f'gradients; expected one per input ({self.n_inputs})')
        return tuple(grads[i].astype(inputs[i].dtype, copy=False) for i in self.float_inputs)

    def backward(self, indexes, grad_outputs):
        raise NotImplementedError(
            'the gradient of a TheanoFunction is computed by Theano and cannot be '
            'differentiated again')


def theano_function(forward_func: Callable, backward_func: Callable, *inputs: Any) -> Any:
    """Applies :class:`TheanoFunction`: a Variable, or a tuple of them for several outputs."""
    outputs = TheanoFunction(forward_func, backward_func).apply(inputs)
    return outputs[0] if len(outputs) == 1 else outputs
