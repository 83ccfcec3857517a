import numpy
import pytest

from chainer.optimizers import rmsprop_graves
from chainer.optimizers.rmsprop_graves import RMSpropGraves

from tests.chainer_tests.optimizers_tests import _extra_optim_util as util


def _init(p):
    return {'n': numpy.zeros_like(p), 'g': numpy.zeros_like(p), 'delta': numpy.zeros_like(p)}


def _step(lr=1e-4, alpha=0.95, momentum=0.9, eps=1e-4):
    def step(p, g, s, t, i):
        s['n'] = alpha * s['n'] + (1 - alpha) * g * g
        s['g'] = alpha * s['g'] + (1 - alpha) * g
        s['delta'] = momentum * s['delta'] - lr * g / numpy.sqrt(s['n'] - s['g'] ** 2 + eps)
        return p + s['delta']
    return step


def test_signature_and_proxies():
    util.check_signature(RMSpropGraves, {'lr': 1e-4, 'alpha': 0.95, 'momentum': 0.9,
                                         'eps': 1e-4})
    opt = RMSpropGraves(lr=0.5, alpha=0.9, momentum=0.3, eps=1e-3)
    assert (opt.lr, opt.alpha, opt.momentum, opt.eps) == (0.5, 0.9, 0.3, 1e-3)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('kwargs', [{}, {'lr': 0.01, 'alpha': 0.8, 'momentum': 0.5,
                                         'eps': 1e-2}])
def test_against_reference(dtype, kwargs):
    util.check_against_reference(lambda: RMSpropGraves(**kwargs), _init, _step(**kwargs),
                                 dtype)


def test_rule_defaults_and_overrides():
    rule = rmsprop_graves.RMSpropGravesRule()
    hp = rule.hyperparam
    assert (hp.lr, hp.alpha, hp.momentum, hp.eps) == (1e-4, 0.95, 0.9, 1e-4)
    rule = rmsprop_graves.RMSpropGravesRule(momentum=0.5, eps=1e-2)
    assert (rule.hyperparam.momentum, rule.hyperparam.eps) == (0.5, 1e-2)


def test_in_place():
    util.check_in_place(RMSpropGraves)


def test_serialize_resume():
    util.check_serialize_resume(lambda: RMSpropGraves(lr=0.01), ['n', 'g', 'delta'])


def test_none_grad_skipped():
    util.check_none_grad_skipped(RMSpropGraves)


@pytest.mark.gpu
def test_gpu():
    util.check_gpu_matches_cpu(lambda: RMSpropGraves(lr=0.01))
