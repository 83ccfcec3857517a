#!/usr/bin/env python
"""Chainer's MNIST example with a LeNet-style convolutional network.

Run it like ``train_mnist.py`` (same options, same data)::

    python examples/mnist/train_mnist_cnn.py

MNIST is read from the dataset root and downloaded there on first use; when
that is impossible (no internet) the example says so in one line and trains on
scikit-learn's 8x8 digits as 1-channel 8x8 images.

The network: two 5x5 convolutions (20 and 50 channels, padded so that any
square input works) each followed by ReLU and 2x2 max pooling, then a hidden
fully connected layer of ``--unit`` units (500) and the 10-way output.  It is
trained by Adam through the Trainer with an Evaluator, snapshots,
LogReport, PlotReport (``--noplot`` turns it off), PrintReport and a
ProgressBar, all written under ``--out``.
"""
from __future__ import annotations

import os
import sys
from typing import Sequence

import chainer
import chainer.functions as F
import chainer.links as L
from chainer import training
from chainer.training import extensions

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_mnist  # noqa: E402  (the MLP example next to this file: options and data)


class LeNet(chainer.Chain):
    """conv(5x5) -> relu -> maxpool(2) twice, then two fully connected layers."""

    def __init__(self, n_units: int = 500, n_out: int = 10) -> None:
        super().__init__()
        with self.init_scope():
            self.conv1 = L.Convolution2D(1, 20, 5, pad=2)
            self.conv2 = L.Convolution2D(20, 50, 5, pad=2)
            self.fc3 = L.Linear(None, n_units)
            self.fc4 = L.Linear(n_units, n_out)

    def forward(self, x):
        if x.ndim == 2:
            # Flat images (784 or 64 values) become square 1-channel images.
            side = int(round(x.shape[1] ** 0.5))
            x = F.reshape(x, (x.shape[0], 1, side, side))
        h = F.max_pooling_2d(F.relu(self.conv1(x)), 2)
        h = F.max_pooling_2d(F.relu(self.conv2(h)), 2)
        h = F.relu(self.fc3(h))
        return self.fc4(h)


def main(argv: Sequence[str] | None = None) -> training.Trainer:
    """Runs the example with command-line arguments ``argv``; returns the trainer."""
    args = train_mnist.parse_args(argv)
    if args.unit == 1000:  # the MLP's default; LeNet's hidden layer is 500 wide
        args.unit = 500
    device = chainer.get_device(args.device)
    print(f'Device: {device}')
    print(f'# unit: {args.unit}')
    print(f'# Minibatch-size: {args.batchsize}')
    print(f'# epoch: {args.epoch}')
    print('')
    sys.stdout.flush()
    if args.seed is not None:
        train_mnist.seed_everything(args.seed, device)

    model = L.Classifier(LeNet(args.unit, 10))
    model.to_device(device)
    device.use()
    optimizer = chainer.optimizers.Adam()
    optimizer.setup(model)

    train, test = train_mnist.load_dataset()
    train_iter = chainer.iterators.SerialIterator(train, args.batchsize)
    test_iter = chainer.iterators.SerialIterator(test, args.batchsize,
                                                 repeat=False, shuffle=False)
    updater = training.updaters.StandardUpdater(train_iter, optimizer, device=device)
    trainer = training.Trainer(updater, (args.epoch, 'epoch'), out=args.out)
    trainer.extend(extensions.Evaluator(test_iter, model, device=device),
                   call_before_training=True)
    frequency = args.epoch if args.frequency == -1 else max(1, args.frequency)
    trainer.extend(extensions.snapshot(n_retains=1, autoload=args.autoload),
                   trigger=(frequency, 'epoch'))
    trainer.extend(extensions.LogReport(), call_before_training=True)
    if args.plot and extensions.PlotReport.available():
        trainer.extend(extensions.PlotReport(['main/loss', 'validation/main/loss'],
                                             'epoch', file_name='loss.png'),
                       call_before_training=True)
        trainer.extend(extensions.PlotReport(['main/accuracy', 'validation/main/accuracy'],
                                             'epoch', file_name='accuracy.png'),
                       call_before_training=True)
    trainer.extend(extensions.PrintReport(
        ['epoch', 'main/loss', 'validation/main/loss',
         'main/accuracy', 'validation/main/accuracy', 'elapsed_time']),
        call_before_training=True)
    trainer.extend(extensions.ProgressBar())
    if args.resume is not None:
        chainer.serializers.load_npz(args.resume, trainer)
    trainer.run()
    return trainer


if __name__ == '__main__':
    main()
