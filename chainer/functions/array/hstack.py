"""Stacking arrays horizontally (column-wise)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer.functions.array.reshape import reshape
from chainer.functions.array.split_axis import split_axis
from chainer.utils import type_check

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class _StackLike(function_node.FunctionNode):
    """Base of hstack/vstack/dstack: concatenation after promoting to ``_min_ndim``."""

    _min_ndim = 1
    _free_dim = 0  # the axis along which inputs of full rank may differ
    _xp_name = 'hstack'
    _low_rank_same_shape = True
    _named = True  # inputs named x0, x1 ... in InvalidType messages (else in_types[i])

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() > 0)
        if self._named:
            type_check._argname((in_types[0],), ('x0',))
        ndim = type_check.eval(in_types[0].ndim)
        for i in range(1, type_check.eval(in_types.size())):
            if self._named:
                type_check._argname((in_types[i],), (f'x{i}',))
            type_check.expect(
                in_types[0].dtype == in_types[i].dtype,
                in_types[0].ndim == in_types[i].ndim,
            )
            if ndim < self._min_ndim:
                if self._low_rank_same_shape:
                    type_check.expect(in_types[0].shape == in_types[i].shape)
                continue
            for d in range(ndim):
                if d == self._free_dim:
                    continue
                type_check.expect(in_types[0].shape[d] == in_types[i].shape[d])

    def _promoted_shape(self, shape: tuple) -> tuple:
        raise NotImplementedError

    def _axis(self, ndim: int) -> int:
        raise NotImplementedError

    def forward(self, inputs):
        xp = backend.get_array_module(*inputs)
        return getattr(xp, self._xp_name)(inputs),

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        shapes = [x.shape for x in self.inputs]
        axis = self._axis(len(shapes[0]))
        sizes = [self._promoted_shape(s)[axis] for s in shapes]
        if len(shapes) == 1:
            return reshape(gy, shapes[0]),
        gxs = split_axis(gy, numpy.cumsum(sizes[:-1]).tolist(), axis)
        return tuple(reshape(g, s) for g, s in zip(gxs, shapes))


class Hstack(_StackLike):
    """Concatenates inputs along axis 1 (axis 0 for 0-d or 1-d inputs)."""

    _min_ndim = 2
    _free_dim = 1
    _xp_name = 'hstack'
    _low_rank_same_shape = False

    def _promoted_shape(self, shape):
        return shape if shape else (1,)

    def _axis(self, ndim):
        return 0 if ndim <= 1 else 1


def hstack(xs: Sequence[VariableOrArray]) -> Variable:
    """Concatenates the Variables ``xs`` horizontally (like ``numpy.hstack``)."""
    function_node._check_inputs_sequence(xs, 'F.hstack')
    return Hstack().apply(xs)[0]
