"""End-to-end: each optimizer fits a small linear regression through ``update(lossfun)``."""
import copy
import pickle

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer.optimizers.ada_delta import AdaDelta
from chainer.optimizers.ada_grad import AdaGrad
from chainer.optimizers.corrected_momentum_sgd import CorrectedMomentumSGD
from chainer.optimizers.msvag import MSVAG
from chainer.optimizers.nesterov_ag import NesterovAG
from chainer.optimizers.rmsprop import RMSprop
from chainer.optimizers.rmsprop_graves import RMSpropGraves
from chainer.optimizers.smorms3 import SMORMS3

FACTORIES = {
    'AdaDelta': lambda: AdaDelta(eps=1e-5),
    'AdaGrad': lambda: AdaGrad(lr=0.3),
    'CorrectedMomentumSGD': lambda: CorrectedMomentumSGD(lr=0.05),
    'MSVAG': lambda: MSVAG(lr=0.3),
    'NesterovAG': lambda: NesterovAG(lr=0.05),
    'RMSprop': lambda: RMSprop(lr=0.03),
    'RMSpropGraves': lambda: RMSpropGraves(lr=0.01),
    'SMORMS3': lambda: SMORMS3(lr=0.1),
}


class Regression(chainer.Link):
    def __init__(self, dtype=numpy.float32):
        super().__init__()
        with self.init_scope():
            self.W = chainer.Parameter(numpy.zeros((3, 1), dtype=dtype))
            self.b = chainer.Parameter(numpy.zeros((1,), dtype=dtype))

    def forward(self, x):
        return F.matmul(x, self.W) + F.broadcast_to(self.b, (x.shape[0], 1))


def _data(dtype):
    rng = numpy.random.RandomState(0)
    x = rng.uniform(-1, 1, (64, 3)).astype(dtype)
    y = (x @ numpy.array([[1.0], [-2.0], [0.5]]) + 0.3).astype(dtype)
    return x, y


def _loss(model, x, y):
    d = model(x) - y
    return F.sum(d * d) / x.shape[0]


@pytest.mark.parametrize('name', sorted(FACTORIES))
def test_fits_linear_regression(name):
    model = Regression()
    opt = FACTORIES[name]()
    opt.setup(model)
    x, y = _data(numpy.float32)
    first = float(_loss(model, x, y).array)
    for _ in range(300):
        opt.update(_loss, model, x, y)
    last = float(_loss(model, x, y).array)
    assert last < first * 0.05, (first, last)
    assert opt.t == 300
    assert model.W.update_rule.t == 300


@pytest.mark.parametrize('name', sorted(FACTORIES))
def test_fp32_update_of_float16_params(name):
    model = Regression(numpy.float16)
    opt = FACTORIES[name]()
    opt.setup(model)
    opt.use_fp32_update()
    x, y = _data(numpy.float16)
    first = float(_loss(model, x, y).array)
    for _ in range(100):
        opt.update(_loss, model, x, y)
    assert model.W.dtype == numpy.float16
    for value in model.W.update_rule.state.values():
        assert value.dtype == numpy.float32
    assert float(_loss(model, x, y).array) < first


@pytest.mark.parametrize('name', sorted(FACTORIES))
def test_copy_and_pickle(name):
    model = Regression()
    opt = FACTORIES[name]()
    opt.setup(model)
    x, y = _data(numpy.float32)
    for _ in range(3):
        opt.update(_loss, model, x, y)
    for clone in (copy.deepcopy(opt), pickle.loads(pickle.dumps(opt))):
        assert type(clone) is type(opt)
        assert clone.hyperparam.get_dict() == opt.hyperparam.get_dict()
        rule, orig = clone.target.W.update_rule, opt.target.W.update_rule
        assert rule.t == orig.t == 3
        for key, value in orig.state.items():
            numpy.testing.assert_array_equal(rule.state[key], value)


@pytest.mark.parametrize('name', sorted(FACTORIES))
def test_disabled_rule_skips_param(name):
    model = Regression()
    opt = FACTORIES[name]()
    opt.setup(model)
    model.b.update_rule.enabled = False
    x, y = _data(numpy.float32)
    for _ in range(3):
        opt.update(_loss, model, x, y)
    numpy.testing.assert_array_equal(model.b.array, 0)
    assert (model.W.array != 0).any()
