import numpy
import pytest

from chainer.optimizers import nesterov_ag
from chainer.optimizers.nesterov_ag import NesterovAG

from tests.chainer_tests.optimizers_tests import _extra_optim_util as util


def _init(p):
    return {'v': numpy.zeros_like(p)}


def _step(lr=0.01, momentum=0.9):
    def step(p, g, s, t, i):
        s['v'] = s['v'] * momentum - lr * g
        return p + momentum * momentum * s['v'] - (1 + momentum) * lr * g
    return step


def test_signature_and_proxies():
    util.check_signature(NesterovAG, {'lr': 0.01, 'momentum': 0.9})
    opt = NesterovAG(lr=0.5, momentum=0.3)
    assert (opt.lr, opt.momentum) == (0.5, 0.3)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('kwargs', [{}, {'lr': 0.1, 'momentum': 0.5}])
def test_against_reference(dtype, kwargs):
    util.check_against_reference(lambda: NesterovAG(**kwargs), _init, _step(**kwargs), dtype)


def test_zero_momentum_is_sgd():
    opt = NesterovAG(lr=0.1, momentum=0.0)
    init, grads, final, _ = util.run(opt, numpy.float64)
    for name in final:
        numpy.testing.assert_allclose(
            final[name], init[name] - 0.1 * sum(g[name] for g in grads), rtol=1e-12)


def test_rule_defaults_and_overrides():
    rule = nesterov_ag.NesterovAGRule()
    assert (rule.hyperparam.lr, rule.hyperparam.momentum) == (0.01, 0.9)
    rule = nesterov_ag.NesterovAGRule(momentum=0.5)
    assert (rule.hyperparam.lr, rule.hyperparam.momentum) == (0.01, 0.5)


def test_in_place():
    util.check_in_place(NesterovAG)


def test_serialize_resume():
    util.check_serialize_resume(NesterovAG, ['v'])


def test_none_grad_skipped():
    util.check_none_grad_skipped(NesterovAG)


@pytest.mark.gpu
def test_gpu():
    util.check_gpu_matches_cpu(NesterovAG)
