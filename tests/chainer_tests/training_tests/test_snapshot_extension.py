"""snapshot / snapshot_object: file names, atomic writes, autoload, n_retains, errors."""
import os
import time

import numpy
import pytest

from tests.chainer_tests.training_tests import training_stubs as S
from tests.chainer_tests.training_tests.training_stubs import run_in_tmp_dir  # NOQA: F401 (autouse fixture)
import chainer
from chainer import serializers
from chainer import testing
from chainer.training import extensions


def test_snapshot_trainer_default_name(tmp_path):
    trainer = testing.get_trainer_with_mock_updater((4, 'iteration'), iter_per_epoch=2)
    trainer.out = str(tmp_path)
    ext = extensions.snapshot()
    assert ext.trigger == (1, 'epoch')
    trainer.extend(ext)
    trainer.run()
    assert sorted(os.listdir(tmp_path)) == ['snapshot_iter_2', 'snapshot_iter_4']
    with numpy.load(tmp_path / 'snapshot_iter_4') as f:
        assert 'updater/iteration' not in f  # a mock updater stores nothing
        assert '_snapshot_elapsed_time' in f


def test_snapshot_object_and_custom_savefun(tmp_path):
    model = S.Regressor()
    trainer = testing.get_trainer_with_mock_updater((3, 'iteration'))
    trainer.out = str(tmp_path)
    trainer.extend(extensions.snapshot_object(model, 'model_{.updater.iteration}.npz'),
                   trigger=(1, 'iteration'))
    saved = []

    def savefun(path, target):
        assert os.path.basename(path) == 'custom'
        assert os.path.dirname(path) != str(tmp_path)  # written in a temporary place
        saved.append(target)
        with open(path, 'w') as f:
            f.write('ok')
    trainer.extend(extensions.snapshot(savefun=savefun, filename=lambda t: 'custom'),
                   trigger=(3, 'iteration'))
    trainer.run()
    assert sorted(os.listdir(tmp_path)) == ['custom', 'model_1.npz', 'model_2.npz',
                                            'model_3.npz']
    # As in Chainer, savefun gets the trainer's state serialized at the call.
    assert len(saved) == 1 and isinstance(saved[0], dict)
    assert saved[0]['extension_triggers/_Snapshot_1/previous_iteration'] == 3
    loaded = S.Regressor(seed=7)
    serializers.load_npz(str(tmp_path / 'model_3.npz'), loaded)
    numpy.testing.assert_array_equal(loaded.W.array, model.W.array)


def test_n_retains_and_condition(tmp_path):
    trainer = testing.get_trainer_with_mock_updater((6, 'iteration'))
    trainer.out = str(tmp_path)
    trainer.extend(extensions.snapshot(n_retains=2, filename='s_{.updater.iteration}'),
                   trigger=(1, 'iteration'))
    flags = iter([True, False, True, False, True, False])
    trainer.extend(extensions.snapshot(filename='c_{.updater.iteration}',
                                       condition=lambda: next(flags)),
                   trigger=(1, 'iteration'))
    trainer.run()
    assert sorted(os.listdir(tmp_path)) == ['c_1', 'c_3', 'c_5', 's_5', 's_6']



@pytest.mark.parametrize('absolute', [False, True])
def test_n_retains_and_autoload_in_a_folder(tmp_path, absolute):
    # A filename in a folder (made when missing) keeps its newest files and is
    # autoloaded from there, as a plain filename is in trainer.out.
    folder = str(tmp_path / 'ckpt') if absolute else 'ckpt'
    fmt = os.path.join(folder, 's_{.updater.iteration}')
    trainer = testing.get_trainer_with_mock_updater((5, 'iteration'))
    trainer.out = str(tmp_path / 'out')
    model = S.Regressor(seed=1)

    def step(t):
        model.W.array += 1
    trainer.extend(step, priority=500)
    trainer.extend(extensions.snapshot_object(model, fmt, n_retains=2),
                   trigger=(1, 'iteration'))
    trainer.run()
    where = os.path.join(trainer.out, folder)
    assert sorted(os.listdir(where)) == ['s_4', 's_5']

    resumed = S.Regressor(seed=2)
    trainer = testing.get_trainer_with_mock_updater((1, 'iteration'))
    trainer.out = str(tmp_path / 'out')
    trainer.extend(extensions.snapshot_object(resumed, fmt, autoload=True),
                   trigger=(100, 'iteration'))
    trainer.run()
    numpy.testing.assert_array_equal(resumed.W.array, model.W.array)

def test_snapshot_on_error(tmp_path):
    trainer = testing.get_trainer_with_mock_updater((10, 'iteration'))
    trainer.out = str(tmp_path)
    trainer.extend(extensions.snapshot(snapshot_on_error=True, filename='err_{.updater.iteration}'),
                   trigger=(100, 'iteration'))

    def fail(t):
        if t.updater.iteration == 3:
            raise RuntimeError('stop')
    trainer.extend(fail)
    with pytest.raises(RuntimeError):
        trainer.run(show_loop_exception_msg=False)
    assert os.listdir(tmp_path) == ['err_3']


def test_failed_save_leaves_no_file(tmp_path):
    trainer = testing.get_trainer_with_mock_updater((1, 'iteration'))
    trainer.out = str(tmp_path)

    def savefun(path, target):
        with open(path, 'w') as f:
            f.write('half')
        raise OSError('disk full')
    trainer.extend(extensions.snapshot(savefun=savefun), trigger=(1, 'iteration'))
    with pytest.raises(OSError, match='disk full'):
        trainer.run(show_loop_exception_msg=False)
    assert os.listdir(tmp_path) == []


def test_autoload_picks_latest(tmp_path):
    src = S.Regressor(seed=1)
    serializers.save_npz(str(tmp_path / 'model_iter_1'), S.Regressor(seed=2))
    time.sleep(0.01)
    serializers.save_npz(str(tmp_path / 'model_iter_2'), src)
    os.utime(tmp_path / 'model_iter_1', ns=(1, 1))
    dst = S.Regressor(seed=3)
    trainer = testing.get_trainer_with_mock_updater((1, 'iteration'))
    trainer.out = str(tmp_path)
    trainer.extend(extensions.snapshot_object(dst, 'model_iter_{.updater.iteration}',
                                              autoload=True))
    trainer.run()
    numpy.testing.assert_array_equal(dst.W.array, src.W.array)


def test_autoload_without_files_starts_fresh(tmp_path):
    model = S.Regressor(seed=3)
    w = model.W.array.copy()
    trainer = testing.get_trainer_with_mock_updater((1, 'iteration'))
    trainer.out = str(tmp_path / 'new')
    trainer.extend(extensions.snapshot_object(model, 'm_{.updater.iteration}', autoload=True))
    trainer.run()
    numpy.testing.assert_array_equal(model.W.array, w)


def test_autoload_reports_in_debug_mode_only(tmp_path, capsys):
    # Chainer printed which snapshot autoload found (or that none matched) in debug mode.
    for debug in (False, True):
        for found in (False, True):
            out = tmp_path / f'{debug}{found}'
            out.mkdir()
            if found:
                serializers.save_npz(str(out / 'm_1'), S.Regressor(seed=2))
            trainer = testing.get_trainer_with_mock_updater((1, 'iteration'))
            trainer.out = str(out)
            trainer.extend(extensions.snapshot_object(S.Regressor(seed=3), 'm_{.updater.iteration}',
                                                      autoload=True))
            with chainer.using_config('debug', debug):
                trainer.run()
            printed = capsys.readouterr().out
            if not debug:
                assert printed == ''
            elif found:
                assert printed == f'Snapshot loaded from {out / "m_1"}\n'
            else:
                assert printed == 'No snapshot file that matches m_{.updater.iteration} was found\n'


def test_autoload_into_an_out_that_is_a_file(tmp_path):
    # As in Chainer, the search for snapshots fails before the loop.
    path = tmp_path / 'taken'
    path.write_text('x')
    trainer = testing.get_trainer_with_mock_updater((1, 'iteration'))
    trainer.out = str(path)
    trainer.extend(extensions.snapshot(autoload=True))
    with pytest.raises(NotADirectoryError):
        trainer.run()
    assert trainer.updater.iteration == 0
    assert path.read_text() == 'x'


def test_failed_autoload_takes_no_snapshot_on_error(tmp_path):
    # The fresh state saved as the newest snapshot would be what the next
    # autoload resumes from; as in Chainer, nothing is written.
    (tmp_path / 'm_5').write_text('not an npz file')
    model = S.Regressor(seed=3)
    trainer = testing.get_trainer_with_mock_updater((2, 'iteration'))
    trainer.out = str(tmp_path)
    trainer.extend(extensions.snapshot_object(model, 'm_{.updater.iteration}', autoload=True,
                                              snapshot_on_error=True))
    with pytest.raises(ValueError):
        trainer.run(show_loop_exception_msg=False)
    assert os.listdir(tmp_path) == ['m_5']


def test_snapshot_on_error_after_autoload(tmp_path):
    serializers.save_npz(str(tmp_path / 'm_5'), S.Regressor(seed=1))
    trainer = testing.get_trainer_with_mock_updater((9, 'iteration'))
    trainer.out = str(tmp_path)
    trainer.extend(extensions.snapshot_object(S.Regressor(seed=3), 'm_{.updater.iteration}',
                                              autoload=True, snapshot_on_error=True))

    def fail(t):
        raise RuntimeError('stop')
    trainer.extend(fail)
    with pytest.raises(RuntimeError):
        trainer.run(show_loop_exception_msg=False)
    assert sorted(os.listdir(tmp_path)) == ['m_1', 'm_5']


def test_bad_arguments():
    with pytest.raises(TypeError, match='cannot be specified together'):
        extensions.snapshot(savefun=lambda p, t: None, writer=lambda f, o, t: None)
    with pytest.raises(TypeError, match='unexpected'):
        extensions.snapshot(bad=1)
    with pytest.raises(TypeError, match='filename'):
        extensions.snapshot(filename=3)


def test_writer(tmp_path):
    calls = []
    trainer = testing.get_trainer_with_mock_updater((2, 'iteration'))
    trainer.out = str(tmp_path)
    trainer.extend(extensions.snapshot(writer=lambda f, o, t: calls.append((f, o, t))),
                   trigger=(2, 'iteration'))
    trainer.run()
    [(filename, outdir, target)] = calls
    assert (filename, outdir) == ('snapshot_iter_2', str(tmp_path))
    # As in Chainer, a writer gets the trainer's state as a dict of arrays.
    assert sorted(target) == sorted(serializers.npz.serialize(trainer))
    assert target['extension_triggers/_Snapshot/previous_iteration'] == 2
