"""A failing rank ends the job with its traceback; a killed checkpointed run resumes."""
import glob

from tests.chainermn_tests import _launch


def test_raising_rank_aborts_the_job():
    before = set(glob.glob(_launch._HYDRA_TOPOLOGY))
    proc = _launch.run('faults.py', 2, 'raise', timeout=60)
    # the aborted launcher's topology file is not left in /tmp
    assert set(glob.glob(_launch._HYDRA_TOPOLOGY)) <= before
    assert proc.returncode != 0
    assert 'ValueError: boom from rank 1' in proc.stderr
    assert 'Traceback' in proc.stderr
    # rank 0 waits for a message that never comes: only the abort ends it
    assert proc.elapsed < 30


def test_the_hook_runs_the_excepthook_it_replaced_then_aborts():
    proc = _launch.run('faults.py', 2, 'user_hook', timeout=60)
    assert proc.returncode != 0
    assert 'user hook saw ValueError on rank 1' in proc.stderr
    assert 'Uncaught exception on rank 1.' in proc.stderr
    assert proc.elapsed < 30


def test_checkpointer_resumes_after_a_crash(tmp_path):
    out = str(tmp_path)
    crashed = _launch.run('faults.py', 2, 'checkpoint', out, '7', timeout=60)
    assert crashed.returncode != 0
    assert 'simulated failure at iteration 7' in crashed.stderr
    resumed = _launch.check('faults.py', 2, 'checkpoint', out, '-1', timeout=60)
    assert 'resumed from iteration 6 and matched the uninterrupted run' in resumed
