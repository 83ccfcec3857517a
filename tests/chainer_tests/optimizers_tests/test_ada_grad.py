import numpy
import pytest

import chainer
from chainer.optimizers import ada_grad
from chainer.optimizers.ada_grad import AdaGrad

from tests.chainer_tests.optimizers_tests import _extra_optim_util as util


def _init(p):
    return {'h': numpy.zeros_like(p)}


def _step(lr=0.001, eps=1e-8):
    def step(p, g, s, t, i):
        s['h'] = s['h'] + g * g
        return p - lr * g / (numpy.sqrt(s['h']) + eps)
    return step


def test_signature_and_proxies():
    util.check_signature(AdaGrad, {'lr': 0.001, 'eps': 1e-8})
    opt = AdaGrad(lr=0.5, eps=1e-3)
    assert (opt.lr, opt.eps) == (0.5, 1e-3)
    opt.lr = 0.25
    assert opt.hyperparam.lr == 0.25


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('kwargs', [{}, {'lr': 0.1, 'eps': 1e-4}])
def test_against_reference(dtype, kwargs):
    util.check_against_reference(lambda: AdaGrad(**kwargs), _init,
                                 _step(**kwargs), dtype)


def test_float16():
    kwargs = {'lr': 0.1, 'eps': 1e-4}
    util.check_against_reference(lambda: AdaGrad(**kwargs), _init,
                                 _step(**kwargs), numpy.float16)


def test_rule_defaults_and_overrides():
    rule = ada_grad.AdaGradRule()
    assert (rule.hyperparam.lr, rule.hyperparam.eps) == (0.001, 1e-8)
    rule = ada_grad.AdaGradRule(lr=0.3)
    assert (rule.hyperparam.lr, rule.hyperparam.eps) == (0.3, 1e-8)
    opt = AdaGrad(lr=0.2)
    rule = opt.create_update_rule()
    assert isinstance(rule, ada_grad.AdaGradRule)
    opt.lr = 0.4
    assert rule.hyperparam.lr == 0.4


def test_in_place():
    util.check_in_place(lambda: AdaGrad(lr=0.1))


def test_serialize_resume():
    util.check_serialize_resume(lambda: AdaGrad(lr=0.1), ['h'])


def test_none_grad_skipped():
    util.check_none_grad_skipped(AdaGrad)


def test_float16_with_an_eps_that_underflows():
    # Chainer's eps vanished in float16: elements with nonzero h step as without eps,
    # and those whose gradients were all zero stay (Chainer's became nan).
    link = chainer.Link()
    with link.init_scope():
        link.w = chainer.Parameter(numpy.array([0.5, -1.5, 2.0], numpy.float16))
    opt = AdaGrad(lr=0.1)
    opt.setup(link)
    g = numpy.array([0.25, 0.0, -3.0], numpy.float16)
    expected = link.w.array.copy()
    h = numpy.zeros(3, numpy.float16)
    for _ in range(3):
        link.w.grad = g.copy()
        opt.update()
        h = h + g * g
        step = numpy.zeros(3, numpy.float16)
        step[[0, 2]] = numpy.float16(0.1) * g[[0, 2]] / numpy.sqrt(h[[0, 2]])
        expected = expected - step
    numpy.testing.assert_array_equal(link.w.array, expected)


@pytest.mark.gpu
def test_gpu():
    util.check_gpu_matches_cpu(lambda: AdaGrad(lr=0.1))
