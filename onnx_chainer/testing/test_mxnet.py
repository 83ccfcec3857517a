"""The MXNet runner of the original package: MXNet is no longer maintained, so
these raise an ImportError saying to use :mod:`onnx_chainer.testing.test_onnxruntime`."""
from __future__ import annotations

from typing import Any

__all__ = ['check_model_expect', 'load_test_data']

_MSG = ('MXNet is not supported (it no longer installs on current Python); use '
        'onnx_chainer.testing.test_onnxruntime')


def load_test_data(data_dir: str, input_names: list, output_names: list) -> Any:
    """Same data as :func:`onnx_chainer.testing.test_onnxruntime.load_test_data`."""
    from onnx_chainer.testing import test_onnxruntime
    return test_onnxruntime.load_test_data(data_dir, input_names, output_names)


def check_model_expect(test_path: str, input_names: Any = None, rtol: float = 1e-5,
                       atol: float = 1e-5) -> None:
    raise ImportError(_MSG)
