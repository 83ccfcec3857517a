#!/usr/bin/env python
"""Chainer's CIFAR example: a convolutional classifier with batch normalization.

Run it (CIFAR is read from the dataset root, ``$CHAINER_DATASET_ROOT`` or
``~/.chainer/dataset``, and downloaded there on first use)::

    python examples/cifar/train_cifar.py --dataset cifar10 --arch vgg

When CIFAR is not there and cannot be downloaded (no internet), the example
says so in one line and trains on the 8x8 handwritten digits that ship inside
scikit-learn, as 1-channel images (1,437 for training, 360 for validation);
the default run reaches about 98-99 % validation accuracy there in a minute
on a CPU.

Networks (``--arch``):

- ``vgg``: stages of two 3x3 convolutions (three in the deeper stages on
  CIFAR), each followed by batch normalization and ReLU, max pooling between
  stages and dropout before a two-layer classifier; 5 stages for 32x32 images,
  3 for 8x8 ones.
- ``resnet``: a CIFAR-style residual network (He et al., 2015): a 3x3
  convolution, three stages of basic residual blocks (16, 32 and 64 channels,
  the last two halving the resolution), global average pooling and a linear
  classifier; ``--depth`` is 6n+2 (default 20 on CIFAR, 8 on the digits).

Training: ``L.Classifier`` (softmax cross entropy, accuracy), MomentumSGD with
weight decay 5e-4, the learning rate halved every ``--epoch / 12`` epochs
(every 25 of CIFAR's default 300) and the Trainer's usual extensions:
``Evaluator``, ``DumpGraph``, ``snapshot`` (the newest one kept),
``LogReport``, ``PlotReport`` (needs matplotlib, off with ``--noplot``),
``PrintReport`` and ``ProgressBar``. ``--early-stopping KEY`` stops when
``KEY`` (e.g. ``validation/main/loss``) stops improving.

Options: ``--dataset`` (cifar10 or cifar100), ``--arch`` (vgg or resnet),
``--batchsize/-b`` (64), ``--learnrate/-l`` (0.05), ``--epoch/-e`` (300 on
CIFAR, 12 on the digits), ``--device/-d`` (``-1``/``@numpy``, ``0``/``@cupy:0``),
``--out/-o`` (``result``), ``--resume/-r``, ``--early-stopping``, ``--depth``,
``--noplot``, ``--seed`` and the deprecated ``--gpu/-g``.
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
import chainer.datasets  # noqa: F401
import chainer.functions as F
import chainer.iterators  # noqa: F401
import chainer.links as L
from chainer import training
from chainer.training import extensions
from chainer.training import triggers

_CIFAR_EPOCHS = 300
_DIGITS_EPOCHS = 12


class ConvBN(chainer.Chain):
    """3x3 convolution (no bias), batch normalization and ReLU."""

    def __init__(self, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        with self.init_scope():
            self.conv = L.Convolution2D(None, out_channels, 3, stride, 1, nobias=True,
                                        initialW=chainer.initializers.HeNormal())
            self.bn = L.BatchNormalization(out_channels)

    def forward(self, x):
        return F.relu(self.bn(self.conv(x)))


class VGG(chainer.Chain):
    """VGG-style network with batch normalization.

    Args:
        n_class (int): Number of classes.
        insize (int): Side of the (square) input images; every stage halves it
            down to 1.
        base (int): Channels of the first stage (doubled per stage, at most 512).
        dropout (float): Dropout ratio before and inside the classifier (0.6 times
            that after the deeper convolution stages).
    """

    def __init__(self, n_class: int, insize: int = 32, base: int = 64,
                 dropout: float = 0.5) -> None:
        super().__init__()
        self.dropout = dropout
        n_stages = max(1, int(numpy.log2(insize)))
        self.depths = []
        layers = []
        channels = base
        for stage in range(n_stages):
            depth = 3 if stage >= 2 and insize >= 32 else 2
            layers += [ConvBN(channels) for _ in range(depth)]
            self.depths.append(depth)
            last = channels
            channels = min(channels * 2, 512)
        with self.init_scope():
            self.convs = chainer.ChainList(*layers)
            self.fc1 = L.Linear(last, last, initialW=chainer.initializers.HeNormal())
            self.bn_fc = L.BatchNormalization(last)
            self.fc2 = L.Linear(last, n_class)

    def forward(self, x):
        layers = iter(self.convs)
        h = x
        for i, depth in enumerate(self.depths):
            for _ in range(depth):
                h = next(layers)(h)
            h = F.max_pooling_2d(h, 2)
            if i >= 2:
                h = F.dropout(h, 0.6 * self.dropout)
        h = F.dropout(h, self.dropout)
        h = F.relu(self.bn_fc(self.fc1(h)))
        h = F.dropout(h, self.dropout)
        return self.fc2(h)


class BasicBlock(chainer.Chain):
    """Two 3x3 convolutions with batch normalization and a shortcut (a strided
    1x1 projection when the shape changes)."""

    def __init__(self, in_channels: int, out_channels: int, stride: int = 1) -> None:
        super().__init__()
        init = chainer.initializers.HeNormal()
        with self.init_scope():
            self.conv1 = L.Convolution2D(in_channels, out_channels, 3, stride, 1,
                                         nobias=True, initialW=init)
            self.bn1 = L.BatchNormalization(out_channels)
            self.conv2 = L.Convolution2D(out_channels, out_channels, 3, 1, 1,
                                         nobias=True, initialW=init)
            self.bn2 = L.BatchNormalization(out_channels)
            if stride != 1 or in_channels != out_channels:
                self.proj = L.Convolution2D(in_channels, out_channels, 1, stride, 0,
                                            nobias=True, initialW=init)
                self.bn_proj = L.BatchNormalization(out_channels)
            else:
                self.proj = None

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        shortcut = x if self.proj is None else self.bn_proj(self.proj(x))
        return F.relu(h + shortcut)


class ResNet(chainer.Chain):
    """CIFAR-style residual network of depth ``6 n + 2``."""

    def __init__(self, n_class: int, in_channels: int = 3, depth: int = 20) -> None:
        super().__init__()
        if (depth - 2) % 6 or depth < 8:
            raise ValueError(f'ResNet depth must be 6n+2 with n >= 1, got {depth}')
        n = (depth - 2) // 6
        with self.init_scope():
            self.conv = L.Convolution2D(in_channels, 16, 3, 1, 1, nobias=True,
                                        initialW=chainer.initializers.HeNormal())
            self.bn = L.BatchNormalization(16)
            self.blocks = chainer.ChainList()
            channels = 16
            for stage, width in enumerate((16, 32, 64)):
                for i in range(n):
                    stride = 2 if stage > 0 and i == 0 else 1
                    self.blocks.add_link(BasicBlock(channels, width, stride))
                    channels = width
            self.fc = L.Linear(64, n_class)

    def forward(self, x):
        h = F.relu(self.bn(self.conv(x)))
        for block in self.blocks:
            h = block(h)
        h = F.mean(h, axis=(2, 3))
        return self.fc(h)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Chainer CIFAR example')
    parser.add_argument('--dataset', default='cifar10', choices=('cifar10', 'cifar100'),
                        help='The dataset to use: cifar10 or cifar100')
    parser.add_argument('--arch', default='vgg', choices=('vgg', 'resnet'),
                        help='The network: vgg or resnet')
    parser.add_argument('--batchsize', '-b', type=int, default=64,
                        help='Number of images in each mini-batch')
    parser.add_argument('--learnrate', '-l', type=float, default=0.05,
                        help='Learning rate for SGD')
    parser.add_argument('--epoch', '-e', type=int, default=None,
                        help=f'Number of sweeps over the dataset to train (default: '
                        f'{_CIFAR_EPOCHS} on CIFAR, {_DIGITS_EPOCHS} on the digits)')
    parser.add_argument('--device', '-d', type=str, default='-1',
                        help='Device specifier. Either ChainerX device specifier or an '
                        'integer. If non-negative integer, CuPy arrays with specified '
                        'device id are used. If negative integer, NumPy arrays are used')
    parser.add_argument('--out', '-o', default='result',
                        help='Directory to output the result')
    parser.add_argument('--resume', '-r', type=str,
                        help='Resume the training from snapshot')
    parser.add_argument('--early-stopping', type=str,
                        help='Metric to watch for early stopping')
    parser.add_argument('--depth', type=int, default=None,
                        help='Depth of the resnet (6n+2; default 20 on CIFAR, 8 on the '
                        'digits)')
    parser.add_argument('--noplot', dest='plot', action='store_false',
                        help='Disable PlotReport extension')
    parser.add_argument('--seed', type=int, default=None,
                        help='Random seed of the initial weights and the shuffling')
    group = parser.add_argument_group('deprecated arguments')
    group.add_argument('--gpu', '-g', dest='device', type=int, nargs='?', const=0,
                       help='GPU ID (negative value indicates CPU)')
    return parser.parse_args(argv)


def get_digits() -> tuple:
    """scikit-learn's 8x8 digits as ``(train, test)`` TupleDatasets of 1-channel
    images scaled to [0, 1], split 1,437 / 360 by a fixed permutation."""
    from sklearn.datasets import load_digits
    digits = load_digits()
    x = (digits.images / 16.).astype(numpy.float32)[:, None]
    y = digits.target.astype(numpy.int32)
    dataset = chainer.datasets.TupleDataset(x, y)
    return chainer.datasets.split_dataset_random(dataset, 1437, seed=0)


def load_dataset(name: str) -> tuple:
    """``(train, test, n_class, on_cifar)``: CIFAR from the dataset root
    (downloading it), else scikit-learn's digits."""
    held = io.StringIO()
    try:
        with contextlib.redirect_stderr(held):
            if name == 'cifar10':
                train, test = chainer.datasets.get_cifar10()
            else:
                train, test = chainer.datasets.get_cifar100()
    except OSError:
        where = os.path.join(chainer.dataset.get_dataset_root(), 'pfnet', 'chainer', 'cifar')
        print(f'{name.upper()} is not in {where} and could not be downloaded: training on '
              'the 8x8 digits set of scikit-learn (1-channel images) instead.',
              file=sys.stderr, flush=True)
    except BaseException:
        sys.stderr.write(held.getvalue())
        raise
    else:
        sys.stderr.write(held.getvalue())
        return train, test, (10 if name == 'cifar10' else 100), True
    try:
        train, test = get_digits()
    except ImportError:
        raise SystemExit('scikit-learn is needed for the digits set: pip install '
                         "scikit-learn (or install this project with the 'examples' "
                         'extra)') from None
    return train, test, 10, False


def build_model(arch: str, n_class: int, on_cifar: bool, depth: int | None) -> chainer.Link:
    if arch == 'vgg':
        if on_cifar:
            return VGG(n_class, insize=32, base=64, dropout=0.5)
        return VGG(n_class, insize=8, base=16, dropout=0.1)
    return ResNet(n_class, in_channels=3 if on_cifar else 1,
                  depth=depth or (20 if on_cifar else 8))


def seed_everything(seed: int, device: chainer.backend.Device) -> None:
    random.seed(seed)
    numpy.random.seed(seed)
    if device.xp is not numpy and hasattr(device.xp, 'random'):
        device.xp.random.seed(seed)


def main(argv: Sequence[str] | None = None) -> training.Trainer:
    """Runs the example with command-line arguments ``argv``; returns the trainer."""
    args = parse_args(argv)
    device = chainer.get_device(args.device)
    if args.seed is not None:
        seed_everything(args.seed, device)

    train, test, n_class, on_cifar = load_dataset(args.dataset)
    epoch = args.epoch or (_CIFAR_EPOCHS if on_cifar else _DIGITS_EPOCHS)

    print(f'Device: {device}')
    print(f'# Minibatch-size: {args.batchsize}')
    print(f'# epoch: {epoch}')
    print(f'# arch: {args.arch}')
    print(f'# dataset: {args.dataset if on_cifar else "digits (offline fallback)"}')
    print('')
    sys.stdout.flush()

    model = L.Classifier(build_model(args.arch, n_class, on_cifar, args.depth))
    model.to_device(device)
    device.use()

    optimizer = chainer.optimizers.MomentumSGD(args.learnrate)
    optimizer.setup(model)
    optimizer.add_hook(chainer.optimizer_hooks.WeightDecay(5e-4))

    train_iter = chainer.iterators.SerialIterator(train, args.batchsize)
    test_iter = chainer.iterators.SerialIterator(test, args.batchsize,
                                                 repeat=False, shuffle=False)

    stop_trigger = (epoch, 'epoch')
    if args.early_stopping:
        stop_trigger = triggers.EarlyStoppingTrigger(
            monitor=args.early_stopping, verbose=True, max_trigger=(epoch, 'epoch'))

    updater = training.updaters.StandardUpdater(train_iter, optimizer, device=device)
    trainer = training.Trainer(updater, stop_trigger, out=args.out)

    trainer.extend(extensions.Evaluator(test_iter, model, device=device))
    # Halve the learning rate every twelfth of the run (every 25 epochs of 300).
    trainer.extend(extensions.ExponentialShift('lr', 0.5),
                   trigger=(max(1, epoch // 12), 'epoch'))
    trainer.extend(extensions.DumpGraph('main/loss'))
    trainer.extend(extensions.snapshot(n_retains=1), trigger=(max(1, epoch // 10), 'epoch'))
    trainer.extend(extensions.LogReport())
    if args.plot and extensions.PlotReport.available():
        trainer.extend(extensions.PlotReport(['main/loss', 'validation/main/loss'],
                                             'epoch', file_name='loss.png'))
        trainer.extend(extensions.PlotReport(['main/accuracy', 'validation/main/accuracy'],
                                             'epoch', file_name='accuracy.png'))
    trainer.extend(extensions.PrintReport(
        ['epoch', 'main/loss', 'validation/main/loss',
         'main/accuracy', 'validation/main/accuracy', 'lr', 'elapsed_time']))
    trainer.extend(extensions.ProgressBar())

    if args.resume is not None:
        chainer.serializers.load_npz(args.resume, trainer)

    trainer.run()
    return trainer


if __name__ == '__main__':
    main()
