"""Array helpers shared by every function family: one place per idea.

Everything here takes and returns plain arrays (NumPy or CuPy) and works on both
through the array's own module; nothing here builds a graph.
"""
from __future__ import annotations

import functools
import operator
import warnings
from typing import TYPE_CHECKING, Any

import numpy

from chainer import backend
from chainer.utils.error import _IndexValueError
from chainer.utils.experimental import nondeterministic

if TYPE_CHECKING:
    from collections.abc import Sequence

_FLOAT32 = numpy.dtype(numpy.float32)
_FLOAT16 = numpy.dtype(numpy.float16)
_add_reduce = numpy.add.reduce
_max_reduce = numpy.maximum.reduce


def _xp(x: Any):
    """The array module of ``x`` (NumPy arrays answer without a lookup)."""
    if isinstance(x, (numpy.ndarray, numpy.generic)):
        return numpy
    return backend.get_array_module(x)


def _deprecated(name: str, instead: str) -> None:
    # Issued from this module, as Chainer's: hidden by Python's default filters.
    warnings.warn(f'chainer.utils.array.{name} is deprecated. Use {instead} instead.',
                  DeprecationWarning, stacklevel=2)


def as_vec(x: Any) -> Any:
    """``x`` flattened to 1-d (deprecated, as in Chainer: use ``x.ravel()``)."""
    _deprecated('as_vec', 'ravel')
    return x if x.ndim == 1 else x.ravel()


def as_mat(x: Any) -> Any:
    """``x`` reshaped to 2-d ``(len(x), -1)`` (deprecated, as in Chainer: use reshape)."""
    _deprecated('as_mat', 'reshape')
    return as_matrix(x)


def empty_like(x: Any) -> Any:
    """An uninitialised array like ``x`` (deprecated, as in Chainer: use the array
    module's ``empty_like``)."""
    _deprecated('empty_like', 'numpy.empty_like or cupy.empty_like')
    return _xp(x).empty_like(x)


def as_matrix(x: Any) -> Any:
    """``x`` as a 2-d ``(len(x), size of the rest)`` array (a view when possible; 0-size
    inputs too)."""
    if x.ndim == 2:
        return x
    return x.reshape(len(x), size_of_shape(x.shape[1:]))


def as_shape(shape) -> tuple:
    """``shape`` as a tuple: one integer of any kind (Python, NumPy, a 0-d array) is a
    1-d shape; floats are refused (``TypeError``). A tuple or list is taken as it is
    (bad entries are then refused by the array allocation, with ``TypeError``)."""
    if isinstance(shape, (tuple, list)):
        return tuple(shape)
    return (operator.index(shape),) if numpy.ndim(shape) == 0 else tuple(shape)


# NumPy 1 reduced a contiguous array through buffers of this many elements.
_NUMPY1_BUFSIZE = 8192
_NUMPY1_FLOATS = frozenset(numpy.dtype(t) for t in (numpy.float16, numpy.float32,
                                                    numpy.float64))


def sum_in_numpy1_order(x: numpy.ndarray, axis: Any = None, keepdims: bool = False) -> Any:
    """``numpy.add.reduce(x, axis, keepdims=keepdims)`` of a NumPy float array,
    rounded as NumPy 1 rounded it (a scalar where every axis is summed, as NumPy's).

    NumPy 1 iterated a reduction in memory order through buffers of 8192
    elements. Where the summed axes innermost in that order (up to the first
    kept one) hold more, it cut each of their stretches, from its start, into
    8192-element pieces (in memory order, across axes that do not merge), summed
    each piece pairwise and added the pieces' sums to the result in turn, float16
    pieces in float, the result rounded to half after each. NumPy 2 sums such a
    stretch otherwise (a contiguous one whole, pairwise), so long sums can differ
    in the last bits. Elsewhere (stretches up to 8192 elements, other dtypes,
    arrays with a broadcast axis) this is NumPy's own reduction.
    """
    if x.size <= _NUMPY1_BUFSIZE or x.dtype not in _NUMPY1_FLOATS:
        return _add_reduce(x, axis, None, None, keepdims)
    ndim = x.ndim
    shape, strides = x.shape, x.strides
    flags = x.flags
    contiguous = flags.c_contiguous
    if axis is None:
        if contiguous or flags.f_contiguous:  # (the common case: one run in memory)
            flat = x.reshape(-1) if contiguous else x.T.reshape(-1)
            out = (_numpy1_rows(flat) if x.dtype != _FLOAT16
                   else _add_in_turn(_numpy1_runs(flat), x.dtype))
            return out.reshape((1,) * ndim) if keepdims else out
        summed = range(ndim)
    elif type(axis) is tuple:
        summed = {a % ndim if type(a) is int and -ndim <= a < ndim else ndim for a in axis}
        if ndim in summed or len(summed) != len(axis):  # (NumPy's error, or its own kind)
            return _add_reduce(x, axis, None, None, keepdims)
    else:
        try:
            a = operator.index(axis)
        except TypeError:
            a = ndim
        if not -ndim <= a < ndim:
            return _add_reduce(x, axis, None, None, keepdims)
        a %= ndim
        if contiguous and shape[-1] > 1:  # (the common cases)
            if a != ndim - 1 or shape[-1] <= _NUMPY1_BUFSIZE:
                return _add_reduce(x, axis, None, None, keepdims)
            if x.dtype != _FLOAT16:  # long rows
                out = _numpy1_rows(x.reshape(-1, shape[-1]))
                if keepdims:
                    return out.reshape(shape[:-1] + (1,))
                return out.reshape(shape[:-1]) if ndim > 1 else out[0]
        summed = (a,)
    # Axes in NumPy's iteration order (outermost first): by decreasing stride,
    # C order among equals; length-1 axes play no part.
    if contiguous:
        order = [i for i in range(ndim) if shape[i] != 1]
    else:
        order = sorted((i for i in range(ndim) if shape[i] != 1),
                       key=lambda i: -abs(strides[i]))
        if 0 in [strides[i] for i in order]:
            return _add_reduce(x, axis, None, None, keepdims)
    k = len(order)
    while k and order[k - 1] in summed:
        k -= 1
    outer = order[:k]
    run = size_of_shape([shape[i] for i in order[k:]])
    if run <= _NUMPY1_BUFSIZE:
        return _add_reduce(x, axis, None, None, keepdims)
    if not outer:  # every axis summed: one stretch
        flat = x.reshape(-1) if contiguous else x.transpose(
            [i for i in range(ndim) if shape[i] == 1] + order).reshape(-1)  # (maybe a copy)
        if x.dtype == _FLOAT16:
            out = _add_in_turn(_numpy1_runs(flat), x.dtype)
        else:
            out = _numpy1_rows(flat)
        if keepdims:
            return out.reshape((1,) * ndim)
        kept_ones = [1 for i in range(ndim) if i not in summed]  # (kept length-1 axes)
        return out.reshape(kept_ones) if kept_ones else out
    # (a copy where the summed axes do not merge into one strided run)
    runs = x.transpose([i for i in range(ndim) if shape[i] == 1] + order).reshape(
        [shape[i] for i in outer] + [run])
    y = _numpy1_runs(runs)
    # y: the pieces' sums, shaped (outer axes..., pieces); add them in turn per
    # kept index, over the outer summed axes and pieces in iteration order.
    kept = [j for j, i in enumerate(outer) if i not in summed]
    y = y.transpose(kept + [j for j, i in enumerate(outer) if i in summed] + [len(outer)])
    y = y.reshape([y.shape[j] for j in range(len(kept))] + [-1])
    out = _add_in_turn(y, x.dtype)
    kept_axes = [outer[j] for j in kept]
    if kept_axes != sorted(kept_axes):
        out = out.transpose(numpy.argsort(kept_axes))
    if keepdims:
        return out.reshape([1 if i in summed else n for i, n in enumerate(shape)])
    out_shape = [n for i, n in enumerate(shape) if i not in summed]
    return out.reshape(out_shape) if out_shape else out[()]


def mean(x: Any, axis: Any = None, keepdims: bool = False) -> Any:
    """``x.mean(axis, keepdims=keepdims)``; for NumPy float arrays as NumPy 1
    computed it: the sum in NumPy 1's order (:func:`sum_in_numpy1_order`; float16
    summed in float32), divided in its dtype where it is an array, in float64
    (then rounded) where it is a scalar."""
    if type(x) is not numpy.ndarray or x.dtype not in _NUMPY1_FLOATS or not x.size:
        return x.mean(axis=axis, keepdims=keepdims)
    if x.dtype == _FLOAT16:
        s = _add_reduce(x, axis, _FLOAT32, None, keepdims)
    else:
        s = sum_in_numpy1_order(x, axis, keepdims)
    if type(s) is not numpy.ndarray:
        return x.dtype.type(numpy.float64(s) / x.size)
    if not s.size:
        return x.mean(axis=axis, keepdims=keepdims)
    numpy.true_divide(s, s.dtype.type(x.size // s.size), out=s)
    return s.astype(x.dtype, copy=False)


def _numpy1_rows(rows: numpy.ndarray) -> Any:
    """NumPy 1's float32/float64 sums along the last axis of ``rows`` (a 1-d or
    2-d view whose last axis is one strided run of more than 8192 elements): a
    scalar or a 1-d array. (:func:`_numpy1_runs` and :func:`_add_in_turn` in a
    few calls.)"""
    # (NumPy's sums start from 0, as NumPy 1's did: an all -0 piece sums to +0)
    n = rows.shape[-1]
    k, r = divmod(n, _NUMPY1_BUFSIZE)
    if k == 1:
        acc = _add_reduce(rows[..., :_NUMPY1_BUFSIZE], -1)
    else:
        acc = numpy.add.accumulate(_add_reduce(rows[..., :k * _NUMPY1_BUFSIZE].reshape(
            rows.shape[:-1] + (k, _NUMPY1_BUFSIZE)), -1), -1)
        acc = acc[:, -1] if acc.ndim == 2 else acc[-1]
    if r:
        rest = _add_reduce(rows[..., k * _NUMPY1_BUFSIZE:], -1)
        if type(acc) is numpy.ndarray:
            acc += rest
        else:
            acc = acc + rest
    return acc


def _numpy1_runs(runs: numpy.ndarray) -> numpy.ndarray:
    """The sums of the 8192-element pieces of the last axis of ``runs`` (a view of
    the input where that axis is one strided run), each summed pairwise as NumPy
    sums them (float16 in float32), with one axis of pieces last."""
    n = runs.shape[-1]
    k, r = divmod(n, _NUMPY1_BUFSIZE)
    dtype = _FLOAT32 if runs.dtype == _FLOAT16 else None
    lead = runs.shape[:-1]
    parts = []
    if k:
        whole = runs[..., :k * _NUMPY1_BUFSIZE].reshape(lead + (k, _NUMPY1_BUFSIZE))
        parts.append(_add_reduce(whole, -1, dtype))
    if r:
        parts.append(_add_reduce(runs[..., k * _NUMPY1_BUFSIZE:], -1, dtype, None, True))
    return parts[0] if len(parts) == 1 else numpy.concatenate(parts, -1)


def _add_in_turn(y: numpy.ndarray, dtype: numpy.dtype) -> numpy.ndarray:
    """``0 + y[..., 0] + y[..., 1] + ...`` in turn, in ``dtype`` (float16: each
    partial sum rounded to half from float32, as NumPy's half loop rounds)."""
    if dtype == _FLOAT16:
        acc = numpy.zeros(y.shape[:-1], _FLOAT16)
        for j in range(y.shape[-1]):
            acc = numpy.add(acc, y[..., j], dtype=_FLOAT32).astype(_FLOAT16)
        return acc
    return numpy.add.accumulate(y, -1)[..., -1]  # (y's sums started from 0: no -0)


def size_of_shape(shape: Sequence[int]) -> int:
    """Number of elements of an array of ``shape``."""
    size = 1
    for s in shape:
        size *= s
    return int(size)


def sum_to(x: Any, shape: tuple) -> Any:
    """Sums the array ``x`` down to ``shape`` (the inverse of broadcasting).

    A ``shape`` that ``x`` is not a broadcast of is a ``ValueError`` (Chainer
    returned an array of another shape, or raised NumPy's ``AxisError``).
    """
    if x.shape == shape:
        return x
    if type(x) is not numpy.ndarray:
        from chainer.variable import Variable
        if isinstance(x, Variable):
            raise TypeError('chainer.utils.sum_to does not support Variable input. '
                            'Use chainer.functions.sum_to instead.')
    ndim = len(shape)
    lead = x.ndim - ndim
    if lead < 0:
        raise _not_broadcast(x.shape, shape)
    axes = tuple(range(lead)) + tuple(
        i + lead for i, s in enumerate(shape) if s == 1 and x.shape[i + lead] != 1)
    if type(x) is numpy.ndarray and x.size >= _SPREAD_MIN_SIZE and axes and any(
            x.shape[i] > 1 and i not in axes for i in range(axes[0], axes[-1])):
        # A kept axis between summed ones (a per-channel gradient): sum_over's
        # einsum, 1.1 to 5 times faster from this size on (below it, in a
        # backward pass, no faster).
        y = sum_over(x, axes, keepdims=True)
    else:
        y = sum(x, axis=axes, keepdims=True)
    if lead > 0:
        y = y.reshape(y.shape[lead:])
    if y.shape != tuple(shape):
        raise _not_broadcast(x.shape, shape)
    return y


def _not_broadcast(x_shape: tuple, shape: Any) -> ValueError:
    return ValueError(f'sum_to: an array of shape {x_shape} is not a broadcast of shape '
                      f'{tuple(shape)}')


def contiguous(x: Any) -> Any:
    """``x`` as a C-contiguous array of its own module (itself when it already is)."""
    return _xp(x).ascontiguousarray(x)


# Elements per block of :func:`last_axis_first`'s copy (the block and its
# transpose stay in the L1/L2 cache).
_TRANSPOSE_BLOCK = 8192


def last_axis_first(x: Any, out: Any = None) -> Any:
    """``moveaxis(x, -1, 0)`` as a C-contiguous array (``x`` itself where it already is one),
    or written into ``out`` (an array of that shape, returned).

    NumPy copies such a transpose of a large array through cache-hostile strides
    (with a short last axis, several times slower than a copy); a C-contiguous
    NumPy array is copied here block by block of rows instead (the same values),
    into a C-contiguous ``out`` too.
    """
    xp = _xp(x)
    if (xp is not numpy or x.ndim < 2 or not x.flags.c_contiguous
            or x.size < 2 * _TRANSPOSE_BLOCK
            or not (out is None or (type(out) is numpy.ndarray and out.flags.c_contiguous))):
        if out is None:
            return xp.ascontiguousarray(xp.moveaxis(x, -1, 0))
        out[...] = xp.moveaxis(x, -1, 0)
        return out
    n = x.shape[-1]
    rows = x.reshape(-1, n)
    result = out
    if out is None:
        out = numpy.empty((n, rows.shape[0]), x.dtype)
        result = out.reshape((n,) + x.shape[:-1])
    else:
        out = out.reshape(n, rows.shape[0])
    step = max(16, _TRANSPOSE_BLOCK // n)
    for start in range(0, rows.shape[0], step):
        out[:, start:start + step] = rows[start:start + step].T
    return result


_GEMM: dict = {}


def _gemm(dtype: Any) -> Any:
    """SciPy's BLAS ``gemm`` of a float32 or float64 ``dtype``."""
    gemm = _GEMM.get(dtype)
    if gemm is None:
        from scipy.linalg import blas
        gemm = _GEMM[dtype] = blas.sgemm if dtype == numpy.float32 else blas.dgemm
    return gemm


def sum_matmul_t(a: Any, b: Any) -> Any:
    """``sum_i a[i] @ b[i].T`` for stacks ``a`` ``(s, m, k)`` and ``b`` ``(s, n, k)``: a new
    C-contiguous ``(m, n)`` array.

    On C-contiguous NumPy float32/float64 stacks of one dtype each product is added
    into the sum by BLAS (``beta = 1``), read in place: no transposing copy of either
    stack and no ``(s, m, n)`` array of products (the weight gradient of a 1x1
    convolution, summed over the samples of a batch-first input).  Rounded as the
    products added one by one; other arrays take that sum as it reads.
    """
    xp = _xp(a)
    s, m, k = a.shape
    n = b.shape[1]
    dtype = numpy.result_type(a.dtype, b.dtype)
    out = xp.zeros((m, n), dtype)
    if not (s and m and n and k):
        return out
    if (type(a) is numpy.ndarray and type(b) is numpy.ndarray and a.dtype == b.dtype
            and dtype in _FLOATS and a.flags.c_contiguous and b.flags.c_contiguous):
        gemm = _gemm(dtype)
        c = out.T
        for i in range(s):
            # c = out.T (Fortran order, n x m) += b[i] @ a[i].T, b[i] given as its
            # Fortran view b[i].T and a[i].T Fortran as it is
            c = gemm(1.0, b[i].T, a[i].T, beta=1.0, c=c, overwrite_c=True, trans_a=True)
        return numpy.ascontiguousarray(c.T)  # out itself unless BLAS copied c
    for i in range(s):
        out += a[i] @ b[i].T
    return out


# Inner dimensions BLAS sums in one block (OpenBLAS's blocks hold from 256 on
# x86-64): up to here the product lands in ``acc`` bit for bit as a separate
# product added would.
_GEMM_INTO_MAX_K = 256


def add_matmul_ta(acc: Any, a: Any, b: Any, fresh: bool = False) -> Any:
    """``acc + a.T @ b`` with one BLAS call (``beta = 1``) written over ``acc``, or
    with ``fresh`` over a copy of it; returns the array holding the sum, or None,
    having changed nothing, where BLAS cannot take the arrays. It takes NumPy
    float32/float64 matrices of one dtype, ``a`` ``(k, m)`` and ``b`` ``(k, n)``
    C-contiguous, and ``acc`` ``(m, n)`` C-contiguous and writable (unless ``fresh``).

    A weight gradient summed over the steps of a loop this way needs no array
    for each step's product and no separate add. Only for ``k`` up to 256, which
    BLAS sums in one block: each element is then the product added, bit for bit
    (beyond, the blocks would be added one by one, another rounding; and the
    saving is small next to so long a product).
    """
    dtype = acc.dtype
    if not (type(acc) is numpy.ndarray and type(a) is numpy.ndarray
            and type(b) is numpy.ndarray and dtype in _FLOATS and a.dtype == dtype
            and b.dtype == dtype and a.ndim == 2 and b.ndim == 2 and acc.ndim == 2
            and 0 < len(a) <= _GEMM_INTO_MAX_K and len(a) == len(b)
            and acc.shape == (a.shape[1], b.shape[1]) and acc.size
            and a.flags.c_contiguous and b.flags.c_contiguous
            and (fresh or (acc.flags.c_contiguous and acc.flags.writeable
                           and acc.flags.aligned))):
        return None
    if fresh:
        acc = numpy.array(acc, order='C')
    gemm = _gemm(dtype)
    # acc.T (Fortran order, n x m) += b.T @ a, with a given as its Fortran view a.T
    out = gemm(1.0, b.T, a.T, beta=1.0, c=acc.T, overwrite_c=True, trans_b=True)
    if not numpy.may_share_memory(out, acc):  # a copy after all: the sum is in out
        acc[...] = out.T
    return acc


#: Up to this many elements a host (NumPy) function computes Chainer's CPU sequence
#: of operations, dtypes of intermediates included, so that results agree with
#: Chainer's to the bit; larger inputs take forms with fewer passes over memory or
#: narrower intermediates, whose results differ in the last bits.
EXACT_FORM_MAX = 4096


_BITS = {2: numpy.dtype(numpy.uint16), 4: numpy.dtype(numpy.uint32),
         8: numpy.dtype(numpy.uint64)}
_SELECT_MIN_SIZE = 4096
_HOST = (numpy.ndarray, numpy.generic)


def _is_positive_zero(v: Any) -> bool:
    """Whether ``v`` is a NumPy scalar (or 0-d array) whose bits are all zero (+0.0)."""
    return v.ndim == 0 and not v.view(_BITS[v.dtype.itemsize]).any()


def select(cond: Any, a: Any, b: Any) -> Any:
    """``xp.where(cond, a, b)`` (broadcasting) as a fresh array, bit for bit.

    On a mask that depends on the data NumPy's ``where`` runs branch by branch;
    for large NumPy float arrays ``a`` and ``b`` of one dtype this picks the bits
    instead, as ``b ^ ((a ^ b) * cond)`` on the bits (an unsigned integer times
    0 or 1; four to ten times faster; NaN payloads and signed zeros kept).
    """
    dtype = getattr(a, 'dtype', None)
    if not (type(cond) is numpy.ndarray and cond.dtype == numpy.bool_
            and isinstance(a, _HOST) and isinstance(b, _HOST) and b.dtype == dtype
            and dtype.kind == 'f' and dtype.itemsize in _BITS):
        return backend.get_array_module(cond, a, b).where(cond, a, b)
    shape = numpy.broadcast_shapes(cond.shape, a.shape, b.shape)
    if size_of_shape(shape) < _SELECT_MIN_SIZE:
        return numpy.where(cond, a, b)
    if cond.shape == shape:  # per-channel operands spread over a sample
        a, b = sample_operand(a, cond), sample_operand(b, cond)
    bits = _BITS[dtype.itemsize]
    out = numpy.empty(shape, bits)
    # a +0.0 operand has no bits set: the other one's bits times the mask is one pass
    if _is_positive_zero(b):
        numpy.multiply(a.view(bits), cond, out=out)
        return out.view(dtype)
    if _is_positive_zero(a):
        numpy.multiply(b.view(bits), ~cond, out=out)
        return out.view(dtype)
    b_bits = b.view(bits)
    numpy.bitwise_xor(a.view(bits), b_bits, out=out)
    numpy.multiply(out, cond, out=out)
    numpy.bitwise_xor(out, b_bits, out=out)
    return out.view(dtype)


def widen_scalar(value: Any) -> Any:
    """``value``, with a NumPy float16/float32 scalar as a NumPy float64.

    Chainer's optimizers and hooks did scalar arithmetic on hyperparameters under
    NumPy 1, where a NumPy float32 scalar combined with a Python number gave a
    float64 (``1 + numpy.float32(0.9)`` is a float64 there, a float32 under
    NumPy 2): a float32 learning rate steered float64 parameters with float64
    coefficients, and a division by zero gave inf rather than an exception.
    Anything else is returned as it is.
    """
    if isinstance(value, (numpy.float32, numpy.float16)):
        return numpy.float64(value)
    return value


def compute_dtype(dtype: Any) -> numpy.dtype:
    """The dtype to accumulate in: float32 for float16 input, else ``dtype`` itself.

    Sums, exponentials and variances of float16 lose too much precision; every
    function that reduces or exponentiates float16 computes in this dtype and casts
    its result back.
    """
    dtype = numpy.dtype(dtype)
    return _FLOAT32 if dtype == _FLOAT16 else dtype


def as_compute(x: Any) -> Any:
    """``x`` cast to :func:`compute_dtype` (no copy when already there)."""
    if x.dtype == _FLOAT16:
        return x.astype(_FLOAT32)
    return x


def owns_compute_copy(xc: Any, x: Any) -> bool:
    """Whether ``xc``, :func:`as_compute` of ``x``, is a NumPy copy laid out as a new
    array would be (C-contiguous), which the caller may overwrite with results that
    sum in the same order as in a new array."""
    return xc is not x and type(xc) is numpy.ndarray and xc.flags.c_contiguous


#: Elements per block of :func:`in_compute_blocks` (256 KiB of float32 values).
_COMPUTE_BLOCK = 1 << 16


def in_compute_blocks(fn: Any, arrays: tuple, *args: Any, per_sample: bool = False) -> Any:
    """``fn(*compute_arrays, *args)`` cast back to float16 where ``arrays[0]`` is
    float16, where ``compute_arrays`` are ``arrays`` through :func:`as_compute` and
    ``fn`` is elementwise; ``fn(*arrays, *args)`` itself for other dtypes (``fn``
    keeps them). With ``per_sample``, ``fn`` need only be so along the first axis:
    each sample's result depends on that sample alone (it may reduce over the other
    axes, a normalization of each sample). Where ``fn`` returns a tuple of arrays
    of that shape, so does this, each cast back.

    On large float16 NumPy arrays of one shape, ``fn`` runs block by block (of
    their flat elements where all are C-contiguous and not ``per_sample``, else of
    their first axis, as with a broadcast gradient) into the one float16 result:
    the float32 copies and ``fn``'s temporaries are those of a block, which stays
    in cache, instead of each twice the size of the result. Every element is
    computed as in one call over the whole arrays, so the values are the same bit
    for bit: with ``per_sample`` only C-contiguous arrays go in blocks (NumPy sums
    each sample of a C-contiguous block as of the whole array, but may not of a
    block of another layout).
    """
    x = arrays[0]
    if x.dtype != _FLOAT16:
        return fn(*arrays, *args)
    if (type(x) is not numpy.ndarray or x.size <= 2 * _COMPUTE_BLOCK
            or not all(type(a) is numpy.ndarray and a.shape == x.shape for a in arrays)
            or per_sample and not all(a.flags.c_contiguous for a in arrays)):
        y = fn(*[as_compute(a) for a in arrays], *args)
        if type(y) is tuple:
            return tuple([r.astype(x.dtype, copy=False) for r in y])
        return y.astype(x.dtype, copy=False)
    flat = not per_sample and all(a.flags.c_contiguous for a in arrays)
    views = [a.reshape(-1) for a in arrays] if flat else arrays
    outs = None
    n = views[0].shape[0]
    for s in _first_axis_blocks(n, 4 * (x.size // n), 4 * _COMPUTE_BLOCK, 2):
        y = fn(*[as_compute(a[s]) for a in views], *args)
        if outs is None:
            several = type(y) is tuple
            outs = [numpy.empty(x.shape, x.dtype) for _ in (y if several else (y,))]
            out_views = [o.reshape(-1) for o in outs] if flat else outs
        for o, r in zip(out_views, y if several else (y,)):
            o[s] = r
        y = r = None  # freed before the next block's
    return tuple(outs) if several else outs[0]


def python_constant(dtype: Any, value: float) -> Any:
    """A finite Python float constant as NumPy 1 took it with an array of ``dtype``
    (Chainer's arithmetic): in ``dtype``, or, where it overflows there, in the
    smallest float type that holds it (NumPy 1's value-based casting)."""
    with numpy.errstate(over='ignore'):
        v = numpy.dtype(dtype).type(value)
        if numpy.isinf(v) and numpy.isfinite(value):
            v = numpy.float32(value)
            if numpy.isinf(v):
                v = numpy.float64(value)
    return v


def scatter_add(a: Any, index: Any, values: Any) -> None:
    """``a[index] += values`` in place, adding repeated indices (``numpy.add.at``
    on the CPU, ``cupyx.scatter_add`` on the GPU, whose atomic adds make float
    sums nondeterministic: ``config.warn_nondeterministic`` warns of them)."""
    if isinstance(a, numpy.ndarray):
        if not _scatter_add_rows(a, index, values):
            numpy.add.at(a, index, values)
    else:
        import cupyx
        nondeterministic('atomicAdd')
        cupyx.scatter_add(a, index, values)


def scatter_rows(n: int, index: Any, x: Any, weights: Any = None) -> Any:
    """A new ``(n, D)`` array whose row ``v`` sums ``x[b]`` over the entries
    ``index[b] == v`` of an ``index`` of shape ``(B,)`` or, scaled by
    ``weights[b, k]``, over ``index[b, k] == v`` of one of shape ``(B, K)``
    (the rows of ``x`` are ``(B, D)``).

    The gradient of gathered rows ``W[index]`` (``weights`` those of a product
    with ``x``): bit for bit ``zeros`` followed by :func:`scatter_add` of
    ``x`` (or of ``weights[:, :, None] * x[:, None, :]``), without forming the
    ``(B, K, D)`` products on NumPy.
    """
    if isinstance(x, numpy.ndarray):
        y = _rows_product(n, index, x, weights)
        if y is not None:
            return y
    xp = _xp(x)
    out = xp.zeros((n,) + x.shape[1:], x.dtype)
    if weights is not None:
        x = weights[:, :, None] * x[:, None, :]
    elif index.ndim == 2:
        x = xp.broadcast_to(x[:, None], index.shape + x.shape[1:])
    scatter_add(out, index, x)
    return out


#: Bytes of gathered rows per block of :func:`gathered_blocks` (measured: a block of
#: 256 KiB to 1 MiB, still in cache when reduced, halves a gather-and-reduce's time).
_GATHER_BYTES = 1 << 19


def gathered_blocks(table: Any, index: Any):
    """Yields ``(s, table[index[s]])`` for slices ``s`` of the first axis of an
    integer ``index`` that each gather about 512 KiB of rows of ``table``: one
    slice, everything, on CuPy or for smaller gathers.

    A reduction of each block while it is in cache (``einsum`` over the rows of
    a word's samples) runs twice as fast as gathering the whole array first and
    reducing it from memory; each row of the result is the same, bit for bit.
    """
    n = index.shape[0] if index.ndim else 0
    if type(table) is not numpy.ndarray or n < 2:
        yield slice(None), table[index]
        return
    row_bytes = index[0].size * table.itemsize * size_of_shape(table.shape[1:])
    for s in _first_axis_blocks(n, row_bytes, _GATHER_BYTES, 2):
        yield s, table[index[s]]


_FLOATS = (numpy.dtype(numpy.float32), numpy.dtype(numpy.float64))
#: Fewer scattered values go to numpy.add.at, faster than building a sparse matrix.
_SPARSE_MIN_VALUES = 8192
_INT32_MAX = numpy.iinfo(numpy.int32).max


def _rows_product(n: int, index: Any, x: Any, weights: Any) -> Any:
    """:func:`scatter_rows` on NumPy as one sparse product ``M @ x`` (``M`` of
    shape ``(n, B)``, entry ``weights[b, k]`` or 1 at ``(index[b, k], b)``), or
    None for what it leaves to ``numpy.add.at`` (other dtypes, few values,
    out-of-range indices).

    SciPy multiplies a CSC matrix by visiting its columns in order and adding each
    entry's product into its row: every row of the result sums its terms from zero
    in the C order of ``index``, the order in which ``numpy.add.at`` adds them, and
    no sort is needed.
    """
    if (type(x) is not numpy.ndarray or x.ndim != 2 or x.dtype not in _FLOATS
            or type(index) is not numpy.ndarray or index.dtype.kind not in 'iu'
            or index.ndim not in (1, 2) or index.shape[0] != x.shape[0]
            or index.size * x.shape[1] < _SPARSE_MIN_VALUES):
        return None
    if weights is None:
        data = None
    elif (type(weights) is not numpy.ndarray or weights.dtype != x.dtype
          or weights.shape != index.shape):
        return None
    else:
        data = weights.reshape(-1)
    flat = _rows_in_range(index.reshape(-1), n)
    if flat is None:
        return None  # numpy.add.at raises the IndexError
    return _csc_product(n, flat, x, data)


def _rows_in_range(flat: Any, n: int) -> Any:
    """The integer indices ``flat`` into ``n`` rows with negative ones wrapped
    (``-n <= i < 0`` as ``i + n``), or None where one lies outside ``[-n, n)``."""
    low, high = int(flat.min()), int(flat.max())
    if low < -n or high >= n:
        return None
    if low < 0:
        flat = flat + (flat < 0) * n
    return flat


def _csc_product(n: int, flat: Any, x: Any, data: Any = None) -> Any:
    """``M @ x`` for the ``(n, B)`` CSC matrix ``M`` whose column ``b`` holds the
    entries ``data`` (ones where None) at the rows ``flat`` (in ``[0, n)``) of
    ``b``'s equal share of them, in order: row ``v`` of the result sums its terms
    from zero in the order of ``flat`` (see :func:`_rows_product`)."""
    if data is None:
        data = numpy.ones(flat.size, x.dtype)
    idx_dtype = numpy.int32 if max(n, flat.size) <= _INT32_MAX else numpy.int64
    flat = flat.astype(idx_dtype, copy=False)
    b = x.shape[0]
    indptr = numpy.arange(0, flat.size + 1, flat.size // b, dtype=idx_dtype)
    import scipy.sparse

    return scipy.sparse.csc_matrix((data, flat, indptr), shape=(n, b)) @ x


def _scatter_add_rows(a: Any, index: Any, values: Any) -> bool:
    """:func:`scatter_add` of whole rows (an integer ``index`` array of any shape
    into the first axis of a float array, one row of ``values`` per index) as a
    sparse matrix product (:func:`_rows_product`); returns False, doing nothing,
    for any other case.

    ``numpy.add.at`` adds one element at a time: ten times slower for an
    embedding's gradient. Each touched row of ``a`` gets the sum of its values,
    taken from zero in index order, as ``add.at`` does into a zero array.
    """
    if type(index) is tuple and len(index) == 1:
        index = index[0]
    if (a.ndim < 2 or a.dtype not in _FLOATS or type(index) is not numpy.ndarray
            or index.ndim < 1 or index.dtype.kind not in 'iu'
            or type(values) is not numpy.ndarray or values.dtype != a.dtype
            or values.size < _SPARSE_MIN_VALUES or values.shape != index.shape + a.shape[1:]):
        return False
    n = a.shape[0]
    # C order: add.at's order
    index = _rows_in_range(index.ravel().astype(numpy.intp, copy=False), n)
    if index is None:
        return False  # numpy.add.at raises the IndexError
    m = index.size
    if n <= 4 * m:  # rows of the product for every row of a
        rows = numpy.flatnonzero(numpy.bincount(index, minlength=n))
        summed = _csc_product(n, index, values.reshape(m, -1))[rows]
    else:  # few rows touched: a product of that many rows
        rows, index = numpy.unique(index, return_inverse=True)
        summed = _csc_product(rows.size, index, values.reshape(m, -1))
    a[rows] += summed.reshape((rows.size,) + a.shape[1:])
    return True


# Largest spread of the logits for which one shift by the global maximum keeps every
# row's sum of exponentials a normal float (NumPy's per-row max is several times slower
# than a global max and min on small batches).
_SPREAD = {numpy.dtype(numpy.float32): 80.0, numpy.dtype(numpy.float64): 700.0}
#: From this many elements after the softmax axis on, NumPy's maximum along that axis
#: reads contiguous runs and is as fast as a global maximum and minimum (measured).
_CONTIGUOUS_MAX_MIN = 256
#: Up to this many elements, the maximum along any axis costs at most ~2 us more
#: than a global maximum and minimum (less for most shapes: measured), so small
#: arrays take Chainer's shift.
_SMALL_SHIFT = 256


def sigmoid(x: Any) -> Any:
    """Logistic sigmoid of an array as ``tanh(x / 2) / 2 + 1 / 2`` (no overflow
    for large ``|x|``): a new array of ``x``'s dtype."""
    xp = _xp(x)
    if xp is not numpy:
        return compute_kernel(
            'T x', 'T y', 'y = (T)(tanh((C)x * (C)0.5) * (C)0.5 + (C)0.5)',
            'rechainer_sigmoid', x.dtype)(x)
    half = x.dtype.type(0.5)
    y = x * half
    if type(y) is not numpy.ndarray and isinstance(y, numpy.generic):
        return numpy.asarray(numpy.tanh(y) * half + half)  # a 0-d input
    return _sigmoid_from_half(y, xp, half)


def sigmoid_inplace(x: Any) -> Any:
    """Logistic sigmoid of an array written over ``x``, as ``tanh(x / 2) / 2 + 1 / 2``,
    the form of Chainer's recurrent cells (``1 / (1 + exp(-x))`` rounds otherwise,
    and NumPy 2's vectorised ``tanh`` is no slower)."""
    half = x.dtype.type(0.5)
    x *= half
    return _sigmoid_from_half(x, _xp(x), half)


def _sigmoid_from_half(y: Any, xp: Any, half: Any) -> Any:
    """Turns ``y = x / 2`` into ``sigmoid(x) = tanh(y) / 2 + 1 / 2`` in place."""
    xp.tanh(y, out=y)
    y *= half
    y += half
    return y


_LOG1P_SCALAR: dict = {}


def _log1p_is_scalar(dtype: Any) -> bool:
    """Whether NumPy's ``log1p`` for ``dtype`` runs its baseline loop, which calls
    libm once per element (about five times slower than its vectorised exp and
    log), rather than a SIMD loop chosen for this CPU (x86-64 with AVX-512, where
    ``log1p`` is as fast as ``log``): from ``numpy.lib.introspect``, once."""
    scalar = _LOG1P_SCALAR.get(dtype)
    if scalar is None:
        try:
            from numpy.lib.introspect import opt_func_info
            current = opt_func_info(func_name='^log1p$')['log1p'][dtype.char * 2]['current']
            scalar = current.startswith('baseline')
        except Exception:  # no such introspection: take the baseline
            scalar = True
        _LOG1P_SCALAR[dtype] = scalar
    return scalar


_F32 = numpy.dtype(numpy.float32)


def _libm_bound(x: Any) -> bool:
    """Whether ``x`` is a NumPy float32 array large enough that the formula below
    beats NumPy's ``log1p`` where that runs libm per element (1.6 times faster on
    1e6 elements; in float64 the formula is the slower one)."""
    return (type(x) is numpy.ndarray and x.dtype == _F32 and x.size >= 1024
            and _log1p_is_scalar(_F32))


def log1p_exp_neg_abs(x: Any) -> Any:
    """``log(1 + exp(-|x|))`` as a fresh array: the bounded part of softplus and
    of the logistic losses (it never overflows).

    Large NumPy float32 arrays, where NumPy's ``log1p`` is not vectorised on this
    CPU, use ``log(w) - ((w - 1) - u) / w`` with ``u = exp(-|x|)`` and
    ``w = 1 + u``: the second term undoes the rounding of ``w`` (within 3 eps of
    the exact value; for tiny ``u`` it gives ``u``).
    """
    xp = _xp(x)
    if xp is not numpy:
        return compute_kernel('T x', 'T y', 'y = (T)log1p(exp(-fabs((C)x)))',
                              'rechainer_log1p_exp_neg_abs', x.dtype)(x)
    u = xp.abs(x, out=xp.empty_like(x))
    xp.negative(u, out=u)
    xp.exp(u, out=u)
    if not _libm_bound(x):
        return xp.log1p(u, out=u)
    one = x.dtype.type(1)
    w = u + one
    rounding = w - one
    rounding -= u
    rounding /= w
    xp.log(w, out=w)
    w -= rounding
    return w


def softmax_shift(x: Any, axis: int = 1) -> Any:
    """A stabilizing shift for ``exp(x - shift)`` along ``axis``: the maximum along
    ``axis`` (Chainer's shift: bit-identical results), or for NumPy, an inner axis
    followed by fewer than 256 elements, the global maximum when the spread of
    ``x`` allows it (two contiguous passes instead of one slow strided one) and
    ``x`` has more than 256 elements."""
    if isinstance(x, numpy.ndarray) and x.size > _SMALL_SHIFT:
        if axis == x.ndim - 1 or axis == -1:
            return _max_reduce(x, axis=-1, keepdims=True)
        if size_of_shape(x.shape[axis % x.ndim + 1:]) >= _CONTIGUOUS_MAX_MIN:
            return x.max(axis=axis, keepdims=True)
        # float16 extremes are exact in float32: the spread as of the float32 copy
        c = compute_dtype(x.dtype).type
        hi = c(x.max())
        if float(hi - c(x.min())) <= _SPREAD.get(hi.dtype, 0.0):
            return hi
    return x.max(axis=axis, keepdims=True)


def _log_normalizer(x: Any, axis: int, xp=None):
    """``(log_z, buf)``: ``log_z = m + log(sum(exp(x - m), axis))`` with ``m`` from
    :func:`softmax_shift`, for ``x`` in :func:`compute_dtype` (Chainer's
    ``logsumexp``, operation for operation), and a spare array of ``x``'s shape."""
    xp = xp or _xp(x)
    m = softmax_shift(x, axis)
    buf = x - m
    xp.exp(buf, out=buf)
    return m + xp.log(sum(buf, axis=axis, keepdims=True)), buf


#: From this many bytes on, the softmax helpers work on NumPy arrays block by
#: block (below, the blocks' own cost is not paid back: measured).
_SOFTMAX_BLOCKED_BYTES = 1 << 21


def _softmax_rows(x: Any, axis: int, shifted: bool = True) -> tuple | None:
    """``(view, blocks, shift)`` for the blocked NumPy paths of the softmax helpers,
    or None where they take ``x`` whole (GPU arrays, under 2 MiB in float32, arrays
    that are not C-contiguous, or a softmax along the first axis).

    ``view`` is ``x`` as ``(L, C)`` or ``(L, C, R)`` with the softmax axis second
    (a float16 ``x`` stays float16: :func:`_shifted_exps` casts each block to
    float32), ``blocks`` the slices of its first axis that :func:`sample_blocks`
    gives its copy in :func:`compute_dtype` (sizes too), ``shift`` None where each
    block takes its own maxima along the axis, else :func:`softmax_shift` of the
    whole array in the compute dtype (a scalar, or maxima shaped as ``view`` with a
    length-1 axis; always None unless ``shifted``).

    Every slice along the axis goes through the same operations in the same order
    as in the whole array (so the same results, bit for bit): only the order of
    the slices changes, and the arrays in between shrink to a block that stays in
    cache. A non-contiguous ``x`` is not blocked: its whole-array temporaries
    follow its memory order, and the sums along the axis with them.
    """
    if type(x) is not numpy.ndarray or not x.flags.c_contiguous or x.ndim == 0:
        return None
    itemsize = compute_dtype(x.dtype).itemsize
    if x.size * itemsize < _SOFTMAX_BLOCKED_BYTES:
        return None
    ndim = x.ndim
    if not -ndim <= axis < ndim:
        return None
    axis %= ndim
    shape = x.shape
    lead = size_of_shape(shape[:axis])
    trail = size_of_shape(shape[axis + 1:])
    if lead < 2 or not x.size:
        return None
    n = shape[axis]
    view = x.reshape(lead, n) if trail == 1 else x.reshape(lead, n, trail)
    blocks = sample_blocks(view, compute_dtype(x.dtype))  # (float16: as its copy's)
    if len(blocks) < 2:
        return None
    shift = None
    if shifted and axis != ndim - 1 and trail < _CONTIGUOUS_MAX_MIN:
        shift = softmax_shift(x, axis)
        if type(shift) is numpy.ndarray:
            shift = as_compute(shift.reshape((lead, 1) + view.shape[2:]))
    return view, blocks, shift


def _compute_rows(x: Any, axis: int) -> tuple:
    """``(x, rows)``: :func:`_softmax_rows` of ``x``, which reads a float16 ``x`` block
    by block into float32; where it has none, ``x`` becomes :func:`as_compute` of it
    and ``rows`` those of that copy (a non-contiguous float16 ``x``) or None."""
    rows = _softmax_rows(x, axis)
    if rows is None and x.dtype == _FLOAT16:
        x = as_compute(x)
        rows = _softmax_rows(x, axis)
    return x, rows


def softmax_blocks(axis: int, *arrays: Any) -> tuple | None:
    """``(views, blocks)`` for computing a function of the slices along ``axis`` of
    NumPy arrays of one shape and dtype (a softmax gradient from ``y`` and ``gy``)
    block by block, each block while it is in cache, as :func:`softmax` does:
    the arrays viewed as ``(L, C)`` or ``(L, C, R)`` with ``axis`` second, and
    slices of their first axis. None where the arrays are better taken whole
    (small, not all C-contiguous NumPy arrays, or ``axis`` the first).

    A function that reduces along axis 1 of each block and otherwise works
    elementwise gives the same results, bit for bit, as on the whole arrays.
    """
    x = arrays[0]
    for a in arrays:
        if (type(a) is not numpy.ndarray or not a.flags.c_contiguous or a.shape != x.shape
                or a.dtype != x.dtype):
            return None
    rows = _softmax_rows(x, axis, False)
    if rows is None:
        return None
    view, blocks, _ = rows
    return tuple(a.reshape(view.shape) for a in arrays), blocks


def _shifted_exps(rows: tuple, out: Any = None):
    """Yields ``(block, x_b, m_b, e_b)`` for each block of :func:`_softmax_rows`:
    the block's slice and view of ``x``, its shift and ``exp(x_b - m_b)``, in one
    buffer reused from block to block (or in ``out``'s block)."""
    view, blocks, shift = rows
    buf = None
    for block in blocks:
        xb = as_compute(view[block])
        if shift is None:
            m = _max_reduce(xb, 1, None, None, True)
        else:
            m = shift[block] if type(shift) is numpy.ndarray else shift
        if out is not None:
            e = out[block]
        else:
            if buf is None:  # the first block is the longest
                buf = numpy.empty_like(xb)  # (in compute_dtype)
            e = buf[:len(xb)]
        numpy.subtract(xb, m, out=e)
        numpy.exp(e, out=e)
        yield block, xb, m, e


def _blocked_log_normalizer(rows: tuple, log_softmax: bool = False,
                            softmax: bool = False, dtype: Any = None) -> tuple:
    """``(log_z, log(softmax(x)) or None, softmax(x) or None)`` from the blocks of
    :func:`_softmax_rows` (shaped as its ``view``): :func:`_log_normalizer`'s
    ``log_z``, ``x - log_z`` and its ``exp``, each block's while it is in cache;
    the last two in ``dtype`` (:func:`compute_dtype` where None), each block cast
    from its values in the compute dtype."""
    view = rows[0]
    cdt = compute_dtype(view.dtype)
    dtype = cdt if dtype is None else numpy.dtype(dtype)
    log_z = numpy.empty((len(view), 1) + view.shape[2:], cdt)
    y = numpy.empty(view.shape, dtype) if log_softmax else None
    p = numpy.empty(view.shape, dtype) if softmax else None
    direct = dtype == cdt
    for block, xb, m, e in _shifted_exps(rows):
        s = sum(e, 1, True)
        numpy.log(s, out=s)
        lz = numpy.add(m, s, out=log_z[block])
        if y is not None or p is not None:
            if direct:
                yb = numpy.subtract(xb, lz, out=(p if y is None else y)[block])
            else:
                yb = numpy.subtract(xb, lz, out=e)
                if y is not None:
                    y[block] = yb
            if p is not None:
                numpy.exp(yb, out=p[block] if direct else yb)
                if not direct:
                    p[block] = yb
    return log_z, y, p


def _kept_shape(shape: tuple, axis: int) -> tuple:
    axis %= len(shape)
    return shape[:axis] + (1,) + shape[axis + 1:]


def softmax(x: Any, axis: int = 1, dtype: Any = None) -> Any:
    """``softmax(x)`` of an array along ``axis``, computed in :func:`compute_dtype`,
    the result in ``dtype`` (the compute dtype where None). A large float16 NumPy
    array is read block by block into float32, not copied whole."""
    rows = _softmax_rows(x, axis)
    if rows is not None and x.dtype == _FLOAT16:
        out = numpy.empty(rows[0].shape, _FLOAT32 if dtype is None else dtype)
        for block, _, _, e in _shifted_exps(rows):
            e /= sum(e, 1, True)
            out[block] = e
        return out.reshape(x.shape)
    xc = as_compute(x)
    own = owns_compute_copy(xc, x)  # float16's float32 copy: the softmax is built in it
    if xc is not x:
        x = xc
        rows = _softmax_rows(x, axis)
    if rows is not None:
        out = rows[0] if own else numpy.empty_like(rows[0])
        for _, _, _, e in _shifted_exps(rows, out):
            e /= sum(e, 1, True)
        return _as_dtype(out.reshape(x.shape), dtype)
    xp = _xp(x)
    if own:
        e = x
        e -= softmax_shift(x, axis)
    else:
        e = x - softmax_shift(x, axis)
    xp.exp(e, out=e)
    e /= sum(e, axis=axis, keepdims=True)
    return _as_dtype(e, dtype)


def _as_dtype(x: Any, dtype: Any) -> Any:
    return x if dtype is None else x.astype(dtype, copy=False)


def log_softmax(x: Any, axis: int = 1, with_softmax: bool = False, dtype: Any = None):
    """``(log(softmax(x)), softmax(x) or None)`` of an array along ``axis``,
    computed in :func:`compute_dtype`, the results in ``dtype`` (the compute dtype
    where None: float16 input gives float32 results). A large float16 NumPy array
    is read block by block into float32, not copied whole.

    As in Chainer, ``log(softmax(x)) = x - logsumexp(x)`` and the softmax is its
    ``exp`` (bit-identical results).
    """
    xp = _xp(x)
    x, rows = _compute_rows(x, axis)
    if rows is not None:
        _, y, p = _blocked_log_normalizer(rows, True, with_softmax, dtype)
        return y.reshape(x.shape), (None if p is None else p.reshape(x.shape))
    log_z, y = _log_normalizer(x, axis, xp)
    xp.subtract(x, log_z, out=y)
    x = None  # (a float16 input's float32 copy: freed before the casts)
    p = xp.exp(y) if with_softmax else None
    return _as_dtype(y, dtype), (None if p is None else _as_dtype(p, dtype))


def logsumexp(x: Any, axis: int = 1) -> Any:
    """``log(sum(exp(x), axis, keepdims=True))`` of an array, computed stably in
    :func:`compute_dtype`."""
    xp = _xp(x)
    x = as_compute(x)
    rows = _softmax_rows(x, axis)
    if rows is not None:
        return _blocked_log_normalizer(rows)[0].reshape(_kept_shape(x.shape, axis))
    m = softmax_shift(x, axis)
    e = xp.exp(x - m)
    s = (sum_in_numpy1_order(e, axis, True) if xp is numpy
         else e.sum(axis=axis, keepdims=True))  # (CuPy's own reduction, as Chainer's)
    return xp.log(s) + m


# C type names of the compute dtypes, for fused GPU kernels.
C_TYPES = {numpy.dtype(numpy.float32): 'float', numpy.dtype(numpy.float64): 'double'}


@functools.lru_cache(maxsize=None)
def _compute_kernel_spec(in_params: str, out_params: str, name: str,
                         compute: numpy.dtype) -> tuple:
    """The parameters (``C`` spelled as the dtype), the kernel name and the preamble
    of a kernel computing in ``compute``."""
    def params(spec: str) -> str:
        return ', '.join(compute.name + p[1:] if p.startswith('C ') else p
                         for p in (q.strip() for q in spec.split(',')))
    return (params(in_params), params(out_params), f'{name}_{compute.name}',
            f'typedef {C_TYPES[compute]} C;')


def compute_kernel(in_params: str, out_params: str, operation: str, name: str,
                   dtype: Any) -> Any:
    """A fused CuPy elementwise kernel whose ``operation`` computes in ``C``, the C
    type of :func:`compute_dtype` of ``dtype`` (``float`` for float16); parameters
    typed ``C`` take that dtype. One kernel per name and compute dtype."""
    from chainer.backends import cuda
    in_p, out_p, kernel_name, preamble = _compute_kernel_spec(
        in_params, out_params, name, compute_dtype(dtype))
    return cuda.elementwise(in_p, out_p, operation, kernel_name, preamble=preamble)


def compute_sum(in_params: str, map_expr: str, name: str, dtype: Any, *args: Any,
                axis: Any) -> Any:
    """The sum over ``axis`` (kept as size 1) of ``map_expr`` of CuPy arrays ``args``,
    one fused reduction computing in ``C``, the C type of :func:`compute_dtype` of
    ``dtype``, which is also the result's dtype; parameters typed ``C`` take it."""
    from chainer.backends import cuda
    in_p, out_p, kernel_name, preamble = _compute_kernel_spec(
        in_params, 'C s', name, compute_dtype(dtype))
    return cuda.reduce(in_p, out_p, map_expr, 'a + b', 's = a', '0', kernel_name,
                       preamble=preamble)(*args, axis=axis, keepdims=True)


def softmax_stats(x: Any, axis: int = 1) -> tuple:
    """``(m, s)`` of a CuPy array: the maxima along ``axis`` and ``sum(exp(x - m))``,
    each kept as size 1 along ``axis`` in :func:`compute_dtype`, so that a fused kernel
    can form ``softmax(x) = exp(x - m) / s`` and ``log_softmax(x) = x - m - log(s)``
    elementwise (two kernels: a maximum and one fused reduction)."""
    m = as_compute(x.max(axis=axis, keepdims=True))
    return m, compute_sum('T x, C m', 'exp((C)x - m)', 'rechainer_sum_exp', x.dtype, x, m,
                          axis=axis)


def row_starts(n: int, step: int = 1, xp: Any = numpy) -> Any:
    """``xp.arange(0, n * step, step)``: the row indices of an ``(n, ...)`` array
    (``step`` 1), or where the rows of a C-contiguous ``(n, step)`` array start in
    its ``ravel()``. NumPy's are cached and read-only."""
    if xp is not numpy:
        return xp.arange(0, n * step, step)
    key = (n, step)
    starts = _ROW_STARTS.get(key)
    if starts is None:
        starts = numpy.arange(0, n * step, step)
        starts.flags.writeable = False
        _ROW_STARTS.put(key, starts)
    return starts


class _BoundedCache:
    """A dict of arrays keyed on sizes from user input (batch sizes, reduced
    lengths), bounded in keys and in the array elements it holds: it is emptied
    when a new array would pass either bound, and an array larger than a quarter
    of ``max_elements`` (cheaper to build again than to pin) is not kept."""

    __slots__ = ('arrays', 'elements', 'max_keys', 'max_elements')

    def __init__(self, max_keys: int, max_elements: int) -> None:
        self.arrays: dict = {}
        self.elements = 0
        self.max_keys = max_keys
        self.max_elements = max_elements

    def get(self, key) -> Any:
        return self.arrays.get(key)

    def put(self, key, array) -> None:
        size = array.size
        if size > self.max_elements // 4:
            return
        if len(self.arrays) >= self.max_keys or self.elements + size > self.max_elements:
            self.arrays.clear()
            self.elements = 0
        self.arrays[key] = array
        self.elements += size


_ROW_STARTS = _BoundedCache(64, 1 << 20)


def log_softmax_at(x: Any, index: Any) -> tuple:
    """``(log(softmax(x))`` along axis 1 picked at the integer ``index``, ``log_z``)``
    with ``log_z`` :func:`_log_normalizer`'s (kept as an axis of length 1), from
    which ``softmax(x) = exp(x - log_z)``.

    ``index`` has the shape of ``x`` without axis 1 and must lie in range (NumPy
    raises ``IndexError``, CuPy wraps: check first with :func:`check_index_range`).
    The logarithm is taken only where picked; results are in :func:`compute_dtype`.
    """
    xp = _xp(x)
    x = as_compute(x)
    rows = _softmax_rows(x, 1)
    if rows is not None:
        log_z = _blocked_log_normalizer(rows)[0].reshape(_kept_shape(x.shape, 1))
    else:
        log_z = _log_normalizer(x, 1, xp)[0]
    # Chainer's order: x - logsumexp(x), here only where picked
    if x.ndim == 2:
        picked = x[row_starts(len(index), 1, xp), index]
        picked -= log_z.ravel()
    else:
        picked = xp.take_along_axis(x, index[:, None], axis=1)
        picked -= log_z
        picked = picked.reshape(index.shape)
    return picked, log_z


def on_device_of(a: Any, like: Any) -> Any:
    """``a`` (an auxiliary array such as weights, indexes or a mask, or None) on the
    device of the array ``like``: moved there where it lies on another one, as
    Chainer's GPU code took such arrays with ``xp.asarray``; returned as is
    otherwise (a type check only)."""
    if a is None or type(a) is type(like):
        return a
    return backend.get_device_from_array(like).send(a)


def check_on_device_of(a: Any, like: Any, what: str, like_what: str = 'x') -> None:
    """Raises ``TypeError`` unless the array ``a`` (None passes) lies on the device of
    the array ``like``: for arrays a function updates in place, which moving to
    ``like``'s device would leave as they were (a type check only where they agree)."""
    if a is None or type(a) is type(like):
        return
    raise TypeError(
        f'{what} is on {backend.get_device_from_array(a)} but {like_what} is on '
        f'{backend.get_device_from_array(like)}: {what} is updated in place, so it must '
        f'be on the same device')


def check_index_range(index: Any, size: int, what: str = 'index',
                      ignore: Any = None, allow_negative: bool = False,
                      message: str | None = None) -> int:
    """Raises ``ValueError`` (also an ``IndexError``, as NumPy's indexing raised in
    Chainer) unless every entry of the integer array ``index`` lies
    in ``[0, size)`` (``[-size, size)`` with ``allow_negative``), entries equal to
    ``ignore`` excepted; returns how many entries equal ``ignore`` (0 without one).
    The error says which entry is out of range, or ``message`` where given (the
    text of the check Chainer made in debug mode).

    CuPy wraps out-of-range indices instead of raising as NumPy does, so every
    function that indexes with user data checks through here. On the GPU both
    counts come back to the host in one read (two for 2**31 entries or more),
    the only synchronisation the check costs. A non-integer ``index`` raises
    ``IndexError``.
    """
    if index.dtype.kind not in 'iu':
        raise IndexError(f'{what} must be an integer array, got dtype {index.dtype}')
    if index.size == 0:
        return 0
    low = -size if allow_negative else 0
    if not isinstance(index, numpy.ndarray) and index.size < _PACKED_COUNT_LIMIT:
        n_bad, n_ignored = _gpu_range_counts(index, low, size, ignore)
        bad = None
    else:
        bad = (index < low) | (index >= size)
        n_ignored = 0
        if ignore is not None:
            ignored = index == ignore
            bad &= ~ignored
            n_ignored = int(ignored.sum())
        n_bad = int(bad.sum())
    if n_bad:
        _raise_out_of_range(index, bad, low, size, what, ignore, message)
    return n_ignored


def _raise_out_of_range(index: Any, bad: Any, low: int, size: int, what: str,
                        ignore: Any, message: str | None = None) -> None:
    """Raises the error naming the first entry of ``index`` out of range (``bad``:
    the mask of those entries, or None to compute it), or saying ``message``."""
    if message is not None:
        raise _IndexValueError(message)
    if bad is None:
        bad = (index < low) | (index >= size)
        if ignore is not None:
            bad &= index != ignore
    first = index[bad].ravel()[0]
    hint = f' (or {ignore}, to ignore)' if ignore is not None else ''
    raise _IndexValueError(
        f'{what} out of range: {int(first)} is not in [{low}, {size}){hint}')


# Both counts travel in one int64: out-of-range entries count 2**32 each.
_PACKED_COUNT_LIMIT = 2 ** 31


def _gpu_range_counts(index: Any, low: int, size: int, ignore: Any) -> tuple:
    """``(out of range, equal to ignore)`` counts of a CuPy integer array: one
    elementwise kernel, one sum and one host read."""
    from chainer.backends import cuda
    codes = cuda.elementwise(
        'T x, int64 low, int64 high, int64 ignore, bool use_ignore', 'int64 code',
        'code = (use_ignore && (long long)x == ignore) ? 1LL'
        ' : (((long long)x < low || (long long)x >= high) ? (1LL << 32) : 0LL)',
        'rechainer_index_range')(index, low, size,
                                 0 if ignore is None else int(ignore), ignore is not None)
    packed = int(codes.sum())
    return packed >> 32, packed & 0xFFFFFFFF


_AXES_LETTERS = 'abcdefghijklmnopqrstuvwxyz'


# Extrema over an axis up to this long are taken slice by slice on NumPy, and
# compared with the entries slice by slice up to the second length.
_SLICED_EXTREMUM = 32
_SLICED_EQUAL = 16


def _axis_slices(ndim: int, axis: int, n: int) -> list:
    head = (slice(None),) * axis
    return [head + (slice(k, k + 1),) for k in range(n)]


def extremum(x: Any, axis: int, maximum: bool = True) -> Any:
    """The maximum (or minimum) of ``x`` over ``axis``, kept as an axis of length 1.

    NumPy reduces over a short axis many times slower than it combines slices;
    for NumPy arrays an axis of up to 32 entries is reduced with ``numpy.maximum``
    / ``numpy.minimum`` slice by slice (the same values, NaN propagating).
    """
    n = x.shape[axis]
    if type(x) is numpy.ndarray and 1 < n <= _SLICED_EXTREMUM:
        ufunc = numpy.maximum if maximum else numpy.minimum
        parts = _axis_slices(x.ndim, axis, n)
        y = ufunc(x[parts[0]], x[parts[1]])
        for part in parts[2:]:
            ufunc(y, x[part], out=y)
        return y
    return x.max(axis=axis, keepdims=True) if maximum else x.min(axis=axis, keepdims=True)


def equal_to_kept(x: Any, y: Any, axis: int) -> Any:
    """``x == y`` for ``y`` reduced from ``x`` over ``axis`` (kept with length 1),
    slice by slice over a short axis of NumPy arrays."""
    n = x.shape[axis]
    if type(x) is numpy.ndarray and type(y) is numpy.ndarray and 1 < n <= _SLICED_EQUAL:
        mask = numpy.empty(x.shape, numpy.bool_)
        for part in _axis_slices(x.ndim, axis, n):
            numpy.equal(x[part], y, out=mask[part])
        return mask
    return x == y


#: Bytes of the blocks of :func:`sample_blocks`: a block, its other operands of
#: that size and the per-sample operands stay in a core's cache (L2).
_BLOCK_BYTES = 1 << 18


#: NumPy's default ufunc buffer size (``numpy.getbufsize()``), in elements.
_UFUNC_BUFSIZE = 8192
#: Below this many elements a spread operand costs more to build than it saves.
_SPREAD_MIN_SIZE = 16384


def sample_operand(v: Any, x: Any) -> Any:
    """``v``, a per-channel NumPy array that broadcasts to ``x``'s shape with length
    1 on the first axis (or fewer axes, or a view broadcast to ``x``'s shape, stride
    0 there), as the operand of an elementwise ufunc with ``x``: where ``v`` is
    constant along trailing runs shorter than NumPy's buffer, a contiguous copy
    spread over ``x.shape[1:]`` (one sample); else ``v`` itself.

    With runs shorter than its buffer, NumPy's buffered iteration makes ``x * v``
    two to three times slower than a product with an operand of ``x``'s trailing
    shape broadcast along the first axis only (one long contiguous inner loop).
    The values, and so the results, are the same. The copy is one sample, made
    for at least 16384 elements in four samples, or eight where a sample takes
    more than 256 KiB (the copy is then at most an eighth of ``x``).
    """
    shape = x.shape
    ndim = len(shape)
    if (type(v) is not numpy.ndarray or x.size < _SPREAD_MIN_SIZE or ndim < 3
            or not 0 < v.ndim <= ndim or shape[0] < 4):
        return v
    w = v if v.ndim == ndim else v.reshape((1,) * (ndim - v.ndim) + v.shape)
    vshape, strides = w.shape, w.strides
    if vshape[0] != 1 and (strides[0] or vshape[0] != shape[0]):
        return v
    if shape[0] < 8 and x.size // shape[0] * v.itemsize > _BLOCK_BYTES:
        return v
    run = 1
    i = ndim - 1
    while i > 0 and (vshape[i] == 1 or not strides[i]):
        run *= shape[i]
        i -= 1
    if i == 0 or not 1 < run < _UFUNC_BUFSIZE:  # (i == 0: one value a sample, fast as is)
        return v
    for n, k in zip(shape, vshape):
        if k != 1 and k != n:  # v does not broadcast to x's shape
            return v
    out = numpy.empty((1,) + shape[1:], v.dtype)
    out[...] = w[:1]
    return out


def sample_operands(a: Any, b: Any) -> tuple:
    """``(a, b)``, the operands of an elementwise ufunc, with one of them spread
    over a sample (:func:`sample_operand`) where it is a per-channel operand
    broadcast against the other, a large NumPy array of the result's shape (the
    bias of ``x + b``, the slope of a parametric ReLU). The same values."""
    if type(a) is not numpy.ndarray or type(b) is not numpy.ndarray:
        return a, b
    na, nb = a.size, b.size
    if na < _SPREAD_MIN_SIZE and nb < _SPREAD_MIN_SIZE:
        return a, b
    if na >= nb:
        v = sample_operand(b, a)
        if v is not b:
            return a, v
    if na <= nb:
        return sample_operand(a, b), b
    return a, b


def sample_blocks(x: Any, dtype: Any = None) -> list:
    """Slices of the first axis of a large NumPy array ``x`` into blocks of whole
    samples of about 256 KiB (one slice, everything, for smaller arrays), or of
    its copy in ``dtype`` where given (float16 work done in float32 blocks).

    A sequence of elementwise operations in place on a large array runs faster
    block by block, each block staying in cache from one operation to the next,
    than one operation at a time over the whole array, which goes back to memory
    for every operation. Only the order of the work changes, not the results.
    """
    n = x.shape[0] if x.ndim else 0
    if type(x) is not numpy.ndarray or n < 2:
        return [slice(None)]
    itemsize = x.itemsize if dtype is None else numpy.dtype(dtype).itemsize
    return _first_axis_blocks(n, itemsize * (x.size // n), _BLOCK_BYTES, 4)


def block_operand(v: Any, block: slice) -> Any:
    """The part of ``v``, an operand of an elementwise ufunc with an array ``x`` of
    as many axes, that meets the block ``x[block]`` of :func:`sample_blocks`: ``v``
    itself where it has length 1 on the first axis (the same for every sample),
    else ``v[block]`` (per-sample statistics, as with ``axis`` leaving out the batch)."""
    return v if v.shape[0] == 1 else v[block]


def _first_axis_blocks(n: int, row_bytes: int, block_bytes: int, whole_blocks: int) -> list:
    """Slices of ``n`` rows of ``row_bytes`` bytes each into blocks of about
    ``block_bytes`` (at least one row each); one slice, everything, for fewer than
    two rows or at most ``whole_blocks`` blocks' worth of rows."""
    if n < 2 or n * row_bytes <= whole_blocks * block_bytes:
        return [slice(None)]
    step = max(1, block_bytes // row_bytes)
    return [slice(i, i + step) for i in range(0, n, step)]


def centered(x: Any, mean: Any, dtype: Any) -> Any:
    """``x - mean`` (``mean`` broadcast against ``x``) as a fresh array of ``dtype``,
    for the normalizations to build their results in."""
    if x.dtype == dtype:
        return x - mean
    out = x.astype(dtype)
    out -= mean
    return out


def sum_of_products(a: Any, b: Any, axis: tuple, keepdims: bool = False) -> Any:
    """``(a * b).sum(axis, keepdims=keepdims)`` for two arrays of one shape
    (``axis``: a tuple of non-negative axes).

    For large NumPy float32/float64 arrays it is one einsum pass: the product
    array would be a fresh allocation and a second pass over memory (below
    about 4096 elements einsum's fixed cost is the larger).
    """
    if type(a) is not numpy.ndarray:
        return (a * b).sum(axis=axis, keepdims=keepdims)
    if (a.size >= 4096 and type(b) is numpy.ndarray and a.ndim <= 26 and a.dtype == b.dtype
            and a.dtype in _FLOATS):
        return _einsum_sum((a, b), axis, keepdims)
    else:
        out = _add_reduce(a * b, axis, None, None, keepdims)
    return out if type(out) is numpy.ndarray else numpy.asarray(out)


def _einsum_sum(operands: tuple, axis: tuple, keepdims: bool) -> Any:
    """The product of ``operands`` (one shape) summed over ``axis`` in one einsum
    pass, as an array (0-d too)."""
    shape = operands[0].shape
    letters = _AXES_LETTERS[:len(shape)]
    kept = ''.join([c for i, c in enumerate(letters) if i not in axis])
    out = numpy.asarray(numpy.einsum(','.join([letters] * len(operands)) + '->' + kept,
                                     *operands))
    if keepdims:
        return out.reshape([1 if i in axis else n for i, n in enumerate(shape)])
    return out


def sum_over(x: Any, axis: tuple, keepdims: bool = False) -> Any:
    """``x.sum(axis, keepdims=keepdims)`` (``axis``: a tuple of non-negative axes);
    0-d results stay arrays.

    For large NumPy float32/float64 arrays it is one einsum pass, several times
    faster than NumPy's reduction over axes on both sides of a kept one (the
    per-channel sums of an ``(N, C, H, W)`` array); its rounding error is of the
    same order relative to the sum of the magnitudes (NumPy's pairwise sums can
    come closer where the values cancel).
    """
    if type(x) is not numpy.ndarray:
        return x.sum(axis=axis, keepdims=keepdims)
    if x.size >= 4096 and x.ndim <= 26 and x.dtype in _FLOATS:
        return _einsum_sum((x,), axis, keepdims)
    out = _add_reduce(x, axis, None, None, keepdims)
    return out if type(out) is numpy.ndarray else numpy.asarray(out)


_ONES_CACHE = _BoundedCache(64, 1 << 24)


def _ones(xp, n: int, dtype) -> Any:
    key = (n, numpy.dtype(dtype).str, xp.cuda.runtime.getDevice())
    ones = _ONES_CACHE.get(key)
    if ones is None:
        ones = xp.ones(n, dtype=dtype)
        _ONES_CACHE.put(key, ones)
    return ones


def sum(x: Any, axis=None, keepdims: bool = False) -> Any:
    """``x.sum(axis, keepdims=keepdims)``, fast on the GPU for leading axes; NumPy
    float arrays are summed in NumPy 1's order (:func:`sum_in_numpy1_order`).

    CuPy reduces over leading axes (a bias gradient ``gy.sum(axis=0)``) with
    strided reads, many times slower than the memory allows; for a C-contiguous
    float32/float64 array that sum runs here as one matrix-vector product.
    """
    if type(x) is numpy.ndarray:
        one = axis[0] if type(axis) is tuple and len(axis) == 1 else axis
        if x.size <= _NUMPY1_BUFSIZE or (type(one) is int and x.flags.c_contiguous
                                         and 1 < x.shape[-1] <= _NUMPY1_BUFSIZE):
            return _add_reduce(x, axis, None, None, keepdims)  # (NumPy 1's order too)
        return sum_in_numpy1_order(x, axis, keepdims)
    if (isinstance(x, numpy.ndarray) or axis is None or x.dtype.kind != 'f'
            or x.dtype.itemsize < 4 or x.size == 0 or not x.flags.c_contiguous):
        return x.sum(axis=axis, keepdims=keepdims)
    axes = (axis,) if isinstance(axis, int) else tuple(axis)
    axes = tuple(sorted(a % x.ndim for a in axes))
    k = len(axes)
    if k == 0 or k == x.ndim or axes != tuple(range(k)):
        return x.sum(axis=axis, keepdims=keepdims)
    rest = x.shape[k:]
    lead = size_of_shape(x.shape[:k])
    # A bias gradient (2-D, summed over axis 0) needs neither reshape: each is a
    # CuPy call of its own.
    matrix = x if x.ndim == 2 and k == 1 else x.reshape(lead, -1)
    y = _ones(_xp(x), lead, x.dtype) @ matrix
    if keepdims:
        return y.reshape((1,) * k + rest)
    return y if y.ndim == len(rest) else y.reshape(rest)
