"""Fixed filters that make (de)convolutions resample by linear interpolation."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy

from chainer import backend
from chainer import initializer
from chainer.utils.error import _ValueAssertionError

if TYPE_CHECKING:
    from chainer.types import DTypeSpec
    from chainer.types import NdArray


def _linear_filter(size: int, ndim: int, normalize: bool) -> numpy.ndarray:
    # Separable tent filter: the weights of linear interpolation at factor
    # ``(size + 1) // 2``; normalised to sum 1 for downsampling (an average).
    factor = (size + 1) // 2
    center = factor - 1. if size % 2 == 1 else factor - 0.5
    tent = 1. - numpy.abs(numpy.arange(size) - center) / factor
    filt = numpy.ones((size,) * ndim)
    for axis in range(ndim):
        filt = filt * tent.reshape((size,) + (1,) * (ndim - 1 - axis))
    if normalize:
        filt /= filt.sum()
    return filt


def _get_linear_filter(size: int, ndim: int, upsampling: bool = True) -> numpy.ndarray:
    # The name Chainer 7.8.1's filters kept as their ``_get_filter_func``, which its
    # pickles of them (and of links initialised by them) refer to.
    return _linear_filter(size, ndim, normalize=not upsampling)


def _kernel_size(owner: str, shape: tuple) -> int:
    if len(shape) < 3:
        raise _ValueAssertionError(
            f'{owner} needs a filter array of at least 3 dimensions (channels, '
            f'channels, spatial...); got shape {shape}.')
    ksize = shape[2]
    for k in shape[3:]:
        if k != ksize:
            raise _ValueAssertionError(f'ksize must be all same: {ksize} != {k}')
    return ksize


def _check_interpolation(interpolation: Any) -> None:
    if interpolation != 'linear':
        raise ValueError(f'Unsupported interpolation method: {interpolation!r}')


def _fill_filter(array: Any, filt: numpy.ndarray, broadcast: bool) -> None:
    # Builds the whole weight on the CPU, then copies it once to the array's device.
    weight = numpy.zeros(array.shape, dtype=numpy.float64)
    if broadcast:
        weight[...] = filt
    else:
        channels = numpy.arange(array.shape[0])
        weight[channels, channels, ...] = filt
    backend.copyto(array, weight.astype(array.dtype, copy=False))


class _InterpolationFilter(initializer.Initializer):
    """Fills a (de)convolution weight with the tent filter of linear interpolation."""

    # The names of the weight's first two axes; the second may be 1, and then
    # every channel shares the filter. ``_normalize``: the filter is an average.
    _axes: tuple[str, str]
    _normalize: bool

    def __init__(self, interpolation: str = 'linear', dtype: DTypeSpec | None = None) -> None:
        _check_interpolation(interpolation)
        self.interpolation = interpolation
        super().__init__(dtype)

    def __getstate__(self) -> dict:
        # Chainer 7.8.1's attributes too, so that Chainer loads the pickle.
        return dict(self.__dict__, _upsampling=not self._normalize,
                    _get_filter_func=_get_linear_filter)

    def __call__(self, array: NdArray) -> None:
        self._check_dtype(array)
        _check_interpolation(self.interpolation)
        name = type(self).__name__
        ksize = _kernel_size(name, array.shape)
        first, second = array.shape[:2]
        if not (first == second or second == 1):
            a, b = self._axes
            raise _ValueAssertionError(
                f'{name} needs {a} == {b} or {b} == 1; got shape {array.shape}.')
        filt = _linear_filter(ksize, array.ndim - 2, normalize=self._normalize)
        _fill_filter(array, filt, broadcast=second == 1)


class UpsamplingDeconvFilter(_InterpolationFilter):
    """Filter making a deconvolution upsample each channel by linear interpolation.

    For a weight of shape ``(in_channels, out_channels, k, k...)`` with
    ``in_channels == out_channels`` (each channel is upsampled separately) or
    ``out_channels == 1`` (the channels are upsampled and summed). Use
    ``ksize = 2 * factor - factor % 2``, ``stride = factor`` and
    ``pad = ceil((factor - 1) / 2)`` to upsample by ``factor``.

    Args:
        interpolation: Only ``'linear'`` is supported.
        dtype: Data type of the arrays it fills (None: any).
    """

    _axes = ('in_channels', 'out_channels')
    _normalize = False


class DownsamplingConvFilter(_InterpolationFilter):
    """Filter making a convolution downsample each channel by linear interpolation.

    For a weight of shape ``(out_channels, in_channels, k, k...)`` with
    ``out_channels == in_channels`` (each channel is downsampled separately) or
    ``in_channels == 1`` (every output channel is the downsampled input). The
    filter sums to 1. Use ``ksize = 2 * factor - factor % 2``, ``stride = factor``
    and ``pad = ceil((factor - 1) / 2)`` to downsample by ``factor``.

    Args:
        interpolation: Only ``'linear'`` is supported.
        dtype: Data type of the arrays it fills (None: any).
    """

    _axes = ('out_channels', 'in_channels')
    _normalize = True
