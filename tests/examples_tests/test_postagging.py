"""The POS-tagging example: the CRF tagger learns a synthetic task offline; CoNLL files; resume."""
from __future__ import annotations

import itertools
import json
import pathlib
import subprocess
import sys
import types

import numpy as np
import pytest

import chainer
from tests.examples_tests.test_train_mnist import _env
from tests.examples_tests._example import load_example
# Fixtures: the global random state restored after each test; no corpus, no network.

REPO = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = REPO / 'examples' / 'pos' / 'postagging.py'
_SMALL = ['--sentences', '600', '--batchsize', '10', '--unit', '32']


def _load_example():
    return load_example(EXAMPLE, 'postagging')


@pytest.fixture
def no_nltk(monkeypatch):
    """``import nltk`` fails, as where NLTK is not installed."""
    monkeypatch.setitem(sys.modules, 'nltk', None)


def _brute_force_nll(cost: np.ndarray, scores: np.ndarray, tags: np.ndarray) -> float:
    """``log Z - score(tags)`` by enumerating every tag path of one sentence."""
    def path_score(path):
        return (sum(scores[t, k] for t, k in enumerate(path))
                + sum(cost[a, b] for a, b in zip(path, path[1:])))

    n_label = cost.shape[0]
    all_scores = [path_score(p) for p in itertools.product(range(n_label), repeat=len(tags))]
    return float(np.logaddexp.reduce(all_scores) - path_score(tuple(tags)))


def _brute_force_best(cost: np.ndarray, scores: np.ndarray) -> tuple:
    n_label = cost.shape[0]
    return max(itertools.product(range(n_label), repeat=len(scores)),
               key=lambda p: sum(scores[t, k] for t, k in enumerate(p))
               + sum(cost[a, b] for a, b in zip(p, p[1:])))


@pytest.mark.usefixtures('offline', 'no_nltk')
def test_learns_the_synthetic_task_offline(tmp_path, capsys):
    example = _load_example()
    out = tmp_path / 'out'
    trainer = example.main(['--epoch', '6', *_SMALL, '--seed', '0', '--out', str(out)])
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert len(err) == 1 and 'synthetic' in err[0] and 'NLTK' in err[0], err
    assert '# POS tags: 6' in captured.out and '480 train, 120 validation' in captured.out
    assert trainer.updater.iteration == 6 * 48

    log = json.loads((out / 'log').read_text())
    assert [e['epoch'] for e in log] == [1, 2, 3, 4, 5, 6]
    for key in ('main/loss', 'validation/main/loss', 'main/accuracy',
                'validation/main/accuracy', 'elapsed_time'):
        assert key in log[-1], key
    loss = [e['main/loss'] for e in log]
    assert loss[-1] < 0.5 * loss[0], loss
    assert log[-1]['validation/main/loss'] < 0.5 * log[0]['validation/main/loss']
    # The most frequent tag (NN) is a quarter of the words: the tagger is far above that.
    sentences = example.synthetic_sentences(600)
    tags = [t for s in sentences for _, t in s]
    baseline = max(tags.count(t) for t in set(tags)) / len(tags)
    assert baseline < 0.3
    accuracy = log[-1]['validation/main/accuracy']
    assert accuracy > 0.85 and accuracy > baseline + 0.5, (accuracy, baseline)
    assert (out / 'snapshot_iter_288').is_file()

    # argmax: the tags of each sentence in the order given, with its length; the
    # batch holds a one-word sentence and sentences of equal lengths.
    model = trainer.updater.get_optimizer('main').target
    _, vocab, pos_vocab = example.to_ids(sentences)
    sentence_words = ['the watch sees a fish .', 'fish', 'a big fish run slowly .',
                      'the cat fish .', 'some cat eats .', 'the old fish watch a bird today .']
    xs = [np.array([vocab[w] for w in s.split()], np.int32) for s in sentence_words]
    with chainer.using_config('train', False):
        predicted = model.argmax(xs)
        scores = [model.linear(model.embed(x)) for x in xs]
        _, expected = model.crf.argmax(scores, transpose=True)
    assert [len(p) for p in predicted] == [len(x) for x in xs]
    for p, e in zip(predicted, expected):
        assert p.dtype.kind == 'i'
        np.testing.assert_array_equal(p, e)
    # 'watch', 'fish' and 'run' are nouns or verbs: the neighbours decide, through the CRF.
    tag_names = {i: t for t, i in pos_vocab.items()}
    assert [' '.join(tag_names[int(t)] for t in predicted[i]) for i in (0, 2, 3)] == [
        'DT NN VB DT NN .', 'DT JJ NN VB RB .', 'DT NN VB .']
    # Viterbi is the best path: compare with all paths of the short sentences.
    cost = model.crf.cost.array
    for x, p, s in zip(xs, predicted, scores):
        if len(x) <= 4:
            assert tuple(p) == _brute_force_best(cost, s.array)


def test_model_loss_is_the_crf_negative_log_likelihood():
    example = _load_example()
    np.random.seed(3)
    model = example.CRF(n_vocab=7, n_pos=3, n_unit=5)
    model.crf.cost.array[...] = np.random.randn(3, 3).astype(np.float32)
    lengths = [2, 4, 1, 4, 3]  # unsorted, with a one-word sentence and equal lengths
    xs = [np.random.randint(0, 7, n).astype(np.int32) for n in lengths]
    ys = [np.random.randint(0, 3, n).astype(np.int32) for n in lengths]
    loss = model(xs, ys)
    cost = model.crf.cost.array
    with chainer.no_backprop_mode():
        scores = [model.linear(model.embed(x)).array for x in xs]
    expected = np.mean([_brute_force_nll(cost, s, y) for s, y in zip(scores, ys)])
    assert loss.dtype == np.float32
    np.testing.assert_allclose(loss.array, expected, rtol=1e-5)
    # The gradient reaches the transition costs and the embeddings of the words used.
    model.cleargrads()
    loss.backward()
    assert np.abs(model.crf.cost.grad).sum() > 0
    used = np.unique(np.concatenate(xs))
    unused = np.setdiff1d(np.arange(7), used)
    assert np.all(np.abs(model.embed.W.grad[used]).sum(axis=1) > 0)
    assert np.all(model.embed.W.grad[unused] == 0)

    tags = model.argmax(xs)
    assert [len(t) for t in tags] == lengths
    for t, s in zip(tags, scores):
        assert tuple(t) == _brute_force_best(cost, s)


def _write_conll(path: pathlib.Path) -> None:
    sentences = [('The DT B-NP', 'cat NN I-NP', 'sleeps VBZ B-VP', '. . O'),
                 ('A DT', 'dog NN', 'barks VBZ', '. .'),
                 ('Dogs NNS', 'bark VBP', '. .'),
                 ('Run VB',),
                 ('The DT', 'old JJ', 'dog NN', 'sleeps VBZ', '. .')]
    path.write_text('\n\n'.join('\n'.join(s) for s in sentences * 4) + '\n', encoding='utf-8')


def _fake_nltk(tagged_sents):
    brown = types.SimpleNamespace(tagged_sents=tagged_sents)
    return types.SimpleNamespace(corpus=types.SimpleNamespace(brown=brown))


def test_nltk_brown_corpus_is_read_when_installed(monkeypatch, capsys):
    example = _load_example()
    corpus = [[('Confidence', 'NN'), ('rose', 'VBD'), ('.', '.')], [('He', 'PRP')]]
    monkeypatch.setitem(sys.modules, 'nltk', _fake_nltk(lambda: corpus))
    assert example.load_sentences(None, 10) == corpus
    assert capsys.readouterr().err == ''

    def missing():
        raise LookupError('Resource brown not found.')
    monkeypatch.setitem(sys.modules, 'nltk', _fake_nltk(missing))
    sentences = example.load_sentences(None, 10)
    assert len(sentences) == 10 and 'synthetic' in capsys.readouterr().err


def test_conll_file_in_a_subprocess(tmp_path):
    data = tmp_path / 'train.txt'
    _write_conll(data)
    out = tmp_path / 'result'
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE), '--data', str(data), '-e', '2', '-b', '4', '-u', '8',
         '--seed', '0', '--out', str(out)],
        cwd=tmp_path, env=_env(tmp_path / 'root'), capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert 'synthetic' not in proc.stderr
    assert 'Device: @numpy' in proc.stdout
    # Words are lower-cased: the, cat, sleeps, ., a, dog, barks, dogs, bark, run, old.
    assert '# Vocabulary: 11' in proc.stdout and '# POS tags: 8' in proc.stdout
    assert '16 train, 4 validation' in proc.stdout
    log = json.loads((out / 'log').read_text())
    assert len(log) == 2 and 0 <= log[-1]['validation/main/accuracy'] <= 1
    with np.load(out / 'snapshot_iter_8') as f:
        assert f['updater/model:main/crf/cost'].shape == (8, 8)
        assert f['updater/model:main/embed/W'].shape == (11, 8)


@pytest.mark.usefixtures('offline', 'no_nltk')
def test_snapshot_and_resume(tmp_path, capsys):
    example = _load_example()
    out = tmp_path / 'out'
    args = ['--sentences', '100', '-b', '20', '-u', '8', '--seed', '1', '--out', str(out)]
    first = example.main(['-e', '2', '-f', '1', *args])
    snapshot = out / 'snapshot_iter_8'
    assert snapshot.is_file() and not (out / 'snapshot_iter_4').exists()  # n_retains=1
    cost = first.updater.get_optimizer('main').target.crf.cost.array.copy()
    with np.load(snapshot) as f:
        np.testing.assert_array_equal(f['updater/model:main/crf/cost'], cost)

    resumed = example.main(['-e', '3', '-f', '1', '--resume', str(snapshot), *args])
    assert resumed.updater.iteration == 12 and resumed.updater.epoch == 3
    log = json.loads((out / 'log').read_text())
    assert [e['epoch'] for e in log] == [1, 2, 3]
    assert (out / 'snapshot_iter_12').is_file()
    capsys.readouterr()


@pytest.mark.parametrize('argv', [['--batchsize', '0'], ['--epoch', '-1'], ['--unit', '0'],
                                  ['--sentences', '0'], ['--bogus']])
def test_bad_options_are_refused(argv, capsys):
    example = _load_example()
    with pytest.raises(SystemExit) as info:
        example.main(argv)
    assert info.value.code == 2


def test_bad_conll_file_is_refused(tmp_path):
    example = _load_example()
    data = tmp_path / 'bad.txt'
    data.write_text('The DT\ncat\n', encoding='utf-8')
    with pytest.raises(SystemExit, match='bad.txt:2'):
        example.main(['--data', str(data), '--out', str(tmp_path / 'out')])
    data.write_text('\n\n', encoding='utf-8')
    with pytest.raises(SystemExit, match='no tagged sentence'):
        example.main(['--data', str(data), '--out', str(tmp_path / 'out')])


@pytest.mark.gpu
@pytest.mark.usefixtures('offline', 'no_nltk')
def test_trains_on_gpu(tmp_path):
    example = _load_example()
    out = tmp_path / 'out'
    trainer = example.main(['-e', '2', *_SMALL, '-d', '@cupy:0', '--seed', '0',
                            '--out', str(out)])
    import cupy
    model = trainer.updater.get_optimizer('main').target
    assert isinstance(model.crf.cost.array, cupy.ndarray)
    log = json.loads((out / 'log').read_text())
    assert log[-1]['main/loss'] < log[0]['main/loss']
    tags = model.argmax([cupy.array([0, 1, 2], np.int32), cupy.array([3], np.int32)])
    assert [len(t) for t in tags] == [3, 1]
