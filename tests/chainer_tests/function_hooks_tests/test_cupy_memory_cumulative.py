"""CupyMemoryCumulativeHook and memory_hook_available at Chainer's module path."""
from __future__ import annotations

import pytest

from chainer.backends import cuda
from chainer.function_hooks import cupy_memory_profile


def test_names_exist_without_importing_cupy_at_import_time():
    assert isinstance(cupy_memory_profile.memory_hook_available, bool)
    assert isinstance(cupy_memory_profile.CupyMemoryCumulativeHook, type)
    assert (cupy_memory_profile.CupyMemoryCumulativeHook
            is cupy_memory_profile.CupyMemoryCumulativeHook)


@pytest.mark.skipif(cuda.available, reason='checks the message without CuPy')
def test_without_cupy_constructing_raises():
    assert cupy_memory_profile.memory_hook_available is False
    with pytest.raises(RuntimeError, match='CuPy'):
        cupy_memory_profile.CupyMemoryCumulativeHook()


@pytest.mark.gpu
@pytest.mark.real_gpu
def test_counts_bytes():
    import cupy
    hook = cupy_memory_profile.CupyMemoryCumulativeHook()
    with hook:
        cupy.zeros((1024,), cupy.float32)
    assert hook.used_bytes >= 4096
