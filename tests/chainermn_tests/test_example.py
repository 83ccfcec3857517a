"""The data-parallel MNIST example under mpiexec (offline: the digits fallback)."""
import os

import pytest

from tests.chainermn_tests import _launch


def test_train_mnist_two_ranks(tmp_path):
    pytest.importorskip('sklearn')
    script = os.path.join(_launch.ROOT, 'examples', 'chainermn', 'mnist', 'train_mnist.py')
    env = {'CHAINER_DATASET_ROOT': str(tmp_path / 'datasets')}
    args = ['--epoch', '3', '--unit', '100', '--batchsize', '50', '--seed', '0',
            '--out', str(tmp_path / 'result')]
    proc = _launch.run(script, 2, *args, timeout=120, env=env)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert 'Num process (COMM_WORLD): 2' in proc.stdout
    rows = [line.split() for line in proc.stdout.splitlines() if line[:1].isdigit()]
    assert [r[0] for r in rows] == ['1', '2', '3']
    assert float(rows[-1][4]) > 0.85  # validation accuracy after 3 epochs
    assert os.path.exists(tmp_path / 'result' / 'log')
