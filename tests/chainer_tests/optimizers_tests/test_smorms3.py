import numpy
import pytest

from chainer.optimizers import smorms3
from chainer.optimizers.smorms3 import SMORMS3

from tests.chainer_tests.optimizers_tests import _extra_optim_util as util


def _init(p):
    return {'mem': numpy.ones_like(p), 'g': numpy.zeros_like(p), 'g2': numpy.zeros_like(p)}


def _step(lr=0.001, eps=1e-16):
    def step(p, g, s, t, i):
        r = 1 / (s['mem'] + 1)
        s['g'] = (1 - r) * s['g'] + r * g
        s['g2'] = (1 - r) * s['g2'] + r * g * g
        x = s['g'] ** 2 / (s['g2'] + eps)
        p = p - g * numpy.minimum(x, lr) / (numpy.sqrt(s['g2']) + eps)
        s['mem'] = 1 + s['mem'] * (1 - x)
        return p
    return step


def test_signature_and_proxies():
    util.check_signature(SMORMS3, {'lr': 0.001, 'eps': 1e-16})
    opt = SMORMS3(lr=0.5, eps=1e-3)
    assert (opt.lr, opt.eps) == (0.5, 1e-3)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('kwargs', [{}, {'lr': 0.5, 'eps': 1e-6}])
def test_against_reference(dtype, kwargs):
    util.check_against_reference(lambda: SMORMS3(**kwargs), _init, _step(**kwargs), dtype)


def test_float16():
    kwargs = {'lr': 0.05, 'eps': 1e-4}
    util.check_against_reference(lambda: SMORMS3(**kwargs), _init, _step(**kwargs),
                                 numpy.float16)


def test_state_initial_values():
    opt = SMORMS3()
    model = util.Model()
    opt.setup(model)
    p = model.l1.W
    p.grad = numpy.zeros_like(p.array)
    rule = p.update_rule
    rule.update(p)
    # A zero gradient leaves g and g2 at zero, x = 0, so mem = 1 + 1 * (1 - 0) = 2.
    numpy.testing.assert_array_equal(rule.state['g'], 0)
    numpy.testing.assert_array_equal(rule.state['g2'], 0)
    numpy.testing.assert_array_equal(rule.state['mem'], 2)


def test_rule_defaults_and_overrides():
    rule = smorms3.SMORMS3Rule()
    assert (rule.hyperparam.lr, rule.hyperparam.eps) == (0.001, 1e-16)
    rule = smorms3.SMORMS3Rule(eps=1e-8)
    assert (rule.hyperparam.lr, rule.hyperparam.eps) == (0.001, 1e-8)


def test_in_place():
    util.check_in_place(SMORMS3)


def test_serialize_resume():
    util.check_serialize_resume(lambda: SMORMS3(lr=0.1), ['mem', 'g', 'g2'])


def test_none_grad_skipped():
    util.check_none_grad_skipped(SMORMS3)


@pytest.mark.gpu
def test_gpu():
    util.check_gpu_matches_cpu(lambda: SMORMS3(lr=0.1))
