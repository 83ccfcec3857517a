"""What the GPU-only communicators share: the CuPy check and the NCCL gradient mean."""
from __future__ import annotations

from typing import Any

import numpy


def require_cuda(name: str) -> Any:
    """The CuPy module, or a RuntimeError naming the communicator that needs it."""
    from chainer.backends import cuda
    if not cuda.available:
        raise RuntimeError(
            f"the '{name}' communicator needs CuPy and a CUDA GPU (pip install cupy-cuda12x); "
            "on the CPU use 'naive' or 'flat'")
    return cuda.cupy


def check_gpu_params(params: Any, name: str) -> None:
    from chainer import backend
    for p in params:
        if backend.get_array_module(p.array) is numpy:
            raise ValueError(f"the '{name}' communicator averages GPU gradients: move the model "
                             'to the GPU first (model.to_device(...))')
