"""The device check script starts and runs its dry mode anywhere."""
from __future__ import annotations

import os
import pathlib
import subprocess
import sys

import pytest

REPO = pathlib.Path(__file__).resolve().parents[2]


def _run_script(*args, **env):
    return subprocess.run(['bash', str(REPO / 'benchmarks' / 'gpu' / 'run.sh'), *args],
                          env=dict(os.environ, PYTHON=sys.executable, **env),
                          capture_output=True, text=True, timeout=300)


def test_gpu_run_script_dry_run(tmp_path):
    proc = _run_script('--dry-run', OUT=str(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'rechainer' in (tmp_path / 'env.txt').read_text()
    assert 'tests collected' in (tmp_path / 'gpu-tests.log').read_text()
    bench = (tmp_path / 'bench.txt').read_text()
    assert 'MLP 784-16-16-10 Adam b4' in bench
    assert '  Adam update only (6 params)' in bench
    assert 'double backprop' in bench
    host = (tmp_path / 'host_costs.txt').read_text()
    assert 'rechainer: Adam update of 1 param (16,)' in host


@pytest.mark.gpu
def test_host_cost_rows_run_on_cupy(monkeypatch):
    """Every row of host_costs.py, CuPy-only ones included, runs on CuPy."""
    cupy = pytest.importorskip('cupy')
    monkeypatch.syspath_prepend(str(REPO / 'benchmarks' / 'gpu'))
    import host_costs
    try:
        rows = host_costs.rows(cupy, False)
        names = [name for name, _ in rows]
        assert 'elementwise kernel: Adam, 8 in + 3 out' in names
        bench = host_costs.Bench(cupy, 1, 1)
        for name, fn in rows:
            assert bench.time(fn) > 0, name
    finally:
        sys.modules.pop('host_costs', None)
        sys.modules.pop('bench', None)


@pytest.mark.gpu
def test_gpu_benchmark_rows_run_on_cupy(monkeypatch):
    """Every row of bench.py at its dry-run sizes, but on CuPy: the CuPy-only code
    (the hand-written kernels, the switched rows) runs before a device run needs it."""
    cupy = pytest.importorskip('cupy')
    monkeypatch.syspath_prepend(str(REPO / 'benchmarks' / 'gpu'))
    import bench
    try:
        rows = bench.rows(cupy, bench.Bench(cupy, 1, 1), True)
    finally:
        sys.modules.pop('bench', None)
    names = [row[0] for row in rows]
    assert 'chain of 100 ops, fwd+bwd' in names
    assert '  same, CuPy ufuncs (no raw kernels)' in names
    assert '  same, fused window kernels off b4' in names
    for name, t_ch, t_xp, _ in rows:
        assert t_ch > 0 and (t_xp is None or t_xp > 0), name


def test_progress_file_lists_each_outcome_as_tests_end(tmp_path):
    """run.sh reads RECHAINER_TEST_PROGRESS after a test phase that may be cut."""
    (tmp_path / 'conftest.py').write_text(
        'from tests.conftest import pytest_runtest_logreport  # noqa: F401\n')
    (tmp_path / 'test_outcomes.py').write_text('\n'.join([
        'import pytest',
        'def test_passes(): pass',
        'def test_fails(): assert False',
        "@pytest.mark.skip(reason='x')",
        'def test_skipped(): pass',
        '@pytest.fixture',
        'def broken(): raise RuntimeError',
        'def test_errors(broken): pass', '']))
    progress = tmp_path / 'progress.txt'
    env = dict(os.environ, RECHAINER_TEST_PROGRESS=str(progress),
               PYTHONPATH=str(REPO))
    env.pop('PYTEST_XDIST_WORKER', None)
    subprocess.run([sys.executable, '-m', 'pytest', '-q', '-p', 'no:cacheprovider',
                    str(tmp_path / 'test_outcomes.py')], cwd=tmp_path, env=env,
                   capture_output=True, timeout=120)
    lines = sorted(progress.read_text().splitlines())
    assert [line.split(' ')[0] + ' ' + line.rpartition('::')[2] for line in lines] == [
        'error test_errors', 'failed test_fails', 'passed test_passes', 'skipped test_skipped']


def test_gpu_run_script_reruns_only_what_failed(tmp_path):
    """The second device run takes the first run's progress file."""
    progress = tmp_path / 'gpu-progress.txt'
    test = 'tests/chainer_tests/test_stand_in_as_device.py'
    progress.write_text(
        f'passed {test}::test_views_and_copies_do_not_move\n'
        f'failed {test}::test_exact_results_stay_exact\n'
        f'error {test}::test_random_stream_is_its_own\n')
    out = tmp_path / 'out'
    proc = _run_script('--dry-run', '--only-failed', str(progress), OUT=str(out), BENCH='0')
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'only the 2 tests that failed' in proc.stdout
    assert '2 tests collected' in (out / 'gpu-tests.log').read_text()
    assert not (out / 'bench.txt').exists()


def test_gpu_run_script_refuses_bad_arguments(tmp_path):
    assert _run_script('--bogus', OUT=str(tmp_path)).returncode == 2
    proc = _run_script('--only-failed', str(tmp_path / 'missing.txt'), OUT=str(tmp_path))
    assert proc.returncode == 2 and 'progress file' in proc.stderr
