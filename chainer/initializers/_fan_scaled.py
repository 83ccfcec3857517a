"""What the random initializers share: the base of the fan-scaled ones (LeCun,
Glorot, He) and the dtype that cuRAND draws in."""
from __future__ import annotations

from typing import Any, Callable, Optional

import numpy

from chainer import initializer


def cupy_sample_dtype(dtype: numpy.dtype) -> Any:
    """The dtype to draw CuPy samples of ``dtype`` in (they are cast afterwards)."""
    # cuRAND draws float32 or float64 only; anything else gets float32 and is cast.
    return dtype if dtype in (numpy.float32, numpy.float64) else numpy.float32


class FanScaled(initializer.Initializer):
    """Base of the initializers whose spread depends on the fans of the array.

    A subclass sets ``_sampler`` (:class:`~chainer.initializers.Normal` or
    :class:`~chainer.initializers.Uniform`) and computes in :meth:`_spread` the
    ``scale`` it is called with for an array of a given shape.

    Args:
        scale: Multiplier of the spread.
        dtype: Data type of the arrays it fills (None: any).
        rng: (keyword only) Random number generator, passed on to ``_sampler``.
    """

    _sampler: Callable[..., initializer.Initializer]

    def __init__(self, scale: Any = 1.0, dtype: Optional[Any] = None, **kwargs: Any) -> None:
        self.scale = scale
        self.rng = initializer._pop_rng(type(self).__name__, kwargs)
        super().__init__(dtype)

    def _spread(self, shape: tuple) -> Any:
        """The standard deviation (normal) or half-width (uniform) for ``shape``."""
        raise NotImplementedError

    def __call__(self, array: Any) -> None:
        self._check_dtype(array)
        self._sampler(self._spread(array.shape), rng=self.rng)(array)
