"""Export a YOLOv2-tiny detector backbone to ONNX.

Run ``python -m onnx_chainer.examples.yolov2tiny.export --out yolov2tiny.onnx``;
``--weights`` loads a ``.npz`` of :class:`YOLOv2Tiny`, otherwise weights are random.
The exported graph ends at the raw detection map (``n_boxes * (5 + n_classes)``
channels); decoding boxes is left to the application.
"""
from __future__ import annotations

from typing import Any

import numpy

import chainer
import chainer.functions as F
import chainer.links as L
from onnx_chainer import export, export_testcase
from onnx_chainer.examples import _cli

__all__ = ['YOLOv2Tiny', 'export', 'export_onnx', 'export_testcase']


class YOLOv2Tiny(chainer.Chain):
    """Nine 3x3 convolutions with batch normalization and leaky ReLU, max pooling
    between the first six, and a 1x1 detection layer."""

    def __init__(self, n_classes: int = 20, n_boxes: int = 5) -> None:
        super().__init__()
        channels = [16, 32, 64, 128, 256, 512, 1024, 1024]
        with self.init_scope():
            self.convs = chainer.ChainList(*[
                L.Convolution2D(None, c, 3, pad=1, nobias=True) for c in channels])
            self.bns = chainer.ChainList(*[L.BatchNormalization(c) for c in channels])
            self.detect = L.Convolution2D(None, n_boxes * (5 + n_classes), 1)

    def forward(self, x):
        h = x
        for i, (conv, bn) in enumerate(zip(self.convs, self.bns)):
            h = F.leaky_relu(bn(conv(h)), slope=0.1)
            if i < 5:
                h = F.max_pooling_2d(h, 2, 2)
            elif i == 5:
                h = F.max_pooling_2d(F.pad(h, ((0, 0), (0, 0), (0, 1), (0, 1)), 'constant'),
                                     2, 1)
        return self.detect(h)


def export_onnx(out: str, weights: Any = None, batch: int = 1, size: int = 416,
                opset_version: Any = None, testcase_dir: Any = None) -> Any:
    """Exports :class:`YOLOv2Tiny` for ``(batch, 3, size, size)`` inputs to ``out``."""
    model = YOLOv2Tiny()
    x = numpy.zeros((batch, 3, size, size), numpy.float32)
    with chainer.using_config('train', False):
        model(x)  # initialize the lazily sized layers
    if weights:
        chainer.serializers.load_npz(weights, model)
    return _cli.export_model(model, x, out, opset_version, testcase_dir)


def main(argv: Any = None) -> None:
    _cli.main(export_onnx, 'yolov2tiny.onnx', __doc__, argv)


if __name__ == '__main__':
    main()
