"""RoI max pooling with ``(y_min, x_min, y_max, x_max)`` RoIs and separate batch indices."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer.functions.pooling import _roi
from chainer.functions import _composite
from chainer.function import _CallableNode

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

__all__ = ['ROIMaxPooling2D', 'roi_max_pooling_2d', 'roi_bins']


def roi_bins(x, rois, roi_indices, outsize, spatial_scale,
             label: str = 'ROIMaxPooling2D') -> tuple:
    """``(batch, pos, valid)`` of the quantized bins of :func:`roi_max_pooling_2d` and
    :func:`~chainer.functions.roi_average_pooling_2d`."""
    _roi.check_inputs(x, rois, 4, roi_indices, label)
    out_h, out_w = _roi.pair(outsize, 'outsize')
    r, batch = _roi.roi_arrays(rois, roi_indices)
    sy, sx = _roi.scale_pair(spatial_scale)
    h, w = x.shape[2:]
    y0, x0 = numpy.round(r[:, 0] * sy).astype(numpy.int64), numpy.round(r[:, 1] * sx).astype(
        numpy.int64)
    y1, x1 = numpy.round(r[:, 2] * sy).astype(numpy.int64), numpy.round(r[:, 3] * sx).astype(
        numpy.int64)
    lo_h, hi_h = _roi.pool_bins(y0, y1, out_h, h, plus_one=False)
    lo_w, hi_w = _roi.pool_bins(x0, x1, out_w, w, plus_one=False)
    pos, valid = _roi.bin_taps(lo_h, hi_h, lo_w, hi_w, w)
    return batch, pos, valid


def roi_max_pooling_2d(x: VariableOrArray, rois: VariableOrArray, roi_indices: VariableOrArray,
                       outsize: int | Sequence[int] | None, spatial_scale: float) -> Variable:
    """Max pooling of each region of interest into an ``outsize`` grid.

    Args:
        x: Input of shape ``(n, c, h, w)``.
        rois: ``(R, 4)`` float array of ``y_min, x_min, y_max, x_max`` (scaled by
            ``spatial_scale`` and rounded).
        roi_indices: ``(R,)`` int array: the batch index of each RoI.
        outsize: Output grid size (int or pair).
        spatial_scale: Scale from image to feature-map coordinates.

    Returns:
        ~chainer.Variable of shape ``(R, c, out_h, out_w)``; empty bins are ``-inf``.
    """
    batch, pos, valid = roi_bins(x, rois, roi_indices, outsize, spatial_scale)
    return _roi.gather_max(x, batch, pos[..., None], numpy.ones(pos.shape + (1,)), valid,
                           'ROIMaxPooling2D', (rois, roi_indices), empty_is_minus_inf=True)


class ROIMaxPooling2D(_CallableNode, _composite.CompositeNode):
    """The node of :func:`roi_max_pooling_2d`: inputs ``(x, rois, roi_indices)``."""

    _n_inputs = (3, 3)

    _differentiable = (0,)

    def __init__(self, outsize, spatial_scale) -> None:
        self.outsize = outsize
        self.spatial_scale = spatial_scale

    def _compose(self, x, rois, roi_indices):
        return roi_max_pooling_2d(x, rois, roi_indices, self.outsize, self.spatial_scale)
