#!/usr/bin/env python
"""ChainerMN's MNIST example: the MNIST MLP trained data-parallel over MPI ranks.

Install the project with the ``mn`` and ``examples`` extras and start it with
``mpiexec``::

    pip install -e '.[mn,examples]'
    mpiexec -n 2 python examples/chainermn/mnist/train_mnist.py

Each rank trains the same ``MLP`` (784 → ``--unit`` → ``--unit`` → 10, ReLU,
the model of ``examples/mnist``) on its share of the training set (rank 0
reads the data and :func:`chainermn.scatter_dataset` sends each rank its
part); :func:`chainermn.create_multi_node_optimizer` averages the gradients
over the ranks before every Adam update, so the effective batch is
``--batchsize`` times the number of ranks.  The validation set is split the
same way and :func:`chainermn.create_multi_node_evaluator` averages the
ranks' results.  Rank 0 prints the report and writes ``--out``.

Like the single-process example, it reads MNIST from the dataset root
(downloading it on first use) and, without internet, says so in one line
and trains on scikit-learn's 8x8 digits instead.

Options: ``--batchsize/-b`` (per rank, 100), ``--epoch/-e`` (20),
``--communicator`` (``naive``; ``pure_nccl`` on GPUs), ``--device/-d``
(``-1``: CPU; ``0``: each rank takes the GPU of its intra-node rank),
``--out/-o`` (``result``), ``--unit/-u`` (1000), ``--seed``.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

import chainer
import chainer.iterators  # noqa: F401
import chainer.links as L
import chainermn
from chainer import training
from chainer.training import extensions

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'mnist'))
import train_mnist as mnist_example  # noqa: E402  (the single-process example: model, data)

def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='ChainerMN example: MNIST')
    parser.add_argument('--batchsize', '-b', type=int, default=100,
                        help='Number of images in each mini-batch (per rank)')
    parser.add_argument('--communicator', type=str, default='naive',
                        help='Type of communicator')
    parser.add_argument('--epoch', '-e', type=int, default=20,
                        help='Number of sweeps over the dataset to train')
    parser.add_argument('--device', '-d', type=int, default=-1,
                        help='-1: CPU; a non-negative value: one GPU per rank '
                        '(the intra-node rank)')
    parser.add_argument('--out', '-o', default='result',
                        help='Directory to output the result')
    parser.add_argument('--unit', '-u', type=int, default=1000,
                        help='Number of units')
    parser.add_argument('--seed', type=int, default=None,
                        help='Random seed of the initial weights and the shuffling')
    return parser.parse_args(argv)

def main(argv: Sequence[str] | None = None) -> training.Trainer:
    """Runs the example on this rank; returns the trainer."""
    args = parse_args(argv)
    comm = chainermn.create_communicator(args.communicator)
    if args.device >= 0:
        device = chainer.get_device(f'@cupy:{comm.intra_rank}')
    else:
        device = chainer.get_device('@numpy')
    if args.seed is not None:
        mnist_example.seed_everything(args.seed + comm.rank, device)

    if comm.rank == 0:
        print(f'Num process (COMM_WORLD): {comm.size}')
        print(f'Using {args.communicator} communicator')
        print(f'Device: {device}')
        print(f'Num unit: {args.unit}')
        print(f'Num Minibatch-size: {args.batchsize} per rank')
        print(f'Num epoch: {args.epoch}')
        print('')
        sys.stdout.flush()

    model = L.Classifier(mnist_example.MLP(args.unit, 10))
    model.to_device(device)
    device.use()
    # Averages the gradients over the ranks before each update; setup (and
    # the first update, when the lazily sized layers appear) broadcasts rank 0's weights.
    optimizer = chainermn.create_multi_node_optimizer(chainer.optimizers.Adam(), comm)
    optimizer.setup(model)

    train, test = mnist_example.load_dataset() if comm.rank == 0 else (None, None)
    train = chainermn.scatter_dataset(train, comm, shuffle=True, seed=args.seed)
    test = chainermn.scatter_dataset(test, comm, shuffle=True, seed=args.seed)

    train_iter = chainer.iterators.SerialIterator(train, args.batchsize)
    test_iter = chainer.iterators.SerialIterator(test, args.batchsize,
                                                 repeat=False, shuffle=False)

    updater = training.updaters.StandardUpdater(train_iter, optimizer, device=device)
    trainer = training.Trainer(updater, (args.epoch, 'epoch'), out=args.out)

    evaluator = extensions.Evaluator(test_iter, model, device=device)
    trainer.extend(chainermn.create_multi_node_evaluator(evaluator, comm))

    if comm.rank == 0:
        trainer.extend(extensions.LogReport())
        trainer.extend(extensions.PrintReport(
            ['epoch', 'main/loss', 'validation/main/loss',
             'main/accuracy', 'validation/main/accuracy', 'elapsed_time']))

    trainer.run()
    return trainer

if __name__ == '__main__':
    main()
