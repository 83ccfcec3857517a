"""A FunctionNode standing for a function composed of other differentiable functions.

Some functions are written as a composition of chainer functions, so no single node
of theirs appears in the graph.  A :class:`CompositeNode` subclass gives such a
function a node class (with the constructor and inputs of the corresponding Chainer
class) for code that applies nodes directly: ``forward`` evaluates the composition
without recording a graph; ``backward`` re-evaluates it on the retained inputs with
the graph recorded and differentiates it, so every derivative is itself
differentiable.  Inputs not listed in ``_differentiable`` (indices, boxes)
reach the composition as plain arrays and get no gradient.  The public functions
keep calling their compositions directly.
"""
from __future__ import annotations

from typing import Any

import chainer
from chainer import function_node
from chainer import variable
from chainer.utils import type_check


class CompositeNode(function_node.FunctionNode):
    """Base of nodes computing ``self._compose(*inputs)``; subclasses define
    ``_compose`` (Variables in, a Variable or a tuple of Variables out)."""

    #: Positions of the inputs that are differentiated (None: every input).
    _differentiable: tuple | None = None
    #: The least and most inputs the node takes (None: not checked here), checked as
    #: Chainer's node did: ``in_types.size == n`` or ``lo <= in_types.size <= hi``.
    _n_inputs: tuple | None = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        if cls._n_inputs is None and cls.check_type_forward is CompositeNode.check_type_forward:
            cls._has_type_check = False  # nothing to check: apply skips the check

    def check_type_forward(self, in_types):
        if self._n_inputs is not None:
            lo, hi = self._n_inputs
            n_in = in_types.size()
            if lo == hi:
                type_check.expect(n_in == lo)
            else:
                type_check.expect(lo <= n_in, n_in <= hi)

    def _is_differentiable(self, i: int) -> bool:
        return self._differentiable is None or i in self._differentiable

    def _compose(self, *inputs: variable.Variable) -> Any:
        raise NotImplementedError

    def forward(self, inputs):
        self.retain_inputs(tuple(range(len(inputs))))
        with chainer.no_backprop_mode():
            outs = self._compose(*[variable.Variable(a, requires_grad=False)
                                   if self._is_differentiable(i) else a
                                   for i, a in enumerate(inputs)])
        outs = outs if isinstance(outs, tuple) else (outs,)
        return tuple(o.array for o in outs)

    def backward(self, indexes, grad_outputs):
        F = chainer.functions
        # Backward runs with enable_backprop set to enable_double_backprop: without
        # it the gradients are plain values, as every other node's are.
        double = bool(chainer.config.enable_backprop)
        inputs = self.get_retained_inputs()
        # Fresh nodes, so that paths between the inputs outside this node are not
        # differentiated through.
        fresh = [F.identity(x) if self._is_differentiable(i) else x.array
                 for i, x in enumerate(inputs)]
        with chainer.force_backprop_mode():
            outs = self._compose(*fresh)
        outs = outs if isinstance(outs, tuple) else (outs,)
        pairs = [(o, g) for o, g in zip(outs, grad_outputs) if g is not None]
        wanted = [i for i in indexes if self._is_differentiable(i)]
        if not pairs or not wanted:
            return (None,) * len(indexes)
        grads = chainer.grad([o for o, _ in pairs], [fresh[i] for i in wanted],
                             [g for _, g in pairs], enable_double_backprop=double)
        found = dict(zip(wanted, grads))
        return tuple(found.get(i) for i in indexes)
