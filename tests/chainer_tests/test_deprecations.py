"""Warnings of Chainer's deprecated and legacy idioms: their categories, and that
they are issued from the library, as Chainer's were (no ``stacklevel``), so that
Python's default filters hide a DeprecationWarning in user scripts alike."""
import os
import warnings

import numpy
import pytest

import chainer
import chainer.functions as F
import chainer.gradient_check
from chainer.backends import cuda
from chainer.links.model.vision import resnet

_PACKAGE = os.path.dirname(chainer.__file__)


def _one_warning(call, category):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        call()
    w = [x for x in w if issubclass(x.category, category)]
    assert len(w) == 1, [str(x.message) for x in w]
    return w[0]


_x = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)
_ones = numpy.ones(3, numpy.float32)
_zeros = numpy.zeros(3, numpy.float32)


@pytest.mark.parametrize('call,category', [
    (lambda: cuda.get_device(None), DeprecationWarning),
    (lambda: resnet.BuildingBlock(n_layer=1, in_channels=2, mid_channels=2,
                                  out_channels=2, stride=1), DeprecationWarning),
    (lambda: chainer.gradient_check.assert_allclose(_x, _x), DeprecationWarning),
    (lambda: F.fixed_batch_renormalization(_x, _ones, _zeros, _zeros, _ones),
     DeprecationWarning),
    (lambda: chainer.links.Linear(2, 3)._device_id, DeprecationWarning),
    (lambda: F.batch_normalization(_x[:1], _ones, _zeros), UserWarning),
])
def test_warned_from_the_library(call, category):
    w = _one_warning(call, category)
    assert os.path.dirname(os.path.abspath(w.filename)).startswith(_PACKAGE), w.filename


def test_overriding_a_transfer_method_warns_from_the_library():
    def define():
        class Moved(chainer.Link):
            def to_cpu(self):
                return super().to_cpu()
        return Moved
    w = _one_warning(define, DeprecationWarning)
    assert os.path.abspath(w.filename).startswith(_PACKAGE), w.filename


def test_ordinary_training_issues_no_deprecation_warning(tmp_path):
    # As with Chainer: code that uses no deprecated API runs under
    # ``-W error::DeprecationWarning`` (and FutureWarning).
    from chainer import training
    from chainer.training import extensions
    x = numpy.random.RandomState(0).rand(12, 3).astype(numpy.float32)
    t = (numpy.arange(12) % 2).astype(numpy.int32)
    with warnings.catch_warnings():
        for category in (DeprecationWarning, PendingDeprecationWarning, FutureWarning):
            warnings.simplefilter('error', category)
        model = chainer.links.Classifier(chainer.Sequential(
            chainer.links.Linear(None, 4), chainer.links.BatchNormalization(4), F.relu,
            chainer.links.Linear(4, 2)))
        opt = chainer.optimizers.Adam().setup(model)
        opt.add_hook(chainer.optimizer_hooks.WeightDecay(1e-4))
        ds = chainer.datasets.TupleDataset(x, t)
        it = chainer.iterators.SerialIterator(ds, 4)
        updater = training.updaters.StandardUpdater(it, opt, device='@numpy')
        trainer = training.Trainer(updater, (2, 'epoch'), out=str(tmp_path))
        test_it = chainer.iterators.SerialIterator(ds, 4, repeat=False, shuffle=False)
        trainer.extend(extensions.Evaluator(test_it, model))
        trainer.extend(extensions.LogReport())
        trainer.extend(extensions.snapshot(), trigger=(1, 'epoch'))
        trainer.extend(extensions.observe_value('alpha', lambda tr: opt.alpha))
        trainer.run()
        chainer.serializers.save_npz(str(tmp_path / 'model.npz'), model)
        chainer.serializers.load_npz(str(tmp_path / 'model.npz'), model)
        with chainer.using_config('train', False), chainer.no_backprop_mode():
            model.predictor(x)
        v = chainer.Variable(x)
        chainer.grad([F.sum(F.tanh(v) ** 2)], [v], enable_double_backprop=True)


@pytest.mark.parametrize('call,category,start', [
    (lambda: chainer.datasets.get_cross_validation_datasets(list(range(4)), n_fold=2),
     DeprecationWarning, 'Argument `n_fold` is deprecated'),
    (lambda: resnet.BuildingBlock(n_layer=1, in_channels=2, mid_channels=2, out_channels=2,
                                  stride=1),
     DeprecationWarning, 'Argument `n_layer` is deprecated'),
    (lambda: chainer.links.Linear(2, 3)._device_id, DeprecationWarning,
     'Link._device_id is left only for backward compatibility'),
    (lambda: chainer.distributions.Cauchy(_x, _x + 1).mean, RuntimeWarning,
     'Mean of the cauchy distribution is undefined'),
    (lambda: chainer.distributions.Cauchy(_x, _x + 1).variance, RuntimeWarning,
     'Variance of the cauchy distribution is undefined'),
])
def test_message_starts_as_chainers(call, category, start):
    # Scripts written for Chainer filter these by message (filterwarnings matches the
    # start of the message).
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        warnings.filterwarnings('ignore', message=start, category=category)
        call()
