"""The memory network example: the bAbI parser, position encoding, training offline, save + test."""
from __future__ import annotations

import importlib
import json
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import chainer
import chainer.links as L
from tests.examples_tests.test_train_mnist import _env

REPO = pathlib.Path(__file__).resolve().parents[2]
DIRECTORY = REPO / 'examples' / 'memnn'

_SNIPPET = """\
1 Mary moved to the bathroom.
2 John went to the hallway.
3 Where is Mary?\tbathroom\t1
4 Daniel went back to the hallway.
5 Where is Daniel?\thallway\t4
1 Sandra journeyed to the garden.
2 Where is Sandra?\tgarden\t1
"""


@pytest.fixture
def modules(monkeypatch):
    monkeypatch.syspath_prepend(str(DIRECTORY))
    for name in ('babi', 'memnn', 'train_memnn', 'test_memnn'):
        sys.modules.pop(name, None)
    loaded = [importlib.import_module(name)
              for name in ('babi', 'memnn', 'train_memnn', 'test_memnn')]
    yield loaded
    for name in ('babi', 'memnn', 'train_memnn', 'test_memnn'):
        sys.modules.pop(name, None)


def test_parser_on_a_snippet(modules, tmp_path):
    babi = modules[0]
    path = tmp_path / 'qa.txt'
    path.write_text(_SNIPPET)
    vocab = babi.make_vocab()
    stories = babi.read_data(vocab, str(path))
    ids = dict(vocab)
    assert ids['<pad>'] == 0 and ids['mary'] == 1 and ids['moved'] == 2
    assert '?' not in ids and '.' not in ids and 'Mary' not in ids
    assert len(stories) == 2 and [len(s) for s in stories] == [5, 2]
    assert stories[0][0] == [ids[w] for w in 'mary moved to the bathroom'.split()]
    query = stories[0][2]
    assert isinstance(query, babi.Query)
    assert query.sentence == [ids['where'], ids['is'], ids['mary']]
    assert query.answer == ids['bathroom']  # the supporting fact ids are ignored

    data = babi.convert_data(stories, max_memory=2, sentence_len=6)
    assert len(data) == 3
    first, second, third = data
    assert first['sentences'].dtype == np.int32 and first['sentences'].shape == (2, 6)
    np.testing.assert_array_equal(first['sentences'][0],
                                  [ids[w] for w in 'mary moved to the bathroom'.split()] + [0])
    np.testing.assert_array_equal(first['question'],
                                  [ids['where'], ids['is'], ids['mary'], 0, 0, 0])
    assert int(first['answer']) == ids['bathroom']
    # Only the last max_memory statements, the most recent last; questions are no memories.
    np.testing.assert_array_equal(second['sentences'][0], first['sentences'][1])
    assert second['sentences'][1][0] == ids['daniel']
    # A new story starts empty: the unused memory rows are all padding.
    assert not third['sentences'][0].any() and third['sentences'][1][0] == ids['sandra']
    assert int(third['answer']) == ids['garden']


def test_position_encoding_matches_the_paper(modules):
    memnn = modules[1]
    embed = L.EmbedID(10, 5, ignore_label=0)
    sentences = np.array([[3, 1, 4, 0], [9, 0, 0, 0], [0, 0, 0, 0]], np.int32)
    y = memnn.position_encode(embed, sentences)
    W = embed.W.array
    d = W.shape[1]
    expected = np.zeros((3, d), np.float32)
    for s, words in enumerate(sentences):
        n = int((words != 0).sum())
        for j in range(1, n + 1):
            for k in range(1, d + 1):
                coeff = (1 - j / n) - (k / d) * (1 - 2 * j / n)
                expected[s, k - 1] += coeff * W[words[j - 1], k - 1]
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.array, expected, rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(y.array[2], 0)  # an empty sentence encodes to zero
    bow = memnn.bow_encode(embed, sentences)
    np.testing.assert_allclose(bow.array[0], W[3] + W[1] + W[4], rtol=1e-6)


def test_model_shapes_and_gradients(modules):
    memnn = modules[1]
    model = memnn.MemNN(6, 12, 'pe', max_memory=4, hops=2)
    assert len(model.embeds) == 3 and len(model.temporals) == 3
    rng = np.random.RandomState(0)
    sentences = rng.randint(0, 12, (3, 4, 5)).astype(np.int32)
    sentences[0] = 0  # no memories at all
    question = rng.randint(1, 12, (3, 5)).astype(np.int32)
    model.cleargrads()
    y = model(sentences, question)
    assert y.shape == (3, 12) and np.isfinite(y.array).all()
    chainer.functions.sum(y).backward()
    for name, param in model.namedparams():
        assert param.grad is not None and np.isfinite(param.grad).all(), name
    np.testing.assert_array_equal(model.embeds[0].W.grad[0], 0)  # padding gets no gradient
    with pytest.raises(ValueError, match='memories'):
        model(np.zeros((1, 5, 5), np.int32), question[:1])
    with pytest.raises(ValueError, match='sentence representation'):
        memnn.MemNN(6, 12, 'rnn')


def test_trains_offline_then_test_script_reads_the_model(modules, tmp_path, capsys):
    train_memnn, test_memnn = modules[2], modules[3]
    out, model_dir = tmp_path / 'out', tmp_path / 'model'
    trainer = train_memnn.main(['-e', '5', '-b', '25', '--seed', '0', '--out', str(out),
                                '--model', str(model_dir)])
    captured = capsys.readouterr()
    err = [line for line in captured.err.splitlines() if 'bAbI' in line]
    assert len(err) == 1 and 'generated bAbI task 1' in err[0]
    assert 'Vocabulary: 20  train questions: 1000  test questions: 500' in captured.out
    assert trainer.updater.iteration == 5 * 40

    log = json.loads((out / 'log').read_text())
    assert [entry['epoch'] for entry in log] == [1, 2, 3, 4, 5]
    for key in ('main/loss', 'main/accuracy', 'validation/main/loss', 'validation/main/accuracy'):
        assert key in log[-1], key
    assert log[-1]['main/loss'] < log[0]['main/loss'] - 0.3
    assert log[-1]['validation/main/loss'] < log[0]['validation/main/loss']
    chance = 1 / 6
    assert log[-1]['validation/main/accuracy'] > chance + 0.1, log[-1]

    train_file = out / 'babi' / 'qa1_single-supporting-fact_train.txt'
    assert train_file.read_text().startswith('1 ')
    assert sorted(p.name for p in model_dir.iterdir()) == ['model.npz', 'vocab.json']
    accuracy = test_memnn.main([str(model_dir), str(out / 'babi' /
                                                   'qa1_single-supporting-fact_test.txt')])
    assert accuracy == pytest.approx(log[-1]['validation/main/accuracy'], abs=1e-6)
    assert f'Accuracy: {accuracy:.4f}' in capsys.readouterr().out


def test_subprocess_on_given_files_with_position_encoding(tmp_path):
    train = tmp_path / 'train.txt'
    train.write_text(_SNIPPET * 5)
    test = tmp_path / 'test.txt'
    test.write_text(_SNIPPET + '1 John went to the kitchen.\n2 Where is John?\tkitchen\t1\n')
    script = DIRECTORY / 'train_memnn.py'
    proc = subprocess.run(
        [sys.executable, str(script), str(train), str(test), '-e', '2', '-b', '4', '-u', '8',
         '--hop', '2', '--max-memory', '3', '--sentence-repr', 'pe', '--model', 'saved'],
        cwd=tmp_path, env=_env(tmp_path / 'root'), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert 'generated' not in proc.stderr and 'Device: @numpy' in proc.stdout
    setup = json.loads((tmp_path / 'saved' / 'vocab.json').read_text())
    assert setup['sentence_repr'] == 'pe' and setup['hop'] == 2 and setup['max_memory'] == 3
    assert setup['vocab']['kitchen'] > 0 and setup['sentence_len'] == 6
    with np.load(tmp_path / 'saved' / 'model.npz') as f:
        assert f['predictor/embeds/0/W'].shape == (len(setup['vocab']), 8)
        assert f['predictor/temporals/2/W'].shape == (3, 8)
    proc = subprocess.run(
        [sys.executable, str(DIRECTORY / 'test_memnn.py'), 'saved', str(test)],
        cwd=tmp_path, env=_env(tmp_path / 'root'), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert 'Accuracy: ' in proc.stdout and '/4)' in proc.stdout


@pytest.mark.parametrize('argv', [['-b', '0'], ['--hop', '0'], ['--sentence-repr', 'rnn'],
                                  ['only_train.txt']])
def test_bad_options_are_refused(modules, argv, capsys):
    with pytest.raises(SystemExit) as info:
        modules[2].parse_args(argv)
    assert info.value.code == 2
