"""``export_testcase``: a model plus its inputs and outputs as ONNX test data."""
from __future__ import annotations

import os
import warnings
from typing import Any

import chainer
from chainer.utils import _atomic
from onnx_chainer import onnx_helper
from onnx_chainer.export import _model_files, export

__all__ = ['export_testcase']


def _to_cpu(x: Any) -> Any:
    arr = x.array if isinstance(x, chainer.Variable) else x
    return chainer.backend.CpuDevice().send(arr)


def export_testcase(model: Any, args: Any, out_dir: str, output_grad: bool = False,
                    **kwargs: Any) -> Any:
    """Writes ``out_dir/model.onnx`` and ``out_dir/test_data_set_0/{input,output}_N.pb``.

    The layout is the one of the ONNX backend test data, so ONNX runtimes' test
    runners can load it; with ``export_params=False`` the parameters and other arrays, which
    are graph inputs then, are written as inputs too, after the model's. ``kwargs`` go to
    :func:`onnx_chainer.export`.

    Args:
        output_grad: Also write the parameters' gradients of the outputs (each
            output's gradient all ones) as ``gradient_<i>.pb``, ``i`` counting
            ``model.namedparams()``; a parameter without a gradient warns.

    Returns:
        The ModelProto.
    """
    os.makedirs(out_dir, exist_ok=True)
    model.cleargrads()
    kwargs['return_named_inout'] = True
    kwargs['no_testcase'] = True
    save_text = kwargs.pop('save_text', False)
    onnx_model, inputs, outputs = export(model, args, **kwargs)
    # Every file is made first and all are renamed into place together, so a
    # failure leaves the test case as it was (not a new model with old data).
    files = _model_files(onnx_model, os.path.join(out_dir, 'model.onnx'), save_text)
    data_dir = os.path.join(out_dir, 'test_data_set_0')
    os.makedirs(data_dir, exist_ok=True)
    initializers = set(inputs) | {i.name for i in onnx_model.graph.initializer}
    graph_inputs = list(inputs) + [i.name for i in onnx_model.graph.input
                                   if i.name not in initializers]
    values = None
    for i, name in enumerate(graph_inputs):
        if name in inputs:
            value = _to_cpu(inputs[name])
        else:  # an array exported as an input (export_params=False)
            if values is None:
                values = _exported_values(model, args, kwargs)
            value = values[name]
        files.append((os.path.join(data_dir, f'input_{i}.pb'),
                      onnx_helper._tensor_pb(name, value)))
    for i, (name, var) in enumerate(outputs.items()):
        files.append((os.path.join(data_dir, f'output_{i}.pb'),
                      onnx_helper._tensor_pb(name, _to_cpu(var))))
    if output_grad:
        ys = list(outputs.values())
        chainer.grad(ys, list(model.params()), [y.xp.ones_like(y.array) for y in ys],
                     set_grad=True)
        for i, (path, param) in enumerate(model.namedparams()):
            if param.grad is None:
                warnings.warn(f'the parameter {path!r} has no gradient: it is not written')
                continue
            files.append((os.path.join(data_dir, f'gradient_{i}.pb'),
                          onnx_helper._tensor_pb(onnx_helper.cleanse_param_name(path),
                                                _to_cpu(param.grad))))
    _atomic.write_together(files)
    return onnx_model


def _exported_values(model: Any, args: Any, kwargs: dict) -> dict:
    """The values of the arrays an export with ``export_params=False`` made graph
    inputs: the initializers of the same export with parameters, and the
    parameters no function took."""
    from onnx import numpy_helper
    kwargs = dict(kwargs, export_params=True, return_named_inout=False)
    values = {t.name: numpy_helper.to_array(t)
              for t in export(model, args, **kwargs).graph.initializer}
    # The parameters no function took are inputs too, without an initializer.
    if hasattr(model, 'namedparams'):
        for path, param in model.namedparams(include_uninit=False):
            values.setdefault(onnx_helper.cleanse_param_name(path), _to_cpu(param))
    return values
