"""Padding an array (``numpy.pad``)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer.utils import type_check
from chainer.utils.array import scatter_add

if TYPE_CHECKING:
    from collections.abc import Sequence
    from typing import Any

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

# Modes whose padded values are copies of input elements; their gradient adds
# the output gradient back onto the copied elements.
_COPYING_MODES = ('edge', 'wrap', 'symmetric', 'reflect')
# Modes whose padded values do not depend on the input.
_CONSTANT_MODES = ('constant', 'empty')


class Pad(function_node.FunctionNode):
    """Pads an array with ``numpy.pad`` / ``cupy.pad`` semantics."""

    def __init__(self, pad_width, mode, **keywords) -> None:
        self.mode = mode
        self.keywords = keywords
        self.pad_width = pad_width

    def check_type_forward(self, in_types):
        # numpy.pad itself rejects bad pad widths or keywords; only check the input.
        type_check._expect_float(in_types)

    def forward(self, inputs):
        x, = inputs
        xp = backend.get_array_module(x)
        return xp.pad(x, self.pad_width, mode=self.mode, **self.keywords),

    def _widths(self, ndim: int):
        return numpy.broadcast_to(numpy.asarray(self.pad_width, dtype=numpy.int64), (ndim, 2))

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        in_shape = self.inputs[0].shape
        mode = self.mode
        widths = self._widths(len(in_shape))
        if mode in _CONSTANT_MODES or not widths.any():
            # (nothing padded: the gradient is gy itself, whatever the mode)
            index = tuple(slice(int(p[0]), int(p[0]) + n) for n, p in zip(in_shape, widths))
            return gy[index],
        if mode in _COPYING_MODES and self.keywords.get('reflect_type', 'even') == 'even':
            return PadGrad(self, in_shape).apply(grad_outputs)
        raise NotImplementedError(
            f'pad: the gradient of mode={mode!r} with keywords {self.keywords} is not '
            f'supported (supported: {", ".join(_CONSTANT_MODES + _COPYING_MODES)})')


class PadGrad(function_node.FunctionNode):
    """Gradient of :class:`Pad` for modes that copy input elements into the padding."""

    def __init__(self, pad: Pad, in_shape: tuple) -> None:
        self.pad = pad
        self.in_shape = tuple(in_shape)

    def forward(self, inputs):
        gy, = inputs
        xp = backend.get_array_module(gy)
        size = int(numpy.prod(self.in_shape))
        # Where each output element was copied from, found by padding the indices.
        source = xp.arange(size).reshape(self.in_shape)
        source = xp.pad(source, self.pad.pad_width, mode=self.pad.mode, **self.pad.keywords)
        gx = xp.zeros(size, gy.dtype)
        scatter_add(gx, source.ravel(), gy.ravel())
        return gx.reshape(self.in_shape),

    def backward(self, indexes, grad_outputs):
        return Pad(self.pad.pad_width, self.pad.mode, **self.pad.keywords).apply(grad_outputs)


def pad(x: VariableOrArray, pad_width: int | Sequence[int] | Sequence[Sequence[int]], mode: str,
        **keywords: Any) -> Variable:
    """Pads ``x`` like ``numpy.pad(x, pad_width, mode, **keywords)``.

    Gradients are supported for the modes ``'constant'``, ``'empty'``,
    ``'edge'``, ``'wrap'``, ``'symmetric'`` and ``'reflect'`` (even type).
    """
    return Pad(pad_width, mode, **keywords).apply((x,))[0]
