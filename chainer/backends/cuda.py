"""CUDA support through CuPy.

This module always imports. Without CuPy, :data:`available` is ``False``,
:class:`ndarray`, :class:`Device`, :class:`Event` and :class:`Stream` are
placeholder classes (so ``isinstance`` checks work and are ``False``, and
``with cuda.Device(i):`` does nothing, as in Chainer) and every function that needs
CuPy raises a :class:`RuntimeError` explaining how to install it.
"""
from __future__ import annotations

import functools
import itertools
import os
import threading
import warnings
from typing import TYPE_CHECKING, Any, Callable

import numpy

import chainer
from chainer import _backend
from chainer.backends import _cpu
from chainer.configuration import config

if TYPE_CHECKING:
    from chainer.types import CudaDeviceSpec, DTypeSpec, DeviceSpec
    from chainer.types import NdArray

_integer_types = (int, numpy.integer)

_INSTALL_HINT = (
    'CuPy is not available, so rechainer cannot use CUDA GPUs. '
    'Install CuPy for your CUDA version, e.g. `pip install cupy-cuda12x` '
    '(or `pip install rechainer[cuda]`).')


class CupyNotAvailableError(RuntimeError, AttributeError):
    """Raised when something that needs CuPy is used without it.

    It is also an :class:`AttributeError` so that ``hasattr``/``getattr`` with a
    default keep working on the placeholder modules.
    """


class _UnavailableModule:
    """Placeholder for ``cupy`` (and friends) when they cannot be imported."""

    __slots__ = ('_what', '_message')

    def __init__(self, what: str, message: str) -> None:
        object.__setattr__(self, '_what', what)
        object.__setattr__(self, '_message', message)

    def __getattr__(self, name: str) -> Any:
        if name.startswith('__') and name.endswith('__'):
            raise AttributeError(name)
        raise CupyNotAvailableError(
            f'cannot use {self._what}.{name}: {self._message}')

    def __setattr__(self, name: str, value: Any) -> None:
        raise CupyNotAvailableError(f'cannot set {self._what}.{name}: {self._message}')

    def __repr__(self) -> str:
        return f'<{self._what} (not available)>'

    def __bool__(self) -> bool:
        return False


_resolution_error: BaseException | None = None

try:
    import cupy
    import cupyx
    from cupy import cuda  # NOQA: F401 (Chainer exposes ``cuda.cuda``)
    from cupy import ndarray
    from cupy.cuda import Device
    from cupy.cuda import Event
    from cupy.cuda import Stream

    available = True
except Exception as e:  # ImportError, or a broken CUDA installation
    _resolution_error = e
    available = False

    cupy = _UnavailableModule('cupy', _INSTALL_HINT)
    cupyx = _UnavailableModule('cupyx', _INSTALL_HINT)
    cuda = _UnavailableModule('cupy.cuda', _INSTALL_HINT)

    class ndarray:  # type: ignore[no-redef]
        """Placeholder for ``cupy.ndarray`` (CuPy is not installed)."""

        def __init__(self, *args: Any, **kwargs: Any) -> None:
            raise CupyNotAvailableError(_INSTALL_HINT)

    class Device:  # type: ignore[no-redef]
        """Placeholder for ``cupy.cuda.Device`` (CuPy is not installed).

        As in Chainer, ``with cuda.Device(i):`` does nothing on a machine without
        CuPy, so CPU runs of code written that way work; ``use()`` says CuPy is
        missing.
        """

        def __init__(self, device: int | None = None) -> None:
            self.id = device

        def __enter__(self) -> 'Device':
            return self

        def __exit__(self, *args: Any) -> None:
            return None

        def use(self) -> None:
            raise CupyNotAvailableError(_INSTALL_HINT)

        synchronize = use

    class Event:  # type: ignore[no-redef]
        """Placeholder for ``cupy.cuda.Event`` (CuPy is not installed); builds, does nothing."""

    class Stream:  # type: ignore[no-redef]
        """Placeholder for ``cupy.cuda.Stream`` (CuPy is not installed); builds, does nothing."""

        null = None


class _PerformanceWarning(Warning):
    """Chainer's name for CuPy's ``PerformanceWarning``, for warning filters; exists anyway."""


if available:
    try:
        from cupy._util import PerformanceWarning as _PerformanceWarning  # noqa: F401, F811
    except ImportError:
        pass

if available:
    memory_pool = cupy.get_default_memory_pool()
    pinned_memory_pool = cupy.get_default_pinned_memory_pool()
else:
    memory_pool = None
    pinned_memory_pool = None


# cuDNN. CuPy 14 dropped it; then cuDNN is simply off.
_CUDNN_HINT = 'cuDNN is not available (it needs CuPy built with cuDNN support).'
cudnn_enabled = False
_cudnn_version = -1
_cudnn_resolution_error: BaseException | None = None
cudnn: Any = _UnavailableModule('cupy.cudnn', _CUDNN_HINT)
libcudnn: Any = _UnavailableModule('cupy.cuda.cudnn', _CUDNN_HINT)


def _import_cudnn() -> tuple[Any, Any]:
    """CuPy's cuDNN module and its library binding; raises where there are none.
    CuPy 13 keeps the module in ``cupyx.cudnn`` (its ``cupy.cudnn`` warns that
    it is deprecated), older CuPy in ``cupy.cudnn`` only."""
    try:
        import cupyx.cudnn as module
    except ImportError:
        import cupy.cudnn as module
    try:
        from cupy_backends.cuda.libs import cudnn as library
    except ImportError:
        from cupy.cuda import cudnn as library
    return module, library


if available:
    _cudnn_disabled_by_user = os.environ.get('CHAINER_CUDNN', '1') == '0'
    try:
        cudnn, libcudnn = _import_cudnn()
        _cudnn_version = int(libcudnn.getVersion())
        cudnn_enabled = not _cudnn_disabled_by_user
    except Exception as e:
        _cudnn_resolution_error = e
        cudnn = _UnavailableModule('cupy.cudnn', _CUDNN_HINT)
        libcudnn = _UnavailableModule('cupy.cuda.cudnn', _CUDNN_HINT)


def check_cuda_available() -> None:
    """Raises :class:`RuntimeError` unless CuPy (and so CUDA) can be used."""
    if not available:
        msg = _INSTALL_HINT
        if _resolution_error is not None:
            msg += f'\nReason: {type(_resolution_error).__name__}: {_resolution_error}'
        raise CupyNotAvailableError(msg)


# -- devices ------------------------------------------------------------------

if available:
    _dummy_device_base: type = Device
else:
    _dummy_device_base = object


class DummyDeviceType(_dummy_device_base):  # type: ignore[misc, valid-type]
    """A do-nothing stand-in for ``cupy.cuda.Device`` that means "the CPU"."""

    id = -1

    def __init__(self) -> None:
        pass

    def __int__(self) -> int:
        return -1

    def __index__(self) -> int:
        return -1

    def __enter__(self) -> 'DummyDeviceType':
        return self

    def __exit__(self, *args: Any) -> None:
        return None

    def use(self) -> None:
        """Does nothing."""

    def synchronize(self) -> None:
        """Does nothing."""

    def __eq__(self, other: object) -> bool:
        return isinstance(other, DummyDeviceType)

    def __ne__(self, other: object) -> bool:
        return not isinstance(other, DummyDeviceType)

    def __hash__(self) -> int:
        return hash(-1)

    def __repr__(self) -> str:
        return '<DummyDevice (CPU)>'

    def __reduce__(self):
        return (_get_dummy_device, ())


DummyDevice = DummyDeviceType()


def _get_dummy_device() -> DummyDeviceType:
    return DummyDevice


class GpuDevice(_backend.Device):
    """A CUDA GPU through CuPy; arrays are :class:`cupy.ndarray`.

    Args:
        device: The ``cupy.cuda.Device`` (an integer id is accepted too).
    """

    __slots__ = ('device',)

    xp = cupy
    supported_array_types = (ndarray,)

    def __init__(self, device: DeviceSpec) -> None:
        check_cuda_available()
        if isinstance(device, _integer_types) and not isinstance(device, bool):
            if device < 0:
                raise ValueError(f'Invalid CUDA device ID: {device}')
            device = Device(int(device))
        elif not isinstance(device, Device) or isinstance(device, DummyDeviceType):
            raise TypeError(
                f'GpuDevice expects a cupy.cuda.Device, got {type(device).__name__}: '
                f'{device!r}')
        self.device = device

    @staticmethod
    def from_device_id(device_id: int) -> 'GpuDevice':
        """Returns the :class:`GpuDevice` of the CUDA device with this id."""
        check_cuda_available()
        if isinstance(device_id, bool) or not (
                isinstance(device_id, _integer_types) and device_id >= 0):
            raise ValueError(f'Invalid CUDA device ID: {device_id!r}')
        return GpuDevice(Device(int(device_id)))

    @staticmethod
    def from_array(array: NdArray) -> 'GpuDevice | None':
        """Returns the device of a CuPy array, or ``None`` for anything else."""
        if available and isinstance(array, ndarray) and array.device is not None:
            return GpuDevice(array.device)
        return None

    @property
    def name(self) -> str:
        return f'@cupy:{self.device.id}'

    def __eq__(self, other: object) -> bool:
        return isinstance(other, GpuDevice) and other.device.id == self.device.id

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f'<{type(self).__name__} (cupy):{self.device.id}>'

    def __reduce__(self):
        return (GpuDevice.from_device_id, (self.device.id,))

    def __setstate__(self, state: dict) -> None:
        self.device = state['device']  # Chainer's pickles: the state of a plain object

    def create_context(self) -> Any:
        # A fresh cupy Device per context: one cupy Device object must not be
        # entered from several threads.
        return Device(self.device.id)

    def send_array(self, array: NdArray) -> Any:
        return _array_to_gpu(array, self.device, None)

    def use(self) -> None:
        self.device.use()

    def is_array_supported(self, array: Any) -> bool:
        return isinstance(array, ndarray) and array.device.id == self.device.id


def get_device_from_id(device_id: int | None) -> Any:
    """Returns the ``cupy.cuda.Device`` of ``device_id``.

    ``None`` or a negative id gives :data:`DummyDevice`.
    """
    if device_id is not None:
        if isinstance(device_id, bool) or not isinstance(device_id, _integer_types):
            raise TypeError(
                f'device id must be an integer or None, got {type(device_id).__name__}')
        if device_id >= 0:
            check_cuda_available()
            return Device(int(device_id))
    return DummyDevice


def get_device_from_array(*arrays: Any) -> Any:
    """Returns the ``cupy.cuda.Device`` of the first CuPy array, else :data:`DummyDevice`."""
    if available:
        for array in arrays:
            if isinstance(array, ndarray) and array.device is not None:
                return array.device
    return DummyDevice


def _get_cuda_device(*args: Any) -> Any:
    for arg in args:
        if type(arg) is not bool and isinstance(arg, _integer_types):
            if arg < 0:
                return DummyDevice
            check_cuda_available()
            return Device(int(arg))
        if available:
            if isinstance(arg, ndarray):
                if arg.device is None:
                    continue
                return arg.device
            if isinstance(arg, Device):
                return arg
    return DummyDevice


def get_device(*args: Any) -> Any:
    """Deprecated: use :func:`get_device_from_id` or :func:`get_device_from_array`."""
    warnings.warn(
        'get_device is deprecated. Please use get_device_from_id or '
        'get_device_from_array instead.', DeprecationWarning)
    return _get_cuda_device(*args)


def using_device(*args: Any) -> Any:
    """Context manager making the CUDA device of the arguments current.

    Takes device ids or arrays (the first CuPy array or non-negative id wins); with
    none of those it is a no-op (:data:`DummyDevice`).
    """
    return _get_cuda_device(*args)


def _get_device_or_current(device: Any) -> Any:
    """``None`` -> the current cupy Device; an id or cupy Device -> that device."""
    check_cuda_available()
    if device is None:
        return Device()
    if isinstance(device, DummyDeviceType):
        return Device()
    if isinstance(device, Device):
        return device
    if isinstance(device, bool) or not (isinstance(device, _integer_types) and device >= 0):
        raise ValueError(f'Invalid CUDA device specifier: {device!r}')
    return Device(int(device))


# -- array transfer -----------------------------------------------------------

def to_gpu(array: Any, device: CudaDeviceSpec | None = None, stream: Any = None) -> Any:
    """Copies an array (or a nested tuple/list/dict of arrays) to a GPU.

    Args:
        array: NumPy/CuPy array, NumPy scalar, ``None`` or a nested structure of them.
        device: ``cupy.cuda.Device`` or device id; ``None`` means the current device.
        stream: Deprecated, a CUDA stream for an asynchronous copy.
    """
    if stream is not None:
        warnings.warn(
            'The stream option is deprecated in chainer.backends.cuda.to_gpu. '
            'Please remove it.', DeprecationWarning)
    check_cuda_available()
    device = _get_device_or_current(device)
    return _backend._convert_arrays(array, lambda arr: _array_to_gpu(arr, device, stream))


def _array_to_gpu(array: Any, device: Any, stream: Any) -> Any:
    if array is None:
        return None
    if isinstance(array, (numpy.number, numpy.bool_)):
        array = numpy.asarray(array)
    if not isinstance(array, (ndarray, numpy.ndarray)):
        raise TypeError(
            'The array sent to gpu must be an array or a NumPy scalar.\n'
            f'Actual type: {type(array)}.')
    # Fresh cupy Device objects: one must not be entered from several threads.
    with Device(device.id):
        if isinstance(array, ndarray):
            if array.device.id == device.id:
                return array
            # Cross-device copy; the source has to be contiguous for a raw memcpy.
            with Device(array.device.id):
                src = cupy.ascontiguousarray(array)
            dst = cupy.empty(src.shape, src.dtype)
            if src.nbytes:
                dst.data.copy_from_device(src.data, src.nbytes)
            return dst
        if stream is not None and stream.ptr != 0:
            dst = cupy.empty(array.shape, array.dtype)
            dst.set(numpy.ascontiguousarray(array), stream)
            return dst
        return cupy.asarray(array)


def _array_to_cpu(array: Any, stream: Any) -> Any:
    if array is None:
        return None
    if available and isinstance(array, ndarray):
        return array.get(stream)
    return _cpu._array_to_cpu(array)


def to_cpu(array: Any, stream: Any = None) -> Any:
    """Copies an array (or a nested tuple/list/dict of arrays) to the host.

    NumPy arrays pass through, ``None`` stays ``None`` and scalars become 0-d
    NumPy arrays. Works without CuPy.
    """
    return _backend._convert_arrays(array, lambda arr: _array_to_cpu(arr, stream))


def copy(array: Any, out: Any = None, out_device: Any = None, stream: Any = None) -> Any:
    """Copies a CuPy array, possibly to another device.

    Args:
        array: The CuPy array to copy.
        out: Destination CuPy array; allocated when ``None``.
        out_device: Device (id, cupy Device or array on it) for a new ``out``;
            defaults to the device of ``array``.
        stream: Not supported (must be ``None``).
    """
    check_cuda_available()
    if stream is not None:
        raise NotImplementedError('chainer.backends.cuda.copy does not support streams')
    if not isinstance(array, ndarray):
        raise TypeError(f'copy expects a cupy.ndarray, got {type(array)}')
    if out is None:
        if out_device is None:
            out_device = array
        with _get_cuda_device(out_device):
            out = cupy.empty_like(array)
    with get_device_from_array(array):
        cupy.copyto(out, array)
    return out


# -- kernels and memoization --------------------------------------------------

def memoize(for_each_device: bool = False) -> Callable[[Callable], Callable]:
    """Caches a function's results by its arguments (``cupy.memoize`` with CuPy).

    Without CuPy the function is returned wrapped but uncached, as in Chainer.
    """
    if available:
        return cupy.memoize(for_each_device)

    def decorator(f: Callable) -> Callable:
        @functools.wraps(f)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return f(*args, **kwargs)
        return wrapper
    return decorator


def clear_memo() -> None:
    """Clears the caches of every :func:`memoize`-d function."""
    if available:
        cupy.clear_memo()


@memoize()
def elementwise(in_params: str, out_params: str, operation: str, name: str,
                **kwargs: Any) -> Any:
    """Creates (and caches) a ``cupy.ElementwiseKernel``."""
    check_cuda_available()
    return cupy.ElementwiseKernel(in_params, out_params, operation, name, **kwargs)


@memoize()
def reduce(in_params: str, out_params: str, map_expr: str, reduce_expr: str,
           post_map_expr: str, identity: Any, name: str, **kwargs: Any) -> Any:
    """Creates (and caches) a ``cupy.ReductionKernel``."""
    check_cuda_available()
    return cupy.ReductionKernel(in_params, out_params, map_expr, reduce_expr,
                                post_map_expr, identity, name, **kwargs)


@memoize()
def raw(code: str, name: str, *args: Any, **kwargs: Any) -> Any:
    """Creates (and caches) a ``cupy.RawKernel``."""
    check_cuda_available()
    return cupy.RawKernel(code, name, *args, **kwargs)


def fuse(*args: Any, **kwargs: Any) -> Any:
    """Fuses a function into one kernel with ``cupy.fuse``; a no-op without CuPy.

    Usable both as ``@fuse`` and ``@fuse(...)``.
    """
    if len(args) == 1 and not kwargs and callable(args[0]):
        return fuse()(args[0])
    if not available:
        return lambda f: f

    def decorator(f: Callable) -> Callable:
        options = dict(kwargs)
        # CuPy names the kernel after the function; a lambda's name is no identifier.
        if 'kernel_name' not in options and not f.__name__.isidentifier():
            options['kernel_name'] = 'fused_lambda'
        return cupy.fuse(*args, **options)(f)
    return decorator


def get_array_module(*args: Any) -> Any:
    """Returns ``cupy`` if any argument is a CuPy array (or a Variable holding one), else ``numpy``.

    Deprecated alias of :func:`chainer.backend.get_array_module`.
    """
    if available:
        return _get_array_module_cupy(args)
    return numpy


def _get_array_module_cupy(args: tuple) -> Any:
    others = []
    for arg in args:
        if isinstance(arg, ndarray):
            return cupy
        if arg is None or isinstance(arg, numpy.ndarray):
            continue
        # chainer.variable imports this module: Variable is looked up at call time.
        if isinstance(arg, chainer.Variable):
            arg = arg.array
            if isinstance(arg, ndarray):
                return cupy
            continue
        others.append(arg)
    if others:
        # Lets CuPy recognise its other array types (sparse matrices, ...).
        return cupy.get_array_module(*others)
    return numpy


# -- cuDNN ----------------------------------------------------------------------

_max_workspace_size = 8 * 1024 * 1024


def get_max_workspace_size() -> int:
    """The workspace size (bytes) cuDNN may use."""
    if cudnn_enabled:
        return cudnn.get_max_workspace_size()
    return _max_workspace_size


def set_max_workspace_size(size: int) -> None:
    """Sets the workspace size (bytes) cuDNN may use."""
    global _max_workspace_size
    if isinstance(size, bool) or not isinstance(size, _integer_types) or size < 0:
        raise ValueError(f'workspace size must be a non-negative integer, got {size!r}')
    _max_workspace_size = int(size)
    if cudnn_enabled:
        cudnn.set_max_workspace_size(int(size))


_SHOULD_USE_CUDNN = {
    '==always': {'always': True, 'auto': False, 'never': False},
    '>=auto': {'always': True, 'auto': True, 'never': False},
}

_TENSOR_CORE_FLAG = {'always': True, 'auto': None, 'never': False}


def should_use_cudnn(level: str, lowest_version: int = 0) -> bool:
    """Whether cuDNN should be used, given ``chainer.config.use_cudnn``.

    Args:
        level: ``'==always'`` (only when ``use_cudnn`` is ``'always'``) or
            ``'>=auto'`` (when it is ``'always'`` or ``'auto'``).
        lowest_version: Minimum cuDNN version required.
    """
    # Without cuDNN the answer is False whatever the level, as in Chainer.
    if not cudnn_enabled or _cudnn_version < lowest_version:
        return False
    flags = _SHOULD_USE_CUDNN.get(level)
    if flags is None:
        raise ValueError(
            f'invalid cuDNN use level: {level!r} (must be either of "==always" or ">=auto")')
    use_cudnn = config.use_cudnn
    result = flags.get(use_cudnn) if isinstance(use_cudnn, str) else None
    if result is None:
        raise ValueError(
            f'invalid use_cudnn configuration: {use_cudnn!r} '
            '(must be either of "always", "auto", or "never")')
    return result


def should_use_cudnn_tensor_core(dtype: DTypeSpec) -> bool:
    """Whether cuDNN should use Tensor Cores for ``dtype``.

    Follows ``chainer.config.use_cudnn_tensor_core``; ``'auto'`` means float16
    on a GPU of compute capability 7.0 or newer.
    """
    setting = config.use_cudnn_tensor_core
    use = _TENSOR_CORE_FLAG.get(setting, 'bad') if isinstance(setting, str) else 'bad'
    if use == 'bad':
        raise ValueError(
            f'invalid use_cudnn_tensor_core configuration: {setting!r} '
            '(must be either of "always", "auto", or "never")')
    if use is None:
        if not cudnn_enabled:
            return False
        return _is_tensor_core_available(dtype)
    return use


def _is_tensor_core_available(dtype: Any) -> bool:
    if numpy.dtype(dtype) != numpy.float16:
        return False
    try:
        return int(Device().compute_capability) >= 70
    except Exception:
        return False


_dropout_states_count = itertools.count()


@memoize(for_each_device=True)
def get_cudnn_dropout_states_core(thread_id: int) -> Any:
    """The cuDNN dropout states of a thread on the current device (cached)."""
    if not cudnn_enabled:
        raise RuntimeError(_CUDNN_HINT)
    states_id = next(_dropout_states_count)
    seed = os.environ.get('CHAINER_SEED')
    if seed is None:
        seed = int.from_bytes(os.urandom(8), 'little')
    else:
        seed = int(seed)
    seed = numpy.uint64((seed + states_id) % (1 << 64))
    return cudnn.DropoutStates(None, seed)


def get_cudnn_dropout_states() -> Any:
    """The cuDNN dropout states of the calling thread on the current device."""
    if not cudnn_enabled:
        raise RuntimeError(_CUDNN_HINT)
    return get_cudnn_dropout_states_core(threading.get_ident())
