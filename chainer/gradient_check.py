"""Numerical differentiation and gradient checks for differentiable code.

:func:`numerical_grad` computes central differences of a function of arrays;
:func:`check_backward` and :func:`check_double_backward` compare the
gradients that backpropagation gives with numerical ones.
"""
from __future__ import annotations

import io
import warnings
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

import numpy

import chainer
from chainer.utils.error import _format_array_props, _TypeAssertionError, _ValueAssertionError

if TYPE_CHECKING:
    from chainer.types import DTypeSpec

__all__ = ['NondifferentiableError', 'assert_allclose', 'check_backward',
           'check_double_backward', 'numerical_grad']


class NondifferentiableError(Exception):
    """Raised when a numerical gradient is taken at a non-differentiable point."""


def assert_allclose(x: Any, y: Any, atol: float = 1e-5, rtol: float = 1e-4,
                    verbose: bool = True) -> None:
    """Deprecated, as in Chainer: :func:`chainer.testing.assert_allclose`."""
    warnings.warn('chainer.gradient_check.assert_allclose is deprecated; use '
                  'chainer.testing.assert_allclose', DeprecationWarning)
    # chainer.testing imports this module: look it up at call time.
    from chainer.testing.array import assert_allclose as testing_assert_allclose
    testing_assert_allclose(x, y, atol, rtol, verbose)


# ---------------------------------------------------------------------------
# small helpers

def _xp_of(*arrays: Any) -> Any:
    return chainer.backend.get_array_module(*arrays)


def _is_array(x: Any) -> bool:
    return isinstance(x, chainer.backend.get_array_types())


def _array_or_none(x: Any, name: str) -> Any:
    """``x`` (a NumPy scalar made a 0-d array) if it is an array or None; else ``TypeError``
    naming it as ``name``."""
    if isinstance(x, numpy.generic):
        x = numpy.asarray(x)
    if x is not None and not _is_array(x):
        raise TypeError(f'{name} must be an array or None, not {type(x).__name__}')
    return x


def _as_tuple(x: Any) -> tuple:
    if isinstance(x, tuple):
        return x
    if isinstance(x, list):
        return tuple(x)
    return (x,)


def _to_cpu(a: Any) -> Any:
    if a is None or isinstance(a, numpy.ndarray):
        return a
    if hasattr(a, 'get'):  # CuPy
        return a.get()
    return numpy.asarray(a)


def _quadratic_residual_projector() -> numpy.ndarray:
    # Least-squares fit of a quadratic to samples at five equally spaced
    # points (t = -2..2; the fit error does not depend on the scale): the residual
    # of samples Y is (I - V V^+) Y, a constant 5x5 matrix.
    t = numpy.arange(-2.0, 3.0)
    v = numpy.stack([numpy.ones_like(t), t, t * t], axis=1)
    return numpy.eye(5) - v @ numpy.linalg.pinv(v)


_PROJECTOR = _quadratic_residual_projector()


# ---------------------------------------------------------------------------
# numerical_grad

def numerical_grad(f: Callable[[], Any], inputs: Sequence[Any], grad_outputs: Sequence[Any],
                   eps: float = 1e-3, detect_nondifferentiable: bool = False,
                   diff_atol: float = 0, diff_rtol: float = 1e-2,
                   center_outputs: Sequence[Any] | None = None) -> list:
    """Computes the gradient of ``f`` by central finite differences.

    Args:
        f: Function with no arguments that computes the outputs (an array or
            a tuple of arrays) from the current values of ``inputs``.
        inputs: Tuple of float arrays. Each element is perturbed in place
            (and restored afterwards) while ``f`` is evaluated; the perturbed
            value is computed in float64 and rounded once to the input dtype.
        grad_outputs: Upstream gradients, one per output of ``f``; an entry
            may be a scalar or ``None`` (the output is then ignored).
        eps: Step of the finite differences.
        detect_nondifferentiable: If ``True``, ``f`` is evaluated at five
            points ``x - eps, x - eps/2, x, x + eps/2, x + eps`` per element
            and a quadratic is fitted to each output element over them.
            :class:`NondifferentiableError` is raised when an output is
            finite at some of the points and not at others, or when the RMS
            error of the fit exceeds ``diff_atol + diff_rtol * (max - min)``
            of that element's samples (constant elements never fail). The
            gradient then uses the five-point stencil, which is more
            accurate.
        diff_atol: Absolute tolerance of the quadratic fit's RMS error.
        diff_rtol: Tolerance of the fit error relative to the range of the
            output element's samples.
        center_outputs: Accepted and ignored, as in Chainer 7.8.1: the
            outputs at the unperturbed inputs are always computed by ``f``,
            in float64.

    Returns:
        list: The gradient arrays, one per input with its shape and dtype.
    """
    if not isinstance(inputs, (tuple, list)):
        raise _TypeAssertionError(
            f'inputs must be a tuple or list of arrays, not {type(inputs).__name__}')
    if not isinstance(grad_outputs, (tuple, list)):
        raise TypeError(
            'grad_outputs must be a tuple or list of arrays, scalars or None, '
            f'not {type(grad_outputs).__name__}')
    if not eps > 0:
        raise AssertionError(f'eps must be a positive number, got {eps!r}')
    inputs = tuple(inputs)
    for i, x in enumerate(inputs):
        if not _is_array(x):
            raise TypeError(f'inputs[{i}] must be an array, not {type(x).__name__}')
        if x.dtype.kind != 'f':
            raise RuntimeError(
                'The dtype of input arrays must be kind of float '
                f'(inputs[{i}] has dtype {x.dtype})')

    gys = []
    for gy in grad_outputs:
        if gy is None:
            gys.append(None)
        elif numpy.isscalar(gy) or isinstance(gy, numpy.generic):
            gys.append(numpy.float64(gy))
        else:
            gys.append(gy.astype(numpy.float64))

    arrays = [a for a in inputs + tuple(gys) if a is not None and _is_array(a)]
    if len({id(_xp_of(a)) for a in arrays}) > 1:
        raise RuntimeError('Do not mix GPU and CPU arrays in `numerical_grad`')
    xp = _xp_of(*inputs) if inputs else numpy

    out_dtypes: list = []

    def evaluate() -> list:
        # Without type checks, as Chainer: under check_backward's dtype= the
        # checked arrays are cast while arrays f holds itself (constants, a
        # link's parameters that are not checked) keep their dtype.
        with chainer.using_config('type_check', False):
            ys = _as_tuple(f())
        if len(ys) != len(gys):
            raise _ValueAssertionError(
                f'f returned {len(ys)} output(s) but {len(gys)} grad_outputs '
                'were given')
        result = []
        dtypes = []
        for i_out, (y, gy) in enumerate(zip(ys, gys)):
            if y is None:
                if gy is not None:
                    raise _ValueAssertionError(
                        f'output {i_out} of f is None but its grad_output is not')
                result.append(None)
                dtypes.append(None)
                continue
            if isinstance(y, chainer.Variable):
                y = y.array
            y = xp.asarray(y)
            if gy is not None and not numpy.isscalar(gy) and gy.shape != y.shape:
                raise _ValueAssertionError(
                    f'grad_outputs[{i_out}] has shape {gy.shape} but output '
                    f'{i_out} of f has shape {y.shape}')
            dtypes.append(y.dtype)
            # astype copies: f may return views of the inputs modified below.
            result.append(y.astype(numpy.float64))
        if not out_dtypes:
            out_dtypes.extend(dtypes)
        return result

    if detect_nondifferentiable:
        offsets = (-1.0, -0.5, 0, 0.5, 1.0)
        center = evaluate()
        projector = xp.asarray(_PROJECTOR)
    else:
        offsets = (-1.0, 1.0)
        center = None
        projector = None

    grads = [xp.zeros(x.shape, dtype=numpy.float64) for x in inputs]
    for i_in, (x, gx) in enumerate(zip(inputs, grads)):
        for index in numpy.ndindex(x.shape):
            orig = x[index].copy()
            yss = []
            try:
                for k in offsets:
                    if k == 0:
                        yss.append(center)
                        continue
                    x[index] = orig.astype(numpy.float64) + k * eps
                    yss.append(evaluate())
            finally:
                x[index] = orig

            if detect_nondifferentiable:
                _check_differentiable(
                    xp, projector, yss, out_dtypes, diff_atol, diff_rtol,
                    i_in, x, index, eps)

            for i_out, gy in enumerate(gys):
                if gy is None or yss[0][i_out] is None:
                    continue
                if detect_nondifferentiable:
                    # Five-point stencil with step eps / 2.
                    ym2, ym1, _, yp1, yp2 = (ys[i_out] for ys in yss)
                    dot = ((-yp2 + 8 * yp1 - 8 * ym1 + ym2) * gy).sum()
                    gx[index] = gx[index] + dot / (6 * eps)
                else:
                    dot = ((yss[1][i_out] - yss[0][i_out]) * gy).sum()
                    gx[index] = gx[index] + dot / (2 * eps)

    return [g.astype(x.dtype, copy=False) for g, x in zip(grads, inputs)]


def _check_differentiable(xp, projector, yss, out_dtypes, diff_atol, diff_rtol,
                          i_in, x, index, eps) -> None:
    labels = ('x-eps', 'x-eps/2', 'x', 'x+eps/2', 'x+eps')

    def fail(i_out: int, reason: str, fit: tuple = ()) -> None:
        f = io.StringIO()
        f.write('Tried to compute the numeric gradient on a non-differentiable point.\n\n')
        f.write(f'reason: {reason}\n')
        f.write(f'i_in: {i_in}\n')
        f.write(f'i_out: {i_out}\n')
        f.write(f'x: {x}\n')
        f.write(f'index on x: {index}\n')
        f.write(f'eps: {eps}\n')
        if fit:
            shape = yss[0][i_out].shape
            ymax, ymin, tol, rms = (a.reshape(shape) for a in fit)
            f.write(f'diff_rtol: {diff_rtol}\n')
            f.write(f'diff_atol: {diff_atol}\n')
            f.write(f'ymax: {ymax}\n')
            f.write(f'ymin: {ymin}\n')
            f.write(f'tolerance: {tol}\n')
            f.write(f'fitting errors: {rms}\n')
        for label, ys in zip(labels, yss):
            f.write(f'y[{label:7}]: {ys[i_out]}\n')
        raise NondifferentiableError(f.getvalue())

    for i_out in range(len(yss[0])):
        if yss[0][i_out] is None:
            continue
        stack = xp.stack([ys[i_out].ravel() for ys in yss])  # (5, size)
        finite = xp.isfinite(stack)
        all_finite = finite.all(axis=0)
        if bool((finite.any(axis=0) & ~all_finite).any()):
            fail(i_out, 'the output is finite at some of the points and not at others')
        # Outputs that are non-finite at all points (e.g. log below 0) are
        # left alone: the function is consistently undefined there.
        stack = xp.where(all_finite[None], stack, 0.0)
        residual = projector @ stack
        rms = xp.sqrt((residual * residual).sum(axis=0) / 5)
        ymax = stack.max(axis=0)
        ymin = stack.min(axis=0)
        tol = diff_atol + diff_rtol * (ymax - ymin)
        dtype = out_dtypes[i_out] if i_out < len(out_dtypes) else None
        if dtype is not None and numpy.dtype(dtype).kind == 'f':
            # Misfit below the output's own rounding resolution is noise.
            tol = tol + 4 * float(numpy.finfo(dtype).eps) * xp.maximum(
                abs(ymax), abs(ymin))
        bad = (rms > tol) & (ymax != ymin) & all_finite
        if bool(bad.any()):
            fail(i_out, 'the outputs around the point do not fit a smooth (quadratic) curve',
                 (ymax, ymin, tol, rms))


# ---------------------------------------------------------------------------
# check_backward

def _check_outputs(ys: Any, who: str = 'func') -> tuple:
    ys = _as_tuple(ys)
    for i, y in enumerate(ys):
        if not isinstance(y, chainer.Variable):
            raise TypeError(
                f'{who} must return a Variable or a tuple of Variables; '
                f'output {i} is {type(y).__name__}')
    return ys


def _check_grad_outputs(ys: Sequence[Any], gys: Sequence[Any]) -> None:
    if len(ys) != len(gys):
        raise ValueError(
            'Output gradients must contain equally as many elements as the number '
            f'of output elements.\n{len(gys)} != {len(ys)}')
    for y, gy in zip(ys, gys):
        if gy is None:
            continue
        if tuple(y.shape) != tuple(gy.shape) or y.dtype != gy.dtype:
            raise ValueError(
                'Shapes and/or dtypes of outputs and output gradients do not match.\n'
                f'Output shapes and dtypes         : {_format_array_props(ys)}\n'
                f'Output gradient shapes and dtypes: {_format_array_props(gys)}')


def _run_backward(ys: Sequence[Any], gys: Sequence[Any], **kwargs: Any) -> None:
    pairs = [(y, gy) for y, gy in zip(ys, gys) if gy is not None and y.requires_grad]
    if not pairs:
        return
    chainer.backward([y for y, _ in pairs],
                     [gy if isinstance(gy, chainer.Variable) else
                      chainer.Variable(gy, requires_grad=False) for _, gy in pairs],
                     **kwargs)


def _arrays_equal(a: Any, b: Any) -> bool:
    xp = _xp_of(a)
    if a.shape != b.shape:
        return False
    if a.dtype.kind in 'fc':
        return bool(xp.all((a == b) | (xp.isnan(a) & xp.isnan(b))))
    return bool(xp.all(a == b))


class _CheckBackward:
    """One run of :func:`check_backward` (kept as an object for its state)."""

    def __init__(self, func, x_data, y_grad, params, eps, atol, rtol, no_grads, dtype,
                 detect_nondifferentiable):
        self.func = func
        self.xs = self._normalize_inputs(x_data)
        self.loss_mode = y_grad is None
        self.gys = None if y_grad is None else self._normalize_grads(y_grad)
        self.params = self._normalize_params(params)
        if numpy.ndim(eps) != 0 or not eps > 0:
            raise AssertionError(f'eps must be a positive number, got {eps!r}')
        self.eps = eps
        self.atol = atol
        self.rtol = rtol
        if dtype is not None:
            dtype = numpy.dtype(dtype)
            if dtype.kind != 'f':
                raise ValueError(f'`dtype` is allowed only float type, got {dtype}')
        self.dtype = dtype
        self.detect_nondifferentiable = detect_nondifferentiable

        auto = [x is None or x.dtype.kind != 'f' for x in self.xs]
        if no_grads is None:
            self.no_grads = auto
        else:
            no_grads = list(no_grads)
            if len(no_grads) != len(self.xs):
                raise ValueError(
                    'Length of no_grads param and xs should be same.\n'
                    f'Actual: {len(no_grads)} != {len(self.xs)}')
            # Non-float inputs can have no gradient whatever no_grads says.
            self.no_grads = [bool(n) or a for n, a in zip(no_grads, auto)]

    @staticmethod
    def _normalize_inputs(x_data) -> tuple:
        xs = []
        for i, x in enumerate(_as_tuple(x_data)):
            if isinstance(x, chainer.Variable):
                raise TypeError(
                    f'x_data[{i}] is a Variable; check_backward takes arrays '
                    '(it wraps them in Variables itself)')
            xs.append(_array_or_none(x, f'x_data[{i}]'))
        return tuple(xs)

    @staticmethod
    def _normalize_grads(y_grad) -> tuple:
        return tuple(_array_or_none(gy.array if isinstance(gy, chainer.Variable) else gy,
                                    f'y_grad[{i}]')
                     for i, gy in enumerate(_as_tuple(y_grad)))

    @staticmethod
    def _normalize_params(params) -> tuple:
        params = _as_tuple(params)
        for i, p in enumerate(params):
            if not isinstance(p, chainer.Variable):
                raise TypeError(
                    f'params[{i}] must be a Variable or Parameter, not {type(p).__name__}')
        return params

    # -- the analytical side -------------------------------------------------

    def _forward(self):
        """Runs ``func`` once; sets the output gradients of a loss function."""
        originals = [None if x is None else x.copy() for x in self.xs]
        x_vars = [None if x is None else
                  chainer.Variable(x, requires_grad=x.dtype.kind == 'f') for x in self.xs]
        ys = _check_outputs(self.func(*x_vars))

        for i, (x, orig) in enumerate(zip(self.xs, originals)):
            if x is not None and not _arrays_equal(x, orig):
                raise AssertionError(
                    f'func modified its input x_data[{i}] in place; inputs must be '
                    'left unchanged')

        if self.loss_mode:
            if not (len(ys) == 1 and tuple(ys[0].shape) == ()):
                raise ValueError(
                    'y_grad argument cannot be omitted if the target function is not '
                    'a loss function, which has a single output with shape ().\n'
                    f'Actual output shapes: {", ".join(str(y.shape) for y in ys)}')
            self.gys = (ys[0].xp.ones_like(ys[0].array),)
        else:
            _check_grad_outputs(ys, self.gys)

        # func may have run backward itself (e.g. check_double_backward).
        for v in x_vars:
            if v is not None:
                v.cleargrad()
        for p in self.params:
            p.cleargrad()
        return x_vars, ys

    def _backward_gradients(self, x_vars, ys):
        _run_backward(ys, self.gys)

        for i, (x, v, no_grad) in enumerate(zip(self.xs, x_vars, self.no_grads)):
            if v is None:
                continue
            if no_grad:
                if v.grad is not None:
                    raise RuntimeError(
                        f'gradient of x_data[{i}] must be None (it is marked as '
                        'no_grads or is not of a float dtype), but backward computed one')
                continue
            g = v.grad
            if g is not None and (g.shape != x.shape or g.dtype != x.dtype):
                raise AssertionError(
                    f'gradient of x_data[{i}] has shape {g.shape} and dtype {g.dtype}, '
                    f'expected shape {x.shape} and dtype {x.dtype}')

        gxs = [None if v is None or no_grad or v.grad is None else v.grad.copy()
               for v, no_grad in zip(x_vars, self.no_grads)]
        gparams = []
        for i, p in enumerate(self.params):
            g = p.grad
            if g is not None and (g.shape != p.shape or g.dtype != p.dtype):
                raise AssertionError(
                    f'gradient of params[{i}] has shape {g.shape} and dtype {g.dtype}, '
                    f'expected shape {p.shape} and dtype {p.dtype}')
            gparams.append(None if g is None else g.copy())
        return gxs, gparams

    # -- directions and the numerical side ----------------------------------

    def _sample_directions(self):
        """A random unit vector over the checked inputs and params (float64).

        One ``normal`` draw of the total size on the inputs' device, rescaled
        so that every element is at least ``0.1 / sqrt(size)`` in magnitude,
        as Chainer draws it (so a seeded test sees the same directions).
        """
        for i, p in enumerate(self.params):
            if p.array is None:
                raise RuntimeError(f'params[{i}] is not initialized after the forward pass')
        targets = [None if no_grad else x for x, no_grad in zip(self.xs, self.no_grads)]
        targets += [p.array for p in self.params]
        present = [a for a in targets if a is not None]
        device = (chainer.backend.get_device_from_array(present[0]) if present
                  else chainer.backend.CpuDevice())
        xp = device.xp
        size = sum(a.size for a in present)
        with chainer.using_device(device):
            d = self._sample_unit_vector(size, xp)
        dirs = []
        start = 0
        for a in targets:
            if a is None:
                dirs.append(None)
            else:
                dirs.append(d[start:start + a.size].reshape(a.shape))
                start += a.size
        return dirs[:len(self.xs)], dirs[len(self.xs):]

    @staticmethod
    def _sample_unit_vector(size: int, xp: Any) -> Any:
        """A random unit vector of ``size`` on the current device whose elements are
        all at least ``0.1 / sqrt(size)`` in magnitude (Chainer's helper name)."""
        d = xp.random.normal(size=(size,))
        if size:
            sq = xp.square(d)
            d = xp.copysign(xp.sqrt((0.99 / sq.sum()) * sq + 0.01 / size), d)
        return d

    def _cast(self, a):
        if a is None or self.dtype is None or a.dtype.kind != 'f':
            return a
        return a.astype(self.dtype, copy=False)

    def _numerical_directional(self, x_dirs, p_dirs):
        xs = [self._cast(x) for x in self.xs]
        p_orig = [p.array for p in self.params]
        p_cast = [self._cast(a) for a in p_orig]
        ref = next((a for a in list(xs) + p_cast if a is not None), None)
        xp = numpy if ref is None else _xp_of(ref)
        delta = xp.zeros((), dtype=numpy.float64)

        def perturb(a, d, t):
            if d is None:
                return a
            # 0-d arithmetic gives NumPy scalars; Variables need arrays.
            return chainer.utils.force_array(a.astype(numpy.float64) + t * d, a.dtype)

        def g():
            t = float(delta)
            x_vars = []
            for x, d in zip(xs, x_dirs):
                if x is None:
                    x_vars.append(None)
                else:
                    a = perturb(x, d, t)
                    x_vars.append(chainer.Variable(a, requires_grad=a.dtype.kind == 'f'))
            for p, a, d in zip(self.params, p_cast, p_dirs):
                p.array = perturb(a, d, t)
                # As Chainer: a func may run backward itself, and the check
                # leaves the params without gradients.
                p.cleargrad()
            try:
                ys = _check_outputs(self.func(*x_vars))
            finally:
                for p, a in zip(self.params, p_orig):
                    p.array = a
            return tuple(y.array for y in ys)

        try:
            # The fit tolerance follows the comparison's rtol, as in Chainer:
            # a check run with loose tolerances accepts a rougher curve.
            gx, = numerical_grad(g, (delta,), self.gys, eps=self.eps,
                                 detect_nondifferentiable=self.detect_nondifferentiable,
                                 diff_atol=0, diff_rtol=self.rtol)
        except NondifferentiableError as e:
            f = io.StringIO()
            f.write(str(e))
            f.write('\nThe point was met by check_backward, which differentiates '
                    'numerically along a random direction of all inputs at once; '
                    'x above is the step along that direction.\n')
            self._write_inputs(f, x_dirs, p_dirs)
            raise NondifferentiableError(f.getvalue()) from e
        return float(gx)

    def _write_inputs(self, f, x_dirs, p_dirs):
        for i, x in enumerate(self.xs):
            f.write(f'inputs[{i}]:\n{x}\n')
        for i, gy in enumerate(self.gys or ()):
            f.write(f'grad_outputs[{i}]:\n{gy}\n')
        for i, p in enumerate(self.params):
            f.write(f'params[{i}]:\n{p.array}\n')
        for i, d in enumerate(x_dirs):
            f.write(f'directions[{i}]:\n{d}\n')
        for i, d in enumerate(p_dirs):
            f.write(f'directions[params {i}]:\n{d}\n')

    # -- comparison -----------------------------------------------------------

    def run(self) -> None:
        x_vars, ys = self._forward()
        x_dirs, p_dirs = self._sample_directions()
        gxs, gparams = self._backward_gradients(x_vars, ys)

        contributions = []
        for g, d in zip(gxs + gparams, x_dirs + p_dirs):
            if g is None or d is None:
                contributions.append(None)
            else:
                contributions.append(float((g.astype(numpy.float64) * d).sum()))
        backward = sum(c for c in contributions if c is not None)

        numeric = self._numerical_directional(x_dirs, p_dirs)

        both_nan = numpy.isnan(numeric) and numpy.isnan(backward)
        if both_nan or abs(numeric - backward) <= self.atol + self.rtol * abs(backward):
            return

        f = io.StringIO()
        f.write(f'check_backward failed (eps={self.eps} atol={self.atol} rtol={self.rtol})\n')
        f.write('The directional derivatives along a random unit direction differ:\n')
        f.write(f'  gradients (numeric):  {numeric!r}\n')
        f.write(f'  gradients (backward): {backward!r}\n')
        f.write(f'  difference: {abs(numeric - backward)!r} > tolerance '
                f'{self.atol + self.rtol * abs(backward)!r} (atol + rtol * |backward|)\n')
        n = len(self.xs)
        for i, c in enumerate(contributions):
            who = f'inputs[{i}]' if i < n else f'params[{i - n}]'
            if c is not None:
                f.write(f'  backward contribution of {who}: {c!r}\n')
            elif i < n and self.xs[i] is not None and not self.no_grads[i]:
                f.write(f'  backward contribution of {who}: 0 (its gradient is None)\n')
        f.write('\n')
        self._write_inputs(f, x_dirs, p_dirs)
        raise AssertionError(f.getvalue())


def check_backward(func: Callable[..., Any], x_data: Any, y_grad: Any, params: Any = (),
                   eps: float = 1e-3, atol: float = 1e-5, rtol: float = 1e-4,
                   no_grads: Sequence[bool] | None = None, dtype: DTypeSpec | None = None,
                   detect_nondifferentiable: bool = False) -> None:
    """Checks the backward computation of ``func`` against numerical gradients.

    ``func`` is called with Variables wrapping ``x_data`` and must return a
    Variable or a tuple of Variables. Backpropagation from ``y_grad`` gives
    the gradients of the inputs and ``params``; they are compared with a
    numerical gradient along one random unit direction over all of them,
    which needs two (five with ``detect_nondifferentiable``) evaluations only.

    Args:
        func: Function under test.
        x_data: Input array, or tuple of arrays (``None`` entries allowed).
        y_grad: Output gradient(s); ``None`` for a loss function, i.e. one
            output of shape ``()`` (the gradient 1 is then used).
        params: Variables (e.g. a link's Parameters) whose gradients are also
            checked.
        eps: Step of the finite differences.
        atol: Absolute tolerance.
        rtol: Relative tolerance.
        no_grads: One bool per input: ``True`` marks an input that must get no
            gradient (``None`` grad). Non-float inputs never get one.
        dtype: Float dtype the inputs, parameters and output gradients are
            cast to for the numerical gradient (e.g. ``numpy.float64``).
        detect_nondifferentiable: Raise :class:`NondifferentiableError` when
            the inputs lie at a non-differentiable point.

    Raises:
        AssertionError: The gradients do not match.
    """
    _CheckBackward(func, x_data, y_grad, params, eps, atol, rtol, no_grads, dtype,
                   detect_nondifferentiable).run()


def check_double_backward(func: Callable[..., Any], x_data: Any, y_grad: Any, x_grad_grad: Any,
                          params: Any = (), params_grad_grad: Any = (), eps: float = 1e-3,
                          atol: float = 1e-4, rtol: float = 1e-3,
                          no_grads: Sequence[bool] | None = None, dtype: DTypeSpec | None = None,
                          detect_nondifferentiable: bool = False) -> None:
    """Checks the second-order gradient of ``func`` numerically.

    The first-order gradient (computed by backprop with double backprop
    enabled) is treated as a function of the inputs *and* of ``y_grad`` and
    checked by :func:`check_backward` with ``x_grad_grad`` (one entry per
    float input) and ``params_grad_grad`` as its output gradients. The
    first-order gradient itself is assumed correct; test it with
    :func:`check_backward` first. ``no_grads`` has one entry per input, or
    one per input and per output gradient.
    """
    # NumPy scalars are taken as 0-d arrays, as check_backward takes them.
    xs = tuple(_array_or_none(x, f'x_data[{i}]') for i, x in enumerate(_as_tuple(x_data)))
    loss_mode = y_grad is None
    gys = () if loss_mode else _as_tuple(y_grad)
    params = _as_tuple(params)
    ggxs = _as_tuple(x_grad_grad)
    ggparams = _as_tuple(params_grad_grad)
    n_x = len(xs)
    first_no_gxs = [x is None or x.dtype.kind != 'f' for x in xs]
    n_grads = first_no_gxs.count(False)
    if len(ggxs) != n_grads:
        raise ValueError(
            f'x_grad_grad must have one entry per float input ({n_grads}), '
            f'got {len(ggxs)}')
    if len(ggparams) != len(params):
        raise ValueError(
            f'params_grad_grad must have one entry per param ({len(params)}), '
            f'got {len(ggparams)}')

    if no_grads is not None:
        no_grads = list(no_grads)
        if len(no_grads) == n_x:
            no_grads += [gy is None or gy.dtype.kind != 'f' for gy in gys]
        elif len(no_grads) != n_x + len(gys):
            raise ValueError(
                'Length of no_grads param should be the number of inputs '
                f'({n_x}) or of inputs and output gradients ({n_x + len(gys)}).\n'
                f'Actual: {len(no_grads)}')

    def first_order_grad(*inputs):
        x_vars = inputs[:n_x]
        gy_vars = inputs[n_x:]
        for p in params:
            p.cleargrad()
        ys = _check_outputs(func(*x_vars))
        if loss_mode:
            if not (len(ys) == 1 and tuple(ys[0].shape) == ()):
                raise ValueError(
                    'y_grad argument cannot be omitted if the target function is not '
                    'a loss function, which has a single output with shape ().')
            gy_vars = [chainer.Variable(ys[0].xp.ones_like(ys[0].array),
                                        requires_grad=False)]
        else:
            if len(ys) != len(gy_vars):
                raise ValueError(
                    'Output gradients must contain equally as many elements as the '
                    f'number of output elements.\n{len(gy_vars)} != {len(ys)}')
            # The numerical side may hand over gradients of another dtype
            # (float64), e.g. for functions that cast their output.
            gy_vars = [
                gy if gy is None or gy.dtype == y.dtype
                else chainer.functions.cast(gy, y.dtype)
                for y, gy in zip(ys, gy_vars)]
            _check_grad_outputs(ys, gy_vars)
        _run_backward(ys, gy_vars, enable_double_backprop=True)

        gxs = []
        errors = []
        for i, (x, no_gx) in enumerate(zip(x_vars, first_no_gxs)):
            if x is None:
                continue
            if no_gx:
                if x.grad_var is not None:
                    errors.append(f'[{i}]: a gradient was computed for an input of '
                                  f'dtype {x.dtype}, which must get none')
                continue
            g = x.grad_var
            if g is None:  # the first-order gradient is identically zero
                g = chainer.Variable(x.xp.zeros_like(x.array), requires_grad=False)
            gxs.append(g)
        if errors:
            raise RuntimeError(
                'There are errors retrieving first-order gradients:\n'
                f'Inputs: {_format_array_props(x_vars)}\n' + '\n'.join(errors))
        for p in params:
            g = p.grad_var
            if g is None:
                g = chainer.Variable(p.xp.zeros_like(p.array), requires_grad=False)
            gxs.append(g)
        return tuple(gxs)

    try:
        check_backward(first_order_grad, xs + gys, ggxs + ggparams, params=params,
                       eps=eps, atol=atol, rtol=rtol, no_grads=no_grads, dtype=dtype,
                       detect_nondifferentiable=detect_nondifferentiable)
    except AssertionError as e:
        f = io.StringIO()
        f.write(f'check_double_backward failed (eps={eps} atol={atol} rtol={rtol})\n')
        for i, x in enumerate(xs):
            f.write(f'input[{i}]:\n{x}\n')
        for i, gy in enumerate(gys):
            f.write(f'grad_output[{i}]:\n{gy}\n')
        for i, ggx in enumerate(ggxs):
            f.write(f'grad_grad_input[{i}]:\n{ggx}\n')
        for i, ggp in enumerate(ggparams):
            f.write(f'grad_grad_param[{i}]:\n{ggp}\n')
        f.write('\n')
        f.write(str(e))
        raise AssertionError(f.getvalue()) from e
