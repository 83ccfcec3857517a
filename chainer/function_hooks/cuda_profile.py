"""CUDAProfileHook: NVTX ranges around every function call (for NVIDIA profilers)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import function_hook
from chainer.backends import cuda

if TYPE_CHECKING:
    from chainer.function_node import FunctionNode
    from chainer.types import NdArray


def _nvtx():
    if not cuda.available:
        raise RuntimeError(
            'CUDAProfileHook requires CuPy (with a CUDA GPU), which is not available. '
            + cuda._INSTALL_HINT)
    try:
        from cupy.cuda import nvtx
    except ImportError as e:
        raise RuntimeError(
            'CUDAProfileHook requires NVTX support in CuPy (cupy.cuda.nvtx)') from e
    if not getattr(nvtx, 'available', True):
        raise RuntimeError('CUDAProfileHook requires NVTX, which CuPy cannot load')
    return nvtx


class CUDAProfileHook(function_hook.FunctionHook):
    """Function hook marking each forward and backward with an NVTX range.

    The ranges are named ``<label>.forward`` and ``<label>.backward`` and show
    up in NVIDIA profilers (Nsight Systems, nvprof). Needs CuPy.
    """

    name = 'CUDAProfileHook'

    def __init__(self) -> None:
        self._nvtx = _nvtx()

    def forward_preprocess(self, function: FunctionNode, in_data: tuple[NdArray, ...]) -> None:
        self._nvtx.RangePush(function.label + '.forward')

    def forward_postprocess(self, function: FunctionNode, in_data: tuple[NdArray, ...]) -> None:
        self._nvtx.RangePop()

    def _call_failed(self, function) -> None:
        self._nvtx.RangePop()  # close the failed call's range

    def backward_preprocess(self, function: FunctionNode, in_data: tuple[NdArray, ...],
                            out_grad: tuple[NdArray | None, ...]) -> None:
        self._nvtx.RangePush(function.label + '.backward')

    def backward_postprocess(self, function: FunctionNode, in_data: tuple[NdArray, ...],
                             out_grad: tuple[NdArray | None, ...]) -> None:
        self._nvtx.RangePop()
