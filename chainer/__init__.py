"""rechainer: Chainer 7.8.1's API on today's Python, NumPy and CuPy."""
# absolute_import only defines chainer.absolute_import, a name Chainer had
from __future__ import absolute_import, annotations

from typing import TYPE_CHECKING
import warnings as _stdlib_warnings  # chainer.warnings (below) takes the name

from chainer import _version  # NOQA: E402  (chainer._version.__version__, as in Chainer)

__version__ = _version.__version__
_rechainer_version = '0.1.0'

from chainer import configuration  # NOQA: E402,F401
from chainer.configuration import config, global_config, using_config  # NOQA: E402,F401
from chainer import _environment  # NOQA: E402
from chainer import _environment_check  # NOQA: E402

_environment.set_defaults(global_config)
_environment_check.check_numpy()

from chainer import backends  # NOQA: E402,F401
from chainer import backend  # NOQA: E402,F401
from chainer.backend import get_device, using_device  # NOQA: E402,F401
from chainer.backend import get_array_types, get_cpu_array_types, is_arrays_compatible  # NOQA: E402,F401
from chainer.backends.cuda import should_use_cudnn, should_use_cudnn_tensor_core  # NOQA: E402,F401
from chainer import device_resident  # NOQA: E402,F401
from chainer.device_resident import DeviceResident  # NOQA: E402,F401
from chainer._runtime_info import print_runtime_info  # NOQA: E402,F401
from chainer._mixed16 import mixed16  # NOQA: E402,F401
from chainer.serializer import AbstractSerializer, Deserializer, Serializer  # NOQA: E402,F401
from chainer.graph_optimizations.static_graph import static_code, static_graph  # NOQA: E402,F401
from chainer import variable  # NOQA: E402,F401
from chainer.variable import Parameter, Variable, VariableNode, as_array, as_variable  # NOQA: E402,F401
from chainer import function_node  # NOQA: E402,F401
from chainer.function_node import FunctionNode, grad  # NOQA: E402,F401
from chainer import function  # NOQA: E402,F401
from chainer.function import Function, FunctionAdapter, force_backprop_mode, no_backprop_mode  # NOQA: E402,F401
from chainer import function_hook  # NOQA: E402,F401
from chainer import function_hooks  # NOQA: E402,F401
from chainer.function_hook import FunctionHook  # NOQA: E402,F401
from chainer._backprop import backward  # NOQA: E402,F401
from chainer._thread_state import get_function_hooks  # NOQA: E402,F401
from chainer import utils  # NOQA: E402,F401
from chainer import initializer  # NOQA: E402,F401
from chainer import initializers  # NOQA: E402,F401
from chainer.initializer import Initializer  # NOQA: E402,F401
from chainer import functions  # NOQA: E402,F401
from chainer import link_hook  # NOQA: E402,F401
from chainer.link_hook import LinkHook, _get_link_hooks  # NOQA: E402,F401
from chainer import link  # NOQA: E402,F401
from chainer.link import Chain, ChainList, Link  # NOQA: E402,F401
from chainer import sequential  # NOQA: E402,F401
from chainer.sequential import Sequential  # NOQA: E402,F401
from chainer import reporter  # NOQA: E402,F401
from chainer.reporter import DictSummary, Reporter, Summary  # NOQA: E402,F401
from chainer.reporter import get_current_reporter, report, report_scope  # NOQA: E402,F401
from chainer import optimizer  # NOQA: E402,F401
from chainer import optimizers  # NOQA: E402,F401
from chainer import optimizer_hooks  # NOQA: E402,F401
from chainer.optimizer import GradientMethod, Optimizer, UpdateRule  # NOQA: E402,F401
from chainer import serializers  # NOQA: E402,F401
from chainer import links  # NOQA: E402,F401
from chainer import link_hooks  # NOQA: E402,F401
from chainer import dataset  # NOQA: E402,F401
from chainer import datasets  # NOQA: E402,F401
from chainer import iterators  # NOQA: E402,F401
from chainer import computational_graph  # NOQA: E402,F401
from chainer import training  # NOQA: E402,F401
from chainer import distribution  # NOQA: E402,F401
from chainer import distributions  # NOQA: E402,F401
from chainer.distribution import Distribution, cross_entropy, kl_divergence, register_kl  # NOQA: E402,F401,E501
# Modules Chainer's __init__ exposes for backward compatibility.
import chainerx  # NOQA: E402,F401
from chainer import _backprop_utils  # NOQA: E402,F401
from chainer import cuda  # NOQA: E402,F401
from chainer import memory_layouts  # NOQA: E402,F401
from chainer import types  # NOQA: E402,F401
from chainer import warnings  # NOQA: E402,F401
from chainer.functions import array  # NOQA: E402,F401
from chainer.functions.math import basic_math  # NOQA: E402,F401

if TYPE_CHECKING:
    import numpy
    from chainer.types import DTypeSpec


disable_experimental_feature_warning = False


class _FallbackType:
    """Returned by ``forward_chainerx`` to ask for the NumPy/CuPy implementation."""

    def __repr__(self) -> str:
        return 'Fallback'


Fallback = _FallbackType()


def get_dtype(dtype: DTypeSpec | None = None, map_mixed16: DTypeSpec | None = None) -> numpy.dtype:
    """The dtype to use: ``dtype``, or ``chainer.config.dtype`` when it is None.

    ``mixed16`` becomes ``map_mixed16`` when given, else float16.
    """
    import numpy
    if dtype is None:
        dtype = config.dtype
    if dtype is mixed16:
        return numpy.dtype(numpy.float16 if map_mixed16 is None else map_mixed16)
    return numpy.dtype(dtype)


def get_compute_mode() -> str | None:
    """The compute mode in effect (``chainer.config.compute_mode``)."""
    return config.compute_mode


def is_debug() -> bool:
    """Whether debug mode is on (``chainer.config.debug``)."""
    return bool(config.debug)


def set_debug(debug: bool) -> None:
    """Turns debug mode on or off in the current thread (``config.debug = debug``)."""
    config.debug = debug


class DebugMode:
    """Context manager that sets debug mode (deprecated in Chainer; use using_config)."""

    def __init__(self, debug: bool) -> None:
        _stdlib_warnings.warn('chainer.DebugMode is deprecated. '
                              'Use chainer.using_config("debug", ...) instead.',
                              DeprecationWarning)
        self._using = using_config('debug', debug)

    def __enter__(self) -> None:
        self._using.__enter__()

    def __exit__(self, *args) -> None:
        self._using.__exit__(*args)
