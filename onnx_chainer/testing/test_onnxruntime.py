"""Run an exported test case in onnxruntime and compare with the expected outputs."""
from __future__ import annotations

import glob
import os
from typing import Any

import numpy

__all__ = ['check_model_expect', 'load_test_data']


def _number(path: str) -> int:
    return int(path.rsplit('_', 1)[1].split('.')[0])


def load_test_data(data_dir: str, input_names: list, output_names: list) -> tuple:
    """``({input name: array}, {output name: array})`` from ``input_N.pb``/``output_N.pb``.

    A tensor is keyed by its own name where that is one of the names given, else
    by the first given name not taken yet.
    """
    import onnx
    from onnx import numpy_helper

    def read(kind, names):
        names = list(names)
        values = {}
        for path in sorted(glob.glob(os.path.join(data_dir, f'{kind}_*.pb')), key=_number):
            tensor = onnx.load_tensor(path)
            name = tensor.name if tensor.name in names else names[0]
            names.remove(name)
            values[name] = numpy_helper.to_array(tensor)
        return values

    return read('input', input_names), read('output', output_names)


def check_model_expect(test_path: str, input_names: Any = None, rtol: float = 1e-5,
                       atol: float = 1e-5) -> None:
    """Runs ``test_path/model.onnx`` on each ``test_data_set_*`` and asserts the outputs
    match; with ``input_names``, first asserts the model's inputs are those."""
    import onnx
    import onnxruntime
    model = onnx.load(os.path.join(test_path, 'model.onnx'))
    session = onnxruntime.InferenceSession(model.SerializeToString(),
                                           providers=['CPUExecutionProvider'])
    in_names = [i.name for i in session.get_inputs()]
    out_names = [o.name for o in session.get_outputs()]
    if input_names is not None:
        assert sorted(input_names) == sorted(in_names), (input_names, in_names)
    for data_set in sorted(p for p in os.listdir(test_path) if p.startswith('test_data_set_')):
        inputs, expected = load_test_data(os.path.join(test_path, data_set), in_names,
                                          out_names)
        actual = session.run(list(expected), inputs)
        for (name, want), got in zip(expected.items(), actual):
            numpy.testing.assert_allclose(got, want, rtol=rtol, atol=atol, err_msg=name)
