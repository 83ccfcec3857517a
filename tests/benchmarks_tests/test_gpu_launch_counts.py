"""How many kernels a training step launches, and how often it waits for the GPU.

Counted on the CPU stand-in for CuPy (``tests/cupy_stand_in``), which counts
the calls that launch a kernel on a GPU; on a real GPU these tests skip
(``benchmarks/gpu/profile_step.py`` counts there). The reference is the same
step written by hand in CuPy (``benchmarks/gpu/bench.py``).
"""
from __future__ import annotations

import sys
from pathlib import Path

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import optimizers

pytestmark = pytest.mark.gpu

_BENCH = Path(__file__).resolve().parents[2] / 'benchmarks' / 'gpu'


@pytest.fixture
def cupy(cupy_stand_in):
    """Launches are counted on the CuPy stand-in only."""
    return cupy_stand_in


@pytest.fixture
def bench(monkeypatch):
    monkeypatch.syspath_prepend(str(_BENCH))
    import bench
    yield bench
    sys.modules.pop('bench', None)


def _count(cupy, fn, steps=3) -> dict:
    fn()  # the first step creates optimizer state
    cupy.reset_stats()
    for _ in range(steps):
        fn()
    return {k: v / steps for k, v in cupy.stats.items()}


def test_mlp_adam_step_launches_no_more_kernels_than_hand_written_cupy(cupy, bench):
    model = bench.MLP(n_units=32)
    model.to_device('@cupy:0')
    opt = optimizers.Adam()
    opt.setup(model)
    rng = numpy.random.default_rng(0)
    x = cupy.asarray(rng.standard_normal((8, 784), dtype=numpy.float32))
    t = cupy.asarray(rng.integers(0, 10, 8).astype(numpy.int32))

    def step():
        model.cleargrads()
        F.softmax_cross_entropy(model(x), t).backward()
        opt.update()

    params = [(link.W.array.copy(), link.b.array.copy())
              for link in (model.l1, model.l2, model.l3)]
    state = {'t': 0, 'm': [cupy.zeros_like(p) for pair in params for p in pair],
             'v': [cupy.zeros_like(p) for pair in params for p in pair]}
    ours = _count(cupy, step)
    hand = _count(cupy, lambda: bench.handwritten_mlp_step(cupy, params, state, x, t))
    assert ours['launch'] <= hand['launch'], (ours, hand)
    assert ours['sync'] <= 1  # the label check of the loss
    assert ours['alloc'] <= 2


def test_chain_launches_one_kernel_per_op(cupy):
    x = chainer.Variable(cupy.ones((1,), numpy.float32))

    def chain():
        x.cleargrad()
        y = x
        for _ in range(10):
            y = y * 1.0001 + 0.0001
        y.grad = cupy.ones_like(y.array)
        y.backward()

    counts = _count(cupy, chain)
    # 20 forward ops, 10 backward multiplications (an added constant passes the
    # gradient through) and the seed gradient
    assert counts['launch'] == 31 and counts['sync'] == 0


def test_double_backprop_launches(cupy):
    xd = cupy.asarray(numpy.linspace(-1, 1, 7, dtype=numpy.float32))

    def step():
        v = chainer.Variable(xd)
        gx, = chainer.grad([F.sum(F.tanh(v) ** 3)], [v], enable_double_backprop=True)
        F.sum(gx * gx).backward()

    counts = _count(cupy, step)
    # (the gradient of tanh's gradient is one kernel, TanhGradGrad's)
    assert counts['launch'] <= 16 and counts['sync'] == 0


def test_trainer_iterations_wait_for_the_gpu_only_for_the_label_check(cupy, tmp_path):
    """A Trainer with an Adam StandardUpdater, the reporter and LogReport: one host
    read per iteration (the loss's label check), more only when the log is written."""
    from chainer import datasets, iterators, training
    from chainer.training import extensions
    import chainer.links as L

    rng = numpy.random.default_rng(0)
    data = datasets.TupleDataset(rng.standard_normal((320, 20)).astype(numpy.float32),
                                 rng.integers(0, 3, 320).astype(numpy.int32))
    model = L.Classifier(L.Linear(20, 3))
    model.to_device('@cupy:0')
    opt = optimizers.Adam()
    opt.setup(model)
    updater = training.updaters.StandardUpdater(
        iterators.SerialIterator(data, 32), opt, device='@cupy:0')
    trainer = training.Trainer(updater, (10, 'iteration'), out=str(tmp_path))
    trainer.extend(extensions.LogReport(trigger=(5, 'iteration')))
    syncs = []

    @training.make_extension(trigger=(1, 'iteration'), priority=-1000)
    def count(_):
        syncs.append(cupy.stats['sync'])
        cupy.reset_stats()
    trainer.extend(count)
    trainer.run()
    logged = {4, 9}  # the iterations (from 0) at whose end LogReport reads the means
    assert len(syncs) == 10
    assert all(n == 1 for i, n in enumerate(syncs[1:], 1) if i not in logged), syncs
    assert all(n > 1 for i, n in enumerate(syncs) if i in logged), syncs


def test_n_step_lstm_step_never_waits_for_the_gpu(cupy):
    """Sequences of different lengths are reordered on the device by an index the
    host built: nothing is read back (F.permutate would check a user's index)."""
    import chainer.links as L

    rng = numpy.random.default_rng(0)
    lstm = L.NStepBiLSTM(2, 8, 8, 0.0)
    lstm.to_device('@cupy:0')
    opt = optimizers.Adam()
    opt.setup(lstm)
    xs = [cupy.asarray(rng.standard_normal((n, 8)).astype(numpy.float32)) for n in (3, 5, 2)]

    def step():
        lstm.cleargrads()
        _, _, ys = lstm(None, None, xs)
        F.sum(F.concat(ys, axis=0)).backward()
        opt.update()

    assert _count(cupy, step)['sync'] == 0


def _layer_cases(cupy):
    import chainer.links as L
    rng = numpy.random.default_rng(0)

    def arr(*shape):
        return cupy.asarray(rng.standard_normal(shape).astype(numpy.float32))
    x, v, w = arr(4, 3, 8, 8), arr(6, 5), arr(6, 5)
    t = cupy.asarray(rng.integers(0, 5, 6).astype(numpy.int32))
    labels = cupy.asarray(rng.integers(-1, 2, (6, 5)).astype(numpy.int32))
    conv = L.Convolution2D(3, 4, 3).to_device('@cupy:0')
    deconv = L.Deconvolution2D(3, 4, 3).to_device('@cupy:0')
    bn = L.BatchNormalization(3).to_device('@cupy:0')
    ln = L.LayerNormalization(5).to_device('@cupy:0')
    embed = L.EmbedID(10, 4).to_device('@cupy:0')
    no_sync = {
        'convolution_2d': lambda: F.sum(conv(x)),
        'deconvolution_2d': lambda: F.sum(deconv(x)),
        'max_pooling_2d': lambda: F.sum(F.max_pooling_2d(x, 2)),
        'average_pooling_2d': lambda: F.sum(F.average_pooling_2d(x, 2)),
        'batch_normalization': lambda: F.sum(bn(x)),
        'layer_normalization': lambda: F.sum(ln(v)),
        'dropout': lambda: F.sum(F.dropout(v, 0.5)),
        'accuracy': lambda: F.accuracy(v, t) * 0 + F.sum(v),
        'mean_squared_error': lambda: F.mean_squared_error(v, w),
        'softmax': lambda: F.sum(F.softmax(v) * w),
        'log_softmax': lambda: F.sum(F.log_softmax(v) * w),
        'concat_split_axis': lambda: F.sum(F.concat(F.split_axis(v, 5, axis=1), axis=1) * w),
        'get_item': lambda: F.sum(v[1:3, ::2] * 2) + F.sum(v[cupy.asarray([0, 2])]),
        'lstm': lambda: F.sum(F.lstm(arr(6, 5), arr(6, 20))[1]),
        'elu_selu': lambda: F.sum(F.elu(v) + F.selu(v)),
        'huber_loss': lambda: F.sum(F.huber_loss(v, w, 1.0)),
        'max_min': lambda: F.max(v) + F.min(v),
        'where': lambda: F.sum(F.where(v > 0, v, v * 2)),
        'batch_matmul': lambda: F.sum(F.matmul(arr(2, 3, 4), arr(2, 4, 5))),
        'sigmoid_cross_entropy': lambda: F.sigmoid_cross_entropy(v, labels),
        'sigmoid_cross_entropy_unnormalized': lambda: F.sigmoid_cross_entropy(
            v, labels, normalize=False),
        'sigmoid_cross_entropy_no_reduce': lambda: F.sum(
            F.sigmoid_cross_entropy(v, labels, reduce='no')),
        'activations': lambda: F.sum(F.sigmoid(v) + F.softplus(v) + F.leaky_relu(v)),
    }
    label_checked = {
        'softmax_cross_entropy': lambda: F.softmax_cross_entropy(v, t),
        'embed_id': lambda: F.sum(embed(t)),
    }
    return no_sync, label_checked


def _syncs(cupy, cases: dict) -> dict:
    """Host syncs per forward and backward of each case (after a first call that
    initialises links and caches)."""
    return {name: _count(cupy, lambda: f().backward())['sync'] for name, f in cases.items()}


def test_common_layers_never_wait_for_the_gpu(cupy):
    no_sync, _ = _layer_cases(cupy)
    assert _syncs(cupy, no_sync) == dict.fromkeys(no_sync, 0)


def test_functions_that_check_labels_wait_once(cupy):
    """The range check of user labels reads one value back (an error must be
    raised there); nothing else does."""
    _, label_checked = _layer_cases(cupy)
    assert _syncs(cupy, label_checked) == dict.fromkeys(label_checked, 1)


@pytest.mark.parametrize('name', ['layer_normalization', 'group_normalization'])
def test_grouped_normalization_is_three_kernels_forward_and_five_backward(cupy, name):
    """Row statistics and the affine map forward; the parameter sums, the two row
    sums and the input gradient backward (was 10 and 14 with generic array code)."""
    rng = numpy.random.default_rng(0)
    if name == 'layer_normalization':
        x = rng.standard_normal((6, 5, 3))
        pshape = (5, 3)
    else:
        x = rng.standard_normal((4, 6, 5, 5))
        pshape = (6,)
    x, gamma, beta = (cupy.asarray(a.astype(numpy.float32))
                      for a in (x, rng.uniform(0.5, 1.5, pshape), rng.standard_normal(pshape)))
    vs = [chainer.Variable(a) for a in (x, gamma, beta)]

    def forward():
        if name == 'layer_normalization':
            return F.layer_normalization(*vs)
        return F.group_normalization(vs[0], 3, vs[1], vs[2])

    gy = cupy.ones_like(x)
    y = forward()
    cupy.reset_stats()
    y = forward()
    assert cupy.stats['launch'] == 3 and cupy.stats['sync'] == 0
    y.grad = gy
    cupy.reset_stats()
    y.backward()
    assert cupy.stats['launch'] == 5 and cupy.stats['sync'] == 0


@pytest.mark.parametrize('train,expected', [(True, 5), (False, 2)])
def test_batch_normalization_link_launches(cupy, train, expected):
    """Training forward: the mean, the variance, the per-channel scale, the
    normalization and both running averages in one launch (was 16); inference: the
    scale and the normalization (was 5). Training backward: the two parameter sums
    and the input gradient."""
    import chainer.links as L
    bn = L.BatchNormalization(3).to_device('@cupy:0')
    x = chainer.Variable(cupy.asarray(
        numpy.random.default_rng(0).standard_normal((4, 3, 5, 5)).astype(numpy.float32)))
    with chainer.using_config('train', train):
        bn(x)
        cupy.reset_stats()
        y = bn(x)
    assert cupy.stats['launch'] == expected and cupy.stats['sync'] == 0
    if train:
        y.grad = cupy.ones_like(y.array)
        bn.cleargrads()
        cupy.reset_stats()
        y.backward()
        assert cupy.stats['launch'] == 3 and cupy.stats['sync'] == 0


def test_fused_functions_launch_counts(cupy):
    """Forward and backward launches of functions that are fused kernels on CuPy
    (each case after a first call; ``x`` needs no gradient seed kernel: ``gy`` is
    given)."""
    rng = numpy.random.default_rng(0)
    x = cupy.asarray(rng.standard_normal((6, 5)).astype(numpy.float32))
    labels = cupy.asarray(rng.integers(-1, 2, (6, 5)).astype(numpy.int32))
    cases = {  # name: (function, forward launches, backward launches)
        'sigmoid': (F.sigmoid, 1, 1),
        'softplus': (F.softplus, 1, 1),  # the gradient node's one kernel
        'elu': (F.elu, 1, 3),  # the side of x, the gradient kernel, the product with gy
        'leaky_relu': (F.leaky_relu, 1, 2),  # the side of x, the gradient kernel
        'softmax': (F.softmax, 3, 2),  # maximum, sum of exponentials, output
        'log_softmax': (F.log_softmax, 3, 2),
        'dropout': (lambda v: F.dropout(v, 0.5), 2, 1),  # the draw, mask and output
        # the count of used labels, the mean; the coefficients, the gradient
        'sigmoid_cross_entropy': (lambda v: F.sigmoid_cross_entropy(v, labels), 2, 2),
    }
    counts = {}
    for name, (fn, _, _) in cases.items():
        v = chainer.Variable(x)
        fn(v)
        cupy.reset_stats()
        y = fn(v)
        forward = cupy.stats['launch']
        gy = cupy.ones_like(y.array)
        y.grad = gy
        cupy.reset_stats()
        y.backward()
        counts[name] = (forward, cupy.stats['launch'])
    assert counts == {name: (f, b) for name, (_, f, b) in cases.items()}
