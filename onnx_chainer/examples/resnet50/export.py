"""Export ResNet-50 (``chainer.links.ResNet50Layers``) to ONNX.

Run ``python -m onnx_chainer.examples.resnet50.export --out resnet50.onnx``;
``--weights`` loads a ``.npz`` of the model, otherwise weights are random.
"""
from __future__ import annotations

import argparse
from typing import Any

import numpy

import chainer
import chainer.functions as F
from onnx_chainer import export, export_testcase

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
    if testcase_dir:
        export_testcase(model, x, testcase_dir, opset_version=opset_version)
    return export(model, x, out, opset_version=opset_version)


def main(argv: Any = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument('--out', default='resnet50.onnx')
    parser.add_argument('--weights', default=None)
    parser.add_argument('--opset', type=int, default=None)
    parser.add_argument('--testcase-dir', default=None)
    args = parser.parse_args(argv)
    export_onnx(args.out, args.weights, opset_version=args.opset,
                testcase_dir=args.testcase_dir)


if __name__ == '__main__':
    main()
