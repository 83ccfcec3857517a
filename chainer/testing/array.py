"""Approximate array comparison for tests (``assert_allclose``)."""
from __future__ import annotations

import io
import sys
from typing import Any

import numpy


def _as_numpy(x: Any) -> Any:
    variable_module = sys.modules.get('chainer.variable')
    if variable_module is not None and isinstance(x, variable_module.Variable):
        x = x.array
    if isinstance(x, numpy.ndarray):
        return x
    if type(x).__module__.split('.', 1)[0] == 'cupy':
        return x.get()
    return numpy.asarray(x)


def _error_details(x: numpy.ndarray, y: numpy.ndarray, atol: float, rtol: float) -> str:
    xx = numpy.atleast_1d(x)
    yy = numpy.atleast_1d(y)
    # Errors are computed (and printed) in the inputs' floating dtype, as
    # Chainer did; integers go through float64 so that unsigned ones cannot wrap.
    kind = numpy.result_type(xx.dtype, yy.dtype)
    exact = kind.kind in 'biu'
    if kind.kind not in 'fc':
        kind = numpy.dtype(numpy.float64)
    xf = xx.astype(kind)
    yf = yy.astype(kind)
    err = numpy.abs(xf - yf)
    tol_rtol = rtol * numpy.abs(yf).astype(numpy.float64)
    tol_err = atol + tol_rtol
    with numpy.errstate(invalid='ignore'):
        # NaN wins argmax, pointing at a NaN mismatch when there is one.
        excess = numpy.where(
            numpy.isnan(xf) & numpy.isnan(yf), -numpy.inf, err - tol_err)
    i = tuple(int(k) for k in numpy.unravel_index(numpy.argmax(excess), err.shape))
    rel_err = 'inf' if yf[i] == 0 else err[i] / numpy.abs(yf[i])
    abs_err = int(err[i]) if exact else err[i]
    return (f'  i: {i}\n'
            f'  x[i]: {xx[i]}\n'
            f'  y[i]: {yy[i]}\n'
            f'  relative error[i]: {rel_err}\n'
            f'  absolute error[i]: {abs_err}\n'
            f'  relative tolerance * |y[i]|: {tol_rtol[i]}\n'
            f'  absolute tolerance: {atol}\n'
            f'  total tolerance: {tol_err[i]}\n')


def assert_allclose(x: Any, y: Any, atol: float = 1e-5, rtol: float = 1e-4,
                    verbose: bool = True) -> None:
    """Asserts that ``x`` and ``y`` are equal within tolerances.

    ``x`` and ``y`` may be NumPy or CuPy arrays, Variables or scalars; both
    are compared on the CPU.  The check is ``|x - y| <= atol + rtol * |y|``
    elementwise, as :func:`numpy.testing.assert_allclose`.
    """
    x = _as_numpy(x)
    y = _as_numpy(y)
    try:
        numpy.testing.assert_allclose(x, y, atol=atol, rtol=rtol, verbose=verbose)
    except AssertionError as e:
        f = io.StringIO()
        f.write(str(e) + '\n\n')
        f.write('assert_allclose failed:\n'
                f'  shape: {x.shape} {y.shape}\n'
                f'  dtype: {x.dtype} {y.dtype}\n')
        if x.shape == y.shape and x.size > 0:
            try:
                f.write(_error_details(x, y, atol, rtol))
            except (TypeError, ValueError):
                pass  # e.g. object arrays: numpy's own message must do
        # (the threshold passed, not set: NumPy 2.0's print options are the process's)
        f.write('x: ' + numpy.array2string(x, prefix='x: ', threshold=10000) + '\n')
        f.write('y: ' + numpy.array2string(y, prefix='y: ', threshold=10000) + '\n')
        raise AssertionError(f.getvalue()) from None
