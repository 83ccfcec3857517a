import numpy
import pytest

from chainer.optimizers import ada_delta
from chainer.optimizers.ada_delta import AdaDelta

from tests.chainer_tests.optimizers_tests import _extra_optim_util as util


def _init(p):
    return {'msg': numpy.zeros_like(p), 'msdx': numpy.zeros_like(p)}


def _step(rho=0.95, eps=1e-6):
    def step(p, g, s, t, i):
        s['msg'] = rho * s['msg'] + (1 - rho) * g * g
        dx = numpy.sqrt((s['msdx'] + eps) / (s['msg'] + eps)) * g
        s['msdx'] = rho * s['msdx'] + (1 - rho) * dx * dx
        return p - dx
    return step


def test_signature_and_proxies():
    util.check_signature(AdaDelta, {'rho': 0.95, 'eps': 1e-6})
    opt = AdaDelta(rho=0.5, eps=1e-3)
    assert (opt.rho, opt.eps) == (0.5, 1e-3)
    assert not hasattr(opt, 'lr')


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('kwargs', [{}, {'rho': 0.8, 'eps': 1e-3}])
def test_against_reference(dtype, kwargs):
    util.check_against_reference(lambda: AdaDelta(**kwargs), _init, _step(**kwargs), dtype)


def test_rule_defaults_and_overrides():
    rule = ada_delta.AdaDeltaRule()
    assert (rule.hyperparam.rho, rule.hyperparam.eps) == (0.95, 1e-6)
    rule = ada_delta.AdaDeltaRule(rho=0.5)
    assert (rule.hyperparam.rho, rule.hyperparam.eps) == (0.5, 1e-6)


def test_in_place():
    util.check_in_place(AdaDelta)


def test_serialize_resume():
    util.check_serialize_resume(AdaDelta, ['msg', 'msdx'])


def test_none_grad_skipped():
    util.check_none_grad_skipped(AdaDelta)


@pytest.mark.gpu
def test_gpu():
    util.check_gpu_matches_cpu(AdaDelta)
