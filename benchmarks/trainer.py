"""What the Trainer machinery costs: the MNIST MLP through the Trainer vs a bare loop.

Run:  python benchmarks/trainer.py [--iterations N] [--rounds R] [--device SPEC]

Both sides train the MNIST example's model (784-1000-1000-10 ReLU MLP in
``L.Classifier``, Adam, batch 100) on random data of MNIST's shape (60,000
images of 784 float32 pixels, int32 labels), with the same ``SerialIterator``
(shuffled), optimizer and converter (``concat_examples``):

- trainer: ``StandardUpdater`` + ``Trainer`` with LogReport (its file in a
  temporary directory), PrintReport and ProgressBar (both printing to a null
  stream), stopping after N iterations;
- bare: ``batch = next(it)``, ``x, t = concat_examples(batch, device)``,
  ``optimizer.update(model, x, t)`` N times.

Each round starts from the same weights and shuffling seed and rounds
alternate between the two.  Printed: the median iterations/second of each,
the median over pairs of adjacent rounds of trainer/bare speed, and from it
the overhead, i.e. the extra time per iteration of the trainer relative to
the bare loop (bar: <= 5 %).  On a busy machine use more rounds.
"""
from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time

import numpy as np

import _timing  # noqa: F401  (puts the checkout first on sys.path)
import chainer
import chainer.datasets  # noqa: F401
import chainer.functions as F
import chainer.iterators  # noqa: F401
import chainer.links as L
from chainer import training
from chainer.dataset import concat_examples
from chainer.training import extensions


class MLP(chainer.Chain):
    """The MNIST example's network."""

    def __init__(self, n_units: int, n_out: int) -> None:
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(None, n_units)
            self.l2 = L.Linear(None, n_units)
            self.l3 = L.Linear(None, n_out)

    def forward(self, x):
        return self.l3(F.relu(self.l2(F.relu(self.l1(x)))))


def _synchronize(device: chainer.backend.Device) -> None:
    if device.xp is not np:
        device.device.synchronize()


def fresh_model(args, device, dataset) -> tuple:
    """The same initial weights, optimizer state and shuffling seed every time.

    Each round starts afresh so both sides do the same arithmetic: after a
    few hundred Adam steps on random data, the moments of dead ReLU units
    decay into denormal floats, which slows the CPU down several times.
    """
    np.random.seed(0)
    model = L.Classifier(MLP(args.unit, 10))
    model.to_device(device)
    optimizer = chainer.optimizers.Adam()
    optimizer.setup(model)
    # One update outside the timing initializes the lazy weights and Adam's state.
    x, t = concat_examples(dataset[:args.batchsize], device)
    optimizer.update(model, x, t)
    np.random.seed(1)
    return model, optimizer


def time_bare(model, optimizer, dataset, args, device) -> float:
    it = chainer.iterators.SerialIterator(dataset, args.batchsize)
    _synchronize(device)
    t0 = time.perf_counter()
    for _ in range(args.iterations):
        batch = next(it)
        x, t = concat_examples(batch, device)
        optimizer.update(model, x, t)
        if it.is_new_epoch:
            optimizer.new_epoch()  # what StandardUpdater does (with auto=True)
    _synchronize(device)
    return time.perf_counter() - t0


def time_trainer(model, optimizer, dataset, args, device, out_dir: str, null) -> float:
    it = chainer.iterators.SerialIterator(dataset, args.batchsize)
    updater = training.updaters.StandardUpdater(it, optimizer, device=device)
    trainer = training.Trainer(updater, (args.iterations, 'iteration'), out=out_dir)
    trainer.extend(extensions.LogReport())
    trainer.extend(extensions.PrintReport(
        ['epoch', 'main/loss', 'main/accuracy', 'elapsed_time'], out=null))
    trainer.extend(extensions.ProgressBar(out=null))
    _synchronize(device)
    t0 = time.perf_counter()
    trainer.run()
    _synchronize(device)
    return time.perf_counter() - t0


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--iterations', type=int, default=300,
                        help='iterations per timed round (600 = one epoch)')
    parser.add_argument('--rounds', type=int, default=5, help='rounds of each kind')
    parser.add_argument('--unit', type=int, default=1000)
    parser.add_argument('--batchsize', type=int, default=100)
    parser.add_argument('--device', default='@numpy')
    args = parser.parse_args(argv)

    device = chainer.get_device(args.device)
    device.use()
    rng = np.random.RandomState(0)
    x = rng.rand(60000, 784).astype(np.float32)
    t = rng.randint(0, 10, 60000).astype(np.int32)
    dataset = chainer.datasets.TupleDataset(x, t)

    bare_times, trainer_times = [], []
    with tempfile.TemporaryDirectory() as tmp, open(os.devnull, 'w') as null:
        for r in range(args.rounds):
            model, optimizer = fresh_model(args, device, dataset)
            bare_times.append(time_bare(model, optimizer, dataset, args, device))
            model, optimizer = fresh_model(args, device, dataset)
            out_dir = os.path.join(tmp, f'round{r}')
            trainer_times.append(
                time_trainer(model, optimizer, dataset, args, device, out_dir, null))

    # Each trainer round is compared with the bare round just before it, so
    # that slow phases of other processes hit both; the median pair counts.
    ratios = sorted(b / t for b, t in zip(bare_times, trainer_times))
    ratio = float(np.median(ratios))
    overhead = (1. / ratio - 1.) * 100.
    bare_ips = args.iterations / float(np.median(bare_times))
    trainer_ips = args.iterations / float(np.median(trainer_times))
    best_overhead = (min(trainer_times) / min(bare_times) - 1.) * 100.
    print(f'device: {device}, MLP 784-{args.unit}-{args.unit}-10, batch {args.batchsize}, '
          f'{args.iterations} iterations x {args.rounds} rounds')
    print(f'bare loop: {bare_ips:9.2f} iters/sec median '
          f'(rounds: {", ".join(f"{args.iterations / s:.1f}" for s in bare_times)})')
    print(f'trainer:   {trainer_ips:9.2f} iters/sec median '
          f'(rounds: {", ".join(f"{args.iterations / s:.1f}" for s in trainer_times)})')
    extra_us = (float(np.median(trainer_times)) - float(np.median(bare_times))) \
        / args.iterations * 1e6
    print(f'trainer / bare (median of paired rounds) = {ratio:.4f}; '
          f'extra time per iteration (medians): {extra_us:+.0f} us; '
          f'best round vs best round: {best_overhead:+.2f} %')
    print(f'Trainer overhead: {overhead:+.2f} % time per iteration '
          f'({"within" if overhead <= 5. else "over"} the 5 % bar)')
    sys.stdout.flush()


if __name__ == '__main__':
    main()
