"""RoIAlign with average pooling (Mask R-CNN)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chainer.functions.pooling import _roi
from chainer.functions import _composite
from chainer.function import _CallableNode

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import VariableOrArray
    from chainer.variable import Variable

__all__ = ['ROIAverageAlign2D', 'roi_average_align_2d', 'align_taps_for']


def align_taps_for(x, rois, roi_indices, outsize, spatial_scale, sampling_ratio,
                   label: str = 'ROIAverageAlign2D') -> tuple:
    """``(batch, pos, weight, valid, count)`` of the bilinear sample taps of RoIAlign."""
    _roi.check_inputs(x, rois, 4, roi_indices, label)
    out_h, out_w = _roi.pair(outsize, 'outsize')
    r, batch = _roi.roi_arrays(rois, roi_indices)
    sy, sx = _roi.scale_pair(spatial_scale)
    h, w = x.shape[2:]
    pos, weight, valid, count = _roi.align_taps(r[:, 0] * sy, r[:, 1] * sx, r[:, 2] * sy,
                                                r[:, 3] * sx, out_h, out_w, h, w,
                                                sampling_ratio)
    return batch, pos, weight, valid, count


def roi_average_align_2d(x: VariableOrArray, rois: VariableOrArray, roi_indices: VariableOrArray,
                         outsize: int | Sequence[int] | None, spatial_scale: float,
                         sampling_ratio: int | Sequence[int] | None = None) -> Variable:
    """RoIAlign: the average of bilinearly sampled points in every bin (no quantization).

    Args:
        x: Input of shape ``(n, c, h, w)``.
        rois: ``(R, 4)`` float array of ``y_min, x_min, y_max, x_max``.
        roi_indices: ``(R,)`` int array of batch indices.
        outsize: Output grid size (int or pair).
        spatial_scale: Scale from image to feature-map coordinates.
        sampling_ratio: Samples per bin along each axis (int or pair); by default
            ``ceil(roi_size / outsize)``.
    """
    batch, pos, weight, valid, count = align_taps_for(x, rois, roi_indices, outsize,
                                                      spatial_scale, sampling_ratio)
    R, P, Q, S, K = pos.shape
    weight = weight / count[:, None, None, None, None]
    return _roi.gather_mean(x, batch, pos.reshape(R, P, Q, S * K),
                            weight.reshape(R, P, Q, S * K), 'ROIAverageAlign2D',
                            (rois, roi_indices))


class AlignNode(_CallableNode, _composite.CompositeNode):
    """The node of a RoIAlign function ``align``: inputs ``(x, rois, roi_indices)``."""

    _n_inputs = (3, 3)

    _differentiable = (0,)
    align: Any = None  # the function, as a staticmethod of the subclass

    def __init__(self, outsize, spatial_scale, sampling_ratio=None) -> None:
        self.outsize = outsize
        self.spatial_scale = spatial_scale
        self.sampling_ratio = sampling_ratio

    def _compose(self, x, rois, roi_indices):
        return self.align(x, rois, roi_indices, self.outsize, self.spatial_scale,
                          self.sampling_ratio)


class ROIAverageAlign2D(AlignNode):
    """The node of :func:`roi_average_align_2d`: inputs ``(x, rois, roi_indices)``."""

    align = staticmethod(roi_average_align_2d)
