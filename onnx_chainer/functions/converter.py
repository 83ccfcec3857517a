"""Converter wrappers and the parameters a converter receives."""
from __future__ import annotations

from typing import Any, Callable

from onnx_chainer.graph import FunctionConverterParams

__all__ = ['FunctionConverter', 'FunctionConverterParams']


class FunctionConverter:
    """Wraps a converter taking one :class:`FunctionConverterParams` so that it
    fits the ``(func, opset_version, input_names, output_names, context)`` call."""

    def __init__(self, converter: Callable[[FunctionConverterParams], Any]) -> None:
        self.converter = converter

    def __call__(self, func, opset_version, input_names, output_names, context):
        params = FunctionConverterParams(func, opset_version, list(input_names),
                                         list(output_names), context)
        nodes = self.converter(params)
        if not isinstance(nodes, (list, tuple)):
            nodes = (nodes,)
        return tuple(nodes)
