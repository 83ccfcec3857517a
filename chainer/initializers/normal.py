"""Initializers drawing from normal distributions."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chainer import initializer
from chainer.initializers._fan_scaled import FanScaled
from chainer.initializers._fan_scaled import RandomInitializer
from chainer.initializers._fan_scaled import fill_random

if TYPE_CHECKING:
    from chainer.types import DTypeSpec
    from chainer.types import NdArray

_FAN_OPTIONS = ('fan_in', 'fan_out')


class Normal(RandomInitializer):
    """Draws from a normal distribution with mean 0 and standard deviation ``scale``.

    Args:
        scale: Standard deviation.
        dtype: Data type of the arrays it fills (None: any).
        rng: (keyword only) A random number generator with a ``normal(loc,
            scale, size)`` method, e.g. ``numpy.random.RandomState``. None uses
            ``numpy.random`` for NumPy arrays and ``cupy.random`` for CuPy ones.
    """

    def __call__(self, array: NdArray) -> None:
        self._check_dtype(array)
        fill_random(array, self.rng, 'normal', loc=0.0, scale=self.scale)


class LeCunNormal(FanScaled):
    """Normal with standard deviation ``scale * sqrt(1 / fan_in)`` (LeCun et al., 1998).

    Args:
        scale: Multiplier of the standard deviation.
        dtype: Data type of the arrays it fills (None: any).
        rng: (keyword only) Random number generator, as in :class:`Normal`.
    """

    _sampler = Normal
    _numerator = 1.


class GlorotNormal(FanScaled):
    """Normal with standard deviation ``scale * sqrt(2 / (fan_in + fan_out))``.

    Glorot & Bengio (2010), also known as Xavier initialization.

    Args:
        scale: Multiplier of the standard deviation.
        dtype: Data type of the arrays it fills (None: any).
        rng: (keyword only) Random number generator, as in :class:`Normal`.
    """

    _sampler = Normal
    _numerator = 2.
    _fan_sum = True


class HeNormal(FanScaled):
    """Normal with standard deviation ``scale * sqrt(2 / fan)`` (He et al., 2015).

    Args:
        scale: Multiplier of the standard deviation.
        dtype: Data type of the arrays it fills (None: any).
        fan_option: ``'fan_in'`` or ``'fan_out'``: which fan is ``fan``.
        rng: (keyword only) Random number generator, as in :class:`Normal`.
    """

    _sampler = Normal

    def __init__(self, scale: float = 1.0, dtype: DTypeSpec | None = None,
                 fan_option: str = 'fan_in', **kwargs: Any) -> None:
        # As in Chainer, a bad fan_option is refused when an array is filled.
        self.fan_option = fan_option
        super().__init__(scale, dtype, **kwargs)

    _numerator = 2.

    def _fan(self, shape: tuple) -> int:
        fan_in, fan_out = initializer.get_fans(shape)
        _check_fan_option(self.fan_option)
        return fan_in if self.fan_option == 'fan_in' else fan_out


def _check_fan_option(fan_option: Any) -> None:
    if fan_option not in _FAN_OPTIONS:
        raise ValueError(
            f"fan_option should be either 'fan_in' or 'fan_out', got {fan_option!r}.")
