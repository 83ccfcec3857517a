"""Objects that live on a device and move between devices as a whole (``Link``)."""
from __future__ import annotations

import copyreg
import threading
import warnings
from typing import TYPE_CHECKING, Any

import numpy

from chainer import _backend
from chainer import backend
from chainer.backends import _cpu
from chainer.backends import cuda
from chainer.backends import intel64

if TYPE_CHECKING:
    from chainer.types import CudaDeviceSpec, DeviceSpec

_TO_METHOD_NAMES = ('to_cpu', 'to_gpu', 'to_intel64')
_FINAL_METHOD_NAMES = ('to_device', 'to_chx', 'from_chx')
# Residents whose to_cpu/to_gpu override a visitor is running, per thread.
_overrides_running = threading.local()
# The to_device specifier each deprecated transfer method stands for (its warning names it).
_DEVICE_NAMES = {'to_cpu': '@numpy', 'to_gpu': '@cupy:N', 'to_intel64': '@intel64'}


class DeviceResident:
    """Base of objects (links) holding arrays and Variables on one device.

    Subclasses extend :meth:`device_resident_accept` so that a visitor reaches
    everything they hold: call ``super().device_resident_accept(visitor)``,
    then ``visitor.visit_variable(v)`` for each Variable, ``d[name] =
    visitor.visit_array(a)`` for each bare array and ``child.device_resident_accept(visitor)``
    for each child resident.
    """

    # Class-level default so subclasses that skip ``__init__`` still work.
    _device: _backend.Device = backend._cpu_device

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        for name in _FINAL_METHOD_NAMES:
            if name in cls.__dict__:
                # As in Chainer, where they are final: override device_resident_accept.
                raise TypeError(f'method {name!r} is final.')
        # Chainer deprecated overriding the transfer methods (they still run
        # for compatibility, see _ToDeviceVisitor); device_resident_accept is
        # the way to move extra arrays.
        if cls.__module__.startswith('chainer.'):
            return
        for name in _TO_METHOD_NAMES:
            # As Chainer's final(): only an override of DeviceResident's own
            # method warns (not one of a class that already overrode it).
            original = getattr(DeviceResident, name)
            if name in cls.__dict__ and any(
                    getattr(base, name, None) is original for base in cls.__bases__):
                # Chainer's sentence first, so filters written for it match.
                warnings.warn(
                    f'Overriding method {name!r}. {cls.__qualname__} overrides '
                    f'DeviceResident.{name}, which is deprecated; override '
                    'device_resident_accept to move additional arrays instead',
                    DeprecationWarning)

    @property
    def _device_id(self) -> int | None:
        """The CUDA device id for a GPU resident, else None (deprecated; use ``device``)."""
        warnings.warn(
            'Link._device_id is left only for backward compatibility; use the device '
            'attribute instead', DeprecationWarning)
        device = self._device
        if isinstance(device, cuda.GpuDevice):
            return device.device.id
        return None

    def __init__(self) -> None:
        self._device = _cpu.CpuDevice()

    def __getstate__(self) -> Any:
        from chainer import _pickle_compat  # written so that Chainer 7.8.1 loads it too
        base = getattr(super(), '__getstate__', None)  # object has one from Python 3.11
        state = base() if base is not None else _default_state(self)
        if isinstance(state, tuple):  # with __slots__
            return _pickle_compat.chainer_link_state(self, state[0] or {}), state[1]
        return _pickle_compat.chainer_link_state(self, state or {})

    def __setstate__(self, state: Any) -> None:
        from chainer import _pickle_compat  # Chainer's pickles have another layout
        _pickle_compat.set_state(self, state, '_overridden_to_methods',
                                 _pickle_compat.device_resident_state)

    def device_resident_accept(self, visitor: 'DeviceResidentsVisitor') -> None:
        """Lets ``visitor`` visit this object (and, in subclasses, its contents)."""
        visitor.visit_device_resident(self)

    @property
    def device(self) -> _backend.Device:
        """The :class:`~chainer.backend.Device` this object lives on."""
        return self._device

    @property
    def xp(self) -> Any:
        """The array module (``numpy`` or ``cupy``) of :attr:`device`."""
        return self._device.xp

    def to_cpu(self) -> 'DeviceResident':
        """Moves everything to the CPU; returns ``self``. Deprecated (as in
        Chainer 7): use ``to_device('@numpy')``."""
        visitor = _ToDeviceVisitor(
            _cpu.CpuDevice(), entry_method_info=('to_cpu', {}),
            skip_between_cupy_devices=True, starting_device_resident=self)
        self.device_resident_accept(visitor)
        return self

    def to_gpu(self, device: CudaDeviceSpec | None = None) -> 'DeviceResident':
        """Moves everything to a GPU; returns ``self``.

        Args:
            device: ``cupy.cuda.Device`` or device id; ``None`` is the current device.
                Arrays already on some GPU are left where they are.

        Deprecated (as in Chainer 7): use ``to_device('@cupy:N')``.
        """
        cuda.check_cuda_available()
        cuda_device = cuda._get_device_or_current(device)
        gpu = cuda.GpuDevice(cuda_device)
        visitor = _ToDeviceVisitor(
            gpu, entry_method_info=('to_gpu', {'device': cuda_device}),
            skip_between_cupy_devices=True, starting_device_resident=self)
        self.device_resident_accept(visitor)
        return self

    def to_intel64(self) -> 'DeviceResident':
        """Raises :class:`RuntimeError`: iDeep is not supported by rechainer."""
        intel64.check_ideep_available()
        return self  # unreachable

    def to_chx(self) -> 'DeviceResident':
        """Raises :class:`RuntimeError`: ChainerX is not available in rechainer."""
        from chainer.backends import _chainerx
        raise RuntimeError(_chainerx._CHAINERX_MESSAGE)

    def from_chx(self) -> 'DeviceResident':
        """Nothing lives on ChainerX here, so this returns ``self`` unchanged."""
        return self

    def to_device(self, device: DeviceSpec) -> 'DeviceResident':
        """Moves everything to ``device`` (any :func:`chainer.get_device` specifier)."""
        device = backend.get_device(device)
        # As in Chainer, a resident's own to_cpu/to_gpu override runs here too
        # (code that moves extra arrays there is reached through to_device).
        self.device_resident_accept(_ToDeviceVisitor(device))
        return self


def _default_state(obj: Any) -> Any:
    """What ``object.__getstate__`` (Python 3.11+) returns, for Python 3.10: the
    instance ``__dict__`` (None when empty), paired with a dict of the set
    ``__slots__`` values when there are any."""
    state = getattr(obj, '__dict__', None) or None
    slots = {}
    for name in copyreg._slotnames(type(obj)):
        if name not in ('__dict__', '__weakref__') and hasattr(obj, name):
            slots[name] = getattr(obj, name)
    return (state, slots) if slots else state


class DeviceResidentsVisitor:
    """Visits device residents, their Variables and their bare arrays."""

    def visit_device_resident(self, device_resident: DeviceResident) -> None:
        """Visits a :class:`DeviceResident`."""
        raise NotImplementedError

    def visit_array(self, arr: Any) -> Any:
        """Visits a bare array; returns the array that should replace it."""
        raise NotImplementedError

    def visit_variable(self, param: Any) -> None:
        """Visits a :class:`~chainer.Variable` (usually a Parameter)."""
        raise NotImplementedError


class _ToDeviceVisitor(DeviceResidentsVisitor):
    """Moves residents, Variables and arrays to one device.

    Compatibility with Chainer: if a resident overrides ``to_cpu``/``to_gpu``/
    ``to_intel64``, the override matching the transfer is called for it, even
    when the transfer was started with ``to_device``.
    """

    def __init__(self, device: _backend.Device, entry_method_info: Any = None,
                 skip_between_cupy_devices: bool = False,
                 starting_device_resident: DeviceResident | None = None) -> None:
        if not isinstance(device, _backend.Device):
            raise TypeError(f'device must be a chainer.backend.Device, got {device!r}')
        if entry_method_info is not None:
            if not (isinstance(entry_method_info, tuple) and len(entry_method_info) == 2
                    and entry_method_info[0] in _TO_METHOD_NAMES):
                raise ValueError(f'invalid entry_method_info: {entry_method_info!r}')
            name = entry_method_info[0]
            warnings.warn(
                f"{name} is deprecated. Please use to_device('{_DEVICE_NAMES[name]}') instead.",
                DeprecationWarning)  # from this module, hidden by default as Chainer's
        self._device = device
        self._entry_method_info = entry_method_info
        self._skip_between_cupy_devices = skip_between_cupy_devices
        self._starting_device_resident = starting_device_resident

    def visit_device_resident(self, device_resident: DeviceResident) -> None:
        device_resident._device = self._device
        to_method = self._get_overridden_to_method(device_resident)
        if to_method is None:
            return
        # An override that moves itself with to_device is not entered again
        # (Chainer recursed until RecursionError).
        running = _overrides_running.__dict__.setdefault('ids', set())
        if id(device_resident) in running:
            return
        running.add(id(device_resident))
        try:
            method, kwargs = to_method
            method(**kwargs)
        finally:
            running.discard(id(device_resident))

    def _get_overridden_to_method(self, device_resident: DeviceResident) -> Any:
        if device_resident is self._starting_device_resident:
            return None
        if self._entry_method_info is not None:
            name, kwargs = self._entry_method_info
        else:
            name, kwargs = _device_to_method_name_and_kwargs(self._device)
            if name is None:
                return None
        if getattr(type(device_resident), name, None) is getattr(DeviceResident, name):
            return None
        return getattr(device_resident, name), kwargs

    def _skip(self, is_on_gpu: bool) -> bool:
        # to_gpu leaves data that is already on some GPU where it is (as Chainer).
        return (self._skip_between_cupy_devices
                and isinstance(self._device, cuda.GpuDevice) and is_on_gpu)

    def visit_array(self, arr: Any) -> Any:
        if not isinstance(arr, (numpy.ndarray, cuda.ndarray)):
            raise TypeError(f'expected an array, got {type(arr).__name__}')
        if self._skip(isinstance(arr, cuda.ndarray)):
            return arr
        return self._device.send(arr)

    def visit_variable(self, param: Any) -> None:
        if self._skip_between_cupy_devices and self._skip(
                isinstance(param.device, cuda.GpuDevice)):
            return
        param.to_device(self._device)


def _device_to_method_name_and_kwargs(device: _backend.Device) -> tuple:
    if isinstance(device, _cpu.CpuDevice):
        return 'to_cpu', {}
    if isinstance(device, cuda.GpuDevice):
        return 'to_gpu', {'device': device.device.id}
    if isinstance(device, intel64.Intel64Device):
        return 'to_intel64', {}
    return None, None
