"""The sentiment example: the tree parser, learning synthetic trees offline, --data, the zip."""
from __future__ import annotations

import collections
import hashlib
import pathlib
import subprocess
import sys
import zipfile

import numpy as np
import pytest

import chainer
from tests.examples_tests.test_train_mnist import _env
from tests.examples_tests._example import load_example
# Fixtures: the global random state restored after each test; no dataset, no network.

REPO = pathlib.Path(__file__).resolve().parents[2]
EXAMPLE = REPO / 'examples' / 'sentiment' / 'train_sentiment.py'

_TRAIN = ['(3 (2 It) (4 (2 \'s) (4 good)))',
          '(1 (2 (2 The) (2 plot)) (1 (2 is) (1 dull)))',
          '(4 (2 It) (4 (2 \'s) (4 (2 very) (4 good))))']
_TEST = ['(0 (2 It) (0 (2 \'s) (0 awful)))', '(2 plot)']


def _load_example():
    return load_example(EXAMPLE, 'train_sentiment')


def _write_trees(directory: pathlib.Path) -> pathlib.Path:
    directory.mkdir(parents=True, exist_ok=True)
    for split, lines in (('train', _TRAIN), ('dev', _TEST[:1]), ('test', _TEST)):
        (directory / f'{split}.txt').write_text('\n'.join(lines) + '\n', encoding='utf-8')
    return directory


def test_parser_labels_structure_and_vocabulary(tmp_path):
    example = _load_example()
    assert example.parse_sexp(_TRAIN[0]) == ['3', ['2', 'It'], ['4', ['2', "'s"], ['4', 'good']]]
    vocab = {'<unk>': 0}
    tree = example.convert_tree(vocab, example.parse_sexp(_TRAIN[0]))
    assert vocab == {'<unk>': 0, 'It': 1, "'s": 2, 'good': 3}
    assert tree == {'label': 3, 'node': ({'label': 2, 'node': 1},
                                         {'label': 4, 'node': ({'label': 2, 'node': 2},
                                                               {'label': 4, 'node': 3})})}
    # Known words keep their ids; with grow=False a new word is <unk> and vocab stays.
    again = example.convert_tree(vocab, example.parse_sexp(_TEST[0]), grow=False)
    assert again['node'][0]['node'] == 1
    assert again['node'][1]['node'][1] == {'label': 0, 'node': 0}
    assert len(vocab) == 4
    example.convert_tree(vocab, example.parse_sexp(_TEST[0]))
    assert vocab['awful'] == 4

    path = _write_trees(tmp_path / 'trees') / 'train.txt'
    assert len(example.read_corpus(str(path))) == 3
    assert example.read_corpus(str(path), max_size=2) == [example.parse_sexp(t)
                                                          for t in _TRAIN[:2]]
    for bad in ('(3 (2 a) (2 b)', '(3 (2 a)) (2 b)', '(3 (2 a) (2 b) (2 c))'):
        with pytest.raises(ValueError):
            example.convert_tree({'<unk>': 0}, example.parse_sexp(bad))
    # Synthetic labels follow the rules: negation flips, intensifiers go to the extreme,
    # sentiments add up.
    leaf, compose = example._leaf, example._compose
    not_good = compose(leaf('not'), leaf('good'))
    sentence = compose(compose(leaf('the'), leaf('film')), compose(leaf('is'), not_good))
    assert example.to_sexp(sentence) == '(1 (2 (2 the) (2 film)) (1 (2 is) (1 (2 not) (3 good))))'
    assert compose(leaf('very'), leaf('bad'))[0] == '0'
    assert compose(leaf('great'), compose(leaf('and'), leaf('dull')))[0] == '3'


def test_loss_and_one_adagrad_step_match_numpy():
    example = _load_example()
    np.random.seed(1)
    model = example.RecursiveNet(n_vocab=5, n_units=4, n_label=3)
    tree = {'label': 2, 'node': ({'label': 0, 'node': 1},
                                 {'label': 1, 'node': ({'label': 2, 'node': 3},
                                                       {'label': 1, 'node': 4})})}
    E, W, b = model.embed.W.array, model.l.W.array, model.l.b.array
    V, c = model.w.W.array, model.w.b.array

    def reference(node):
        if isinstance(node['node'], tuple):
            (l_loss, lv), (r_loss, rv) = map(reference, node['node'])
            v, loss = np.tanh(W @ np.concatenate([lv, rv]) + b), l_loss + r_loss
        else:
            v, loss = E[node['node']], 0.
        y = V @ v + c
        return loss + np.logaddexp.reduce(y) - y[node['label']], v

    counts = collections.defaultdict(int)
    loss, v = model.traverse(tree, evaluate=counts)
    expected_loss, expected_v = reference(tree)
    np.testing.assert_allclose(float(loss.array), expected_loss, rtol=1e-5)
    np.testing.assert_allclose(v.array[0], expected_v, rtol=1e-5, atol=1e-6)
    assert counts['total_node'] == 5 and counts['total_root'] == 1

    optimizer = chainer.optimizers.AdaGrad(lr=0.1)
    optimizer.setup(model)
    optimizer.add_hook(chainer.optimizer_hooks.WeightDecay(0.0001))
    model.cleargrads()
    loss.backward()
    before = {name: p.array.copy() for name, p in model.namedparams()}
    grads = {name: p.grad.copy() for name, p in model.namedparams()}
    optimizer.update()
    assert np.all(grads['/embed/W'][[0, 2]] == 0)  # words not in the tree
    for name, param in model.namedparams():
        g = grads[name] + 0.0001 * before[name]
        expected = before[name] - 0.1 * g / (np.sqrt(g * g) + 1e-8)
        np.testing.assert_allclose(param.array, expected, rtol=1e-5, atol=1e-6, err_msg=name)


@pytest.mark.parametrize('seed', [0, 1])
def test_learns_the_synthetic_treebank_offline(offline, capsys, seed):
    example = _load_example()
    result = example.main(['--epoch', '6', '--trees', '200', '--epocheval', '3',
                           '--batchsize', '10', '--seed', str(seed)])
    captured = capsys.readouterr()
    err = captured.err.splitlines()
    assert len(err) == 1 and 'synthetic' in err[0] and 'trainDevTestTrees' in err[0], err
    assert '200 train, 40 dev, 40 test' in captured.out
    assert captured.out.count('Test data evaluation:') == 2
    assert not list(offline.glob('_dl_cache/[0-9a-f]*'))  # nothing half-downloaded left

    history = result['history']
    assert len(history['loss']) == 6 and len(history['test']) == 2
    assert history['loss'][-1] < 0.5 * history['loss'][0], history['loss']
    roots = collections.Counter(t['label'] for t in result['trees']['test'])
    baseline = 100. * max(roots.values()) / sum(roots.values())
    assert baseline < 45
    node_acc, root_acc = history['test'][-1]
    assert root_acc > baseline + 25, (root_acc, baseline)
    assert node_acc > 85
    assert history['train'][-1][1] > history['train'][0][1]


def test_reads_the_downloaded_zip(tmp_path, offline, capsys):
    # The archive in the download cache, where cached_download keeps the URL's file.
    example = _load_example()
    cache = offline / '_dl_cache'
    cache.mkdir(parents=True)
    name = hashlib.md5(example.URL.encode('utf-8')).hexdigest()
    with zipfile.ZipFile(cache / name, 'w') as archive:
        for split, lines in (('train', _TRAIN), ('dev', _TEST[:1]), ('test', _TEST)):
            archive.writestr(f'trees/{split}.txt', '\n'.join(lines) + '\n')
    trees = example.load_treebank(None, None, 100)
    assert capsys.readouterr().err == ''
    assert trees == {'train': [example.parse_sexp(t) for t in _TRAIN],
                     'dev': [example.parse_sexp(_TEST[0])],
                     'test': [example.parse_sexp(t) for t in _TEST]}
    assert len(example.load_treebank(None, 2, 100)['train']) == 2


def test_data_directory_in_a_subprocess(tmp_path):
    data = _write_trees(tmp_path / 'trees')
    proc = subprocess.run(
        [sys.executable, str(EXAMPLE), '--data', str(data), '--epoch', '2', '--unit', '6',
         '--epocheval', '1', '--test', '-d', '@numpy'],
        cwd=tmp_path, env=_env(tmp_path / 'root'), capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ''
    # The vocabulary is the training words (and <unk>): 'awful' is not in it.
    assert '# vocab: 9, trees: 3 train, 1 dev, 2 test' in proc.stdout
    assert proc.stdout.count('Root accuracy:') == 2 * 3
    check = subprocess.run([sys.executable, '-c', 'import chainer; print(chainer.__file__)'],
                           cwd=tmp_path, env=_env(tmp_path / 'root'), capture_output=True,
                           text=True, timeout=60)
    assert check.stdout.strip() == str(REPO / 'chainer' / '__init__.py')


@pytest.mark.parametrize('args', [['--batchsize', '0'], ['--epocheval', '0'],
                                  ['--label', '-1'], ['--unit', 'x']])
def test_bad_options_are_refused(args, capsys):
    example = _load_example()
    with pytest.raises(SystemExit) as info:
        example.main(args)
    assert info.value.code == 2
    assert 'error' in capsys.readouterr().err


def test_missing_data_file_is_named(tmp_path):
    example = _load_example()
    (tmp_path / 'train.txt').write_text(_TRAIN[0] + '\n')
    with pytest.raises(FileNotFoundError, match='dev.txt'):
        example.main(['--data', str(tmp_path), '--epoch', '1'])
