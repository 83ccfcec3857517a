"""What the random initializers share: the draw into an array, the dtype that
cuRAND draws in, and the base of the fan-scaled ones (LeCun, Glorot, He)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Callable

import numpy

from chainer import backend
from chainer import initializer

if TYPE_CHECKING:
    from chainer.types import DTypeSpec
    from chainer.types import NdArray


def cupy_sample_dtype(dtype: numpy.dtype) -> Any:
    """The dtype to draw CuPy samples of ``dtype`` in (they are cast afterwards)."""
    # cuRAND draws float32 or float64 only; anything else gets float32 and is cast.
    return dtype if dtype in (numpy.float32, numpy.float64) else numpy.float32


def fill_random(array: Any, rng: Any, method: str, **params: Any) -> None:
    """Fills ``array`` with ``rng.<method>(**params, size=array.shape)``.

    With no ``rng``, NumPy arrays draw from ``numpy.random`` and CuPy arrays
    from ``cupy.random`` (in :func:`cupy_sample_dtype`).
    """
    shape = array.shape
    if rng is not None:
        initializer._fill_from_rng(array, getattr(rng, method)(**params, size=shape))
        return
    xp = backend.get_array_module(array)
    if xp is numpy:
        array[...] = getattr(numpy.random, method)(**params, size=shape)
    else:
        array[...] = getattr(xp.random, method)(
            **params, size=shape, dtype=cupy_sample_dtype(array.dtype))


class RandomInitializer(initializer.Initializer):
    """Base of the initializers drawing from a distribution of spread ``scale``.

    Args:
        scale: Standard deviation or half-width of the distribution.
        dtype: Data type of the arrays it fills (None: any).
        rng: (keyword only) Random number generator (None: ``numpy.random`` or
            ``cupy.random``).
    """

    def __init__(self, scale: float = 0.05, dtype: DTypeSpec | None = None, **kwargs: Any) -> None:
        self.scale = scale
        self.rng = initializer._pop_rng(type(self).__name__, kwargs)
        super().__init__(dtype)


class FanScaled(RandomInitializer):
    """Base of the initializers whose spread depends on the fans of the array.

    A subclass sets ``_sampler`` (:class:`~chainer.initializers.Normal` or
    :class:`~chainer.initializers.Uniform`), which is called with the spread
    ``scale * sqrt(_numerator / fan)`` for the array's ``fan`` (:meth:`_fan`:
    ``fan_in``, or ``fan_in + fan_out`` where ``_fan_sum`` is set).

    Args:
        scale: Multiplier of the spread.
        dtype: Data type of the arrays it fills (None: any).
        rng: (keyword only) Random number generator, passed on to ``_sampler``.
    """

    _sampler: Callable[..., initializer.Initializer]
    _numerator: float
    _fan_sum = False

    def __init__(self, scale: float = 1.0, dtype: DTypeSpec | None = None, **kwargs: Any) -> None:
        super().__init__(scale, dtype, **kwargs)

    def _fan(self, shape: tuple) -> int:
        fan_in, fan_out = initializer.get_fans(shape)
        return fan_in + fan_out if self._fan_sum else fan_in

    def _spread(self, shape: tuple) -> Any:
        """The standard deviation (normal) or half-width (uniform) for ``shape``."""
        return self.scale * numpy.sqrt(self._numerator / self._fan(shape))

    def __call__(self, array: NdArray) -> None:
        self._check_dtype(array)
        self._sampler(self._spread(array.shape), rng=self.rng)(array)
