"""The seq2seq example: learns the synthetic task, BLEU, greedy decoding, files, resume."""
from __future__ import annotations

import json
import math
import pathlib
import subprocess
import sys

import numpy as np
import pytest

import chainer
from tests.examples_tests.test_train_mnist import _env
from tests.examples_tests._example import load_example

REPO = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = REPO / 'examples' / 'seq2seq' / 'seq2seq.py'


@pytest.fixture(scope='module')
def example():
    return load_example(EXAMPLE, 'seq2seq_example')


# --- corpus BLEU against values worked out by hand ---------------------------------------

@pytest.mark.parametrize('refs, hyps, expected', [
    # identical sentences
    ([[[1, 2, 3, 4, 5]]], [[1, 2, 3, 4, 5]], 1.),
    # 3/4 unigrams, 2/3 bigrams, 1/2 trigrams, no 4-gram match: smoothed to 0.1/1
    ([[[1, 2, 3, 5]]], [[1, 2, 3, 4]], (3 / 4 * 2 / 3 * 1 / 2 * 0.1 / 1) ** 0.25),
    # all precisions 1, hypothesis 4 words against 6: brevity penalty exp(1 - 6/4)
    ([[[1, 2, 3, 4, 5, 6]]], [[1, 2, 3, 4]], math.exp(-0.5)),
    # clipping: '7' counts once; no bigram/trigram/4-gram match (3, 2, 1 of them)
    ([[[7, 8, 9, 10]]], [[7, 7, 7, 7]], (1 / 4 * 0.1 / 3 * 0.1 / 2 * 0.1 / 1) ** 0.25),
    # corpus sums: 7/7 unigrams, 5/5 bigrams, 3/(3+1) trigrams, 2/(2+1) 4-grams; the second
    # hypothesis (2 words) is as close to a 3-word as to a 1-word reference: the shorter
    # counts, r = 5 + 1 < c = 7, no penalty
    ([[[1, 2, 3, 4, 5]], [[6, 7, 8], [6]]], [[1, 2, 3, 4, 5], [6, 7]], (3 / 4 * 2 / 3) ** 0.25),
    # no unigram in common, and empty hypotheses
    ([[[1, 2]]], [[3, 4]], 0.),
    ([[[1, 2]], [[3]]], [[], []], 0.),
])
def test_corpus_bleu_hand_computed(example, refs, hyps, expected):
    assert example.corpus_bleu(refs, hyps) == pytest.approx(expected, rel=1e-12)


def test_corpus_bleu_refuses_mismatched_lists(example):
    with pytest.raises(ValueError):
        example.corpus_bleu([[[1]]], [[1], [2]])


# --- greedy decoding ---------------------------------------------------------------------

def _biased_model(example, word):
    """A model whose output layer always prefers ``word``."""
    model = example.Seq2seq(1, 6, 7, 4)
    model.W.W.array[...] = 0
    model.W.b.array[...] = 0
    model.W.b.array[word] = 5
    return model


def test_translate_stops_at_eos_and_respects_max_length(example):
    xs = [np.array([2, 3, 4], np.int32), np.array([5], np.int32)]
    ended = _biased_model(example, example.EOS).translate(xs)
    assert [y.tolist() for y in ended] == [[], []]
    endless = _biased_model(example, 3).translate(xs, max_length=7)
    assert [y.tolist() for y in endless] == [[3] * 7, [3] * 7]
    assert all(y.dtype == np.int32 and isinstance(y, np.ndarray) for y in endless)
    assert [len(y) for y in _biased_model(example, 3).translate(xs, max_length=0)] == [0, 0]


def test_convert_keeps_sentences_apart(example):
    batch = [(np.array([2, 3], np.int32), np.array([4], np.int32)),
             (np.array([5], np.int32), np.array([6, 7, 8], np.int32))]
    out = example.convert(batch, chainer.get_device('@numpy'))
    assert [x.tolist() for x in out['xs']] == [[2, 3], [5]]
    assert [y.tolist() for y in out['ys']] == [[4], [6, 7, 8]]
    assert example.convert(batch, -1)['ys'][1].tolist() == [6, 7, 8]


# --- training on the synthetic task --------------------------------------------------------

def test_learns_synthetic_task(example, tmp_path, capsys):
    out = tmp_path / 'out'
    trainer = example.main(['-u', '64', '-l', '1', '-e', '3', '--log-interval', '60',
                            '--validation-interval', '60', '--seed', '1', '-o', str(out)])
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert len(err) == 1 and 'synthetic' in err[0]
    assert 'Train data size: 4000' in captured.out
    assert captured.out.count('# source : ') == 3  # every 60 of 188 iterations
    assert '# result : ' in captured.out and '# expect : ' in captured.out
    assert trainer.updater.iteration == 188  # 3 epochs of 4,000 pairs in batches of 64

    log = json.loads((out / 'log').read_text())
    assert [e['iteration'] for e in log] == [60, 120, 180]
    loss = [e['main/loss'] for e in log]
    perp = [e['main/perp'] for e in log]
    bleu = [e['validation/main/bleu'] for e in log]
    assert loss[-1] < 0.6 * loss[0], loss
    assert perp[-1] < 0.5 * perp[0] and perp[-1] >= 1, perp
    assert bleu[-1] > 0.3 and bleu[-1] > 3 * bleu[0], bleu

    model = trainer.updater.get_optimizer('main').target
    sources = [np.array([5, 3, 9, 2], np.int32), np.array([4], np.int32),  # "three one seven
               np.array([2, 3, 4, 5, 6, 7, 8], np.int32)]                # zero", "two", ...
    batched = model.translate(sources)
    assert [y.tolist() for y in batched] == [model.translate([x])[0].tolist() for x in sources]
    assert all(example.EOS not in y.tolist() for y in batched)
    assert len(batched[1]) < len(batched[2])
    short = model.translate(sources, max_length=2)
    assert [y.tolist() for y in short] == [y[:2].tolist() for y in batched]


# --- tokenised files ---------------------------------------------------------------------

def _write(path: pathlib.Path, lines) -> str:
    path.write_text(''.join(line + '\n' for line in lines), encoding='utf-8')
    return str(path)


def _corpus(tmp_path: pathlib.Path) -> list[str]:
    words = ['a', 'b', 'c', 'd']
    src = ['a b', 'b c d', 'a a a a a a', '', 'd c', 'c', 'b a']
    tgt = ['A B', 'B C D', 'A A A A A A', 'A', 'D C', 'C X', 'B A A A A A']
    return [_write(tmp_path / 'train.src', src), _write(tmp_path / 'train.tgt', tgt),
            _write(tmp_path / 'vocab.src', words),
            _write(tmp_path / 'vocab.tgt', [w.upper() for w in words]),
            '--validation-source', _write(tmp_path / 'valid.src', ['a b', '', 'c d']),
            '--validation-target', _write(tmp_path / 'valid.tgt', ['A B', 'A', 'C D'])]


def test_files_filtering_save_and_resume(example, tmp_path):
    corpus = _corpus(tmp_path)
    out = tmp_path / 'result'
    save = out / 'final.npz'
    # Pairs kept: source 1-5 words, target 1-4 words (4 of the 7 lines), batches of 2.
    args = [*corpus, '--max-source-sentence', '5', '--max-target-sentence', '4',
            '-u', '8', '-l', '2', '-b', '2', '--log-interval', '2',
            '--validation-interval', '2', '--seed', '0', '-o', str(out)]
    proc = subprocess.run([sys.executable, str(EXAMPLE), *args, '-e', '2', '--save', str(save)],
                          cwd=tmp_path, env=_env(tmp_path / 'root'), capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ''
    assert 'Device: @numpy' in proc.stdout
    header = ['epoch', 'iteration', 'main/loss', 'main/perp', 'validation/main/bleu',
              'elapsed_time']
    assert [line.split() for line in proc.stdout.splitlines()].count(header) == 1
    assert 'Source vocabulary size: 6' in proc.stdout
    assert 'Train data size: 4' in proc.stdout
    assert 'Train target unknown ratio: 11.11%' in proc.stdout  # 'X' among 9 words
    assert '# expect : A B' in proc.stdout or '# expect : C D' in proc.stdout
    log = json.loads((out / 'log').read_text())
    assert [e['iteration'] for e in log] == [2, 4]
    assert all(0 <= e['validation/main/bleu'] <= 1 for e in log)
    with np.load(save) as f:
        assert f['updater/model:main/embed_x/W'].shape == (6, 8)
        assert int(f['updater/iteration']) == 4

    trainer = example.main([*args, '-e', '3', '--resume', str(save)])
    assert trainer.updater.iteration == 6
    assert [e['iteration'] for e in json.loads((out / 'log').read_text())] == [2, 4, 6]


@pytest.mark.parametrize('argv', [
    ['only_source.txt'],
    ['s', 't', 'sv'],
    ['--validation-source', 'v.src'],
    ['--batchsize', '0'],
    ['--unit', '-3'],
])
def test_bad_options_refused(example, argv, capsys):
    with pytest.raises(SystemExit) as info:
        example.parse_args(argv)
    assert info.value.code == 2
    assert 'error' in capsys.readouterr().err


def test_mismatched_files_refused(example, tmp_path):
    corpus = _corpus(tmp_path)
    corpus[1] = _write(tmp_path / 'short.tgt', ['A'])
    with pytest.raises(SystemExit, match='7 sentences'):
        example.main([*corpus, '-u', '4', '-l', '1', '-o', str(tmp_path / 'o')])


@pytest.mark.gpu
def test_one_epoch_on_gpu(example, tmp_path):
    import cupy
    out = tmp_path / 'out'
    trainer = example.main(['-u', '16', '-l', '1', '-e', '1', '--log-interval', '30',
                            '--validation-interval', '30', '-d', '@cupy:0', '--seed', '0',
                            '-o', str(out)])
    model = trainer.updater.get_optimizer('main').target
    assert isinstance(model.W.W.array, cupy.ndarray)
    result = model.translate([cupy.array([2, 3], np.int32)], max_length=4)[0]
    assert isinstance(result, np.ndarray) and len(result) <= 4
    log = json.loads((out / 'log').read_text())
    assert log[-1]['main/loss'] < log[0]['main/loss']
    assert 0 <= log[-1]['validation/main/bleu'] <= 1
