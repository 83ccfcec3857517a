import numpy
import pytest

from chainer import optimizer_hooks

from tests.chainer_tests.optimizer_hooks_tests import _hooks_test_util as util


def test_attributes():
    hook = optimizer_hooks.WeightDecay(0.1)
    assert hook.rate == 0.1
    assert hook.name == 'WeightDecay'
    assert hook.timing == 'pre'
    assert hook.call_for_each_param is True


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_optimizer_hook(dtype):
    model, opt, params, grads = util.setup(dtype, lr=0.5)
    opt.add_hook(optimizer_hooks.WeightDecay(0.1))
    opt.update()
    tol = 1e-3 if dtype == numpy.float16 else 1e-6
    for name, p in model.namedparams():
        g = grads[name].astype(numpy.float64) + 0.1 * params[name]
        assert p.grad.dtype == dtype
        numpy.testing.assert_allclose(p.grad, g, rtol=tol, atol=tol)
        numpy.testing.assert_allclose(p.array, params[name] - 0.5 * g, rtol=tol, atol=tol)


def test_update_rule_hook():
    model, opt, params, grads = util.setup()
    model.l1.W.update_rule.add_hook(optimizer_hooks.WeightDecay(0.2))
    opt.update()
    for name, p in model.namedparams():
        g = grads[name] + (0.2 * params[name] if name == '/l1/W' else 0)
        numpy.testing.assert_allclose(p.array, params[name] - g, rtol=1e-6)


def test_loss_scaled_grad():
    model, opt, params, grads = util.setup()
    p = model.l1.W
    p.grad = grads['/l1/W'] * 8
    p._loss_scale = 8
    optimizer_hooks.WeightDecay(0.1)(p.update_rule, p)
    numpy.testing.assert_allclose(p.grad, 8 * (grads['/l1/W'] + 0.1 * params['/l1/W']),
                                  rtol=1e-6)


def test_none_grad_or_uninitialized_skipped():
    model, opt, params, grads = util.setup()
    p = model.l1.W
    p.cleargrad()
    optimizer_hooks.WeightDecay(0.1)(p.update_rule, p)
    assert p.grad is None
    import chainer
    q = chainer.Parameter()
    q.cleargrad()
    optimizer_hooks.WeightDecay(0.1)(None, q)
    assert q.array is None


@pytest.mark.gpu
def test_gpu():
    util.check_gpu_update(optimizer_hooks.WeightDecay(0.1),
                          lambda p, g: p - (g + 0.1 * p), rtol=1e-6)


@pytest.mark.parametrize('rate', [None, 'x'])
def test_non_number_rate_raises_type_error(rate):
    # Chainer's arithmetic raised TypeError; a float conversion would give NaN for None.
    model, opt, params, grads = util.setup()
    opt.add_hook(optimizer_hooks.WeightDecay(rate))
    with pytest.raises(TypeError, match='rate must be a number'):
        opt.update()
    for name, p in model.namedparams():
        assert not numpy.isnan(p.grad).any()
