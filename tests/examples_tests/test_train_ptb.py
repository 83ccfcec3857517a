"""The PTB example offline: the fallback corpus, perplexity below the unigram
baseline after a short run, resume from a snapshot, and sampling with gentxt.

Nothing is downloaded: the subprocesses get an unreachable HTTP(S) proxy and an
empty dataset root.
"""
from __future__ import annotations

import pathlib
import re
import subprocess
import sys

import numpy as np
import pytest

from tests.examples_tests.test_train_mnist import _env

REPO = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE_DIR = REPO / 'examples' / 'ptb'


def _run(script: str, args: list, tmp_path: pathlib.Path, timeout: float = 300,
         seed: int | None = None) -> subprocess.CompletedProcess:
    """Runs an example script as ``python script args``; with ``seed``, NumPy's
    global generator is seeded first (the script itself is unchanged)."""
    path = str(EXAMPLE_DIR / script)
    if seed is None:
        command = [sys.executable, path, *args]
    else:
        command = [sys.executable, '-c',
                   'import runpy, sys, numpy; numpy.random.seed(int(sys.argv[1])); '
                   'sys.argv = sys.argv[2:]; runpy.run_path(sys.argv[0], run_name="__main__")',
                   str(seed), path, *args]
    proc = subprocess.run(command, cwd=tmp_path, env=_env(tmp_path / 'root'),
                          capture_output=True, text=True, timeout=timeout)
    assert proc.returncode == 0, f'stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}'
    return proc


def _number(pattern: str, text: str) -> float:
    found = re.search(pattern, text)
    assert found, text
    return float(found.group(1))


def test_perplexity_falls_below_unigram(tmp_path):
    # A subprocess runs the script as a user does; seeded, because over random
    # initializations the test/unigram ratio after three epochs spreads from about
    # 0.62 to 0.81.
    proc = _run('train_ptb.py', ['--unit', '100', '--batchsize', '32', '--bproplen', '10',
                                 '--epoch', '3', '--out', 'result', '--model', 'lm.npz'],
                tmp_path, seed=0)
    notes = [line for line in proc.stderr.splitlines() if 'PTB' in line]
    assert len(notes) == 1 and 'pydoc_data.topics' in notes[0]
    unigram = _number(r'unigram perplexity \(validation\) = ([0-9.]+)', proc.stdout)
    test = _number(r'test perplexity: ([0-9.]+)', proc.stdout)
    assert 150 < unigram < 400
    assert test < 0.8 * unigram, (test, unigram)
    assert (tmp_path / 'lm.npz').is_file()
    vocab = (tmp_path / 'result' / 'vocab.txt').read_text(encoding='utf-8').split('\n')
    assert vocab[:2] == ['<unk>', '<eos>']

    text = _run('gentxt.py', ['-m', 'lm.npz', '-u', '100', '-p', 'the',
                              '--vocab', 'result/vocab.txt', '--length', '5'],
                tmp_path).stdout.split()
    assert text[0] == 'the' and len(text) == 6


def test_tiny_run_and_resume(tmp_path):
    args = ['--test', '--unit', '8', '--out', 'result', '--model', 'm.npz']
    _run('train_ptb.py', args + ['--epoch', '14'], tmp_path)
    snaps = sorted((tmp_path / 'result').glob('snapshot_iter_*'))
    assert [p.name for p in snaps] == ['snapshot_iter_1', 'snapshot_iter_2']
    proc = _run('train_ptb.py', args + ['--epoch', '28', '--resume', str(snaps[-1])],
                tmp_path)
    assert 'test perplexity' in proc.stdout
    assert (tmp_path / 'result' / 'snapshot_iter_4').is_file()
    with np.load(tmp_path / 'm.npz') as f:
        assert f['predictor/l1/upward/W'].shape == (32, 8)
        assert f['predictor/embed/W'].shape == (2000, 8)


def test_parallel_sequential_iterator():
    sys.path.insert(0, str(EXAMPLE_DIR))
    try:
        import train_ptb
    finally:
        sys.path.remove(str(EXAMPLE_DIR))
    it = train_ptb.ParallelSequentialIterator(np.arange(10), 2)
    assert next(it) == [(0, 1), (5, 6)]
    assert it.epoch_detail == pytest.approx(0.2)
    for _ in range(4):
        batch = next(it)
    assert batch == [(4, 5), (9, 0)]
    assert it.is_new_epoch and it.epoch == 1
    finite = train_ptb.ParallelSequentialIterator(np.arange(4), 1, repeat=False)
    assert len(list(finite)) == 4
