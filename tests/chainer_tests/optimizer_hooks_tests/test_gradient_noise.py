import numpy
import pytest

from chainer import optimizer_hooks
from chainer.optimizer_hooks import gradient_noise

from tests.chainer_tests.optimizer_hooks_tests import _hooks_test_util as util


def test_attributes():
    hook = optimizer_hooks.GradientNoise(0.3)
    assert hook.eta == 0.3
    assert hook.noise_func is gradient_noise.exponential_decay_noise
    assert hook.name == 'GradientNoise'
    assert hook.timing == 'pre'
    assert hook.call_for_each_param is True


def test_default_noise_matches_reference():
    model, opt, params, grads = util.setup(numpy.float64, lr=0.5)
    opt.add_hook(optimizer_hooks.GradientNoise(0.3))
    numpy.random.seed(7)
    opt.update()
    rng = numpy.random.RandomState(7)
    for name, p in model.namedparams():
        # The hook runs before the first update: the rule's t is still 0.
        std = numpy.sqrt(0.3 / (1 + 0) ** 0.55)
        g = grads[name] + rng.normal(0, std, p.shape)
        numpy.testing.assert_allclose(p.grad, g, rtol=1e-12)
        numpy.testing.assert_allclose(p.array, params[name] - 0.5 * g, rtol=1e-12)


def test_noise_decays_with_step():
    class Opt:
        t = 10

    class Hook:
        eta = 2.0

    numpy.random.seed(1)
    noise = gradient_noise.exponential_decay_noise(numpy, (20000,), numpy.float32, Hook, Opt)
    assert noise.dtype == numpy.float32
    numpy.testing.assert_allclose(noise.std(), numpy.sqrt(2.0 / 11 ** 0.55), rtol=0.03)


def test_custom_noise_func_arguments():
    calls = []

    def noise_func(xp, shape, dtype, hook, rule):
        calls.append((xp, shape, dtype, hook, rule))
        return xp.full(shape, 0.125, dtype=dtype)

    model, opt, params, grads = util.setup(numpy.float32)
    hook = optimizer_hooks.GradientNoise(0.3, noise_func=noise_func)
    opt.add_hook(hook)
    opt.update()
    assert len(calls) == 4
    for (xp, shape, dtype, h, rule), (name, p) in zip(calls, model.namedparams()):
        assert xp is numpy and shape == p.shape and dtype == numpy.float32
        assert h is hook and rule is p.update_rule
        numpy.testing.assert_allclose(p.grad, grads[name] + 0.125, rtol=1e-6)


def test_loss_scaled_grad():
    def noise_func(xp, shape, dtype, hook, rule):
        return xp.ones(shape, dtype=dtype)

    model, opt, params, grads = util.setup()
    p = model.l1.W
    p.grad = grads['/l1/W'] * 4
    p._loss_scale = 4
    optimizer_hooks.GradientNoise(0.1, noise_func)(p.update_rule, p)
    numpy.testing.assert_allclose(p.grad, 4 * (grads['/l1/W'] + 1), rtol=1e-6)


def test_bad_noise_func():
    with pytest.raises(TypeError, match='noise_func of GradientNoise must be callable'):
        optimizer_hooks.GradientNoise(0.1, noise_func=0.5)


def test_none_grad_skipped():
    model, opt, params, grads = util.setup()
    p = model.l1.W
    p.cleargrad()
    optimizer_hooks.GradientNoise(0.1)(p.update_rule, p)
    assert p.grad is None


@pytest.mark.gpu
def test_gpu():
    cupy = pytest.importorskip('cupy')

    def noise_func(xp, shape, dtype, hook, rule):
        assert xp is cupy
        return xp.full(shape, 0.5, dtype=dtype)

    util.check_gpu_update(optimizer_hooks.GradientNoise(0.1, noise_func),
                          lambda p, g: p - g - 0.5, rtol=1e-6)
