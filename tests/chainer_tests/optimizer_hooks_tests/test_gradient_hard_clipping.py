import numpy
import pytest

from chainer import optimizer_hooks

from tests.chainer_tests.optimizer_hooks_tests import _hooks_test_util as util


def test_attributes():
    hook = optimizer_hooks.GradientHardClipping(-0.5, 0.25)
    assert (hook.lower_bound, hook.upper_bound) == (-0.5, 0.25)
    assert hook.name == 'GradientHardClipping'
    assert hook.timing == 'pre'
    assert hook.call_for_each_param is True


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_optimizer_hook(dtype):
    model, opt, params, grads = util.setup(dtype, lr=0.5)
    opt.add_hook(optimizer_hooks.GradientHardClipping(-0.5, 0.25))
    opt.update()
    for name, p in model.namedparams():
        g = numpy.clip(grads[name], -0.5, 0.25)
        assert p.grad.dtype == dtype
        numpy.testing.assert_array_equal(p.grad, g)
        numpy.testing.assert_allclose(p.array, params[name] - 0.5 * g, rtol=1e-3)


def test_clips_in_place():
    model, opt, params, grads = util.setup()
    p = model.l1.W
    grad = p.grad
    optimizer_hooks.GradientHardClipping(-0.1, 0.1)(p.update_rule, p)
    assert p.grad is grad
    numpy.testing.assert_array_equal(grad, numpy.clip(grads['/l1/W'], -0.1, 0.1))


def test_loss_scaled_grad():
    model, opt, params, grads = util.setup()
    p = model.l1.W
    p.grad = grads['/l1/W'] * 16
    p._loss_scale = 16
    optimizer_hooks.GradientHardClipping(-0.1, 0.2)(p.update_rule, p)
    numpy.testing.assert_allclose(p.grad, 16 * numpy.clip(grads['/l1/W'], -0.1, 0.2),
                                  rtol=1e-6)


def test_lower_above_upper():
    with pytest.raises(ValueError, match='lower_bound .* must not exceed upper_bound'):
        optimizer_hooks.GradientHardClipping(1.0, -1.0)


def test_none_grad_skipped():
    model, opt, params, grads = util.setup()
    p = model.l1.W
    p.cleargrad()
    optimizer_hooks.GradientHardClipping(-1, 1)(p.update_rule, p)
    assert p.grad is None


@pytest.mark.gpu
def test_gpu():
    util.check_gpu_update(optimizer_hooks.GradientHardClipping(-0.5, 0.25),
                          lambda p, g: p - numpy.clip(g, -0.5, 0.25), rtol=1e-6)


@pytest.mark.parametrize('lower, upper', [(None, 0.25), (-0.5, None)])
def test_one_sided(lower, upper):
    model, opt, params, grads = util.setup()
    p = model.l1.W
    p.grad = grads['/l1/W'] * 2
    p._loss_scale = 2
    optimizer_hooks.GradientHardClipping(lower, upper)(p.update_rule, p)
    numpy.testing.assert_allclose(p.grad, 2 * numpy.clip(grads['/l1/W'], lower, upper))


def test_no_bounds():
    with pytest.raises(ValueError, match='at least one of lower_bound and upper_bound'):
        optimizer_hooks.GradientHardClipping(None, None)
