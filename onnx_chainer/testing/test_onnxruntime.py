"""Run an exported test case in onnxruntime and compare with the expected outputs."""
from __future__ import annotations

import glob
import os
from typing import Any

import numpy

__all__ = ['check_model_expect', 'load_test_data']


def load_test_data(data_dir: str, input_names: list, output_names: list) -> tuple:
    """``({input name: array}, [(output name, array)])`` from ``input_N.pb``/``output_N.pb``."""
    import onnx
    from onnx import numpy_helper

    def read(pattern):
        items = []
        for path in sorted(glob.glob(os.path.join(data_dir, pattern)),
                           key=lambda p: int(p.rsplit('_', 1)[1].split('.')[0])):
            tensor = onnx.TensorProto()
            with open(path, 'rb') as f:
                tensor.ParseFromString(f.read())
            items.append((tensor.name, numpy_helper.to_array(tensor)))
        return items

    inputs = read('input_*.pb')
    outputs = read('output_*.pb')
    in_dict = {}
    for i, (name, arr) in enumerate(inputs):
        in_dict[name or input_names[i]] = arr
    outs = [(name or output_names[i], arr) for i, (name, arr) in enumerate(outputs)]
    return in_dict, outs


def check_model_expect(test_path: str, input_names: Any = None, rtol: float = 1e-5,
                       atol: float = 1e-5) -> None:
    """Runs ``test_path/model.onnx`` on its test inputs and asserts the outputs match."""
    import onnx
    import onnxruntime
    model = onnx.load(os.path.join(test_path, 'model.onnx'))
    session = onnxruntime.InferenceSession(model.SerializeToString(),
                                           providers=['CPUExecutionProvider'])
    in_names = [i.name for i in session.get_inputs()]
    out_names = [o.name for o in session.get_outputs()]
    inputs, expected = load_test_data(os.path.join(test_path, 'test_data_set_0'), in_names,
                                      out_names)
    if input_names is not None:
        inputs = {k: v for k, v in inputs.items() if k in input_names}
    actual = session.run([name for name, _ in expected], inputs)
    for (name, want), got in zip(expected, actual):
        numpy.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=name)
