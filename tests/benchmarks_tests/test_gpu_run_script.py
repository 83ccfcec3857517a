"""The device check script starts and runs its dry mode anywhere."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys

REPO = pathlib.Path(__file__).resolve().parents[2]


def test_gpu_run_script_dry_run(tmp_path):
    env = dict(os.environ, OUT=str(tmp_path), PYTHON=sys.executable)
    proc = subprocess.run(
        ['bash', str(REPO / 'benchmarks' / 'gpu' / 'run.sh'), '--dry-run'],
        env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'rechainer' in (tmp_path / 'env.txt').read_text()
    assert 'tests collected' in (tmp_path / 'gpu-tests.log').read_text()
    bench = (tmp_path / 'bench.txt').read_text()
    assert 'MLP 784-16-16-10 Adam b4' in bench
    assert 'double backprop' in bench
