"""The ``support`` decorator: which opsets a converter writes."""
from __future__ import annotations

import functools
from typing import Callable


def support(opset_versions: tuple) -> Callable:
    """Declares the opsets a converter handles and rejects older ones.

    The converter receives the requested opset; one below the lowest listed
    version raises RuntimeError naming the function and the opset.
    """
    lowest = min(opset_versions)

    def wrapper(converter):
        @functools.wraps(converter)
        def convert(func, opset_version, input_names, output_names, context):
            if opset_version < lowest:
                raise RuntimeError(
                    f'onnx_chainer cannot convert {type(func).__name__} at opset '
                    f'{opset_version} (it needs {lowest} or newer)')
            return converter(func, opset_version, input_names, output_names, context)
        convert.opset_versions = tuple(opset_versions)
        return convert
    return wrapper
