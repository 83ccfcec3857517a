"""RoI average pooling."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer.functions.pooling import _roi
from chainer.functions.pooling.roi_max_pooling_2d import roi_bins
from chainer.functions import _composite
from chainer.function import _CallableNode

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

__all__ = ['ROIAveragePooling2D', 'roi_average_pooling_2d']


def roi_average_pooling_2d(x: VariableOrArray, rois: VariableOrArray, roi_indices: VariableOrArray,
                           outsize: int | Sequence[int] | None, spatial_scale: float) -> Variable:
    """Average pooling of each region of interest into an ``outsize`` grid.

    Arguments as :func:`~chainer.functions.roi_max_pooling_2d`; each output is the
    mean of its bin's pixels (0 for an empty bin).
    """
    batch, pos, valid = roi_bins(x, rois, roi_indices, outsize, spatial_scale,
                                 'ROIAveragePooling2D')
    count = numpy.maximum(valid.sum(axis=-1, keepdims=True), 1)
    return _roi.gather_mean(x, batch, pos, valid / count, 'ROIAveragePooling2D',
                            (rois, roi_indices))


class ROIAveragePooling2D(_CallableNode, _composite.CompositeNode):
    """The node of :func:`roi_average_pooling_2d`: inputs ``(x, rois, roi_indices)``."""

    _n_inputs = (3, 3)

    _differentiable = (0,)

    def __init__(self, outsize, spatial_scale) -> None:
        self.outsize = outsize
        self.spatial_scale = spatial_scale

    def _compose(self, x, rois, roi_indices):
        return roi_average_pooling_2d(x, rois, roi_indices, self.outsize, self.spatial_scale)
