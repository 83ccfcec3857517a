"""Old-style Function (array-level backward), plus the backprop-mode switches."""
from __future__ import annotations

import contextlib
import weakref
from typing import Optional

import chainer
from chainer import configuration
from chainer.backends import cuda
from chainer.function_node import FunctionNode
from chainer.variable import Variable


def no_backprop_mode():
    """Context in which functions build no graph (``enable_backprop`` is False)."""
    return configuration.using_config('enable_backprop', False)


def force_backprop_mode():
    """Context in which functions build a graph even inside ``no_backprop_mode``."""
    return configuration.using_config('enable_backprop', True)


class FunctionAdapter(FunctionNode):
    """Runs an old-style :class:`Function` as a :class:`FunctionNode`."""

    _weak_function = None

    def __init__(self, function: 'Function') -> None:
        super().__init__()
        self._function = function

    @property
    def function(self) -> 'Function':
        """The wrapped :class:`Function`."""
        return self._function

    @property
    def label(self) -> str:
        return self._function.label

    @property
    def _impl_name(self) -> str:
        return type(self._function).__name__

    def check_type_forward(self, in_types) -> None:
        self._function.check_type_forward(in_types)

    def forward(self, inputs):
        # Old-style functions keep all their inputs unless told otherwise.
        self.retain_inputs(range(len(inputs)))
        outputs = self._function.forward(inputs)
        if not isinstance(outputs, tuple):
            raise TypeError(
                f'forward of {self.label} must return a tuple of arrays, '
                f'got {type(outputs).__name__}')
        fn = self._function
        if fn._input_indexes_to_retain is not None:
            self.retain_inputs(fn._input_indexes_to_retain)
        out_retain = fn._output_indexes_to_retain
        if out_retain is None:
            out_retain = range(len(outputs))
        self.retain_outputs(out_retain)
        return outputs

    def backward(self, target_input_indexes, grad_outputs):
        inputs = self.inputs
        in_data = tuple([None if x.data is None else x.data for x in inputs])
        out_grad = tuple([None if g is None else g.array for g in grad_outputs])
        is_gpu = any(isinstance(x, cuda.ndarray) for x in in_data if x is not None)
        if is_gpu:
            with cuda.get_device_from_array(*[x for x in in_data if x is not None]):
                gxs = self._function.backward(in_data, out_grad)
        else:
            gxs = self._function.backward(in_data, out_grad)
        if not isinstance(gxs, (tuple, list)):
            raise TypeError(f'backward of {self.label} must return a tuple of arrays')
        if len(gxs) != len(inputs):
            raise ValueError(
                f'number of gradients returned by {self.label} is incorrect: '
                f'{len(gxs)} != expected {len(inputs)}')
        ret = []
        for i in target_input_indexes:
            gx = gxs[i]
            if gx is None:
                ret.append(None)
                continue
            g = Variable._new(chainer.utils.force_array(gx), True)
            g.node._old_style_grad_generator = self._function.label
            ret.append(g)
        return tuple(ret)


class Function:
    """Old-style differentiable function with array-level forward and backward.

    Subclasses implement ``forward``/``backward`` (or their ``_cpu``/``_gpu``
    variants) on arrays. Its gradient cannot be differentiated again; write a
    :class:`FunctionNode` for that.
    """

    node = None
    _input_indexes_to_retain = None
    _output_indexes_to_retain = None
    _owned_node = None

    def __call__(self, *inputs):
        node = self.node
        if node is not None:
            # A Function object may be called only once in the graph; use a fresh one.
            self._owned_node = None
        node = FunctionAdapter(self)
        self.node = node
        self._input_indexes_to_retain = None
        self._output_indexes_to_retain = None
        ret = node.apply(inputs)
        if not configuration.config.enable_backprop:
            self.node = None
        if len(ret) == 1:
            return ret[0]
        return ret

    @property
    def inputs(self) -> Optional[tuple]:
        node = self.node
        if node is None or node.inputs is None:
            return None
        return tuple([x.get_variable() for x in node.inputs])

    @property
    def outputs(self) -> Optional[tuple]:
        node = self.node
        if node is None or node.outputs is None:
            return None
        return node.outputs

    @property
    def rank(self) -> int:
        return 0 if self.node is None else self.node.rank

    @property
    def stack(self):
        return None if self.node is None else self.node.stack

    @property
    def label(self) -> str:
        return type(self).__name__

    @property
    def output_data(self):
        if self.node is None:
            return None
        return self.node.output_data

    @property
    def local_function_hooks(self):
        if self.node is None:
            self.node = FunctionAdapter(self)
        return self.node.local_function_hooks

    def check_type_forward(self, in_types) -> None:
        """Checks input types (override)."""

    def forward(self, inputs):
        """Computes outputs from arrays; dispatches to forward_cpu/forward_gpu."""
        if any(isinstance(x, cuda.ndarray) for x in inputs):
            return self.forward_gpu(inputs)
        return self.forward_cpu(inputs)

    def forward_cpu(self, inputs):
        raise NotImplementedError(f'{self.label} does not implement forward on the CPU')

    def forward_gpu(self, inputs):
        raise NotImplementedError(f'{self.label} does not implement forward on the GPU')

    def backward(self, inputs, grad_outputs):
        """Computes input gradient arrays; dispatches to backward_cpu/backward_gpu."""
        if any(isinstance(x, cuda.ndarray) for x in inputs + grad_outputs):
            return self.backward_gpu(inputs, grad_outputs)
        return self.backward_cpu(inputs, grad_outputs)

    def backward_cpu(self, inputs, grad_outputs):
        return tuple(None for _ in inputs)

    def backward_gpu(self, inputs, grad_outputs):
        return tuple(None for _ in inputs)

    def retain_inputs(self, indexes) -> None:
        """Declares the inputs that backward needs (call in forward)."""
        self._input_indexes_to_retain = tuple(indexes)

    def retain_outputs(self, indexes, retain_after_backward: bool = False) -> None:
        """Declares the outputs that backward needs (call in forward)."""
        self._output_indexes_to_retain = tuple(indexes)

    def unchain(self) -> None:
        if self.node is not None:
            self.node.unchain()

    def add_hook(self, hook, name=None) -> None:
        if self.node is None:
            self.node = FunctionAdapter(self)
        self.node.add_hook(hook, name)

    def delete_hook(self, name) -> None:
        if self.node is None:
            raise KeyError(f'hook {name} does not exist')
        self.node.delete_hook(name)


_ = (contextlib, weakref)
