import numpy
import pytest

from chainer.optimizers import corrected_momentum_sgd
from chainer.optimizers.corrected_momentum_sgd import CorrectedMomentumSGD

from tests.chainer_tests.optimizers_tests import _extra_optim_util as util


def _init(p):
    return {'v': numpy.zeros_like(p)}


def _step(lr=0.01, momentum=0.9):
    def step(p, g, s, t, i):
        s['v'] = momentum * s['v'] - g
        return p + lr * s['v']
    return step


def test_signature_and_proxies():
    util.check_signature(CorrectedMomentumSGD, {'lr': 0.01, 'momentum': 0.9})
    opt = CorrectedMomentumSGD(lr=0.5, momentum=0.3)
    assert (opt.lr, opt.momentum) == (0.5, 0.3)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('kwargs', [{}, {'lr': 0.1, 'momentum': 0.5}])
def test_against_reference(dtype, kwargs):
    util.check_against_reference(lambda: CorrectedMomentumSGD(**kwargs), _init,
                                 _step(**kwargs), dtype)


def test_lr_change_rescales_velocity():
    # The learning rate multiplies the accumulated velocity, unlike MomentumSGD.
    lrs = [0.1, 0.1, 0.01, 0.01, 0.05]

    def on_step(i, opt):
        opt.lr = lrs[i]

    init, grads, final, _ = util.run(CorrectedMomentumSGD(), numpy.float64, on_step=on_step)

    def step(p, g, s, t, i):
        return _step(lr=lrs[i])(p, g, s, t, i)

    expected = util.reference(init, grads, _init, step)
    for name in final:
        numpy.testing.assert_allclose(final[name], expected[name], rtol=1e-10)


def test_rule_defaults_and_overrides():
    rule = corrected_momentum_sgd.CorrectedMomentumSGDRule()
    assert (rule.hyperparam.lr, rule.hyperparam.momentum) == (0.01, 0.9)
    rule = corrected_momentum_sgd.CorrectedMomentumSGDRule(lr=0.5)
    assert (rule.hyperparam.lr, rule.hyperparam.momentum) == (0.5, 0.9)


def test_in_place():
    util.check_in_place(CorrectedMomentumSGD)


def test_serialize_resume():
    util.check_serialize_resume(CorrectedMomentumSGD, ['v'])


def test_none_grad_skipped():
    util.check_none_grad_skipped(CorrectedMomentumSGD)


@pytest.mark.gpu
def test_gpu():
    util.check_gpu_matches_cpu(CorrectedMomentumSGD)
