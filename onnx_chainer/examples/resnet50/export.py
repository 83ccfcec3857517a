"""Export ResNet-50 (``chainer.links.ResNet50Layers``) to ONNX.

Run ``python -m onnx_chainer.examples.resnet50.export --out resnet50.onnx``;
``--weights`` loads a ``.npz`` of the model, otherwise weights are random.
"""
from __future__ import annotations

from typing import Any

import numpy

import chainer
import chainer.functions as F
from onnx_chainer import export, export_testcase
from onnx_chainer.examples import _cli

__all__ = ['export', 'export_onnx', 'export_testcase']


class _Classifier(chainer.Chain):
    def __init__(self, weights: Any = None) -> None:
        super().__init__()
        with self.init_scope():
            self.model = chainer.links.ResNet50Layers(pretrained_model=None)
        if weights:
            chainer.serializers.load_npz(weights, self.model)

    def forward(self, x):
        return F.softmax(self.model(x, layers=['fc6'])['fc6'])


def export_onnx(out: str, weights: Any = None, batch: int = 1, size: int = 224,
                opset_version: Any = None, testcase_dir: Any = None) -> Any:
    """Exports the classifier (softmax over the 1000 classes) for ``(batch, 3, size, size)``
    inputs to ``out``; with ``testcase_dir`` also writes test data there."""
    model = _Classifier(weights)
    x = numpy.zeros((batch, 3, size, size), numpy.float32)
    return _cli.export_model(model, x, out, opset_version, testcase_dir)


def main(argv: Any = None) -> None:
    _cli.main(export_onnx, 'resnet50.onnx', __doc__, argv)


if __name__ == '__main__':
    main()
