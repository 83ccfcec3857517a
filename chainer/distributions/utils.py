"""Pieces shared by the distributions: ``x log x`` with ``0 log 0 = 0`` and parameter checks."""
from __future__ import annotations

from typing import TYPE_CHECKING
import warnings

import numpy

import chainer
from chainer import backend
from chainer import distribution
from chainer import function_node
from chainer import utils
from chainer.utils import type_check
from chainer.functions.array import broadcast
from chainer.functions.array import cast
from chainer.functions.array import where
from chainer.functions.math import exponential
from chainer.functions.math import sum as sum_mod

if TYPE_CHECKING:
    from chainer.types import VariableOrArray


class ModifiedXLogX(function_node.FunctionNode):
    """``x * log(x)`` taking ``0 * log(0) = 0``.

    ``logx`` is the Variable ``log(x)`` (with any finite value where
    ``x == 0``), built by the caller so that the derivative ``1 + log(x)``
    stays differentiable.  At ``x == 0`` the derivative is reported as 0 with
    a warning (the true one is ``-inf``).
    """

    def __init__(self, logx: chainer.Variable) -> None:
        self._logx = logx

    def forward(self, inputs):
        x, = inputs
        xp = backend.get_array_module(x)
        self._x_zero = utils.force_array(x == 0)
        y = xp.where(self._x_zero, x.dtype.type(0), x * self._logx.array)
        return utils.force_array(y, x.dtype),

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        x_zero = self._x_zero
        if bool(x_zero.any()):
            warnings.warn('x log x: the gradient at x = 0 is taken as 0', RuntimeWarning)
        nonzero = (~x_zero).astype(gy.dtype)
        return gy * ((self._logx + 1.0) * nonzero),


class _ScalarEvent(distribution.Distribution):
    """Base of the distributions with scalar events.

    ``_param_names`` names their parameters (attributes holding Variables, set by
    :meth:`_set_params`), in the order of :attr:`params`; the first one's shape is
    the batch shape unless ``_batch_param`` names another attribute.
    """

    _param_names: tuple = ()
    _batch_param = ''

    @property
    def batch_shape(self) -> tuple:
        return getattr(self, self._batch_param or self._param_names[0]).shape

    @property
    def event_shape(self) -> tuple:
        return ()

    @property
    def params(self) -> dict:
        return {name: getattr(self, name) for name in self._param_names}

    def _set_params(self, positive: tuple = (), **values) -> None:
        """Sets the parameters ``values`` as Variables (see :func:`_as_params`) and, in
        debug mode, checks that those named in ``positive`` are positive."""
        owner = type(self).__name__
        for name, value in zip(values, _as_params(owner, values)):
            setattr(self, name, value)
        for name in positive:
            _check_positive(owner, name, getattr(self, name))


class _LocationScale(_ScalarEvent):
    """Base of the location-scale families on the real line (parameters ``loc`` and
    a positive ``scale``; the mode is ``loc``)."""

    _param_names = ('loc', 'scale')

    def __init__(self, loc: VariableOrArray, scale: VariableOrArray) -> None:
        self._set_params(('scale',), loc=loc, scale=scale)

    @property
    def mode(self):
        return self.loc

    @property
    def support(self) -> str:
        return 'real'


def _modified_xlogx(x):
    """``x * log(x)`` with ``0 log 0 = 0``, differentiable (see :class:`ModifiedXLogX`)."""
    x = chainer.as_variable(x)
    xp = x.xp
    positive = utils.force_array(x.array > 0)
    logx = exponential.log(where.where(positive, x, xp.ones_like(x.array)))
    return ModifiedXLogX(logx).apply((x,))[0]


def _is_array(value) -> bool:
    if isinstance(value, chainer.Variable):
        return True
    return (hasattr(value, 'shape') and hasattr(value, 'dtype')
            and not isinstance(value, numpy.generic))


def _as_params(owner: str, values: dict, *, broadcast_shapes: bool = True) -> list:
    """The parameters ``values`` (name -> array, Variable or scalar) as Variables.

    Scalars take the dtype and device of the array parameters (float32 /
    ``chainer.config.dtype`` when there are none); all parameters must share
    one floating dtype, and they are broadcast to one shape unless
    ``broadcast_shapes`` is false.  Anything else is a ``TypeError`` or a
    ``ValueError`` naming ``owner`` and the parameter.
    """
    reference = next((v for v in values.values() if _is_array(v)), None)
    if reference is not None:
        ref = reference.array if isinstance(reference, chainer.Variable) else reference
        xp = backend.get_array_module(ref)
        dtype = ref.dtype if ref.dtype.kind == 'f' else chainer.get_dtype()
        device = backend.get_device_from_array(ref)
    else:
        xp, dtype, device = numpy, chainer.get_dtype(), None
    out = {}
    for name, value in values.items():
        if value is None:
            raise TypeError(f'{owner}: {name} is required')
        if not isinstance(value, chainer.Variable):
            if isinstance(value, (bool, int, float, numpy.number)):
                if device is not None:
                    with chainer.using_device(device):
                        value = xp.asarray(value, dtype=dtype)
                else:
                    value = numpy.asarray(value, dtype=dtype)
            elif not hasattr(value, 'dtype'):
                raise TypeError(
                    f'{owner}: {name} must be an array or a Variable, got '
                    f'{type(value).__name__}')
            value = chainer.as_variable(value)
        if value.dtype.kind != 'f':
            raise TypeError(f'{owner}: {name} must be a floating-point array, got {value.dtype}')
        out[name] = value
    dtypes = {v.dtype for v in out.values()}
    if len(dtypes) > 1:
        listed = ', '.join(f'{k} {v.dtype}' for k, v in out.items())
        raise TypeError(f'{owner}: the parameters must share one dtype, got {listed}')
    variables = list(out.values())
    if broadcast_shapes and len(variables) > 1:
        shapes = [v.shape for v in variables]
        try:
            shape = numpy.broadcast_shapes(*shapes)
        except ValueError:
            listed = ', '.join(f'{k} {v.shape}' for k, v in out.items())
            raise ValueError(f'{owner}: the parameter shapes do not broadcast: {listed}') from None
        variables = [v if v.shape == shape else broadcast.broadcast_to(v, shape)
                     for v in variables]
    return variables


def _validating() -> bool:
    """Whether parameter values are checked: only in debug mode (``chainer.config.debug``).

    Chainer took any values and gave NaN or inf from those outside the parameter
    space; a check also waits for the device.
    """
    return bool(chainer.config.debug)


def _check_positive(owner: str, name: str, value: chainer.Variable) -> None:
    """In debug mode, ``ValueError`` if ``value`` holds a number <= 0 (NaN passes)."""
    if _validating() and bool((value.array <= 0).any()):
        raise ValueError(f'{owner}: {name} must be positive')


def _check_probability(owner: str, name: str, value: chainer.Variable) -> None:
    """In debug mode, ``ValueError`` if ``value`` holds a number outside [0, 1]."""
    a = value.array
    if _validating() and bool(((a < 0) | (a > 1)).any()):
        raise ValueError(f'{owner}: {name} must lie in [0, 1]')


def _check_min_ndim(owner: str, name: str, value: chainer.Variable, ndim: int) -> None:
    if value.ndim < ndim:
        raise ValueError(f'{owner}: {name} needs at least {ndim} dimension(s), got shape '
                         f'{value.shape}')


def _sampling_device(value: chainer.Variable):
    """A context making the device of ``value`` current while drawing random numbers."""
    return chainer.using_device(backend.get_device_from_array(value.array))


def _standard_uniform(value: chainer.Variable, shape: tuple, positive: bool = False):
    """Uniform numbers in [0, 1) (in (0, 1) if ``positive``), ``value``'s dtype and device."""
    xp = value.xp
    with _sampling_device(value):
        u = xp.random.random_sample(shape).astype(value.dtype, copy=False)
    if positive:
        # random_sample can return 0; keep transforms such as log(u) finite.
        u = xp.maximum(u, value.dtype.type(numpy.finfo(value.dtype).tiny))
    return u


def _standard_normal(value: chainer.Variable, shape: tuple):
    """Standard normal numbers of ``value``'s dtype on ``value``'s device."""
    xp = value.xp
    with _sampling_device(value):
        return xp.random.standard_normal(shape).astype(value.dtype, copy=False)


def _const(value: chainer.Variable, c: float):
    """The scalar ``c`` as a 0-d array of ``value``'s dtype on its device."""
    xp = value.xp
    with _sampling_device(value):
        return xp.asarray(c, dtype=value.dtype)


def _chainer_kl_of_classes(p1, log_p1, log_p2):
    """Chainer's ``sum(p1 * (log_p1 - log_p2), axis=-1)`` (its bits) where every
    class is possible under both (``p1 > 0``, ``log_p2`` finite), else None: the
    caller's form then gives 0 for ``p1 = 0`` and ``inf`` outside the support.
    ``log_p1`` is a callable, called only when every ``p1 > 0`` (``log(0)`` would
    warn where the caller's form is silent)."""
    xp = p1.xp
    if not (bool((p1.array > 0).all()) and bool(xp.isfinite(log_p2.array).all())):
        return None
    return sum_mod.sum(p1 * (log_p1() - log_p2), axis=-1)


def _where_in_support(inside, value, outside: float):
    """``value`` where the boolean array ``inside`` holds, the constant ``outside`` elsewhere."""
    value = chainer.as_variable(value)
    c = _const(value, outside)
    inside = utils.force_array(inside)
    if inside.shape != value.shape:
        inside = value.xp.broadcast_to(inside, value.shape)
    return where.where(inside, value, c)


def _as_value(x, like: chainer.Variable) -> chainer.Variable:
    """A point ``x`` (array, Variable or scalar) as a Variable of ``like``'s dtype.

    A shape that does not broadcast with ``like``'s raises ``InvalidType``, as
    Chainer's densities raised it from their arithmetic.
    """
    if isinstance(x, (bool, int, float, numpy.number)):
        x = _const(like, x)
    x = chainer.as_variable(x)
    try:
        numpy.broadcast_shapes(x.shape, like.shape)
    except ValueError:
        raise type_check.InvalidType(
            'broadcastable shapes', f'{x.shape}, {like.shape}',
            msg='cannot broadcast inputs of the following shapes:\n'
                f'x.shape = {x.shape}\nparameter shape = {like.shape}') from None
    if x.dtype != like.dtype:
        x = cast.cast(x, like.dtype)
    return x


def _log_prob_in_support(x: chainer.Variable, inside, fill: float, formula,
                         outside: float = -numpy.inf):
    """``formula(x)`` where ``inside`` holds and ``outside`` elsewhere.

    Points outside the support are replaced by ``fill`` (a point inside)
    before ``formula`` sees them, so that neither the value nor the gradient
    of the parameters picks up NaN from them.
    """
    inside = utils.force_array(inside)
    if bool(inside.all()):
        return formula(x)
    return _where_in_support(inside, formula(_fill_outside(x, inside, fill)), outside)


def _fill_outside(x: chainer.Variable, inside, fill):
    """``x`` where ``inside`` holds, ``fill`` (a scalar or an array, no gradient) elsewhere."""
    if isinstance(fill, chainer.Variable):
        fill = fill.array
    elif not hasattr(fill, 'dtype'):
        fill = _const(x, fill)
    return where.where(utils.force_array(inside), x, fill)


def _draw(value: chainer.Variable, name: str, *args, **kwargs):
    """``xp.random.<name>(*args, **kwargs)`` on ``value``'s device, as ``numpy.random`` draws it."""
    with _sampling_device(value):
        return getattr(value.xp.random, name)(*args, **kwargs)


class ClassProbabilityError(ValueError, AssertionError):
    """Class probabilities to sample from that are negative or do not sum to 1.

    A ``ValueError`` (``Categorical``: Chainer's came from ``numpy.random.choice``)
    and an ``AssertionError`` (``OneHotCategorical``: Chainer's came from
    ``numpy.testing.assert_allclose`` on the row's sum).
    """


def _sample_class_indices(p: chainer.Variable, n: int):
    """``n`` draws of class indices from probabilities ``p`` (classes on the last axis).

    Returns an ``int64`` array of shape ``(n,) + p.shape[:-1]``.  Each row of
    ``p`` draws its ``n`` values in turn, as ``numpy.random.choice(k, n, p=row)``
    does (so seeded draws are Chainer's): uniform numbers against the row's
    cumulative sums, in float64.  A row whose sum is not 1 (within the
    tolerance ``choice`` allows) is a :class:`ClassProbabilityError`.
    """
    xp = p.xp
    k = p.shape[-1]
    rows = p.array.reshape(-1, k).astype(numpy.float64)
    tolerance = max(numpy.sqrt(numpy.finfo(numpy.float64).eps),
                    numpy.sqrt(numpy.finfo(p.dtype).eps))
    if bool((rows < 0).any()) or not bool((abs(rows.sum(axis=1) - 1.0) <= tolerance).all()):
        raise ClassProbabilityError(
            'the class probabilities of each row must be non-negative and sum to 1')
    cumulative = xp.cumsum(rows, axis=1)
    cumulative /= cumulative[:, -1:]
    u = _draw(p, 'random_sample', (rows.shape[0], n))
    index = (u[:, :, None] >= cumulative[:, None, :]).sum(axis=2)
    return index.T.reshape((n,) + p.shape[:-1]).astype(numpy.int64, copy=False)
