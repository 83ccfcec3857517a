"""benchmarks/iterations.py runs every workload at its --quick sizes, and the
benchmarks can be told to leave ``sys.path`` to the installed chainer."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]
BENCH = REPO / 'benchmarks'


def _env(**extra):
    env = {k: v for k, v in os.environ.items() if k != 'RECHAINER_BENCH_INSTALLED'}
    env.update(OMP_NUM_THREADS='1', OPENBLAS_NUM_THREADS='1', **extra)
    return env


def test_iterations_quick_runs_every_workload():
    proc = subprocess.run([sys.executable, str(BENCH / 'iterations.py'), '--quick'],
                          cwd=REPO, env=_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith('rechainer, numpy ')
    for name in ('mlp', 'lenet', 'vgg', 'lstm_lm', 'seq2seq', 'word2vec'):
        assert any(line.startswith(name + ': ') for line in lines), name
    assert len(lines) == 2 + 7  # header lines, six workloads, lstm_lm's second row


def test_iterations_only_rejects_unknown_names():
    proc = subprocess.run([sys.executable, str(BENCH / 'iterations.py'), '--only', 'mlp,rnn'],
                          cwd=REPO, env=_env(), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert 'unknown workloads: rnn' in proc.stderr


def _path_after_timing(**extra):
    code = ('import sys; sys.path.insert(0, sys.argv[1]); before = list(sys.path); '
            'import _timing; print(sys.path[0] if sys.path != before else "unchanged")')
    proc = subprocess.run([sys.executable, '-c', code, str(BENCH)], cwd=BENCH.parent.parent,
                          env=_env(**extra), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


def test_timing_puts_checkout_first_unless_told_not_to():
    assert _path_after_timing() == str(REPO)
    assert _path_after_timing(RECHAINER_BENCH_INSTALLED='1') == 'unchanged'


def test_scripts_name_the_framework_they_time(tmp_path):
    # a stand-in for an installed Chainer: no _rechainer_version
    (tmp_path / 'chainer').mkdir()
    (tmp_path / 'chainer' / '__init__.py').write_text("__version__ = '7.8.1'\n")
    code = ('import sys; sys.path.insert(0, sys.argv[1]); import _timing; '
            'print(_timing.framework()); print(_timing.versions())')
    proc = subprocess.run([sys.executable, '-c', code, str(BENCH)], cwd=tmp_path,
                          env=_env(RECHAINER_BENCH_INSTALLED='1', PYTHONPATH=str(tmp_path)),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    name, line = proc.stdout.splitlines()
    assert name == 'chainer 7.8.1'
    assert line.endswith(', chainer 7.8.1')
    proc = subprocess.run([sys.executable, '-c', code, str(BENCH)], cwd=REPO, env=_env(),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == 'rechainer'
    assert 'chainer (rechainer) ' in proc.stdout.splitlines()[1]
