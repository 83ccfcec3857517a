"""Where ``multi_node_mean_grad`` leaves the gradients: views of a reused buffer that is
never written while an array over it is alive.  Checked for the communicators that sum in
shared memory on one node (flat, single_node) and those that sum with MPI."""
import numpy

import chainer
import chainermn
from chainermn.communicators import _shared_memory

NAMES = ('flat', 'single_node', 'hierarchical', 'two_dimensional')


def make_model():
    model = chainer.Chain()
    with model.init_scope():
        model.w = chainer.Parameter(numpy.zeros((3, 5), numpy.float32))
        model.b = chainer.Parameter(numpy.zeros(7, numpy.float32))
        model.e = chainer.Parameter(numpy.zeros((0, 2), numpy.float32))  # no elements
        model.h = chainer.Parameter(numpy.zeros(4, numpy.float16))  # travels as float32
        model.d = chainer.Parameter(numpy.zeros((2, 2), numpy.float64))  # its own buffer
    return model


def grads(rank, step, model):
    """This rank's gradients of ``step``: distinct values per rank, step and parameter."""
    out = {}
    for i, (n, p) in enumerate(sorted(model.namedparams())):
        values = numpy.arange(p.size).reshape(p.shape) + 100 * i + 10 * step + rank
        out[n] = (values / 4).astype(p.dtype)
    return out


def expected(size, step, model):
    """The mean over the ranks of ``grads``, in float64."""
    per_rank = [grads(r, step, model) for r in range(size)]
    return {n: sum(g[n].astype(numpy.float64) for g in per_rank) / size
            for n, _ in sorted(model.namedparams())}


def set_grads(model, rank, step):
    params = dict(model.namedparams())
    for n, g in grads(rank, step, model).items():
        params[n].grad = g


def check_values(got, want, what):
    for n in want:
        rtol = 1e-3 if got[n].dtype == numpy.float16 else 1e-6
        numpy.testing.assert_allclose(got[n], want[n], rtol=rtol, err_msg=f'{what} {n}')


def current(model):
    return {n: p.grad for n, p in model.namedparams()}


def address(a):
    return a.__array_interface__['data'][0]


def check_kept_grads(comm, name):
    """Gradients kept from earlier steps (more steps than there are shared windows) keep
    their values while later steps are averaged."""
    size = comm.size
    model = make_model()
    kept = []
    for step in range(_shared_memory.SharedMemorySum.max_windows + 3):
        set_grads(model, comm.rank, step)
        comm.multi_node_mean_grad(model)
        got = current(model)
        for n, g in got.items():
            assert g.dtype == dict(model.namedparams())[n].dtype, (name, n, g.dtype)
            assert g.flags.c_contiguous
        kept.append((step, got))
        for s, old in kept:
            check_values(old, expected(size, s, model), f'{name} kept step {s} at step {step}')
    shared = comm._shared
    if name in ('flat', 'single_node') and size > 1:
        # every window was used, then the sum fell back to an Allreduce
        assert len(shared._windows) == shared.max_windows, len(shared._windows)
    else:
        assert shared is None


def check_reuse(comm, name):
    """The usual loop (new gradient arrays every step) reuses one buffer; gradients the
    caller does not replace are averaged again from where they are."""
    model = make_model()
    addresses = []
    for step in range(3):
        model.cleargrads()
        set_grads(model, comm.rank, step)
        comm.multi_node_mean_grad(model)
        check_values(current(model), expected(comm.size, step, model), f'{name} step {step}')
        addresses.append(address(model.w.grad))
        # every rank has the same bits (or the replicas would drift apart)
        mine = {n: g.tobytes() for n, g in current(model).items()}
        assert all(other == mine for other in comm.mpi_comm.allgather(mine)), name
    if comm.size > 1:
        assert addresses[0] == addresses[1] == addresses[2], (name, addresses)
        # float32 gradients are views of one buffer
        assert numpy.shares_memory(model.w.grad.base, model.b.grad)
    # Averaging the averaged gradients again (no new backward): the same values.
    before = {n: g.copy() for n, g in current(model).items()}
    comm.multi_node_mean_grad(model)
    check_values(current(model), before, f'{name} mean of the mean')
    # Changing gradients in place after the mean (what optimizer hooks do) is private
    # to this rank.
    model.w.grad *= 1 + comm.rank
    numpy.testing.assert_allclose(model.w.grad, before['/w'] * (1 + comm.rank))
    comm.mpi_comm.Barrier()
    numpy.testing.assert_allclose(model.w.grad, before['/w'] * (1 + comm.rank))


def check_layouts(comm, name):
    """Non-contiguous and zero-filled gradients, and a bigger model after a smaller one."""
    model = make_model()
    set_grads(model, comm.rank, 0)
    model.w.grad = numpy.asfortranarray(model.w.grad)
    model.b.grad = None
    comm.multi_node_mean_grad(model, zero_fill=True)
    want = expected(comm.size, 0, model)
    want['/b'] = numpy.zeros(7)
    check_values(current(model), want, f'{name} layouts')
    check_empty(comm)
    big = chainer.Chain()
    with big.init_scope():
        big.p = chainer.Parameter(numpy.zeros(5000, numpy.float32))
    big.p.grad = numpy.full(5000, comm.rank + 1, numpy.float32)
    comm.multi_node_mean_grad(big)
    numpy.testing.assert_allclose(big.p.grad, (comm.size + 1) / 2)


def check_empty(comm):
    empty = chainer.Chain()
    with empty.init_scope():
        empty.p = chainer.Parameter(numpy.zeros((2, 0), numpy.float32))
    empty.p.grad = numpy.zeros((2, 0), numpy.float32)
    comm.multi_node_mean_grad(empty)
    assert empty.p.grad.shape == (2, 0)


def check_mismatch(comm, name):
    """Ranks that average different numbers of gradients get a ValueError (all of them)."""
    model = chainer.Chain()
    with model.init_scope():
        model.p = chainer.Parameter(numpy.zeros(3 + comm.rank, numpy.float32))
    model.p.grad = numpy.ones(3 + comm.rank, numpy.float32)
    try:
        comm.multi_node_mean_grad(model)
    except ValueError as e:
        assert 'different' in str(e)
    else:
        raise AssertionError(f'{name}: mismatched gradients must raise')
    # the communicator still works
    model = make_model()
    set_grads(model, comm.rank, 1)
    comm.multi_node_mean_grad(model)
    check_values(current(model), expected(comm.size, 1, model), f'{name} after the error')


def check_no_room(size):
    """Without room in the shared-memory file system the mean goes through an Allreduce."""
    space = _shared_memory._shared_space
    _shared_memory._shared_space = lambda: 0
    try:
        comm = chainermn.create_communicator('flat')
        for step in range(2):
            model = make_model()
            set_grads(model, comm.rank, step)
            comm.multi_node_mean_grad(model)
            check_values(current(model), expected(size, step, model), 'no room')
        if size > 1:
            assert comm._shared._disabled and not comm._shared._windows
    finally:
        _shared_memory._shared_space = space


def check_frees(name):
    """finalize() frees the shared-memory windows and the node communicator (MPICH 4.0
    aborts in MPI_Finalize over a window left); a window under gradients still alive stays
    (they remain readable) until the exit hook frees it."""
    MPI = chainermn._mpi.get_mpi()
    before = list(_shared_memory._live)
    for step in range(3):
        comm = chainermn.create_communicator(name)
        model = make_model()
        set_grads(model, comm.rank, step)
        comm.multi_node_mean_grad(model)
        wins = [w.win for w in comm._shared._windows]
        node = comm._shared._node
        assert wins and node != MPI.COMM_NULL
        del model
        comm.finalize()
        assert all(w == MPI.WIN_NULL for w in wins) and node == MPI.COMM_NULL, name
        assert _shared_memory._live == before, name
    comm = chainermn.create_communicator(name)
    model = make_model()
    set_grads(model, comm.rank, 0)
    comm.multi_node_mean_grad(model)
    shared = comm._shared
    comm.finalize()
    check_values(current(model), expected(comm.size, 0, model), f'{name} after finalize')
    assert _shared_memory._live == before + [shared], name
    del model
    _shared_memory._free_at_exit()
    assert not _shared_memory._live and not shared._windows and shared._node is None


def main():
    world = chainermn.create_communicator('naive')
    for name in NAMES:
        comm = chainermn.create_communicator(name)
        check_empty(comm)  # first: no buffer made yet
        check_kept_grads(comm, name)
        check_reuse(comm, name)
        check_layouts(comm, name)
        if name in ('flat', 'single_node') and comm.size > 1:
            check_mismatch(comm, name)
        comm.finalize()
    check_no_room(world.size)
    if world.size > 1:  # one rank sums nothing
        for name in ('flat', 'single_node'):
            check_frees(name)
    world.mpi_comm.Barrier()
    if world.rank == 0:
        print(f'gradient buffers ok on {world.size} ranks')


if __name__ == '__main__':
    main()
