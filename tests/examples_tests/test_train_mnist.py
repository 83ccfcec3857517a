"""The MNIST example: a short run on a generated MNIST, the digits fallback, accuracy, resume.

The dataset root is a temporary directory holding a small MNIST in the
original gzip'd IDX files, where the loader's download cache keeps them
(``<root>/_dl_cache/<md5 of the URL>``).  Nothing is downloaded: the
subprocesses get an unreachable HTTP(S) proxy and the in-process runs a
network function that raises.
"""
from __future__ import annotations

import gzip
import hashlib
import importlib.util
import json
import os
import pathlib
import signal
import subprocess
import sys
import time

import numpy as np
import pytest

from tests.examples_tests._example import dataset_root, load_example

REPO = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = REPO / 'examples' / 'mnist' / 'train_mnist.py'

# Where Chainer (and this project) download MNIST from: the original site
# and the mirror tried after it.
_MNIST_BASES = ('http://yann.lecun.com/exdb/mnist/',
                'https://ossci-datasets.s3.amazonaws.com/mnist/')


def _write_idx(path: str, array: np.ndarray, magic: int) -> None:
    header = np.array([magic, len(array), *array.shape[1:]], '>i4').tobytes()
    with gzip.open(path, 'wb') as f:
        f.write(header + array.astype(np.uint8).tobytes())


def make_mnist_root(root: pathlib.Path, n_train: int = 300, n_test: int = 60) -> pathlib.Path:
    """A dataset root with a small learnable MNIST in the download cache."""
    cache = root / '_dl_cache'
    cache.mkdir(parents=True, exist_ok=True)
    rng = np.random.RandomState(0)
    for kind, n in (('train', n_train), ('t10k', n_test)):
        labels = rng.randint(0, 10, n)
        images = rng.randint(0, 60, (n, 28, 28))
        for image, label in zip(images, labels):
            image[2 * label:2 * label + 8, 4:24] += 180  # a bar whose row is the label
        for base in _MNIST_BASES:
            for part, array, magic in (('images-idx3-ubyte', images, 0x803),
                                       ('labels-idx1-ubyte', labels, 0x801)):
                url = f'{base}{kind}-{part}.gz'
                name = hashlib.md5(url.encode('utf-8')).hexdigest()
                _write_idx(str(cache / name), array, magic)
    return root


def _env(dataset_root: pathlib.Path) -> dict:
    env = dict(os.environ)
    env['CHAINER_DATASET_ROOT'] = str(dataset_root)
    # No download can succeed: every HTTP(S) request goes to a closed port.
    for key in ('http_proxy', 'https_proxy', 'HTTP_PROXY', 'HTTPS_PROXY'):
        env[key] = 'http://127.0.0.1:9'
    for key in ('no_proxy', 'NO_PROXY'):
        env.pop(key, None)
    # One BLAS thread: no oversubscription on small machines, same sums every run.
    for key in ('OPENBLAS_NUM_THREADS', 'OMP_NUM_THREADS', 'MKL_NUM_THREADS'):
        env[key] = '1'
    env['MPLBACKEND'] = 'Agg'
    env['PYTHONPATH'] = os.pathsep.join(filter(None, [str(REPO), env.get('PYTHONPATH')]))
    return env


def _run(args: list, dataset_root: pathlib.Path, cwd: pathlib.Path,
         timeout: float = 120) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, str(EXAMPLE), *args], cwd=cwd,
                          env=_env(dataset_root), capture_output=True, text=True,
                          timeout=timeout)
    assert proc.returncode == 0, f'stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}'
    return proc


def _load_example():
    return load_example(EXAMPLE, 'train_mnist')


def _has(module: str) -> bool:
    return importlib.util.find_spec(module) is not None


def _trained_state(snapshot: pathlib.Path) -> dict:
    """The model's parameters and the optimizer's state stored in a trainer snapshot."""
    with np.load(snapshot) as f:
        return {key: f[key] for key in f.files
                if key.startswith(('updater/model:main/', 'updater/optimizer:main/'))}


def _snapshots(out: pathlib.Path) -> list:
    # Oldest first; a kill between writing a snapshot and removing the
    # previous one leaves two.
    found = [p for p in out.glob('snapshot_iter_*') if p.is_file()]
    return sorted(found, key=lambda p: int(p.name.rsplit('_', 1)[1]))



def test_one_epoch_on_generated_mnist(tmp_path):
    root = make_mnist_root(tmp_path / 'root', n_train=300, n_test=60)
    out = tmp_path / 'result'
    proc = _run(['--epoch', '1', '--unit', '20', '--batchsize', '50', '--seed', '0',
                 '--out', str(out)], root, tmp_path)

    assert 'digits' not in proc.stderr
    assert 'Device: @numpy' in proc.stdout
    assert '# unit: 20' in proc.stdout
    assert '# Minibatch-size: 50' in proc.stdout
    assert '# epoch: 1' in proc.stdout
    header = ['epoch', 'main/loss', 'validation/main/loss', 'main/accuracy',
              'validation/main/accuracy', 'elapsed_time']
    header_lines = [line for line in proc.stdout.splitlines() if line.startswith('epoch')]
    assert len(header_lines) == 1 and header_lines[0].split() == header

    # MNIST went through the loader's cache into the dataset directory.
    mnist_dir = root / 'pfnet' / 'chainer' / 'mnist'
    assert (mnist_dir / 'train.npz').is_file() and (mnist_dir / 'test.npz').is_file()

    log = json.loads((out / 'log').read_text())
    last = log[-1]
    assert last['epoch'] == 1 and last['iteration'] == 6  # 300 / 50
    for key in ('main/loss', 'main/accuracy', 'validation/main/loss',
                'validation/main/accuracy', 'elapsed_time'):
        assert np.isfinite(last[key]), key

    assert [p.name for p in _snapshots(out)] == ['snapshot_iter_6']
    state = _trained_state(out / 'snapshot_iter_6')
    assert state['updater/model:main/predictor/l1/W'].shape == (20, 784)
    assert state['updater/model:main/predictor/l3/W'].shape == (10, 20)

    dot = (out / 'cg.dot').read_text()
    assert dot.startswith('digraph') and 'LinearFunction' in dot

    if _has('matplotlib'):
        for name in ('loss.png', 'accuracy.png'):
            assert (out / name).read_bytes()[:8] == b'\x89PNG\r\n\x1a\n', name
    # Nothing half-written is left behind.
    assert not [p for p in out.iterdir() if p.name.startswith('tmp')]


def test_noplot_writes_no_images(tmp_path):
    example = _load_example()
    root = make_mnist_root(tmp_path / 'root', n_train=40, n_test=20)
    with dataset_root(root):
        trainer = example.main(['-e', '1', '-u', '8', '-b', '20', '--noplot', '--seed', '1',
                                '-o', str(tmp_path / 'out')])
    assert trainer.updater.iteration == 2
    assert not list((tmp_path / 'out').glob('*.png'))



def test_falls_back_to_digits_in_one_line(tmp_path, offline, capsys):
    pytest.importorskip('sklearn')
    example = _load_example()
    trainer = example.main(['--epoch', '1', '--unit', '16', '--batchsize', '100',
                            '--noplot', '--seed', '0', '--out', str(tmp_path / 'out')])
    captured = capsys.readouterr()
    err_lines = captured.err.splitlines()
    assert len(err_lines) == 1, captured.err  # no "Downloading from ..." lines either
    line = err_lines[0]
    assert 'MNIST' in line and 'digits' in line and 'scikit-learn' in line
    assert str(offline / 'pfnet' / 'chainer' / 'mnist') in line
    assert 'MNIST' not in captured.out

    # It trained on the 8x8 digits: 1,437 training images of 64 pixels.
    assert len(trainer.updater.get_iterator('main').dataset) == 1437
    assert trainer.updater.get_optimizer('main').target.predictor.l1.W.shape == (16, 64)
    assert trainer.updater.iteration == 15
    log = json.loads((tmp_path / 'out' / 'log').read_text())
    assert log[-1]['epoch'] == 1 and 'validation/main/accuracy' in log[-1]


def test_without_mnist_and_scikit_learn_it_says_what_to_install(tmp_path, offline,
                                                                 monkeypatch):
    example = _load_example()
    monkeypatch.setitem(sys.modules, 'sklearn', None)  # import sklearn raises ImportError
    monkeypatch.setitem(sys.modules, 'sklearn.datasets', None)
    with pytest.raises(SystemExit, match='scikit-learn'):
        example.main(['-e', '1', '-u', '8', '--noplot', '-o', str(tmp_path / 'out')])


def test_missing_resume_file_is_named(tmp_path):
    example = _load_example()
    root = make_mnist_root(tmp_path / 'root', n_train=40, n_test=20)
    missing = tmp_path / 'no_such_snapshot'
    with dataset_root(root), pytest.raises(FileNotFoundError, match='no_such_snapshot'):
        example.main(['-e', '1', '-u', '8', '-b', '20', '--noplot',
                      '--resume', str(missing), '-o', str(tmp_path / 'out')])


def test_resume_after_sigkill_is_bit_identical(tmp_path):
    # 5 epochs of 100 iterations, a snapshot after each; the run is killed as
    # soon as the first snapshot file appears, i.e. somewhere in epochs 2-5.
    root = make_mnist_root(tmp_path / 'root', n_train=1000, n_test=100)
    args = ['--epoch', '5', '--frequency', '1', '--unit', '100', '--batchsize', '10',
            '--seed', '0', '--noplot']

    full = tmp_path / 'full'
    _run([*args, '--out', str(full)], root, tmp_path)
    expected = _trained_state(full / 'snapshot_iter_500')

    killed = tmp_path / 'killed'
    proc = subprocess.Popen([sys.executable, str(EXAMPLE), *args, '--out', str(killed)],
                            cwd=tmp_path, env=_env(root), stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 120
        while not _snapshots(killed):
            assert proc.poll() is None, f'the run ended early:\n{proc.stderr.read()}'
            assert time.monotonic() < deadline, 'no snapshot within 120 s'
            time.sleep(0.005)
        assert proc.poll() is None, 'the run finished before it could be killed'
        proc.send_signal(signal.SIGKILL)
    finally:
        proc.kill()
        proc.wait(timeout=30)
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    snapshot = _snapshots(killed)[-1]
    assert snapshot.name != 'snapshot_iter_500'

    # --resume: load the snapshot by name and continue in another directory.
    resumed = tmp_path / 'resumed'
    _run([*args, '--resume', str(snapshot), '--out', str(resumed)], root, tmp_path)
    # --autoload: continue in the killed run's directory from its newest snapshot.
    _run([*args, '--autoload', '--out', str(killed)], root, tmp_path)

    for out in (resumed, killed):
        got = _trained_state(out / 'snapshot_iter_500')
        assert sorted(got) == sorted(expected)
        for key, value in expected.items():
            assert got[key].dtype == value.dtype, key
            assert np.array_equal(got[key], value), f'{out.name}: {key} differs'
        log = json.loads((out / 'log').read_text())
        assert [entry['iteration'] for entry in log if entry['epoch'] > 0] == [
            100, 200, 300, 400, 500]


@pytest.mark.slow
def test_digits_reach_95_percent_in_20_epochs(tmp_path):
    """The offline path of the README command: 20 epochs on the digits, >= 95 %."""
    pytest.importorskip('sklearn')
    empty_root = tmp_path / 'empty_root'
    out = tmp_path / 'result'
    proc = _run(['--unit', '100', '--seed', '0', '--noplot', '--out', str(out)],
                empty_root, tmp_path, timeout=300)
    assert 'digits' in proc.stderr
    log = json.loads((out / 'log').read_text())
    last = log[-1]
    assert last['epoch'] == 20
    assert last['validation/main/accuracy'] >= 0.95, last
