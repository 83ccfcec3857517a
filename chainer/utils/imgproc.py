"""Image preprocessing helpers."""
from __future__ import annotations

from collections.abc import Sequence

import numpy


def oversample(images: Sequence[numpy.ndarray], crop_dims: tuple[int, int]) -> numpy.ndarray:
    """Ten crops of each image: four corners, the centre, and their mirrors.

    ``images`` holds arrays of shape ``(C, H, W)``; ``crop_dims`` is
    ``(height, width)``.  The result has shape ``(10 * len(images), C, height,
    width)``: for each image the five crops (top-left, top-right, bottom-left,
    bottom-right, centre) followed by the same five flipped horizontally.
    """
    channels, height, width = images[0].shape
    crop_h, crop_w = crop_dims
    tops = (0, 0, height - crop_h, height - crop_h, int(height / 2.0 - crop_h / 2.0))
    lefts = (0, width - crop_w, 0, width - crop_w, int(width / 2.0 - crop_w / 2.0))
    out = numpy.empty((10 * len(images), channels, crop_h, crop_w), dtype=images[0].dtype)
    for n, image in enumerate(images):
        base = 10 * n
        for k, (top, left) in enumerate(zip(tops, lefts)):
            crop = image[:, top:top + crop_h, left:left + crop_w]
            out[base + k] = crop
            out[base + 5 + k] = crop[:, :, ::-1]
    return out
