"""The LeNet-style MNIST example: a short run on a generated MNIST, the digits fallback,
and (slow) the accuracy of its default run offline."""
from __future__ import annotations

import json
import pathlib

import pytest

from tests.examples_tests.test_train_mnist import make_mnist_root
from tests.examples_tests._example import dataset_root, load_example

REPO = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = REPO / 'examples' / 'mnist' / 'train_mnist_cnn.py'


def _load_example():
    return load_example(EXAMPLE, 'train_mnist_cnn')


def test_one_epoch_on_generated_mnist(tmp_path, capsys):
    example = _load_example()
    root = make_mnist_root(tmp_path / 'root', n_train=60, n_test=20)
    with dataset_root(root):
        trainer = example.main(['-e', '1', '-u', '16', '-b', '20', '--noplot', '--seed', '0',
                                '-o', str(tmp_path / 'out')])
    assert trainer.updater.iteration == 3
    net = trainer.updater.get_optimizer('main').target.predictor
    assert net.conv1.W.shape == (20, 1, 5, 5) and net.conv2.W.shape == (50, 20, 5, 5)
    assert net.fc3.W.shape == (16, 50 * 7 * 7)
    assert 'digits' not in capsys.readouterr().err
    log = json.loads((tmp_path / 'out' / 'log').read_text())
    assert log[-1]['epoch'] == 1 and 'validation/main/accuracy' in log[-1]


def test_falls_back_to_digits_as_images(tmp_path, offline, capsys):
    pytest.importorskip('sklearn')
    example = _load_example()
    trainer = example.main(['-e', '1', '-b', '200', '--noplot', '--seed', '0',
                            '-o', str(tmp_path / 'out')])
    err_lines = capsys.readouterr().err.splitlines()
    assert len(err_lines) == 1 and 'digits' in err_lines[0]
    net = trainer.updater.get_optimizer('main').target.predictor
    assert net.fc3.W.shape == (500, 50 * 2 * 2)   # 8x8 images pooled twice
    assert trainer.updater.iteration == 8          # 1437 images / 200


@pytest.mark.slow
def test_default_run_reaches_97_percent_offline(tmp_path, offline):
    pytest.importorskip('sklearn')
    example = _load_example()
    example.main(['--noplot', '--seed', '0', '-o', str(tmp_path / 'out')])
    log = json.loads((tmp_path / 'out' / 'log').read_text())
    assert log[-1]['epoch'] == 20
    assert log[-1]['validation/main/accuracy'] >= 0.97
