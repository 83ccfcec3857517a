"""Tests of chainer.optimizers.Adam (and AdamW, AMSGrad, AdaBound, AMSBound)."""
import math

import numpy
import pytest

import chainer
from chainer import optimizers
from chainer.optimizers import adam

from tests.chainer_tests.optimizers_tests._optim_core_util import (
    DictDeserializer, DictSerializer, Model, param_arrays, set_grads)


TOL = {numpy.float16: 3e-3, numpy.float32: 1e-5, numpy.float64: 1e-12}
DEFAULTS = dict(alpha=0.001, beta1=0.9, beta2=0.999, eps=1e-8, eta=1.0,
                weight_decay_rate=0, amsgrad=False, adabound=False, final_lr=0.1,
                gamma=1e-3)


def _reference(init, grads_seq, hp, initial_alpha=None):
    hp = dict(DEFAULTS, **hp)
    initial_alpha = hp['alpha'] if initial_alpha is None else initial_alpha
    p = {k: v.astype(numpy.float64) for k, v in init.items()}
    m = {k: numpy.zeros_like(x) for k, x in p.items()}
    v = {k: numpy.zeros_like(x) for k, x in p.items()}
    vhat = {k: numpy.zeros_like(x) for k, x in p.items()}
    for t, grads in enumerate(grads_seq, 1):
        alpha_t = hp['alpha'] * math.sqrt(1 - hp['beta2'] ** t) / (1 - hp['beta1'] ** t)
        for k, g in grads.items():
            g = g.astype(numpy.float64)
            m[k] += (1 - hp['beta1']) * (g - m[k])
            v[k] += (1 - hp['beta2']) * (g * g - v[k])
            if hp['amsgrad']:
                vhat[k] = numpy.maximum(vhat[k], v[k])
                denom = numpy.sqrt(vhat[k]) + hp['eps']
            else:
                denom = numpy.sqrt(v[k]) + hp['eps']
            step = alpha_t / denom
            if hp['adabound']:
                final_lr = hp['final_lr'] * hp['alpha'] / initial_alpha
                lower = final_lr * (1 - 1 / (hp['gamma'] * t + 1))
                upper = final_lr * (1 + 1 / (hp['gamma'] * t))
                step = numpy.clip(step, lower, upper)
            p[k] -= hp['eta'] * (step * m[k] + hp['weight_decay_rate'] * p[k])
    return p, m, v, vhat


CASES = [
    {},
    {'alpha': 0.01, 'beta1': 0.8, 'beta2': 0.99},
    {'alpha': 0.01, 'eta': 0.5, 'weight_decay_rate': 0.1},
    {'alpha': 0.01, 'amsgrad': True},
    {'alpha': 0.01, 'adabound': True, 'gamma': 0.1, 'final_lr': 0.05},
    {'alpha': 0.01, 'amsgrad': True, 'adabound': True, 'gamma': 0.5},
]


def _run(model, opt, steps, scale_seq=None):
    seq = []
    for step in range(steps):
        grads = set_grads(model, step)
        if scale_seq is not None:
            # Vary the gradient scale so vhat differs from v (AMSGrad).
            for p in model.params():
                p.grad *= p.grad.dtype.type(scale_seq[step])
            grads = {k: g * g.dtype.type(scale_seq[step]) for k, g in grads.items()}
        seq.append(grads)
        opt.update()
    return seq


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('hp', CASES)
def test_adam_matches_reference(dtype, hp):
    model = Model(dtype)
    opt = optimizers.Adam(**hp).setup(model)
    init = param_arrays(model)
    seq = _run(model, opt, 5, scale_seq=[1.0, 4.0, 0.5, 0.25, 2.0])
    ref_p, ref_m, ref_v, ref_vhat = _reference(init, seq, hp)
    tol = TOL[dtype]
    for name, p in model.namedparams():
        state = p.update_rule.state
        assert p.dtype == dtype
        assert state['m'].dtype == dtype
        assert sorted(state) == (['m', 'v', 'vhat'] if hp.get('amsgrad') else ['m', 'v'])
        numpy.testing.assert_allclose(p.array, ref_p[name], rtol=tol, atol=tol)
        numpy.testing.assert_allclose(state['m'], ref_m[name], rtol=tol, atol=tol)
        numpy.testing.assert_allclose(state['v'], ref_v[name], rtol=tol, atol=tol)
        if hp.get('amsgrad'):
            numpy.testing.assert_allclose(state['vhat'], ref_vhat[name], rtol=tol, atol=tol)


@pytest.mark.parametrize('cls, kwargs, expected', [
    (optimizers.AdamW, {'weight_decay_rate': 0.01}, {'weight_decay_rate': 0.01}),
    (optimizers.AMSGrad, {}, {'amsgrad': True}),
    (optimizers.AdaBound, {'final_lr': 0.2, 'gamma': 0.01},
     {'adabound': True, 'final_lr': 0.2, 'gamma': 0.01}),
    (optimizers.AMSBound, {}, {'adabound': True, 'amsgrad': True}),
])
def test_variants(cls, kwargs, expected):
    opt = cls(alpha=0.01, **kwargs)
    assert isinstance(opt, optimizers.Adam)
    want = dict(DEFAULTS, alpha=0.01, **expected)
    assert opt.hyperparam.get_dict() == want
    model = Model()
    opt.setup(model)
    init = param_arrays(model)
    seq = _run(model, opt, 4, scale_seq=[1.0, 3.0, 0.5, 2.0])
    ref_p = _reference(init, seq, want)[0]
    for name, p in model.namedparams():
        numpy.testing.assert_allclose(p.array, ref_p[name], rtol=1e-5, atol=1e-6)


def test_defaults_and_proxies():
    opt = optimizers.Adam()
    assert opt.hyperparam.get_dict() == DEFAULTS
    for key, value in DEFAULTS.items():
        assert getattr(opt, key) == value
    opt.alpha = 0.5
    opt.amsgrad = True
    assert opt.hyperparam.alpha == 0.5
    assert opt.hyperparam.amsgrad is True
    rule = adam.AdamRule(alpha=0.2, beta1=0.5, amsgrad=True, gamma=0.3)
    assert (rule.hyperparam.alpha, rule.hyperparam.beta1, rule.hyperparam.beta2) == (
        0.2, 0.5, 0.999)
    assert rule.hyperparam.amsgrad and rule.hyperparam.gamma == 0.3
    assert adam.AdamRule.is_elementwise


def test_alpha_t_and_lr():
    model = Model()
    opt = optimizers.Adam(alpha=0.1, beta1=0.5, beta2=0.75).setup(model)
    with pytest.raises(RuntimeError, match='learning rate'):
        opt.alpha_t
    with pytest.raises(RuntimeError, match='learning rate'):
        model.l1.W.update_rule.alpha_t
    set_grads(model, 0)
    opt.update()
    set_grads(model, 1)
    opt.update()
    expected = 0.1 * math.sqrt(1 - 0.75 ** 2) / (1 - 0.5 ** 2)
    assert opt.alpha_t == pytest.approx(expected)
    assert model.l1.W.update_rule.alpha_t == pytest.approx(expected)
    with pytest.warns(DeprecationWarning):
        assert opt.lr == pytest.approx(expected)
    with pytest.warns(DeprecationWarning):
        assert model.l1.W.update_rule.lr == pytest.approx(expected)


def test_bounds():
    rule = adam.AdamRule(alpha=0.01, adabound=True, final_lr=0.1, gamma=0.5)
    with pytest.raises(RuntimeError, match='bounds'):
        rule.bounds
    rule.t = 2
    lower, upper = rule.bounds
    assert lower == pytest.approx(0.1 * (1 - 1 / 2.0))
    assert upper == pytest.approx(0.1 * (1 + 1 / 1.0))
    # final_lr follows later changes of alpha
    rule.hyperparam.alpha = 0.02
    assert rule.bounds[0] == pytest.approx(0.2 * (1 - 1 / 2.0))


def test_adabound_alpha_change_after_setup():
    model = Model()
    opt = optimizers.AdaBound(alpha=0.01, gamma=0.1).setup(model)
    init = param_arrays(model)
    opt.alpha = 0.02
    seq = _run(model, opt, 3)
    ref_p = _reference(init, seq, dict(alpha=0.02, adabound=True, gamma=0.1),
                       initial_alpha=0.01)[0]
    for name, p in model.namedparams():
        numpy.testing.assert_allclose(p.array, ref_p[name], rtol=1e-5, atol=1e-6)


def test_eps_too_small():
    model = Model(numpy.float32)
    opt = optimizers.Adam(eps=1e-60).setup(model)
    set_grads(model, 0)
    with pytest.raises(ValueError, match='eps'):
        opt.update()


def test_float16_uses_float32_arithmetic():
    # eps=1e-10 underflows in float16 but not in the float32 intermediate type.
    model = Model(numpy.float16)
    opt = optimizers.Adam(eps=1e-10, alpha=0.01).setup(model)
    init = param_arrays(model)
    seq = _run(model, opt, 3)
    ref_p = _reference(init, seq, dict(eps=1e-10, alpha=0.01))[0]
    for name, p in model.namedparams():
        assert numpy.isfinite(p.array).all()
        numpy.testing.assert_allclose(p.array, ref_p[name], rtol=3e-3, atol=3e-3)


@pytest.mark.parametrize('hp', [{}, {'amsgrad': True}, {'adabound': True}])
def test_float16_root_of_v_in_float32(hp):
    # Chainer took sqrt(v) of a float16 parameter's float16 state in float32: the
    # step matches a float32 evaluation bit for bit, not a float16 root widened.
    link = chainer.Link()
    with link.init_scope():
        # small weights: the float16 spacing is fine enough to see the step's rounding
        link.w = chainer.Parameter(numpy.linspace(1e-3, 1e-2, 64).astype(numpy.float16))
    opt = optimizers.Adam(alpha=0.001, **hp).setup(link)
    rng = numpy.random.RandomState(3)
    grads = (rng.rand(2, 64) * 3 + 0.5).astype(numpy.float16)
    link.w.grad = grads[0]
    opt.update()
    rule = link.w.update_rule
    m = rule.state['m'].copy()
    v = rule.state['v'].copy()
    before = link.w.array.copy()
    link.w.grad = grads[1]
    opt.update()
    g = grads[1].astype(numpy.float32)
    m += numpy.float32(0.1) * (g - m)
    v += numpy.float32(0.001) * (g * g - v)
    numpy.testing.assert_array_equal(rule.state['m'], m)
    numpy.testing.assert_array_equal(rule.state['v'], v)
    step = numpy.float32(rule.alpha_t) / (numpy.sqrt(v.astype(numpy.float32))
                                          + numpy.float32(1e-8))
    if hp.get('adabound'):
        lower, upper = rule.bounds
        step = numpy.clip(step, numpy.float32(lower), numpy.float32(upper))
    expected = (before.astype(numpy.float32) - step * m).astype(numpy.float16)
    numpy.testing.assert_array_equal(link.w.array, expected)


def test_fp32_update_float16():
    model = Model(numpy.float16)
    opt = optimizers.Adam(alpha=0.01)
    opt.use_fp32_update()
    opt.setup(model)
    init = param_arrays(model)
    seq = _run(model, opt, 4)
    ref_p, ref_m = _reference(init, seq, dict(alpha=0.01))[:2]
    for name, p in model.namedparams():
        assert p.dtype == numpy.float16
        assert p.update_rule.state['m'].dtype == numpy.float32
        numpy.testing.assert_allclose(p.update_rule.state['m'], ref_m[name], rtol=1e-3,
                                      atol=1e-4)
        numpy.testing.assert_allclose(p.array, ref_p[name], rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize('hp', [{}, {'amsgrad': True}])
def test_resume(hp):
    model = Model()
    opt = optimizers.Adam(alpha=0.01, **hp).setup(model)
    _run(model, opt, 3)
    snap = {}
    DictSerializer(snap).save(opt)
    assert snap['t'] == 3
    assert ('l2/b/vhat' in snap) == bool(hp)
    model2 = Model()
    model2.copyparams(model)
    opt2 = optimizers.Adam(alpha=0.01, **hp).setup(model2)
    DictDeserializer(snap).load(opt2)
    assert opt2.alpha_t == opt.alpha_t
    for m, o in ((model, opt), (model2, opt2)):
        set_grads(m, 11)
        o.update()
    for p, q in zip(model.params(), model2.params()):
        numpy.testing.assert_array_equal(p.array, q.array)


def test_resume_amsgrad_snapshot_without_vhat_fails():
    model = Model()
    opt = optimizers.Adam().setup(model)
    _run(model, opt, 1)
    snap = {}
    DictSerializer(snap).save(opt)
    opt2 = optimizers.AMSGrad().setup(Model())
    with pytest.raises(KeyError, match='vhat'):
        DictDeserializer(snap).load(opt2)


def test_loss_scaling_with_adam():
    model = Model()
    ref = Model()
    opt = optimizers.Adam(alpha=0.01).setup(model)
    opt.set_loss_scale(1024.0)
    ref_opt = optimizers.Adam(alpha=0.01).setup(ref)
    for step in range(3):
        grads = set_grads(model, step)
        set_grads(ref, step)
        for p in model.params():
            p.grad *= 1024.0
            p._loss_scale = 1024.0
        opt.update()
        ref_opt.update()
        assert grads
    for p, q in zip(model.params(), ref.params()):
        numpy.testing.assert_allclose(p.array, q.array, rtol=1e-6, atol=1e-7)


@pytest.mark.gpu
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('hp', CASES)
def test_adam_gpu_matches_reference(dtype, hp):
    import cupy
    gpu = Model(dtype)
    gpu.to_device('@cupy:0')
    opt = optimizers.Adam(**hp).setup(gpu)
    init = {k: cupy.asnumpy(v.array) for k, v in gpu.namedparams()}
    cpu = Model(dtype)
    seq = []
    for step in range(4):
        grads = set_grads(cpu, step)
        for name, p in gpu.namedparams():
            p.grad = cupy.asarray(grads[name])
        seq.append(grads)
        opt.update()
    ref_p = _reference(init, seq, hp)[0]
    for name, p in gpu.namedparams():
        assert isinstance(p.update_rule.state['m'], cupy.ndarray)
        numpy.testing.assert_allclose(cupy.asnumpy(p.array), ref_p[name], rtol=TOL[dtype],
                                      atol=TOL[dtype])


@pytest.mark.parametrize('hp', [CASES[2], CASES[5]])
@pytest.mark.parametrize('contiguous_grad', [True, False])
def test_large_parameter_blocked_update(hp, contiguous_grad):
    # More than two CPU blocks (and a ragged last block) take the blocked path;
    # a strided gradient takes the whole-array path.
    import chainer
    rng = numpy.random.RandomState(5)
    shape = (301, 500)
    p = chainer.Parameter(rng.uniform(-1, 1, shape).astype(numpy.float32))
    p.update_rule = adam.AdamRule(**hp)
    init = {'p': p.array.copy()}
    seq = []
    for step in range(3):
        g = rng.uniform(-1, 1, shape).astype(numpy.float32) * (step + 1)
        if contiguous_grad:
            p.grad = g.copy()
        else:
            p.grad = numpy.asfortranarray(g)
        seq.append({'p': g})
        p.update()
    ref_p, ref_m = _reference(init, seq, hp)[:2]
    numpy.testing.assert_allclose(p.array, ref_p['p'], rtol=1e-5, atol=1e-6)
    numpy.testing.assert_allclose(p.update_rule.state['m'], ref_m['p'], rtol=1e-5, atol=1e-6)
