"""The ``support`` decorator: which opsets a converter writes."""
from __future__ import annotations

import functools
from typing import Callable

#: The opsets at which the built-in converters write other nodes (MaxPool's
#: storage_order from 8, Where and Scatter from 9, MaxPool's ceil_mode from 10, Gemm
#: without C from 11, the attribute forms before 13, the reductions' axes as inputs
#: from 18).
OPSETS = (7, 8, 9, 10, 11, 13, 18)


def support(opset_versions: tuple | None) -> Callable:
    """Declares the opsets at which a converter's output changes.

    The converter receives the newest of ``opset_versions`` not above the
    requested opset (``support((6, 8))`` gets 8 for a request of 9, 6 for 7);
    a request below them all raises RuntimeError naming the function and the
    opset. With None the converter gets the requested opset.
    """
    def wrapper(converter):
        @functools.wraps(converter)
        def convert(func, opset_version, *args, **kwargs):
            if opset_versions is not None:
                fitting = [v for v in opset_versions if v <= opset_version]
                if not fitting:
                    raise RuntimeError(
                        f'ONNX-Chainer cannot convert `{type(func).__name__}` of Chainer '
                        f'with ONNX opset_version {opset_version} (it needs '
                        f'{min(opset_versions)} or newer)')
                opset_version = max(fitting)
            return converter(func, opset_version, *args, **kwargs)
        convert.opset_versions = opset_versions
        return convert
    return wrapper
