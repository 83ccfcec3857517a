"""What a converter receives, and the wrapper that hands it over."""
from __future__ import annotations

from typing import Any, Callable

__all__ = ['FunctionConverter', 'FunctionConverterParams']


class FunctionConverterParams:
    """What a converter receives about one function call.

    Args:
        func: The FunctionNode being converted.
        opset_version: The ONNX opset the export targets.
        input_names: The graph names of the function's inputs.
        output_names: The graph names to give the function's outputs.
        context: The export's :class:`~onnx_chainer.context.Context`.
    """

    __slots__ = ('func', 'opset_version', 'input_names', 'output_names', 'context')

    def __init__(self, func: Any = None, opset_version: int | None = None,
                 input_names: list | None = None, output_names: list | None = None,
                 context: Any = None) -> None:
        self.func = func
        self.opset_version = opset_version
        self.input_names = input_names
        self.output_names = output_names
        self.context = context


class FunctionConverter:
    """Calls a converter ``converter(func, opset_version, input_names, output_names,
    context)`` with the fields of the one :class:`FunctionConverterParams` the
    export passes (the form of ``mapping.converters`` and of ``external_converters``).
    """

    __slots__ = ('converter',)

    def __init__(self, converter: Callable) -> None:
        self.converter = converter

    def __call__(self, params: FunctionConverterParams) -> Any:
        return self.converter(params.func, params.opset_version, params.input_names,
                              params.output_names, params.context)
