"""CuPy's elementwise and reduction kernels, run on the host without a GPU.

A kernel's CUDA C source is compiled as C++ by the host compiler and launched on
NumPy arrays with the binding rules of ``cupy.ElementwiseKernel`` and
``cupy.ReductionKernel``: type placeholders (``T``, ``U``…) take the dtype of
the first array bound to them and cast the scalars, non-``raw`` arguments
broadcast together, missing outputs are allocated, ``raw`` arguments are indexed
by flat C-order position and ``i`` is the element index. Tests route
``chainer.backends.cuda.elementwise``/``reduce`` here (:func:`route`) and run the
CuPy branch of a function on NumPy arrays (:func:`host_xp` stands in for the
``cupy`` module), so each fused kernel is checked against the NumPy code path
on any machine with ``g++``. The ``gpu`` tests run the real kernels.
"""
from __future__ import annotations

import atexit
import ctypes
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import types
from pathlib import Path
from typing import Any

import numpy

CXX = shutil.which('g++')

_C_TYPES = {
    numpy.dtype(numpy.bool_): 'bool',
    numpy.dtype(numpy.int8): 'signed char',
    numpy.dtype(numpy.uint8): 'unsigned char',
    numpy.dtype(numpy.int16): 'short',
    numpy.dtype(numpy.uint16): 'unsigned short',
    numpy.dtype(numpy.int32): 'int',
    numpy.dtype(numpy.uint32): 'unsigned int',
    numpy.dtype(numpy.int64): 'long long',
    numpy.dtype(numpy.uint64): 'unsigned long long',
    numpy.dtype(numpy.float16): 'float16',
    numpy.dtype(numpy.float32): 'float',
    numpy.dtype(numpy.float64): 'double',
}

_CONCRETE = {d.name: d for d in _C_TYPES}  # the type names a kernel may spell out

# CUDA's device math as the host sees it: half precision computes in float, and
# max/min of floats ignore a NaN operand as fmax/fmin do.
_PRELUDE = r'''
#include <cmath>
#include <math.h>
#include <cstddef>
#define __device__
#define __forceinline__ inline
typedef _Float16 float16;
#define HALF_FN(f) inline float16 f(float16 x) { return (float16)f((float)x); }
HALF_FN(exp) HALF_FN(log) HALF_FN(tanh) HALF_FN(sqrt) HALF_FN(fabs) HALF_FN(log1p)
HALF_FN(expm1) HALF_FN(sin) HALF_FN(cos)
inline float max(float a, float b) { return fmaxf(a, b); }
inline float min(float a, float b) { return fminf(a, b); }
inline double max(double a, double b) { return fmax(a, b); }
inline double min(double a, double b) { return fmin(a, b); }
inline float16 max(float16 a, float16 b) { return (float16)fmaxf((float)a, (float)b); }
inline float16 min(float16 a, float16 b) { return (float16)fminf((float)a, (float)b); }
inline int max(int a, int b) { return a < b ? b : a; }
inline int min(int a, int b) { return a < b ? a : b; }
inline long long max(long long a, long long b) { return a < b ? b : a; }
inline long long min(long long a, long long b) { return a < b ? a : b; }
inline bool isnan(float16 x) { return std::isnan((float)x); }
inline bool isinf(float16 x) { return std::isinf((float)x); }
template <typename T> struct HostRaw {
    T* p; long long n;
    T& operator[](long long k) const { return p[k]; }
    long long size() const { return n; }
};
struct HostIndexer {
    long long n;
    long long size() const { return n; }
};
'''


class _Param:
    __slots__ = ('raw', 'type', 'name')

    def __init__(self, text: str) -> None:
        words = text.split()
        self.raw = words[0] == 'raw'
        if self.raw:
            words = words[1:]
        if len(words) != 2:
            raise ValueError(f'cannot parse kernel parameter {text!r}')
        self.type, self.name = words

    @property
    def placeholder(self) -> bool:
        return self.type not in _CONCRETE


def _parse(params: str) -> list:
    return [_Param(p) for p in params.split(',') if p.strip()]


class _Compiler:
    """Compiles C++ sources to shared libraries, once per source."""

    def __init__(self) -> None:
        self.dir = Path(tempfile.mkdtemp(prefix='rechainer-host-kernels-'))
        atexit.register(shutil.rmtree, self.dir, True)
        self.libs: dict = {}

    def __call__(self, source: str):
        key = hashlib.sha1(source.encode()).hexdigest()[:20]
        if key not in self.libs:
            src = self.dir / f'{key}.cpp'
            lib = self.dir / f'{key}.so'
            self.dir.mkdir(parents=True, exist_ok=True)  # a temp cleaner may have run
            src.write_text(source)
            done = subprocess.run(
                [CXX, '-std=c++17', '-O0', '-shared', '-fPIC', '-Wall', '-Wextra', '-Werror',
                 '-Wno-unused-parameter', '-Wno-unused-variable', '-Wno-unused-local-typedefs',
                 '-Wno-unused-but-set-variable', '-o', str(lib), str(src)],
                capture_output=True, text=True)
            if done.returncode:
                raise AssertionError(f'host compile failed:\n{source}\n{done.stderr}')
            self.libs[key] = ctypes.CDLL(str(lib)).run
        return self.libs[key]


_compile = _Compiler() if CXX else None
launched: list = []  # kernel names, in launch order (tests clear it)

# When set, the file where each distinct kernel launch (and each CuPy name and
# ufunc call the stand-in serves) is described as one JSON line: what
# tests/cupy_check/check.py checks against CuPy itself.
CUPY_LOG = os.environ.get('RECHAINER_CUPY_LOG')
_logged: set = set()


def log_record(record: dict) -> None:
    """Appends ``record`` to CUPY_LOG, once per distinct record."""
    if not CUPY_LOG:
        return
    line = json.dumps(record, sort_keys=True)
    if line not in _logged:
        _logged.add(line)
        with open(CUPY_LOG, 'a') as f:
            f.write(line + '\n')


def _log_launch(spec: dict, args: tuple, **call: Any) -> None:
    """Logs a launch: the kernel's definition and its arguments' kinds and dtypes."""
    if not CUPY_LOG:
        return
    described = []
    for a in args:
        if isinstance(a, numpy.ndarray):
            described.append(['array', a.dtype.str, a.ndim])
        elif a is None:
            described.append(None)
        else:
            described.append(['scalar', type(a).__name__])
    log_record({**spec, 'args': described, 'call': call})


class UndefinedOnDevice(RuntimeError):
    """A call whose result CuPy leaves undefined on a GPU, where threads run in
    parallel, though NumPy gives a definite one (it buffers or runs in order)."""


def zero_strided(a: numpy.ndarray) -> bool:
    """Whether several elements of ``a`` are one in memory: a zero stride on an
    axis longer than one, as a broadcast view has."""
    return 0 in a.strides and any(s == 0 and n > 1 for s, n in zip(a.strides, a.shape)) \
        and a.size > 1


def same_view(a: numpy.ndarray, b: numpy.ndarray) -> bool:
    """Whether ``a`` and ``b`` are the same elements in the same order: thread
    ``i`` then reads and writes element ``i`` of both, the ordinary in-place update."""
    return a.shape == b.shape and a.strides == b.strides and a.itemsize == b.itemsize \
        and a.__array_interface__['data'][0] == b.__array_interface__['data'][0]


def shares_elements(a: numpy.ndarray, b: numpy.ndarray) -> bool:
    """Whether ``a`` and ``b`` have a byte in common (cheap bounds test first;
    a problem too hard to solve exactly counts as sharing)."""
    if not numpy.may_share_memory(a, b):
        return False
    try:
        return bool(numpy.shares_memory(a, b, max_work=1 << 20))
    except numpy.exceptions.TooHardError:
        return True


def check_kernel_arguments(name: str, params: list, args: tuple, n_in: int) -> None:
    """Refuses a launch whose outputs alias as CuPy's kernels do not allow: an
    output written through a zero stride, or sharing memory with an input or
    another output other than as the same (non-``raw``) view. CuPy copies
    nothing for a kernel (only its ufuncs copy an input that overlaps an
    output), so such threads race on a GPU while the host loop runs in order."""
    arrays = [(k, p, a) for k, (p, a) in enumerate(zip(params, args))
              if isinstance(a, numpy.ndarray)]
    for k, q, b in arrays:
        if k < n_in:
            continue
        if zero_strided(b):
            raise UndefinedOnDevice(
                f'kernel {name}: output {q.name} is a broadcast view (a zero stride, shape '
                f'{b.shape}, strides {b.strides}); GPU threads would write one element at once')
        for j, p, a in arrays:
            if j == k:
                break
            if shares_elements(a, b) and (p.raw or q.raw or not same_view(a, b)):
                role = 'output' if j >= n_in else 'input'
                raise UndefinedOnDevice(
                    f'kernel {name}: output {q.name} overlaps {role} {p.name} other than as '
                    f'the same view (partial overlap, or a raw argument); GPU threads would '
                    f'read or write elements that other threads write')


def _resolve_types(params: list, args: tuple) -> dict:
    """Placeholder -> dtype, from the array arguments (first bound wins; a
    different dtype for the same placeholder is an error, as in CuPy)."""
    types_: dict = {}
    for p, a in zip(params, args):
        if p.placeholder and isinstance(a, numpy.ndarray):
            seen = types_.setdefault(p.type, a.dtype)
            if seen != a.dtype:
                raise TypeError(f'Type is mismatched. {p.name} {a.dtype} {seen}')
    for p, a in zip(params, args):  # placeholders bound to scalars only
        if p.placeholder and a is not None and p.type not in types_:
            types_[p.type] = numpy.asarray(a).dtype
    return types_


def _dtype(p: _Param, types_: dict):
    return types_[p.type] if p.placeholder else _CONCRETE[p.type]


def _scalar(p: _Param, value: Any, types_: dict) -> numpy.ndarray:
    dtype = _dtype(p, types_)
    if not numpy.isscalar(value) and not (isinstance(value, numpy.ndarray) and value.ndim == 0):
        raise TypeError(f'kernel argument {p.name} must be an array or a scalar, got '
                        f'{type(value).__name__}')
    return numpy.array(value, dtype=dtype)


def _typedefs(types_: dict) -> list:
    return [f'typedef {_C_TYPES[d]} {name};' for name, d in types_.items()]


def _declare(p: _Param, k: int, dtype, is_out: bool, indexed: str | None) -> str:
    """The C++ line binding argument ``k`` to its name in the kernel body."""
    ct = _C_TYPES[dtype]
    if p.raw:
        return f'HostRaw<{ct}> {p.name}{{({ct}*)wk_args[{k}], wk_sizes[{k}]}};'
    if indexed is None:  # a scalar
        return f'const {ct} {p.name} = *(const {ct}*)wk_args[{k}];'
    if is_out:
        return f'{ct}& {p.name} = (({ct}*)wk_args[{k}])[{indexed}];'
    return f'const {ct} {p.name} = ((const {ct}*)wk_args[{k}])[{indexed}];'


class _Launch:
    """The host buffers of one launch; outputs that are copies are written back."""

    def __init__(self) -> None:
        self.buffers: list = []
        self.writebacks: list = []

    def add(self, a: numpy.ndarray, out: bool) -> numpy.ndarray:
        if not a.flags.c_contiguous:
            c = numpy.ascontiguousarray(a)
            if out:
                self.writebacks.append((a, c))
            a = c
        self.buffers.append(a)
        return a

    def run(self, fn, n: int) -> None:
        ptrs = (ctypes.c_void_p * len(self.buffers))(
            *[b.ctypes.data for b in self.buffers])
        sizes = (ctypes.c_longlong * len(self.buffers))(*[b.size for b in self.buffers])
        fn(ctypes.c_longlong(n), ptrs, sizes)
        for view, c in self.writebacks:
            view[...] = c


class HostElementwiseKernel:
    """``cupy.ElementwiseKernel`` on NumPy arrays, compiled for the host."""

    def __init__(self, in_params: str, out_params: str, operation: str, name: str,
                 preamble: str = '', **kwargs: Any) -> None:
        self.in_params = _parse(in_params)
        self.out_params = _parse(out_params)
        self.operation = operation
        self.name = name
        self.preamble = preamble
        self._spec = {'kind': 'elementwise', 'in_params': in_params,
                      'out_params': out_params, 'operation': operation, 'name': name,
                      'kwargs': {'preamble': preamble, **kwargs}}
        self._compiled: dict = {}  # the binding lines and types -> the compiled loop

    def __call__(self, *args: Any, size: int | None = None) -> Any:
        n_in = len(self.in_params)
        params = self.in_params + self.out_params
        if len(args) == n_in:
            args = args + (None,) * len(self.out_params)
        if len(args) != len(params):
            raise TypeError(f'{self.name}: wrong number of arguments ({len(args)})')
        check_kernel_arguments(self.name, params, args, n_in)
        types_ = _resolve_types(params, args)
        shaped = [a for p, a in zip(params, args)
                  if not p.raw and isinstance(a, numpy.ndarray)]
        if shaped:
            shape = numpy.broadcast_shapes(*[a.shape for a in shaped])
        elif size is not None:
            shape = (size,)
        else:
            raise ValueError(f'{self.name}: loop size is undecided')
        launch = _Launch()
        outs, lines = [], []
        for k, (p, a) in enumerate(zip(params, args)):
            is_out = k >= n_in
            if is_out and a is None:
                if p.raw:
                    raise ValueError(f'{self.name}: raw output {p.name} must be given')
                a = numpy.empty(shape, _dtype(p, types_))
            if is_out:
                outs.append(a)
            if isinstance(a, numpy.ndarray):
                if p.raw:
                    launch.add(a, is_out)
                elif is_out:
                    if a.shape != shape:
                        raise ValueError(f'{self.name}: output {p.name} has shape '
                                         f'{a.shape}, the loop {shape}')
                    launch.add(a, True)
                else:
                    launch.add(numpy.broadcast_to(a, shape), False)
                if not p.placeholder and a.dtype != _CONCRETE[p.type]:
                    raise TypeError(f'{self.name}: {p.name} is {a.dtype}, not {p.type}')
                lines.append(_declare(p, k, a.dtype, is_out, None if p.raw else 'i'))
            else:
                launch.add(_scalar(p, a, types_), False)
                lines.append(_declare(p, k, _dtype(p, types_), False, None))
        key = (tuple(lines), tuple(types_.items()))
        fn = self._compiled.get(key)
        if fn is None:
            fn = self._compiled[key] = _compile('\n'.join([
                _PRELUDE, self.preamble,
                'extern "C" void run(long long wk_n, void** wk_args, long long* wk_sizes) {',
                *_typedefs(types_),
                'HostIndexer _ind{wk_n};',
                'for (long long i = 0; i < wk_n; ++i) {',
                '[&]() {', *lines, self.operation, ';', '}();',
                '}', '}']))
        n = int(numpy.prod(shape))
        if n:
            launch.run(fn, n)
        launched.append(self.name)
        _log_launch(self._spec, args, size=size)
        return outs[0] if len(outs) == 1 else tuple(outs)


class HostReductionKernel:
    """``cupy.ReductionKernel`` on NumPy arrays, compiled for the host (the
    reduction runs in order; CuPy's tree order differs only in rounding)."""

    def __init__(self, in_params: str, out_params: str, map_expr: str, reduce_expr: str,
                 post_map_expr: str, identity: Any, name: str,
                 reduce_type: str | None = None, preamble: str = '', **kwargs: Any) -> None:
        self.in_params = _parse(in_params)
        self.out_params = _parse(out_params)
        if len(self.out_params) != 1:
            raise NotImplementedError('host reduction kernels have one output')
        self.map_expr, self.reduce_expr, self.post_map_expr = map_expr, reduce_expr, post_map_expr
        self.identity = identity
        self.name = name
        self.reduce_type = reduce_type
        self.preamble = preamble
        self._spec = {'kind': 'reduction', 'in_params': in_params, 'out_params': out_params,
                      'map_expr': map_expr, 'reduce_expr': reduce_expr,
                      'post_map_expr': post_map_expr, 'identity': identity, 'name': name,
                      'kwargs': {'reduce_type': reduce_type, 'preamble': preamble, **kwargs}}

    def __call__(self, *args: Any, axis=None, keepdims: bool = False) -> Any:
        if len(args) != len(self.in_params):
            raise TypeError(f'{self.name}: wrong number of arguments ({len(args)})')
        out_p, = self.out_params
        types_ = _resolve_types(self.in_params, args)
        if any(p.raw for p in self.in_params):
            raise NotImplementedError('host reduction kernels take no raw arguments')
        shape = numpy.broadcast_shapes(
            *[a.shape for a in args if isinstance(a, numpy.ndarray)])
        ndim = len(shape)
        if axis is None:
            axis = tuple(range(ndim))
        elif isinstance(axis, int):
            axis = (axis,)
        axis = tuple(sorted(a % ndim for a in axis))
        kept = [d for d in range(ndim) if d not in axis]
        order = kept + list(axis)
        outer = tuple(shape[d] for d in kept)
        inner = int(numpy.prod([shape[d] for d in axis]))
        launch = _Launch()
        lines = []
        scalars = []  # kernel parameters, as in CuPy: the post-map expression sees them
        for k, (p, a) in enumerate(zip(self.in_params, args)):
            if isinstance(a, numpy.ndarray):
                moved = numpy.broadcast_to(a, shape).transpose(order)
                launch.add(numpy.ascontiguousarray(moved), False)
                lines.append(_declare(p, k, a.dtype, False, 'wk_m * wk_k_n + wk_k'))
            else:
                launch.add(_scalar(p, a, types_), False)
                scalars.append(_declare(p, k, _dtype(p, types_), False, None))
        out_dtype = _dtype(out_p, types_)
        out = numpy.empty(outer, out_dtype)
        launch.add(out, True)
        n_args = len(self.in_params)
        rtype = self.reduce_type or out_p.type
        source = '\n'.join([
            _PRELUDE, self.preamble,
            'extern "C" void run(long long wk_n, void** wk_args, long long* wk_sizes) {',
            *_typedefs(types_),
            f'typedef {_C_TYPES[_CONCRETE[rtype]] if rtype in _CONCRETE else rtype} _type_reduce;',
            f'const long long wk_k_n = {inner};',
            *scalars,
            'for (long long wk_m = 0; wk_m < wk_n; ++wk_m) {',
            f'_type_reduce a = ({self.identity});',
            'for (long long wk_k = 0; wk_k < wk_k_n; ++wk_k) {',
            *lines,
            f'_type_reduce b = ({self.map_expr});',
            f'a = ({self.reduce_expr});',
            '}',
            _declare(out_p, n_args, out_dtype, True, 'wk_m'),
            self.post_map_expr, ';',
            '}', '}'])
        m = int(numpy.prod(outer))
        if m:
            launch.run(_compile(source), m)
        launched.append(self.name)
        _log_launch(self._spec, args, axis=axis, keepdims=keepdims)
        if keepdims:
            out = out.reshape([1 if d in axis else shape[d] for d in range(ndim)])
        return out


_RAW_PRELUDE = r'''
#include <cmath>
#define __global__
#define __device__
#define __forceinline__ inline
struct wk_dim3 { unsigned x, y, z; };
static wk_dim3 blockIdx, blockDim, threadIdx, gridDim;
'''

# A raw argument as CUDA passes it: Python ints as int64 and floats as double,
# as cupy.RawKernel does; NumPy scalars in their dtype.
_RAW_SCALARS = {numpy.dtype(numpy.int32): ctypes.c_int, numpy.dtype(numpy.int64): ctypes.c_longlong,
                numpy.dtype(numpy.float32): ctypes.c_float,
                numpy.dtype(numpy.float64): ctypes.c_double}


class HostRawKernel:
    """``cupy.RawKernel`` on the host: the kernel is compiled as C++ and called
    once per thread of a one-dimensional launch, with ``blockIdx``, ``blockDim``,
    ``threadIdx`` and ``gridDim`` set as CUDA sets them."""

    def __init__(self, code: str, name: str, options: tuple = (), **kwargs: Any) -> None:
        self.code, self.name, self.options = code, name, tuple(options)
        found = re.search(r'__global__\s+void\s+' + re.escape(name) + r'\s*\(([^)]*)\)', code)
        if found is None:
            raise ValueError(f'no __global__ function {name} in the kernel source')
        # A parameter's type is its declaration less the name.
        self.types = [re.sub(r'\s*\b\w+\s*$', '', p.strip())
                      for p in found.group(1).split(',') if p.strip()]
        self._fn = None

    def __call__(self, grid, block, args, shared_mem: int = 0, **kwargs: Any) -> None:
        grid, block = tuple(grid), tuple(block)
        if len(grid) != 1 or len(block) != 1:
            raise NotImplementedError('host raw kernels take one-dimensional launches')
        if len(args) != len(self.types):
            raise TypeError(f'{self.name} takes {len(self.types)} arguments, got {len(args)}')
        if self._fn is None:
            call = ', '.join(f'*({t}*)wk_a[{k}]' for k, t in enumerate(self.types))
            self._fn = _compile('\n'.join([
                _RAW_PRELUDE, self.code,
                'extern "C" void run(unsigned wk_gx, unsigned wk_bx, void** wk_a) {',
                'gridDim = {wk_gx, 1, 1}; blockDim = {wk_bx, 1, 1};',
                'for (unsigned b = 0; b < wk_gx; ++b) for (unsigned t = 0; t < wk_bx; ++t) {',
                'blockIdx = {b, 0, 0}; threadIdx = {t, 0, 0};',
                f'{self.name}({call});', '}', '}']))
        values = []
        for a in args:
            if isinstance(a, numpy.ndarray):
                if not a.flags.c_contiguous:
                    raise ValueError(f'{self.name}: a raw kernel needs contiguous arrays')
                values.append(ctypes.c_void_p(a.ctypes.data))
            elif isinstance(a, numpy.generic):
                values.append(_RAW_SCALARS[a.dtype](a.item()))
            elif isinstance(a, bool) or not isinstance(a, (int, float)):
                raise TypeError(f'{self.name}: unsupported argument {type(a).__name__}')
            else:
                values.append((ctypes.c_longlong if isinstance(a, int) else ctypes.c_double)(a))
        argv = (ctypes.c_void_p * len(values))(*[ctypes.addressof(v) for v in values])
        self._fn(ctypes.c_uint(grid[0]), ctypes.c_uint(block[0]), argv)
        launched.append(self.name)
        log_record({'kind': 'raw', 'name': self.name, 'code': self.code,
                    'options': list(self.options)})


def host_xp() -> types.ModuleType:
    """A stand-in for the ``cupy`` module: NumPy under another identity, so that
    code asking ``xp is numpy`` takes its CuPy branch."""
    mod = types.ModuleType('host_cupy')
    mod.__getattr__ = lambda name: getattr(numpy, name)  # type: ignore[method-assign]
    mod.ElementwiseKernel = HostElementwiseKernel
    mod.ReductionKernel = HostReductionKernel
    mod.RawKernel = HostRawKernel
    mod.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDevice=lambda: 0))
    return mod


def route(monkeypatch) -> types.ModuleType:
    """Sends ``cuda.elementwise``/``cuda.reduce`` (and ``cuda.cupy``) to the host;
    returns the ``cupy`` stand-in. Skips the test without a C++ compiler."""
    import pytest

    from chainer.backends import cuda
    if CXX is None:
        pytest.skip('needs a C++ compiler (g++)')
    xp = host_xp()
    monkeypatch.setattr(cuda, 'elementwise', HostElementwiseKernel)
    monkeypatch.setattr(cuda, 'reduce', HostReductionKernel)
    monkeypatch.setattr(cuda, 'raw', HostRawKernel)
    monkeypatch.setattr(cuda, 'cupy', xp)
    launched.clear()
    return xp


def cupy_branch(monkeypatch, *modules) -> types.ModuleType:
    """Routes the kernels to the host (:func:`route`) and makes
    ``backend.get_array_module`` answer the ``cupy`` stand-in inside each of
    ``modules``, so their CuPy branches run on NumPy arrays."""
    import chainer.backend

    xp = route(monkeypatch)
    proxy = types.ModuleType('host_backend')
    proxy.__getattr__ = lambda name: getattr(chainer.backend, name)  # type: ignore
    proxy.get_array_module = lambda *args: xp
    for module in modules:
        monkeypatch.setattr(module, 'backend', proxy)
    return xp


def host_gpu_device(xp):
    """A CPU device whose ``xp`` is the ``cupy`` stand-in ``xp`` (for code that
    asks ``param.device.xp is cuda.cupy``); entering it does nothing."""
    import chainer.backend

    class HostGpuDevice(chainer.backend.CpuDevice):
        @property
        def xp(self):
            return xp

    return HostGpuDevice()


class NotNumpy(numpy.ndarray):
    """A NumPy array whose type is not exactly ``numpy.ndarray``: code that tests
    ``type(x) is numpy.ndarray`` for its NumPy branch takes its CuPy branch, and
    so does code that tests ``type(x) is _gpu_ndarray`` in a module given to
    :func:`gpu_array_type`."""


def not_numpy(a: numpy.ndarray) -> NotNumpy:
    return a.view(NotNumpy)


def gpu_array_type(monkeypatch, *modules) -> None:
    """Routes the kernels to the host (:func:`route`) and makes :class:`NotNumpy`
    the CuPy array type (``_gpu_ndarray``) of each of ``modules``."""
    route(monkeypatch)
    for module in modules:
        monkeypatch.setattr(module, '_gpu_ndarray', NotNumpy)
