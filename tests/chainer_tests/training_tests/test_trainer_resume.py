"""Resuming from a snapshot continues training exactly like an uninterrupted run."""
import os

import numpy
import pytest

from tests.chainer_tests.training_tests import training_stubs as S
from tests.chainer_tests.training_tests.training_stubs import run_in_tmp_dir  # NOQA: F401 (autouse fixture)
from chainer import optimizers
from chainer import training
from chainer.training import extensions


def _make_trainer(out, stop):
    model = S.Regressor(seed=0)
    opt = optimizers.SGD(lr=0.05)
    opt.setup(model)
    it = S.ListIterator(S.make_dataset(10), 3)
    updater = training.StandardUpdater(it, opt)
    trainer = training.Trainer(updater, stop, out=out)
    trainer.extend(extensions.LogReport(trigger=(2, 'iteration')))
    trainer.extend(extensions.ExponentialShift('lr', 0.9), trigger=(1, 'iteration'))
    trainer.extend(extensions.snapshot(filename='snap_{.updater.iteration}', autoload=True),
                   trigger=(4, 'iteration'))
    return trainer, model


def test_resume_is_bit_identical(tmp_path):
    full, full_model = _make_trainer(str(tmp_path / 'full'), (13, 'iteration'))
    full.run()

    out = str(tmp_path / 'resumed')
    first, _ = _make_trainer(out, (9, 'iteration'))
    first.run()
    assert sorted(os.listdir(out)) == ['log', 'snap_4', 'snap_8']
    # Training past the last snapshot is lost, as with a killed process.
    os.utime(os.path.join(out, 'snap_8'))

    second, second_model = _make_trainer(out, (13, 'iteration'))
    second.run()
    assert second.updater.iteration == 13
    numpy.testing.assert_array_equal(second_model.W.array, full_model.W.array)
    assert (second.updater.get_optimizer('main').lr
            == full.updater.get_optimizer('main').lr)
    full_log = full.get_extension('LogReport').log
    second_log = second.get_extension('LogReport').log
    assert [e['iteration'] for e in second_log] == [e['iteration'] for e in full_log]
    for a, b in zip(full_log, second_log):
        assert a['main/loss'] == pytest.approx(b['main/loss'], rel=1e-6)


_REPO_ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(S.__file__)))))

_SCRIPT = '''
import os, signal, sys
import numpy
sys.path.insert(0, {root!r})
from tests.chainer_tests.training_tests import training_stubs as S
from chainer import optimizers, training
from chainer.training import extensions

out, stop, kill_at = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
model = S.Regressor(seed=0)
opt = optimizers.SGD(lr=0.05)
opt.setup(model)
updater = training.StandardUpdater(S.ListIterator(S.make_dataset(10), 3), opt)
trainer = training.Trainer(updater, (stop, 'iteration'), out=out)
trainer.extend(extensions.LogReport(trigger=(2, 'iteration')))
trainer.extend(extensions.snapshot(autoload=True), trigger=(4, 'iteration'))

def killer(t):
    if t.updater.iteration == kill_at:
        os.kill(os.getpid(), signal.SIGKILL)

trainer.extend(killer, trigger=(1, 'iteration'))
trainer.run()
numpy.save(os.path.join(out, 'final_W.npy'), model.W.array)
'''


def test_resume_after_sigkill(tmp_path):
    import signal
    import subprocess
    import sys

    script = tmp_path / 'train.py'
    script.write_text(_SCRIPT.format(root=_REPO_ROOT))
    repo = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
        os.path.abspath(__file__)))))
    env = dict(os.environ, PYTHONPATH=repo)

    def run(out, kill_at):
        return subprocess.run([sys.executable, str(script), out, '11', str(kill_at)],
                              env=env, capture_output=True, timeout=120)

    ref = run(str(tmp_path / 'ref'), -1)
    assert ref.returncode == 0, ref.stderr.decode()

    out = str(tmp_path / 'killed')
    killed = run(out, 6)
    assert killed.returncode == -signal.SIGKILL
    assert 'snapshot_iter_4' in os.listdir(out)
    assert not any(name.startswith('tmp') for name in os.listdir(out))

    resumed = run(out, -1)
    assert resumed.returncode == 0, resumed.stderr.decode()
    numpy.testing.assert_array_equal(
        numpy.load(os.path.join(out, 'final_W.npy')),
        numpy.load(str(tmp_path / 'ref' / 'final_W.npy')))


def _shuffled_trainer(out, stop, seed=0):
    from chainer import iterators
    numpy.random.seed(seed)
    model = S.Regressor(seed=0)
    opt = optimizers.MomentumSGD(lr=0.05)
    opt.setup(model)
    it = iterators.SerialIterator(S.make_dataset(10), 3, shuffle=True)
    updater = training.StandardUpdater(it, opt)
    trainer = training.Trainer(updater, stop, out=out)
    trainer.extend(extensions.snapshot(autoload=True), trigger=(5, 'iteration'))
    trainer.extend(extensions.LogReport(trigger=(1, 'epoch')))
    return trainer, model


def test_resume_mid_epoch_with_shuffling_serial_iterator(tmp_path):
    full, full_model = _shuffled_trainer(str(tmp_path / 'full'), (14, 'iteration'))
    full.run()

    out = str(tmp_path / 'part')
    first, _ = _shuffled_trainer(out, (7, 'iteration'))
    first.run()
    # The resumed process draws different random numbers from here on.
    second, second_model = _shuffled_trainer(out, (14, 'iteration'), seed=123)
    assert second.updater.iteration == 0
    second.run()
    numpy.testing.assert_array_equal(second_model.W.array, full_model.W.array)
    iterations = [e['iteration'] for e in second.get_extension('LogReport').log]
    assert iterations == [e['iteration'] for e in full.get_extension('LogReport').log]
    assert iterations == [4, 7, 10, 14]  # 10 examples in batches of 3


def test_multiprocess_iterator_workers_end_when_training_fails(tmp_path):
    import multiprocessing
    from chainer import iterators
    model = S.Regressor()
    opt = optimizers.SGD()
    opt.setup(model)
    it = iterators.MultiprocessIterator(S.make_dataset(12), 3, n_processes=2, n_prefetch=1)
    trainer = training.Trainer(training.StandardUpdater(it, opt), (10, 'iteration'),
                               out=str(tmp_path))

    def fail(t):
        if t.updater.iteration == 2:
            raise RuntimeError('loop failed')
    trainer.extend(fail)
    with pytest.raises(RuntimeError, match='loop failed'):
        trainer.run(show_loop_exception_msg=False)
    assert multiprocessing.active_children() == []


def test_resume_with_lazily_initialized_model(tmp_path):
    # Loading initializes the parameters (a random draw); the iterator's
    # random state must be restored after that.
    import chainer
    import chainer.functions as F
    import chainer.links as L
    from chainer import iterators

    def make(out, stop):
        numpy.random.seed(0)
        model = L.Linear(None, 2)

        def loss_func(x, t):
            loss = F.mean_squared_error(model(x), t)
            chainer.report({'loss': loss})
            return loss
        opt = optimizers.Adam()
        opt.setup(model)
        it = iterators.SerialIterator(S.make_dataset(10), 4, shuffle=True)
        trainer = training.Trainer(training.StandardUpdater(it, opt, loss_func=loss_func),
                                   stop, out=out)
        trainer.extend(extensions.snapshot(autoload=True), trigger=(1, 'epoch'))
        return trainer, model

    full, full_model = make(str(tmp_path / 'full'), (5, 'epoch'))
    full.run()
    out = str(tmp_path / 'part')
    make(out, (2, 'epoch'))[0].run()
    resumed, resumed_model = make(out, (5, 'epoch'))
    resumed.run()
    numpy.testing.assert_array_equal(resumed_model.W.array, full_model.W.array)


def _make_evaluated_trainer(out, epochs):
    model = S.Regressor(seed=0)
    opt = optimizers.SGD(lr=0.05)
    opt.setup(model)
    data = S.make_dataset(10)
    updater = training.StandardUpdater(S.ListIterator(data, 3), opt)
    trainer = training.Trainer(updater, (epochs, 'epoch'), out=out)
    evaluator = extensions.Evaluator(S.ListIterator(S.make_dataset(4, seed=2), 2, repeat=False),
                                     model)
    trainer.extend(evaluator, call_before_training=True)
    trainer.extend(extensions.LogReport(), call_before_training=True)
    trainer.extend(extensions.snapshot(filename='snap_{.updater.epoch}', autoload=True))
    return trainer, model


def test_resume_does_not_repeat_call_before_training(tmp_path):
    full, full_model = _make_evaluated_trainer(str(tmp_path / 'full'), 5)
    full.run()

    out = str(tmp_path / 'resumed')
    first, _ = _make_evaluated_trainer(out, 3)
    first.run()
    second, second_model = _make_evaluated_trainer(out, 5)
    second.run()

    numpy.testing.assert_array_equal(second_model.W.array, full_model.W.array)

    def strip(log):
        return [{k: v for k, v in entry.items() if k != 'elapsed_time'} for entry in log]
    full_log = full.get_extension('LogReport').log
    assert strip(second.get_extension('LogReport').log) == strip(full_log)
    assert len(full_log) == 6  # the entry before training and one per epoch



def _mid_epoch_trainer(out, stop, make_extension):
    """A trainer whose snapshot at iteration 6 falls mid-epoch (10 examples in
    batches of 3: epochs end at iterations 4, 7 and 10); ``make_extension(model)``
    is called every iteration and reports once an epoch."""
    model = S.Regressor(seed=0)
    opt = optimizers.SGD(lr=0.05)
    opt.setup(model)
    it = S.ListIterator(S.make_dataset(10), 3)
    trainer = training.Trainer(training.StandardUpdater(it, opt), stop, out=out)
    extension = make_extension(model)
    trainer.extend(extension)
    trainer.extend(extensions.LogReport(trigger=(1, 'epoch')))
    trainer.extend(extensions.snapshot(autoload=True), trigger=(6, 'iteration'))
    return trainer, extension


def _run_resumed(make_extension):
    full = _mid_epoch_trainer('full', (12, 'iteration'), make_extension)
    full[0].run()
    _mid_epoch_trainer('part', (6, 'iteration'), make_extension)[0].run()
    resumed = _mid_epoch_trainer('part', (12, 'iteration'), make_extension)
    resumed[0].run()
    return full, resumed


def test_resume_mid_epoch_keeps_parameter_statistics():
    # The statistics gathered before a mid-epoch snapshot are saved with it, so
    # the first epoch reported after a resume averages the whole epoch.
    (full, _), (resumed, _) = _run_resumed(
        lambda model: extensions.ParameterStatistics(model, prefix='ps'))
    full_log = full.get_extension('LogReport').log
    resumed_log = resumed.get_extension('LogReport').log
    assert [e['iteration'] for e in resumed_log] == [4, 7, 10]
    key = 'ps/None/W/data/mean'
    assert [e[key] for e in resumed_log] == pytest.approx(
        [e[key] for e in full_log], rel=1e-12)


def test_resume_mid_epoch_keeps_plot_report_points():
    # PlotReport saves its trigger and the values gathered since its last
    # point: the resumed run plots the points of an uninterrupted one.
    pytest.importorskip('matplotlib')
    (_, full), (_, resumed) = _run_resumed(
        lambda model: extensions.PlotReport(['main/loss'], trigger=(1, 'epoch'),
                                            filename='loss.png'))
    assert [x for x, _ in resumed._data['main/loss']] == [4, 7, 10]
    assert resumed._data['main/loss'] == [
        (x, pytest.approx(y, rel=1e-12)) for x, y in full._data['main/loss']]
