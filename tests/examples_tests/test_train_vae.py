"""The VAE example: the ELBO improves offline on the digits set; MNIST runs; images are written."""
from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

from tests.examples_tests.test_train_mnist import _env, make_mnist_root
from tests.examples_tests._example import load_example
# Fixtures: the global random state restored after each test; no MNIST, no network.

REPO = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = REPO / 'examples' / 'vae' / 'train_vae.py'
_PNG = b'\x89PNG\r\n\x1a\n'
_IMAGES = ('train_reconstructed.png', 'test_reconstructed.png', 'sampled.png')


def _load_example():
    return load_example(EXAMPLE, 'train_vae')


@pytest.mark.usefixtures('offline')
def test_elbo_improves_on_digits_offline(tmp_path, capsys):
    pytest.importorskip('sklearn')
    pytest.importorskip('PIL')
    example = _load_example()
    out = tmp_path / 'out'
    trainer = example.main(['--epoch', '3', '--dim-h', '64', '--dim-z', '4', '--batchsize', '50',
                            '--noplot', '--seed', '0', '--out', str(out)])
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and 'digits' in err[0] and 'MNIST' in err[0]
    assert trainer.updater.iteration == 3 * 29  # 1,437 images in batches of 50

    log = json.loads((out / 'log').read_text())
    epochs = {entry['epoch']: entry for entry in log}
    assert sorted(epochs) == [0, 1, 2, 3]
    # The validation ELBO before training, then after each epoch: it rises.
    val = [epochs[e]['validation/main/elbo'] for e in range(4)]
    assert val[0] < val[1] < val[3], val
    assert epochs[1]['main/elbo'] < epochs[3]['main/elbo']
    last = epochs[3]
    assert last['main/loss'] == pytest.approx(-last['main/elbo'])
    assert last['main/kl_penalty'] > 0
    assert last['main/elbo'] == pytest.approx(last['main/reconstr'] - last['main/kl_penalty'],
                                              rel=1e-5)

    for name in _IMAGES:
        assert (out / name).read_bytes()[:8] == _PNG, name
    assert not [p for p in out.iterdir() if p.name.startswith(('tmp', '.'))]
    from PIL import Image
    with Image.open(out / 'test_reconstructed.png') as image:
        # 2 rows (originals, reconstructions) x 9 columns of 8x8 tiles, 1-pixel gaps, zoom 4.
        assert image.size == ((9 * 9 + 1) * 4, (2 * 9 + 1) * 4)


def test_one_epoch_on_generated_mnist(tmp_path):
    pytest.importorskip('PIL')
    root = make_mnist_root(tmp_path / 'root', n_train=100, n_test=20)
    out = tmp_path / 'result'
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE), '-e', '1', '--dim-h', '16', '-z', '2', '-b', '50',
         '--k', '2', '--seed', '0', '--out', str(out)],
        cwd=tmp_path, env=_env(root), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert 'digits' not in proc.stderr and 'Device: @numpy' in proc.stdout
    with np.load(out / 'snapshot_iter_2') as f:
        assert f['updater/model:main/encoder/linear/W'].shape == (16, 784)
    log = json.loads((out / 'log').read_text())
    assert np.isfinite(log[-1]['validation/main/elbo'])
    for name in _IMAGES:
        assert (out / name).read_bytes()[:8] == _PNG, name


@pytest.mark.gpu
@pytest.mark.usefixtures('offline')
def test_one_epoch_on_gpu(tmp_path):
    pytest.importorskip('sklearn')
    pytest.importorskip('PIL')
    example = _load_example()
    out = tmp_path / 'out'
    trainer = example.main(['-e', '1', '--dim-h', '32', '-z', '4', '-d', '@cupy:0', '--noplot',
                            '--seed', '0', '--out', str(out)])
    import cupy
    assert isinstance(trainer.updater.get_optimizer('main').target.encoder.mu.W.array,
                      cupy.ndarray)
    log = json.loads((out / 'log').read_text())
    assert log[-1]['validation/main/elbo'] > log[0]['validation/main/elbo']
    for name in _IMAGES:
        assert (out / name).read_bytes()[:8] == _PNG, name
