"""RoIAlign with max pooling."""
from __future__ import annotations

from typing import Any

from chainer.functions.pooling import _roi
from chainer.functions.pooling.roi_average_align_2d import AlignNode, align_taps_for

__all__ = ['ROIMaxAlign2D', 'roi_max_align_2d']


def roi_max_align_2d(x: Any, rois: Any, roi_indices: Any, outsize, spatial_scale,
                     sampling_ratio=None):
    """RoIAlign taking the largest bilinearly sampled value of every bin (0 if a bin
    has no sample inside the image).  Arguments as
    :func:`~chainer.functions.roi_average_align_2d`."""
    batch, pos, weight, valid, _ = align_taps_for(x, rois, roi_indices, outsize,
                                                  spatial_scale, sampling_ratio)
    return _roi.gather_max(x, batch, pos, weight, valid, 'ROIMaxAlign2D', (rois, roi_indices))


class ROIMaxAlign2D(AlignNode):
    """The node of :func:`roi_max_align_2d`: inputs ``(x, rois, roi_indices)``."""

    align = staticmethod(roi_max_align_2d)
