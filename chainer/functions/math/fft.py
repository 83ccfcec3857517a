"""One-dimensional discrete Fourier transform of complex data held as (real, imag)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class FFT(function_node.FunctionNode):
    """FFT (``method='fft'``) or inverse FFT (``'ifft'``) along the last axis."""

    def __init__(self, method: str) -> None:
        if method not in ('fft', 'ifft'):
            raise ValueError(f"method must be 'fft' or 'ifft', not {method!r}")
        self._method = method

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('real', 'imag'))
        r_type, i_type = in_types
        type_check.expect(
            r_type.dtype.kind == 'f',
            r_type.ndim > 0,
            r_type.shape == i_type.shape,
            r_type.dtype == i_type.dtype,
        )

    def forward(self, inputs):
        real, imag = inputs
        xp = backend.get_array_module(real)
        dtype = real.dtype
        # NumPy 1 transformed every input in double precision, so Chainer's CPU
        # results were rounded once from it; cuFFT keeps single precision.
        if dtype == numpy.float64 or xp is numpy:
            ctype = numpy.complex128
        else:
            ctype = numpy.complex64
        # real + imag * 1j as Chainer wrote it (a non-finite imag makes the real
        # part NaN), in place: each step is exact, so the bits are the same.
        x = imag.astype(ctype)
        x *= ctype(1j)
        x += real
        if x.shape[-1] == 0:
            y = x
        elif xp is numpy:
            # in place: one complex temporary (megabyte-sized temporaries cost
            # page faults on every call where the allocator returns them)
            y = getattr(numpy.fft, self._method)(x, out=x)
        else:
            y = getattr(xp.fft, self._method)(x)
        return (utils.force_array(y.real.astype(dtype)),
                utils.force_array(y.imag.astype(dtype)))

    def backward(self, indexes, grad_outputs):
        gr, gi = grad_outputs
        if gr is None:
            gr = gi.xp.zeros_like(gi.array)
        if gi is None:
            gi = gr.xp.zeros_like(gr.array)
        # The DFT matrix F is symmetric, so F^H g = swap(F(swap(g))) where swap
        # exchanges the real and imaginary parts (and likewise for the inverse).
        gxi, gxr = FFT(self._method).apply((gi, gr))
        return gxr, gxi


def _split(x, name: str):
    # Chainer unpacks ``real, imag = x``, so a (2, ...) array or Variable works too.
    try:
        real, imag = x
    except (TypeError, ValueError) as e:
        # The category Chainer's unpacking raised: TypeError for a non-iterable,
        # ValueError for a sequence of another length.
        raise type(e)(
            f'{name} takes a pair (real, imag) of two arrays or Variables, got '
            f'{type(x).__name__}{getattr(x, "shape", "")}') from None
    return real, imag


def fft(x: VariableOrArray) -> tuple[Variable, Variable]:
    """FFT along the last axis of ``x = (real, imag)``; returns ``(real, imag)``."""
    real, imag = _split(x, 'fft')
    return FFT('fft').apply((real, imag))


def ifft(x: VariableOrArray) -> tuple[Variable, Variable]:
    """Inverse FFT along the last axis of ``x = (real, imag)``; returns ``(real, imag)``."""
    real, imag = _split(x, 'ifft')
    return FFT('ifft').apply((real, imag))
