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


def test_missing_matplotlib_warns_and_does_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(plot_report, '_available', False)
    with pytest.warns(UserWarning, match='matplotlib is not installed'):
        ext = extensions.PlotReport(['main/loss'])
    with pytest.warns(UserWarning, match='pip install matplotlib'):
        assert extensions.PlotReport.available() is False
    trainer = _trainer(tmp_path)
    trainer.extend(ext)
    trainer.run()
    assert os.listdir(tmp_path) == []


def test_plot_report_arguments():
    with pytest.raises(ValueError, match='x_key'):
        extensions.PlotReport('main/loss', x_key='time')
    with pytest.raises(TypeError):
        extensions.PlotReport('main/loss', bad=1)


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
    with pytest.raises(TypeError, match='targets'):
        extensions.VariableStatisticsPlot('W')
