"""Triggers: interval, manual schedule, best value, early stopping, once, time."""
import warnings
from unittest import mock

import numpy as np
import pytest

import chainer
from chainer import serializers
from chainer import testing
from chainer.training import triggers
from tests.chainer_tests.training_tests.training_stubs import run_in_tmp_dir  # NOQA: F401 (autouse fixture)


def _fires(trigger, n, iter_per_epoch=5, observations=None):
    trainer = testing.get_trainer_with_mock_updater(
        stop_trigger=None, iter_per_epoch=iter_per_epoch)
    fired = []
    for i in range(n):
        trainer.updater.update()
        if observations is not None:
            trainer.observation = observations[i]
        fired.append(trigger(trainer))
    return fired


def _round_trip(src, dst):
    saver = serializers.DictionarySerializer()
    saver.save(src)
    serializers.NpzDeserializer(saver.target).load(dst)
    return saver.target


@pytest.mark.parametrize('period,unit,iter_per_epoch,expected', [
    (2, 'iteration', 5, [False, True, False, True, False, True]),
    (1, 'epoch', 2, [False, True, False, True, False, True]),
    (0.5, 'epoch', 4, [False, True, False, True, False, True]),
    (1, 'epoch', 3, [False, False, True, False, False, True]),
    (2, 'epoch', 1, [False, True, False, True, False, True]),
])
def test_interval_trigger(period, unit, iter_per_epoch, expected):
    trigger = triggers.IntervalTrigger(period, unit)
    assert _fires(trigger, 6, iter_per_epoch) == expected
    assert trigger.get_training_length() == (period, unit)
    assert str(trigger) == f"IntervalTrigger({period}, '{unit}')"


def test_interval_trigger_resume():
    trainer = testing.get_trainer_with_mock_updater(None, iter_per_epoch=2)
    trigger = triggers.IntervalTrigger(3, 'iteration')
    for _ in range(4):
        trainer.updater.update()
        trigger(trainer)
    resumed = triggers.IntervalTrigger(3, 'iteration')
    target = _round_trip(trigger, resumed)
    assert int(target['previous_iteration']) == 4
    trainer.updater.update()
    trainer.updater.update()
    assert resumed(trainer)  # 4 -> 6 crosses 6


def test_interval_trigger_old_snapshot_warns():
    trigger = triggers.IntervalTrigger(1, 'epoch')
    with pytest.warns(UserWarning, match='not saved'):
        serializers.NpzDeserializer({}).load(trigger)
    assert trigger._previous_iteration == -1


def test_interval_trigger_bad_input():
    with pytest.raises(ValueError, match="'epoch' or 'iteration'"):
        triggers.IntervalTrigger(1, 'epochs')
    with pytest.raises(ValueError, match='positive'):
        triggers.IntervalTrigger(0, 'epoch')


def test_manual_schedule_trigger():
    trigger = triggers.ManualScheduleTrigger([2, 5], 'iteration')
    assert _fires(trigger, 6) == [False, True, False, False, True, False]
    assert trigger.finished
    trigger = triggers.ManualScheduleTrigger(1, 'epoch')
    assert _fires(trigger, 4, iter_per_epoch=2) == [False, True, False, False]
    trigger = triggers.ManualScheduleTrigger([0.5, 1.5], 'epoch')
    assert _fires(trigger, 6, iter_per_epoch=2) == [True, False, True, False, False, False]
    with pytest.raises(ValueError, match="'epoch' or 'iteration'"):
        triggers.ManualScheduleTrigger(1, 'step')

    src = triggers.ManualScheduleTrigger([3], 'iteration')
    _fires(src, 3)
    dst = triggers.ManualScheduleTrigger([3], 'iteration')
    _round_trip(src, dst)
    assert dst.finished and dst._previous_iteration == 3


def test_max_and_min_value_triggers():
    values = [3, 1, 2, 5, 4, 4, 0, 6]
    obs = [{'acc': v} for v in values]
    assert _fires(triggers.MaxValueTrigger('acc', (2, 'iteration')), 8, observations=obs) \
        == [False, True, False, True, False, True, False, False]
    assert _fires(triggers.MinValueTrigger('acc', (2, 'iteration')), 8, observations=obs) \
        == [False, True, False, False, False, False, False, False]
    better = triggers.BestValueTrigger('acc', lambda best, new: new != best, (1, 'iteration'))
    assert _fires(better, 3, observations=[{'acc': 1}, {'acc': 1}, {'acc': 2}]) \
        == [True, False, True]
    # A key not reported by the comparison is a KeyError, as in Chainer (a
    # misspelt key would otherwise never fire).
    with pytest.raises(KeyError, match="'x' was not reported"):
        _fires(triggers.MaxValueTrigger('x', (1, 'iteration')), 3, observations=[{}] * 3)
    assert _fires(triggers.MinValueTrigger('x', (2, 'iteration')), 2,
                  observations=[{'x': 1}, {}]) == [False, True]


def test_best_value_trigger_resume():
    src = triggers.MaxValueTrigger('acc', (1, 'iteration'))
    _fires(src, 2, observations=[{'acc': 1.0}, {'acc': 5.0}])
    dst = triggers.MaxValueTrigger('acc', (1, 'iteration'))
    _round_trip(src, dst)
    assert dst._best_value == 5.0
    empty = triggers.MaxValueTrigger('acc')
    again = triggers.MaxValueTrigger('acc')
    _round_trip(empty, again)
    assert again._best_value is None


def test_best_value_trigger_without_a_best_yet_saves_none_under_its_key(tmp_path):
    # Chainer wrote best_value (a None) before the first comparison, and its strict
    # load_npz raises KeyError where the key is missing: a snapshot taken then (ESPnet
    # snapshots each epoch before its best-model triggers run) must keep the key.
    saved = _round_trip(triggers.MinValueTrigger('loss'), triggers.MinValueTrigger('loss'))
    assert 'best_value' in saved
    path = str(tmp_path / 'trigger.npz')
    serializers.save_npz(path, triggers.MinValueTrigger('loss'))
    with np.load(path, allow_pickle=True) as f:
        assert f['best_value'][()] is None
    loaded = triggers.MinValueTrigger('loss')
    loaded._best_value = 3.0
    serializers.load_npz(path, loaded)
    assert loaded._best_value is None
    h5 = str(tmp_path / 'trigger.h5')
    serializers.save_hdf5(h5, triggers.MaxValueTrigger('acc'))
    loaded = triggers.MaxValueTrigger('acc')
    loaded._best_value = 3.0
    serializers.load_hdf5(h5, loaded)
    assert loaded._best_value is None


def test_early_stopping_trigger():
    trigger = triggers.EarlyStoppingTrigger(
        check_trigger=(1, 'iteration'), monitor='main/loss', patience=2,
        max_trigger=(100, 'iteration'))
    losses = [5, 4, 4.5, 3, 3.5, 3.2, 1]
    fired = _fires(trigger, 7, observations=[{'main/loss': v} for v in losses])
    assert fired == [False, False, False, False, False, True, False]
    assert trigger.get_training_length() == (100, 'iteration')


def test_early_stopping_modes_and_max_trigger(capsys):
    trigger = triggers.EarlyStoppingTrigger(monitor='validation/main/accuracy',
                                            check_trigger=(1, 'iteration'), patience=1,
                                            verbose=True)
    fired = _fires(trigger, 3, observations=[{'validation/main/accuracy': v}
                                             for v in (0.5, 0.7, 0.6)])
    assert fired == [False, False, True]
    out = capsys.readouterr().out
    assert 'early stopping: operator is greater' in out
    assert 'early stopping' in out.splitlines()[-1]

    trigger = triggers.EarlyStoppingTrigger(max_trigger=(2, 'iteration'), mode='max')
    assert _fires(trigger, 2, observations=[{}] * 2) == [False, True]


def test_early_stopping_patients_alias_and_errors():
    assert triggers.EarlyStoppingTrigger(patients=5).patience == 5
    assert triggers.EarlyStoppingTrigger().patience == 3
    with pytest.raises(TypeError, match='Specify only'):
        triggers.EarlyStoppingTrigger(patience=1, patients=2)
    with pytest.raises(ValueError, match='mode'):
        triggers.EarlyStoppingTrigger(mode='lowest')
    trigger = triggers.EarlyStoppingTrigger(check_trigger=(1, 'iteration'))
    with pytest.warns(UserWarning, match='main/loss is not in observation'):
        _fires(trigger, 1, observations=[{}])


def test_early_stopping_as_stop_trigger():
    trainer = testing.get_trainer_with_mock_updater(
        triggers.EarlyStoppingTrigger(check_trigger=(1, 'iteration'), patience=2,
                                      max_trigger=(50, 'iteration')))
    trainer.extend(lambda t: chainer.report({'main/loss': 1.0}), name='rep',
                   priority=300)
    trainer.run()
    # The value never improves after the first check: stops after 1 + 2 checks.
    assert trainer.updater.iteration == 3


def test_once_trigger():
    trigger = triggers.OnceTrigger()
    assert _fires(trigger, 3) == [True, False, False]
    assert trigger.finished
    resumed = triggers.OnceTrigger(call_on_resume=True)
    _round_trip(trigger, resumed)
    assert not resumed.finished
    assert _fires(resumed, 2) == [True, False]
    plain = triggers.OnceTrigger()
    _round_trip(trigger, plain)
    assert plain.finished and _fires(plain, 1) == [False]


def test_once_trigger_skips_initialize_when_finished():
    trainer = testing.get_trainer_with_mock_updater((2, 'iteration'))
    ext = mock.MagicMock()
    trigger = triggers.OnceTrigger()
    trigger(trainer)
    trainer.extend(ext, name='once', trigger=trigger)
    trainer.run()
    ext.initialize.assert_not_called()
    ext.assert_not_called()


def test_time_trigger():
    trigger = triggers.TimeTrigger(1.0)
    trainer = mock.Mock()
    fired = []
    for t in (0.5, 1.2, 1.5, 2.1, 4.5, 4.6):
        trainer.elapsed_time = t
        fired.append(trigger(trainer))
    assert fired == [False, True, False, True, True, True]
    dst = triggers.TimeTrigger(1.0)
    _round_trip(trigger, dst)
    assert dst._next_time == trigger._next_time == 5.0
    with pytest.raises(ValueError, match='negative'):
        triggers.TimeTrigger(-1)
    every = triggers.TimeTrigger(0)  # as in Chainer: fires at every call
    trainer.elapsed_time = 0.1
    assert every(trainer) and every(trainer)


def test_get_trigger_in_triggers_module():
    assert isinstance(triggers.get_trigger((1, 'epoch')), triggers.IntervalTrigger)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        triggers.get_trigger(None)


def test_bad_period_message_prints_a_numpy_scalar_as_a_number():
    with pytest.raises(ValueError, match=r'got 0\.$'):
        triggers.IntervalTrigger(np.int16(0), 'epoch')


def test_manual_schedule_trigger_takes_a_numpy_scalar_point():
    trigger = triggers.ManualScheduleTrigger(np.int64(2), 'iteration')
    assert trigger.points == [2]
