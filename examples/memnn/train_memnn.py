#!/usr/bin/env python
"""Chainer's memory network example: an end-to-end memory network on bAbI.

Run::

    python examples/memnn/train_memnn.py tasks_1-20_v1-2/en/qa1_single-supporting-fact_train.txt \\
        tasks_1-20_v1-2/en/qa1_single-supporting-fact_test.txt
    python examples/memnn/train_memnn.py          # offline: a generated task 1

It trains ``MemNN`` (see ``memnn.py``: ``--hop`` hops of soft attention over
the last ``--max-memory`` sentences of each story, adjacent weight tying,
temporal encoding, bag-of-words or position-encoded sentences) wrapped in
``L.Classifier`` to answer the questions of a bAbI task: ``StandardUpdater``
with Adam and ``GradientClipping(40)``, an ``Evaluator`` on the test file,
``LogReport``/``PrintReport`` of loss and accuracy, ``ProgressBar``.  At the
end the model and its vocabulary are saved to the ``--model`` directory
(``model.npz``, ``vocab.json``) for ``test_memnn.py MODEL DATA``.

bAbI cannot be downloaded by Chainer; pass its files.  Without them the
example says so in one line on stderr, writes a generated bAbI task 1
("single supporting fact": four people move between six places, "Where is
X?"; 200 training and 100 test stories of 5 questions) in bAbI's text format
to ``<out>/babi`` and reads it back through the same parser.  Chance is 1/6.

Options: ``--batchsize/-b`` (100), ``--epoch/-e`` (100), ``--device/-d``
(``-1`` or ``@numpy``: CPU; ``0`` or ``@cupy:0``: GPU), ``--unit/-u`` (20),
``--hop`` (3), ``--max-memory`` (50), ``--sentence-repr`` (``bow`` or
``pe``), ``--model`` (``model``), ``--out/-o`` (``result``), ``--seed`` and
the deprecated ``--gpu/-g``.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

import numpy

import chainer
import chainer.links as L
from chainer import training
from chainer.training import extensions

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import babi  # noqa: E402
import memnn  # noqa: E402

OFFLINE_STORIES = (200, 100)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Chainer example: end-to-end memory network')
    parser.add_argument('data', nargs='?', help='Training data in bAbI format')
    parser.add_argument('test', nargs='?', help='Test data in bAbI format')
    parser.add_argument('--batchsize', '-b', type=int, default=100,
                        help='Number of questions in each mini-batch')
    parser.add_argument('--epoch', '-e', type=int, default=100,
                        help='Number of sweeps over the dataset to train')
    parser.add_argument('--device', '-d', type=str, default='-1',
                        help='Device specifier: -1 or @numpy for the CPU, a GPU id or '
                        '@cupy:N for a GPU')
    parser.add_argument('--unit', '-u', type=int, default=20,
                        help='Number of units')
    parser.add_argument('--hop', '-H', type=int, default=3,
                        help='Number of hops')
    parser.add_argument('--max-memory', type=int, default=50,
                        help='Maximum number of memories')
    parser.add_argument('--sentence-repr', choices=sorted(memnn.ENCODERS), default='bow',
                        help='Sentence representation: bag of words or position encoding')
    parser.add_argument('--model', '-m', default='model',
                        help='Directory to save the model and its vocabulary to')
    parser.add_argument('--out', '-o', default='result',
                        help='Directory to output the result')
    parser.add_argument('--seed', type=int, default=None,
                        help='Random seed of the weights and the shuffling')
    group = parser.add_argument_group('deprecated arguments')
    group.add_argument('--gpu', '-g', dest='device', type=int, nargs='?', const=0,
                       help='GPU ID (negative value indicates CPU)')
    args = parser.parse_args(argv)
    for name in ('batchsize', 'epoch', 'unit', 'hop', 'max_memory'):
        if getattr(args, name) < 1:
            parser.error(f'--{name.replace("_", "-")} must be positive')
    if (args.data is None) != (args.test is None):
        parser.error('give both the training and the test file, or neither')
    return args


def offline_files(directory: str) -> tuple[str, str]:
    """Writes the generated task 1 under ``directory``; returns the train and test paths."""
    os.makedirs(directory, exist_ok=True)
    paths = []
    for split, n_stories, seed in zip(('train', 'test'), OFFLINE_STORIES, (1, 2)):
        path = os.path.join(directory, f'qa1_single-supporting-fact_{split}.txt')
        with open(path, 'w', encoding='utf-8') as f:
            f.write(babi.generate_task1(n_stories, seed=seed))
        paths.append(path)
    return paths[0], paths[1]


def main(argv: Sequence[str] | None = None) -> training.Trainer:
    args = parse_args(argv)
    device = chainer.get_device(args.device)
    if args.seed is not None:
        numpy.random.seed(args.seed)
        if device.xp is not numpy:
            device.xp.random.seed(args.seed)
    print(f'Device: {device}')

    data_path, test_path = args.data, args.test
    if data_path is None:
        data_path, test_path = offline_files(os.path.join(args.out, 'babi'))
        print(f'No bAbI files given (bAbI cannot be downloaded): training on a generated '
              f'bAbI task 1 written to {os.path.dirname(data_path)}.', file=sys.stderr, flush=True)

    vocab = babi.make_vocab()
    train_stories = babi.read_data(vocab, data_path)
    test_stories = babi.read_data(vocab, test_path)
    vocab = dict(vocab)
    sentence_len = max(len(s if isinstance(s, list) else s.sentence)
                       for story in train_stories + test_stories for s in story)
    train = babi.convert_data(train_stories, args.max_memory, sentence_len)
    test = babi.convert_data(test_stories, args.max_memory, sentence_len)
    print(f'Vocabulary: {len(vocab)}  train questions: {len(train)}  test questions: {len(test)}')

    model = L.Classifier(memnn.MemNN(args.unit, len(vocab), args.sentence_repr,
                                     args.max_memory, args.hop), label_key='answer')
    model.to_device(device)
    device.use()
    optimizer = chainer.optimizers.Adam()
    optimizer.setup(model)
    optimizer.add_hook(chainer.optimizer_hooks.GradientClipping(40))

    train_iter = chainer.iterators.SerialIterator(train, args.batchsize)
    test_iter = chainer.iterators.SerialIterator(test, args.batchsize, repeat=False, shuffle=False)
    updater = training.updaters.StandardUpdater(train_iter, optimizer, device=device)
    trainer = training.Trainer(updater, (args.epoch, 'epoch'), out=args.out)
    trainer.extend(extensions.Evaluator(test_iter, model, device=device))
    trainer.extend(extensions.LogReport())
    trainer.extend(extensions.PrintReport(
        ['epoch', 'main/loss', 'validation/main/loss',
         'main/accuracy', 'validation/main/accuracy', 'elapsed_time']))
    trainer.extend(extensions.ProgressBar(update_interval=10))
    trainer.run()

    memnn.save_model(args.model, model, vocab,
                     {'unit': args.unit, 'hop': args.hop, 'max_memory': args.max_memory,
                      'sentence_repr': args.sentence_repr, 'sentence_len': sentence_len})
    return trainer


if __name__ == '__main__':
    main()
