#!/usr/bin/env python
"""Chainer's PTB example: a two-layer LSTM word language model.

Run::

    python examples/ptb/train_ptb.py            # full size: --unit 650, 39 epochs
    python examples/ptb/train_ptb.py --test     # a few iterations on tiny slices

The Penn Treebank (Mikolov's split) is read from the dataset root
(``$CHAINER_DATASET_ROOT``, by default ``~/.chainer/dataset``) and downloaded
there on first use.  When it cannot be downloaded (no internet), the example
says so in one line and trains on a corpus that ships with Python itself: the
English text of the language reference topics in the standard library's
``pydoc_data.topics`` (lower-cased words, numbers as ``N``, one ``<eos>`` per
line, the 2,000 most frequent training words kept and the rest ``<unk>``;
split 95/2.5/2.5 into train/valid/test, about 70,500 training words).  For this
corpus the unigram perplexity of the validation set is printed as a baseline.

What it does: ``RNNForLM`` (embedding → LSTM → LSTM → linear, dropout 0.5 in
between) wrapped in ``L.Classifier`` is trained by SGD (lr 1) with gradient
clipping.  ``ParallelSequentialIterator`` reads ``--batchsize`` positions of
the corpus in parallel, and ``BPTTUpdater`` runs truncated backpropagation
through time: it sums the loss of ``--bproplen`` steps, backpropagates it, and
cuts the graph (``unchain_backward``) while the LSTM states carry on.  The
report shows the training and validation perplexity (``exp`` of the mean
cross entropy); at the end the test perplexity is printed and the model is
saved to ``--model`` and its vocabulary to ``vocab.txt`` under ``--out`` (for
``gentxt.py``).

Options: ``--batchsize/-b`` (20), ``--bproplen/-l`` (35), ``--epoch/-e`` (39),
``--device/-d`` (``-1`` or ``@numpy``: CPU; ``0`` or ``@cupy:0``: GPU),
``--gradclip/-c`` (5), ``--out/-o`` (``result``), ``--resume/-r`` (a trainer
snapshot), ``--test``, ``--unit/-u`` (650), ``--model/-m`` (``model.npz``).
"""
from __future__ import annotations

import argparse
import collections
import contextlib
import io
import math
import os
import re
import sys
from typing import Sequence

import numpy as np

import chainer
import chainer.datasets  # noqa: F401
import chainer.functions as F
import chainer.links as L
from chainer import training
from chainer.training import extensions

FALLBACK_VOCAB_SIZE = 2000


class RNNForLM(chainer.Chain):
    """Embedding, two stateful LSTMs and a linear layer to the vocabulary."""

    def __init__(self, n_vocab: int, n_units: int) -> None:
        super().__init__()
        with self.init_scope():
            self.embed = L.EmbedID(n_vocab, n_units)
            self.l1 = L.LSTM(n_units, n_units)
            self.l2 = L.LSTM(n_units, n_units)
            self.l3 = L.Linear(n_units, n_vocab)
        for param in self.params():
            param.array[...] = np.random.uniform(-0.1, 0.1, param.shape)

    def reset_state(self) -> None:
        self.l1.reset_state()
        self.l2.reset_state()

    def forward(self, x):
        h0 = self.embed(x)
        h1 = self.l1(F.dropout(h0))
        h2 = self.l2(F.dropout(h1))
        return self.l3(F.dropout(h2))


class ParallelSequentialIterator(chainer.dataset.Iterator):
    """Reads ``batch_size`` evenly spaced positions of one long sequence at
    once; each batch is a list of ``(word, next word)`` pairs."""

    def __init__(self, dataset, batch_size: int, repeat: bool = True) -> None:
        self.dataset = dataset
        self.batch_size = batch_size
        self.repeat = repeat
        length = len(dataset)
        self.offsets = [i * length // batch_size for i in range(batch_size)]
        self.reset()

    def reset(self) -> None:
        self.epoch = 0
        self.is_new_epoch = False
        self.iteration = 0
        self._previous_epoch_detail = -1.

    def __next__(self):
        length = len(self.dataset)
        if not self.repeat and self.iteration * self.batch_size >= length:
            raise StopIteration
        cur_words = self.get_words()
        self._previous_epoch_detail = self.epoch_detail
        self.iteration += 1
        next_words = self.get_words()
        epoch = self.iteration * self.batch_size // length
        self.is_new_epoch = self.epoch < epoch
        if self.is_new_epoch:
            self.epoch = epoch
        return list(zip(cur_words, next_words))

    @property
    def epoch_detail(self) -> float:
        return self.iteration * self.batch_size / len(self.dataset)

    @property
    def previous_epoch_detail(self):
        if self._previous_epoch_detail < 0:
            return None
        return self._previous_epoch_detail

    def get_words(self):
        return [self.dataset[(offset + self.iteration) % len(self.dataset)]
                for offset in self.offsets]

    def serialize(self, serializer) -> None:
        self.iteration = serializer('iteration', self.iteration)
        self.epoch = serializer('epoch', self.epoch)
        try:
            self._previous_epoch_detail = serializer(
                'previous_epoch_detail', self._previous_epoch_detail)
        except KeyError:
            # Snapshots of older runs: derive it from the position.
            self._previous_epoch_detail = max(
                -1., (self.iteration - 1) * self.batch_size / len(self.dataset))


class BPTTUpdater(training.updaters.StandardUpdater):
    """Truncated backpropagation through time over ``bprop_len`` steps."""

    def __init__(self, train_iter, optimizer, bprop_len: int, device) -> None:
        super().__init__(train_iter, optimizer, device=device)
        self.bprop_len = bprop_len

    def update_core(self) -> None:
        loss = 0
        train_iter = self.get_iterator('main')
        optimizer = self.get_optimizer('main')
        for _ in range(self.bprop_len):
            x, t = self.converter(train_iter.__next__(), self.device)
            loss += optimizer.target(x, t)
        optimizer.target.cleargrads()
        loss.backward()
        loss.unchain_backward()  # the LSTM states keep their values, not their history
        optimizer.update()


def compute_perplexity(result: dict) -> None:
    """LogReport postprocess: perplexities from the mean losses."""
    result['perplexity'] = np.exp(result['main/loss'])
    if 'validation/main/loss' in result:
        result['val_perplexity'] = np.exp(result['validation/main/loss'])


def _corpus_words() -> list:
    from pydoc_data import topics
    text = '\n'.join(topics.topics[key] for key in sorted(topics.topics))
    words = []
    for line in text.splitlines():
        tokens = ['N' if t[0].isdigit() else t
                  for t in re.findall(r'[a-z]+|[0-9]+', line.lower())]
        if tokens:
            words += tokens + ['<eos>']
    return words


def fallback_corpus() -> tuple:
    """``(train, valid, test, vocab)`` from Python's own language reference text."""
    words = _corpus_words()
    n = len(words)
    parts = words[:n * 19 // 20], words[n * 19 // 20:n * 39 // 40], words[n * 39 // 40:]
    counts = collections.Counter(parts[0])
    vocab = {'<unk>': 0, '<eos>': 1}
    for word, _ in counts.most_common():
        if len(vocab) == FALLBACK_VOCAB_SIZE:
            break
        vocab.setdefault(word, len(vocab))
    ids = tuple(np.array([vocab.get(w, 0) for w in part], np.int32) for part in parts)
    return ids + (vocab,)


def unigram_perplexity(train, valid, n_vocab: int) -> float:
    """Perplexity on ``valid`` of add-one smoothed word frequencies of ``train``."""
    counts = np.bincount(train, minlength=n_vocab) + 1.
    logp = np.log(counts / counts.sum())
    return float(np.exp(-logp[valid].mean()))


def load_corpus() -> tuple:
    """``(train, valid, test, vocab)``: PTB, else the fallback corpus (one note)."""
    held = io.StringIO()
    try:
        with contextlib.redirect_stderr(held):
            train, val, test = chainer.datasets.get_ptb_words()
            vocab = chainer.datasets.get_ptb_words_vocabulary()
    except OSError:
        ptb_dir = os.path.join(chainer.dataset.get_dataset_root(), 'pfnet', 'chainer', 'ptb')
        print(f'PTB is not in {ptb_dir} and could not be downloaded: training on the '
              'language reference text of pydoc_data.topics instead.',
              file=sys.stderr, flush=True)
        return fallback_corpus()
    except BaseException:
        sys.stderr.write(held.getvalue())
        raise
    sys.stderr.write(held.getvalue())
    return train, val, test, vocab


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Chainer example: RNNLM on PTB')
    parser.add_argument('--batchsize', '-b', type=int, default=20,
                        help='Number of examples in each mini-batch')
    parser.add_argument('--bproplen', '-l', type=int, default=35,
                        help='Number of words in each mini-batch '
                        '(= length of truncated BPTT)')
    parser.add_argument('--epoch', '-e', type=int, default=39,
                        help='Number of sweeps over the dataset to train')
    parser.add_argument('--device', '-d', type=str, default='-1',
                        help='Device specifier. Either ChainerX device specifier or an '
                        'integer. If non-negative integer, CuPy arrays with specified '
                        'device id are used. If negative integer, NumPy arrays are used')
    parser.add_argument('--gradclip', '-c', type=float, default=5,
                        help='Gradient norm threshold to clip')
    parser.add_argument('--out', '-o', default='result',
                        help='Directory to output the result')
    parser.add_argument('--resume', '-r', type=str,
                        help='Resume the training from snapshot')
    parser.add_argument('--test', action='store_true',
                        help='Use tiny datasets for quick tests')
    parser.add_argument('--unit', '-u', type=int, default=650,
                        help='Number of LSTM units in each layer')
    parser.add_argument('--model', '-m', default='model.npz',
                        help='Model file name to serialize')
    group = parser.add_argument_group('deprecated arguments')
    group.add_argument('--gpu', '-g', dest='device', type=int, nargs='?', const=0,
                       help='GPU ID (negative value indicates CPU)')
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> float:
    """Runs the example with command-line arguments ``argv``; returns the test
    perplexity."""
    args = parse_args(argv)
    device = chainer.get_device(args.device)
    device.use()

    train, val, test, vocab = load_corpus()
    n_vocab = len(vocab)
    print(f'#vocab = {n_vocab}')
    if n_vocab == FALLBACK_VOCAB_SIZE:
        print(f'unigram perplexity (validation) = '
              f'{unigram_perplexity(train, val, n_vocab):.2f}')
    if args.test:
        train, val, test = train[:100], val[:100], test[:100]

    train_iter = ParallelSequentialIterator(train, args.batchsize)
    val_iter = ParallelSequentialIterator(val, 1, repeat=False)
    test_iter = ParallelSequentialIterator(test, 1, repeat=False)

    rnn = RNNForLM(n_vocab, args.unit)
    model = L.Classifier(rnn)
    model.compute_accuracy = False  # only the loss is reported
    model.to_device(device)

    optimizer = chainer.optimizers.SGD(lr=1.0)
    optimizer.setup(model)
    optimizer.add_hook(chainer.optimizer_hooks.GradientClipping(args.gradclip))

    updater = BPTTUpdater(train_iter, optimizer, args.bproplen, device)
    trainer = training.Trainer(updater, (args.epoch, 'epoch'), out=args.out)

    # The evaluation model shares the parameters but keeps its own LSTM states.
    eval_model = model.copy()
    eval_rnn = eval_model.predictor
    trainer.extend(extensions.Evaluator(
        val_iter, eval_model, device=device,
        eval_hook=lambda _: eval_rnn.reset_state()))

    interval = 10 if args.test else 500
    trainer.extend(extensions.LogReport(postprocess=compute_perplexity,
                                        trigger=(interval, 'iteration')))
    trainer.extend(extensions.PrintReport(
        ['epoch', 'iteration', 'perplexity', 'val_perplexity']),
        trigger=(interval, 'iteration'))
    trainer.extend(extensions.ProgressBar(update_interval=1 if args.test else 10))
    trainer.extend(extensions.snapshot())
    trainer.extend(extensions.snapshot_object(model, 'model_iter_{.updater.iteration}'))
    if args.resume is not None:
        chainer.serializers.load_npz(args.resume, trainer)

    trainer.run()

    print('test')
    eval_rnn.reset_state()
    evaluator = extensions.Evaluator(test_iter, eval_model, device=device)
    result = evaluator()
    perplexity = math.exp(float(result['main/loss']))
    print(f'test perplexity: {perplexity}')

    print('save the model')
    chainer.serializers.save_npz(args.model, model)
    os.makedirs(args.out, exist_ok=True)
    with open(os.path.join(args.out, 'vocab.txt'), 'w', encoding='utf-8') as f:
        for word in sorted(vocab, key=vocab.get):
            f.write(word + '\n')
    return perplexity


if __name__ == '__main__':
    main()
