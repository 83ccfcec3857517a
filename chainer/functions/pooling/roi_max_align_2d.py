"""RoIAlign with max pooling."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer.functions.pooling import _roi
from chainer.functions.pooling.roi_average_align_2d import AlignNode, align_taps_for

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

__all__ = ['ROIMaxAlign2D', 'roi_max_align_2d']


def roi_max_align_2d(x: VariableOrArray, rois: VariableOrArray, roi_indices: VariableOrArray,
                     outsize: int | Sequence[int] | None, spatial_scale: float,
                     sampling_ratio: int | Sequence[int] | None = None) -> Variable:
    """RoIAlign taking the largest bilinearly sampled value of every bin (``-inf`` if a bin
    has no sample inside the image; NaN samples are skipped, as in Chainer).  Arguments as
    :func:`~chainer.functions.roi_average_align_2d`."""
    batch, pos, weight, valid, _ = align_taps_for(x, rois, roi_indices, outsize,
                                                  spatial_scale, sampling_ratio,
                                                  'ROIMaxAlign2D')
    return _roi.gather_max(x, batch, pos, weight, valid, 'ROIMaxAlign2D', (rois, roi_indices),
                           empty_is_minus_inf=True, above_minus_inf=True)


class ROIMaxAlign2D(AlignNode):
    """The node of :func:`roi_max_align_2d`: inputs ``(x, rois, roi_indices)``."""

    align = staticmethod(roi_max_align_2d)
