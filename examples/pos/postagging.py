#!/usr/bin/env python
"""Chainer's POS-tagging example: a linear-chain CRF part-of-speech tagger.

Run it::

    python examples/pos/postagging.py
    python examples/pos/postagging.py --data train.txt   # a CoNLL-style file

The model: each word is embedded (``L.EmbedID``), a ``L.Linear`` layer turns
the embedding into one score per tag, and a ``L.CRF1d`` over the tags adds
learned tag-to-tag transition scores.  Training minimises the CRF's negative
log-likelihood of the gold tag sequences; prediction is the best tag path
(Viterbi, ``CRF1d.argmax``).  Sentences have different lengths: a batch is
sorted by decreasing length and made time-major with
``F.transpose_sequence``, as ``CRF1d`` expects, and the predicted tags are put
back in the original order.

The data: with ``--data FILE``, a CoNLL-style file (one ``word tag`` per line,
more columns are ignored, a blank line between sentences).  Otherwise the
Brown corpus of NLTK (``nltk.corpus.brown.tagged_sents()``, as Chainer's
example reads) when NLTK and its corpus are installed.  When neither is
there, the example says so in one line on stderr and trains on a synthetic
tagging task generated from a tiny grammar (determiners, adjectives, nouns,
verbs, adverbs), in which some words are nouns or verbs depending on their
neighbours.  80% of the sentences train, 20% validate.

The Trainer: a ``SerialIterator``, a converter that sends each sentence to the
device, a ``StandardUpdater`` with Adam and ``WeightDecay``, an ``Evaluator``
(with the same converter), ``MicroAverage`` of the tag accuracy over the
words (``main/accuracy``, ``validation/main/accuracy``), ``LogReport``
(``log``), ``PrintReport``, ``ProgressBar`` and a trainer ``snapshot`` every
``--frequency`` epochs (``--resume`` continues from one).

Options: ``--batchsize/-b`` (30), ``--epoch/-e`` (20), ``--device/-d``
(``-1`` or ``@numpy``; ``0`` or ``@cupy:0``), ``--out/-o`` (``result``),
``--resume/-r``, ``--unit/-u`` (embedding size, 100), ``--data``,
``--sentences`` (synthetic sentences, 2000), ``--frequency/-f``, ``--seed``
and the deprecated ``--gpu/-g``.
"""
from __future__ import annotations

import argparse
import collections
import random
import sys
from typing import Sequence

import numpy

import chainer
import chainer.datasets  # noqa: F401  (explicit: also works before `import chainer` loads it)
import chainer.functions as F
import chainer.iterators  # noqa: F401
import chainer.links as L
from chainer import reporter
from chainer import training
from chainer.training import extensions


class CRF(chainer.Chain):
    """Word embeddings, a linear layer to tag scores and a linear-chain CRF over the tags."""

    def __init__(self, n_vocab: int, n_pos: int, n_unit: int = 100) -> None:
        super().__init__()
        with self.init_scope():
            self.embed = L.EmbedID(n_vocab, n_unit)
            self.linear = L.Linear(n_unit, n_pos)
            self.crf = L.CRF1d(n_pos)

    def _scores(self, xs) -> tuple[numpy.ndarray, list]:
        """The sort order (longest first) and the time-major tag scores of sentences ``xs``."""
        order = numpy.argsort([-len(x) for x in xs], kind='stable')
        xs = F.transpose_sequence([xs[i] for i in order])
        return order, [self.linear(self.embed(x)) for x in xs]

    def forward(self, xs, ys):
        """The CRF loss of the tag sentences ``ys`` given the word sentences ``xs``.

        Reports ``loss`` and, for the accuracy, ``correct`` (tags predicted
        right) and ``total`` (words).
        """
        order, hs = self._scores(xs)
        ys = F.transpose_sequence([ys[i] for i in order])
        loss = self.crf(hs, ys)
        reporter.report({'loss': loss}, self)

        with chainer.no_backprop_mode():
            _, predict = self.crf.argmax(hs)
        correct = sum(int((y.array == p).sum()) for y, p in zip(ys, predict))
        total = sum(len(y) for y in ys)
        reporter.report({'correct': correct, 'total': total}, self)
        return loss

    def argmax(self, xs) -> list:
        """The best tag path of each word sentence in ``xs``, in the order of ``xs``."""
        with chainer.no_backprop_mode():
            order, hs = self._scores(xs)
            _, path = self.crf.argmax(hs)
            path = F.transpose_sequence(path)
        tags = [None] * len(xs)
        for i, p in zip(order, path):
            tags[i] = p.array
        return tags


@chainer.dataset.converter()
def convert(batch, device):
    """``{'xs': [...], 'ys': [...]}``: the word and tag sentences of a batch, on ``device``."""
    return {'xs': [chainer.dataset.to_device(device, x) for x, _ in batch],
            'ys': [chainer.dataset.to_device(device, y) for _, y in batch]}


# The synthetic grammar.  Words of AMBIGUOUS are nouns after a determiner or an
# adjective and verbs after a noun: only the neighbours tell which.
DETERMINERS = ('the', 'a', 'this', 'every', 'some')
ADJECTIVES = ('big', 'small', 'red', 'old', 'quick', 'happy', 'green', 'tall')
NOUNS = ('dog', 'cat', 'bird', 'man', 'woman', 'child', 'tree', 'car', 'house', 'river')
VERBS = ('sees', 'likes', 'finds', 'chases', 'sleeps', 'eats', 'knows', 'wants')
AMBIGUOUS = ('watch', 'fish', 'run', 'walk', 'drink', 'play')
ADVERBS = ('quickly', 'slowly', 'often', 'today')


def _noun_phrase(rng: random.Random) -> list[tuple[str, str]]:
    phrase = [(rng.choice(DETERMINERS), 'DT')]
    phrase += [(rng.choice(ADJECTIVES), 'JJ') for _ in range(rng.choice((0, 0, 1, 1, 2)))]
    phrase.append((rng.choice(NOUNS + AMBIGUOUS), 'NN'))
    return phrase


def synthetic_sentences(n: int, seed: int = 0) -> list[list[tuple[str, str]]]:
    """``n`` tagged sentences ``[(word, tag), ...]`` of the tiny grammar (1 to 12 words)."""
    rng = random.Random(seed)
    sentences = []
    for _ in range(n):
        if rng.random() < 0.05:
            sentences.append([(rng.choice(NOUNS + AMBIGUOUS), 'NN')])  # one-word sentences
            continue
        sentence = _noun_phrase(rng)
        sentence.append((rng.choice(VERBS + AMBIGUOUS), 'VB'))
        if rng.random() < 0.6:
            sentence += _noun_phrase(rng)
        if rng.random() < 0.3:
            sentence.append((rng.choice(ADVERBS), 'RB'))
        sentence.append(('.', '.'))
        sentences.append(sentence)
    return sentences


def read_conll(path: str) -> list[list[tuple[str, str]]]:
    """The tagged sentences of a CoNLL-style file: ``word tag [...]`` lines, blank between."""
    sentences, sentence = [], []
    with open(path, encoding='utf-8') as f:
        for number, line in enumerate(f, 1):
            fields = line.split()
            if not fields:
                if sentence:
                    sentences.append(sentence)
                sentence = []
                continue
            if len(fields) < 2:
                raise SystemExit(f'{path}:{number}: expected "word tag", got {line.strip()!r}')
            sentence.append((fields[0], fields[1]))
    if sentence:
        sentences.append(sentence)
    if not sentences:
        raise SystemExit(f'{path} holds no tagged sentence')
    return sentences


def load_sentences(data: str | None, n_synthetic: int) -> list[list[tuple[str, str]]]:
    """The tagged sentences of ``data``, else NLTK's Brown corpus, else the synthetic task."""
    if data is not None:
        return read_conll(data)
    try:
        import nltk
        return [list(s) for s in nltk.corpus.brown.tagged_sents()]
    except (ImportError, LookupError, OSError):
        print('NLTK or its Brown corpus is not installed and no --data file was given: '
              'training on a synthetic tagging task instead.', file=sys.stderr, flush=True)
    return synthetic_sentences(n_synthetic)


def to_ids(sentences) -> tuple[list, dict[str, int], dict[str, int]]:
    """Integer sentences ``(words, tags)`` and the word and tag vocabularies."""
    vocab: dict[str, int] = collections.defaultdict(lambda: len(vocab))
    pos_vocab: dict[str, int] = collections.defaultdict(lambda: len(pos_vocab))
    data = [(numpy.array([vocab[w.lower()] for w, _ in s], numpy.int32),
             numpy.array([pos_vocab[t] for _, t in s], numpy.int32)) for s in sentences]
    return data, dict(vocab), dict(pos_vocab)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Chainer example: POS-tagging')
    parser.add_argument('--batchsize', '-b', type=int, default=30,
                        help='Number of sentences in each mini-batch')
    parser.add_argument('--epoch', '-e', type=int, default=20,
                        help='Number of sweeps over the dataset to train')
    parser.add_argument('--device', '-d', type=str, default='-1',
                        help='Device specifier: -1 or @numpy for the CPU, a GPU id or '
                        '@cupy:N for a GPU')
    parser.add_argument('--out', '-o', default='result',
                        help='Directory to output the result')
    parser.add_argument('--resume', '-r', default='',
                        help='Resume the training from snapshot')
    parser.add_argument('--unit', '-u', type=int, default=100,
                        help='Size of the word embeddings')
    parser.add_argument('--data', default=None,
                        help='CoNLL-style file of tagged sentences ("word tag" lines)')
    parser.add_argument('--sentences', type=int, default=2000,
                        help='Number of sentences of the synthetic task')
    parser.add_argument('--frequency', '-f', type=int, default=-1,
                        help='Frequency of taking a snapshot (-1: at the end only)')
    parser.add_argument('--seed', type=int, default=None,
                        help='Random seed of the weights and the shuffling')
    group = parser.add_argument_group('deprecated arguments')
    group.add_argument('--gpu', '-g', dest='device', type=int, nargs='?', const=0,
                       help='GPU ID (negative value indicates CPU)')
    args = parser.parse_args(argv)
    for name in ('batchsize', 'epoch', 'unit', 'sentences'):
        if getattr(args, name) < 1:
            parser.error(f'--{name} must be positive')
    return args


def seed_everything(seed: int, device: chainer.backend.Device) -> None:
    random.seed(seed)
    numpy.random.seed(seed)
    if device.xp is not numpy:
        device.xp.random.seed(seed)


def main(argv: Sequence[str] | None = None) -> training.Trainer:
    """Runs the example with command-line arguments ``argv``; returns the trainer."""
    args = parse_args(argv)
    device = chainer.get_device(args.device)
    if args.seed is not None:
        seed_everything(args.seed, device)

    data, vocab, pos_vocab = to_ids(load_sentences(args.data, args.sentences))
    if len(data) < 2:
        raise SystemExit('at least two sentences are needed (training and validation)')
    n_train = max(1, int(len(data) * 0.8))
    train_data, test_data = chainer.datasets.split_dataset_random(data, n_train, seed=0)

    print(f'Device: {device}')
    print(f'# Vocabulary: {len(vocab)}')
    print(f'# POS tags: {len(pos_vocab)}')
    print(f'# Sentences: {len(train_data)} train, {len(test_data)} validation')
    print(f'# Minibatch-size: {args.batchsize}')
    print(f'# epoch: {args.epoch}')
    print('')
    sys.stdout.flush()

    model = CRF(len(vocab), len(pos_vocab), args.unit)
    model.to_device(device)
    device.use()

    optimizer = chainer.optimizers.Adam()
    optimizer.setup(model)
    optimizer.add_hook(chainer.optimizer_hooks.WeightDecay(0.0001))

    train_iter = chainer.iterators.SerialIterator(train_data, args.batchsize)
    test_iter = chainer.iterators.SerialIterator(test_data, args.batchsize,
                                                 repeat=False, shuffle=False)
    updater = training.updaters.StandardUpdater(
        train_iter, optimizer, converter=convert, device=device)
    trainer = training.Trainer(updater, (args.epoch, 'epoch'), out=args.out)

    trainer.extend(extensions.Evaluator(test_iter, model, converter=convert, device=device))
    trainer.extend(extensions.MicroAverage('main/correct', 'main/total', 'main/accuracy'))
    trainer.extend(extensions.MicroAverage(
        'validation/main/correct', 'validation/main/total', 'validation/main/accuracy'))
    frequency = args.epoch if args.frequency == -1 else max(1, args.frequency)
    trainer.extend(extensions.snapshot(n_retains=1), trigger=(frequency, 'epoch'))
    trainer.extend(extensions.LogReport())
    trainer.extend(extensions.PrintReport(
        ['epoch', 'main/loss', 'validation/main/loss', 'main/accuracy',
         'validation/main/accuracy', 'elapsed_time']))
    trainer.extend(extensions.ProgressBar(update_interval=10))

    if args.resume:
        chainer.serializers.load_npz(args.resume, trainer)

    trainer.run()
    return trainer


if __name__ == '__main__':
    main()
