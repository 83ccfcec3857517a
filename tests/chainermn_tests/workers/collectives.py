"""Every array and object collective of every CPU communicator against what one process
computes, float16/32/64 and odd sizes; the differentiable communication functions."""
import numpy

import chainer
import chainer.functions as F
import chainermn
import chainermn.functions as MF

DTYPES = (numpy.float16, numpy.float32, numpy.float64)
NAMES = ('naive', 'flat', 'hierarchical', 'two_dimensional', 'single_node', 'dummy')


def data(rank, shape, dtype, salt=0):
    n = int(numpy.prod(shape)) if shape else 1
    return (numpy.arange(n) % 7 + rank * 10 + salt).reshape(shape).astype(dtype)


def assert_equal(a, b):
    assert type(a) is type(b), (type(a), type(b))
    assert a.dtype == b.dtype and a.shape == b.shape, (a.dtype, b.dtype, a.shape, b.shape)
    numpy.testing.assert_array_equal(a, b)


def check_arrays(comm):
    rank, size = comm.rank, comm.size
    for dtype in DTYPES:
        for shape in [(3,), (2, 5), (), (0, 3), (7, 1, 3)]:
            x = data(rank, shape, dtype)
            # allreduce
            expect = sum(data(r, shape, numpy.float64) for r in range(size)).astype(dtype)
            assert_equal(comm.allreduce(x), numpy.asarray(expect))
            # bcast
            got = comm.bcast(x if rank == size - 1 else None, root=size - 1)
            assert_equal(got, data(size - 1, shape, dtype))
            # gather / allgather (shapes that differ by rank)
            y = data(rank, (rank + 1,) + shape, dtype)
            gathered = comm.gather(y, root=0)
            if rank == 0:
                assert len(gathered) == size
                for r in range(size):
                    assert_equal(gathered[r], data(r, (r + 1,) + shape, dtype))
            else:
                assert gathered is None
            for r, g in enumerate(comm.allgather(y)):
                assert_equal(g, data(r, (r + 1,) + shape, dtype))
            # alltoall: rank r sends data(r, salt=d) with d+1 rows to rank d
            xs = [data(rank, (d + 1,) + shape, dtype, salt=d) for d in range(size)]
            for r, g in enumerate(comm.alltoall(xs)):
                assert_equal(g, data(r, (rank + 1,) + shape, dtype, salt=rank))
            # scatter
            xs = [data(rank, shape, dtype, salt=d) for d in range(size)] if rank == 0 else None
            assert_equal(comm.scatter(xs, root=0), data(0, shape, dtype, salt=rank))
            # send / recv around a ring (single arrays and tuples)
            if size > 1:
                nxt, prv = (rank + 1) % size, (rank - 1) % size
                if rank % 2 == 0:
                    comm.send(x, nxt, 5)
                    comm.send((x, y), nxt, 6)
                    got = comm.recv(prv, 5)
                    got2 = comm.recv(prv, 6)
                else:
                    got = comm.recv(prv, 5)
                    got2 = comm.recv(prv, 6)
                    comm.send(x, nxt, 5)
                    comm.send((x, y), nxt, 6)
                assert_equal(got, data(prv, shape, dtype))
                assert isinstance(got2, tuple) and len(got2) == 2
                assert_equal(got2[1], data(prv, (prv + 1,) + shape, dtype))
    try:
        comm.alltoall([numpy.zeros(1)] * (size + 1))
    except ValueError:
        pass
    else:
        raise AssertionError('alltoall with a wrong number of arrays must raise')


def check_objects(comm):
    rank, size = comm.rank, comm.size
    obj = {'rank': rank, 'payload': list(range(rank + 2))}
    assert comm.bcast_obj(obj if rank == 0 else None) == {'rank': 0, 'payload': [0, 1]}
    big = bytes(range(256)) * 4000 if rank == 0 else None  # several pieces of 1000 bytes
    assert comm.bcast_obj(big, max_buf_len=1000) == bytes(range(256)) * 4000
    gathered = comm.gather_obj(obj)
    if rank == 0:
        assert [g['rank'] for g in gathered] == list(range(size))
    else:
        assert gathered is None
    assert comm.allreduce_obj(rank + 1) == size * (size + 1) // 2
    total = comm.allreduce_obj(numpy.full(3, rank, dtype=numpy.float32))
    numpy.testing.assert_array_equal(total, numpy.full(3, size * (size - 1) / 2))
    parts = [f'part{r}' for r in range(size)] if rank == 0 else None
    assert comm.scatter_obj(parts) == f'part{rank}'
    if size > 1:
        if rank == 0:
            comm.send_obj(('hello', 1), dest=1, tag=3)
        elif rank == 1:
            assert comm.recv_obj(0, tag=3) == ('hello', 1)


def make_model(seed):
    rng = numpy.random.RandomState(seed)
    model = chainer.Chain()
    with model.init_scope():
        model.a = chainer.links.Linear(3, 4)
        model.b = chainer.links.Linear(4, 2)
    for p in model.params():
        p.array[...] = rng.uniform(-1, 1, p.shape)
    return model


def check_model_helpers(comm, name):
    rank, size = comm.rank, comm.size
    model = make_model(rank)
    comm.bcast_data(model)
    reference = make_model(0)
    for (n, p), (_, q) in zip(sorted(model.namedparams()), sorted(reference.namedparams())):
        numpy.testing.assert_array_equal(p.array, q.array, err_msg=n)
    for (_, p) in sorted(model.namedparams()):
        p.grad = data(rank, p.shape, p.dtype) / 10
    model.b.b.grad = None  # zero-filled
    comm.multi_node_mean_grad(model, zero_fill=True)
    for n, p in sorted(model.namedparams()):
        if name == 'dummy':
            expect = data(rank, p.shape, numpy.float64) / 10 if n != '/b/b' else 0 * p.array
        elif n == '/b/b':
            expect = numpy.zeros(p.shape)
        else:
            expect = sum(data(r, p.shape, numpy.float64) for r in range(size)) / 10 / size
        numpy.testing.assert_allclose(p.grad, expect, rtol=1e-6, err_msg=f'{name} {n}')
    model.cleargrads()
    model.a.W.grad = numpy.full(model.a.W.shape, rank, numpy.float32)
    comm.multi_node_mean_grad(model)  # without zero_fill: parameters without grads skipped
    assert model.b.W.grad is None
    if name != 'dummy':
        numpy.testing.assert_allclose(model.a.W.grad, (size - 1) / 2)
    import warnings
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        comm.allreduce_grad(model)
    assert any(issubclass(x.category, DeprecationWarning) for x in w)
    # float16 gradients are summed in float32
    half = chainer.Chain()
    with half.init_scope():
        half.p = chainer.Parameter(numpy.zeros(5, numpy.float16))
    half.p.grad = numpy.full(5, 1000 * (rank + 1), numpy.float16)
    comm.multi_node_mean_grad(half)
    if name != 'dummy':
        assert half.p.grad.dtype == numpy.float16
        numpy.testing.assert_allclose(half.p.grad, 1000 * (size + 1) / 2)
    if name == 'naive':
        # Chainer's naive communicator rounds the float32 sum to float16 and then
        # scales it in float16, in place (differs from scaling in float32 on 3 ranks).
        grads = [numpy.random.RandomState(r).uniform(-4, 4, 64).astype(numpy.float16)
                 for r in range(size)]
        with half.init_scope():
            half.q = chainer.Parameter(numpy.zeros(64, numpy.float16))
        half.p.grad = None
        held = half.q.grad = grads[rank].copy()
        comm.multi_node_mean_grad(half)
        expect = sum(g.astype(numpy.float32) for g in grads).astype(numpy.float16)
        expect *= numpy.float16(1.0 / size)
        assert half.q.grad is held
        assert_equal(half.q.grad, expect)


def check_split(comm):
    sub = comm.split(comm.rank % 2, comm.rank)
    members = [r for r in range(comm.size) if r % 2 == comm.rank % 2]
    assert sub.size == len(members) and sub.rank == members.index(comm.rank)
    assert type(sub) is type(comm)
    total = sub.allreduce(numpy.array([comm.rank], numpy.int64))
    assert total[0] == sum(members)
    made = sub.mpi_comm
    sub.finalize()  # frees the MPI communicator that split made, not comm's
    assert made == made.__class__() and comm.mpi_comm.size == comm.size


def check_functions(comm):
    rank, size = comm.rank, comm.size
    for dtype in DTYPES:
        tol = dict(rtol=1e-2) if dtype == numpy.float16 else dict(rtol=1e-6)
        # allgather: y = sum_r w_r * x_r on every rank; the loss sums over ranks
        x = chainer.Variable(data(rank, (2, 3), dtype))
        ys = MF.allgather(comm, x)
        assert len(ys) == size
        loss = sum(F.sum(y) * (r + 1) * (rank + 1) for r, y in enumerate(ys))
        loss.backward()
        # d(sum over ranks of losses)/dx_rank = (rank + 1) * sum_q (q + 1)
        expect = numpy.full((2, 3), (rank + 1) * size * (size + 1) / 2)
        numpy.testing.assert_allclose(x.grad, expect, **tol)
        # alltoall: the gradients come back to where their inputs were
        xs = [chainer.Variable(data(rank, (d + 1, 2), dtype)) for d in range(size)]
        ys = MF.alltoall(comm, xs)
        loss = sum(F.sum(y * (r + 1)) for r, y in enumerate(ys))
        loss.backward()
        for d, xv in enumerate(xs):
            numpy.testing.assert_allclose(xv.grad, numpy.full(xv.shape, rank + 1), **tol)
        # bcast: the root's gradient is the sum of every rank's
        root = size - 1
        xb = chainer.Variable(data(rank, (4,), dtype)) if rank == root else None
        yb = MF.bcast(comm, xb, root=root)
        numpy.testing.assert_array_equal(yb.array, data(root, (4,), dtype))
        F.sum(yb * (rank + 1)).backward()
        if rank == root:
            numpy.testing.assert_allclose(xb.grad, numpy.full(4, size * (size + 1) / 2), **tol)
        # gather to root 0 and scatter from root 0
        xg = chainer.Variable(data(rank, (3,), dtype))
        g = MF.gather(comm, xg)
        if rank == 0:
            F.sum(sum(v * (r + 1) for r, v in enumerate(g))).backward()
        else:
            # as in Chainer: an empty delegate variable of the input's dtype
            assert g.shape == (0,) and g.dtype == dtype, (g.shape, g.dtype)
            g.backward()
        numpy.testing.assert_allclose(xg.grad, numpy.full(3, rank + 1), **tol)
        xs = chainer.Variable(data(0, (size, 2), dtype)) if rank == 0 else None
        ys = MF.scatter(comm, xs)
        numpy.testing.assert_array_equal(ys.array, data(0, (size, 2), dtype)[rank])
        F.sum(ys * (rank + 1)).backward()
        if rank == 0:
            expect = numpy.repeat(numpy.arange(1, size + 1)[:, None], 2, axis=1)
            numpy.testing.assert_allclose(xs.grad, expect, **tol)
        if size > 1:
            check_send_recv(comm, dtype, tol)
        # 0-d arrays: the summed gradients stay arrays
        x0 = chainer.Variable(numpy.asarray(rank + 1, dtype))
        F.sum(MF.bcast(comm, x0, root=0) * 2).backward()
        if rank == 0:
            assert isinstance(x0.grad, numpy.ndarray) and x0.grad.shape == (), x0.grad
            numpy.testing.assert_allclose(x0.grad, 2 * size, **tol)
        x0 = chainer.Variable(numpy.asarray(rank + 1, dtype))
        sum(F.sum(y) for y in MF.allgather(comm, x0)).backward()
        assert isinstance(x0.grad, numpy.ndarray) and x0.grad.dtype == dtype, x0.grad
        numpy.testing.assert_allclose(x0.grad, size, **tol)


def check_send_recv(comm, dtype, tol):
    # rank 0: h = 2x -> rank 1: z = h**2, loss = sum z  => dx = 8x
    rank = comm.rank
    if rank == 0:
        x = chainer.Variable(data(0, (2, 2), dtype))
        phi = MF.send(x * 2, comm, rank=1)
        assert phi.shape == (0,) and phi.name == 'delegate_variable'
        phi.backward()
        numpy.testing.assert_allclose(x.grad, 8 * x.array.astype(numpy.float64), **tol)
    elif rank == 1:
        h = MF.recv(comm, rank=0)
        assert h.dtype == dtype
        F.sum(h * h).backward()
    # as Chainer: a dummy input keeps Send in the backward pass when nothing sent
    # requires grad, so the peer's gradient is received here and not by the next
    # exchange; both nodes are labelled with the peer
    if rank == 0:
        c = chainer.Variable(data(0, (2,), dtype), requires_grad=False)
        phi = MF.send(c, comm, rank=1)
        send_node = phi.creator
        assert send_node.label == 'Send (peer_rank: 1)'
        assert [v.shape for v in send_node.inputs] == [(2,), (0,)]
        phi.backward()
        assert c.grad is None
    elif rank == 1:
        h = MF.recv(comm, rank=0)
        assert h.creator.label == 'Recv (peer_rank: 0)'
        F.sum(h * 5).backward()
    # pseudo_connect keeps the delegate in the graph
    if rank == 0:
        x = chainer.Variable(data(0, (3,), dtype))
        phi = MF.send((x, x * 3), comm, rank=1)
        y = chainer.Variable(numpy.ones(3, dtype))
        connected = MF.pseudo_connect(phi, y)
        assert isinstance(connected, tuple) and len(connected) == 1
        out, = connected
        F.sum(out).backward()
        numpy.testing.assert_allclose(x.grad, numpy.full(3, 1 + 3 * 2), **tol)
        numpy.testing.assert_array_equal(y.grad, numpy.ones(3, dtype))
    elif rank == 1:
        a, b = MF.recv(comm, rank=0)
        F.sum(a + b * 2).backward()
    # pseudo_connect without a delegate still gives a tuple
    v = chainer.Variable(data(0, (2,), dtype))
    plain = MF.pseudo_connect(None, v)
    assert isinstance(plain, tuple) and len(plain) == 1


def check_single_array_misuse(comm):
    # as Chainer: a tuple is refused by the one-array collectives; a bcast whose root
    # refuses its argument makes every rank raise instead of leaving them waiting
    pair = (numpy.ones(2, numpy.float32), numpy.ones(2, numpy.float32))
    for op in (comm.allreduce, comm.allgather, comm.gather):
        try:
            op(pair)
        except TypeError as e:
            assert 'tuple' in str(e)
        else:
            raise AssertionError(f'{op.__name__} took a tuple')
    for bad in (pair, numpy.float32(1.5)):
        try:
            comm.bcast(bad if comm.rank == 0 else None)
        except TypeError:
            pass
        else:
            raise AssertionError('bcast took a non-array')
    try:
        comm.allreduce([1.0, 2.0])
    except ValueError:
        pass
    else:
        raise AssertionError('allreduce took a list of floats')
    numpy.testing.assert_array_equal(comm.bcast(numpy.arange(3) if comm.rank == 0 else None),
                                     numpy.arange(3))
    # as Chainer: allreduce refuses dtypes that have no sum with a TypeError (every rank)
    for x in (numpy.ones(2, bool), numpy.array(['a', 'b']), numpy.zeros(0, 'datetime64[s]')):
        try:
            comm.allreduce(x)
        except TypeError as e:
            assert f'does not support dtype {x.dtype}' in str(e), e
        else:
            raise AssertionError(f'allreduce took {x.dtype}')
    # as Chainer: other iterables (a string, a list of numbers) are a ValueError, other
    # non-arrays (numbers, NumPy scalars) a TypeError, also for send / alltoall / scatter
    cases = [(comm.allreduce, 'abc', ValueError), (comm.allgather, 'abc', ValueError),
             (comm.alltoall, ['ab'] * comm.size, ValueError),
             (comm.alltoall, [1.5] * comm.size, TypeError)]
    if comm.size > 1:  # refused before anything is sent: no rank waits
        cases += [(lambda x: comm.send(x, 1 - min(comm.rank, 1), 0), x, error)
                  for x, error in (('abc', ValueError), ([1.0], ValueError),
                                   (numpy.float32(1), TypeError), (3, TypeError))]
    else:
        cases += [(comm.scatter, 'a', ValueError), (comm.scatter, 2.5, TypeError)]
    for op, x, error in cases:
        try:
            op(x)
        except error:
            pass
        else:
            raise AssertionError(f'{op} took {x!r}')


def main():
    world = chainermn.create_communicator('naive')
    check_single_array_misuse(world)
    for name in NAMES:
        comm = chainermn.create_communicator(name)
        assert comm.size == world.size and comm.rank == world.rank
        assert 0 <= comm.intra_rank < comm.intra_size and comm.inter_size >= 1
        check_arrays(comm)
        check_objects(comm)
        check_model_helpers(comm, name)
        check_split(comm)
        comm.finalize()
    check_functions(world)
    if world.rank == 0:
        print(f'collectives ok on {world.size} ranks')


if __name__ == '__main__':
    main()
