"""Functions and links whose own tests run on NumPy only, on the GPU against NumPy.

Each case builds its inputs (and link) once, runs forward and backward on NumPy
and on ``@cupy:0``, and compares the outputs and every gradient (of the inputs
and of the link's parameters). Random functions use fixed masks or compare
what does not depend on the random stream.
"""
from __future__ import annotations

import copy

import numpy
import pytest

import chainer
import chainer.functions as F
import chainer.links as L

pytestmark = pytest.mark.gpu

_RNG = numpy.random.RandomState


def _u(*shape, seed=0, low=-1.0, high=1.0, dtype=numpy.float32):
    return _RNG(seed).uniform(low, high, shape).astype(dtype)


def _labels(n, k, seed=0):
    return _RNG(seed).randint(0, k, n).astype(numpy.int32)


def _weighted_total(outs, device):
    """The sum of the float outputs, each weighted elementwise by fixed random
    weights: the gradient of a plain sum of a normalized output is zero, and so
    only rounding noise, which the GPU need not share with NumPy."""
    return sum(F.sum(o * device.send(_u(*o.shape, seed=100 + k, low=0.5, high=1.5,
                                        dtype=o.dtype)))
               for k, o in enumerate(outs))


def _run(fn, arrays, differentiable, device):
    """Outputs and input gradients of ``fn`` on ``device``."""
    arrays = [device.send(a) for a in arrays]
    vs = [chainer.Variable(a) if d else a for a, d in zip(arrays, differentiable)]
    outs = fn(*vs)
    outs = outs if isinstance(outs, tuple) else (outs,)
    outs = [o for o in outs if o is not None]
    float_outs = [o for o in outs if isinstance(o, chainer.Variable) and o.dtype.kind == 'f'
                  and o.creator is not None]
    if float_outs:
        _weighted_total(float_outs, device).backward()
    results = [chainer.as_array(o) if isinstance(o, chainer.Variable) else o for o in outs]
    grads = [v.grad for v, d in zip(vs, differentiable) if d]
    return results, grads


def _compare(cpu, gpu, tol):
    import cupy
    for kind, (a_list, b_list) in zip(('output', 'gradient'), zip(cpu, gpu)):
        assert len(a_list) == len(b_list), kind
        for k, (a, b) in enumerate(zip(a_list, b_list)):
            if a is None:
                assert b is None, (kind, k)
                continue
            assert isinstance(b, cupy.ndarray), (kind, k, type(b))
            b_host = cupy.asnumpy(b)
            a_host = numpy.asarray(a)
            assert b_host.dtype == a_host.dtype and b_host.shape == a_host.shape, (kind, k)
            numpy.testing.assert_allclose(b_host, a_host, err_msg=f'{kind} {k}', **tol)


def _check_function(fn, arrays, differentiable=None, tol=None):
    differentiable = differentiable or [True] * len(arrays)
    cpu = _run(fn, arrays, differentiable, chainer.get_device('@numpy'))
    gpu = _run(fn, arrays, differentiable, chainer.get_device('@cupy:0'))
    _compare(cpu, gpu, tol or {'rtol': 1e-5, 'atol': 1e-6})


_FUNCTIONS = {
    'accuracy': (lambda y, t: F.accuracy(y, t), [_u(6, 4), _labels(6, 4)], [True, False]),
    'accuracy_ignore': (lambda y, t: F.accuracy(y, t, ignore_label=1),
                        [_u(6, 4), _labels(6, 4, seed=1)], [True, False]),
    'binary_accuracy': (lambda y, t: F.binary_accuracy(y, t),
                        [_u(5, 3), _RNG(2).randint(-1, 2, (5, 3)).astype(numpy.int32)],
                        [True, False]),
    'classification_summary': (lambda y, t: F.classification_summary(y, t, label_num=4),
                               [_u(8, 4), _labels(8, 4)], [True, False]),
    'r2_score': (lambda p, t: F.r2_score(p, t), [_u(7, 3), _u(7, 3, seed=1)], [True, False]),
    'batch_renormalization': (
        lambda x, g, b: F.batch_renormalization(x, g, b, rmax=2.0, dmax=1.0,
                                                running_mean=_stat(x, 0.0),
                                                running_var=_stat(x, 1.0)),
        [_u(5, 3), _u(3, low=0.5, high=1.5), _u(3)], None),
    'fixed_batch_renormalization': (
        lambda x, g, b, m, v: F.fixed_batch_renormalization(x, g, b, m, v),
        [_u(5, 3), _u(3, low=0.5), _u(3), _u(3), _u(3, low=0.5, high=1.5)], None),
    'decorrelated_batch_normalization': (
        lambda x: F.decorrelated_batch_normalization(x, groups=2), [_u(10, 4)], None),
    'forget': (lambda x, y: F.forget(lambda a, b: F.tanh(a) * b, x, y),
               [_u(3, 4), _u(3, 4, seed=1)], None),
    'arctanh': (F.arctanh, [_u(3, 4, low=-0.9, high=0.9)], None),
    'expm1': (F.expm1, [_u(3, 4)], None),
    'log1p': (F.log1p, [_u(3, 4, low=0.0)], None),
    'sqrt': (F.sqrt, [_u(3, 4, low=0.1)], None),
    'square': (F.square, [_u(3, 4)], None),
    'mean': (lambda x: F.mean(x, axis=1), [_u(3, 4)], None),
    'sinh_cosh': (lambda x: F.sinh(x) + F.cosh(x), [_u(3, 4)], None),
}


def _stat(x, value):
    """A running statistic of ``x``'s three channels on ``x``'s device."""
    return chainer.backend.get_array_module(x).full(3, value, numpy.float32)


@pytest.mark.parametrize('name', sorted(_FUNCTIONS))
def test_function(name):
    fn, arrays, differentiable = _FUNCTIONS[name]
    _check_function(fn, arrays, differentiable, {'rtol': 1e-4, 'atol': 1e-5})


def test_gumbel_softmax_rows_sum_to_one():
    import cupy
    y = F.gumbel_softmax(cupy.asarray(numpy.log(_u(4, 5, low=0.1, high=1.0))), tau=0.5)
    assert isinstance(y.array, cupy.ndarray)
    numpy.testing.assert_allclose(cupy.asnumpy(y.array.sum(axis=1)), numpy.ones(4), rtol=1e-5)


def test_zoneout_with_the_same_flags():
    import cupy
    h, x = _u(3, 4), _u(3, 4, seed=1)
    with chainer.using_config('train', True):
        y = F.zoneout(cupy.asarray(h), cupy.asarray(x), ratio=0.5)
    got = cupy.asnumpy(y.array)
    assert ((got == h) | (got == x)).all()


# -- links ---------------------------------------------------------------------

def _link_case(make, inputs, call=None):
    return make, inputs, call or (lambda link, *xs: link(*xs))


_LINKS = {
    'Maxout': _link_case(lambda: L.Maxout(4, 3, 2), [_u(5, 4)]),
    'PReLU': _link_case(lambda: L.PReLU((4,)), [_u(5, 4)]),
    'Swish': _link_case(lambda: L.Swish((4,)), [_u(5, 4)]),
    'Bilinear': _link_case(lambda: L.Bilinear(3, 4, 2), [_u(5, 3), _u(5, 4, seed=1)]),
    'EmbedID': _link_case(lambda: L.EmbedID(6, 3, ignore_label=-1),
                          [numpy.array([0, 5, -1, 2], numpy.int32)]),
    'Highway': _link_case(lambda: L.Highway(4), [_u(5, 4)]),
    'Bias': _link_case(lambda: L.Bias(shape=(4,)), [_u(5, 4)]),
    'Scale': _link_case(lambda: L.Scale(W_shape=(4,), bias_term=True), [_u(5, 4)]),
    'CRF1d': _link_case(lambda: L.CRF1d(3), [_u(2, 3), _u(2, 3, seed=1), _labels(2, 3),
                                             _labels(2, 3, seed=1)],
                        lambda link, x0, x1, t0, t1: link([x0, x1], [t0, t1])),
    'Classifier': _link_case(lambda: L.Classifier(L.Linear(4, 3)), [_u(5, 4), _labels(5, 3)]),
    'GRU': _link_case(lambda: L.GRU(3, 4), [_u(2, 3), _u(2, 3, seed=1)],
                      lambda link, a, b: link(b) * link(a)),
    'StatefulGRU': _link_case(lambda: L.StatefulGRU(3, 4), [_u(2, 3), _u(2, 3, seed=1)],
                              lambda link, a, b: link(b) * link(a)),
    'StatelessMGU': _link_case(lambda: L.StatelessMGU(3, 4), [_u(2, 4), _u(2, 3, seed=1)]),
    'StatefulPeepholeLSTM': _link_case(lambda: L.StatefulPeepholeLSTM(3, 4),
                                       [_u(2, 3), _u(2, 3, seed=1)],
                                       lambda link, a, b: link(b) * link(a)),
    'ChildSumTreeLSTM': _link_case(lambda: L.ChildSumTreeLSTM(3, 4),
                                   [_u(2, 4), _u(2, 4, seed=1), _u(2, 4, seed=2),
                                    _u(2, 4, seed=3), _u(2, 3, seed=4)]),
    'NaryTreeLSTM': _link_case(lambda: L.NaryTreeLSTM(3, 4, n_ary=2),
                               [_u(2, 4), _u(2, 4, seed=1), _u(2, 4, seed=2),
                                _u(2, 4, seed=3), _u(2, 3, seed=4)]),
    'GroupNormalization': _link_case(lambda: L.GroupNormalization(2, 4), [_u(3, 4, 2)]),
    'LayerNormalization': _link_case(lambda: L.LayerNormalization(4), [_u(3, 4)]),
    'BatchRenormalization': _link_case(lambda: L.BatchRenormalization(4, rmax=2.0, dmax=1.0),
                                       [_u(6, 4)]),
    'DecorrelatedBatchNormalization': _link_case(
        lambda: L.DecorrelatedBatchNormalization(4, groups=2), [_u(10, 4)]),
}


def _run_link(link, inputs, call, device):
    link = copy.deepcopy(link)
    link.to_device(device)
    link.cleargrads()
    xs = [chainer.Variable(device.send(a)) if a.dtype.kind == 'f' else device.send(a)
          for a in inputs]
    y = call(link, *xs)
    ys = y if isinstance(y, tuple) else (y,)
    _weighted_total([o for o in ys if isinstance(o, chainer.Variable) and o.dtype.kind == 'f'],
                    device).backward()
    grads = [x.grad for x in xs if isinstance(x, chainer.Variable)]
    grads += [p.grad for _, p in sorted(link.namedparams())]
    return [chainer.as_array(o) for o in ys], grads


@pytest.mark.parametrize('name', sorted(_LINKS))
def test_link(name):
    make, inputs, call = _LINKS[name]
    numpy.random.seed(0)
    link = make()
    cpu = _run_link(link, inputs, call, chainer.get_device('@numpy'))
    gpu = _run_link(link, inputs, call, chainer.get_device('@cupy:0'))
    _compare(cpu, gpu, {'rtol': 1e-4, 'atol': 1e-5})


# -- random functions and samplers: properties that hold for any stream ---------

def test_dropout_mask_is_reused_by_backward():
    import cupy
    x = chainer.Variable(cupy.asarray(_u(50, 4, low=0.5, high=1.5)))
    with chainer.using_config('train', True):
        y = F.dropout(x, 0.5)
    y.grad = cupy.ones_like(y.array)
    y.backward()
    kept = cupy.asnumpy(y.array) != 0
    numpy.testing.assert_allclose(cupy.asnumpy(y.array)[kept],
                                  cupy.asnumpy(x.array)[kept] * 2, rtol=1e-6)
    numpy.testing.assert_array_equal(cupy.asnumpy(x.grad), kept * numpy.float32(2))
    assert 0 < kept.mean() < 1


def test_gaussian_gradients():
    import cupy
    mean = chainer.Variable(cupy.asarray(_u(3, 4)))
    ln_var = chainer.Variable(cupy.asarray(_u(3, 4, seed=1)))
    with chainer.using_config('train', True):
        z = F.gaussian(mean, ln_var)
    assert isinstance(z.array, cupy.ndarray) and z.shape == (3, 4)
    z.grad = cupy.ones_like(z.array)
    z.backward()
    numpy.testing.assert_array_equal(cupy.asnumpy(mean.grad), numpy.ones((3, 4)))
    eps = (cupy.asnumpy(z.array) - cupy.asnumpy(mean.array)) / numpy.exp(
        cupy.asnumpy(ln_var.array) / 2)
    numpy.testing.assert_allclose(cupy.asnumpy(ln_var.grad),
                                  eps * numpy.exp(cupy.asnumpy(ln_var.array) / 2) / 2,
                                  rtol=1e-4, atol=1e-5)


def test_simplified_dropconnect_with_a_fixed_mask_matches_numpy():
    x, W, b = _u(2, 3), _u(4, 3, seed=1), _u(4, seed=2)
    mask = (_RNG(3).uniform(size=(2, 4, 3)) > 0.5).astype(numpy.float32)

    def fn(x, W, b):
        on_device = chainer.backend.get_device_from_array(x.array).send(mask)
        return F.simplified_dropconnect(x, W, b, ratio=0.5, mask=on_device)
    with chainer.using_config('train', True):
        _check_function(fn, [x, W, b], tol={'rtol': 1e-5, 'atol': 1e-6})


def test_simplified_dropconnect_random_mask_on_the_gpu():
    import cupy
    x = chainer.Variable(cupy.asarray(_u(2, 3)))
    W = chainer.Variable(cupy.asarray(_u(4, 3, seed=1)))
    with chainer.using_config('train', True):
        y = F.simplified_dropconnect(x, W, None, ratio=0.5)
    assert isinstance(y.array, cupy.ndarray) and y.shape == (2, 4)
    y.grad = cupy.ones_like(y.array)
    y.backward()
    assert isinstance(W.grad, cupy.ndarray)


def test_walker_alias_on_the_gpu():
    import cupy

    from chainer.utils import WalkerAlias
    sampler = WalkerAlias([0.1, 0.0, 0.6, 0.3])
    assert not sampler.use_gpu
    sampler.to_gpu()
    assert sampler.use_gpu and isinstance(sampler.threshold, cupy.ndarray)
    for samples in (sampler.sample((200,)), sampler.sample_gpu((200,))):
        assert isinstance(samples, cupy.ndarray) and samples.dtype == numpy.int32
        drawn = set(cupy.asnumpy(samples).tolist())
        assert drawn <= {0, 2, 3} and 2 in drawn
    sampler.to_cpu()
    assert isinstance(sampler.sample((3,)), numpy.ndarray)



def test_walker_alias_draws_on_the_gpu_as_chainer():
    # Chainer's GPU sampler: one float32 uniform draw u per sample, slot
    # floor(u * n), the alias where threshold < u * n - slot (float32)
    import cupy

    from chainer.utils import WalkerAlias
    n = 50000
    sampler = WalkerAlias(1.0 / numpy.arange(1, n + 1))
    sampler.to_device('@cupy:0')
    cupy.random.seed(7)
    u = cupy.asnumpy(cupy.random.uniform(size=(400, 50), dtype=numpy.float32))
    pb = u * numpy.float32(n)
    index = pb.astype(numpy.int32)
    index[index >= n] = 0
    thr, values = cupy.asnumpy(sampler.threshold), cupy.asnumpy(sampler.values)
    right = thr[index] < pb - index.astype(numpy.float32)
    cupy.random.seed(7)
    drawn = sampler.sample((400, 50))
    assert drawn.dtype == numpy.int32 and drawn.shape == (400, 50)
    numpy.testing.assert_array_equal(cupy.asnumpy(drawn), values[index * 2 + right])

def test_inv_of_a_singular_matrix_raises_on_the_gpu_in_debug_mode():
    # As Chainer, only in debug mode (the check is a device sync).
    import cupy
    with chainer.using_config('debug', True), pytest.raises(ValueError, match='singular'):
        F.inv(cupy.zeros((3, 3), numpy.float32))


def test_standard_updater_passes_the_gpu_id_to_a_plain_converter():
    import cupy

    from chainer import iterators, optimizers, training
    seen = []

    def converter(batch, device):
        seen.append(device)
        x = numpy.stack([b[0] for b in batch])
        t = numpy.array([b[1] for b in batch], numpy.int32)
        return cupy.asarray(x), cupy.asarray(t)

    data = [(_u(4, seed=k), k % 3) for k in range(6)]
    model = L.Classifier(L.Linear(4, 3))
    model.to_device('@cupy:0')
    opt = optimizers.SGD()
    opt.setup(model)
    it = iterators.SerialIterator(data, 3)
    updater = training.updaters.StandardUpdater(it, opt, converter=converter,
                                                device='@cupy:0')
    updater.update()
    assert seen == [0] and isinstance(model.predictor.W.array, cupy.ndarray)
