"""Keyword-argument parsing with Chainer's errors (removed arguments, unknown names)."""
from __future__ import annotations

import sys

import numpy

from chainer.utils.error import _repr, _ValueTypeError


def check_unexpected_kwargs(kwargs: dict, **unexpected) -> None:
    """Raises ``ValueError`` with the given message for each removed argument present."""
    for name, message in unexpected.items():
        if name in kwargs:
            raise ValueError(message)


def _unexpected_message(kwargs: dict, caller: str | None) -> str:
    names = ', '.join(repr(k) for k in sorted(kwargs))
    prefix = f'{caller}() ' if caller else ''
    return f'{prefix}got unexpected keyword argument(s) {names}'


def assert_kwargs_empty(kwargs: dict) -> None:
    """Raises ``TypeError`` naming (sorted) the keyword arguments left in ``kwargs``."""
    if kwargs:
        raise TypeError(_unexpected_message(kwargs, sys._getframe(1).f_code.co_name))


def parse_kwargs(kwargs: dict, *name_and_values, **unexpected) -> tuple:
    """Pops the named keyword arguments (with defaults) from ``kwargs``.

    ``unexpected`` maps argument names that are no longer accepted to the
    message of the ``ValueError`` raised when one is passed.  Anything left
    over raises ``TypeError`` naming the calling function and the leftover
    names in sorted order.
    """
    return _parse_kwargs_of(sys._getframe(1).f_code.co_name, kwargs, *name_and_values,
                            **unexpected)


def _parse_kwargs_of(caller: str, kwargs: dict, *name_and_values, **unexpected) -> tuple:
    """:func:`parse_kwargs` for a library helper that parses on behalf of
    ``caller``, the public function or method named in the ``TypeError``."""
    # The accepted names are taken first: one that is also listed as removed is
    # accepted, as in Chainer.
    values = tuple(kwargs.pop(name, default) for name, default in name_and_values)
    check_unexpected_kwargs(kwargs, **unexpected)
    if kwargs:
        raise TypeError(_unexpected_message(kwargs, caller))
    return values


def _int(value, name: str) -> int:
    """``value`` (an int, a NumPy integer or a 0-d integer array, not a bool) as an
    int; ``TypeError`` ``'<name> must be int'`` for anything else."""
    if isinstance(value, numpy.ndarray) and value.ndim == 0 and value.dtype.kind in 'iu':
        return int(value)
    if not isinstance(value, (int, numpy.integer)) or isinstance(value, bool):
        raise TypeError(f'{name} must be int')
    return int(value)


def _real(value, name: str):
    """``value`` unchanged if it is a real number (Python or NumPy) or a numeric
    array; else ``'<name> must be a real number'``, a ``TypeError`` and ``ValueError``
    (Chainer's arithmetic failed with either: a None or string eps, an eps tuple that
    did not broadcast), where NumPy turned None into NaN and computed NaN."""
    if type(value) is float or type(value) is int:
        return value
    if isinstance(value, (int, float, numpy.integer, numpy.floating)):
        return value
    dtype = getattr(value, 'dtype', None)
    if isinstance(dtype, numpy.dtype) and dtype.kind in 'biuf':
        return value  # an array (NumPy or CuPy) broadcasts, as Chainer's arithmetic took it
    raise _ValueTypeError(f'{name} must be a real number, got {_repr(value)}')


def _int_like(value, name: str) -> int:
    """``int(value)`` for a number (a float is truncated, as where Chainer used it in
    arithmetic); a string is a ``TypeError`` naming ``name`` (``int('a')`` raised
    ``ValueError``; Chainer's comparisons with it raised ``TypeError``)."""
    if isinstance(value, (str, bytes)):
        raise TypeError(f'{name} must be an integer, got {value!r}')
    return int(value)
