"""Tests of chainer.optimizers.MomentumSGD against a NumPy reference."""
import numpy
import pytest

from chainer import optimizers
from chainer.optimizers import momentum_sgd

from tests.chainer_tests.optimizers_tests._optim_core_util import (
    DictDeserializer, DictSerializer, Model, cpu_and_gpu_runs, param_arrays, set_grads)


TOL = {numpy.float16: 5e-3, numpy.float32: 1e-6, numpy.float64: 1e-12}


def _reference(params, grads_seq, lr, momentum):
    p = {k: v.astype(numpy.float64) for k, v in params.items()}
    v = {k: numpy.zeros_like(x) for k, x in p.items()}
    for grads in grads_seq:
        for k, g in grads.items():
            v[k] = momentum * v[k] - lr * g.astype(numpy.float64)
            p[k] += v[k]
    return p, v


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('lr, momentum', [(0.01, 0.9), (0.1, 0.5), (0.05, 0.0)])
def test_momentum_sgd_matches_reference(dtype, lr, momentum):
    model = Model(dtype)
    opt = optimizers.MomentumSGD(lr=lr, momentum=momentum).setup(model)
    init = param_arrays(model)
    seq = []
    for step in range(5):
        seq.append(set_grads(model, step))
        opt.update()
    ref_p, ref_v = _reference(init, seq, lr, momentum)
    for name, p in model.namedparams():
        assert p.dtype == dtype
        assert p.update_rule.state['v'].dtype == dtype
        numpy.testing.assert_allclose(p.array, ref_p[name], rtol=TOL[dtype], atol=TOL[dtype])
        numpy.testing.assert_allclose(p.update_rule.state['v'], ref_v[name],
                                      rtol=TOL[dtype], atol=TOL[dtype])


def test_momentum_sgd_defaults():
    opt = optimizers.MomentumSGD()
    assert (opt.lr, opt.momentum) == (0.01, 0.9)
    opt.momentum = 0.8
    assert opt.hyperparam.momentum == 0.8
    rule = momentum_sgd.MomentumSGDRule(lr=0.2, momentum=0.3)
    assert (rule.hyperparam.lr, rule.hyperparam.momentum) == (0.2, 0.3)
    assert momentum_sgd.MomentumSGDRule().hyperparam.momentum == 0.9


def test_momentum_sgd_fp32_update():
    model = Model(numpy.float16)
    opt = optimizers.MomentumSGD(lr=0.1)
    opt.use_fp32_update()
    opt.setup(model)
    init = param_arrays(model)
    seq = []
    for step in range(3):
        seq.append(set_grads(model, step))
        opt.update()
    ref_p, ref_v = _reference(init, seq, 0.1, 0.9)
    for name, p in model.namedparams():
        assert p.dtype == numpy.float16
        assert p.update_rule.state['v'].dtype == numpy.float32
        numpy.testing.assert_allclose(p.update_rule.state['v'], ref_v[name], rtol=1e-5,
                                      atol=1e-6)
        numpy.testing.assert_allclose(p.array, ref_p[name], rtol=2e-3, atol=2e-3)


def test_momentum_sgd_resume():
    model = Model()
    opt = optimizers.MomentumSGD().setup(model)
    for step in range(2):
        set_grads(model, step)
        opt.update()
    snap = {}
    DictSerializer(snap).save(opt)
    model2 = Model()
    model2.copyparams(model)
    opt2 = optimizers.MomentumSGD().setup(model2)
    DictDeserializer(snap).load(opt2)
    for m, o in ((model, opt), (model2, opt2)):
        set_grads(m, 7)
        o.update()
    for p, q in zip(model.params(), model2.params()):
        numpy.testing.assert_array_equal(p.array, q.array)


@pytest.mark.gpu
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_momentum_sgd_gpu_matches_cpu(dtype):
    import cupy
    cpu, gpu = cpu_and_gpu_runs(lambda: optimizers.MomentumSGD(lr=0.1), dtype)
    for p, q in zip(cpu.params(), gpu.params()):
        numpy.testing.assert_allclose(cupy.asnumpy(q.array), p.array, rtol=TOL[dtype],
                                      atol=TOL[dtype])
        assert isinstance(q.update_rule.state['v'], cupy.ndarray)


@pytest.mark.parametrize('contiguous_grad', [True, False])
def test_momentum_sgd_large_parameter(contiguous_grad):
    # Large parameters are updated block by block (strided gradients as a whole).
    import chainer
    rng = numpy.random.RandomState(2)
    shape = (301, 500)
    p = chainer.Parameter(rng.uniform(-1, 1, shape).astype(numpy.float32))
    p.update_rule = momentum_sgd.MomentumSGDRule(lr=0.1, momentum=0.8)
    init = {'p': p.array.copy()}
    seq = []
    for step in range(3):
        g = rng.uniform(-1, 1, shape).astype(numpy.float32)
        p.grad = g.copy() if contiguous_grad else numpy.asfortranarray(g)
        seq.append({'p': g})
        p.update()
    ref_p, ref_v = _reference(init, seq, 0.1, 0.8)
    numpy.testing.assert_allclose(p.array, ref_p['p'], rtol=1e-6, atol=1e-6)
    numpy.testing.assert_allclose(p.update_rule.state['v'], ref_v['p'], rtol=1e-6, atol=1e-6)
