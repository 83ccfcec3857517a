"""save_npz -> load_npz round trips of every optimizer's state and of Classifier."""
import numpy as np
import pytest

import chainer
import chainer.functions as F
import chainer.links as L
from chainer import optimizers, serializers

OPTIMIZERS = ['AMSBound', 'AMSGrad', 'AdaBound', 'AdaDelta', 'AdaGrad', 'Adam', 'AdamW',
              'CorrectedMomentumSGD', 'MSVAG', 'MomentumSGD', 'NesterovAG', 'RMSprop',
              'RMSpropGraves', 'SGD', 'SMORMS3']


def _model(seed):
    rng = np.random.RandomState(seed)
    model = chainer.Sequential(L.Linear(3, 4), F.tanh, L.Linear(4, 2))
    for p in model.params():
        p.array[...] = rng.uniform(-1, 1, p.shape)
    return model


def _step(opt, model, x):
    opt.update(lambda: F.sum(model(x) ** 2))


def test_every_optimizer_listed():
    assert len(OPTIMIZERS) == 15
    for name in OPTIMIZERS:
        assert issubclass(getattr(optimizers, name), chainer.GradientMethod)


@pytest.mark.parametrize('name', OPTIMIZERS)
def test_optimizer_state_round_trip(name, tmp_path):
    x = np.random.RandomState(1).uniform(-1, 1, (5, 3)).astype(np.float32)
    model_a = _model(0)
    opt_a = getattr(optimizers, name)().setup(model_a)
    for _ in range(3):
        _step(opt_a, model_a, x)
    serializers.save_npz(tmp_path / 'model.npz', model_a)
    serializers.save_npz(tmp_path / 'opt.npz', opt_a)

    model_b = _model(5)
    opt_b = getattr(optimizers, name)().setup(model_b)
    serializers.load_npz(tmp_path / 'model.npz', model_b)
    serializers.load_npz(tmp_path / 'opt.npz', opt_b)
    assert opt_b.t == opt_a.t
    for (na, pa), (nb, pb) in zip(sorted(model_a.namedparams()), sorted(model_b.namedparams())):
        assert na == nb
        for key, value in pa.update_rule.state.items():
            np.testing.assert_array_equal(value, pb.update_rule.state[key])

    # Training continues identically.
    _step(opt_a, model_a, x)
    _step(opt_b, model_b, x)
    for (_, pa), (_, pb) in zip(sorted(model_a.namedparams()), sorted(model_b.namedparams())):
        np.testing.assert_array_equal(pa.array, pb.array)


def test_classifier_round_trip(tmp_path):
    a = L.Classifier(_model(0))
    b = L.Classifier(_model(3))
    serializers.save_npz(tmp_path / 'c.npz', a)
    with np.load(tmp_path / 'c.npz') as f:
        assert sorted(f.files) == ['predictor/0/W', 'predictor/0/b', 'predictor/1/W',
                                   'predictor/1/b']
    serializers.load_npz(tmp_path / 'c.npz', b)
    for (na, pa), (nb, pb) in zip(sorted(a.namedparams()), sorted(b.namedparams())):
        assert na == nb
        np.testing.assert_array_equal(pa.array, pb.array)
