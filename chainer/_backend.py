"""The abstract :class:`Device` and helpers shared by every backend."""
from __future__ import annotations

import contextlib
import threading
from typing import TYPE_CHECKING, Any, Callable

if TYPE_CHECKING:
    from chainer.types import NdArray

# Per-thread stacks of the contexts entered through ``with device:``, keyed by
# ``id(device)``; kept outside the device so one device object can be entered
# from several threads at once.
_context_tls = threading.local()


class Device:
    """A device on which arrays live (CPU, a CUDA GPU, ...).

    Subclasses provide :attr:`xp`, :attr:`supported_array_types`, :attr:`name`
    and :meth:`send_array`.
    """

    __slots__ = ()

    @property
    def xp(self) -> Any:
        """The array module (``numpy`` or ``cupy``) of this device."""
        raise NotImplementedError('Device implementations must define xp')

    @property
    def supported_array_types(self) -> tuple:
        """The array types that can live on this device."""
        raise NotImplementedError(
            'Device implementations must define supported_array_types')

    @property
    def name(self) -> str:
        """The unique name of this device (``'@numpy'``, ``'@cupy:0'``...)."""
        raise NotImplementedError('Device implementations must define name')

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Device):
            return NotImplemented
        return type(self) is type(other) and self.name == other.name

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        if eq is NotImplemented:
            return NotImplemented
        return not eq

    def __hash__(self) -> int:
        return hash(self.name)

    def __str__(self) -> str:
        return self.name

    def __enter__(self) -> 'Device':
        context = self.create_context()
        context.__enter__()
        stacks = getattr(_context_tls, 'stacks', None)
        if stacks is None:
            stacks = _context_tls.stacks = {}
        stacks.setdefault(id(self), []).append(context)
        return self

    def __exit__(self, exc_type, exc_value, traceback) -> Any:
        stacks = getattr(_context_tls, 'stacks', None) or {}
        stack = stacks.get(id(self))
        if not stack:
            raise RuntimeError(f'device {self.name} was exited without being entered')
        context = stack.pop()
        if not stack:
            del stacks[id(self)]
        return context.__exit__(exc_type, exc_value, traceback)

    def create_context(self) -> Any:
        """Returns a context manager that makes this device the current one."""
        return contextlib.nullcontext()

    def send_array(self, array: NdArray) -> Any:
        """Transfers one array to this device."""
        raise NotImplementedError('Device implementations must define send_array')

    def send(self, arrays: Any) -> Any:
        """Transfers an array or a nested tuple/list/dict of arrays to this device.

        ``None`` is kept as is and NumPy scalars become 0-d arrays. An array that
        appears several times in the input is sent once.
        """
        return _convert_arrays(arrays, self.send_array)

    def use(self) -> None:
        """Makes this device the current one (no-op where there is no notion of it)."""

    def is_array_supported(self, array: Any) -> bool:
        """Whether ``array`` can be used on this device as it is."""
        return isinstance(array, self.supported_array_types)


def _convert_arrays(arrays: Any, func: Callable[[Any], Any]) -> Any:
    """Applies ``func`` to every array in a nested tuple/list/dict structure."""
    if isinstance(arrays, (list, tuple, dict)):
        return _convert_nested(arrays, func, {})
    return func(arrays)


def _convert_nested(obj: Any, func: Callable[[Any], Any], memo: dict) -> Any:
    if obj is None:
        return None
    if isinstance(obj, (list, tuple)):
        items = [_convert_nested(x, func, memo) for x in obj]
        if isinstance(obj, list):
            if type(obj) is list:
                return items
            return type(obj)(items)
        if type(obj) is tuple:
            return tuple(items)
        if hasattr(obj, '_fields'):  # namedtuple
            return type(obj)(*items)
        return type(obj)(items)
    if isinstance(obj, dict):
        converted = {key: _convert_nested(value, func, memo) for key, value in obj.items()}
        if type(obj) is dict:
            return converted
        return type(obj)(converted)
    key = id(obj)
    hit = memo.get(key)
    if hit is not None:
        return hit[1]
    result = func(obj)
    # Keep ``obj`` alive in the memo so its id cannot be reused meanwhile.
    memo[key] = (obj, result)
    return result
