"""The example exporters run (small inputs)."""
import os

from tests.onnx_chainer_tests import _util


def test_yolov2tiny_export(tmp_path):
    from onnx_chainer.examples.yolov2tiny import export as example
    out = str(tmp_path / 'yolo.onnx')
    model = example.export_onnx(out, size=32)
    assert os.path.exists(out)
    _util.onnx.checker.check_model(model)
    assert model.graph.output[0].type.tensor_type.shape.dim[1].dim_value == 125
