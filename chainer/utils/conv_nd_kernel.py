"""Front ends of the CUDA kernels behind N-dimensional im2col / col2im.

The kernel sources come from :mod:`chainer.utils._window_kernels` (one source per
number of spatial axes, sizes passed as runtime scalars).  The classes here give them
the shape Chainer's module had: ``generate(ndim)`` returns the
``(in_params, out_params, operation, name)`` tuple of an elementwise kernel (no CuPy
needed), ``kernel(ndim)`` compiles it through :func:`chainer.backends.cuda.elementwise`
(CuPy required).  The parameter order is that of ``_window_kernels``, not Chainer's.

The small functions build C expressions as strings; they are kept for code that
writes its own N-d kernels.
"""
from __future__ import annotations

import functools
from typing import Any, Callable, Iterable, Sequence

from chainer.backends import cuda
from chainer.utils import _window_kernels

__all__ = ['Col2imNDKernel', 'Im2colNDKernel', 'Writer', 'andexp', 'map_', 'muladdexp',
           'mulexp', 'succ_sublists', 'vars']


def _join(op: str, xs: Iterable[str], init: str | None) -> str:
    items = list(xs)
    if init is not None:
        items.insert(0, init)
    if not items:
        raise ValueError('an expression needs at least one operand')
    return f' {op} '.join(str(x) for x in items)


def mulexp(xs: Iterable[str], init: str | None = None) -> str:
    """The product ``init * x0 * x1 ...`` of C expressions (``init`` optional)."""
    return _join('*', xs, init)


def andexp(xs: Iterable[str], init: str | None = None) -> str:
    """The conjunction ``init && x0 && x1 ...`` of C expressions (``init`` optional)."""
    return _join('&&', xs, init)


def muladdexp(xs: Sequence[str], ys: Sequence[str], init: str | None = None) -> str:
    """The row-major flat index ``(y1 + x1 * (y0 + x0 * init))`` of coordinates ``ys``
    in an array of extents ``xs``; without ``init`` the first coordinate starts it."""
    pairs = list(zip(xs, ys))
    if init is None:
        if not pairs:
            raise ValueError('an expression needs at least one operand')
        expr = str(pairs.pop(0)[1])
    else:
        expr = str(init)
    for x, y in pairs:
        expr = f'({y} + {x} * {expr})'
    return expr


def map_(fn: Callable, *lists: Iterable) -> list:
    """``list(map(fn, *lists))``."""
    return list(map(fn, *lists))


def succ_sublists(xs: Sequence) -> list:
    """The suffixes ``[xs[0:], xs[1:], ..., xs[-1:]]`` of ``xs``."""
    return [xs[i:] for i in range(len(xs))]


def vars(prefix: str, n: int) -> list:  # noqa: A001 - Chainer's name
    """The variable names ``[prefix_0, ..., prefix_{n-1}]``."""
    return [f'{prefix}_{i}' for i in range(n)]


class Writer:
    """Collects lines of C source with two-space indentation.

    ``indent`` of :meth:`write`: ``'inc'`` indents the lines after this one,
    ``'dec'`` dedents this line and the following, ``'decinc'`` dedents only this one.
    """

    def __init__(self) -> None:
        self._level = 0
        self._lines: list[str] = []

    def write(self, line: str, indent: str | None = None) -> None:
        if indent not in (None, 'inc', 'dec', 'decinc'):
            raise ValueError(f'unknown indent: {indent!r}')
        if indent in ('dec', 'decinc'):
            self._level -= 1
        self._lines.append('  ' * self._level + line)
        if indent in ('inc', 'decinc'):
            self._level += 1

    def get(self) -> str:
        """The source written so far."""
        return '\n'.join(self._lines)


class _NDKernel:
    """A kernel source generated per number of spatial axes."""

    _spec: Callable[..., tuple]

    @classmethod
    def generate(cls, ndim: int, idx: str = 'int') -> tuple:
        """``(in_params, out_params, operation, name)`` for ``ndim`` spatial axes;
        ``idx`` is the C type of flat indices (``'int'`` or ``'long long'``)."""
        if ndim < 1:
            raise ValueError(f'ndim must be positive, got {ndim}')
        return cls._spec(ndim, idx)

    @classmethod
    def kernel(cls, ndim: int, idx: str = 'int') -> Any:
        """The compiled ``cupy.ElementwiseKernel`` (needs CuPy)."""
        return _compile(cls.generate(ndim, idx))


@functools.lru_cache(maxsize=None)
def _compile(spec: tuple) -> Any:
    return cuda.elementwise(*spec)


class Im2colNDKernel(_NDKernel):
    """N-d patch extraction: ``x`` ``(n, c, *d)`` -> ``col`` ``(c, *k, *o, n)``
    (see :func:`chainer.utils._window_kernels.im2col_spec`)."""

    _spec = staticmethod(_window_kernels.im2col_spec)


class Col2imNDKernel(_NDKernel):
    """Adjoint of :class:`Im2colNDKernel`: ``col`` ``(c, *k, *o, n)`` summed into a
    batch-last image ``(c, *d, n)`` (see :func:`chainer.utils._window_kernels.col2im_spec`)."""

    _spec = staticmethod(_window_kernels.col2im_spec)
