"""``cupy.cuda`` of the stand-in: one device (id 0) whose operations are immediate."""
from __future__ import annotations

import time as _time

import numpy as _np

nvtx_enabled = True


class Device:
    def __init__(self, device=None):
        self.id = 0 if device is None else int(device)
        if self.id != 0:
            raise RuntimeError('the CuPy stand-in has one device, 0')

    def __enter__(self):
        return self

    def __exit__(self, *args):
        pass

    def use(self):
        pass

    def synchronize(self):
        pass

    def __int__(self):
        return self.id

    def __index__(self):
        return self.id

    def __eq__(self, other):
        return isinstance(other, Device) and other.id == self.id

    def __ne__(self, other):
        return not self == other

    def __hash__(self):
        return self.id

    def __repr__(self):
        return f'<CUDA Device {self.id}>'

    compute_capability = '90'


class MemoryPointer:
    def __init__(self, ptr, device_id=0):
        self.ptr = ptr
        self.device_id = device_id


class Event:
    """Operations are immediate, so an event records the host's clock: the time
    between two is what ran between them, as on a device."""
    done = True
    _time = None

    def __init__(self, *args, **kwargs):
        pass

    def record(self, stream=None):
        self._time = _time.perf_counter()

    def synchronize(self):
        pass


class Stream:
    null = None
    _made = 0

    def __init__(self, null=False, non_blocking=False, ptds=False):
        # As in CuPy, only the null stream has the null handle: code that takes
        # another path for a real stream takes it here too.
        Stream._made += 1
        self.ptr = 0 if null else Stream._made

    def synchronize(self):
        import cupy
        cupy._count('sync')

    def use(self):
        return self

    def __enter__(self):
        return self

    def __exit__(self, *args):
        pass

    def record(self, event=None):
        return Event()

    def wait_event(self, event):
        pass

    def add_callback(self, callback, arg):
        callback(self, None, arg)


Stream.null = Stream(null=True)


def get_current_stream():
    return Stream.null


def get_elapsed_time(start, end):
    """Milliseconds from ``start`` to ``end`` (both recorded, as CuPy requires)."""
    if start._time is None or end._time is None:
        raise RuntimeError('get_elapsed_time needs two recorded events')
    return (end._time - start._time) * 1000.0


def get_device_id():
    return 0


def alloc_pinned_memory(size):
    return _np.empty(size, _np.uint8)


class runtime:
    class CUDARuntimeError(RuntimeError):
        pass

    @staticmethod
    def getDeviceCount():
        return 1

    @staticmethod
    def getDevice():
        return 0

    @staticmethod
    def runtimeGetVersion():
        return 13000

    @staticmethod
    def driverGetVersion():
        return 13000

    @staticmethod
    def getDeviceProperties(device):
        return {'name': b'CuPy stand-in (CPU)'}


class memory:
    class OutOfMemoryError(MemoryError):
        pass

    MemoryPointer = MemoryPointer


class memory_hook:
    class MemoryHook:
        name = 'MemoryHook'

        def __enter__(self):
            return self

        def __exit__(self, *args):
            pass


def is_available():
    return True
