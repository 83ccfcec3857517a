"""Export, check and run a model in onnxruntime; compare with rechainer."""
from __future__ import annotations

import numpy
import pytest

import chainer

onnx = pytest.importorskip('onnx', reason="needs the 'onnx' extra")
onnxruntime = pytest.importorskip('onnxruntime', reason="needs the 'onnx' extra")

import onnx_chainer  # noqa: E402


class FuncModel(chainer.Chain):
    """A Chain calling ``fn`` (a function of Variables)."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, *xs):
        return self.fn(*xs)


def _expected(model, args):
    with chainer.using_config('train', False):
        if isinstance(args, (list, tuple)):
            ys = model(*[chainer.Variable(a) for a in args])
        else:
            ys = model(chainer.Variable(args))
    if not isinstance(ys, (list, tuple)):
        ys = (ys,)
    return [numpy.asarray(y.array) for y in ys]


def run_onnx(onnx_model, args):
    session = onnxruntime.InferenceSession(onnx_model.SerializeToString(),
                                           providers=['CPUExecutionProvider'])
    names = [i.name for i in session.get_inputs()]
    if not isinstance(args, (list, tuple)):
        args = (args,)
    return session.run(None, dict(zip(names, [numpy.asarray(a) for a in args])))


def _rolled(args):
    """Other inputs of the same shapes and values: the float arrays' elements rolled by one."""
    def roll(a):
        a = numpy.asarray(a)
        return numpy.roll(a.ravel(), 1).reshape(a.shape) if a.dtype.kind == 'f' else a
    return [roll(a) for a in args] if isinstance(args, (list, tuple)) else roll(args)


def check(model, args, rtol=1e-5, atol=1e-6, fresh_input=True, **kwargs):
    """Exports, checks with onnx.checker, runs in onnxruntime and compares, on the
    export's inputs and (``fresh_input``) on others, so that an output the export
    froze into a constant is caught."""
    if not isinstance(model, chainer.Link):
        model = FuncModel(model)
    onnx_model = onnx_chainer.export(model, args, **kwargs)
    onnx.checker.check_model(onnx_model, full_check=True)
    for inputs in (args, _rolled(args)) if fresh_input else (args,):
        want = _expected(model, inputs)
        got = run_onnx(onnx_model, inputs)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            assert g.shape == w.shape
            assert g.dtype == w.dtype, (g.dtype, w.dtype)
            numpy.testing.assert_allclose(g, w, rtol=rtol, atol=atol)
    return onnx_model
