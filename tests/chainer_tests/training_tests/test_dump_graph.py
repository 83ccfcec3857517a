"""The DumpGraph extension."""
import os

import pytest

from tests.chainer_tests.training_tests import training_stubs as S
from tests.chainer_tests.training_tests.training_stubs import run_in_tmp_dir  # NOQA: F401 (autouse fixture)
import chainer
from chainer import optimizers
from chainer import testing
from chainer import training
from chainer.training import extensions


def test_dump_graph_extension(tmp_path):
    model = S.Regressor()
    opt = optimizers.SGD()
    opt.setup(model)
    updater = training.StandardUpdater(S.ListIterator(S.make_dataset(8), 4), opt)
    trainer = training.Trainer(updater, (3, 'iteration'), out=str(tmp_path))
    ext = extensions.DumpGraph('main/loss')
    assert extensions.dump_graph is extensions.DumpGraph
    trainer.extend(ext)
    before = chainer.config.keep_graph_on_report
    trainer.run()
    assert chainer.config.keep_graph_on_report == before
    with open(tmp_path / 'cg.dot') as f:
        dot = f.read()
    assert 'MeanSquaredError' in dot and 'MatMul' in dot
    assert os.listdir(tmp_path) == ['cg.dot']


def test_dump_graph_bad_root(tmp_path):
    trainer = testing.get_trainer_with_mock_updater((1, 'iteration'))
    trainer.out = str(tmp_path)
    trainer.extend(extensions.DumpGraph('main/loss', filename='g.dot'))
    with pytest.raises(KeyError, match='not in the observation'):
        trainer.run(show_loop_exception_msg=False)
    trainer = testing.get_trainer_with_mock_updater((1, 'iteration'))
    trainer.extend(lambda t: chainer.report({'main/loss': 1.0}), name='r', priority=400)
    trainer.extend(extensions.DumpGraph('main/loss', out_name='g.dot'))
    with pytest.raises(TypeError, match='not a Variable'):
        trainer.run(show_loop_exception_msg=False)


def test_dump_graph_has_the_default_priority():
    # Chainer's DumpGraph kept Extension's priority (PRIORITY_READER).
    assert extensions.DumpGraph('main/loss').priority == training.PRIORITY_READER


def test_dump_graph_restores_the_flag_when_the_run_ends_before_the_dump(tmp_path):
    trainer = testing.get_trainer_with_mock_updater((1, 'iteration'))
    trainer.out = str(tmp_path)
    trainer.extend(extensions.DumpGraph('main/loss'), trigger=(5, 'iteration'))

    def fail(_):
        raise RuntimeError('stop')
    trainer.extend(fail, name='fail', priority=400)
    before = chainer.config.keep_graph_on_report
    with pytest.raises(RuntimeError, match='stop'):
        trainer.run(show_loop_exception_msg=False)
    assert chainer.config.keep_graph_on_report == before


@pytest.mark.parametrize('make,path', [
    (lambda: extensions.LogReport(filename='logs/log', trigger=(1, 'iteration')), 'logs/log'),
    (lambda: extensions.DumpGraph('main/loss', filename='graphs/cg.dot'), 'graphs/cg.dot'),
    (lambda: extensions.snapshot(filename='snaps/snapshot_{.updater.iteration}'),
     'snaps/snapshot_2'),
    (lambda: extensions.PlotReport('main/loss', 'iteration', filename='plots/loss.png',
                                   trigger=(1, 'iteration')), 'plots/loss.png'),
])
def test_writers_create_the_folders_of_their_filename(tmp_path, make, path):
    # Chainer raised FileNotFoundError for a filename in a folder not yet made.
    if 'png' in path:
        pytest.importorskip('matplotlib')
    model = S.Regressor()
    opt = optimizers.SGD()
    opt.setup(model)
    updater = training.StandardUpdater(S.ListIterator(S.make_dataset(8), 4), opt)
    trainer = training.Trainer(updater, (2, 'iteration'), out=str(tmp_path / 'out'))
    trainer.extend(make(), trigger=(2, 'iteration'))
    trainer.run()
    assert os.path.isfile(tmp_path / 'out' / path)
