"""LogReport, PrintReport and ProgressBar: their files and their text layout."""
import io
import json
import os

import numpy
import pytest

import chainer
from chainer import serializers
from chainer import testing
from chainer.training import extensions
from tests.chainer_tests.training_tests.training_stubs import run_in_tmp_dir  # NOQA: F401 (autouse fixture)


def _reporting_trainer(out, stop=(4, 'iteration'), iter_per_epoch=2):
    trainer = testing.get_trainer_with_mock_updater(stop, iter_per_epoch=iter_per_epoch)
    trainer.out = str(out)

    def report(t):
        it = t.updater.iteration
        chainer.report({'main/loss': float(it), 'main/accuracy': 0.25 * it})
    trainer.extend(report, name='report', trigger=(1, 'iteration'), priority=300)
    return trainer


def test_log_report_writes_json(tmp_path):
    trainer = _reporting_trainer(tmp_path)
    log_report = extensions.LogReport()
    trainer.extend(log_report)
    trainer.run()
    log = log_report.log
    assert [e['epoch'] for e in log] == [1, 2]
    assert [e['iteration'] for e in log] == [2, 4]
    assert log[0]['main/loss'] == 1.5 and log[1]['main/loss'] == 3.5
    assert all(isinstance(e['elapsed_time'], float) for e in log)
    with open(tmp_path / 'log') as f:
        assert json.load(f) == log
    assert os.listdir(tmp_path) == ['log']  # no temporary files left


def test_log_report_means_float32_values_in_double(tmp_path):
    trainer = testing.get_trainer_with_mock_updater((3, 'iteration'), iter_per_epoch=3)
    trainer.out = str(tmp_path)
    values = numpy.array([0.1, 0.7, 1 / 3], numpy.float32)

    def report(t):
        chainer.report({'v': chainer.Variable(values[t.updater.iteration - 1:][:1].reshape(()))})
    trainer.extend(report, trigger=(1, 'iteration'), priority=300)
    log_report = extensions.LogReport()
    trainer.extend(log_report)
    trainer.run()
    expected = values.astype(numpy.float64).sum() / 3
    assert log_report.log[0]['v'] == expected
    with open(tmp_path / 'log') as f:
        assert json.load(f)[0]['v'] == expected


def test_log_report_options(tmp_path):
    trainer = _reporting_trainer(tmp_path)

    def postprocess(entry):
        entry['doubled'] = entry['main/loss'] * 2
    log_report = extensions.LogReport(keys=['main/loss'], trigger=(1, 'iteration'),
                                      postprocess=postprocess, filename='log_{iteration}.json')
    trainer.extend(log_report)
    trainer.run()
    assert set(log_report.log[0]) == {'main/loss', 'doubled', 'epoch', 'iteration',
                                      'elapsed_time'}
    assert sorted(os.listdir(tmp_path)) == [f'log_{i}.json' for i in range(1, 5)]

    trainer = _reporting_trainer(tmp_path / 'none')
    trainer.extend(extensions.LogReport(log_name=None))
    trainer.run()
    assert os.listdir(tmp_path / 'none') == []

    with pytest.raises(TypeError):
        extensions.LogReport(bad=1)


def test_log_report_serialize(tmp_path):
    trainer = _reporting_trainer(tmp_path, stop=(3, 'iteration'))
    src = extensions.LogReport()
    trainer.extend(src)
    trainer.run()
    saver = serializers.DictionarySerializer()
    saver.save(src)
    dst = extensions.LogReport()
    serializers.NpzDeserializer(saver.target).load(dst)
    assert dst.log == src.log
    # The half-finished interval (iteration 3) is restored too.
    assert dst._summary.compute_mean() == {'main/loss': 3.0, 'main/accuracy': 0.75}


def test_print_report_layout(tmp_path):
    out = io.StringIO()
    trainer = _reporting_trainer(tmp_path)
    trainer.extend(extensions.LogReport())
    trainer.extend(extensions.PrintReport(
        ['epoch', 'iteration', 'main/loss', 'main/accuracy', 'missing'], out=out))
    trainer.run()
    lines = out.getvalue().splitlines()
    assert lines[0] == ('epoch       iteration   main/loss   main/accuracy  missing   ')
    assert lines[1] == ('1           2           1.5         0.375                      ')
    assert lines[2] == ('2           4           3.5         0.875                      ')
    assert len(lines) == 3
    assert '\033' not in out.getvalue()


def test_print_report_with_log_report_object(tmp_path):
    out = io.StringIO()
    trainer = _reporting_trainer(tmp_path)
    log_report = extensions.LogReport()
    trainer.extend(extensions.PrintReport(['iteration'], log_report=log_report, out=out))
    trainer.run()
    assert out.getvalue().splitlines()[1:] == ['2           ', '4           ']
    trainer = _reporting_trainer(tmp_path)
    trainer.extend(extensions.PrintReport(['iteration'], log_report=3, out=out))
    with pytest.raises(TypeError, match='wrong type'):
        trainer.run(show_loop_exception_msg=False)


class _Tty(io.StringIO):
    def isatty(self):
        return True


def test_print_report_erases_progress_bar_on_terminal(tmp_path):
    out = _Tty()
    trainer = _reporting_trainer(tmp_path)
    trainer.extend(extensions.LogReport())
    trainer.extend(extensions.PrintReport(['epoch'], out=out))
    trainer.run()
    assert out.getvalue().count('\033[J') == 2


def test_progress_bar_text_layout(tmp_path):
    out = io.StringIO()
    trainer = _reporting_trainer(tmp_path, stop=(2, 'epoch'), iter_per_epoch=10)
    trainer.extend(extensions.ProgressBar(update_interval=5, bar_length=20, out=out))
    trainer.run()
    text = out.getvalue()
    assert '\033' not in text  # plain text when not a terminal
    lines = text.splitlines()
    assert len(lines) == 16  # 4 updates x 4 lines
    assert lines[0] == '     total [#####...............] 25.00%'
    assert lines[1] == 'this epoch [##########..........] 50.00%'
    assert lines[2] == '         5 iter, 0 epoch / 2 epochs'
    assert lines[3].endswith('.') and 'iters/sec. Estimated time to finish: ' in lines[3]
    assert lines[12] == '     total [####################] 100.00%'
    assert lines[14] == '        20 iter, 2 epoch / 2 epochs'


def test_progress_bar_redraws_in_place_on_terminal(tmp_path):
    out = _Tty()
    trainer = _reporting_trainer(tmp_path, stop=(6, 'iteration'), iter_per_epoch=3)
    trainer.extend(extensions.ProgressBar(training_length=(6, 'iteration'),
                                          update_interval=2, out=out))
    trainer.run()
    text = out.getvalue()
    assert text.count('\033[4A') == 3  # cursor back up after each draw
    assert text.endswith('\033[J')  # erased at the end
    assert '         6 iter, 2 epoch / 6 iterations' in text


def test_progress_bar_speed_is_measured_over_the_last_100_updates(monkeypatch):
    # As Chainer: the speed is the mean rate since the oldest of the last 100 updates.
    from chainer.training.extensions import util
    now = [0.0]
    monkeypatch.setattr(util.time, 'time', lambda: now[0])
    bar = util.ProgressBar(out=io.StringIO())
    speeds = []
    for it in range(150):
        now[0] = float(it * it)  # slower and slower: a window shows in the speed
        speeds.append(bar.update_speed(it, it / 10)[0])
    assert speeds[0] == float('inf')
    assert speeds[20] == 20 / 400
    assert speeds[99] == 99 / 99 ** 2
    assert speeds[149] == 99 / (149 ** 2 - 50 ** 2)


def test_progress_bar_needs_a_length(tmp_path):
    trainer = _reporting_trainer(tmp_path, stop=lambda t: t.updater.iteration >= 2)
    trainer.extend(extensions.ProgressBar(update_interval=1, out=io.StringIO()))
    with pytest.raises(TypeError, match='training_length'):
        trainer.run(show_loop_exception_msg=False)
    with pytest.raises(ValueError, match='update_interval'):
        extensions.ProgressBar(update_interval=0)


def test_call_before_training_makes_an_entry_of_its_own(tmp_path):
    out = io.StringIO()
    trainer = testing.get_trainer_with_mock_updater((2, 'iteration'), iter_per_epoch=2)
    trainer.out = str(tmp_path)
    trainer.extend(lambda t: chainer.report({'validation/main/loss': 9.0}), name='val',
                   trigger=(1, 'epoch'), priority=300, call_before_training=True)
    trainer.extend(lambda t: chainer.report({'main/loss': 1.0}), name='train',
                   trigger=(1, 'iteration'), priority=300)
    log_report = extensions.LogReport()
    trainer.extend(log_report, call_before_training=True)
    trainer.extend(extensions.PrintReport(['epoch', 'main/loss', 'validation/main/loss'],
                                          out=out), call_before_training=True)
    trainer.run()
    assert [(e['epoch'], e['iteration']) for e in log_report.log] == [(0, 0), (1, 2)]
    assert 'main/loss' not in log_report.log[0]
    assert log_report.log[0]['validation/main/loss'] == 9.0
    assert out.getvalue().splitlines()[1] == '0                       9                     '
