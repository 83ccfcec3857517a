"""FailOnNonNumber, unchain_variables, MicroAverage and ParameterStatistics."""
import numpy
import pytest

from tests.chainer_tests.training_tests import training_stubs as S
from tests.chainer_tests.training_tests.training_stubs import run_in_tmp_dir  # NOQA: F401 (autouse fixture)
import chainer
from chainer import optimizers
from chainer import serializers
from chainer import testing
from chainer import training
from chainer.training import extensions


def _trainer_with_model(model, stop=(2, 'iteration'), lr=0.1):
    opt = optimizers.SGD(lr=lr)
    opt.setup(model)
    updater = training.StandardUpdater(S.ListIterator(S.make_dataset(8), 4), opt)
    return training.Trainer(updater, stop)


def test_fail_on_nonnumber_passes_finite():
    trainer = _trainer_with_model(S.Regressor())
    trainer.extend(extensions.FailOnNonNumber())
    trainer.run()


def test_fail_on_nonnumber_names_the_parameter():
    model = S.Regressor()
    trainer = _trainer_with_model(model, stop=(5, 'iteration'))
    model.W.array[0, 0] = numpy.nan
    trainer.extend(extensions.FailOnNonNumber())
    with pytest.raises(RuntimeError, match=r"optimizer 'main' diverge.*/W.*iteration 1"):
        trainer.run(show_loop_exception_msg=False)


def test_fail_on_nonnumber_ignores_grads():
    # As Chainer's: a non-finite gradient (expected under dynamic loss
    # scaling, where it only skips the update) does not stop training.
    model = S.Regressor()
    trainer = testing.get_trainer_with_mock_updater()
    opt = optimizers.SGD()
    opt.setup(model)
    trainer.updater.get_all_optimizers.return_value = {'main': opt}
    model.W.grad = numpy.full_like(model.W.array, numpy.inf)
    extensions.FailOnNonNumber()(trainer)


def test_fail_on_nonnumber_skips_uninitialized_parameters():
    # A lazy link never called (Chainer: TypeError from isfinite(None)).
    model = S.Regressor()
    with model.init_scope():
        model.unused = chainer.links.Linear(None, 3)
    trainer = testing.get_trainer_with_mock_updater()
    opt = optimizers.SGD()
    opt.setup(model)
    trainer.updater.get_all_optimizers.return_value = {'main': opt}
    extensions.FailOnNonNumber()(trainer)


@pytest.mark.parametrize('keep_graph', [False, True])
def test_unchain_variables(keep_graph):
    trainer = testing.get_trainer_with_mock_updater((2, 'iteration'))
    kept = []

    def report(t):
        x = chainer.Variable(numpy.ones(2, numpy.float32))
        y = x * 2
        t.observation['y'] = y
        kept.append(y)
    trainer.extend(report, priority=300)
    ext = extensions.unchain_variables()
    assert ext.priority < training.PRIORITY_READER
    trainer.extend(ext)
    with chainer.using_config('keep_graph_on_report', keep_graph):
        trainer.run()
    # As in Chainer, it runs only while keep_graph_on_report is on.
    assert [y.creator is None for y in kept] == [keep_graph] * 2


def test_unchain_variables_trigger_follows_the_flag():
    ext = extensions.unchain_variables()
    with chainer.using_config('keep_graph_on_report', True):
        ext.initialize(None)
    with chainer.using_config('keep_graph_on_report', False):
        assert ext.trigger(None) is True
        assert ext.trigger(None) is False


def test_micro_average():
    trainer = testing.get_trainer_with_mock_updater((4, 'iteration'), iter_per_epoch=2)
    counts = iter([(1, 2), (3, 4), (2, 2), (0, 4)])

    def report(t):
        c, n = next(counts)
        chainer.report({'correct': c, 'total': chainer.Variable(numpy.asarray(float(n)))})
    trainer.extend(report, priority=300)
    trainer.extend(extensions.MicroAverage('correct', 'total', 'accuracy'))
    log = extensions.LogReport(log_name=None)
    trainer.extend(log)
    trainer.run()
    assert [e['accuracy'] for e in log.log] == [4 / 6, 2 / 6]

    src = extensions.MicroAverage('c', 't', 'r')
    src._numerator, src._denominator = 3, 5
    saver = serializers.DictionarySerializer()
    saver.save(src)
    dst = extensions.MicroAverage('c', 't', 'r')
    serializers.NpzDeserializer(saver.target).load(dst)
    assert (int(dst._numerator), int(dst._denominator)) == (3, 5)


def _micro_average_once(numerator, denominator):
    ext = extensions.MicroAverage('n', 'd', 'r', trigger=(1, 'iteration'))
    trainer = testing.get_trainer_with_mock_updater((1, 'iteration'))
    trainer.updater.iteration = 1
    trainer.observation = {'n': numerator, 'd': denominator}
    observation = {}
    with chainer.reporter.Reporter().scope(observation):
        ext(trainer)
    return observation['r']


def test_micro_average_result_follows_the_denominator():
    # As in Chainer: float(numerator) / denominator.
    r = _micro_average_once(numpy.int64(3), 4)
    assert type(r) is float and r == 0.75
    r = _micro_average_once(3, numpy.int64(4))
    assert type(r) is numpy.float64 and r == 0.75
    r = _micro_average_once(1, numpy.float16(2))
    assert type(r) is numpy.float64 and r == 0.5
    r = _micro_average_once(3, chainer.Variable(numpy.asarray(4., numpy.float32)))
    assert isinstance(r, chainer.Variable) and r.dtype == numpy.float32
    assert float(r.array) == 0.75
    with numpy.errstate(divide='ignore'):
        assert _micro_average_once(1, numpy.int64(0)) == numpy.inf
    with pytest.raises(ZeroDivisionError):
        _micro_average_once(1, 0)


@pytest.mark.parametrize('sums', [(2.5, 4), (numpy.float32(1.5), numpy.array(2.0))])
def test_micro_average_resumes_float_sums(sums):
    # Sums of float counts saved mid-interval load back as they were (Chainer
    # refused to load a float into the int the fresh extension starts with).
    src = extensions.MicroAverage('c', 't', 'r')
    src._numerator, src._denominator = sums
    saver = serializers.DictionarySerializer()
    saver.save(src)
    dst = extensions.MicroAverage('c', 't', 'r')
    serializers.NpzDeserializer(saver.target).load(dst)
    assert (dst._numerator, dst._denominator) == tuple(float(v) for v in sums)
    bad = dict(saver.target, _numerator=numpy.zeros(2))
    with pytest.raises(ValueError, match='_numerator'):
        serializers.NpzDeserializer(bad).load(extensions.MicroAverage('c', 't', 'r'))


def test_parameter_statistics_keys_and_values():
    model = S.Regressor()
    model.name = 'main'
    trainer = _trainer_with_model(model, stop=(1, 'iteration'))
    ext = extensions.ParameterStatistics(model, trigger=(1, 'iteration'), prefix='stats')
    trainer.extend(ext)
    trainer.run()
    obs = trainer.observation
    w = model.W.array
    assert float(obs['stats/main/W/data/mean']) != 0
    assert 'stats/main/W/grad/std' in obs
    assert 'stats/main/W/data/percentile/6' in obs
    assert int(obs['stats/main/W/data/zeros']) == 0
    # Chainer (NumPy 1) counted zeros as an int, so the reported mean is a float.
    assert type(obs['stats/main/W/data/zeros']) is float
    assert float(obs['stats/main/W/data/max']) == pytest.approx(float(w.max()))


def test_parameter_statistics_custom_and_nan():
    model = S.Regressor()
    model.name = 'm'
    ext = extensions.ParameterStatistics(model, statistics={'sum': lambda x: x.sum()},
                                         report_grads=False, trigger=(1, 'iteration'),
                                         skip_nan_params=True)
    ext.register_statistics('first', lambda x: x[0])
    trainer = testing.get_trainer_with_mock_updater((1, 'iteration'))
    trainer.extend(ext)
    model.W.array[1, 1] = numpy.nan
    trainer.run()
    assert set(trainer.observation) == {'m/W/data/sum', 'm/W/data/first'}
    assert numpy.isnan(trainer.observation['m/W/data/sum'])
    with pytest.raises(ValueError, match='statistics'):
        extensions.ParameterStatistics(model, statistics='all')
    assert extensions.ParameterStatistics(model, statistics=None)._statistics == {}


def test_parameter_statistics_saves_its_summary_as_one_table():
    model = S.Regressor()
    model.name = 'm'

    def ext():
        return extensions.ParameterStatistics(model, statistics={'sum': lambda x: x.sum(),
                                                                 'zeros': lambda x: 2},
                                              report_grads=False, trigger=(3, 'iteration'))
    src = ext()
    trainer = testing.get_trainer_with_mock_updater((2, 'iteration'))
    trainer.extend(src)
    trainer.run()
    saver = serializers.DictionarySerializer()
    saver.save(src)
    assert sorted(saver.target) == ['_summary/names', '_summary/sums',
                                    '_trigger/previous_epoch_detail',
                                    '_trigger/previous_iteration']
    assert saver.target['_summary/sums'].shape == (2, 3)

    dst = ext()
    serializers.NpzDeserializer(saver.target).load(dst)
    assert dst._summary.compute_mean() == pytest.approx(src._summary.compute_mean(), rel=1e-15)
    assert type(dst._summary.compute_mean()['m/W/data/zeros']) is float

    bad = dict(saver.target, **{'_summary/sums': numpy.zeros((3, 3))})
    before = dst._summary
    with pytest.raises(ValueError, match="'_summary/sums'.*2 rows of 3 numbers"):
        serializers.NpzDeserializer(bad).load(dst)
    assert dst._summary is before
