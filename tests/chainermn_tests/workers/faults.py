"""A rank that raises ends the job; a checkpointed run that was killed resumes.

Usage: faults.py raise | faults.py checkpoint OUT CRASH_AT (CRASH_AT < 0: no crash,
resume and compare with an uninterrupted run)."""
import os
import sys

import numpy

import chainer
import chainer.functions as F
import chainer.links as L
import chainermn
from chainer import training


def make_trainer(comm, out):
    rng = numpy.random.RandomState(0)
    x = rng.uniform(-1, 1, (16, 4)).astype(numpy.float32)
    t = rng.randint(0, 3, 16).astype(numpy.int32)
    model = L.Classifier(chainer.Sequential(L.Linear(4, 5), F.relu, L.Linear(5, 3)))
    for p in model.params():
        p.array[...] = rng.uniform(-1, 1, p.shape)
    opt = chainermn.create_multi_node_optimizer(chainer.optimizers.MomentumSGD(lr=0.1), comm)
    opt.setup(model)
    part = chainermn.scatter_dataset(chainer.datasets.TupleDataset(x, t), comm)
    it = chainer.iterators.SerialIterator(part, 2, shuffle=False)
    updater = training.updaters.StandardUpdater(it, opt)
    return training.Trainer(updater, (10, 'iteration'), out=out), model, opt


def run_checkpointed(comm, out, crash_at):
    trainer, model, opt = make_trainer(comm, out)
    checkpointer = chainermn.create_multi_node_checkpointer('cp', comm, cp_interval=2,
                                                            gc_interval=2)
    trainer.extend(checkpointer, trigger=(2, 'iteration'))
    if crash_at >= 0:
        def crash(tr):
            if comm.rank == comm.size - 1 and tr.updater.iteration == crash_at:
                raise RuntimeError(f'simulated failure at iteration {crash_at}')
        trainer.extend(crash, trigger=(1, 'iteration'))
    resumed = checkpointer.maybe_load(trainer, opt)
    print(f'rank {comm.rank} resumed from {resumed}', flush=True)
    trainer.run()
    return trainer, model, resumed


def main():
    comm = chainermn.create_communicator('flat')
    if sys.argv[1] == 'user_hook':
        # as Chainer: add_hook() after the user's own excepthook runs theirs, then aborts
        def user_hook(exc_type, exc, tb):
            sys.stderr.write(f'user hook saw {exc_type.__name__} on rank {comm.rank}\n')
        sys.excepthook = user_hook
        chainermn.global_except_hook.add_hook()
    if sys.argv[1] in ('raise', 'user_hook'):
        comm.mpi_comm.Barrier()
        if comm.rank == comm.size - 1:
            raise ValueError(f'boom from rank {comm.rank}')
        comm.recv_obj(comm.size - 1, tag=1)  # never sent: waits until the job is aborted
        return
    out, crash_at = sys.argv[2], int(sys.argv[3])
    trainer, model, resumed = run_checkpointed(comm, out, crash_at)
    assert resumed is not None and 0 < resumed < 10, resumed
    # the crashed run kept its checkpoints; this one ended normally and, as Chainer's,
    # removed them when the trainer finalized its extensions
    files = sorted(f for f in os.listdir(out) if f.startswith(f'cp.{comm.rank}.'))
    assert files == [], files
    reference_out = os.path.join(out, f'reference{comm.rank}')
    reference, ref_model, _ = make_trainer(comm, reference_out)
    reference.run()
    for (n, p), (_, q) in zip(sorted(model.namedparams()), sorted(ref_model.namedparams())):
        numpy.testing.assert_allclose(p.array, q.array, rtol=1e-6, atol=1e-7, err_msg=n)
    if comm.rank == 0:
        print(f'resumed from iteration {resumed} and matched the uninterrupted run')


if __name__ == '__main__':
    main()
