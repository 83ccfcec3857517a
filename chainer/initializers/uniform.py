"""Initializers drawing from uniform distributions."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer.initializers._fan_scaled import FanScaled
from chainer.initializers._fan_scaled import RandomInitializer
from chainer.initializers._fan_scaled import fill_random

if TYPE_CHECKING:
    from chainer.types import NdArray


class Uniform(RandomInitializer):
    """Draws from the uniform distribution on ``[-scale, scale)``.

    Args:
        scale: Half-width of the interval.
        dtype: Data type of the arrays it fills (None: any).
        rng: (keyword only) A random number generator with a ``uniform(low,
            high, size)`` method, e.g. ``numpy.random.RandomState``. None uses
            ``numpy.random`` for NumPy arrays and ``cupy.random`` for CuPy ones.
    """

    def __call__(self, array: NdArray) -> None:
        self._check_dtype(array)
        fill_random(array, self.rng, 'uniform', low=-self.scale, high=self.scale)


class LeCunUniform(FanScaled):
    """Uniform on ``[-s, s)`` with ``s = scale * sqrt(3 / fan_in)``.

    Args:
        scale: Multiplier of ``s``.
        dtype: Data type of the arrays it fills (None: any).
        rng: (keyword only) Random number generator, as in :class:`Uniform`.
    """

    _sampler = Uniform
    _numerator = 3.


class GlorotUniform(FanScaled):
    """Uniform on ``[-s, s)`` with ``s = scale * sqrt(6 / (fan_in + fan_out))``.

    Args:
        scale: Multiplier of ``s``.
        dtype: Data type of the arrays it fills (None: any).
        rng: (keyword only) Random number generator, as in :class:`Uniform`.
    """

    _sampler = Uniform
    _numerator = 6.
    _fan_sum = True


class HeUniform(FanScaled):
    """Uniform on ``[-s, s)`` with ``s = scale * sqrt(6 / fan_in)``.

    Args:
        scale: Multiplier of ``s``.
        dtype: Data type of the arrays it fills (None: any).
        rng: (keyword only) Random number generator, as in :class:`Uniform`.
    """

    _sampler = Uniform
    _numerator = 6.
