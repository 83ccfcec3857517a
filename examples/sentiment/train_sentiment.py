#!/usr/bin/env python
"""Chainer's sentiment example: a recursive neural network over parse trees.

Run it::

    python examples/sentiment/train_sentiment.py                 # the treebank, 400 epochs
    python examples/sentiment/train_sentiment.py --test          # 10 trees per split
    python examples/sentiment/train_sentiment.py --data trees/   # train.txt, dev.txt, test.txt

What it trains: the recursive neural network of Socher et al. (2013) on the
binarised, phrase-labelled trees of the Stanford Sentiment Treebank, written
as S-expressions such as ``(3 (2 It) (4 (2 's) (4 good)))``.  A leaf is its
word's embedding (``L.EmbedID``); an inner node is ``tanh`` of a linear layer
over its two children's vectors side by side; every node's vector is scored
into ``--label`` classes by another linear layer and adds a softmax cross
entropy to the tree's loss.  The graph is built anew for every tree by
recursion, so backpropagation runs through many small nodes.

The loop is written by hand as in Chainer's example (no Trainer): each epoch
shuffles the training trees, and for each minibatch of ``--batchsize`` trees
clears the gradients, sums the trees' losses, backpropagates and takes one
AdaGrad step (lr 0.1, with ``WeightDecay(0.0001)``).  It prints the epoch's
loss and the node and root accuracies on the training trees, and every
``--epocheval`` epochs those on the development and test trees.

The data: with ``--data DIR``, the files ``train.txt``, ``dev.txt`` and
``test.txt`` there.  Otherwise ``trainDevTestTrees_PTB.zip`` is downloaded
from the Stanford NLP site into the dataset root's download cache
(``chainer.dataset.cached_download``) and its ``trees/*.txt`` read.  When it
cannot be downloaded (no internet), the example says so in one line on stderr
and trains on a synthetic treebank generated here: sentences of neutral,
positive and negative words whose phrase labels follow simple rules
(sentiments add up, ``not``/``never`` flip the phrase that follows,
``very``/``truly`` make it extreme), the same trees in every run.  The
vocabulary holds the training trees' words; other words read as ``<unk>``.

Options: ``--device/-d`` (``-1`` or ``@numpy``: CPU; ``0`` or ``@cupy:0``),
``--epoch/-e`` (400), ``--unit/-u`` (30), ``--batchsize/-b`` (25),
``--label/-l`` (5), ``--epocheval/-p`` (5), ``--test`` (10 trees of each
split), ``--data``, ``--trees`` (synthetic training trees, 1000),
``--seed`` and the deprecated ``--gpu/-g``.
"""
from __future__ import annotations

import argparse
import collections
import contextlib
import io
import os
import random
import re
import sys
import time
import zipfile
from typing import Any, Sequence

import numpy

import chainer
import chainer.functions as F
import chainer.links as L

URL = 'https://nlp.stanford.edu/sentiment/trainDevTestTrees_PTB.zip'
SPLITS = ('train', 'dev', 'test')
UNK = '<unk>'

Tree = dict  # {'label': int, 'node': word id | (left Tree, right Tree)}


def parse_sexp(line: str) -> list:
    """The nested lists of one S-expression, e.g. ``['3', ['2', 'It'], ...]``."""
    tokens = re.findall(r'\(|\)|[^\s()]+', line)
    stack: list[list] = [[]]
    for token in tokens:
        if token == '(':
            stack.append([])
        elif token == ')':
            if len(stack) < 2:
                raise ValueError(f'unbalanced ")" in {line!r}')
            done = stack.pop()
            stack[-1].append(done)
        else:
            stack[-1].append(token)
    if len(stack) != 1 or len(stack[0]) != 1:
        raise ValueError(f'not one S-expression: {line!r}')
    return stack[0][0]


def read_corpus(path: str, max_size: int | None = None) -> list[list]:
    """The parsed trees of a file with one S-expression a line (at most ``max_size``)."""
    with open(path, encoding='utf-8') as f:
        return _parse_lines(f, max_size)


def _parse_lines(lines, max_size: int | None) -> list[list]:
    trees = []
    for line in lines:
        if max_size is not None and len(trees) >= max_size:
            break
        if line.strip():
            trees.append(parse_sexp(line))
    return trees


def convert_tree(vocab: dict[str, int], exp: list, grow: bool = True) -> Tree:
    """A parsed tree as nested ``{'label', 'node'}`` dicts of word ids.

    New words are added to ``vocab`` when ``grow``; otherwise they read as
    ``vocab['<unk>']``.
    """
    if not isinstance(exp, list) or len(exp) not in (2, 3):
        raise ValueError(f'a node is (label word) or (label left right), not {exp!r}')
    label = int(exp[0])
    if len(exp) == 2:
        word = exp[1]
        if not isinstance(word, str):
            raise ValueError(f'a leaf holds a word, not {word!r}')
        if word not in vocab:
            if not grow:
                return {'label': label, 'node': vocab[UNK]}
            vocab[word] = len(vocab)
        return {'label': label, 'node': vocab[word]}
    return {'label': label,
            'node': (convert_tree(vocab, exp[1], grow), convert_tree(vocab, exp[2], grow))}


class RecursiveNet(chainer.Chain):
    """Word embeddings, a composition layer for two children and a label layer."""

    def __init__(self, n_vocab: int, n_units: int, n_label: int = 5) -> None:
        super().__init__()
        with self.init_scope():
            self.embed = L.EmbedID(n_vocab, n_units)
            self.l = L.Linear(n_units * 2, n_units)
            self.w = L.Linear(n_units, n_label)

    def leaf(self, x):
        return self.embed(x)

    def node(self, left, right):
        return F.tanh(self.l(F.concat((left, right))))

    def label(self, v):
        return self.w(v)

    def traverse(self, node: Tree, evaluate: dict | None = None, root: bool = True):
        """``(loss, vector)`` of the subtree ``node``: the loss sums every node's
        cross entropy; ``evaluate`` (if given) counts correct node/root labels."""
        xp = self.xp
        if isinstance(node['node'], tuple):
            left, right = node['node']
            left_loss, left_v = self.traverse(left, evaluate, root=False)
            right_loss, right_v = self.traverse(right, evaluate, root=False)
            v = self.node(left_v, right_v)
            loss = left_loss + right_loss
        else:
            v = self.leaf(xp.array([node['node']], numpy.int32))
            loss = 0
        y = self.label(v)
        loss += F.softmax_cross_entropy(y, xp.array([node['label']], numpy.int32))
        if evaluate is not None:
            correct = int(y.array.argmax(axis=1)[0]) == node['label']
            evaluate['correct_node'] += correct
            evaluate['total_node'] += 1
            if root:
                evaluate['correct_root'] += correct
                evaluate['total_root'] += 1
        return loss, v


def accuracy(result: dict) -> tuple[float, float]:
    """Node and root accuracies (%) of the counts ``traverse`` collected."""
    return (100. * result['correct_node'] / max(result['total_node'], 1),
            100. * result['correct_root'] / max(result['total_root'], 1))


def _print_accuracy(result: dict) -> None:
    node, root = accuracy(result)
    print(f' Node accuracy: {node:.2f} % ({result["correct_node"]:,d}/'
          f'{result["total_node"]:,d})')
    print(f' Root accuracy: {root:.2f} % ({result["correct_root"]:,d}/'
          f'{result["total_root"]:,d})')


def evaluate(model: RecursiveNet, trees: list[Tree]) -> dict:
    """Counts of correct node and root labels of ``trees``, printed as accuracies."""
    result: dict = collections.defaultdict(int)
    with chainer.using_config('train', False), chainer.no_backprop_mode():
        for tree in trees:
            model.traverse(tree, evaluate=result)
    _print_accuracy(result)
    return result


# --- the synthetic treebank -------------------------------------------------

POSITIVE = {'good': 3, 'fun': 3, 'charming': 3, 'great': 4, 'brilliant': 4}
NEGATIVE = {'bad': 1, 'dull': 1, 'boring': 1, 'awful': 0, 'terrible': 0}
NEGATORS = ('not', 'never')
INTENSIFIERS = ('very', 'truly')
DETERMINERS = ('the', 'this', 'a')
NOUNS = ('movie', 'film', 'plot', 'story', 'cast', 'ending')
VERBS = ('is', 'was', 'seems', 'feels')


def _leaf(word: str) -> list:
    return [str({**POSITIVE, **NEGATIVE}.get(word, 2)), word]


def _compose(left: list, right: list) -> list:
    a, b = int(left[0]), int(right[0])
    if len(left) == 2 and left[1] in NEGATORS:
        label = 4 - b
    elif len(left) == 2 and left[1] in INTENSIFIERS:
        label = 4 if b > 2 else 0 if b < 2 else 2
    else:
        label = min(max(a + b - 2, 0), 4)
    return [str(label), left, right]


def _sentiment_phrase(rng: random.Random, depth: int = 0) -> list:
    r = rng.random()
    if depth < 2 and r < 0.25:
        return _compose(_leaf(rng.choice(NEGATORS)), _sentiment_phrase(rng, depth + 1))
    if depth < 2 and r < 0.4:
        return _compose(_sentiment_phrase(rng, depth + 1),
                        _compose(_leaf('and'), _sentiment_phrase(rng, depth + 1)))
    adjective = _leaf(rng.choice(sorted(POSITIVE) + sorted(NEGATIVE)))
    if r < 0.6:
        return _compose(_leaf(rng.choice(INTENSIFIERS)), adjective)
    return adjective


def synthetic_tree(rng: random.Random) -> list:
    """One parsed sentence such as ``the film (is (not (very good)))``."""
    subject = _compose(_leaf(rng.choice(DETERMINERS)), _leaf(rng.choice(NOUNS)))
    predicate = _compose(_leaf(rng.choice(VERBS)), _sentiment_phrase(rng))
    return _compose(subject, predicate)


def to_sexp(exp: list) -> str:
    """The S-expression text of a parsed tree."""
    return '(' + ' '.join(e if isinstance(e, str) else to_sexp(e) for e in exp) + ')'


def synthetic_treebank(n_train: int, seed: int = 0) -> dict[str, list]:
    """Parsed synthetic trees: ``n_train`` to train, a fifth of that each to develop and test."""
    rng = random.Random(seed)
    sizes = {'train': n_train, 'dev': max(n_train // 5, 1), 'test': max(n_train // 5, 1)}
    return {split: [synthetic_tree(rng) for _ in range(n)] for split, n in sizes.items()}


# --- loading -------------------------------------------------------------

def load_treebank(data: str | None, max_size: int | None, n_synthetic: int) -> dict[str, list]:
    """The parsed ``train``/``dev``/``test`` trees: ``data``, the download, or synthetic ones."""
    if data is not None:
        return {s: read_corpus(os.path.join(data, f'{s}.txt'), max_size) for s in SPLITS}
    held = io.StringIO()
    try:
        with contextlib.redirect_stderr(held):
            path = chainer.dataset.cached_download(URL)
    except OSError:
        print(f'The Stanford Sentiment Treebank could not be downloaded from {URL}: '
              'training on a synthetic treebank instead.', file=sys.stderr, flush=True)
        trees = synthetic_treebank(n_synthetic)
        return {s: t[:max_size] for s, t in trees.items()}
    sys.stderr.write(held.getvalue())
    with zipfile.ZipFile(path) as archive:
        return {s: _parse_lines(io.TextIOWrapper(archive.open(f'trees/{s}.txt'),
                                                 encoding='utf-8'), max_size)
                for s in SPLITS}


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Chainer example: recursive net for sentiment')
    parser.add_argument('--device', '-d', type=str, default='-1',
                        help='Device specifier: a negative integer or @numpy for CPU, '
                        'a non-negative integer or @cupy:N for a GPU')
    parser.add_argument('--epoch', '-e', default=400, type=int,
                        help='Number of sweeps over the training trees')
    parser.add_argument('--unit', '-u', default=30, type=int,
                        help='Number of units')
    parser.add_argument('--batchsize', '-b', type=int, default=25,
                        help='Number of trees in each minibatch')
    parser.add_argument('--label', '-l', type=int, default=5,
                        help='Number of labels')
    parser.add_argument('--epocheval', '-p', type=int, default=5,
                        help='Number of epochs between evaluations')
    parser.add_argument('--test', dest='test', action='store_true',
                        help='Use 10 trees of each split for a quick test')
    parser.add_argument('--data', default=None,
                        help='Directory with train.txt, dev.txt and test.txt')
    parser.add_argument('--trees', type=int, default=1000,
                        help='Number of synthetic training trees (offline only)')
    parser.add_argument('--seed', type=int, default=None,
                        help='Random seed of the initial weights and the shuffling')
    group = parser.add_argument_group('deprecated arguments')
    group.add_argument('--gpu', '-g', dest='device', type=int, nargs='?', const=0,
                       help='GPU ID (negative value indicates CPU)')
    args = parser.parse_args(argv)
    for name in ('epoch', 'unit', 'batchsize', 'label', 'epocheval', 'trees'):
        if getattr(args, name) < 1:
            parser.error(f'--{name} must be positive')
    return args


def main(argv: Sequence[str] | None = None) -> dict[str, Any]:
    """Runs the example with command-line arguments ``argv``.

    Returns the model, the vocabulary, the converted trees and the history:
    ``loss`` and ``train`` (node, root accuracies) per epoch, ``dev`` and
    ``test`` per evaluation.
    """
    args = parse_args(argv)
    if args.seed is not None:
        random.seed(args.seed)
        numpy.random.seed(args.seed)
    device = chainer.get_device(args.device)
    device.use()

    parsed = load_treebank(args.data, 10 if args.test else None, args.trees)
    vocab = {UNK: 0}
    trees = {'train': [convert_tree(vocab, t) for t in parsed['train']]}
    for split in ('dev', 'test'):
        trees[split] = [convert_tree(vocab, t, grow=False) for t in parsed[split]]
    print(f'# vocab: {len(vocab)}, trees: ' + ', '.join(f'{len(trees[s])} {s}' for s in SPLITS))

    model = RecursiveNet(len(vocab), args.unit, args.label)
    model.to_device(device)
    optimizer = chainer.optimizers.AdaGrad(lr=0.1)
    optimizer.setup(model)
    optimizer.add_hook(chainer.optimizer_hooks.WeightDecay(0.0001))

    history: dict[str, list] = {'loss': [], 'train': [], 'dev': [], 'test': []}
    train_trees = list(trees['train'])
    for epoch in range(args.epoch):
        print(f'Epoch: {epoch}')
        started = time.time()
        total_loss = 0.
        result: dict = collections.defaultdict(int)
        random.shuffle(train_trees)
        for i in range(0, len(train_trees), args.batchsize):
            model.cleargrads()
            loss = 0
            for tree in train_trees[i:i + args.batchsize]:
                tree_loss, _ = model.traverse(tree, evaluate=result)
                loss += tree_loss
            loss.backward()
            optimizer.update()
            total_loss += float(loss.array)
        seconds = time.time() - started
        print(f'loss: {total_loss:.2f}')
        _print_accuracy(result)
        print(f'{len(train_trees) / seconds:.2f} trees/sec, {seconds:.2f} sec')
        history['loss'].append(total_loss)
        history['train'].append(accuracy(result))
        if (epoch + 1) % args.epocheval == 0:
            for split, title in (('dev', 'Development'), ('test', 'Test')):
                print(f'{title} data evaluation:')
                history[split].append(accuracy(evaluate(model, trees[split])))
        print()
    return {'model': model, 'vocab': vocab, 'trees': trees, 'history': history}


if __name__ == '__main__':
    main()
