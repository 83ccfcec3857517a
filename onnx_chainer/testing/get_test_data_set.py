"""Export a model with its test data into a per-test directory."""
from __future__ import annotations

import os
from typing import Any

import numpy

from onnx_chainer.export_testcase import export_testcase

__all__ = ['TEST_OUT_DIR', 'gen_test_data_set']

#: Where :func:`gen_test_data_set` writes (``ONNX_CHAINER_TEST_OUT_DIR`` overrides).
TEST_OUT_DIR = os.environ.get('ONNX_CHAINER_TEST_OUT_DIR', 'out')


def gen_test_data_set(model: Any, args: Any, name: str, opset_version: int,
                      **kwargs: Any) -> str:
    """Exports ``model`` with ``export_testcase`` to ``TEST_OUT_DIR/opset<N>/<name>``
    and returns the directory; the model's random generator is seeded with 42 first."""
    getattr(model, 'xp', numpy).random.seed(42)
    out_dir = os.path.join(TEST_OUT_DIR, f'opset{opset_version}', name)
    export_testcase(model, args, out_dir, opset_version=opset_version, **kwargs)
    return out_dir
