"""A CPU stand-in for CuPy, for running the ``gpu`` tests without a GPU.

Put ``tests/cupy_stand_in`` first on ``PYTHONPATH`` and ``import cupy`` gives this
module: arrays that are *not* ``numpy.ndarray`` (a wrapper around one), so every
CuPy branch of rechainer runs; NumPy does the arithmetic, and kernels
(``ElementwiseKernel``, ``ReductionKernel``, ``RawKernel``) are compiled for the
host by ``tests/chainer_tests/_host_kernels.py``. Like CuPy, an array refuses implicit
conversion to NumPy and NumPy arrays in its ufuncs, 0-d results stay arrays,
integer array indices out of range wrap around instead of raising, and a view's
``base`` is the array object owning the memory. A call whose result CuPy
leaves undefined, as parallel threads race, raises ``UndefinedOnDevice``
(repeated indices writing differing values, writes through a zero stride,
outputs sharing memory with inputs where CuPy copies nothing), though NumPy
gives a definite result.

It checks the Python of the CuPy branches and the kernels' arithmetic; it says
nothing about CUDA itself (timing, memory hooks, NCCL: tests marked
``real_gpu`` skip here). ``stats`` counts the calls that launch a kernel on a
GPU, the implicit host syncs and the allocations, for tests of how many
kernels a step launches.
"""
from __future__ import annotations

import builtins
import functools
import os
import re
import sys
import types
import weakref

import numpy as _np

__version__ = '14.2.0'
_rechainer_stand_in = True

stats = {'launch': 0, 'alloc': 0, 'sync': 0}

_NO_LAUNCH_METHODS = frozenset(('reshape', 'view', 'transpose', 'swapaxes', 'squeeze', 'ravel'))
_SYNC_METHODS = frozenset(('item', 'tolist', 'tobytes'))


def _count(kind: str = 'launch') -> None:
    stats[kind] += 1


def reset_stats() -> None:
    for key in stats:
        stats[key] = 0


# With RECHAINER_CUPY_LOG set, each CuPy name the stand-in serves (a function,
# an array method, a ufunc method) and each ufunc call go to that log, and
# tests/cupy_check/check.py checks them against CuPy itself: NumPy has names
# that CuPy lacks, and the stand-in types ufuncs as NumPy does.
_LOG_NAMES = bool(os.environ.get('RECHAINER_CUPY_LOG'))
_names_seen: set = set()


def _used(name: str, args=None, kwargs=None) -> None:
    """Logs ``name``; with ``args``, also how it was called (the number of
    positional arguments and the keywords), to check against its signature."""
    record = {'kind': 'name', 'name': name}
    if args is not None:
        record.update(nargs=len(args), keywords=sorted(kwargs))
    key = (name,) if args is None else (name, len(args), *sorted(kwargs))
    if key not in _names_seen:
        _names_seen.add(key)
        _host_kernels().log_record(record)


def _operand(x):
    """How a ufunc operand binds types: an array's dtype, a NumPy scalar's dtype
    (strong), or a Python scalar's type (weak); None for anything else. A
    scalar also gives the smallest type that holds its value, which is what it
    binds in CuPy 13 (value-based casting, as in NumPy 1) beside an array."""
    if type(x) is ndarray:
        return ['array', x._a.dtype.str]
    if isinstance(x, _np.generic):
        return ['scalar', x.dtype.str, _np.min_scalar_type(x).str]
    if type(x) in (bool, int, float, complex):
        return ['python', type(x).__name__, _np.min_scalar_type(x).str]
    return None


# Functions that CuPy computes with a ufunc of its own (cupy_where, cupy_clip),
# typing their operands as a ufunc does: their calls of three operands (where's
# condition, x and y; clip's array and bounds) are logged as ufunc calls too.
_UFUNC_FUNCTIONS = frozenset(('where', 'clip'))


# CuPy 13 types a scalar beside an array by its value (NumPy 1's rule), CuPy 14
# as NumPy 2 does. With _CUPY13_TYPING (RECHAINER_STAND_IN_CUPY13_TYPING=1), a
# ufunc call (where and clip too) whose output dtypes CuPy 13 would give
# otherwise than NumPy 2 raises: the code relies on one of the two rules.
_CUPY13_TYPING = os.environ.get('RECHAINER_STAND_IN_CUPY13_TYPING') == '1'
_KIND_SCORE = {'b': 0, 'u': 1, 'i': 1, 'f': 2, 'c': 3}


def _cupy13_dtypes(operands) -> list:
    """The dtype CuPy 13 binds for each ``(dtype, scalar or None for an array)``:
    an array's; a scalar's smallest type for its value where some array's kind
    is at least each scalar's, else its own (a Python float is float64)."""
    arrays = [_KIND_SCORE[d.kind] for d, v in operands if v is None]
    scalars = [_KIND_SCORE[d.kind] for d, v in operands if v is not None]
    by_value = arrays and scalars and builtins.max(arrays) >= builtins.max(scalars)
    signed = builtins.any(d.kind == 'i' for d, v in operands if v is None)

    def smallest(v):
        t = _np.min_scalar_type(v)
        # beside a signed array, a non-negative integer takes the smallest signed type
        return _np.min_scalar_type(-int(v) - 1) if t.kind == 'u' and signed else t
    return [d if v is None or not by_value else smallest(v) for d, v in operands]


def _out_dtypes(name: str, types, dtype):
    """NumPy's output dtypes of ufunc ``name`` (or where, clip) on ``types``
    (dtypes, or Python scalars: weak); None where NumPy refuses them."""
    try:
        if name == 'where':
            return (_np.result_type(*types[1:]),)
        ufunc = _np._core.umath.clip if name == 'clip' else getattr(_np, name)
        types = [_np.dtype(bool) if type(t) is bool else
                 type(t) if type(t) in (int, float, complex) else t for t in types]
        signature = {} if dtype is None else {
            'signature': (None,) * ufunc.nin + (_np.dtype(dtype),) * ufunc.nout}
        return ufunc.resolve_dtypes(tuple(types) + (None,) * ufunc.nout, **signature)[ufunc.nin:]
    except Exception:
        return None


def _check_cupy13_typing(name: str, inputs, dtype=None) -> None:
    operands = [(x._a.dtype, None) if type(x) is ndarray else (_np.asarray(x).dtype, x)
                for x in inputs]
    if name == 'where':  # CuPy makes the condition a bool array
        operands[0] = (_np.dtype(bool), None)
    numpy2 = _out_dtypes(name, [d if v is None or isinstance(v, _np.generic) else v
                                for d, v in operands], dtype)
    cupy13 = _out_dtypes(name, _cupy13_dtypes(operands), dtype)
    if numpy2 is not None and cupy13 is not None and tuple(numpy2) != tuple(cupy13):
        described = ', '.join(f'array {d}' if v is None else repr(v) for d, v in operands)
        raise TypeError(f'CuPy 13 types {name}({described}) as {tuple(map(str, cupy13))}, '
                        f'NumPy 2 and CuPy 14 as {tuple(map(str, numpy2))}')


def _used_ufunc(name: str, inputs, dtype=None) -> None:
    """Logs a ufunc call by the types its inputs bind, for the check of CuPy's
    type resolution against NumPy's (Python scalars are weak in both)."""
    operands = [_operand(x) for x in inputs]
    if None in operands:
        return
    if _CUPY13_TYPING:
        _check_cupy13_typing(name, inputs, dtype)
    if not _LOG_NAMES:
        return
    key = (name, dtype, *[tuple(o) for o in operands])
    if key not in _names_seen:
        _names_seen.add(key)
        _host_kernels().log_record({'kind': 'ufunc', 'name': name, 'inputs': operands,
                                    'dtype': None if dtype is None else _np.dtype(dtype).str})


# Every float result that a GPU rounds otherwise than NumPy (math functions that
# CUDA computes to a few ulps, sums and products in another order, matrix
# products, atomic adds) moves RECHAINER_STAND_IN_ULPS ulps (default 4, CUDA's
# worst for powf; 0 turns it off) up in every other element that is not exact.
# So a gpu test that passes here does not rely on the device rounding as NumPy.
_ULPS = int(os.environ.get('RECHAINER_STAND_IN_ULPS', '4'))
_INEXACT_UFUNCS = frozenset((
    'exp', 'exp2', 'expm1', 'log', 'log2', 'log10', 'log1p', 'sin', 'cos', 'tan', 'arcsin',
    'arccos', 'arctan', 'arctan2', 'sinh', 'cosh', 'tanh', 'arcsinh', 'arccosh', 'arctanh',
    'power', 'float_power', 'logaddexp', 'logaddexp2', 'cbrt', 'hypot', 'matmul'))
_INEXACT_REDUCTIONS = frozenset(('add', 'multiply', 'logaddexp', 'logaddexp2', 'hypot'))
_INEXACT_FUNCTIONS = frozenset((
    'sum', 'mean', 'prod', 'var', 'std', 'cumsum', 'cumprod', 'nansum', 'nanmean', 'nanprod',
    'nanvar', 'nanstd', 'average', 'dot', 'vdot', 'inner', 'matmul', 'tensordot', 'einsum',
    'trace', 'convolve', 'correlate', 'cov', 'corrcoef', 'linspace', 'logspace'))


# The low half of the mantissa: a result with those bits clear (0, 1, 4.5, ...)
# is taken to be exact, as on the device; rounding error sets them.
_LOW_BITS = {2: (_np.uint16, 0x1F), 4: (_np.uint32, 0xFFF), 8: (_np.uint64, 0x3FFFFFF)}


def _round_as_device(r, views: bool = False, where=True, phase: int = 0) -> None:
    """Moves ``r`` (a result, changed in place) as described above; a view of
    another array is left alone unless ``views`` (a kernel's output argument),
    only elements ``where`` is true may move, and ``phase`` 1 moves the odd
    elements instead of the even ones."""
    if isinstance(r, (tuple, list)):
        for v in r:
            _round_as_device(v, views, where, phase)
        return
    a = r._a if type(r) is ndarray else r
    if not isinstance(a, _np.ndarray) or a.dtype.kind not in 'fc' or not a.size \
            or not a.flags.writeable or (a.base is not None and not views):
        return
    if a.dtype.kind == 'c':
        _round_as_device(a.real, True)
        _round_as_device(a.imag, True)
        return
    if a.dtype.itemsize not in _LOW_BITS:
        return
    uint, low = _LOW_BITS[a.dtype.itemsize]
    moved = a.copy()
    # CuPy computes float16 through float32: one rounding of that result.
    for _ in range(1 if a.dtype == _np.float16 else _ULPS):
        moved = _np.nextafter(moved, _np.array(_np.inf, a.dtype))
    mask = (_np.arange(a.size) % 2 == phase).reshape(a.shape) & _np.isfinite(a) & where \
        & (_np.ascontiguousarray(a).view(uint) & uint(low) != 0).reshape(a.shape)
    _np.copyto(a, moved, where=mask)


class _Flags:
    """CuPy's ``ndarray.flags``: the layout only. It has no ``writeable`` or
    ``aligned`` (a device array is always both), which NumPy's flags have."""

    __slots__ = ('c_contiguous', 'f_contiguous', 'owndata')

    def __init__(self, flags):
        self.c_contiguous = flags.c_contiguous
        self.f_contiguous = flags.f_contiguous
        self.owndata = flags.owndata

    @property
    def forc(self):
        return self.c_contiguous or self.f_contiguous

    @property
    def fnc(self):
        return self.f_contiguous and not self.c_contiguous

    def __getitem__(self, name):
        return {'C_CONTIGUOUS': self.c_contiguous, 'F_CONTIGUOUS': self.f_contiguous,
                'OWNDATA': self.owndata}[name]

    def __repr__(self):
        return (f'  C_CONTIGUOUS : {self.c_contiguous}\n  F_CONTIGUOUS : {self.f_contiguous}\n'
                f'  OWNDATA : {self.owndata}')


# The stand-in array that owns each NumPy array owning memory (by id, weakly),
# so that a view's ``base`` is that very object, as in CuPy.
_owners: dict = {}
_owners_limit = [4096]


def _sweep_owners() -> None:
    """Drops the entries of arrays that are gone."""
    for key in [k for k, ref in _owners.items() if ref() is None]:
        del _owners[key]
    _owners_limit[0] = builtins.max(4096, 2 * len(_owners))


def _owner_of(a):
    """The stand-in array owning the memory the NumPy view ``a`` reads (a new one
    where the first is gone: nothing held it); None if no NumPy array owns it."""
    root = a
    while True:
        b = root.base
        if not isinstance(b, _np.ndarray):
            b = getattr(b, 'base', None)  # as_strided's holder of the array interface
            if not isinstance(b, _np.ndarray):
                break
        root = b
    if root is a:
        return None
    ref = _owners.get(id(root))
    owner = None if ref is None else ref()
    if owner is None or owner._a is not root:
        owner = ndarray._wrap(root)
        _owners[id(root)] = weakref.ref(owner)
    return owner


class ndarray:
    """An array on the stand-in device: a NumPy array behind CuPy's interface."""

    __slots__ = ('_a', '_base', '__weakref__')
    __array_priority__ = 100

    def __init__(self, shape=(), dtype=float, memptr=None, strides=None, order='C'):
        self._a = _np.empty(shape, dtype, order=order)
        _owners[id(self._a)] = weakref.ref(self)
        _count('alloc')

    @classmethod
    def _wrap(cls, a):
        if a.base is None:
            # the one stand-in array of this memory, as CuPy gives back an array
            # that a call returns unchanged (a kernel's output argument)
            ref = _owners.get(id(a))
            obj = None if ref is None else ref()
            if obj is not None and obj._a is a:
                return obj
            obj = object.__new__(cls)
            obj._a = a
            _owners[id(a)] = weakref.ref(obj)
            if len(_owners) > _owners_limit[0]:
                _sweep_owners()
            return obj
        obj = object.__new__(cls)
        obj._a = a
        return obj

    shape = property(lambda self: self._a.shape)
    dtype = property(lambda self: self._a.dtype)
    ndim = property(lambda self: self._a.ndim)
    size = property(lambda self: self._a.size)
    itemsize = property(lambda self: self._a.itemsize)
    nbytes = property(lambda self: self._a.nbytes)
    strides = property(lambda self: self._a.strides)
    flags = property(lambda self: _Flags(self._a.flags))
    T = property(lambda self: _wrap(self._a.T))
    real = property(lambda self: _wrap(self._a.real))
    imag = property(lambda self: _wrap(self._a.imag))

    @shape.setter
    def shape(self, value):
        self._a.shape = value

    @property
    def base(self):
        """As in CuPy (and NumPy): None for an array that owns its memory, else
        the array object that does, however many views lie between."""
        if self._a.base is None:
            return None
        try:
            return self._base
        except AttributeError:
            self._base = _owner_of(self._a)
            return self._base

    @property
    def device(self):
        return cuda.Device(0)

    @property
    def data(self):
        return cuda.MemoryPointer(self._a.ctypes.data)

    @property
    def __cuda_array_interface__(self):
        return self._a.__array_interface__

    def get(self, stream=None, order='C', out=None, blocking=True):
        _count('sync')
        if out is not None:
            out[...] = self._a
            return out
        return _np.array(self._a, order=order)

    def set(self, arr, stream=None):
        self._a[...] = arr

    def __array__(self, *args, **kwargs):
        raise TypeError('Implicit conversion to a NumPy array is not allowed. '
                        'Please use `.get()` to construct a NumPy array explicitly.')

    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        _reject_numpy(inputs)
        _count()
        if _LOG_NAMES:
            _used(f'cupy.{ufunc.__name__}' if method == '__call__'
                  else f'cupy.{ufunc.__name__}.{method}')
        if (_LOG_NAMES or _CUPY13_TYPING) and method == '__call__' \
                and ufunc.signature is None:  # not matmul
            _used_ufunc(ufunc.__name__, inputs, kwargs.get('dtype'))
        out = kwargs.get('out')
        if out is not None:
            kwargs['out'] = tuple(_unwrap(o) for o in out)
            # CuPy's ufuncs copy an input that overlaps an output (not the very
            # same object), so only a broadcast output is undefined; matmul (a
            # gufunc in CuPy) and the ufunc methods (reduce, ...) copy nothing.
            if ufunc.signature is not None or method != '__call__':
                for o in out:
                    if type(o) is ndarray:
                        _check_out(f'cupy.{ufunc.__name__}', o, inputs)
            for o in kwargs['out']:
                if o is not None and 0 in o.strides:
                    _check_target(f'cupy.{ufunc.__name__}(..., out=)', o)
        result = getattr(ufunc, method)(*[_unwrap(x) for x in inputs], **kwargs)
        if _ULPS and (ufunc.__name__ in _INEXACT_UFUNCS if method == '__call__' else
                      ufunc.__name__ in _INEXACT_REDUCTIONS or ufunc.signature is not None):
            _round_as_device(result, views=out is not None)
        if out is not None:
            return out[0] if len(out) == 1 else out
        return _wrap(result)

    def __array_function__(self, func, types, args, kwargs):
        if func.__name__ not in _TAKES_HOST:
            _reject_host_operands(args, kwargs)
        _count()
        if _LOG_NAMES:
            _used(f'cupy.{func.__name__}')
        return _wrap(func(*_unwrap(args), **_unwrap(kwargs)))

    def __len__(self):
        return len(self._a)

    def __iter__(self):
        for k in range(len(self._a)):
            yield self[k]

    def __getitem__(self, key):
        key = _unwrap(key)
        if _is_advanced(key):
            _count()
            key = _wrap_around(key, self._a.shape)
        return _wrap(self._a[key])

    def __setitem__(self, key, value):
        if isinstance(value, _np.ndarray) and value.ndim:
            raise TypeError('a NumPy array cannot be assigned into a CuPy array')
        _count()
        key = _unwrap(key)
        source = value
        value = _unwrap(value)
        a = self._a
        if _is_advanced(key):
            key = _wrap_around(key, a.shape)
            if 0 in a.strides and _np.size(value) > 1:
                _check_target('a[index] = value', a)
            if type(source) is ndarray:
                _check_scatter_source('a[index] = value', a, value)
            _check_repeated_writes(a, key, value)
        else:
            _check_copy(a, key, source)
        a[key] = value

    def __repr__(self):
        return repr(self._a)

    def __str__(self):
        return str(self._a)

    def __format__(self, spec):
        return format(self._a, spec)

    def __reduce__(self):
        return (_wrap, (self._a,))

    def __dlpack__(self, *args, **kwargs):
        return self._a.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return (2, 0)

    def toDlpack(self):
        return self._a.__dlpack__()

    def __getattr__(self, name):
        if name.startswith('__'):
            # NumPy's protocols (__array_struct__, __array_interface__) would let
            # numpy.asarray read the data without the refusal in __array__.
            raise AttributeError(f"'cupy.ndarray' object has no attribute '{name}'")
        attr = getattr(self._a, name)
        if not callable(attr):
            if _LOG_NAMES:
                _used(f'cupy.ndarray.{name}')
            return _wrap(attr)

        def method(*args, **kwargs):
            if _LOG_NAMES:
                _used(f'cupy.ndarray.{name}', args, kwargs)
            if (_LOG_NAMES or _CUPY13_TYPING) and name in _UFUNC_FUNCTIONS and len(args) == 2:
                _used_ufunc(name, (self, *args))
            if name == 'astype' and kwargs.get('copy', True) is False and \
                    _np.dtype(args[0] if args else kwargs['dtype']) == self._a.dtype:
                return self
            out = kwargs.get('out')
            if type(out) is ndarray:
                _check_out(f'cupy.ndarray.{name}', out, (self, *args))
            if name in _SYNC_METHODS:
                _count('sync')
            elif name not in _NO_LAUNCH_METHODS:
                _count()
            result = _wrap(attr(*_unwrap(args), **_unwrap(kwargs)))
            if _ULPS and name in _INEXACT_FUNCTIONS:
                _round_as_device(result)
            return result
        return method


def _reject_numpy(values) -> None:
    for x in values:
        if isinstance(x, _np.ndarray):
            raise TypeError(f'Unsupported type {type(x)}')


# CuPy functions that take host arrays: conversions and dtype/shape queries.
_TAKES_HOST = frozenset(('asarray', 'array', 'asanyarray', 'result_type', 'can_cast',
                         'min_scalar_type', 'isscalar', 'ndim', 'shape', 'size',
                         'broadcast_shapes', 'promote_types', 'iinfo', 'finfo'))


def _reject_host_operands(args, kwargs) -> None:
    """CuPy's functions refuse NumPy arrays, also inside a sequence of operands."""
    for x in (*args, *kwargs.values()):
        if type(x) in (list, tuple):
            _reject_numpy(x)
        elif isinstance(x, _np.ndarray):
            raise TypeError(f'Unsupported type {type(x)}')


def _is_advanced(key) -> bool:
    if isinstance(key, tuple):
        return builtins.any(isinstance(k, (_np.ndarray, list)) for k in key)
    return isinstance(key, (_np.ndarray, list))


def _wrap_around(key, shape):
    """Integer array indices taken modulo their axis, as CuPy does (NumPy raises
    for an index out of range; CuPy silently wraps it)."""
    keys = key if isinstance(key, tuple) else (key,)
    if builtins.any(k is None or k is Ellipsis for k in keys) or len(keys) > len(shape):
        return key  # the axes are not simply positional: leave it to NumPy
    fixed = []
    for k, size in zip(keys, shape):
        if isinstance(k, list):
            k = _np.asarray(k)
            if not k.size:  # an empty list ([], [[]]) is an integer index (CuPy, NumPy)
                k = k.astype(_np.intp)
        if isinstance(k, _np.ndarray) and k.dtype.kind in 'iu' and size:
            k = k % size
        fixed.append(k)
    fixed += list(keys[len(fixed):])
    return tuple(fixed) if isinstance(key, tuple) else fixed[0]


def _undefined(message: str) -> Exception:
    return _host_kernels().UndefinedOnDevice(f'CuPy stand-in: {message}')


def _check_target(call: str, a) -> None:
    """Refuses ``call`` writing into ``a`` through a zero stride (a broadcast
    view, writable in CuPy): several GPU threads would write one element."""
    if _host_kernels().zero_strided(a):
        raise _undefined(
            f'{call} writes through a broadcast view (a zero stride: shape {a.shape}, strides '
            f'{a.strides}); on a GPU several threads write one element, which value lands '
            f'is undefined')


def _check_copy(a, key, source) -> None:
    """``a[key] = source`` with a basic index: refuses a broadcast target (for
    more than one value) and a partial overlap that CuPy copies with ``memcpy``
    (a source laid out as the C-contiguous target, at another address; CUDA's
    memcpy leaves overlapping ranges undefined). CuPy copies other layouts by a
    ufunc, which copies an overlapping source first."""
    target = a[key]
    if not isinstance(target, _np.ndarray):
        return
    if 0 in target.strides and _np.size(_unwrap(source)) > 1:
        _check_target('a[...] = value', target)
    if type(source) is ndarray:
        _check_memcpy('a[...] = value', target, source._a)


def _check_scatter_source(call: str, a, value) -> None:
    """Refuses a scatter into ``a`` (an index array picks the targets) of
    values that share its memory: CuPy's scatter kernel reads them while other
    threads write ``a`` (NumPy copies them first)."""
    if _host_kernels().shares_elements(a, value):
        raise _undefined(
            f'{call} scatters values that share the memory of the array written (overlap); '
            f'on a GPU threads read them while others write: copy them first')


def _check_memcpy(call: str, target, source) -> None:
    if source.shape == target.shape and source.strides == target.strides \
            and source.dtype == target.dtype and target.flags.c_contiguous and target.size:
        _check_overlapping_copy(call, target, source)


def _check_overlapping_copy(call: str, target, source) -> None:
    """Refuses a ``memcpy`` from ``source`` to ``target`` (laid out alike) where
    they overlap at different addresses: CUDA leaves that undefined."""
    if _np.may_share_memory(source, target) \
            and source.__array_interface__['data'][0] != target.__array_interface__['data'][0]:
        raise _undefined(
            f'{call} copies between overlapping memory (partial overlap: a memcpy on a GPU, '
            f'undefined for overlapping ranges); copy the source first')


# CuPy's functions that compute with a ufunc, which copies an input overlapping
# its output first; other functions (matmul, dot, sum, cumsum, ...) read the
# inputs while they write ``out``.
_OUT_COPIES_IN = frozenset(('clip', 'around', 'round', 'round_'))


def _check_out(name: str, out, inputs) -> None:
    """Refuses ``out=`` of function or method ``name`` that is a broadcast view,
    or, unless CuPy computes ``name`` by a ufunc, that shares memory with one of
    ``inputs`` (a product or a reduction reads inputs while it writes)."""
    o = out._a
    if 0 in o.strides:
        _check_target(f'{name}(..., out=)', o)
    if name.rpartition('.')[2] in _OUT_COPIES_IN:
        return
    shares = _host_kernels().shares_elements
    for x in inputs:
        for y in (x if type(x) in (list, tuple) else (x,)):
            if type(y) is ndarray and shares(y._a, o):
                raise _undefined(
                    f'{name}(..., out=) writes into memory that an input shares (overlap); '
                    f'it reads its inputs while it writes, so on a GPU the result is undefined')


def _check_repeated_writes(a, key, value) -> None:
    """Refuses ``a[key] = value`` writing differing values to one element
    through an index array: CuPy leaves undefined which lands (NumPy keeps the
    last). The same value written twice is fine; sums go through
    ``cupyx.scatter_add``."""
    keys = key if isinstance(key, tuple) else (key,)
    try:
        if keys and len(keys) <= a.ndim and builtins.all(
                isinstance(k, _np.ndarray) and k.dtype.kind in 'iu' for k in keys):
            # integer arrays on the leading axes (the common case): a row each
            index = _np.broadcast_arrays(*keys)
            if index[0].size < 2:
                return
            space = a.shape[:len(keys)]
            ids = _np.ravel_multi_index(index, space, mode='wrap').reshape(-1)
            target = index[0].shape + a.shape[len(keys):]
        else:
            space = a.shape
            ids = _np.arange(a.size).reshape(a.shape)[key]
            target = ids.shape
            ids = ids.reshape(-1)
    except (IndexError, ValueError, TypeError):
        return  # NumPy's indexing raises its own error
    if ids.size < 2:
        return
    order = _np.argsort(ids, kind='stable')
    ids = ids[order]
    repeated = ids[1:] == ids[:-1]
    if not repeated.any():
        return
    values = _np.broadcast_to(_np.asarray(value).astype(a.dtype), target)
    values = _np.ascontiguousarray(values).reshape(len(order), -1).view(_np.uint8)[order]
    differ = repeated & (values[1:] != values[:-1]).any(axis=1)
    if differ.any():
        element = tuple(int(k) for k in _np.unravel_index(ids[1:][differ][0], space))
        raise _undefined(
            f'a[index] = value writes differing values to one element (at {element}) through '
            f'repeated indices; on a GPU which one lands is undefined (NumPy keeps the last). '
            f'To add them up, use cupyx.scatter_add')


def _unwrap(x):
    if type(x) is ndarray:
        return x._a
    if type(x) is tuple:
        return tuple(_unwrap(v) for v in x)
    if type(x) is list:
        return [_unwrap(v) for v in x]
    if type(x) is dict:
        return {k: _unwrap(v) for k, v in x.items()}
    return x


def _wrap(r):
    if type(r) is _np.ndarray:
        return ndarray._wrap(r)
    if isinstance(r, _np.generic):
        return ndarray._wrap(_np.asarray(r))
    if isinstance(r, tuple):  # namedtuples too (eigh, svd, ...)
        values = [_wrap(v) for v in r]
        return tuple(values) if type(r) is tuple else type(r)(*values)
    if type(r) is list:
        return [_wrap(v) for v in r]
    return r


# The ufunc behind each operator (matmul is not an elementwise ufunc in CuPy).
_OPERATOR_UFUNCS = {
    'add': 'add', 'sub': 'subtract', 'mul': 'multiply', 'truediv': 'divide',
    'floordiv': 'floor_divide', 'mod': 'remainder', 'pow': 'power', 'and': 'bitwise_and',
    'or': 'bitwise_or', 'xor': 'bitwise_xor', 'lshift': 'left_shift',
    'rshift': 'right_shift', 'divmod': 'divmod', 'lt': 'less', 'le': 'less_equal',
    'gt': 'greater', 'ge': 'greater_equal', 'eq': 'equal', 'ne': 'not_equal',
    'neg': 'negative', 'pos': 'positive', 'abs': 'absolute', 'invert': 'invert'}


def _binary(name, ufunc=None, reflected=False):
    """The operator ``name``; it is logged as a call of ``ufunc`` (operands swapped
    for a reflected one)."""
    def op(self, other):
        _reject_numpy((other,))
        _count()
        if (_LOG_NAMES or _CUPY13_TYPING) and ufunc is not None:
            _used_ufunc(ufunc, (other, self) if reflected else (self, other))
        result = _wrap(getattr(self._a, name)(_unwrap(other)))
        if _ULPS and ufunc in (None, 'power'):  # None: matmul
            _round_as_device(result)
        return result
    return op


def _in_place(name, ufunc=None):
    def op(self, other):
        _reject_numpy((other,))
        _count()
        if 0 in self._a.strides:
            _check_target(f'{name} (in place)', self._a)
        if (_LOG_NAMES or _CUPY13_TYPING) and ufunc is not None:
            _used_ufunc(ufunc, (self, other))
        if getattr(self._a, name)(_unwrap(other)) is NotImplemented:
            # CuPy cannot write a foreign operand (a Variable) into an array.
            raise TypeError(f'unsupported operand type for {name}: {type(other).__name__}')
        if _ULPS and ufunc in (None, 'power'):
            _round_as_device(self, views=True)
        return self
    return op


def _unary(name, ufunc=None):
    def op(self):
        _count()
        if (_LOG_NAMES or _CUPY13_TYPING) and ufunc is not None:
            _used_ufunc(ufunc, (self,))
        return _wrap(getattr(self._a, name)())
    return op


for _name in ('add', 'sub', 'mul', 'truediv', 'floordiv', 'mod', 'pow', 'matmul', 'and',
              'or', 'xor', 'lshift', 'rshift', 'divmod'):
    _ufunc = _OPERATOR_UFUNCS.get(_name)
    for _pattern, _reflected in (('__%s__', False), ('__r%s__', True)):
        if hasattr(_np.ndarray, _pattern % _name):
            setattr(ndarray, _pattern % _name, _binary(_pattern % _name, _ufunc, _reflected))
    if hasattr(_np.ndarray, f'__i{_name}__'):
        setattr(ndarray, f'__i{_name}__', _in_place(f'__i{_name}__', _ufunc))
for _name in ('lt', 'le', 'gt', 'ge', 'eq', 'ne'):
    setattr(ndarray, f'__{_name}__', _binary(f'__{_name}__', _OPERATOR_UFUNCS[_name]))
for _name in ('neg', 'pos', 'abs', 'invert'):
    setattr(ndarray, f'__{_name}__', _unary(f'__{_name}__', _OPERATOR_UFUNCS[_name]))


def _to_host(convert):
    def method(self):
        _count('sync')  # a value the host reads waits for the device
        return convert(self._a)
    return method


for _name, _convert in (('bool', builtins.bool), ('int', builtins.int),
                        ('float', builtins.float), ('complex', builtins.complex),
                        ('index', _np.ndarray.__index__)):
    setattr(ndarray, f'__{_name}__', _to_host(_convert))
ndarray.__hash__ = None  # arrays are unhashable, as in CuPy

_ALLOCATING = frozenset(('empty', 'empty_like', 'zeros', 'ones', 'zeros_like', 'ones_like',
                         'full', 'full_like', 'arange', 'array', 'asarray', 'ascontiguousarray',
                         'eye', 'identity', 'linspace'))
_NO_LAUNCH = frozenset(('empty', 'empty_like', 'result_type', 'broadcast_shapes', 'can_cast',
                        'as_strided', 'isscalar', 'ndim', 'shape', 'promote_types', 'iinfo',
                        'finfo', 'reshape', 'transpose', 'broadcast_to', 'expand_dims', 'squeeze',
                        'moveaxis', 'swapaxes', 'rollaxis', 'atleast_1d', 'atleast_2d',
                        'atleast_3d', 'split', 'array_split', 'ravel', 'asarray', 'asanyarray',
                        'ascontiguousarray'))
_CONVERTING = frozenset(('asarray', 'array', 'asanyarray', 'ascontiguousarray'))


def _function(f, name):
    """``f`` on stand-in arrays; ``name`` is its place in ``cupy`` (``linalg.inv``)."""
    base = name.rpartition('.')[2]

    @functools.wraps(f)
    def g(*args, **kwargs):
        if base not in _TAKES_HOST:
            _reject_host_operands(args, kwargs)
        if _LOG_NAMES:
            _used(name if name.startswith('cupyx.') else f'cupy.{name}', args, kwargs)
        if (_LOG_NAMES or _CUPY13_TYPING) and name in _UFUNC_FUNCTIONS and len(args) == 3:
            _used_ufunc(name, args)
        if base in _ALLOCATING:
            _count('alloc')
        if base not in _NO_LAUNCH:
            _count()
        out = kwargs.get('out')
        if type(out) is ndarray:
            _check_out(f'cupy.{name}', out, args)
        if base in _CONVERTING and args and isinstance(args[0], ndarray):
            result = f(args[0]._a, *args[1:], **_unwrap(kwargs))
            return args[0] if result is args[0]._a else _wrap(result)
        result = _wrap(f(*_unwrap(args), **_unwrap(kwargs)))
        if _ULPS and (base in _INEXACT_FUNCTIONS
                      or name.startswith(('linalg.', 'fft.', 'cupyx.scipy.special.'))):
            _round_as_device(result)
        return result
    return g


# The NumPy namespace, with functions that take and give stand-in arrays; ufuncs
# dispatch through ndarray.__array_ufunc__, types and constants are NumPy's.
for _name in dir(_np):
    if _name.startswith('_') or _name in ('ndarray', 'random', 'linalg', 'fft', 'lib', 'testing',
                                          'get_array_module', 'fuse'):
        continue
    _obj = getattr(_np, _name)
    if isinstance(_obj, (type, _np.ufunc)) or not callable(_obj):
        globals()[_name] = _obj
    else:
        globals()[_name] = _function(_obj, _name)


_copyto = copyto  # noqa: F821  (the NumPy function, set by the loop above)


def copyto(dst, src, *args, **kwargs):
    """CuPy's ``copyto``, refusing a broadcast ``dst`` (for more than one value)
    and a copy between overlapping memory that CuPy makes with ``memcpy``: both
    C- or both F-contiguous, of one dtype and size, and no ``where``."""
    where = kwargs.get('where', args[1] if len(args) > 1 else None)
    if type(dst) is ndarray:
        d = dst._a
        if 0 in d.strides and _np.size(_unwrap(src)) > 1:
            _check_target('cupy.copyto', d)
        if type(src) is ndarray and where is None and d.size:
            s = src._a
            if ((d.flags.c_contiguous and s.flags.c_contiguous)
                    or (d.flags.f_contiguous and s.flags.f_contiguous)) \
                    and d.dtype == s.dtype and d.size == s.size:
                _check_overlapping_copy('cupy.copyto', d, s)
    return _copyto(dst, src, *args, **kwargs)


def take(a, indices, axis=None, out=None):
    """CuPy's ``take`` wraps out-of-range indices."""
    _count()
    return _wrap(_np.take(_unwrap(a), _unwrap(indices), axis=axis, mode='wrap'))


ndarray.take = lambda self, indices, axis=None, out=None: take(self, indices, axis)


class _Namespace:
    """A NumPy submodule whose functions take and give stand-in arrays."""

    def __init__(self, module, prefix):
        self._module = module
        self._prefix = prefix

    def __getattr__(self, name):
        obj = getattr(self._module, name)
        if callable(obj) and not isinstance(obj, type):
            return _function(obj, f'{self._prefix}.{name}')
        return obj


class _Linalg(_Namespace):
    def inv(self, a):
        """Like CuPy's: a singular matrix gives non-finite values, not an error."""
        _count()
        try:
            return _wrap(_np.linalg.inv(_unwrap(a)))
        except _np.linalg.LinAlgError:
            return _wrap(_np.full(a.shape, _np.nan, a.dtype))


linalg = _Linalg(_np.linalg, 'linalg')
fft = _Namespace(_np.fft, 'fft')
lib = types.SimpleNamespace(
    stride_tricks=_Namespace(_np.lib.stride_tricks, 'lib.stride_tricks'))


def _random_function(f, name):
    def g(*args, dtype=None, **kwargs):
        _count()
        if _LOG_NAMES:
            _used(f'cupy.random.{name}', args, {**kwargs, 'dtype': dtype}
                  if dtype is not None else kwargs)
        result = f(*_unwrap(args), **_unwrap(kwargs))
        if dtype is not None:
            result = _np.asarray(result).astype(dtype)
        return _wrap(result)
    return g


def _numpy_random_state(seed):
    """A NumPy generator whose stream differs from NumPy's for the same seed, as
    CuPy's does: a test must not expect CuPy to draw what NumPy draws."""
    if seed is None:
        return _np.random.RandomState()
    return _np.random.RandomState((int(_unwrap(seed)) ^ 0x5EED5EED) & 0xFFFFFFFF)


class RandomState:
    def __init__(self, seed=None):
        self._rng = _numpy_random_state(seed)

    def __getattr__(self, name):
        return _random_function(getattr(self._rng, name), f'RandomState.{name}')

    def seed(self, seed=None):
        self._rng = _numpy_random_state(seed)


class _Random:
    """``cupy.random``: its own stream, apart from ``numpy.random``'s."""

    RandomState = RandomState

    def __init__(self):
        self._state = RandomState()

    def __getattr__(self, name):
        return _random_function(getattr(self._state._rng, name), name)

    def seed(self, seed=None):
        self._state.seed(seed)

    def reset_states(self):
        self._state = RandomState()

    def get_random_state(self):
        return self._state


random = _Random()


class _Testing:
    def __getattr__(self, name):
        f = getattr(_np.testing, name)

        def g(*args, **kwargs):
            return f(*[x._a if isinstance(x, ndarray) else x for x in args], **kwargs)
        return g


testing = _Testing()


def get_array_module(*args):
    for a in args:
        if isinstance(a, ndarray) or isinstance(getattr(a, 'array', None), ndarray):
            return sys.modules[__name__]
    return _np


def asnumpy(a, stream=None, order='C', out=None, blocking=True):
    if isinstance(a, ndarray):
        return a.get(order=order, out=out)
    return _np.asarray(a, order=order)


def from_dlpack(x):
    return ndarray._wrap(_np.from_dlpack(x))


class _MemoryPool:
    def malloc(self, size):
        raise NotImplementedError('the stand-in has no device memory')

    def free_all_blocks(self, stream=None):
        pass

    def used_bytes(self):
        return 0

    def total_bytes(self):
        return 0

    def n_free_blocks(self):
        return 0


_memory_pool = _MemoryPool()
_pinned_memory_pool = _MemoryPool()


def get_default_memory_pool():
    return _memory_pool


def get_default_pinned_memory_pool():
    return _pinned_memory_pool


_memos: list = []


def memoize(for_each_device=False):
    def decorator(f):
        cache: dict = {}
        _memos.append(cache)

        @functools.wraps(f)
        def g(*args, **kwargs):
            key = (args, tuple(sorted(kwargs.items())))
            if key not in cache:
                cache[key] = f(*args, **kwargs)
            return cache[key]
        return g
    return decorator


def clear_memo():
    for cache in _memos:
        cache.clear()


def fuse(*args, **kwargs):
    if len(args) == 1 and callable(args[0]) and not kwargs:
        return args[0]
    return lambda f: f


_harness: list = []


def _host_kernels():
    if not _harness:
        root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
        if os.path.dirname(root) not in sys.path:
            sys.path.insert(0, os.path.dirname(root))
        from tests.chainer_tests import _host_kernels as module
        _harness.append(module)
    return _harness[0]


# A call of a CUDA math function that is not correctly rounded.
_INEXACT_CALL = re.compile(
    r'\b(exp|exp2|expm1|log|log1p|log2|log10|pow|tanh|sinh|cosh|sin|cos|tan|asin|acos|'
    r'atan|atan2|asinh|acosh|atanh|erf|erfc|erfcx|erfinv|lgamma|tgamma|digamma|rsqrt|'
    r'cbrt|hypot|normcdf|normcdfinv)f?\s*\(')


class _HostKernel:
    """A kernel compiled for the host; subclasses name the harness class."""

    _harness = ''

    def __init__(self, *args, **kwargs):
        self._kernel = getattr(_host_kernels(), self._harness)(*args, **kwargs)
        # Copies, selections and correctly rounded arithmetic give the same
        # result on the device; math functions and sums in another order do not.
        spec = self._kernel.__dict__
        body = ' '.join(str(spec.get(k) or '') for k in (
            'operation', 'preamble', 'map_expr', 'post_map_expr', 'code'))
        self._inexact = bool(_INEXACT_CALL.search(body)) or \
            bool(re.search(r'[-+*]', spec.get('reduce_expr') or ''))

    def __call__(self, *args, **kwargs):
        _reject_numpy(args)
        _count()
        result = _wrap(self._kernel(*[_unwrap(a) for a in args], **kwargs))
        if _ULPS and self._inexact:
            _round_as_device(result, views=True)
        return result


class ElementwiseKernel(_HostKernel):
    """``cupy.ElementwiseKernel``, compiled for the host."""

    _harness = 'HostElementwiseKernel'


class ReductionKernel(_HostKernel):
    """``cupy.ReductionKernel``, compiled for the host."""

    _harness = 'HostReductionKernel'


class RawKernel(_HostKernel):
    """``cupy.RawKernel``, compiled for the host (one-dimensional launches)."""

    _harness = 'HostRawKernel'

    def __call__(self, grid, block, args, **kwargs):
        _reject_numpy(args)
        _count()
        self._kernel(grid, block, tuple(_unwrap(a) for a in args), **kwargs)


from cupy import cuda  # noqa: E402  (the submodule needs this module first)
