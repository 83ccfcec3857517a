"""What ChainerMN's gradient averaging costs next to bare MPI, and MNIST epoch times.

Run:  python benchmarks/chainermn.py [--rounds R] [--n-train N] [--no-epoch]

(it starts its own ``mpiexec`` runs; needs the ``mn`` extra).

1. Gradient mean on 2 ranks: the 784-1000-1000-10 MLP of the MNIST example
   (1,796,010 float32 gradients in 6 arrays).  Each round times
   ``comm.multi_node_mean_grad(model)`` of the ``flat`` and ``naive``
   communicators and a bare ``mpi4py`` ``Allreduce`` (in place, the baseline;
   also ``Allreduce(send, recv)`` for reference) of one float32 buffer of the
   same size, in turn, after a barrier; before each, the gradients are
   replaced by new arrays (as backward after cleargrads does) and the bare
   buffer is refilled.  Each time is the slowest rank's.  Printed: the median
   times and the median per-round ratio to the bare in-place Allreduce (bar:
   flat <= 1.2x).
2. One epoch of the MNIST example's training (MLP in ``L.Classifier``, Adam,
   batch 100 per rank, ``StandardUpdater`` + ``Trainer``) on N random
   MNIST-shaped examples (784 float32 pixels, int32 labels; default 10,000):
   one process vs 2 ranks with ``create_multi_node_optimizer`` and
   ``scatter_dataset`` (each rank does half the iterations, the gradient mean
   runs every iteration).  The wall time of ``trainer.run()`` is printed.
On a busy machine use more rounds.
"""
from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# This file's name would shadow the package: drop its directory from the path.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or os.curdir) != HERE]


def _mlp() -> object:
    import chainer
    import chainer.functions as F
    import chainer.links as L

    class MLP(chainer.Chain):
        def __init__(self) -> None:
            super().__init__()
            with self.init_scope():
                self.l1 = L.Linear(784, 1000)
                self.l2 = L.Linear(1000, 1000)
                self.l3 = L.Linear(1000, 10)

        def forward(self, x):
            return self.l3(F.relu(self.l2(F.relu(self.l1(x)))))

    return MLP()


def worker_mean_grad(rounds: int) -> None:
    import chainermn
    from mpi4py import MPI
    comms = {name: chainermn.create_communicator(name) for name in ('flat', 'naive')}
    world = MPI.COMM_WORLD
    model = _mlp()
    rng = np.random.RandomState(world.rank)
    for p in model.params():
        p.grad = rng.uniform(-1, 1, p.shape).astype(np.float32)
    n = sum(p.size for p in model.params())
    buf = rng.uniform(-1, 1, n).astype(np.float32)
    fresh = [(p, p.grad.copy()) for p in model.params()]
    source = buf.copy()

    def new_grads() -> None:
        # what backward after cleargrads leaves: new gradient arrays
        for p, g in fresh:
            p.grad = g.copy()
        buf[...] = source

    def timed(fn) -> float:
        new_grads()
        world.Barrier()
        start = time.perf_counter()
        fn()
        elapsed = time.perf_counter() - start
        return world.allreduce(elapsed, op=MPI.MAX)

    recv = np.empty_like(buf)
    runs = {
        'bare': lambda: world.Allreduce(MPI.IN_PLACE, buf),
        'bare_sr': lambda: world.Allreduce(buf, recv),
        'flat': lambda: comms['flat'].multi_node_mean_grad(model),
        'naive': lambda: comms['naive'].multi_node_mean_grad(model),
    }
    times: dict = {name: [] for name in runs}
    for _ in range(3):  # warm-up: every variant, as timed
        for fn in runs.values():
            timed(fn)
    for _ in range(rounds):
        for name, fn in runs.items():
            times[name].append(timed(fn))
    if world.rank == 0:
        bare = np.array(times['bare'])
        print(f'gradient mean of {n:,} float32 ({n * 4 / 2 ** 20:.1f} MiB) on {world.size} '
              f'ranks, {rounds} rounds (median):')
        print(f'  bare mpi4py Allreduce of one buffer: {np.median(bare) * 1e3:8.2f} ms   '
              '(in place: the baseline)')
        sr = np.array(times['bare_sr'])
        print(f'  bare Allreduce(send, recv):          {np.median(sr) * 1e3:8.2f} ms'
              f'   ratio {np.median(sr / bare):.2f}x')
        for name in ('flat', 'naive'):
            t = np.array(times[name])
            print(f'  {name:5s} multi_node_mean_grad:          {np.median(t) * 1e3:8.2f} ms'
                  f'   ratio {np.median(t / bare):.2f}x')


def worker_epoch(n_train: int, batchsize: int) -> None:
    import chainer
    import chainer.links as L
    import chainermn
    from chainer import training
    comm = chainermn.create_communicator('flat')
    model = L.Classifier(_mlp())
    optimizer = chainermn.create_multi_node_optimizer(chainer.optimizers.Adam(), comm)
    optimizer.setup(model)
    data = None
    if comm.rank == 0:
        rng = np.random.RandomState(0)
        data = chainer.datasets.TupleDataset(
            rng.uniform(0, 1, (n_train, 784)).astype(np.float32),
            rng.randint(0, 10, n_train).astype(np.int32))
    data = chainermn.scatter_dataset(data, comm)
    it = chainer.iterators.SerialIterator(data, batchsize)
    updater = training.updaters.StandardUpdater(it, optimizer)
    with tempfile.TemporaryDirectory() as out:
        trainer = training.Trainer(updater, (1, 'epoch'), out=out)
        comm.mpi_comm.Barrier()
        start = time.perf_counter()
        trainer.run()
        comm.mpi_comm.Barrier()
    elapsed = time.perf_counter() - start
    if comm.rank == 0:
        print(f'  {comm.size} rank(s): one epoch of {n_train:,} examples '
              f'({updater.iteration} iterations of {batchsize} per rank): {elapsed:6.2f} s')


def _launch(n: int, *args: str) -> None:
    mpiexec = os.path.join(os.path.dirname(sys.executable), 'mpiexec')
    if not os.path.exists(mpiexec):
        mpiexec = 'mpiexec'
    env = dict(os.environ)
    env['PYTHONPATH'] = ROOT + os.pathsep + env.get('PYTHONPATH', '')
    env.setdefault('OMP_NUM_THREADS', '1')
    subprocess.run([mpiexec, '-n', str(n), sys.executable, os.path.abspath(__file__), *args],
                   check=True, env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--rounds', type=int, default=30)
    parser.add_argument('--n-train', type=int, default=10000)
    parser.add_argument('--batchsize', type=int, default=100)
    parser.add_argument('--no-epoch', action='store_true')
    parser.add_argument('--worker', choices=('mean_grad', 'epoch'), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker == 'mean_grad':
        worker_mean_grad(args.rounds)
    elif args.worker == 'epoch':
        worker_epoch(args.n_train, args.batchsize)
    else:
        _launch(2, '--worker', 'mean_grad', '--rounds', str(args.rounds))
        if not args.no_epoch:
            print('MNIST-shaped training, one epoch (OMP_NUM_THREADS=1 per process):')
            _launch(1, '--worker', 'epoch', '--n-train', str(args.n_train),
                    '--batchsize', str(args.batchsize))
            _launch(2, '--worker', 'epoch', '--n-train', str(args.n_train),
                    '--batchsize', str(args.batchsize))


if __name__ == '__main__':
    main()
