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


def check(model, args, rtol=1e-5, atol=1e-6, **kwargs):
    """Exports, checks with onnx.checker, runs in onnxruntime and compares."""
    if not isinstance(model, chainer.Link):
        model = FuncModel(model)
    onnx_model = onnx_chainer.export(model, args, **kwargs)
    onnx.checker.check_model(onnx_model, full_check=True)
    want = _expected(model, args)
    got = run_onnx(onnx_model, args)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        assert g.shape == w.shape
        assert g.dtype == w.dtype, (g.dtype, w.dtype)
        numpy.testing.assert_allclose(g, w, rtol=rtol, atol=atol)
    return onnx_model
