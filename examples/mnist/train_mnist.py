#!/usr/bin/env python
"""Chainer's MNIST example: a three-layer perceptron trained with the Trainer.

Install the project with the ``examples`` extra (scikit-learn, matplotlib) and
run it::

    pip install -e '.[examples]'
    python examples/mnist/train_mnist.py

MNIST is read from the dataset root (``$CHAINER_DATASET_ROOT``, by default
``~/.chainer/dataset``) and downloaded there on first use.  When it is not
there and cannot be downloaded (no internet), the example says so in one line
and trains on the 8x8 handwritten-digits set that ships inside scikit-learn
(1,797 images: 1,437 for training, 360 for validation), so it runs anywhere.

What it does: ``MLP`` (784 or 64 → ``--unit`` → ``--unit`` → 10, ReLU) wrapped
in ``L.Classifier`` (softmax cross entropy and accuracy), trained by Adam
through a ``StandardUpdater`` and a ``Trainer`` with these extensions:

- ``Evaluator`` on the validation set every epoch (``validation/main/*``),
- ``DumpGraph`` of the loss graph at the first iteration (``cg.dot``),
- ``snapshot`` of the whole trainer every ``--frequency`` epochs (only the
  newest ``snapshot_iter_<iteration>`` file is kept),
- ``LogReport`` (the JSON file ``log``), ``PlotReport`` (``loss.png`` and
  ``accuracy.png``, needs matplotlib, off with ``--noplot``),
  ``PrintReport`` (a table per epoch) and ``ProgressBar``.

Everything is written under ``--out``.  An interrupted run continues where its
last snapshot left off with ``--resume result/snapshot_iter_<n>`` or, in the
same output directory, with ``--autoload``; with ``--seed`` the resumed run
ends with the same weights as an uninterrupted one.

Options: ``--batchsize/-b`` (100), ``--epoch/-e`` (20), ``--frequency/-f``
(snapshot every that many epochs; -1: at the end only), ``--device/-d``
(``-1`` or ``@numpy`` for the CPU, ``0`` or ``@cupy:0`` for a GPU),
``--out/-o`` (``result``), ``--resume/-r``, ``--autoload``, ``--unit/-u``
(1000), ``--noplot``, ``--seed`` (none: not reproducible) and the deprecated
``--gpu/-g``.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import sys
from typing import Sequence

import numpy

import chainer
import chainer.datasets  # noqa: F401  (explicit: also works before `import chainer` loads it)
import chainer.functions as F
import chainer.iterators  # noqa: F401
import chainer.links as L
from chainer import training
from chainer.training import extensions
import chainerx


class MLP(chainer.Chain):
    """Three fully connected layers with ReLU; input sizes are inferred."""

    def __init__(self, n_units: int, n_out: int) -> None:
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(None, n_units)
            self.l2 = L.Linear(None, n_units)
            self.l3 = L.Linear(None, n_out)

    def forward(self, x):
        h1 = F.relu(self.l1(x))
        h2 = F.relu(self.l2(h1))
        return self.l3(h2)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Chainer example: MNIST')
    parser.add_argument('--batchsize', '-b', type=int, default=100,
                        help='Number of images in each mini-batch')
    parser.add_argument('--epoch', '-e', type=int, default=20,
                        help='Number of sweeps over the dataset to train')
    parser.add_argument('--frequency', '-f', type=int, default=-1,
                        help='Frequency of taking a snapshot')
    parser.add_argument('--device', '-d', type=str, default='-1',
                        help='Device specifier. Either ChainerX device specifier or an '
                        'integer. If non-negative integer, CuPy arrays with specified '
                        'device id are used. If negative integer, NumPy arrays are used')
    parser.add_argument('--out', '-o', default='result',
                        help='Directory to output the result')
    parser.add_argument('--resume', '-r', type=str,
                        help='Resume the training from snapshot')
    parser.add_argument('--autoload', action='store_true',
                        help='Automatically load trainer snapshots in case of preemption '
                        'or other temporary system failure')
    parser.add_argument('--unit', '-u', type=int, default=1000,
                        help='Number of units')
    parser.add_argument('--noplot', dest='plot', action='store_false',
                        help='Disable PlotReport extension')
    parser.add_argument('--seed', type=int, default=None,
                        help='Random seed of the initial weights and the shuffling '
                        '(default: not seeded)')
    group = parser.add_argument_group('deprecated arguments')
    group.add_argument('--gpu', '-g', dest='device', type=int, nargs='?', const=0,
                       help='GPU ID (negative value indicates CPU)')
    return parser.parse_args(argv)


def get_digits() -> tuple:
    """scikit-learn's 8x8 digits as ``(train, test)`` TupleDatasets, scaled to [0, 1].

    The split (1,437 / 360) is a fixed permutation, the same on every run.
    """
    from sklearn.datasets import load_digits
    digits = load_digits()
    x = (digits.data / 16.).astype(numpy.float32)
    y = digits.target.astype(numpy.int32)
    dataset = chainer.datasets.TupleDataset(x, y)
    return chainer.datasets.split_dataset_random(dataset, 1437, seed=0)


def load_dataset() -> tuple:
    """MNIST from the dataset root (downloading it), else scikit-learn's digits."""
    # The loader's "Downloading from ..." lines are held back, so that a
    # machine without internet sees only the one line about the fallback.
    held = io.StringIO()
    try:
        with contextlib.redirect_stderr(held):
            datasets = chainer.datasets.get_mnist()
    except OSError:
        mnist_dir = os.path.join(chainer.dataset.get_dataset_root(), 'pfnet', 'chainer', 'mnist')
        print(f'MNIST is not in {mnist_dir} and could not be downloaded: training on the 8x8 '
              f'digits set of scikit-learn instead.', file=sys.stderr, flush=True)
    except BaseException:
        sys.stderr.write(held.getvalue())
        raise
    else:
        sys.stderr.write(held.getvalue())
        return datasets
    try:
        return get_digits()
    except ImportError:
        raise SystemExit(
            'scikit-learn is needed for the digits set: pip install scikit-learn '
            "(or install this project with the 'examples' extra)") from None


def seed_everything(seed: int, device: chainer.backend.Device) -> None:
    random.seed(seed)
    numpy.random.seed(seed)
    if device.xp is not numpy and hasattr(device.xp, 'random'):
        device.xp.random.seed(seed)


def main(argv: Sequence[str] | None = None) -> training.Trainer:
    """Runs the example with command-line arguments ``argv``; returns the trainer."""
    args = parse_args(argv)

    device = chainer.get_device(args.device)

    print(f'Device: {device}')
    print(f'# unit: {args.unit}')
    print(f'# Minibatch-size: {args.batchsize}')
    print(f'# epoch: {args.epoch}')
    print('')
    sys.stdout.flush()

    if args.seed is not None:
        seed_everything(args.seed, device)

    # Classifier reports the softmax cross entropy loss and the accuracy of
    # each batch, which LogReport and PrintReport pick up.
    model = L.Classifier(MLP(args.unit, 10))
    model.to_device(device)
    device.use()

    optimizer = chainer.optimizers.Adam()
    optimizer.setup(model)

    train, test = load_dataset()

    train_iter = chainer.iterators.SerialIterator(train, args.batchsize)
    test_iter = chainer.iterators.SerialIterator(test, args.batchsize,
                                                 repeat=False, shuffle=False)

    updater = training.updaters.StandardUpdater(train_iter, optimizer, device=device)
    trainer = training.Trainer(updater, (args.epoch, 'epoch'), out=args.out)

    trainer.extend(extensions.Evaluator(test_iter, model, device=device),
                   call_before_training=True)

    # The loss graph of the first iteration; "main" is the optimizer's target.
    # (Chainer's example skips it on ChainerX devices.)
    if device.xp is not chainerx:
        trainer.extend(extensions.DumpGraph('main/loss'))

    frequency = args.epoch if args.frequency == -1 else max(1, args.frequency)
    # Only the newest snapshot is kept; --autoload loads it before training.
    trainer.extend(extensions.snapshot(n_retains=1, autoload=args.autoload),
                   trigger=(frequency, 'epoch'))

    trainer.extend(extensions.LogReport(), call_before_training=True)

    if args.plot and extensions.PlotReport.available():
        trainer.extend(
            extensions.PlotReport(['main/loss', 'validation/main/loss'],
                                  'epoch', file_name='loss.png'),
            call_before_training=True)
        trainer.extend(
            extensions.PlotReport(['main/accuracy', 'validation/main/accuracy'],
                                  'epoch', file_name='accuracy.png'),
            call_before_training=True)

    trainer.extend(extensions.PrintReport(
        ['epoch', 'main/loss', 'validation/main/loss',
         'main/accuracy', 'validation/main/accuracy', 'elapsed_time']),
        call_before_training=True)

    trainer.extend(extensions.ProgressBar())

    if args.resume is not None:
        # A snapshot found by --autoload is loaded later and wins.
        chainer.serializers.load_npz(args.resume, trainer)

    trainer.run()
    return trainer


if __name__ == '__main__':
    main()
