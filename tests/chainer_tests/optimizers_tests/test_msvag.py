import numpy
import pytest

from chainer.optimizers import msvag
from chainer.optimizers.msvag import MSVAG

from tests.chainer_tests.optimizers_tests import _extra_optim_util as util


def _init(p):
    return {'m': numpy.zeros_like(p), 'v': numpy.zeros_like(p)}


def _step(lr=0.1, beta=0.9, eta=1.0, weight_decay_rate=0):
    def step(p, g, s, t, i):
        s['m'] = beta * s['m'] + (1 - beta) * g
        s['v'] = beta * s['v'] + (1 - beta) * g * g
        mt = s['m'] / (1 - beta ** t)
        vt = s['v'] / (1 - beta ** t)
        # Chainer caps rho at 0.9999 (it is 1 at the first step, where the
        # variance estimate vt - mt**2 is zero)
        rho = min((1 - beta) * (1 + beta ** t) / ((1 + beta) * (1 - beta ** t)), 0.9999)
        if t == 1:
            vt = mt ** 2
        var = numpy.maximum(vt - mt ** 2, 0) / (1 - rho)
        den = mt ** 2 + rho * var
        factor = numpy.where(den > 0, mt ** 2 / numpy.where(den > 0, den, 1), 0)
        return p - eta * (lr * mt * factor + weight_decay_rate * p)
    return step


def test_signature_and_proxies():
    util.check_signature(MSVAG, {'lr': 0.1, 'beta': 0.9, 'eta': 1.0,
                                 'weight_decay_rate': 0})
    opt = MSVAG(lr=0.5, beta=0.8, eta=0.5, weight_decay_rate=0.1)
    assert (opt.lr, opt.beta, opt.eta, opt.weight_decay_rate) == (0.5, 0.8, 0.5, 0.1)


# (float16 is left out: at the first step Chainer's s = (vt - mt**2) / (1 - 0.9999)
# multiplies the rounding of vt - mt**2 by 1e4, which moves float16 steps by tens of
# percent; test_steps_bits_as_chainer checks Chainer's arithmetic itself.)
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('kwargs', [
    {}, {'lr': 0.05, 'beta': 0.5, 'eta': 0.5, 'weight_decay_rate': 0.01}])
def test_against_reference(dtype, kwargs):
    util.check_against_reference(lambda: MSVAG(**kwargs), _init, _step(**kwargs), dtype,
                                 steps=6)


def test_constant_gradient_is_momentum_sgd():
    # Without gradient noise the variance estimate is zero and the factor is one.
    opt = MSVAG(lr=0.1)
    model = util.Model(numpy.float64)
    opt.setup(model)
    p = model.l1.W
    g = numpy.full(p.shape, 0.5)
    start = p.array.copy()
    p.grad = g.copy()
    p.update()
    # The first step too: rho is capped below one, as in Chainer
    numpy.testing.assert_allclose(p.array, start - 0.1 * g, rtol=1e-12)
    p.grad = g.copy()
    p.update()
    numpy.testing.assert_allclose(p.array, start - 0.2 * g, rtol=1e-12)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_first_steps_as_chainer(dtype):
    # Chainer 7.8.1 values for lr=0.1 from zero: constant then varying gradients,
    # and beta=0 (rho stays at its cap).
    model = util.Model(dtype)
    p = model.l1.W
    p.array[...] = 0
    opt = MSVAG(lr=0.1)
    opt.setup(model)
    expected = [0.05, 0.1, 0.16440501, 0.21368841]
    for g, e in zip([0.5, 0.5, 1.0, 0.2], expected):
        for q in model.params():
            q.grad = numpy.zeros_like(q.array)
        p.grad = numpy.full(p.shape, g, dtype)
        opt.update()
        numpy.testing.assert_allclose(p.array, -e, rtol=1e-6)
    model = util.Model(dtype)
    p = model.l1.W
    p.array[...] = 0
    opt = MSVAG(lr=0.1, beta=0.0)
    opt.setup(model)
    for g, e in zip([0.5, 0.25], [-0.05, -0.075]):
        for q in model.params():
            q.grad = numpy.zeros_like(q.array)
        p.grad = numpy.full(p.shape, g, dtype)
        opt.update()
        numpy.testing.assert_allclose(p.array, e, rtol=1e-6)


def test_zero_gradient_stays_finite():
    opt = MSVAG(weight_decay_rate=0.1)
    model = util.Model(numpy.float32)
    opt.setup(model)
    for _ in range(3):
        for p in model.params():
            p.grad = numpy.zeros_like(p.array)
        opt.update()
    for p in model.params():
        assert numpy.isfinite(p.array).all()
    # Only the weight decay acted: three steps of p *= (1 - eta * rate).
    start = util.Model(numpy.float32)
    for (name, p), (_, p0) in zip(model.namedparams(), start.namedparams()):
        numpy.testing.assert_allclose(p.array, p0.array * 0.9 ** 3, rtol=1e-6)


def test_bad_beta():
    model = util.Model()
    opt = MSVAG(beta=1.0)
    opt.setup(model)
    for p in model.params():
        p.grad = numpy.ones_like(p.array)
    with pytest.raises(ValueError, match='beta of MSVAG must be in'):
        opt.update()


def test_rule_defaults_and_overrides():
    rule = msvag.MSVAGRule()
    hp = rule.hyperparam
    assert (hp.lr, hp.beta, hp.eta, hp.weight_decay_rate) == (0.1, 0.9, 1.0, 0)
    rule = msvag.MSVAGRule(beta=0.5, weight_decay_rate=0.2)
    assert (rule.hyperparam.beta, rule.hyperparam.weight_decay_rate) == (0.5, 0.2)


def test_in_place():
    util.check_in_place(MSVAG)


def test_serialize_resume():
    util.check_serialize_resume(MSVAG, ['m', 'v'], steps=5)


def test_none_grad_skipped():
    util.check_none_grad_skipped(MSVAG)


@pytest.mark.gpu
def test_gpu():
    util.check_gpu_matches_cpu(lambda: MSVAG(weight_decay_rate=0.01), steps=5)


def test_rule_keeps_chainers_beta_power():
    import chainer
    import chainer.links as L

    link = L.Linear(2, 1)
    opt = chainer.optimizers.MSVAG(beta=0.5)
    opt.setup(link)
    rule = link.W.update_rule
    assert rule.beta_power == 0.5
    for t in (1, 2):
        link.cleargrads()
        chainer.functions.sum(link(numpy.ones((1, 2), numpy.float32))).backward()
        opt.update()
        assert rule.t == t and rule.beta_power == 0.5 ** (t + 1)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('kwargs', [
    {}, {'lr': 0.05, 'beta': 0.7, 'eta': 0.5, 'weight_decay_rate': 0.01}])
def test_steps_bits_as_chainer(dtype, kwargs):
    """Chainer's CPU sequence: beta_power a running product, rho in python floats,
    mt = m / (1 - beta_power), s = (vt - mt**2) / (1 - rho), the factor
    mt**2 / (mt**2 + rho s) clipped to [0, 1], param -= eta (lr mt factor + wd param)."""
    import chainer
    lr, beta = kwargs.get('lr', 0.1), kwargs.get('beta', 0.9)
    eta, wd = kwargs.get('eta', 1.0), kwargs.get('weight_decay_rate', 0)
    rs = numpy.random.RandomState(1)
    link = chainer.Link()
    with link.init_scope():
        link.p = chainer.Parameter(rs.uniform(-1, 1, (3, 5)).astype(dtype))
    opt = MSVAG(**kwargs)
    opt.setup(link)
    p = link.p.array.copy()
    m, v = numpy.zeros_like(p), numpy.zeros_like(p)
    bp = beta
    for _ in range(4):
        g = rs.uniform(-1, 1, p.shape).astype(dtype)
        link.p.grad = g.copy()
        opt.update()
        rho = min(((1.0 - beta) ** 2) * (1.0 - bp ** 2)
                  / (((1.0 - bp) ** 2) * (1.0 - beta ** 2)), 0.9999)
        m += (1 - beta) * (g - m)
        v += (1 - beta) * (g * g - v)
        mt, vt = m / (1 - bp), v / (1 - bp)
        mt2 = mt ** 2
        s = (vt - mt2) / (1 - rho)
        with numpy.errstate(invalid='ignore', divide='ignore'):
            factor = numpy.clip(mt2 / (mt2 + rho * s), 0, 1)
        factor[numpy.isnan(factor)] = 0
        p -= eta * (lr * mt * factor + wd * p)
        bp *= beta
        numpy.testing.assert_array_equal(link.p.array, p)
