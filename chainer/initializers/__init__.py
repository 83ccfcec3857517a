"""Array initializers (``chainer.initializers``) and array generation from them."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy

from chainer import backend
from chainer.initializers.constant import Constant  # NOQA: F401
from chainer.initializers.constant import Identity  # NOQA: F401
from chainer.initializers.constant import NaN  # NOQA: F401
from chainer.initializers.constant import One  # NOQA: F401
from chainer.initializers.constant import Zero  # NOQA: F401
from chainer.initializers.normal import GlorotNormal  # NOQA: F401
from chainer.initializers.normal import HeNormal  # NOQA: F401
from chainer.initializers.normal import LeCunNormal  # NOQA: F401
from chainer.initializers.normal import Normal  # NOQA: F401
from chainer.initializers.orthogonal import Orthogonal  # NOQA: F401
from chainer.initializers.sampling import DownsamplingConvFilter  # NOQA: F401
from chainer.initializers.sampling import UpsamplingDeconvFilter  # NOQA: F401
from chainer.initializers.uniform import GlorotUniform  # NOQA: F401
from chainer.initializers.uniform import HeUniform  # NOQA: F401
from chainer.initializers.uniform import LeCunUniform  # NOQA: F401
from chainer.initializers.uniform import Uniform  # NOQA: F401

if TYPE_CHECKING:
    from chainer.types import (AbstractInitializer, DeviceSpec, DTypeSpec, NdArray, ShapeSpec,
                               Xp)


def generate_array(initializer: AbstractInitializer, shape: ShapeSpec, xp: Xp,
                   dtype: DTypeSpec | None = None, device: DeviceSpec | None = None) -> NdArray:
    """Allocates an array of ``shape`` with ``xp`` and fills it by ``initializer``.

    Args:
        initializer: A callable filling an array in place (e.g. an
            :class:`~chainer.Initializer`); its ``dtype`` attribute, if not
            None, gives the dtype.
        shape: Shape of the array (an int or a sequence of ints).
        xp: The array module (``numpy`` or ``cupy``).
        dtype: Dtype of the array; must agree with ``initializer.dtype`` when
            both are given. Without either, ``chainer.config.dtype`` is used.
        device: Device to allocate on; must match ``xp``. None means the CPU
            for NumPy and the current device for CuPy.

    Returns:
        The new array.
    """
    import chainer  # chainer imports this package while it is being set up

    dtype_attr = getattr(initializer, 'dtype', None)
    if dtype is not None and dtype_attr is not None \
            and numpy.dtype(dtype) != numpy.dtype(dtype_attr):
        raise ValueError(f'dtype mismatch: {dtype} != {dtype_attr}')
    if dtype is None:
        dtype = dtype_attr
    dtype = chainer.get_dtype(dtype)

    if device is None:
        device = backend.get_device(xp)
    else:
        device = backend.get_device(device)
        if device.xp is not xp:
            raise ValueError(
                f'xp and device arguments are inconsistent: xp is {xp.__name__} '
                f'but the device is {device}.')

    if xp is numpy:
        array = numpy.empty(shape, dtype=dtype)
        initializer(array)
        return array
    with device:
        array = xp.empty(shape, dtype=dtype)
        initializer(array)
    return array


def _get_initializer(initializer: Any) -> Any:
    """The initializer a link uses for an ``initialW``-style argument.

    None gives :class:`LeCunNormal`, a scalar or an array gives
    :class:`Constant`, and any other callable is used as it is.
    """
    if initializer is None:
        return LeCunNormal()
    if isinstance(initializer, backend.get_array_types()) or numpy.isscalar(initializer):
        return Constant(initializer)
    if not callable(initializer):
        raise TypeError(f'invalid type of initializer: {type(initializer)}')
    return initializer


def _get_bias_initializer(initial_bias: Any) -> Any:
    """The initializer a link uses for an ``initial_bias`` argument: zeros for None,
    otherwise as :func:`_get_initializer`."""
    return _get_initializer(0 if initial_bias is None else initial_bias)


def _check_is_initializer_like(initializer: Any) -> None:
    """Raises TypeError unless ``initializer`` can be given to :func:`_get_initializer`."""
    if not (initializer is None
            or callable(initializer)
            or isinstance(initializer, backend.get_array_types())
            or numpy.isscalar(initializer)):
        raise TypeError(
            'Initializer is of wrong type: {}. Allowed types are None, callable, '
            'scalar and array.'.format(type(initializer).__name__))
