"""Data- and model-parallel training against one process; datasets, iterators, links and
extensions of chainermn.  Run on 2 ranks (some checks also hold on more)."""
import os
import shutil
import sys
import tempfile

import numpy

import chainer
import chainer.functions as F
import chainer.links as L
import chainermn
from chainer import training
from chainer.training import extensions


def mlp(seed):
    rng = numpy.random.RandomState(seed)
    model = chainer.Sequential(L.Linear(4, 5), F.relu, L.Linear(5, 3))
    for p in model.params():
        p.array[...] = rng.uniform(-1, 1, p.shape).astype(p.dtype)
    return model


def batch(n, seed=1):
    rng = numpy.random.RandomState(seed)
    return (rng.uniform(-1, 1, (n, 4)).astype(numpy.float32),
            rng.randint(0, 3, n).astype(numpy.int32))


def lossfun(model):
    return lambda x, t: F.softmax_cross_entropy(model(x), t)


def assert_params(a, b, rtol=1e-5, atol=1e-6):
    pa, pb = sorted(a.namedparams()), sorted(b.namedparams())
    assert [n for n, _ in pa] == [n for n, _ in pb]
    for (n, p), (_, q) in zip(pa, pb):
        numpy.testing.assert_allclose(p.array, q.array, rtol=rtol, atol=atol, err_msg=n)


def check_data_parallel(comm):
    b = 3
    x, t = batch(b * comm.size, seed=2)
    mine = slice(comm.rank * b, (comm.rank + 1) * b)
    for name in ('naive', 'flat', 'hierarchical', 'single_node'):
        c = chainermn.create_communicator(name)
        for make_opt, decay in ((lambda: chainer.optimizers.SGD(lr=0.5), False),
                                (lambda: chainer.optimizers.MomentumSGD(lr=0.3), True)):
            model = mlp(seed=c.rank)  # different on each rank: setup broadcasts rank 0's
            opt = chainermn.create_multi_node_optimizer(make_opt(), c)
            opt.setup(model)
            reference = mlp(seed=0)
            ref_opt = make_opt()
            ref_opt.setup(reference)
            if decay:  # a hook that changes the averaged gradients in place
                opt.add_hook(chainer.optimizer_hooks.WeightDecay(0.1))
                ref_opt.add_hook(chainer.optimizer_hooks.WeightDecay(0.1))
            for _ in range(3):
                opt.update(lossfun(model), x[mine], t[mine])
                ref_opt.update(lossfun(reference), x, t)
            assert_params(model, reference)
            assert opt.t == 3  # attributes come from the actual optimizer


def check_double_buffering(comm):
    b = 2
    x, t = batch(b * comm.size * 3, seed=3)
    model = mlp(seed=comm.rank)
    opt = chainermn.create_multi_node_optimizer(chainer.optimizers.SGD(lr=0.5), comm,
                                                double_buffering=True)
    opt.setup(model)
    reference = mlp(seed=0)
    grads = []
    for step in range(3):
        lo = step * b * comm.size
        xs, ts = x[lo:lo + b * comm.size], t[lo:lo + b * comm.size]
        mine = slice(comm.rank * b, (comm.rank + 1) * b)
        opt.update(lossfun(model), xs[mine], ts[mine])
        if step < 2:  # the second update applies the first step's gradients
            reference.cleargrads()
            lossfun(reference)(xs, ts).backward()
            grads.append({n: p.grad.copy() for n, p in reference.namedparams()})
    opt.wait()
    for n, p in reference.namedparams():
        p.array -= 0.5 * grads[0][n]
    # the third update applied the second step's gradients, computed at the same weights
    for n, p in reference.namedparams():
        p.array -= 0.5 * grads[1][n]
    assert_params(model, reference)


class Chunk(chainer.Chain):
    def __init__(self, n_in, n_out, seed, act=True):
        super().__init__()
        rng = numpy.random.RandomState(seed)
        with self.init_scope():
            self.l = L.Linear(n_in, n_out)
        for p in self.params():
            p.array[...] = rng.uniform(-1, 1, p.shape)
        self.act = act

    def forward(self, x):
        h = self.l(x)
        return F.relu(h) if self.act else h


def check_model_parallel(comm):
    # rank 0: c1 -> rank 1: c2 -> rank 0: c3 -> loss (rank 1 returns a delegate)
    x, _ = batch(5, seed=4)
    target = numpy.random.RandomState(5).uniform(-1, 1, (5, 2)).astype(numpy.float32)
    model = chainermn.MultiNodeChainList(comm)
    if comm.rank == 0:
        model.add_link(Chunk(4, 6, 10), rank_in=None, rank_out=1)
        model.add_link(Chunk(3, 2, 12, act=False), rank_in=1, rank_out=None)
    elif comm.rank == 1:
        model.add_link(Chunk(6, 3, 11), rank_in=0, rank_out=0)
    reference = chainer.Sequential(Chunk(4, 6, 10), Chunk(6, 3, 11), Chunk(3, 2, 12, act=False))
    opt = chainer.optimizers.SGD(lr=0.2)
    opt.setup(model)
    ref_opt = chainer.optimizers.SGD(lr=0.2)
    ref_opt.setup(reference)
    for _ in range(3):
        model.cleargrads()
        if comm.rank == 0:
            loss = F.mean_squared_error(model(x), target)
        elif comm.rank == 1:
            loss = model()
            assert loss.name == 'delegate_variable'
        if comm.rank < 2:
            loss.backward()
        opt.update()
        ref_opt.update(lambda: F.mean_squared_error(reference(x), target))
    if comm.rank == 0:
        mine = [(model[0], reference[0]), (model[1], reference[2])]
    elif comm.rank == 1:
        mine = [(model[0], reference[1])]
    else:
        mine = []
    for a, b in mine:
        assert_params(a, b)


class SumChunk(chainer.Chain):
    """A Chunk of the sum of its inputs."""

    def __init__(self, n_in, n_out, seed):
        super().__init__()
        with self.init_scope():
            self.c = Chunk(n_in, n_out, seed, act=False)

    def forward(self, *xs):
        return self.c(sum(xs[1:], xs[0]))


def check_model_parallel_sending_to_itself(comm):
    # Rank 0 sends a component's output to itself first and to the others next, and
    # takes its own before theirs (Chainer's BranchParent2): backward must send the
    # gradients the others wait for before waiting for theirs (it deadlocked).
    x, _ = batch(3, seed=7)
    target = numpy.random.RandomState(8).uniform(-1, 1, (3, 2)).astype(numpy.float32)
    others = list(range(1, comm.size))
    model = chainermn.MultiNodeChainList(comm)
    if comm.rank == 0:
        model.add_link(Chunk(4, 4, 20), rank_in=None, rank_out=[0] + others)
        model.add_link(Chunk(4, 4, 21), rank_in=0, rank_out=0)
        model.add_link(SumChunk(4, 2, 22), rank_in=[0] + others, rank_out=None)
    else:
        model.add_link(Chunk(4, 4, 30 + comm.rank), rank_in=0, rank_out=0)
    for _ in range(2):
        model.cleargrads()
        loss = F.mean_squared_error(model(x), target) if comm.rank == 0 else model()
        loss.backward()
    if comm.rank == 0:
        first, second, last = Chunk(4, 4, 20), Chunk(4, 4, 21), SumChunk(4, 2, 22)
        branches = [Chunk(4, 4, 30 + r) for r in others]
        for link in [first, second, last] + branches:
            link.cleargrads()
        h = first(x)
        F.mean_squared_error(last(second(h), *[b(h) for b in branches]), target).backward()
        for mine, ref in ((model[0], first), (model[1], second), (model[2], last)):
            for (name, p), (_, q) in zip(sorted(mine.namedparams()), sorted(ref.namedparams())):
                numpy.testing.assert_allclose(p.grad, q.grad, rtol=1e-5, atol=1e-6,
                                              err_msg=name)


class BatchNormalization(chainer.Link):
    """A stand-in with BatchNormalization's attributes, for create_mnbn_model."""

    def __init__(self, size):
        super().__init__()
        self.decay, self.eps = 0.8, 1e-3
        self.add_persistent('avg_mean', numpy.zeros(size, numpy.float32))
        self.add_persistent('avg_var', numpy.ones(size, numpy.float32))
        with self.init_scope():
            self.gamma = chainer.Parameter(numpy.linspace(0.5, 1.5, size).astype('f'))
            self.beta = chainer.Parameter(numpy.linspace(-1, 1, size).astype('f'))


def check_batch_normalization(comm):
    # as Chainer: without dtype the parameters and statistics follow chainer.config.dtype
    # (mixed16 keeps them in float32)
    for config_dtype, expect in ((numpy.float16, numpy.float16), (numpy.float64, numpy.float64),
                                 (chainer.mixed16, numpy.float32)):
        with chainer.using_config('dtype', config_dtype):
            for kw in ({}, {'use_gamma': False, 'use_beta': False}):
                mnbn = chainermn.links.MultiNodeBatchNormalization(3, comm, **kw)
                arrays = [mnbn.avg_mean, mnbn.avg_var] + [p.array for p in mnbn.params()]
                assert all(a.dtype == expect for a in arrays), (config_dtype, kw, arrays)
    size = comm.size
    c = 3
    rng = numpy.random.RandomState(6)
    xs = [rng.normal(r, 1 + r, (2 + r, c, 2)).astype(numpy.float32) for r in range(size)]
    ws = [rng.uniform(-1, 1, x.shape).astype(numpy.float32) for x in xs]
    holder = chainer.Chain()
    with holder.init_scope():
        holder.bn = BatchNormalization(c)
        holder.fc = L.Linear(2, 2)
    converted = chainermn.links.create_mnbn_model(holder, comm)
    bn = converted.bn
    # In a Sequential the layer that runs is converted along with its child
    seq = chainer.Sequential(L.Linear(2, 2), F.relu, L.Linear(2, 2), BatchNormalization(c))
    seq_mn = chainermn.links.create_mnbn_model(seq, comm)
    assert isinstance(seq_mn[3], chainermn.links.MultiNodeBatchNormalization)
    assert [type(k).__name__ for k in seq_mn.children()] == [
        'Linear', 'MultiNodeBatchNormalization', 'Linear']
    assert seq_mn[3].name == '1' and type(seq[3]) is BatchNormalization
    assert isinstance(bn, chainermn.links.MultiNodeBatchNormalization)
    assert type(holder.bn) is BatchNormalization and bn.decay == 0.8 and bn.eps == 1e-3
    numpy.testing.assert_array_equal(bn.gamma.array, holder.bn.gamma.array)
    converted.cleargrads()
    x = chainer.Variable(xs[comm.rank])
    y = bn(x)
    F.sum(y * ws[comm.rank]).backward()
    # one process, the whole batch
    xa = chainer.Variable(numpy.concatenate(xs))
    gamma = chainer.Variable(holder.bn.gamma.array.copy())
    beta = chainer.Variable(holder.bn.beta.array.copy())
    mean = F.mean(xa, axis=(0, 2), keepdims=True)
    var = F.mean((xa - F.broadcast_to(mean, xa.shape)) ** 2, axis=(0, 2), keepdims=True)
    ya = (xa - F.broadcast_to(mean, xa.shape)) / F.broadcast_to((var + 1e-3) ** 0.5, xa.shape)
    ya = ya * F.broadcast_to(gamma[None, :, None], xa.shape) + \
        F.broadcast_to(beta[None, :, None], xa.shape)
    F.sum(ya * numpy.concatenate(ws)).backward()
    lo = sum(len(v) for v in xs[:comm.rank])
    numpy.testing.assert_allclose(y.array, ya.array[lo:lo + len(x)], rtol=1e-4, atol=1e-5)
    numpy.testing.assert_allclose(x.grad, xa.grad[lo:lo + len(x)], rtol=1e-4, atol=1e-5)
    # as in Chainer: gamma's and beta's gradients are their means over the ranks
    numpy.testing.assert_allclose(bn.gamma.grad, gamma.grad / size, rtol=1e-4)
    numpy.testing.assert_allclose(bn.beta.grad, beta.grad / size, rtol=1e-4)
    n = xa.shape[0] * xa.shape[2]
    numpy.testing.assert_allclose(bn.avg_mean, 0.2 * mean.array.ravel(), rtol=1e-4)
    numpy.testing.assert_allclose(bn.avg_var, 0.8 + 0.2 * var.array.ravel() * n / (n - 1),
                                  rtol=1e-4)
    with chainer.using_config('train', False):
        yt = bn(xs[comm.rank])
    expect = (xs[comm.rank] - bn.avg_mean[None, :, None]) / numpy.sqrt(
        bn.avg_var[None, :, None] + 1e-3) * gamma.array[None, :, None] + beta.array[None, :, None]
    numpy.testing.assert_allclose(yt.array, expect, rtol=1e-4, atol=1e-5)
    # AllreducePersistent averages the running statistics of differing ranks
    bn.avg_mean[...] = comm.rank
    chainermn.extensions.AllreducePersistent(converted, comm)()
    numpy.testing.assert_allclose(bn.avg_mean, (size - 1) / 2)
    # gamma's mean gradient is differentiable again: the gradient of its square sum
    # (the same on every rank, so size times the one-process value) reaches x
    x2 = chainer.Variable(xs[comm.rank])
    gg, = chainer.grad([F.sum(bn(x2) * ws[comm.rank])], [bn.gamma], enable_double_backprop=True)
    numpy.testing.assert_allclose(gg.array, gamma.grad / size, rtol=1e-4)
    F.sum(gg * gg).backward()
    xa2 = chainer.Variable(xa.array)
    m2 = F.mean(xa2, axis=(0, 2), keepdims=True)
    d2 = xa2 - F.broadcast_to(m2, xa2.shape)
    v2 = F.mean(d2 ** 2, axis=(0, 2), keepdims=True)
    xhat = d2 / F.broadcast_to((v2 + 1e-3) ** 0.5, xa2.shape)
    gg_ref = F.sum(xhat * numpy.concatenate(ws), axis=(0, 2)) / size
    F.sum(gg_ref * gg_ref).backward()
    numpy.testing.assert_allclose(x2.grad, size * xa2.grad[lo:lo + len(x)],
                                  rtol=1e-3, atol=1e-5)


class StandInLSTM(chainer.Chain):
    """Called as (hx, cx, xs) like NStepLSTM; returns (hy, cy, ys)."""

    use_cell = True

    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.w = chainer.Parameter(numpy.full((1, 2), 0.5, numpy.float32))

    def forward(self, hx, cx, xs):
        if hx is None:
            hx = numpy.zeros((1, 1, 2), numpy.float32)
            cx = numpy.zeros((1, 1, 2), numpy.float32)
        ys = [F.tanh(F.broadcast_to(self.w, x.shape) * x) for x in xs]
        total = F.sum(F.stack([F.sum(y, axis=0) for y in ys]), axis=0)
        hy = hx + F.reshape(total, (1, 1, 2))
        cy = cx * 2 + hy
        return hy, cy, ys


def check_n_step_rnn(comm):
    xs = [numpy.full((3, 2), 0.1 * (i + 1), numpy.float32) for i in range(2)]
    if comm.rank == 0:
        rnn = chainermn.links.create_multi_node_n_step_rnn(StandInLSTM(), comm, rank_out=1)
        hy, cy, ys, delegate = rnn(xs)
        delegate.backward()
        grad0 = rnn.actual_rnn.w.grad.copy()
        # the same gradient from one process: loss = sum(hy1) + sum(cy1) of the next stage
        ref1, ref2 = StandInLSTM(), StandInLSTM()
        h, c, _ = ref1(None, None, xs)
        h2, c2, ys2 = ref2(h, c, xs)
        (F.sum(h2) + F.sum(c2)).backward()
        numpy.testing.assert_allclose(grad0, ref1.w.grad, rtol=1e-5)
    elif comm.rank == 1:
        rnn = chainermn.links.create_multi_node_n_step_rnn(StandInLSTM(), comm, rank_in=0)
        hy, cy, ys, delegate = rnn(xs)
        assert delegate is None
        (F.sum(hy) + F.sum(cy)).backward()


def check_datasets(comm):
    data = list(range(11))
    part = chainermn.scatter_dataset(data if comm.rank == 0 else None, comm, shuffle=True,
                                     seed=3)
    assert type(part) is chainer.datasets.SubDataset  # on every rank, as in Chainer
    parts = comm.gather_obj(list(part))
    if comm.rank == 0:
        assert all(len(p) == -(-11 // comm.size) for p in parts)
        assert sorted(set(sum(parts, []))) == data
    part = chainermn.scatter_dataset(data, comm, force_equal_length=False, max_buf_len=16)
    parts = comm.gather_obj(list(part))  # parts of more than 16 bytes go in pieces
    if comm.rank == 0:
        assert sum(parts, []) == data
    begin, end = chainermn.scatter_index(11, comm, force_equal_length=False)
    # As in Chainer: the first 11 % size ranks hold one example more.
    q, r = divmod(11, comm.size)
    assert (begin, end) == (comm.rank * q + min(comm.rank, r),
                            (comm.rank + 1) * q + min(comm.rank + 1, r))
    if comm.size == 2:
        assert (begin, end) == ((0, 6), (6, 11))[comm.rank]
        assert len(part) == (6, 5)[comm.rank]
    # As Chainer documents it, the datasets of the other ranks are ignored: only the
    # root's length and examples count.
    part = chainermn.scatter_dataset(list(range(11 + 5 * comm.rank)), comm,
                                     force_equal_length=False)
    parts = comm.gather_obj(list(part))
    if comm.rank == 0:
        assert sum(parts, []) == data
    assert chainermn.scatter_index(11 + comm.rank, comm) == chainermn.scatter_index(11, comm)
    try:
        chainermn.scatter_dataset(None, comm)  # as Chainer's len(None)
    except TypeError as e:
        assert 'root rank 0' in str(e)
    else:
        raise AssertionError('scatter_dataset took None at the root')
    assert chainermn.datasets.create_empty_dataset(data) == [()] * 11
    trigger = chainermn.datasets.scatter.get_epoch_trigger(2, part, 2, comm)
    assert trigger == (2 * -(-len(comm.bcast_obj(part)) // 2), 'iteration')


def check_iterators(comm):
    data = list(range(7))
    it = chainer.iterators.SerialIterator(data, 3, shuffle=False) if comm.rank == 0 else None
    mit = chainermn.iterators.create_multi_node_iterator(it, comm)
    seen = [next(mit) for _ in range(3)]
    assert seen == comm.bcast_obj(seen) and mit.epoch == 1 and mit.is_new_epoch is True
    assert seen[2] == [6, 0, 1] and abs(mit.epoch_detail - 9 / 7) < 1e-9
    # serialize is collective: every rank writes the master's position, epoch and order,
    # and after a load every rank has the loaded epoch before its next batch
    saved = chainer.serializers.DictionarySerializer()
    mit.serialize(saved)
    assert int(saved.target['epoch']) == 1 and int(saved.target['current_position']) == 2
    assert 'order' not in saved.target  # shuffle=False: no order
    it = chainer.iterators.SerialIterator(data, 3, shuffle=False) if comm.rank == 0 else None
    fresh = chainermn.iterators.create_multi_node_iterator(it, comm)
    assert fresh.epoch == 0
    fresh.serialize(chainer.serializers.NpzDeserializer(saved.target))
    assert fresh.epoch == 1 and fresh.current_position == 2
    assert next(fresh) == [2, 3, 4]
    it = chainer.iterators.SerialIterator(data, 7, shuffle=True)
    it = chainermn.iterators.create_synchronized_iterator(it, comm)
    first = next(it)
    assert comm.bcast_obj(first) == first and sorted(first) == data
    it = chainer.iterators.SerialIterator(list(range(5 + comm.rank)), 2)
    try:
        chainermn.iterators.create_synchronized_iterator(it, comm)
    except chainermn.DataSizeError:
        assert comm.size > 1
    else:
        assert comm.size == 1


def check_evaluators(comm):
    class Mean(chainer.Chain):
        def forward(self, x):
            chainer.report({'value': F.mean(x)}, self)
            return F.mean(x)

    data = [numpy.full(2, comm.rank, numpy.float32)] * (comm.rank + 1)
    it = chainer.iterators.SerialIterator(data, 1, repeat=False, shuffle=False)
    model = Mean()
    ev = chainermn.create_multi_node_evaluator(extensions.Evaluator(it, model), comm)
    result = ev()
    assert abs(float(result['main/value']) - (comm.size - 1) / 2) < 1e-6, result

    class Count(chainermn.extensions.GenericMultiNodeEvaluator):
        def calc_local(self, x):
            return float(x.sum())

        def aggregate(self, results):
            return {'total': sum(results), 'n': len(results)}

    it = chainer.iterators.SerialIterator(data, 1, repeat=False, shuffle=False)
    result = Count(comm, it, model)()
    # As in Chainer, the device is normalised and a plain converter function
    # receives the legacy form (-1 for the CPU).
    seen = []

    def old_style(batch, device):
        seen.append(device)
        return chainer.dataset.concat_examples(batch, device)
    it = chainer.iterators.SerialIterator(data, 1, repeat=False, shuffle=False)
    Count(comm, it, model, device='@numpy', converter=old_style)()
    assert seen == [-1] * len(data), seen
    if comm.rank == 0:
        n = comm.size * (comm.size + 1) // 2
        assert result['n'] == n
        assert result['total'] == sum(2 * r * (r + 1) for r in range(comm.size))
    else:
        assert result is None

    # As in Chainer: the root receives the results round by round (every rank's
    # first batch, then every rank's second...), progress_hook(batch) runs at the
    # root only, and nothing is reported.
    class Order(chainermn.extensions.GenericMultiNodeEvaluator):
        def calc_local(self, x):
            # as in Chainer, without a graph, and in the caller's train mode
            assert not chainer.config.enable_backprop and chainer.config.train
            return int(x[0, 0])

    it = chainer.iterators.SerialIterator(data, 1, repeat=False, shuffle=False)
    hooked = []
    reporter = chainer.Reporter()
    observation = {}
    with reporter.scope(observation):
        order = Order(comm, it, model, progress_hook=hooked.append)()
    assert observation == {}, observation
    if comm.rank == 0:
        expected = [r for i in range(comm.size) for r in range(comm.size) if i <= r]
        assert order == expected, order
        assert len(hooked) == 1 and len(hooked[0]) == 1, hooked
    else:
        assert order is None and hooked == [], (order, hooked)


def make_trainer(comm, out, stop, model_seed=0):
    x, t = batch(12, seed=7)
    model = L.Classifier(mlp(model_seed))
    opt = chainermn.create_multi_node_optimizer(chainer.optimizers.SGD(lr=0.1), comm)
    opt.setup(model)
    data = chainer.datasets.TupleDataset(x, t)
    part = chainermn.scatter_dataset(data, comm)
    it = chainer.iterators.SerialIterator(part, 2, shuffle=False)
    updater = training.updaters.StandardUpdater(it, opt)
    return training.Trainer(updater, stop, out=out), model, opt


def scripted_trainer(comm, out, stop, value):
    """A trainer whose model reports ``main/loss`` = ``value(iteration)`` (a float)."""
    model = L.Linear(1, 1)
    opt = chainer.optimizers.SGD(0.0)
    opt.setup(model)
    state = {'i': 0}

    def lossf(x):
        chainer.reporter.report({'loss': value(state['i'])}, model)
        state['i'] += 1
        return F.sum(model(x)) * 0

    it = chainer.iterators.SerialIterator([numpy.ones((1,), numpy.float32)], 1)
    updater = training.updaters.StandardUpdater(it, opt, loss_func=lossf)
    trainer = training.Trainer(updater, stop, out=out)
    chainer.reporter.Reporter().add_observer('main', model)
    return trainer


def check_early_stopping_on_the_mean(comm, tmp):
    # rank 0's loss falls, the others' rise: the mean over the ranks rises, so the
    # trigger (on the mean, as Chainer) stops after `patience` worse checks
    def value(i):
        return 10.0 - i if comm.rank == 0 else 3.0 * i
    stop = chainermn.extensions.MultiNodeEarlyStoppingTrigger(
        comm, check_trigger=(1, 'iteration'), patience=2, max_trigger=(20, 'iteration'))
    trainer = scripted_trainer(comm, os.path.join(tmp, 'esm'), stop, value)
    trainer.run()
    expected = 3 if comm.size > 1 else 20
    assert trainer.updater.iteration == expected, trainer.updater.iteration
    # a custom aggregator gets the list of every rank's list of values, on rank 0
    got = []
    trainer = scripted_trainer(comm, os.path.join(tmp, 'agg'), (3, 'iteration'), value)
    trainer.extend(chainermn.extensions.ObservationAggregator(
        comm, 'main/loss', 'main/agg', comm_trigger=(3, 'iteration'),
        aggregator=lambda histories: [list(h) for h in histories]))
    trainer.extend(lambda tr: got.append(tr.observation.get('main/agg')), priority=0)
    trainer.run()
    want = [[10.0, 9.0, 8.0]] + [[0.0, 3.0, 6.0]] * (comm.size - 1)
    assert got == [None, None, want], got


def check_trainer_extensions(comm, tmp):
    # ObservationAggregator + MultiNodeEarlyStoppingTrigger: every rank stops together
    stop = chainermn.extensions.MultiNodeEarlyStoppingTrigger(
        comm, check_trigger=(1, 'iteration'), monitor='main/accuracy', patience=1,
        max_trigger=(30, 'iteration'))
    trainer, model, _ = make_trainer(comm, os.path.join(tmp, 'es'), stop)
    seen = []
    trainer.extend(chainermn.extensions.ObservationAggregator(
        comm, 'main/loss', 'main/mean_loss', comm_trigger=(2, 'iteration')))
    trainer.extend(lambda tr: seen.append(float(tr.observation.get('main/mean_loss', -1))),
                   trigger=(1, 'iteration'), priority=0)
    trainer.run()
    iterations = comm.mpi_comm.allgather(trainer.updater.iteration)
    assert len(set(iterations)) == 1, iterations
    assert seen[0] == -1 and seen[1] != -1
    assert comm.mpi_comm.allgather(seen[1]) == [seen[1]] * comm.size
    # multi_node_snapshot: rank 0 writes for the replica set of all ranks; on autoload
    # the others receive its state
    out = comm.bcast_obj(os.path.join(tmp, 'snap'))
    trainer, model, _ = make_trainer(comm, out, (3, 'iteration'))
    snap = extensions.snapshot(filename='snap_iter_{.updater.iteration}', autoload=True)
    trainer.extend(chainermn.extensions.multi_node_snapshot(comm, snap, [range(comm.size)]),
                   trigger=(3, 'iteration'))
    trainer.run()
    comm.mpi_comm.Barrier()
    # as Chainer: the writer's file name ends in its rank
    assert sorted(os.listdir(out)) == ['snap_iter_3.0'], os.listdir(out)
    # as Chainer: sets of one write their own files; the ranks not listed form one set
    for replica_sets, writers in (([[r] for r in range(comm.size)], range(comm.size)),
                                  ([], [0]), ([0], [0, 1][:comm.size])):
        out_sets = comm.bcast_obj(os.path.join(tmp, f'sets{len(replica_sets)}{replica_sets}'))
        trainer_sets, _, _ = make_trainer(comm, out_sets, (2, 'iteration'))
        trainer_sets.extend(chainermn.extensions.multi_node_snapshot(
            comm, extensions.snapshot(filename='s_{.updater.iteration}'), replica_sets),
            trigger=(2, 'iteration'))
        trainer_sets.run()
        comm.mpi_comm.Barrier()
        assert sorted(os.listdir(out_sets)) == [f's_2.{r}' for r in writers], (
            replica_sets, os.listdir(out_sets))
    trainer2, model2, _ = make_trainer(comm, out, (3, 'iteration'), model_seed=5)
    trainer2.extend(chainermn.extensions.multi_node_snapshot(
        comm, extensions.snapshot(filename='snap_iter_{.updater.iteration}', autoload=True),
        [range(comm.size)]), trigger=(3, 'iteration'))
    real, splits = comm.mpi_comm, []
    comm.mpi_comm = _SplitRecorder(real, splits)
    try:
        trainer2.run()  # already at iteration 3: loads and stops
    finally:
        comm.mpi_comm = real
    # the replica set's communicator is made for the autoload and freed after it
    assert len(splits) == 1 and splits[0] == splits[0].__class__(), splits
    assert trainer2.updater.iteration == 3
    assert_params(model2, model)


class _SplitRecorder:
    """Stands in for an mpi4py communicator and keeps what its ``Split`` made."""

    def __init__(self, mpi_comm, made):
        self._mpi_comm, self._made = mpi_comm, made

    def Split(self, *args):
        new = self._mpi_comm.Split(*args)
        self._made.append(new)
        return new

    def __getattr__(self, name):
        return getattr(self._mpi_comm, name)


def check_checkpointer_without_trainer(comm, tmp):
    # as Chainer: save(target, iteration) and maybe_load(target) work on any serializable
    # object when the checkpointer has a path
    import warnings
    path = os.path.join(tmp, 'plain')
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)
        cp = chainermn.create_multi_node_checkpointer(name='plain', comm=comm, path=path)
        model = L.Linear(2, 2)
        assert cp.maybe_load(model) is None
        for iteration in range(1, 4):
            model.W.array[...] = iteration
            cp.save(model, iteration)
        comm.mpi_comm.Barrier()
        again = L.Linear(2, 2)
        loaded = chainermn.create_multi_node_checkpointer(name='plain', comm=comm, path=path)
        assert loaded.maybe_load(again) == 3
    assert (again.W.array == 3).all(), again.W.array
    mine = sorted(f for f in os.listdir(path) if f.startswith(f'plain.{comm.rank}.'))
    assert mine == [f'plain.{comm.rank}.{i}' for i in (1, 2, 3)], mine


class _RankState(training.Extension):
    """An extension whose saved state differs by rank."""

    def __init__(self, value):
        self.value = value

    def __call__(self, trainer):
        pass

    def serialize(self, serializer):
        self.value = serializer('value', self.value)


def check_snapshot_as_chainer(comm, tmp):
    out = comm.bcast_obj(os.path.join(tmp, 'as_chainer'))
    for autoload in (True, False):  # the second run finds the first run's snapshot
        trainer, _, _ = make_trainer(comm, out, (2, 'iteration'))
        state = _RankState(comm.rank + 1)
        trainer.extend(state, name='state', trigger=(100, 'iteration'))
        snap = chainermn.extensions.multi_node_snapshot(comm, extensions.snapshot(
            filename='s_{.updater.iteration}', autoload=autoload), [range(comm.size)])
        trainer.extend(snap, trigger=(2, 'iteration'))
        trainer.run()
        comm.mpi_comm.Barrier()
        # as Chainer: the writer's state goes to the others only when autoload found a
        # snapshot (none at first; the second run has no autoload)
        assert state.value == comm.rank + 1, (autoload, state.value)
        # as Chainer: the wrapper is registered, and saved, as _MultiNodeSnapshot
        assert trainer.get_extension('_MultiNodeSnapshot') is snap
        if comm.rank == 0:
            with numpy.load(os.path.join(out, 's_2.0')) as f:
                assert 'extension_triggers/_MultiNodeSnapshot/previous_iteration' in f.files
                assert int(f['extensions/state/value']) == 1
        comm.mpi_comm.Barrier()


def main():
    comm = chainermn.create_communicator('naive')
    tmp = comm.bcast_obj(tempfile.mkdtemp() if comm.rank == 0 else None)
    checks = [check_data_parallel, check_double_buffering, check_batch_normalization,
              check_datasets, check_iterators, check_evaluators]
    if comm.size >= 2:
        checks += [check_model_parallel, check_model_parallel_sending_to_itself,
                   check_n_step_rnn]
    for check in checks:
        check(comm)
        comm.mpi_comm.Barrier()
    check_trainer_extensions(comm, tmp)
    check_snapshot_as_chainer(comm, tmp)
    check_checkpointer_without_trainer(comm, tmp)
    check_early_stopping_on_the_mean(comm, tmp)
    comm.mpi_comm.Barrier()
    if comm.rank == 0:
        shutil.rmtree(tmp)
        print(f'training ok on {comm.size} ranks')
    sys.stdout.flush()


if __name__ == '__main__':
    main()
