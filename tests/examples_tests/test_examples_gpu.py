"""Each example trains on the GPU (``--device 0``) for a short run, offline."""
from __future__ import annotations

import json
import pathlib
import subprocess
import sys

import pytest

from tests.examples_tests.test_train_mnist import _env, make_mnist_root

REPO = pathlib.Path(__file__).resolve().parents[2]

_RUNS = {
    'dqn_cartpole': ('examples/reinforcement_learning/dqn_cartpole.py',
                     ['--episodes', '3', '--unit', '16', '--replay-start-size', '20']),
    'memnn': ('examples/memnn/train_memnn.py', ['--epoch', '1', '--unit', '8']),
    'mnist': ('examples/mnist/train_mnist.py',
              ['--epoch', '1', '--unit', '20', '--batchsize', '50', '--noplot']),
    'mnist_cnn': ('examples/mnist/train_mnist_cnn.py',
                  ['--epoch', '1', '--batchsize', '50', '--noplot']),
    'cifar': ('examples/cifar/train_cifar.py',
              ['--arch', 'resnet', '--epoch', '1', '--noplot']),
    'ptb': ('examples/ptb/train_ptb.py', ['--test', '--unit', '8', '--epoch', '2']),
    'word2vec': ('examples/word2vec/train_word2vec.py',
                 ['--test', '--unit', '8', '--batchsize', '20', '--epoch', '1']),
    'pos': ('examples/pos/postagging.py',
            ['--epoch', '1', '--sentences', '200', '--unit', '8']),
    'sentiment': ('examples/sentiment/train_sentiment.py',
                  ['--epoch', '2', '--trees', '100', '--unit', '8', '--epocheval', '1']),
    'seq2seq': ('examples/seq2seq/seq2seq.py',
                ['--epoch', '1', '--unit', '16', '--layer', '1', '--log-interval', '30',
                 '--validation-interval', '30']),
    'text_classification': ('examples/text_classification/train_text_classifier.py',
                            ['--test', '--unit', '12', '--epoch', '1', '--model', 'rnn']),
}


@pytest.mark.gpu
@pytest.mark.parametrize('name', sorted(_RUNS))
def test_example_trains_on_gpu(name, tmp_path):
    pytest.importorskip('sklearn')
    script, args = _RUNS[name]
    root = make_mnist_root(tmp_path / 'root', n_train=200, n_test=50)
    out = tmp_path / 'result'
    out_args = [] if name == 'sentiment' else ['--out', str(out)]  # it writes no files
    proc = subprocess.run(
        [sys.executable, str(REPO / script), *args, '--device', '0', *out_args],
        cwd=tmp_path, env=_env(root), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, f'stdout:\n{proc.stdout}\nstderr:\n{proc.stderr}'
    if name == 'seq2seq':
        log = json.loads((out / 'log').read_text())
        assert 0 <= log[-1]['validation/main/bleu'] <= 1
    elif name == 'sentiment':
        assert 'Test data evaluation:' in proc.stdout
    elif name == 'dqn_cartpole':
        assert 'average_loss: 0.' in proc.stdout and (out / 'model.npz').is_file()
    elif name not in ('ptb', 'word2vec'):
        log = json.loads((out / 'log').read_text())
        assert 0 <= log[-1]['validation/main/accuracy'] <= 1
    if name == 'word2vec':
        assert (out / 'word2vec.model').read_text().startswith('2000 8\n')
