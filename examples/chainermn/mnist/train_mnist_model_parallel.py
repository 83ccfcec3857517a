#!/usr/bin/env python
"""ChainerMN's model-parallel MNIST example: one MLP split over exactly 2 MPI ranks.

Install the project with the ``mn`` and ``examples`` extras and start it on
two processes with ``mpiexec``::

    pip install -e '.[mn,examples]'
    mpiexec -n 2 python examples/chainermn/mnist/train_mnist_model_parallel.py

The MLP of ``examples/mnist`` (input → ``--unit`` → ``--unit`` → 10, ReLU) is
cut into two :class:`chainermn.MultiNodeChainList` parts.  Rank 0 holds the
first layer, sends its activations to rank 1, receives the logits back and
computes the loss and accuracy (``L.Classifier``); rank 1 holds the two other
layers.  Every rank trains its own part with its own Adam optimizer: the
backward pass sends the gradients back along the same path.  Only rank 0 reads
the data; rank 1 iterates over :func:`chainermn.datasets.create_empty_dataset`
of the same length, so both ranks run the same iterations and the same
``Evaluator`` passes.  Rank 0 prints the report (``PrintReport``,
``ProgressBar``) and writes ``--out`` (``LogReport``'s ``log`` and
``DumpGraph``'s ``cg.dot``, the loss graph with its ``Send`` and ``Recv``).

Like the other MNIST examples it reads MNIST from the dataset root
(downloading it on first use) and, without internet, says so in one line and
trains on scikit-learn's 8x8 digits instead.  Any other number of processes
than 2 stops with a ``ValueError``.

Options: ``--batchsize/-b`` (100), ``--epoch/-e`` (20), ``--communicator``
(``naive``; ``pure_nccl`` on GPUs), ``--device/-d`` (``-1``: CPU; ``0``: each
rank takes the GPU of its intra-node rank), the deprecated ``--gpu/-g`` (the
same as ``--device 0``), ``--out/-o`` (``result``), ``--unit/-u`` (1000),
``--seed``.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Any, Sequence

import chainer
import chainer.functions as F
import chainer.iterators  # noqa: F401
import chainer.links as L
import chainermn
from chainer import training
from chainer.training import extensions

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'mnist'))
import train_mnist as mnist_example  # noqa: E402  (the single-process example: data, seeding)


class MLP0SubA(chainer.Chain):
    """Rank 0's first layer: input → ``n_units`` with ReLU."""

    def __init__(self, n_units: int) -> None:
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(None, n_units)

    def forward(self, x: Any) -> chainer.Variable:
        return F.relu(self.l1(x))


class MLP0SubB(chainer.Chain):
    """Rank 0's last component: passes on the logits received from rank 1."""

    def forward(self, y: chainer.Variable) -> chainer.Variable:
        return y


class MLP0(chainermn.MultiNodeChainList):
    """Rank 0's part: layer 1, sent to rank 1; rank 1's output is the result."""

    def __init__(self, comm: Any, n_units: int) -> None:
        super().__init__(comm)
        self.add_link(MLP0SubA(n_units), rank_in=None, rank_out=1)
        self.add_link(MLP0SubB(), rank_in=1, rank_out=None)


class MLP1Sub(chainer.Chain):
    """Rank 1's layers: ``n_units`` → ``n_units`` (ReLU) → ``n_out``."""

    def __init__(self, n_units: int, n_out: int) -> None:
        super().__init__()
        with self.init_scope():
            self.l2 = L.Linear(None, n_units)
            self.l3 = L.Linear(None, n_out)

    def forward(self, h: chainer.Variable) -> chainer.Variable:
        return self.l3(F.relu(self.l2(h)))


class MLP1(chainermn.MultiNodeChainList):
    """Rank 1's part: receives from rank 0 and sends the logits back to it."""

    def __init__(self, comm: Any, n_units: int, n_out: int) -> None:
        super().__init__(comm)
        self.add_link(MLP1Sub(n_units, n_out), rank_in=0, rank_out=0)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description='ChainerMN example: MNIST, model parallel over 2 processes')
    parser.add_argument('--batchsize', '-b', type=int, default=100,
                        help='Number of images in each mini-batch')
    parser.add_argument('--communicator', type=str, default=None,
                        help='Type of communicator (default: naive; pure_nccl on GPUs)')
    parser.add_argument('--epoch', '-e', type=int, default=20,
                        help='Number of sweeps over the dataset to train')
    group = parser.add_mutually_exclusive_group()
    group.add_argument('--device', '-d', type=int, default=-1,
                       help='-1: CPU; a non-negative value: one GPU per rank '
                       '(the intra-node rank)')
    group.add_argument('--gpu', '-g', dest='device', action='store_const', const=0,
                       help='Use GPUs (deprecated: use --device 0)')
    parser.add_argument('--out', '-o', default='result',
                        help='Directory to output the result')
    parser.add_argument('--unit', '-u', type=int, default=1000,
                        help='Number of units')
    parser.add_argument('--seed', type=int, default=None,
                        help='Random seed of the initial weights and the shuffling')
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> training.Trainer:
    """Runs this rank's part of the example; returns the trainer."""
    args = parse_args(argv)
    communicator = args.communicator or ('pure_nccl' if args.device >= 0 else 'naive')
    comm = chainermn.create_communicator(communicator)
    if comm.size != 2:
        raise ValueError('This example can only be executed on exactly 2 processes '
                         f'(mpiexec -n 2), not {comm.size}.')
    if args.device >= 0:
        device = chainer.get_device(f'@cupy:{comm.intra_rank}')
    else:
        device = chainer.get_device('@numpy')
    if args.seed is not None:
        mnist_example.seed_everything(args.seed + comm.rank, device)

    if comm.rank == 0:
        print(f'Num process (COMM_WORLD): {comm.size}')
        print(f'Using {communicator} communicator')
        print(f'Device: {device}')
        print(f'Num unit: {args.unit}')
        print(f'Num Minibatch-size: {args.batchsize}')
        print(f'Num epoch: {args.epoch}')
        print('')
        sys.stdout.flush()

    if comm.rank == 0:
        model = L.Classifier(MLP0(comm, args.unit))
    else:
        model = MLP1(comm, args.unit, 10)
    model.to_device(device)
    device.use()
    optimizer = chainer.optimizers.Adam()
    optimizer.setup(model)

    # Only rank 0 reads the data; rank 1 runs the same iterations on empty examples
    # (it needs only the sizes of the two sets).
    if comm.rank == 0:
        train, test = mnist_example.load_dataset()
        comm.bcast_obj((len(train), len(test)))
    else:
        n_train, n_test = comm.bcast_obj(None)
        train = chainermn.datasets.create_empty_dataset(range(n_train))
        test = chainermn.datasets.create_empty_dataset(range(n_test))

    train_iter = chainer.iterators.SerialIterator(train, args.batchsize)
    test_iter = chainer.iterators.SerialIterator(test, args.batchsize,
                                                 repeat=False, shuffle=False)

    updater = training.updaters.StandardUpdater(train_iter, optimizer, device=device)
    trainer = training.Trainer(updater, (args.epoch, 'epoch'), out=args.out)
    trainer.extend(extensions.Evaluator(test_iter, model, device=device))

    # Rank 1 reports nothing of its own: the display and the files are rank 0's.
    if comm.rank == 0:
        trainer.extend(extensions.DumpGraph('main/loss'))
        trainer.extend(extensions.LogReport())
        trainer.extend(extensions.PrintReport(
            ['epoch', 'main/loss', 'validation/main/loss',
             'main/accuracy', 'validation/main/accuracy', 'elapsed_time']))
        trainer.extend(extensions.ProgressBar())

    trainer.run()
    return trainer


if __name__ == '__main__':
    main()
