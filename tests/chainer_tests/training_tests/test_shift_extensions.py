"""Hyperparameter shifts and observe_value / observe_lr."""
from unittest import mock

import numpy
import pytest

from chainer import serializers
from chainer import testing
from chainer.training import extensions
from tests.chainer_tests.training_tests.training_stubs import run_in_tmp_dir  # NOQA: F401 (autouse fixture)


class _Opt:
    def __init__(self, lr=1.0):
        self.lr = lr


def _run(ext, n, opt=None):
    opt = opt or _Opt()
    trainer = testing.get_trainer_with_mock_updater((n, 'iteration'))
    trainer.updater.get_optimizer.return_value = opt
    values = []
    trainer.extend(ext, name='shift', trigger=(1, 'iteration'))
    trainer.extend(lambda t: values.append(opt.lr), name='grab', trigger=(1, 'iteration'),
                   priority=0)
    trainer.run()
    return values, opt


def _round_trip(src, dst):
    saver = serializers.DictionarySerializer()
    saver.save(src)
    serializers.NpzDeserializer(saver.target).load(dst)


def test_exponential_shift():
    values, opt = _run(extensions.ExponentialShift('lr', 0.5), 3)
    assert values == [0.5, 0.25, 0.125]
    values, _ = _run(extensions.ExponentialShift('lr', 0.5, init=2.0, target=0.6), 3)
    assert values == [1.0, 0.6, 0.6]
    values, _ = _run(extensions.ExponentialShift('lr', 2, target=3), 3)
    assert values == [2, 3, 3]
    with pytest.raises(ValueError, match='negative rate'):
        extensions.ExponentialShift('lr', -1)


def test_shift_resume_restores_value():
    src = extensions.ExponentialShift('lr', 0.5)
    _run(src, 2)
    dst = extensions.ExponentialShift('lr', 0.5)
    _round_trip(src, dst)
    opt = _Opt(lr=1.0)
    values, _ = _run(dst, 1, opt)
    assert values == [0.125]


def test_explicit_optimizer_is_used():
    opt = _Opt(lr=4.0)
    ext = extensions.ExponentialShift('lr', 0.5, optimizer=opt)
    trainer = testing.get_trainer_with_mock_updater((1, 'iteration'))
    trainer.extend(ext)
    trainer.run()
    assert opt.lr == 2.0
    trainer.updater.get_optimizer.assert_not_called()


def test_inverse_shift():
    values, _ = _run(extensions.InverseShift('lr', 1.0, 1.0), 3)
    assert values == pytest.approx([1 / 2, 1 / 3, 1 / 4])
    values, _ = _run(extensions.InverseShift('lr', 1.0, 1.0, init=2.0, target=0.8), 3)
    assert values == pytest.approx([1.0, 0.8, 0.8])
    with pytest.raises(ValueError, match='negative gamma'):
        extensions.InverseShift('lr', -1.0, 1.0)


def test_linear_shift():
    values, opt = _run(extensions.LinearShift('lr', (1.0, 2.0), (1, 3)), 4)
    assert values == [1.0, 1.5, 2.0, 2.0]
    with pytest.raises(ValueError, match='increasing'):
        extensions.LinearShift('lr', (1.0, 2.0), (3, 1))
    with pytest.raises(ValueError, match=r'time_range must be a pair \(start, end\), got \(5,\)'):
        extensions.LinearShift('lr', (1.0, 2.0), (5,))
    with pytest.raises(ValueError, match='value_range must be a pair'):
        extensions.LinearShift('lr', [1.0, 2.0, 3.0], (1, 3))
    values, _ = _run(extensions.LinearShift('lr', [1.0, 2.0], [2, 2]), 3)
    assert values == [1.0, 1.0, 2.0]  # an empty time range jumps, dividing by nothing


def test_multistep_shift():
    values, _ = _run(extensions.MultistepShift('lr', 0.1, [2, 4], 1.0), 5)
    assert values == pytest.approx([1.0, 0.1, 0.1, 0.01, 0.01])
    values, _ = _run(extensions.MultistepShift('lr', 0.5, [1], None), 2)
    assert values == [0.5, 0.5]
    src = extensions.MultistepShift('lr', 0.1, [2, 4], 1.0)
    _run(src, 3)
    dst = extensions.MultistepShift('lr', 0.1, [2, 4], 1.0)
    _round_trip(src, dst)
    assert (dst._t, dst._current_step) == (3, 1)


@pytest.mark.parametrize('init', [1.0, None])
def test_multistep_shift_resume_starts_at_the_restored_value(init):
    # The first update after a resume runs at the value of the restored step;
    # Chainer's initialize went back to init until the next call.
    src = extensions.MultistepShift('lr', 0.1, [2, 4], init)
    _run(src, 3)
    dst = extensions.MultistepShift('lr', 0.1, [2, 4], init)
    _round_trip(src, dst)
    opt = _Opt(lr=1.0)
    trainer = testing.get_trainer_with_mock_updater((1, 'iteration'))
    trainer.updater.get_optimizer.return_value = opt
    dst.initialize(trainer)
    assert opt.lr == pytest.approx(0.1)
    fresh = extensions.MultistepShift('lr', 0.1, [2, 4], init)
    opt = _Opt(lr=1.0)
    trainer.updater.get_optimizer.return_value = opt
    fresh.initialize(trainer)
    assert opt.lr == 1.0


def test_polynomial_shift():
    values, _ = _run(extensions.PolynomialShift('lr', 2, 4), 5)
    assert values == pytest.approx([0.5625, 0.25, 0.0625, 0.0, 0.0])
    values, _ = _run(extensions.PolynomialShift('lr', 1, 4, init=1.0, target=0.4), 4)
    assert values == pytest.approx([0.75, 0.5, 0.4, 0.4])
    with pytest.raises(ValueError, match='max_count'):
        extensions.PolynomialShift('lr', 1, 0)
    # A trigger-like (10, 'iteration') failed only at the first call in Chainer.
    with pytest.raises(TypeError, match='max_count must be the number of calls'):
        extensions.PolynomialShift('lr', 0.5, (10, 'iteration'))


def test_step_shift():
    values, _ = _run(extensions.StepShift('lr', 0.5, 2), 5)
    assert values == [1.0, 0.5, 0.5, 0.25, 0.25]
    values, _ = _run(extensions.StepShift('lr', 0.5, 1, target=0.3), 3)
    assert values == [0.5, 0.3, 0.3]
    with pytest.raises(ValueError, match='step'):
        extensions.StepShift('lr', 0.5, 0)


def test_step_shift_sets_numpy_float64_as_chainer():
    values, _ = _run(extensions.StepShift('lr', 0.5, 2), 3)
    assert [type(v) for v in values] == [numpy.float64] * 3


def test_warmup_shift():
    opt = _Opt(lr=123.0)
    values, _ = _run(extensions.WarmupShift('lr', 0.0, 4, 1.0), 6, opt)
    assert values == [0.25, 0.5, 0.75, 1.0, 1.0, 1.0]
    with pytest.raises(ValueError, match='warmup_iter'):
        extensions.WarmupShift('lr', 0.0, 0, 1.0)


def test_warmup_shift_values_and_start_from_the_optimizer():
    # Chainer's weighting (t * init + (w - t) * start) / w, to the last bit.
    values, _ = _run(extensions.WarmupShift('lr', 0.01, 5, 0.1), 6)
    assert values == [0.028000000000000004, 0.046, 0.06400000000000002, 0.082, 0.1, 0.1]
    values, _ = _run(extensions.WarmupShift('lr', None, 2, 1.0), 3, _Opt(lr=0.5))
    assert values == [0.75, 1.0, 1.0]


@pytest.mark.parametrize('done, expected', [(2, [0.875, 1.0]), (5, [1.0, 1.0])])
def test_warmup_shift_resumes_on_its_ramp(done, expected):
    src = extensions.WarmupShift('lr', 0.5, 4, 1.0)
    _run(src, done)
    saver = serializers.DictionarySerializer()
    src.serialize(saver)
    assert sorted(saver.target) == ['_t']  # Chainer's keys
    dst = extensions.WarmupShift('lr', 0.5, 4, 1.0)
    serializers.NpzDeserializer(saver.target).load(dst)
    opt = _Opt(lr=123.0)
    trainer = mock.Mock()
    trainer.updater.get_optimizer.return_value = opt
    dst.initialize(trainer)
    assert opt.lr == [0.625, 0.75, 0.875, 1.0][min(done, 4) - 1]
    values = []
    for _ in range(2):
        dst(trainer)
        values.append(opt.lr)
    assert values == expected


def test_initialize_sets_initial_value():
    opt = _Opt(lr=1.0)
    ext = extensions.WarmupShift('lr', 0.1, 10, 1.0)
    trainer = mock.Mock()
    trainer.updater.get_optimizer.return_value = opt
    ext.initialize(trainer)
    assert opt.lr == 0.1
    ext = extensions.LinearShift('lr', (5.0, 6.0), (0, 1))
    ext.initialize(trainer)
    assert opt.lr == 5.0


def test_observe_value_and_lr():
    opt = _Opt(lr=0.25)
    trainer = testing.get_trainer_with_mock_updater((2, 'epoch'), iter_per_epoch=2)
    trainer.updater.get_optimizer.return_value = opt
    ext = extensions.observe_lr()
    assert ext.trigger == (1, 'epoch')
    assert ext.priority == extensions.observe_value.__globals__['extension'].PRIORITY_WRITER
    trainer.extend(ext)
    trainer.extend(extensions.observe_value('it', lambda t: t.updater.iteration))
    log = extensions.LogReport(log_name=None)
    trainer.extend(log)
    trainer.run()
    assert [(e['lr'], e['it']) for e in log.log] == [(0.25, 2), (0.25, 4)]
    trainer.updater.get_optimizer.assert_called_with('main')
    assert numpy.isscalar(log.log[0]['lr'])


def test_polynomial_shift_keeps_chainers_legacy_flag():
    from chainer.training import extensions

    assert extensions.PolynomialShift('lr', 0.5, 10).invoke_before_training is True
    with pytest.raises(AttributeError, match='removed'):
        extensions.ExponentialShift('lr', 0.5).invoke_before_training


@pytest.mark.parametrize('make, expected', [
    # NumPy 1 (Chainer's) promoted a float32 scalar met by a Python number to
    # float64; the schedule values are those float64 products, not float32 ones.
    (lambda f: extensions.ExponentialShift('lr', 0.9, init=f(0.1)),
     lambda t: numpy.float64(numpy.float32(0.1)) * 0.9 ** t),
    (lambda f: extensions.ExponentialShift('lr', f(0.9), init=0.1),
     lambda t: 0.1 * numpy.float64(numpy.float32(0.9)) ** t),
    (lambda f: extensions.InverseShift('lr', 0.5, 0.75, init=f(0.1)),
     lambda t: numpy.float64(numpy.float32(0.1)) * (1 + 0.5 * t) ** -0.75),
    (lambda f: extensions.MultistepShift('lr', 0.3, [1, 2], f(0.1)),
     lambda t: numpy.float64(numpy.float32(0.1)) * 0.3 ** min(t, 2)),
    (lambda f: extensions.PolynomialShift('lr', 0.5, 5, init=f(0.1)),
     lambda t: numpy.float64(numpy.float32(0.1)) * (1 - t / 5) ** 0.5),
    (lambda f: extensions.LinearShift('lr', (f(0.1), f(0.7)), (0, 4)),
     lambda t: numpy.float64(numpy.float32(0.1))
     + t / 4 * numpy.float64(numpy.float32(0.7) - numpy.float32(0.1))),
    (lambda f: extensions.LinearShift('lr', (f(0.1), 0.7), (0, 4)),
     lambda t: numpy.float64(numpy.float32(0.1))
     + t / 4 * (0.7 - numpy.float64(numpy.float32(0.1)))),
    (lambda f: extensions.WarmupShift('lr', 0.0, 4, f(0.1)),
     lambda t: t * numpy.float64(numpy.float32(0.1)) / 4),
])
def test_shift_of_float32_values_computes_in_float64_as_chainer(make, expected):
    values, _ = _run(make(numpy.float32), 3)
    assert [type(v) for v in values] == [numpy.float64] * 3
    assert values == [expected(t) for t in (1, 2, 3)]
