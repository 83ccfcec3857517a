"""RoI max pooling with ``(batch index, x_min, y_min, x_max, y_max)`` RoIs (Fast R-CNN)."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer.functions.pooling import _roi
from chainer.functions import _composite

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

__all__ = ['ROIPooling2D', 'roi_pooling_2d']


def roi_pooling_2d(x: VariableOrArray, rois: VariableOrArray, outh: int, outw: int,
                   spatial_scale: float) -> Variable:
    """Max pooling of each region of interest into an ``outh x outw`` grid.

    Args:
        x: Input of shape ``(n, c, h, w)``.
        rois: ``(R, 5)`` float array: batch index, then ``x_min, y_min, x_max,
            y_max`` in input-image coordinates (scaled by ``spatial_scale`` and
            rounded; the corners are inclusive).
        outh, outw: Output grid size.
        spatial_scale: Scale from image to feature-map coordinates.

    Returns:
        ~chainer.Variable of shape ``(R, c, outh, outw)``; empty bins are 0.
        Only ``x`` receives a gradient.
    """
    # Chainer failed on these in NumPy: TypeError for a float size or a string scale,
    # ValueError for a negative size (ZeroDivisionError for 0); ours computed an
    # empty or truncated grid
    if not (_roi._is_int(outh) and _roi._is_int(outw)):
        raise TypeError(f'outh and outw must be integers, got {outh!r} and {outw!r}')
    if outh <= 0 or outw <= 0:
        raise ValueError(f'outh and outw must be positive, got {outh} and {outw}')
    _roi.check_inputs(x, rois, 5)
    r, _ = _roi.roi_arrays(rois)
    n, c, h, w = x.shape
    try:
        s = float(spatial_scale)
    except ValueError:
        raise TypeError(f'spatial_scale must be a number, got {spatial_scale!r}') from None
    batch = r[:, 0].astype(numpy.int64)
    x0, y0, x1, y1 = (numpy.round(r[:, i] * s).astype(numpy.int64) for i in (1, 2, 3, 4))
    lo_h, hi_h = _roi.pool_bins(y0, y1, int(outh), h, plus_one=True)
    lo_w, hi_w = _roi.pool_bins(x0, x1, int(outw), w, plus_one=True)
    pos, valid = _roi.bin_taps(lo_h, hi_h, lo_w, hi_w, w)
    return _roi.gather_max(x, batch, pos[..., None], numpy.ones(pos.shape + (1,)), valid,
                           'ROIPooling2D', (rois,))


class ROIPooling2D(_composite.CompositeNode):
    """The node of :func:`roi_pooling_2d`: inputs ``(x, rois)``."""

    _n_inputs = (2, 2)

    _differentiable = (0,)

    def __init__(self, outh: int, outw: int, spatial_scale: float) -> None:
        self.outh = outh
        self.outw = outw
        self.spatial_scale = spatial_scale

    def _compose(self, x, rois):
        return roi_pooling_2d(x, rois, self.outh, self.outw, self.spatial_scale)
