import numpy
import pytest

import chainer

from chainer import optimizer_hooks

from tests.chainer_tests.optimizer_hooks_tests import _hooks_test_util as util


def _lars(p, g, threshold=0.01, weight_decay=0.0, eps=1e-9):
    p = p.astype(numpy.float64)
    g = g.astype(numpy.float64)
    p_norm = numpy.sqrt((p * p).sum())
    g_norm = numpy.sqrt((g * g).sum())
    rate = p_norm / (eps + g_norm + weight_decay * p_norm) if p_norm > threshold else 1.0
    return (g + weight_decay * p) * rate


def test_attributes():
    hook = optimizer_hooks.GradientLARS()
    assert (hook.threshold, hook.weight_decay, hook.eps) == (0.01, 0.0, 1e-9)
    hook = optimizer_hooks.GradientLARS(threshold=0.5, weight_decay=0.1, eps=1e-5)
    assert (hook.threshold, hook.weight_decay, hook.eps) == (0.5, 0.1, 1e-5)
    assert hook.name == 'GradientLARS'
    assert hook.timing == 'pre'
    assert hook.call_for_each_param is True


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('kwargs', [{}, {'threshold': 0.5, 'weight_decay': 0.1, 'eps': 1e-5}])
def test_optimizer_hook(dtype, kwargs):
    model, opt, params, grads = util.setup(dtype, lr=0.5)
    opt.add_hook(optimizer_hooks.GradientLARS(**kwargs))
    opt.update()
    tol = 2e-3 if dtype == numpy.float16 else 1e-6
    for name, p in model.namedparams():
        g = _lars(params[name], grads[name], **kwargs)
        assert p.grad.dtype == dtype
        numpy.testing.assert_allclose(p.grad, g, rtol=tol, atol=tol)
        numpy.testing.assert_allclose(p.array, params[name] - 0.5 * g, rtol=tol, atol=tol)


def test_threshold_applies_to_weight_norm():
    model, opt, params, grads = util.setup()
    p = model.l1.b
    p.array[...] = 1e-3
    p.grad[...] = 0.5
    optimizer_hooks.GradientLARS(threshold=0.01, weight_decay=0.5)(p.update_rule, p)
    # Weight norm below the threshold: only the weight decay term is added.
    numpy.testing.assert_allclose(p.grad, 0.5 + 0.5 * 1e-3, rtol=1e-6)


def test_loss_scaled_grad():
    model, opt, params, grads = util.setup()
    p = model.l1.W
    p.grad = grads['/l1/W'] * 8
    p._loss_scale = 8
    optimizer_hooks.GradientLARS(weight_decay=0.1)(p.update_rule, p)
    numpy.testing.assert_allclose(
        p.grad, 8 * _lars(params['/l1/W'], grads['/l1/W'], weight_decay=0.1), rtol=1e-5)


def test_none_grad_skipped():
    model, opt, params, grads = util.setup()
    p = model.l1.W
    p.cleargrad()
    optimizer_hooks.GradientLARS()(p.update_rule, p)
    assert p.grad is None


@pytest.mark.gpu
def test_gpu():
    util.check_gpu_update(optimizer_hooks.GradientLARS(weight_decay=0.1),
                          lambda p, g: p - _lars(p, g, weight_decay=0.1), rtol=1e-5)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_zero_grad_stays_zero(dtype):
    # The rate p_norm / eps is far beyond float16's range; Chainer's scalars were
    # float64 (NumPy 1), so the zero gradient stayed zero instead of 0 * inf = NaN.
    model, opt, params, grads = util.setup(dtype)
    opt.add_hook(optimizer_hooks.GradientLARS())
    for p in model.params():
        p.grad[...] = 0
    opt.update()
    for name, p in model.namedparams():
        assert (p.grad == 0).all()
        numpy.testing.assert_array_equal(p.array, params[name])


def test_nan_param_gives_nan_grad_without_decay():
    # As in Chainer: weight_decay * p is added even when weight_decay is 0.
    p = chainer.Parameter(numpy.array([numpy.nan, 1.0], numpy.float32))
    p.grad = numpy.array([0.5, 0.5], numpy.float32)
    optimizer_hooks.GradientLARS()(p.update_rule, p)
    assert numpy.isnan(p.grad[0]) and p.grad[1] == 0.5
