import numpy
import pytest

from chainer.optimizers import rmsprop
from chainer.optimizers.rmsprop import RMSprop

from tests.chainer_tests.optimizers_tests import _extra_optim_util as util


def _init(p):
    return {'ms': numpy.zeros_like(p)}


def _step(lr=0.01, alpha=0.99, eps=1e-8, eps_inside_sqrt=False):
    def step(p, g, s, t, i):
        s['ms'] = alpha * s['ms'] + (1 - alpha) * g * g
        if eps_inside_sqrt:
            denom = numpy.sqrt(s['ms'] + eps)
        else:
            denom = numpy.sqrt(s['ms']) + eps
        return p - lr * g / denom
    return step


def test_signature_and_proxies():
    util.check_signature(RMSprop, {'lr': 0.01, 'alpha': 0.99, 'eps': 1e-8,
                                   'eps_inside_sqrt': False})
    opt = RMSprop(lr=0.5, alpha=0.9, eps=1e-3, eps_inside_sqrt=True)
    assert (opt.lr, opt.alpha, opt.eps, opt.eps_inside_sqrt) == (0.5, 0.9, 1e-3, True)
    opt.alpha = 0.5
    assert opt.hyperparam.alpha == 0.5


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('kwargs', [
    {}, {'lr': 0.1, 'alpha': 0.9, 'eps': 1e-4},
    {'lr': 0.1, 'eps': 1e-2, 'eps_inside_sqrt': True}])
def test_against_reference(dtype, kwargs):
    util.check_against_reference(lambda: RMSprop(**kwargs), _init, _step(**kwargs), dtype)


@pytest.mark.parametrize('inside', [False, True])
def test_float16(inside):
    kwargs = {'lr': 0.01, 'eps': 1e-3, 'eps_inside_sqrt': inside}
    util.check_against_reference(lambda: RMSprop(**kwargs), _init, _step(**kwargs),
                                 numpy.float16)


def test_rule_defaults_and_overrides():
    rule = rmsprop.RMSpropRule()
    hp = rule.hyperparam
    assert (hp.lr, hp.alpha, hp.eps, hp.eps_inside_sqrt) == (0.01, 0.99, 1e-8, False)
    rule = rmsprop.RMSpropRule(alpha=0.5, eps_inside_sqrt=True)
    assert (rule.hyperparam.alpha, rule.hyperparam.eps_inside_sqrt) == (0.5, True)


def test_hyperparameter_change_mid_training():
    lrs = [0.1, 0.1, 0.01, 0.01]

    def on_step(i, opt):
        opt.lr = lrs[i]

    opt = RMSprop()
    init, grads, final, model = util.run(opt, numpy.float64, steps=4, on_step=on_step)

    def step(p, g, s, t, i):
        return _step(lr=lrs[i])(p, g, s, t, i)

    expected = util.reference(init, grads, _init, step)
    for name in final:
        numpy.testing.assert_allclose(final[name], expected[name], rtol=1e-10)


def test_in_place():
    util.check_in_place(lambda: RMSprop(lr=0.1))
    util.check_in_place(lambda: RMSprop(lr=0.1, eps_inside_sqrt=True))


def test_serialize_resume():
    util.check_serialize_resume(lambda: RMSprop(lr=0.1), ['ms'])


def test_none_grad_skipped():
    util.check_none_grad_skipped(RMSprop)


def test_eps_too_small_for_float16():
    with pytest.raises(ValueError, match='eps of RMSprop optimizer is too small for float16'):
        util.run(RMSprop(), numpy.float16, steps=1)


@pytest.mark.gpu
@pytest.mark.parametrize('inside', [False, True])
def test_gpu(inside):
    util.check_gpu_matches_cpu(lambda: RMSprop(lr=0.1, eps_inside_sqrt=inside))
