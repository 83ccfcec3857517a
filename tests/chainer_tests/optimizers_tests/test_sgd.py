"""Tests of chainer.optimizers.SGD against a NumPy reference."""
import numpy
import pytest

from chainer import optimizer
from chainer import optimizers
from chainer.optimizers import sgd

from tests.chainer_tests.optimizers_tests._optim_core_util import (
    Model, cpu_and_gpu_runs, param_arrays, set_grads)


TOL = {numpy.float16: 1e-3, numpy.float32: 1e-6, numpy.float64: 1e-12}


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('lr', [0.01, 0.3])
def test_sgd_matches_reference(dtype, lr):
    model = Model(dtype)
    opt = optimizers.SGD(lr=lr).setup(model)
    ref = {k: v.astype(numpy.float64) for k, v in param_arrays(model).items()}
    for step in range(4):
        grads = set_grads(model, step)
        opt.update()
        for k, g in grads.items():
            ref[k] -= lr * g.astype(numpy.float64)
    for name, p in model.namedparams():
        assert p.dtype == dtype
        numpy.testing.assert_allclose(p.array, ref[name], rtol=TOL[dtype], atol=TOL[dtype])


def test_sgd_defaults_and_proxy():
    opt = optimizers.SGD()
    assert opt.lr == 0.01
    assert opt.hyperparam.get_dict() == {'lr': 0.01}
    rule = sgd.SGDRule(lr=0.5)
    assert rule.hyperparam.lr == 0.5
    assert sgd.SGDRule().hyperparam.lr == 0.01
    assert sgd.SGDRule.is_elementwise


def test_sgd_numpy_scalar_lr_keeps_dtype():
    model = Model(numpy.float32)
    opt = optimizers.SGD(lr=numpy.float64(0.1)).setup(model)
    set_grads(model, 0)
    opt.update()
    assert all(p.dtype == numpy.float32 for p in model.params())


def test_sgd_lr_change_after_setup():
    model = Model()
    opt = optimizers.SGD(lr=0.1).setup(model)
    opt.lr = 1.0
    before = param_arrays(model)
    grads = set_grads(model, 0)
    opt.update()
    numpy.testing.assert_allclose(model.l1.W.array, before['/l1/W'] - grads['/l1/W'], rtol=1e-6)


def test_sgd_update_rule_is_update_rule():
    assert issubclass(sgd.SGDRule, optimizer.UpdateRule)
    assert isinstance(optimizers.SGD(), optimizer.GradientMethod)


@pytest.mark.gpu
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_sgd_gpu_matches_cpu(dtype):
    import cupy
    cpu, gpu = cpu_and_gpu_runs(lambda: optimizers.SGD(lr=0.1), dtype)
    # The device may round each step's float16 update an ulp apart (FMA).
    tol = 5e-3 if dtype == numpy.float16 else TOL[dtype]
    for p, q in zip(cpu.params(), gpu.params()):
        numpy.testing.assert_allclose(cupy.asnumpy(q.array), p.array, rtol=tol, atol=tol)
