"""Converters: turn a list of examples into batched arrays on a device."""
from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any, Callable

import numpy

import chainer
from chainer import backend
from chainer.backends import cuda

if TYPE_CHECKING:
    from chainer.types import DeviceSpec


def _get_device(device_spec: Any) -> Any:
    # Besides what ``backend.get_device`` accepts, ``None`` means "do not
    # transfer" and legacy integers mean CPU (negative) or that GPU.
    if device_spec is None:
        return None
    return backend.get_device(device_spec)


def to_device(device: DeviceSpec, x: Any) -> Any:
    """Sends ``x`` (an array or ``None``) to ``device``.

    ``device`` is ``None`` (no transfer), a legacy integer (negative for the
    CPU, otherwise a GPU id) or anything :func:`chainer.get_device` accepts.
    """
    device = _get_device(device)
    if device is None or x is None:
        return x
    return device.send(x)


class Converter:
    """Base class of converters: ``converter(batch, device)`` → batched arrays."""

    def __call__(self, batch: Any, device: DeviceSpec) -> Any:
        raise NotImplementedError(
            'Converter subclasses must implement __call__(batch, device).')


class _ArbitraryCallableConverter(Converter):
    """Converter wrapping a plain function; normalises its ``device`` argument."""

    def __init__(self, base_callable: Callable) -> None:
        if not callable(base_callable):
            raise TypeError(f'Can only wrap a callable, got {base_callable!r}')
        self.base_callable = base_callable
        functools.update_wrapper(self, base_callable)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if len(args) >= 2:
            args = list(args)
            args[1] = _get_device(args[1])
        elif 'device' in kwargs:
            kwargs['device'] = _get_device(kwargs['device'])
        return self.base_callable(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<converter {getattr(self, '__qualname__', self.base_callable)}>"


def _call_converter(converter: Callable, batch: Any, device: Any) -> Any:
    # Calls ``converter`` with ``device`` (``None`` or a Device). New-style
    # converters take the Device; plain functions take the legacy form (-1 for
    # the CPU, the GPU id for CuPy, None for no transfer). Third-party updaters
    # call this through ``chainer.dataset.convert`` as they did in Chainer.
    if isinstance(converter, Converter):
        return converter(batch, device)
    if device is None:
        return converter(batch, None)
    if device.xp is numpy:
        return converter(batch, -1)
    if cuda.available and device.xp is cuda.cupy:
        return converter(batch, device.device.id)
    raise RuntimeError(
        'Converter does not support ChainerX. '
        'Use chainer.dataset.converter decorator.')


def converter() -> Callable[[Callable], Converter]:
    """Decorator turning ``f(batch, device=None, ...)`` into a :class:`Converter`.

    The wrapped function receives ``device`` as a :class:`chainer.backend.Device`
    or ``None``, whatever specifier the caller passed.
    """
    def wrap(func: Callable) -> Converter:
        return _ArbitraryCallableConverter(func)
    return wrap


def _where(position: Any) -> str:
    if position is None:
        return ''
    if isinstance(position, str):
        return f' for key {position!r}'
    return f' at tuple position {position}'


def _shape_error(arrays: Any, position: Any) -> ValueError:
    shapes = [tuple(numpy.shape(a)) for a in arrays]
    bad = next((i for i, shape in enumerate(shapes) if shape != shapes[0]), None)
    if bad is None:
        return ValueError(f'concat_examples: cannot stack the examples{_where(position)}')
    return ValueError(
        f'concat_examples: example {bad} has shape {shapes[bad]} but example 0 has '
        f'shape {shapes[0]}{_where(position)}; give padding= to pad them to a '
        'common shape')


def _without_array_form(arrays: Any) -> Any:
    """The index of the first example that is no array and has no array form (None,
    another object), or None."""
    for i, a in enumerate(arrays):
        if isinstance(a, chainer.get_array_types()):
            continue
        try:
            if numpy.asarray(a).dtype == object:
                return i
        except ValueError:  # a ragged list: a shape error
            pass
    return None


def _object_error(arrays: Any, position: Any, bad: Any = None) -> TypeError:
    # Examples that stack into a 1-d object array are None or other objects with
    # no array form: a batch of them is no input for a model (Chainer raised a
    # bare TypeError from indexing them).
    if bad is None:
        bad = _without_array_form(arrays)
    return TypeError(
        f'concat_examples: example {bad}{_where(position)} is '
        f'{type(arrays[bad]).__name__}, which has no array form; examples must be '
        'arrays or numbers')


def _concat_arrays(arrays: Any, padding: Any, position: Any = None) -> Any:
    first = arrays[0]
    if padding is not None:
        return _concat_arrays_with_padding(arrays, padding, position)
    if not isinstance(first, chainer.get_array_types()) or isinstance(first, numpy.ndarray):
        # Scalars, lists and NumPy arrays: numpy.array stacks them (and is
        # faster than numpy.stack for many small arrays).
        try:
            result = numpy.array(arrays)
        except ValueError:
            # (Chainer indexed the examples after an array, a TypeError for None,
            # and let NumPy's ValueError through after anything else.)
            bad = _without_array_form(arrays) if isinstance(first, numpy.ndarray) else None
            if bad is not None:
                raise _object_error(arrays, position, bad) from None
            raise _shape_error(arrays, position) from None
        if result.dtype == object:
            if isinstance(first, numpy.ndarray):
                if first.dtype != object:
                    bad = _without_array_form(arrays)
                    if bad is not None:
                        raise _object_error(arrays, position, bad)
                    raise _shape_error(arrays, position)
            elif result.ndim == 1:
                raise _object_error(arrays, position)
        return result
    shape = first.shape
    for array in arrays:
        if getattr(array, 'shape', None) != shape:
            raise _shape_error(arrays, position)
    device = backend.get_device_from_array(first)
    xp = device.xp
    with chainer.using_device(device):
        return xp.stack([xp.asarray(a) for a in arrays])


def _concat_arrays_with_padding(arrays: Any, padding: Any, position: Any = None) -> Any:
    if isinstance(arrays[0], chainer.get_array_types()):
        if arrays[0].dtype != object:
            bad = _without_array_form(arrays)
            if bad is not None:
                raise _object_error(arrays, position, bad)
        arrays = [a if hasattr(a, 'shape') else numpy.asarray(a) for a in arrays]
        dtype = arrays[0].dtype
    else:
        # Scalars and lists take the type of them all, as without padding
        # (ints and floats give floats).  Equal shapes still go through
        # ``full``, so that a padding value it refuses is refused as in Chainer.
        try:
            stacked = numpy.asarray(arrays)
        except ValueError:
            stacked = None
        first = arrays[0]
        arrays = [numpy.asarray(a) for a in arrays]
        if stacked is not None and stacked.dtype != object:
            dtype = stacked.dtype
        else:
            dtype = numpy.result_type(*arrays)
        if dtype.kind == 'O':
            raise ValueError(
                f'concat_examples: cannot pad examples of type '
                f'{type(first).__name__}{_where(position)}')
    ndim = arrays[0].ndim
    shape = list(arrays[0].shape)
    for i, array in enumerate(arrays):
        if array.ndim != ndim:
            raise ValueError(
                f'concat_examples: example {i} has {array.ndim} dimensions but '
                f'example 0 has {ndim}{_where(position)}; padding cannot fix that')
        shape = [max(s, t) for s, t in zip(shape, array.shape)]
    if isinstance(padding, int) and not isinstance(padding, bool) \
            and numpy.dtype(dtype).kind in 'iu':
        # NumPy 1 (so Chainer) wrapped an out-of-range integer (-1 pads uint8
        # with 255); NumPy 2 refuses it.
        padding = numpy.array(padding).astype(dtype)[()]
    device = backend.get_device_from_array(arrays[0])
    with chainer.using_device(device):
        result = device.xp.full([len(arrays)] + shape, padding, dtype=dtype)
        for i, array in enumerate(arrays):
            result[(i,) + tuple(slice(d) for d in array.shape)] = array
    return result


def _column(batch: Any, position: Any) -> list:
    # Entry ``position`` of every example (extra entries of later examples are
    # ignored, as Chainer does).
    try:
        return [example[position] for example in batch]
    except (IndexError, KeyError):
        pass  # found again below, to name the example
    column = []
    for i, example in enumerate(batch):
        try:
            column.append(example[position])
        except IndexError:
            raise IndexError(
                f'concat_examples: example {i} has no entry {position} (example 0 '
                f'has {len(batch[0])})') from None
        except KeyError:
            raise KeyError(
                f'concat_examples: example {i} lacks the key {position!r} of '
                'example 0') from None
    return column


def concat_examples_func(batch: Any, device: Any = None, padding: Any = None) -> Any:
    """Stacks a list of examples into batched arrays and sends them to ``device``.

    Examples may be arrays (or scalars), tuples of arrays (a tuple of batched
    arrays is returned) or dicts of arrays (a dict is returned).  Without
    ``padding`` all examples must share a shape; with it each array is padded
    to the largest shape along every axis.  ``padding`` may be a tuple or dict
    matching the examples to pad each column with its own value.
    """
    if len(batch) == 0:
        raise ValueError('batch is empty')
    first = batch[0]
    if isinstance(first, tuple):
        n = len(first)
        if not isinstance(padding, tuple):
            padding = (padding,) * n
        elif len(padding) < n:
            raise IndexError(
                f'padding has {len(padding)} entries but the examples are tuples of {n}')
        return tuple(
            to_device(device, _concat_arrays(_column(batch, i), padding[i], i))
            for i in range(n))
    if isinstance(first, dict):
        if not isinstance(padding, dict):
            padding = {key: padding for key in first}
        result = {}
        for key in first:
            if key not in padding:
                raise KeyError(
                    f'concat_examples: padding has no entry for the key {key!r}')
            result[key] = to_device(
                device, _concat_arrays(_column(batch, key), padding[key], key))
        return result
    return to_device(device, _concat_arrays(batch, padding))


# The converter object; the plain function above stays importable under its
# own name, so that the converter pickles (it refers to the function by name).
concat_examples = converter()(concat_examples_func)
concat_examples.__name__ = concat_examples.__qualname__ = 'concat_examples'


class Conveyor:
    """Sends arrays to ``device`` in order: :meth:`put` starts a copy, :meth:`get` ends one.

    With a GPU ``device`` and a CuPy ``stream`` the copy runs asynchronously
    on that stream and :meth:`get` waits for it; otherwise :meth:`put` copies
    at once.  ``device`` is ``None`` (leave arrays where they are), a legacy
    integer (negative for the CPU) or any device specifier.
    """

    def __init__(self, device: Any = None, stream: Any = None) -> None:
        self._device = _get_device(device)
        self._stream = stream
        self._pending: list = []

    def put(self, array: Any) -> None:
        """Starts sending ``array`` (``None`` is passed through)."""
        device = self._device
        if (array is None or device is None or self._stream is None
                or not isinstance(device, backend.GpuDevice)):
            self._pending.append(to_device(device, array))
            return
        with device:
            self._pending.append(cuda.to_gpu(array, stream=self._stream))

    def get(self, sync: bool = True) -> Any:
        """Returns the oldest array :meth:`put` started sending.

        With ``sync`` (the default) it waits until the copy has arrived;
        without, the caller must synchronize before using the array.
        """
        if not self._pending:
            # Chainer's type (it popped from an empty list)
            raise IndexError('Conveyor.get() called with no array put')
        if sync and self._stream is not None:
            self._stream.synchronize()
        return self._pending.pop(0)


class ConcatWithAsyncTransfer:
    """Like :func:`concat_examples`, overlapping the host-to-GPU copy with compute.

    With CuPy the batch is assembled in pinned host memory and copied on
    ``stream``; without CuPy (or for the CPU) it is a plain ``concat_examples``.
    """

    def __init__(self, stream: Any = None, compute_stream: Any = None) -> None:
        self._stream = stream
        self.compute_stream = compute_stream

    def __setstate__(self, state: dict) -> None:
        # A pickle written by Chainer 7.8.1 also holds its per-device conveyors and
        # CUDA events; only the streams are kept.
        self._stream = state.get('_stream')
        self.compute_stream = state.get('compute_stream')

    def _get_conveyor(self) -> Conveyor:
        # Chainer's conveyors were a defaultdict of this bound method, which its
        # pickles name; rechainer copies without one.
        return Conveyor(None, self._stream)

    def __call__(self, batch: Any, device: DeviceSpec | None = None, padding: Any = None) -> Any:
        device = _get_device(device)
        if (device is None or not cuda.available
                or not isinstance(device, backend.GpuDevice)):
            return concat_examples(batch, device, padding)
        host = concat_examples(batch, None, padding)
        stream = self._stream
        if stream is None:
            return to_device(device, host)
        with device:
            def send(a: Any) -> Any:
                if a is None:
                    return None
                return cuda.to_gpu(a, stream=stream)
            if isinstance(host, tuple):
                out = tuple(send(a) for a in host)
            elif isinstance(host, dict):
                out = {k: send(a) for k, a in host.items()}
            else:
                out = send(host)
            if self.compute_stream is not None:
                self.compute_stream.wait_event(stream.record())
            else:
                stream.synchronize()
        return out
