"""Old-style Function (array-level backward), plus the backprop-mode switches."""
from __future__ import annotations

import copy
import warnings
import weakref
from typing import TYPE_CHECKING, Optional

import numpy

from chainer import _backprop, configuration
from chainer.backends import cuda
from chainer.function_hook import FunctionHook  # NOQA: F401 (Chainer re-exports it here)
from chainer.function_node import FunctionNode
from chainer.variable import Variable, _ARRAY_TYPES, _check_grad_type

if TYPE_CHECKING:
    from collections.abc import Sequence
    from contextlib import AbstractContextManager

    from chainer.types import NdArray, VariableOrArray
    from chainer.utils.type_check import TypeInfoTuple


def no_backprop_mode() -> AbstractContextManager[None]:
    """Context in which functions build no graph (``enable_backprop`` is False)."""
    return configuration.using_config('enable_backprop', False)


def force_backprop_mode() -> AbstractContextManager[None]:
    """Context in which functions build a graph even inside ``no_backprop_mode``."""
    return configuration.using_config('enable_backprop', True)


class _CallableNode:
    """Mixin of the built-in nodes that Chainer wrote as old-style ``chainer.Function``.

    Calling such a node applies it, as ``Function.__call__`` did: one output
    comes back as a Variable, several as a tuple. A node already applied is
    copied first, so that each call is a node of its own (Chainer made a new
    adapter per call).
    """

    __slots__ = ()

    def __call__(self, *inputs: VariableOrArray) -> Variable | tuple[Variable, ...]:
        node = copy.copy(self) if self.inputs is not None else self
        outputs = node.apply(inputs)
        return outputs[0] if len(outputs) == 1 else outputs


class FunctionAdapter(FunctionNode):
    """Runs an old-style :class:`Function` as a :class:`FunctionNode`."""

    # Until the first call the Function owns its adapter and the adapter refers
    # to it weakly; a call swaps the ownership (the graph keeps the adapter and
    # so the Function alive). Either way no reference cycle is created.
    _function = None
    _weak_function = None
    _earlier_call = False

    def __init__(self, function: 'Function') -> None:
        super().__init__()
        self._weak_function = weakref.ref(function)
        function._owned_node = self

    @property
    def function(self) -> 'Function':
        """The wrapped :class:`Function`."""
        function = self._function
        if function is None:
            function = self._weak_function()
        return function

    @property
    def label(self) -> str:
        return self.function.label

    @property
    def _impl_name(self) -> str:
        return type(self.function).__name__

    def check_type_forward(self, in_types: TypeInfoTuple) -> None:
        self.function.check_type_forward(in_types)

    def forward(self, inputs: tuple[NdArray, ...]) -> tuple[NdArray, ...]:
        # Old-style functions keep all their inputs unless told otherwise
        # (Function.retain_inputs/retain_outputs write to this node).
        self.retain_inputs(range(len(inputs)))
        self._output_indexes_to_retain = None
        outputs = self.function.forward(inputs)
        if not isinstance(outputs, tuple):
            raise TypeError(
                f'forward output must be a tuple ({self.label})\n'
                f'Actual: {type(outputs)}')
        return outputs

    def backward(self, target_input_indexes: tuple[int, ...],
                 grad_outputs: tuple[Variable | None, ...]) -> tuple[Variable | None, ...]:
        if self._earlier_call:
            raise RuntimeError(
                f'{self.label} was called again after computing this output, so its graph '
                'now belongs to the later call: create a new instance of the Function for '
                'each call to backprop through more than one of them')
        inputs = self.inputs
        # As in Chainer, an input that forward did not retain reaches backward as None.
        retained = self._input_indexes_to_retain or ()
        in_data = tuple([x.data if i in retained else None for i, x in enumerate(inputs)])
        out_grad = tuple([None if g is None else g.array for g in grad_outputs])
        is_gpu = any(isinstance(x, cuda.ndarray) for x in in_data if x is not None)
        if is_gpu:
            with cuda.get_device_from_array(*[x for x in in_data if x is not None]):
                gxs = self.function.backward(in_data, out_grad)
        else:
            gxs = self.function.backward(in_data, out_grad)
        if not isinstance(gxs, (tuple, list)):
            # Chainer indexed whatever came back, so a bare array failed its gradient
            # checks as a ValueError or TypeError: this is both.
            raise _backprop._GradientTypeError(
                f'backward of {self.label} must return a tuple of arrays')
        if len(target_input_indexes) != len(inputs):
            # As in Chainer, a gradient returned for an input that needs none is checked too
            # (all of them in order, so the first wrong one is reported).
            for i, (x, gx) in enumerate(zip(inputs, gxs)):
                if gx is not None:
                    _check_grad_type(self, x, self._as_gradient(i, gx))
        # As in Chainer, only the gradients of inputs that need one are read: a backward may
        # leave out trailing ones that are not needed (say of an integer label) or return extra.
        n = len(gxs)
        ret = []
        for i in target_input_indexes:
            if i >= n:
                raise ValueError(
                    f'backward of {self.label} returned {n} gradient(s), but input {i} '
                    f'needs one ({len(inputs)} inputs)')
            gx = gxs[i]
            if gx is None:
                ret.append(None)
                continue
            g = Variable._new(self._as_gradient(i, gx), True)
            g.node._old_style_grad_generator = self.label
            ret.append(g)
        return tuple(ret)

    def _as_gradient(self, i: int, gx) -> NdArray:
        """The array ``backward`` returned for input ``i`` (a NumPy scalar taken as 0-d)."""
        if isinstance(gx, numpy.generic) and self.inputs[i].shape == ():
            # NumPy arithmetic on 0-d arrays gives scalars; taken as 0-d arrays.
            gx = numpy.asarray(gx)
        elif not isinstance(gx, _ARRAY_TYPES):
            # A TypeError as in Chainer (a Variable, a list, a number).
            raise TypeError(
                f'backward of {self.label} must return arrays (or None), but the '
                f'gradient of input {i} is a {type(gx).__module__}.{type(gx).__qualname__}')
        return gx


def _retire_earlier_call(node: FunctionAdapter, inputs: tuple, outputs: tuple,
                         rank: int) -> None:
    """Gives the live outputs of a Function's earlier call a node of their own.

    A Function has one node, which its latest call takes over; the outputs of the
    earlier call keep their data and creator, but backprop through them raises
    (Chainer crashed there, or silently lost the gradient).
    """
    live = [ref() for ref in outputs]
    live = [y for y in live if y is not None and y._creator_node is node]
    if live:
        earlier = FunctionAdapter.__new__(FunctionAdapter)
        FunctionNode.__init__(earlier)
        earlier._function = node.function
        earlier._earlier_call = True
        earlier.inputs = inputs
        earlier.outputs = outputs
        earlier.rank = rank
        for y in live:
            y._creator_node = earlier


class Function:
    """Old-style differentiable function with array-level forward and backward.

    Subclasses implement ``forward``/``backward`` (or their ``_cpu``/``_gpu``
    variants) on arrays. Its gradient cannot be differentiated again; write a
    :class:`FunctionNode` for that.
    """

    _node = None
    _owned_node = None

    def __call__(self, *inputs: VariableOrArray) -> Variable | tuple[Variable, ...]:
        node = self.node
        earlier = (node.inputs, node.outputs, node.rank)
        # The graph now owns the node, and the node this Function.
        node._function = self
        node._weak_function = None
        self._node = weakref.ref(node)
        self._owned_node = None
        ret = node.apply(inputs)
        if earlier[1] is not None and node.outputs is not earlier[1]:
            _retire_earlier_call(node, *earlier)
        if len(ret) == 1:
            return ret[0]
        return ret

    @property
    def node(self) -> FunctionAdapter:
        """The :class:`FunctionAdapter` that puts this Function in the graph."""
        ref = self._node
        node = (ref and ref()) or self._owned_node
        if node is None:
            node = FunctionAdapter(self)
        return node

    @property
    def inputs(self) -> Optional[tuple]:
        """The input nodes (:class:`chainer.VariableNode`) of the function."""
        return self.node.inputs

    @property
    def outputs(self) -> Optional[tuple]:
        """Weak references to the output nodes of the function."""
        return self.node.outputs

    @property
    def rank(self) -> int:
        return self.node.rank

    @property
    def stack(self):
        return self.node.stack

    @property
    def label(self) -> str:
        return type(self).__name__

    @property
    def output_data(self) -> tuple:
        """The output arrays kept by :meth:`retain_outputs` (None for the others)."""
        return self.node.output_data

    @property
    def local_function_hooks(self):
        return self.node.local_function_hooks

    def check_type_forward(self, in_types: TypeInfoTuple) -> None:
        """Checks input types (override)."""

    def forward(self, inputs: tuple[NdArray, ...]) -> tuple[NdArray, ...]:
        """Computes outputs from arrays; dispatches to forward_cpu/forward_gpu."""
        if any(isinstance(x, cuda.ndarray) for x in inputs):
            return self.forward_gpu(inputs)
        return self.forward_cpu(inputs)

    def forward_cpu(self, inputs: tuple[NdArray, ...]) -> tuple[NdArray, ...]:
        raise NotImplementedError(f'{self.label} does not implement forward on the CPU')

    def forward_gpu(self, inputs: tuple[NdArray, ...]) -> tuple[NdArray, ...]:
        raise NotImplementedError(f'{self.label} does not implement forward on the GPU')

    def backward(self, inputs: tuple[NdArray, ...],
                 grad_outputs: tuple[NdArray | None, ...]) -> tuple[NdArray | None, ...]:
        """Computes input gradient arrays; dispatches to backward_cpu/backward_gpu."""
        if any(isinstance(x, cuda.ndarray) for x in inputs + grad_outputs):
            return self.backward_gpu(inputs, grad_outputs)
        return self.backward_cpu(inputs, grad_outputs)

    def backward_cpu(self, inputs: tuple[NdArray, ...],
                     grad_outputs: tuple[NdArray | None, ...]) -> tuple[NdArray | None, ...]:
        return tuple(None for _ in inputs)

    def backward_gpu(self, inputs: tuple[NdArray, ...],
                     grad_outputs: tuple[NdArray | None, ...]) -> tuple[NdArray | None, ...]:
        return tuple(None for _ in inputs)

    def retain_inputs(self, indexes: Sequence[int]) -> None:
        """Declares the inputs that backward needs (call in forward; default: all)."""
        self.node.retain_inputs(indexes)

    def retain_outputs(self, indexes: Sequence[int], retain_after_backward: bool = False) -> None:
        """Declares the outputs that backward needs (call in forward)."""
        if retain_after_backward:
            warnings.warn('retain_after_backward option has no effect', DeprecationWarning)
        self.node.retain_outputs(indexes)

    def unchain(self) -> None:
        """Removes the function from the graph."""
        self.node.unchain()

    def add_hook(self, hook: FunctionHook, name: str | None = None) -> None:
        """Registers a :class:`chainer.FunctionHook` on this function only."""
        self.node.add_hook(hook, name)

    def delete_hook(self, name: str) -> None:
        """Unregisters the hook ``name``."""
        self.node.delete_hook(name)
