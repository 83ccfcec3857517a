#!/usr/bin/env python
"""Chainer's text classification example: sentence encoders and a linear classifier.

Run it from anywhere (it imports ``nets``, ``nlp_utils`` and
``text_datasets`` from its own directory)::

    python examples/text_classification/train_text_classifier.py --dataset imdb.binary \\
        --model cnn

It trains ``nets.TextClassifier``: an encoder turns each sentence (word ids,
``<eos>`` appended) into a vector and a linear layer gives the class scores;
the loss is the softmax cross entropy.  ``--model`` picks the encoder:
``rnn`` (``RNNEncoder``: a stacked ``NStepLSTM`` over the embeddings, its
last hidden state), ``cnn`` (``CNNEncoder``: convolutions over windows of
3, 4 and 5 words, max over time, an MLP) or ``bow`` (``BOWMLPEncoder``: the
mean of the embeddings, an MLP).  ``--char-based`` reads characters instead
of words.

The datasets are those of Chainer's example: ``dbpedia``, ``imdb.binary``,
``imdb.fine``, ``TREC``, ``stsa.binary``, ``stsa.fine``, ``custrev``,
``mpqa``, ``rt-polarity`` and ``subj``, downloaded once with
``chainer.dataset.cached_download`` into the dataset root
(``$CHAINER_DATASET_ROOT``, by default ``~/.chainer/dataset``).  When the
download fails (no internet), the example says so in one line on stderr and
trains on a synthetic corpus instead: 1,200 training and 300 test sentences
of made-up words in four classes, each class with its own topic words.

The Trainer runs Adam with ``WeightDecay(1e-4)`` through a
``StandardUpdater`` with the ``nlp_utils.convert_seq`` converter, an
``Evaluator``, ``LogReport``, ``PrintReport`` and ``ProgressBar``; it writes
``best_model.npz`` (``snapshot_object`` of the model whenever
``validation/main/accuracy`` reaches a new maximum), ``vocab.json`` and
``args.json`` (the options, ``n_class`` and the two paths, which
``run_text_classifier.py --model-setup`` reads) into ``--out``.

Options: ``--batchsize/-b`` (64), ``--epoch/-e`` (30), ``--device/-d``
(``-1`` or ``@numpy``; ``0`` or ``@cupy:0``), ``--out/-o`` (``result``),
``--unit/-u`` (300), ``--layer/-l`` (1), ``--dropout`` (0.4),
``--model/-model`` (``cnn``), ``--dataset`` (``imdb.binary``),
``--char-based``, ``--test`` (the first 100 sentences of each split),
``--seed`` and the deprecated ``--gpu/-g``.
"""
from __future__ import annotations

import argparse
import contextlib
import datetime
import io
import json
import os
import random
import sys
from typing import Sequence

import numpy

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import chainer  # noqa: E402
import chainer.iterators  # noqa: E402,F401
from chainer import training  # noqa: E402
from chainer.training import extensions  # noqa: E402

import nets  # noqa: E402
from nlp_utils import convert_seq  # noqa: E402
import text_datasets  # noqa: E402

DATASETS = ['dbpedia', 'imdb.binary', 'imdb.fine', 'TREC', 'stsa.binary', 'stsa.fine',
            'custrev', 'mpqa', 'rt-polarity', 'subj']


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Chainer example: Text Classification')
    parser.add_argument('--batchsize', '-b', type=int, default=64,
                        help='Number of texts in each mini-batch')
    parser.add_argument('--epoch', '-e', type=int, default=30,
                        help='Number of sweeps over the dataset to train')
    parser.add_argument('--device', '-d', type=str, default='-1',
                        help='Device specifier: -1 or @numpy for the CPU, a GPU id or '
                        '@cupy:N for a GPU')
    parser.add_argument('--out', '-o', default='result',
                        help='Directory to output the result')
    parser.add_argument('--unit', '-u', type=int, default=300,
                        help='Number of units')
    parser.add_argument('--layer', '-l', type=int, default=1,
                        help='Number of layers of RNN or MLP following CNN')
    parser.add_argument('--dropout', type=float, default=0.4,
                        help='Dropout rate')
    parser.add_argument('--dataset', default='imdb.binary', choices=DATASETS,
                        help='Name of dataset.')
    parser.add_argument('--model', '-model', default='cnn', choices=['cnn', 'rnn', 'bow'],
                        help='Name of encoder model type.')
    parser.add_argument('--char-based', action='store_true')
    parser.add_argument('--test', dest='test', action='store_true')
    parser.set_defaults(test=False)
    parser.add_argument('--seed', type=int, default=None,
                        help='Random seed of the weights, the shuffling and the dropout')
    group = parser.add_argument_group('deprecated arguments')
    group.add_argument('--gpu', '-g', dest='device', type=int, nargs='?', const=0,
                       help='GPU ID (negative value indicates CPU)')
    args = parser.parse_args(argv)
    for name in ('batchsize', 'epoch', 'unit', 'layer'):
        if getattr(args, name) < 1:
            parser.error(f'--{name} must be positive')
    if args.model == 'cnn' and args.unit < 3:
        parser.error('--unit must be at least 3 for the cnn model')
    if not 0 <= args.dropout < 1:
        parser.error('--dropout must be in [0, 1)')
    return args


def load_dataset(name: str, char_based: bool) -> tuple:
    """``(train, test, vocab)`` of ``name``; the synthetic corpus when it cannot be downloaded."""
    held = io.StringIO()  # the loader's "Downloading ..." lines, shown only on success
    try:
        with contextlib.redirect_stderr(held):
            if name == 'dbpedia':
                loaded = text_datasets.get_dbpedia(char_based=char_based)
            elif name.startswith('imdb.'):
                loaded = text_datasets.get_imdb(fine_grained=name.endswith('.fine'),
                                                char_based=char_based)
            else:
                loaded = text_datasets.get_other_text_dataset(name, char_based=char_based)
    except OSError:
        print(f'The {name} dataset is not in {chainer.dataset.get_dataset_root()} and could not '
              f'be downloaded: training on a synthetic corpus instead (four classes of '
              f'sentences of made-up words).', file=sys.stderr, flush=True)
    else:
        sys.stderr.write(held.getvalue())
        return loaded
    return text_datasets.get_synthetic(char_based=char_based)


def seed_everything(seed: int, device: chainer.backend.Device) -> None:
    random.seed(seed)
    numpy.random.seed(seed)
    if device.xp is not numpy:
        device.xp.random.seed(seed)


ENCODERS = {'rnn': nets.RNNEncoder, 'cnn': nets.CNNEncoder, 'bow': nets.BOWMLPEncoder}


def main(argv: Sequence[str] | None = None) -> training.Trainer:
    """Runs the example with command-line arguments ``argv``; returns the trainer."""
    args = parse_args(argv)
    device = chainer.get_device(args.device)
    if args.seed is not None:
        seed_everything(args.seed, device)
    current_datetime = f'{datetime.datetime.today()}'
    print(f'Device: {device}')
    print(f'# Minibatch-size: {args.batchsize}')
    print(f'# epoch: {args.epoch}')
    print('')
    sys.stdout.flush()

    train, test, vocab = load_dataset(args.dataset, args.char_based)
    if args.test:
        train, test = train[:100], test[:100]
    print(f'# train data: {len(train)}')
    print(f'# test  data: {len(test)}')
    print(f'# vocab: {len(vocab)}')
    n_class = len({int(d[1][0]) for d in train})
    print(f'# class: {n_class}')
    sys.stdout.flush()

    train_iter = chainer.iterators.SerialIterator(train, args.batchsize)
    test_iter = chainer.iterators.SerialIterator(test, args.batchsize,
                                                 repeat=False, shuffle=False)

    encoder = ENCODERS[args.model](n_layers=args.layer, n_vocab=len(vocab),
                                   n_units=args.unit, dropout=args.dropout)
    model = nets.TextClassifier(encoder, n_class)
    model.to_device(device)
    device.use()

    optimizer = chainer.optimizers.Adam()
    optimizer.setup(model)
    optimizer.add_hook(chainer.optimizer_hooks.WeightDecay(1e-4))

    updater = training.updaters.StandardUpdater(
        train_iter, optimizer, converter=convert_seq, device=device)
    trainer = training.Trainer(updater, (args.epoch, 'epoch'), out=args.out)

    trainer.extend(extensions.Evaluator(test_iter, model, converter=convert_seq, device=device))
    record_trigger = training.triggers.MaxValueTrigger(
        'validation/main/accuracy', (1, 'epoch'))
    trainer.extend(extensions.snapshot_object(model, 'best_model.npz'), trigger=record_trigger)
    trainer.extend(extensions.LogReport())
    trainer.extend(extensions.PrintReport(
        ['epoch', 'main/loss', 'validation/main/loss', 'main/accuracy',
         'validation/main/accuracy', 'elapsed_time']))
    trainer.extend(extensions.ProgressBar())

    # What run_text_classifier.py needs to rebuild the model: the vocabulary and the options.
    os.makedirs(args.out, exist_ok=True)
    vocab_path = os.path.join(args.out, 'vocab.json')
    _write_json(vocab_path, vocab)
    model_setup = dict(vars(args), vocab_path=vocab_path,
                       model_path=os.path.join(args.out, 'best_model.npz'),
                       n_class=n_class, datetime=current_datetime)
    _write_json(os.path.join(args.out, 'args.json'), model_setup)

    trainer.run()
    return trainer


def _write_json(path: str, value) -> None:
    with open(path, 'w', encoding='utf-8') as f:
        json.dump(value, f)


if __name__ == '__main__':
    main()
