"""Evaluator: reports validation means under the extension name, without backprop."""
import io
import warnings

import numpy
import pytest

from tests.chainer_tests.training_tests import training_stubs as S
from tests.chainer_tests.training_tests.training_stubs import run_in_tmp_dir  # NOQA: F401 (autouse fixture)
import chainer
from chainer import optimizers
from chainer import testing
from chainer import training
from chainer.training import extensions


def _expected_loss(model, data, batch):
    losses = []
    for i in range(0, len(data), batch):
        x = numpy.stack([d[0] for d in data[i:i + batch]])
        t = numpy.stack([d[1] for d in data[i:i + batch]])
        losses.append(((x @ model.W.array - t) ** 2).mean())
    return numpy.mean(losses)


def test_evaluator_reports_mean():
    model = S.Regressor()
    data = S.make_dataset(10, seed=4)
    evaluator = extensions.Evaluator(S.ListIterator(data, 4, repeat=False), model)
    assert evaluator.default_name == 'validation'
    assert evaluator.trigger == (1, 'epoch')
    trainer = testing.get_trainer_with_mock_updater((2, 'epoch'))
    trainer.extend(evaluator)
    results = []
    trainer.extend(lambda t: results.append(dict(t.observation)), name='grab',
                   trigger=(1, 'epoch'), priority=0)
    trainer.run()
    assert len(results) == 2
    assert set(results[0]) == {'validation/main/loss'}
    numpy.testing.assert_allclose(float(results[0]['validation/main/loss']),
                                  _expected_loss(model, data, 4), rtol=1e-5)
    assert evaluator.get_iterator('main').finalized


def test_evaluator_mode_hooks_and_eval_func():
    model = S.Regressor()
    data = S.make_dataset(6)
    seen = []

    def eval_func(x, t):
        seen.append((chainer.config.train, chainer.config.enable_backprop, len(x)))
        loss = model(x, t)
        assert loss.creator is None  # no graph kept
    hook_calls = []
    evaluator = extensions.Evaluator(S.ListIterator(data, 4, repeat=False), {'main': model},
                                     eval_hook=hook_calls.append, eval_func=eval_func)
    result = evaluator()
    assert hook_calls == [evaluator]
    assert seen == [(False, False, 4), (False, False, 2)]
    assert set(result) == {'main/loss'}  # no name outside a trainer
    result2 = evaluator()
    assert float(result2['main/loss']) == pytest.approx(float(result['main/loss']))


def test_evaluator_warns_on_repeating_iterator():
    with pytest.warns(UserWarning, match='repeat'):
        extensions.Evaluator(chainer.iterators.SerialIterator(S.make_dataset(4), 2),
                             S.Regressor())
    # As in Chainer, iterators of other classes are not checked.
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        extensions.Evaluator(S.ListIterator(S.make_dataset(4), 2, repeat=True), S.Regressor())


def test_evaluator_progress_bar(capsys):
    evaluator = extensions.Evaluator(S.ListIterator(S.make_dataset(8), 4, repeat=False),
                                     S.Regressor(), progress_bar=True)
    evaluator()
    out = capsys.readouterr().out
    assert 'validation [' in out and 'iterations' in out


def test_evaluator_in_training_with_real_updater(tmp_path):
    model = S.Regressor()
    opt = optimizers.SGD(lr=0.1)
    opt.setup(model)
    updater = training.StandardUpdater(S.ListIterator(S.make_dataset(8), 4), opt)
    trainer = training.Trainer(updater, (3, 'epoch'), out=str(tmp_path))
    trainer.extend(extensions.Evaluator(S.ListIterator(S.make_dataset(8), 4, repeat=False),
                                        model))
    log = extensions.LogReport()
    trainer.extend(log)
    out = io.StringIO()
    trainer.extend(extensions.PrintReport(['epoch', 'main/loss', 'validation/main/loss'],
                                          out=out))
    trainer.run()
    assert len(log.log) == 3
    # Evaluated after the epoch's last update, on the training data itself.
    assert log.log[-1]['validation/main/loss'] < log.log[0]['validation/main/loss']
    assert out.getvalue().startswith('epoch       main/loss   validation/main/loss')


def test_evaluator_subclass_keeps_a_non_link_target():
    # Extensions built on Evaluator (e.g. visual reports) hand it a plain
    # predictor object and read it back from _targets in their own __call__.
    class Predictor:
        def __call__(self, x):
            return x * 2

    class Report(extensions.Evaluator):
        def __call__(self, trainer=None):
            it = self._iterators['main']
            return [self._targets(numpy.asarray(b)) for b in it]

    predictor = Predictor()
    data = [numpy.float32(i) for i in range(3)]
    report = Report(S.ListIterator(data, 1, repeat=False), predictor)
    assert report._targets is predictor
    assert [float(r[0]) for r in report()] == [0.0, 2.0, 4.0]


def test_evaluator_progress_bar_needs_position_attributes():
    # As in Chainer: a clear TypeError when the iterator cannot show progress.
    class Bare(chainer.dataset.Iterator):
        def __next__(self):
            raise StopIteration

    evaluator = extensions.Evaluator(Bare(), S.Regressor(), progress_bar=True)
    with pytest.raises(TypeError, match='current_position, epoch_detail'):
        evaluator()
