"""The CIFAR example: a short run on a generated CIFAR, the digits fallback, resume,
and (slow) the default offline run's accuracy."""
from __future__ import annotations

import json
import os
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import chainer
from tests.examples_tests._example import dataset_root, load_example, make_cifar_root

REPO = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = REPO / 'examples' / 'cifar' / 'train_cifar.py'


def _load_example():
    return load_example(EXAMPLE, 'train_cifar')




@pytest.fixture
def small_cifar(tmp_path):
    """A dataset root holding a tiny CIFAR-10 file where the loader keeps it."""
    make_cifar_root(tmp_path / 'root', 32, 16)
    with dataset_root(tmp_path / 'root') as root:
        yield root


def test_falls_back_to_digits_in_one_line(tmp_path, offline, capsys):
    pytest.importorskip('sklearn')
    example = _load_example()
    out = tmp_path / 'out'
    trainer = example.main(['--arch', 'resnet', '--epoch', '1', '--noplot', '--seed', '0',
                            '--out', str(out)])
    captured = capsys.readouterr()
    err_lines = captured.err.splitlines()
    assert len(err_lines) == 1, captured.err
    assert 'CIFAR10' in err_lines[0] and 'digits' in err_lines[0]
    assert str(offline / 'pfnet' / 'chainer' / 'cifar') in err_lines[0]
    assert '# arch: resnet' in captured.out
    assert len(trainer.updater.get_iterator('main').dataset) == 1437
    assert trainer.updater.iteration == 23            # ceil(1437 / 64)
    log = json.loads((out / 'log').read_text())
    assert log[-1]['epoch'] == 1 and 0 <= log[-1]['validation/main/accuracy'] <= 1
    assert (out / 'snapshot_iter_23').is_file()
    assert 'Convolution2DFunction' in (out / 'cg.dot').read_text()


def test_resnet_on_generated_cifar_and_resume(tmp_path, small_cifar):
    example = _load_example()
    out = tmp_path / 'out'
    args = ['--arch', 'resnet', '--depth', '8', '--batchsize', '16', '--noplot', '--seed', '0']
    trainer = example.main([*args, '--epoch', '1', '--out', str(out)])
    predictor = trainer.updater.get_optimizer('main').target.predictor
    assert isinstance(predictor, example.ResNet) and predictor.conv.W.shape[1] == 3
    assert trainer.updater.iteration == 2
    snapshot = out / 'snapshot_iter_2'
    assert snapshot.is_file()
    resumed = example.main([*args, '--epoch', '2', '--resume', str(snapshot),
                            '--out', str(tmp_path / 'out2')])
    assert resumed.updater.iteration == 4
    assert resumed.updater.get_optimizer('main').lr == pytest.approx(0.05 * 0.5 ** 2)


def test_models_and_bad_depth():
    example = _load_example()
    x = np.zeros((2, 3, 32, 32), np.float32)
    vgg = example.build_model('vgg', 100, True, None)
    assert len(vgg.convs) == 13 and vgg.depths == [2, 2, 3, 3, 3]
    with chainer.using_config('train', False):
        assert vgg(x).shape == (2, 100)
        assert example.ResNet(100, depth=14)(x).shape == (2, 100)
    assert example.build_model('vgg', 10, False, None).depths == [2, 2, 2]
    with pytest.raises(ValueError):
        example.ResNet(10, depth=10)


@pytest.mark.slow
def test_default_offline_run_reaches_97_percent(tmp_path):
    """The README command without CIFAR: the default run on the digits, >= 97 %."""
    pytest.importorskip('sklearn')
    env = dict(os.environ)
    env['CHAINER_DATASET_ROOT'] = str(tmp_path / 'empty_root')
    for key in ('http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY'):
        env[key] = 'http://127.0.0.1:9'
    for key in ('no_proxy', 'NO_PROXY'):
        env.pop(key, None)
    for key in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
        env[key] = '1'
    env['PYTHONPATH'] = os.pathsep.join(filter(None, [str(REPO), env.get('PYTHONPATH')]))
    out = tmp_path / 'result'
    proc = subprocess.run([sys.executable, str(EXAMPLE), '--noplot', '--seed', '0',
                           '--out', str(out)], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr
    assert 'digits' in proc.stderr
    log = json.loads((out / 'log').read_text())
    assert log[-1]['epoch'] == 12
    assert log[-1]['validation/main/accuracy'] >= 0.97, log[-1]
