#!/usr/bin/env python
"""Chainer's word2vec example: skip-gram or continuous bag-of-words word embeddings.

Run::

    python examples/word2vec/train_word2vec.py                  # skip-gram, hierarchical softmax
    python examples/word2vec/train_word2vec.py -m cbow -o ns    # CBOW, negative sampling
    python examples/word2vec/search.py                          # nearest words of a query

What it trains: an ``L.EmbedID`` of the vocabulary (initialised with
``I.Uniform(1 / n_units)``) whose vectors predict words of the same context.
``--model skipgram`` predicts the centre word from each context word's vector
(one prediction per (centre, context) pair); ``--model cbow`` predicts it from
the mean of the context vectors.  The prediction loss (``--out-type``) is
``hsm``, a ``L.BinaryHierarchicalSoftmax`` over the Huffman tree of the word
counts, ``ns``, a ``L.NegativeSampling`` with ``--negative-size`` samples from
the counts to the 3/4 power, or ``original``, a plain ``L.Linear`` to the
vocabulary with ``F.softmax_cross_entropy``.  The model reports ``loss`` (summed
over the batch for ``hsm`` and ``ns``, a mean for ``original``).

``WindowIterator`` visits the corpus positions in a random order, a new one
each epoch; for each batch of centre positions it draws a window size between 1
and ``--window`` and returns the centre words and their contexts (the words up
to that distance on both sides).  Its position and order are saved in trainer
snapshots, so ``--resume`` continues where the snapshot was taken.  The Trainer
runs Adam through a ``StandardUpdater``, with an ``Evaluator`` on the
validation words, ``LogReport`` (``log``), ``PrintReport`` and ``ProgressBar``;
``snapshot_epoch_<n>`` is written every ``--snapshot-interval`` epochs (by
default at the end).  At the end the embeddings are written to
``word2vec.model`` in ``--out``, as text: a ``<n_vocab> <n_units>`` line, then
``<word> <v1> <v2> ...`` for every word, which ``search.py`` reads.

The Penn Treebank (Mikolov's split) is read from the dataset root
(``$CHAINER_DATASET_ROOT``, by default ``~/.chainer/dataset``) and downloaded
there on first use.  When it cannot be downloaded (no internet), the example
says so in one line and trains on the offline corpus of the PTB example
(``examples/ptb/train_ptb.py``): the language reference text that ships with
Python, 2,000 words of vocabulary, about 70,500 training words.

Options: ``--device/-d`` (``-1`` or ``@numpy``: CPU; ``0`` or ``@cupy:0``: GPU;
``--gpu/-g`` is the deprecated form), ``--unit/-u`` (100), ``--window/-w`` (5),
``--batchsize/-b`` (1000), ``--epoch/-e`` (20), ``--model/-m``
(``skipgram``|``cbow``), ``--negative-size`` (5), ``--out-type/-o``
(``hsm``|``ns``|``original``), ``--out`` (``result``), ``--resume/-r`` (a trainer
snapshot), ``--snapshot-interval`` (epochs), ``--test`` (the first 100 words of
the training and validation sets only).
"""
from __future__ import annotations

import argparse
import collections
import importlib.util
import os
import pathlib
import sys
from typing import Sequence

import numpy as np

import chainer
import chainer.functions as F
import chainer.initializers as I
import chainer.links as L
from chainer import reporter
from chainer import training
from chainer.training import extensions


class ContinuousBoW(chainer.Chain):
    """CBOW: the mean of the context vectors predicts the centre word."""

    def __init__(self, n_vocab: int, n_units: int, loss_func: chainer.Link) -> None:
        super().__init__()
        with self.init_scope():
            self.embed = L.EmbedID(n_vocab, n_units, initialW=I.Uniform(1. / n_units))
            self.loss_func = loss_func

    def forward(self, x, contexts):
        e = self.embed(contexts)  # (batch, 2 * window, n_units)
        h = F.sum(e, axis=1) * (1. / contexts.shape[1])
        loss = self.loss_func(h, x)
        reporter.report({'loss': loss}, self)
        return loss


class SkipGram(chainer.Chain):
    """Skip-gram: each context word's vector predicts the centre word."""

    def __init__(self, n_vocab: int, n_units: int, loss_func: chainer.Link) -> None:
        super().__init__()
        with self.init_scope():
            self.embed = L.EmbedID(n_vocab, n_units, initialW=I.Uniform(1. / n_units))
            self.loss_func = loss_func

    def forward(self, x, contexts):
        e = self.embed(contexts)
        batch_size, n_context, n_units = e.shape
        x = F.broadcast_to(x[:, None], (batch_size, n_context))
        loss = self.loss_func(F.reshape(e, (batch_size * n_context, n_units)),
                              F.reshape(x, (batch_size * n_context,)))
        reporter.report({'loss': loss}, self)
        return loss


class SoftmaxCrossEntropyLoss(chainer.Chain):
    """The ``original`` output: a linear layer to the vocabulary and softmax cross entropy."""

    def __init__(self, n_in: int, n_out: int) -> None:
        super().__init__()
        with self.init_scope():
            self.out = L.Linear(n_in, n_out, initialW=0)

    def forward(self, x, t):
        return F.softmax_cross_entropy(self.out(x), t)


class WindowIterator(chainer.dataset.Iterator):
    """Batches of ``(centre words, context words)`` over one long word sequence.

    The centres are the positions at least ``window`` words from both ends,
    visited in a random order that is drawn again after each epoch.  Each batch
    draws a window size ``w`` in ``[1, window]``; its contexts are the ``2 * w``
    words around each centre, an int32 array ``(batch, 2 * w)``.
    """

    def __init__(self, dataset, window: int, batch_size: int, repeat: bool = True) -> None:
        self.dataset = np.array(dataset, np.int32)
        if window < 1:
            raise ValueError(f'window must be at least 1; got {window}')
        if batch_size < 1:
            raise ValueError(f'batch_size must be at least 1; got {batch_size}')
        if len(self.dataset) <= 2 * window:
            raise ValueError(f'a sequence of {len(self.dataset)} words has no position '
                             f'with {window} words on both sides')
        self.window = window
        self.batch_size = batch_size
        self.repeat = repeat
        self.order = np.random.permutation(len(self.dataset) - 2 * window).astype(np.int32)
        self.order += window
        self.reset()

    def reset(self) -> None:
        """Back to the start of the first epoch (the order is kept)."""
        self.current_position = 0
        self.epoch = 0
        self.is_new_epoch = False
        self._previous_epoch_detail = -1.

    def __next__(self):
        if not self.repeat and self.epoch > 0:
            raise StopIteration
        self._previous_epoch_detail = self.epoch_detail
        start = self.current_position
        end = start + self.batch_size
        position = self.order[start:end]
        w = np.random.randint(1, self.window + 1)
        offset = np.concatenate([np.arange(-w, 0), np.arange(1, w + 1)])
        contexts = self.dataset.take(position[:, None] + offset[None, :])
        center = self.dataset.take(position)
        if end >= len(self.order):
            np.random.shuffle(self.order)
            self.epoch += 1
            self.is_new_epoch = True
            self.current_position = 0
        else:
            self.is_new_epoch = False
            self.current_position = end
        return center, contexts

    @property
    def epoch_detail(self) -> float:
        return self.epoch + self.current_position / len(self.order)

    @property
    def previous_epoch_detail(self):
        if self._previous_epoch_detail < 0:
            return None
        return self._previous_epoch_detail

    def serialize(self, serializer) -> None:
        self.current_position = serializer('current_position', self.current_position)
        self.epoch = serializer('epoch', self.epoch)
        self.is_new_epoch = serializer('is_new_epoch', self.is_new_epoch)
        serializer('order', self.order)  # loaded in place
        self._previous_epoch_detail = serializer('previous_epoch_detail',
                                                 self._previous_epoch_detail)


@chainer.dataset.converter()
def convert(batch, device):
    """``(centre, contexts)`` arrays sent to ``device``."""
    center, contexts = batch
    return (chainer.dataset.to_device(device, center),
            chainer.dataset.to_device(device, contexts))


def _ptb_example():
    """The PTB example's module, whose ``load_corpus`` reads PTB or its offline corpus."""
    path = pathlib.Path(__file__).resolve().parent.parent / 'ptb' / 'train_ptb.py'
    spec = importlib.util.spec_from_file_location('train_ptb', path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def load_corpus() -> tuple:
    """``(train, valid, vocab)``: PTB, or (with one note on stderr) the offline corpus."""
    train, val, _, vocab = _ptb_example().load_corpus()
    return train, val, vocab


def make_loss_func(out_type: str, n_units: int, n_vocab: int, counts: collections.Counter,
                   negative_size: int) -> chainer.Link:
    """The output layer and loss named by ``--out-type``."""
    if out_type == 'hsm':
        tree = L.BinaryHierarchicalSoftmax.create_huffman_tree(counts)
        loss_func = L.BinaryHierarchicalSoftmax(n_units, tree)
        loss_func.W.array[...] = 0
    elif out_type == 'ns':
        loss_func = L.NegativeSampling(n_units, [counts[w] for w in range(n_vocab)],
                                       negative_size)
        loss_func.W.array[...] = 0
    elif out_type == 'original':
        loss_func = SoftmaxCrossEntropyLoss(n_units, n_vocab)
    else:
        raise ValueError(f'unknown output type: {out_type!r}')
    return loss_func


def save_embeddings(path: str, embed_w: np.ndarray, index2word: dict) -> None:
    """Writes the word vectors as text: ``<n_vocab> <n_units>``, then ``<word> <v1> ...``."""
    n_vocab, n_units = embed_w.shape
    lines = [f'{n_vocab} {n_units}\n']
    for i, row in enumerate(embed_w):
        lines.append(f"{index2word[i]} {' '.join(map(str, row))}\n")
    with open(path, 'w', encoding='utf-8') as f:
        f.writelines(lines)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'must be a positive integer; got {value}')
    return value


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Chainer example: word2vec')
    parser.add_argument('--device', '-d', type=str, default='-1',
                        help='Device specifier. Either ChainerX device specifier or an '
                        'integer. If non-negative integer, CuPy arrays with specified '
                        'device id are used. If negative integer, NumPy arrays are used')
    parser.add_argument('--unit', '-u', default=100, type=_positive,
                        help='number of units')
    parser.add_argument('--window', '-w', default=5, type=_positive,
                        help='window size')
    parser.add_argument('--batchsize', '-b', type=_positive, default=1000,
                        help='learning minibatch size')
    parser.add_argument('--epoch', '-e', default=20, type=_positive,
                        help='number of epochs to learn')
    parser.add_argument('--model', '-m', choices=['skipgram', 'cbow'], default='skipgram',
                        help='model type ("skipgram", "cbow")')
    parser.add_argument('--negative-size', default=5, type=_positive,
                        help='number of negative samples')
    parser.add_argument('--out-type', '-o', choices=['hsm', 'ns', 'original'],
                        default='hsm',
                        help='output model type ("hsm": hierarchical softmax, '
                        '"ns": negative sampling, "original": no approximation)')
    parser.add_argument('--out', default='result',
                        help='Directory to output the result')
    parser.add_argument('--resume', '-r', type=str,
                        help='Resume the training from snapshot')
    parser.add_argument('--snapshot-interval', type=_positive,
                        help='Interval of snapshots, in epochs (default: at the end)')
    parser.add_argument('--test', dest='test', action='store_true',
                        help='Use a small subset of the data (for testing)')
    parser.set_defaults(test=False)
    group = parser.add_argument_group('deprecated arguments')
    group.add_argument('--gpu', '-g', dest='device', type=int, nargs='?', const=0,
                       help='GPU ID (negative value indicates CPU)')
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> training.Trainer:
    """Runs the example with command-line arguments ``argv``; returns the trainer."""
    args = parse_args(argv)
    device = chainer.get_device(args.device)
    device.use()

    print(f'Device: {device}')
    print(f'# unit: {args.unit}')
    print(f'Window: {args.window}')
    print(f'Minibatch-size: {args.batchsize}')
    print(f'# epoch: {args.epoch}')
    print(f'Training model: {args.model}')
    print(f'Output type: {args.out_type}')
    print('')
    sys.stdout.flush()

    train, val, vocab = load_corpus()
    counts = collections.Counter(train.tolist())
    counts.update(collections.Counter(val.tolist()))
    n_vocab = len(vocab)
    if args.test:
        train, val = train[:100], val[:100]
    index2word = {wid: word for word, wid in vocab.items()}

    print(f'n_vocab: {n_vocab}')
    print(f'data length: {len(train)}')
    sys.stdout.flush()

    loss_func = make_loss_func(args.out_type, args.unit, n_vocab, counts, args.negative_size)
    model_class = SkipGram if args.model == 'skipgram' else ContinuousBoW
    model = model_class(n_vocab, args.unit, loss_func)
    model.to_device(device)

    optimizer = chainer.optimizers.Adam()
    optimizer.setup(model)

    train_iter = WindowIterator(train, args.window, args.batchsize)
    val_iter = WindowIterator(val, args.window, args.batchsize, repeat=False)

    updater = training.updaters.StandardUpdater(train_iter, optimizer, converter=convert,
                                                device=device)
    trainer = training.Trainer(updater, (args.epoch, 'epoch'), out=args.out)

    trainer.extend(extensions.Evaluator(val_iter, model, converter=convert, device=device))
    trainer.extend(extensions.LogReport())
    trainer.extend(extensions.PrintReport(['epoch', 'main/loss', 'validation/main/loss']))
    trainer.extend(extensions.ProgressBar())
    interval = args.snapshot_interval or args.epoch
    trainer.extend(extensions.snapshot(filename='snapshot_epoch_{.updater.epoch}'),
                   trigger=(interval, 'epoch'))

    if args.resume is not None:
        chainer.serializers.load_npz(args.resume, trainer)

    trainer.run()

    embed_w = chainer.backend.CpuDevice().send(model.embed.W.array)
    os.makedirs(args.out, exist_ok=True)
    save_embeddings(os.path.join(args.out, 'word2vec.model'), embed_w, index2word)
    return trainer


if __name__ == '__main__':
    main()
