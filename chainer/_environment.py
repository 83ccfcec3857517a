"""Reads the ``CHAINER_*`` environment variables into the global configuration."""
from __future__ import annotations

import os

import numpy


def _flag(name: str, default: str) -> bool:
    value = os.environ.get(name, default)
    try:
        return bool(int(value))
    except ValueError:
        raise ValueError(
            f'environment variable {name} must be an integer (0 or 1), got {value!r}') from None


def _dtype(name: str) -> numpy.dtype:
    value = os.environ.get(name, 'float32')
    if value == 'mixed16':
        from chainer._mixed16 import mixed16
        return mixed16
    if value not in ('float16', 'float32', 'float64'):
        raise TypeError(
            f'incorrect dtype name in {name} environment variable: {value!r} '
            "(expected 'float16', 'float32', 'float64' or 'mixed16')")
    return numpy.dtype(value)


def set_defaults(global_config) -> None:
    """Fills ``global_config`` with Chainer's keys and defaults."""
    g = global_config
    g.autotune = False
    g.compute_mode = None
    g.cudnn_deterministic = False
    g.cudnn_fast_batch_normalization = _flag('CHAINER_CUDNN_FAST_BATCH_NORMALIZATION', '0')
    g.debug = _flag('CHAINER_DEBUG', '0')
    g.dtype = _dtype('CHAINER_DTYPE')
    g.enable_backprop = True
    g.in_recomputing = False
    g.keep_graph_on_report = _flag('CHAINER_KEEP_GRAPH_ON_REPORT', '0')
    g.lazy_grad_sum = _flag('CHAINER_LAZY_GRAD_SUM', '0')
    g.schedule_func = None
    g.train = True
    g.type_check = _flag('CHAINER_TYPE_CHECK', '1')
    g.use_cudnn = os.environ.get('CHAINER_USE_CUDNN', 'auto')
    g.use_cudnn_tensor_core = 'auto'
    g.use_ideep = os.environ.get('CHAINER_USE_IDEEP', 'never')
    g.use_static_graph = True
    g.warn_nondeterministic = False
    g._will_recompute = False
