"""Starting a worker script on N MPI ranks from a test."""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
import time

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
WORKERS = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'workers')
# MPICH's launcher writes the machine topology here (the path is fixed, not $TMPDIR) and
# removes it when the job ends normally, but not when a rank aborts it.
_HYDRA_TOPOLOGY = '/tmp/hydra_hwloc_xmlfile_*'


def mpiexec() -> str:
    """The ``mpiexec`` beside this Python, else on PATH; skips the test without one or mpi4py."""
    pytest.importorskip('mpi4py')
    here = os.path.join(os.path.dirname(sys.executable), 'mpiexec')
    found = here if os.path.exists(here) else shutil.which('mpiexec')
    if found is None:
        pytest.skip('no mpiexec')
    return found


def run(script: str, n: int, *args: str, timeout: float = 120,
        env: dict | None = None) -> subprocess.CompletedProcess:
    """Runs ``workers/<script>`` (or an absolute path) on ``n`` ranks; returns the finished
    process with its elapsed time in ``.elapsed`` (a timeout fails the test with the output
    so far)."""
    path = script if os.path.isabs(script) else os.path.join(WORKERS, script)
    cmd = [mpiexec(), '-n', str(n), sys.executable, path, *args]
    full_env = dict(os.environ)
    full_env['PYTHONPATH'] = ROOT + os.pathsep + full_env.get('PYTHONPATH', '')
    full_env.setdefault('OMP_NUM_THREADS', '1')
    if env:
        full_env.update(env)
    before = set(glob.glob(_HYDRA_TOPOLOGY))
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              env=full_env, cwd=ROOT)
    except subprocess.TimeoutExpired as e:
        _remove_topology_files(before)
        pytest.fail(f'{script} on {n} ranks ran over {timeout} s:\n{e.stdout}\n{e.stderr}')
    proc.elapsed = time.monotonic() - start
    if proc.returncode != 0:
        _remove_topology_files(before)
    return proc


def _remove_topology_files(before: set[str]) -> None:
    """Removes the topology files an aborted job left behind (those not there before it)."""
    for path in set(glob.glob(_HYDRA_TOPOLOGY)) - before:
        try:
            os.remove(path)
        except OSError:
            pass


def check(script: str, n: int, *args: str, timeout: float = 120) -> str:
    """Runs the worker and asserts that it succeeded; returns its stdout."""
    proc = run(script, n, *args, timeout=timeout)
    assert proc.returncode == 0, (
        f'{script} on {n} ranks failed (exit {proc.returncode}):\n'
        f'{proc.stdout}\n{proc.stderr}')
    return proc.stdout
