"""The text classification example: nlp_utils, the encoders, training offline, the best model,
the classifier script, and the download path (refused offline, parsed from a filled cache).
"""
from __future__ import annotations

import csv
import hashlib
import importlib
import io
import json
import pathlib
import subprocess
import sys
import tarfile

import numpy as np
import pytest

import chainer
from tests.examples_tests.test_train_mnist import _env

REPO = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE_DIR = REPO / 'examples' / 'text_classification'
EXAMPLE = EXAMPLE_DIR / 'train_text_classifier.py'
RUNNER = EXAMPLE_DIR / 'run_text_classifier.py'
_MODULES = ('nets', 'nlp_utils', 'text_datasets', 'train_text_classifier',
            'run_text_classifier')


@pytest.fixture(scope='module')
def ex():
    """The example's modules, imported from its directory (as its scripts import them)."""
    saved_path = list(sys.path)
    saved = {name: sys.modules.pop(name) for name in _MODULES if name in sys.modules}
    sys.path.insert(0, str(EXAMPLE_DIR))
    try:
        yield type('Example', (), {name: importlib.import_module(name) for name in _MODULES})
    finally:
        sys.path[:] = saved_path
        for name in _MODULES:
            sys.modules.pop(name, None)
        sys.modules.update(saved)


# --- nlp_utils ---------------------------------------------------------------------------------

def test_split_and_normalize(ex):
    u = ex.nlp_utils
    assert u.normalize_text('  Hello World \n') == 'hello world'
    assert u.split_text('a  bc\td') == ['a', 'bc', 'd']
    assert u.split_text('ab c', char_based=True) == ['a', 'b', ' ', 'c']


def test_make_vocab_limits(ex):
    u = ex.nlp_utils
    data = [(['b', 'a', 'c', 'a'], 0), (['b', 'a', 'd', 'e'], 1), (['c', 'b', 'e'], 0)]
    # a: 3, b: 3, c: 2, e: 2, d: 1 — by count, ties alphabetically; d is too rare.
    assert u.make_vocab(data) == {'<eos>': 0, '<unk>': 1, 'a': 2, 'b': 3, 'c': 4, 'e': 5}
    assert u.make_vocab(data, min_freq=1)['d'] == 6
    assert u.make_vocab(data, min_freq=3) == {'<eos>': 0, '<unk>': 1, 'a': 2, 'b': 3}
    assert u.make_vocab(data, max_vocab_size=4) == {'<eos>': 0, '<unk>': 1, 'a': 2, 'b': 3}
    assert u.make_vocab([], max_vocab_size=4) == {'<eos>': 0, '<unk>': 1}


def test_read_vocab_list(ex, tmp_path):
    path = tmp_path / 'vocab.txt'
    path.write_text('x\n\ny\nx\nz\n', encoding='utf-8')
    assert ex.nlp_utils.read_vocab_list(str(path)) == {'<eos>': 0, '<unk>': 1, 'x': 2, 'y': 3,
                                                        'z': 4}
    assert len(ex.nlp_utils.read_vocab_list(str(path), max_vocab_size=3)) == 3


def test_arrays_unknown_words_and_eos(ex):
    u = ex.nlp_utils
    vocab = {'<eos>': 0, '<unk>': 1, 'a': 2, 'b': 3}
    ids = u.make_array(['a', 'zzz', 'b'], vocab)
    assert ids.dtype == np.int32 and ids.tolist() == [2, 1, 3, 0]
    assert u.make_array(['b'], vocab, add_eos=False).tolist() == [3]
    pairs = u.transform_to_array([(['a'], 1), (['q', 'b'], 0)], vocab)
    assert [(x.tolist(), y.tolist()) for x, y in pairs] == [([2, 0], [1]), ([1, 3, 0], [0])]
    assert pairs[0][1].dtype == np.int32
    plain = u.transform_to_array([['b', 'b']], vocab, with_label=False)
    assert [x.tolist() for x in plain] == [[3, 3, 0]]


def test_convert_seq_keeps_lengths(ex):
    u = ex.nlp_utils
    batch = [(np.array([2, 3, 0], np.int32), np.array([1], np.int32)),
             (np.array([4, 0], np.int32), np.array([0], np.int32))]
    for device in (None, -1, '@numpy', chainer.get_device('@numpy')):
        out = u.convert_seq(batch, device)
        assert [x.tolist() for x in out['xs']] == [[2, 3, 0], [4, 0]]
        assert [y.tolist() for y in out['ys']] == [[1], [0]]
    xs = u.convert_seq([x for x, _ in batch], -1, with_label=False)
    assert [x.tolist() for x in xs] == [[2, 3, 0], [4, 0]]


# --- the encoders ------------------------------------------------------------------------------

_XS = [np.array([5, 2, 7, 0], np.int32), np.array([3, 0], np.int32),
       np.array([1, 4, 6, 6, 2, 0], np.int32)]


def test_block_embed_pads_with_zero_vectors(ex):
    import chainer.functions as F
    import chainer.links as L
    embed = L.EmbedID(8, 5, ignore_label=-1)
    block = ex.nets.block_embed(embed, F.pad_sequence(_XS, padding=-1))
    assert block.shape == (3, 5, 6, 1)
    assert np.all(block.array[1, :, 2:] == 0)
    np.testing.assert_array_equal(block.array[1, :, :2, 0], embed.W.array[[3, 0]].T)


@pytest.mark.parametrize('kind', ['bow', 'rnn'])
def test_encoding_does_not_depend_on_the_batch(ex, kind):
    # Mean over time of the true tokens only; the LSTM's last state of each ragged sequence.
    rng = np.random.RandomState(0)
    with chainer.using_config('train', False):
        if kind == 'bow':
            encoder = ex.nets.BOWEncoder(8, 6)
            expected = [encoder.embed.W.array[x].mean(axis=0) for x in _XS]
        else:
            encoder = ex.nets.RNNEncoder(2, 8, 6)
            expected = [encoder([x]).array[0] for x in _XS]
        together = encoder(_XS).array
        shuffled = [_XS[i] for i in rng.permutation(3)]
        assert encoder(shuffled).shape == (3, 6)
    np.testing.assert_allclose(together, np.stack(expected), rtol=1e-5, atol=1e-6)


def test_classifier_shapes_and_gradients(ex):
    for encoder in (ex.nets.RNNEncoder(1, 8, 6), ex.nets.CNNEncoder(2, 8, 9),
                    ex.nets.BOWMLPEncoder(1, 8, 6)):
        model = ex.nets.TextClassifier(encoder, 3)
        ys = [np.array([k % 3], np.int32) for k in range(3)]
        loss = model(_XS, ys)
        assert loss.shape == () and np.isfinite(loss.array)
        model.cleargrads()
        loss.backward()
        assert all(p.grad is not None and np.isfinite(p.grad).all() for p in model.params())
        with chainer.using_config('train', False):
            probs = model.predict(_XS, softmax=True)
            labels = model.predict(_XS, argmax=True)
        assert probs.shape == (3, 3)
        np.testing.assert_allclose(probs.sum(axis=1), 1, rtol=1e-5)
        assert labels.tolist() == probs.argmax(axis=1).tolist()
    assert ex.nets.CNNEncoder(1, 8, 10).out_units == 9


# --- training offline -------------------------------------------------------------------------

_RUNS = {  # seeded short runs; the best validation accuracy is near 0.95 (chance: 0.25)
    'bow': ['-u', '32', '-e', '8', '-b', '32'],
    'rnn': ['-u', '24', '-e', '6', '-b', '32'],
    'cnn': ['-u', '30', '-e', '4', '-b', '32', '--dropout', '0'],
}


def _accuracy(model, dataset, convert_seq, batchsize: int) -> float:
    # As the Evaluator reports it: the mean of the accuracies of the batches.
    accuracies = []
    for i in range(0, len(dataset), batchsize):
        batch = convert_seq(dataset[i:i + batchsize], None)
        with chainer.using_config('train', False), chainer.no_backprop_mode():
            labels = model.predict(batch['xs'], argmax=True)
        accuracies.append(np.mean(labels == np.concatenate(batch['ys'])))
    return float(np.mean(accuracies))


@pytest.mark.usefixtures('offline')
@pytest.mark.parametrize('kind', sorted(_RUNS))
def test_learns_synthetic_corpus_offline(ex, kind, tmp_path, capsys):
    out = tmp_path / 'out'
    trainer = ex.train_text_classifier.main(
        ['--model', kind, *_RUNS[kind], '--seed', '0', '-o', str(out)])
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert len(err) == 1 and 'synthetic' in err[0] and 'imdb.binary' in err[0], err
    assert '# train data: 1200' in captured.out and '# class: 4' in captured.out
    epochs = int(_RUNS[kind][3])
    assert trainer.updater.iteration == epochs * 1200 // 32  # 1,200 sentences, batches of 32

    log = json.loads((out / 'log').read_text())
    assert [e['epoch'] for e in log] == list(range(1, epochs + 1))
    for key in ('main/loss', 'main/accuracy', 'validation/main/loss',
                'validation/main/accuracy', 'elapsed_time'):
        assert all(np.isfinite(e[key]) for e in log), key
    val_acc = [e['validation/main/accuracy'] for e in log]
    assert max(val_acc) > 0.75, val_acc
    assert log[-1]['validation/main/loss'] < 0.6 * log[0]['validation/main/loss']

    # best_model.npz holds the model of the epoch with the best validation accuracy.
    vocab = json.loads((out / 'vocab.json').read_text())
    assert vocab['<eos>'] == 0 and vocab['<unk>'] == 1 and len(vocab) > 100
    model = ex.nets.TextClassifier(
        ex.train_text_classifier.ENCODERS[kind](n_layers=1, n_vocab=len(vocab),
                                                n_units=int(_RUNS[kind][1])), 4)
    chainer.serializers.load_npz(str(out / 'best_model.npz'), model)
    _, test, _ = ex.text_datasets.get_synthetic()
    assert _accuracy(model, test, ex.nlp_utils.convert_seq, 32) == pytest.approx(max(val_acc))

    setup = json.loads((out / 'args.json').read_text())
    assert setup['model'] == kind and setup['n_class'] == 4 and not setup['char_based']
    assert setup['model_path'] == str(out / 'best_model.npz')
    assert setup['vocab_path'] == str(out / 'vocab.json')
    assert not [p for p in out.iterdir() if p.name.startswith(('tmp', '.'))]


def test_best_model_written_only_on_improvement(ex, tmp_path, monkeypatch):
    """A fall in validation accuracy leaves the best model of the earlier epoch in place."""
    scores = iter([0.5, 0.8, 0.6, 0.8, 0.9])
    written = []
    from chainer.training import extensions

    class Scripted(extensions.Evaluator):
        def evaluate(self):
            return {'validation/main/accuracy': next(scores)}

    real_snapshot_object = extensions.snapshot_object

    def recording_snapshot_object(target, filename, **kwargs):
        snapshot = real_snapshot_object(target, filename, **kwargs)

        @chainer.training.make_extension()
        def record(trainer):
            written.append(trainer.updater.epoch)
            snapshot(trainer)
        return record

    monkeypatch.setattr(ex.train_text_classifier.extensions, 'Evaluator', Scripted)
    monkeypatch.setattr(ex.train_text_classifier.extensions, 'snapshot_object',
                        recording_snapshot_object)
    monkeypatch.setattr(ex.train_text_classifier, 'load_dataset',
                        lambda name, char_based: _tiny_dataset(ex))
    ex.train_text_classifier.main(['--model', 'bow', '-u', '4', '-e', '5', '-b', '4',
                                   '-o', str(tmp_path / 'out')])
    assert written == [1, 2, 5]
    assert (tmp_path / 'out' / 'best_model.npz').is_file()


def _tiny_dataset(ex):
    texts = [(['a', 'b'], 0), (['c'], 1), (['a', 'c', 'c'], 1), (['b'], 0)] * 2
    vocab = ex.nlp_utils.make_vocab(texts)
    data = ex.nlp_utils.transform_to_array(texts, vocab)
    return data, data, vocab


@pytest.mark.usefixtures('offline')
def test_char_based_and_test_subset(ex, tmp_path, capsys):
    trainer = ex.train_text_classifier.main(
        ['--model', 'bow', '--char-based', '--test', '-u', '8', '-e', '1', '-b', '50',
         '--seed', '0', '-o', str(tmp_path / 'out')])
    out = capsys.readouterr().out
    assert '# train data: 100' in out and '# test  data: 100' in out
    assert trainer.updater.iteration == 2
    vocab = json.loads((tmp_path / 'out' / 'vocab.json').read_text())
    assert all(len(word) == 1 for word in vocab if word not in ('<eos>', '<unk>'))
    assert ' ' in vocab  # the characters of the normalised text, spaces included


# --- the classifier script --------------------------------------------------------------------

def test_train_then_classify_stdin(ex, tmp_path):
    """Train in a subprocess (relative --out), then classify from another directory."""
    work = tmp_path / 'work'
    work.mkdir()
    env = _env(tmp_path / 'root')
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE), '--model', 'bow', *_RUNS['bow'], '--seed', '0',
         '-o', 'result'], cwd=work, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert 'Device: @numpy' in proc.stdout
    assert [line.split() for line in proc.stdout.splitlines()].count(
        ['epoch', 'main/loss', 'validation/main/loss', 'main/accuracy',
         'validation/main/accuracy', 'elapsed_time']) == 1
    assert json.loads((work / 'result' / 'args.json').read_text())['model_path'] == \
        'result/best_model.npz'

    # Sentences of one class's topic words (upper case, trailing spaces), a blank line, and
    # words never seen.
    topics = ex.text_datasets.synthetic_topic_words()
    topic_lines = [' '.join(words[:6]).upper() + '  ' for words in topics]
    stdin = '\n'.join(topic_lines[:2] + [''] + topic_lines[2:] + ['qqq www']) + '\n'
    elsewhere = tmp_path / 'elsewhere'
    elsewhere.mkdir()
    proc = subprocess.run(
        [sys.executable, str(RUNNER), '--model-setup', str(work / 'result' / 'args.json')],
        input=stdin, cwd=elsewhere, env=env, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert len(lines) == 6 and lines[2] == '# blank line'
    rows = [line.split('\t') for i, line in enumerate(lines) if i != 2]
    assert [int(r[0]) for r in rows[:4]] == [0, 1, 2, 3]
    assert [r[2] for r in rows[:4]] == [line.strip().lower() for line in topic_lines]
    assert rows[4][2] == 'qqq www'
    assert all(0.25 <= float(r[1]) <= 1 for r in rows)
    assert all(float(r[1]) > max(0.8, float(rows[4][1])) for r in rows[:4])


@pytest.mark.parametrize('kind', ['rnn', 'bow'])
def test_run_batch_same_answers_in_any_batch_size(ex, kind):
    np.random.seed(0)  # the weights (the global state is restored after the test)
    vocab = {'<eos>': 0, '<unk>': 1, 'a': 2, 'b': 3, 'c': 4}
    setup = {'char_based': False}
    encoder = ex.run_text_classifier.ENCODERS[kind](n_layers=1, n_vocab=5, n_units=6)
    model = ex.nets.TextClassifier(encoder, 3)
    lines = ['a b c a\n', 'B\n', '\n', 'c c zz b a a\n', 'a\n', ' \n', 'b c\n']
    device = chainer.get_device('@numpy')
    outputs = []
    for batchsize in (1, 2, 64):
        out = io.StringIO()
        ex.run_text_classifier.run_batch(model, vocab, setup, device, iter(lines), out,
                                         batchsize=batchsize)
        outputs.append(out.getvalue().splitlines())
    assert outputs[0] == outputs[1] == outputs[2]
    assert [line.split('\t')[-1] for line in outputs[0]] == [
        'a b c a', 'b', '# blank line', 'c c zz b a a', 'a', '# blank line', 'b c']


# --- the downloaded datasets --------------------------------------------------------------------

def test_downloads_refused_offline(ex, offline):
    td = ex.text_datasets
    for load in (td.get_dbpedia, td.get_imdb, lambda: td.get_other_text_dataset('TREC'),
                 lambda: td.get_other_text_dataset('subj')):
        with pytest.raises(OSError, match='network blocked'):
            load()
    assert not (offline / 'pfnet' / 'chainer' / 'imdb' / 'aclImdb').exists()
    assert [p.name for p in (offline / '_dl_cache').iterdir()] == ['_dl_lock']
    with pytest.raises(ValueError, match='unknown dataset'):
        td.get_other_text_dataset('nope')


def _cache_path(root: pathlib.Path, url: str) -> pathlib.Path:
    cache = root / '_dl_cache'
    cache.mkdir(parents=True, exist_ok=True)
    return cache / hashlib.md5(url.encode('utf-8')).hexdigest()


def _add(tf: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    tf.addfile(info, io.BytesIO(data))


def test_datasets_parsed_from_the_download_cache(ex, offline):
    td = ex.text_datasets
    # TREC: '<label> <text>' lines, a training and a test file.
    _cache_path(offline, td.URL_OTHER_BASE + 'TREC.train.all').write_text(
        '0 What is X ?\n1 Who is Y ?\n0 What is Z ?\n', encoding='utf-8')
    _cache_path(offline, td.URL_OTHER_BASE + 'TREC.test.all').write_text(
        '1 Who is X ?\n', encoding='utf-8')
    train, test, vocab = td.get_other_text_dataset('TREC')
    assert vocab == {'<eos>': 0, '<unk>': 1, '?': 2, 'is': 3, 'what': 4}  # ties: alphabetical
    assert [y.tolist() for _, y in train] == [[0], [1], [0]]
    assert train[0][0].tolist() == [4, 3, 1, 2, 0]  # what is x ? <eos>
    assert [(x.tolist(), y.tolist()) for x, y in test] == [([1, 3, 1, 2, 0], [1])]
    _, _, given = td.get_other_text_dataset('TREC', vocab={'<eos>': 0, '<unk>': 1})
    assert given == {'<eos>': 0, '<unk>': 1}

    # subj: one file, split 9:1 at random.
    _cache_path(offline, td.URL_OTHER_BASE + 'subj.all').write_text(
        ''.join(f'{i % 2} w{i} common\n' for i in range(20)), encoding='utf-8')
    train, test, _ = td.get_other_text_dataset('subj')
    assert (len(train), len(test)) == (18, 2)

    # DBpedia: CSV rows 'label,title,text' in a tar.gz, labels from 1.
    with tarfile.open(_cache_path(offline, td.URL_DBPEDIA), 'w:gz') as tf:
        for split, rows in (('train', [('1', 't', 'An apple'), ('3', 't', 'a, b')]),
                            ('test', [('2', 't', 'apple')])):
            buffer = io.StringIO()
            csv.writer(buffer).writerows(rows)
            _add(tf, f'dbpedia_csv/{split}.csv', buffer.getvalue().encode('utf-8'))
    train, test, vocab = td.get_dbpedia(vocab=None)
    assert [y.tolist() for _, y in train] == [[0], [2]]
    assert [y.tolist() for _, y in test] == [[1]]
    assert train[1][0].tolist() == [1, 1, 0]  # 'a,' and 'b': seen once each

    # IMDB: rated reviews in aclImdb/<split>/{pos,neg}/<id>_<rating>.txt, extracted once.
    with tarfile.open(_cache_path(offline, td.URL_IMDB), 'w:gz') as tf:
        for split in ('train', 'test'):
            _add(tf, f'aclImdb/{split}/pos/0_9.txt', b'Great film')
            _add(tf, f'aclImdb/{split}/pos/1_7.txt', b'Good film')
            _add(tf, f'aclImdb/{split}/neg/2_1.txt', b'Awful film')
    train, test, vocab = td.get_imdb()
    assert sorted(y.item() for _, y in train) == [0, 0, 1]
    assert (offline / 'pfnet' / 'chainer' / 'imdb' / 'aclImdb' / 'test' / 'neg').is_dir()
    train, _, _ = td.get_imdb(fine_grained=True, vocab=vocab)
    assert sorted(y.item() for _, y in train) == [0, 2, 3]


@pytest.mark.parametrize('argv', [
    ['--model', 'lstm'],
    ['--dataset', 'mnist'],
    ['--batchsize', '0'],
    ['--unit', '2'],
    ['--dropout', '1.5'],
])
def test_bad_options_refused(ex, argv, capsys):
    with pytest.raises(SystemExit) as info:
        ex.train_text_classifier.parse_args(argv)
    assert info.value.code == 2
    assert 'error' in capsys.readouterr().err


@pytest.mark.gpu
@pytest.mark.usefixtures('offline')
@pytest.mark.parametrize('kind', ['bow', 'cnn', 'rnn'])
def test_one_epoch_on_gpu(ex, kind, tmp_path):
    import cupy
    out = tmp_path / 'out'
    trainer = ex.train_text_classifier.main(
        ['--model', kind, '--test', '-u', '12', '-e', '1', '-b', '50', '-d', '@cupy:0',
         '--seed', '0', '-o', str(out)])
    model = trainer.updater.get_optimizer('main').target
    assert isinstance(model.output.W.array, cupy.ndarray)
    log = json.loads((out / 'log').read_text())
    assert 0 <= log[-1]['validation/main/accuracy'] <= 1
    assert (out / 'best_model.npz').is_file()
