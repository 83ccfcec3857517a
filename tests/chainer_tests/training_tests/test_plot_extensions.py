"""PlotReport and VariableStatisticsPlot (PNG files; a warning without matplotlib)."""
import json
import os

import numpy
import pytest

from tests.chainer_tests.training_tests import training_stubs as S
from tests.chainer_tests.training_tests.training_stubs import run_in_tmp_dir  # NOQA: F401 (autouse fixture)
import chainer
from chainer import serializers
from chainer import testing
from chainer.training import extensions
from chainer.training.extensions import plot_report

_PNG = b'\x89PNG\r\n\x1a\n'


def _trainer(out, stop=(4, 'iteration')):
    trainer = testing.get_trainer_with_mock_updater(stop, iter_per_epoch=2)
    trainer.out = str(out)

    def report(t):
        chainer.report({'main/loss': 1.0 / t.updater.iteration, 'other': 2.0})
    trainer.extend(report, priority=300)
    return trainer


def test_missing_matplotlib_warns_at_every_call(tmp_path, monkeypatch):
    monkeypatch.setattr(plot_report, '_available', False)
    with pytest.warns(UserWarning, match='matplotlib is not installed'):
        ext = extensions.PlotReport(['main/loss'])
    with pytest.warns(UserWarning, match='pip install matplotlib'):
        assert extensions.PlotReport.available() is False
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        stats = extensions.VariableStatisticsPlot(S.Regressor())
    trainer = _trainer(tmp_path)
    trainer.extend(ext)
    trainer.extend(stats)
    with pytest.warns(UserWarning) as record:
        trainer.run()
    assert len(record) == 8  # two extensions, four iterations
    assert os.listdir(tmp_path) == []


def test_plot_report_arguments():
    with pytest.raises(TypeError):
        extensions.PlotReport('main/loss', bad=1)
    with pytest.raises(TypeError):
        extensions.PlotReport(None)
    with pytest.raises(ValueError):  # the trigger is checked before the keys
        extensions.PlotReport(None, trigger=(2, 'hours'))


def test_plot_report_x_key_any_key(tmp_path, mpl):
    trainer = _trainer(tmp_path)
    trainer.extend(extensions.PlotReport(['other', 'main/loss'], x_key='main/loss',
                                         trigger=(1, 'iteration')))
    trainer.run()
    assert os.listdir(tmp_path) == ['plot.png']
    trainer = _trainer(tmp_path)
    trainer.extend(extensions.PlotReport('other', x_key='time', trigger=(1, 'iteration')))
    with pytest.raises(KeyError):
        trainer.run()


@pytest.mark.parametrize('name,written,head', [
    ('p.pdf', 'p.pdf', b'%PDF'), ('p.svg', 'p.svg', b'<?xml'), ('p', 'p.png', _PNG),
    ('a.b.PNG', 'a.b.PNG', _PNG)])
def test_plot_report_format_from_filename(tmp_path, mpl, name, written, head):
    trainer = _trainer(tmp_path)
    trainer.extend(extensions.PlotReport('main/loss', filename=name))
    trainer.run()
    assert os.listdir(tmp_path) == [written]
    with open(tmp_path / written, 'rb') as f:
        assert f.read(len(head)) == head


def test_plot_report_unknown_format(tmp_path, mpl):
    trainer = _trainer(tmp_path)
    trainer.extend(extensions.PlotReport('main/loss', filename='p.xyz'))
    with pytest.raises(ValueError, match='xyz'):
        trainer.run()
    assert os.listdir(tmp_path) == []


def test_plot_report_uses_pyplot(tmp_path, mpl):
    import matplotlib.pyplot as plt
    seen = []

    def postprocess(fig, ax, summary):
        seen.append((plt.gcf() is fig, plt.gca() is ax))
        plt.title('T')
    trainer = _trainer(tmp_path)
    trainer.extend(extensions.PlotReport('main/loss', trigger=(2, 'iteration'),
                                         postprocess=postprocess))
    before = plt.get_fignums()
    trainer.run()
    assert seen == [(True, True), (True, True)]
    assert plt.get_fignums() == before


@pytest.fixture
def mpl():
    pytest.importorskip('matplotlib')
    plot_report._available = None


def test_plot_report_writes_png(tmp_path, mpl):
    trainer = _trainer(tmp_path)
    calls = []
    ext = extensions.PlotReport(['main/loss', 'missing'], 'epoch', filename='loss.png',
                                postprocess=lambda f, a, s: calls.append(a.get_xlabel()))
    trainer.extend(ext)
    trainer.run()
    assert os.listdir(tmp_path) == ['loss.png']
    with open(tmp_path / 'loss.png', 'rb') as f:
        assert f.read(8) == _PNG
    assert calls == ['epoch', 'epoch']
    assert ext._data['main/loss'] == [(1, 0.75), (2, pytest.approx(7 / 24))]
    assert ext._data['missing'] == []

    saver = serializers.DictionarySerializer()
    saver.save(ext)
    assert json.loads(str(saver.target['_plot_loss.png']))['main/loss'][0] == [1, 0.75]
    dst = extensions.PlotReport(['main/loss', 'missing'], 'epoch', filename='loss.png')
    serializers.NpzDeserializer(saver.target).load(dst)
    assert dst._data['main/loss'][0] == (1, 0.75)


def test_plot_report_no_data_no_file(tmp_path, mpl):
    trainer = _trainer(tmp_path)
    trainer.extend(extensions.PlotReport(['nothing'], file_name='n.png'))
    trainer.run()
    assert os.listdir(tmp_path) == []


def test_variable_statistics_plot(tmp_path, mpl):
    model = S.Regressor()
    model.W.grad = numpy.ones_like(model.W.array)
    trainer = _trainer(tmp_path)
    ext = extensions.VariableStatisticsPlot(model, trigger=(2, 'iteration'), max_sample_size=3)
    trainer.extend(ext)
    trainer.run()
    assert os.listdir(tmp_path) == ['statistics.png']
    with open(tmp_path / 'statistics.png', 'rb') as f:
        assert f.read(8) == _PNG
    idxs, data = ext._samples.get_data()
    assert len(idxs) == 3 and list(idxs) == sorted(idxs)
    assert data.shape == (3, 2, 11)
    numpy.testing.assert_allclose(data[0, 0, 0], model.W.array.mean(), rtol=1e-6)
    assert data[0, 1, 1] == 0  # std of the constant gradient

    ext = extensions.VariableStatisticsPlot(model.W, plot_mean=False, plot_std=False,
                                            percentile_sigmas=(0, 50, 100),
                                            report_grad=False, filename='p.png',
                                            trigger=(1, 'iteration'))
    trainer = _trainer(tmp_path)
    trainer.extend(ext)
    trainer.run()
    assert 'p.png' in os.listdir(tmp_path)


def test_variable_statistics_plot_bad_input(mpl):
    with pytest.raises(ValueError, match='at least one'):
        extensions.VariableStatisticsPlot([])
    with pytest.raises(ValueError, match='Nothing to plot'):
        extensions.VariableStatisticsPlot(S.Regressor(), plot_mean=False, plot_std=False,
                                          percentile_sigmas=())
    with pytest.raises(ValueError, match='at least one'):
        extensions.VariableStatisticsPlot(['W', numpy.zeros(3)])  # neither is a target


def _drawn(monkeypatch, tmp_path, **kwargs):
    from matplotlib import axes
    calls = []
    for name in ('plot', 'fill_between', 'errorbar', 'set_xlabel', 'legend'):
        def record(self, *args, _name=name, _orig=getattr(axes.Axes, name), **kw):
            if _name != 'set_xlabel' or args[0]:  # axes creation clears the label
                calls.append((_name, kw.get('label'), kw.get('alpha'), kw.get('color')))
            return _orig(self, *args, **kw)
        monkeypatch.setattr(axes.Axes, name, record)
    model = S.Regressor()
    model.W.grad = numpy.ones_like(model.W.array)
    trainer = _trainer(tmp_path, stop=(2, 'iteration'))
    trainer.extend(extensions.VariableStatisticsPlot(
        model, report_grad=False, trigger=(2, 'iteration'), **kwargs))
    trainer.run()
    return calls


def test_variable_statistics_plot_bands(tmp_path, mpl, monkeypatch):
    from matplotlib import colors
    c0 = colors.to_rgba('C0')
    band = c0[:3] + (0.2,)
    # Even count: bands from the outermost pair inwards, then one between the
    # middle two, which carries the label.
    calls = _drawn(monkeypatch, tmp_path, plot_std=False, percentile_sigmas=(0, 25, 75, 100))
    assert calls == [
        ('plot', 'mean', None, c0),
        ('fill_between', '_nolegend_', 0.2, band), ('set_xlabel', None, None, None),
        ('fill_between', '_nolegend_', 0.2, band), ('set_xlabel', None, None, None),
        ('fill_between', 'percentile', 0.2, band), ('set_xlabel', None, None, None),
        ('legend', None, None, None), ('legend', None, None, None)]
    calls = _drawn(monkeypatch, tmp_path, plot_mean=False, percentile_sigmas=50)
    assert [c[:2] for c in calls] == [
        ('plot', 'std'), ('plot', 'percentile'), ('set_xlabel', None),
        ('legend', None), ('legend', None)]


def test_variable_statistics_plot_reservoir_uses_numpy_random():
    from chainer.training.extensions import variable_statistics_plot as vsp
    numpy.random.seed(3)
    r = vsp.Reservoir(2, (1,))
    for i in range(6):
        r.add(numpy.float32(i), idx=i)
    numpy.random.seed(3)
    expect_idx = [0, 1]
    for i in range(2, 6):
        if numpy.random.random() < 2 / (i + 1):
            expect_idx[numpy.random.randint(2)] = i
    assert list(r.get_data()[0]) == sorted(expect_idx)
    r = vsp.Reservoir(3, (1,))
    r.add(1.0, idx=0)
    r.add(2.0, idx=0)
    assert list(r.idxs[:2]) == [0, 1]  # index 0 stands for the count so far


def test_variable_statistics_plot_saves_its_points(tmp_path, mpl):
    # The points kept, their count and the trigger go into snapshots, so a
    # resumed run's figure has the points made before the resume.
    model = S.Regressor()
    model.W.grad = numpy.ones_like(model.W.array)
    trainer = _trainer(tmp_path, stop=(3, 'iteration'))
    src = extensions.VariableStatisticsPlot(model, trigger=(2, 'iteration'), max_sample_size=2)
    trainer.extend(src)
    trainer.run()
    saver = serializers.DictionarySerializer()
    saver.save(src)
    assert int(saver.target['_samples/counter']) == 3
    assert int(saver.target['_trigger/previous_iteration']) == 3

    dst = extensions.VariableStatisticsPlot(model, trigger=(2, 'iteration'), max_sample_size=2)
    serializers.NpzDeserializer(saver.target).load(dst)
    for a, b in zip(dst._samples.get_data(), src._samples.get_data()):
        numpy.testing.assert_array_equal(a, b)
    assert dst._samples.counter == 3

    # A snapshot without them (Chainer's) starts with no points, with a warning.
    fresh = extensions.VariableStatisticsPlot(model, trigger=(2, 'iteration'), max_sample_size=2)
    import warnings
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        serializers.NpzDeserializer({}, strict=True).load(fresh)
    assert 'The samples of VariableStatisticsPlot are not saved.' in {
        str(w.message) for w in caught}
    assert fresh._samples.counter == 0
