import numpy
import pytest

import chainer
from chainer import gradient_check
from chainer import testing
from chainer.functions.loss.black_out import black_out
from chainer.functions.loss.negative_sampling import negative_sampling
from chainer.utils import type_check
from chainer.utils.walker_alias import WalkerAlias
from tests.chainer_tests._fused_sums import assert_same_sums

from tests.chainer_tests.functions_tests.loss_tests._loss_tolerances import set_tolerances

_V, _D, _B, _S = 6, 3, 4, 2


def _softplus(v):
    return numpy.logaddexp(v, 0)


class _FixedSampler:
    def __init__(self, samples):
        self.samples = samples

    def __call__(self, shape):
        assert shape == self.samples.shape
        return self.samples.copy()


@testing.parameterize(*testing.product({
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'reduce': ['sum', 'no'],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestNegativeSampling(testing.FunctionTestCase):

    def setUp(self):
        set_tolerances(self, self.dtype)
        rng = numpy.random.RandomState(0)
        self.t = numpy.array([0, 2, -1, 5], numpy.int32)
        self.samples = rng.randint(0, _V, (_B, _S + 1)).astype(numpy.int32)

    def generate_inputs(self):
        return (numpy.random.uniform(-1, 1, (_B, _D)).astype(self.dtype),
                numpy.random.uniform(-1, 1, (_V, _D)).astype(self.dtype))

    def forward(self, inputs, device):
        x, W = inputs
        return negative_sampling(x, device.send(self.t), W,
                                 _FixedSampler(device.send(self.samples)), _S,
                                 reduce=self.reduce),

    def forward_expected(self, inputs):
        x, W = [a.astype(numpy.float64) for a in inputs]
        loss = numpy.zeros(_B)
        for b in range(_B):
            if self.t[b] == -1:
                continue
            loss[b] = _softplus(-W[self.t[b]].dot(x[b]))
            for s in self.samples[b, 1:]:
                loss[b] += _softplus(W[s].dot(x[b]))
        if self.reduce == 'sum':
            loss = loss.sum()
        return numpy.asarray(loss, self.dtype),


@testing.parameterize(*testing.product({
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'reduce': ['mean', 'no'],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestBlackOut(testing.FunctionTestCase):

    def setUp(self):
        set_tolerances(self, self.dtype)
        rng = numpy.random.RandomState(1)
        self.t = numpy.array([0, 2, 1, 5], numpy.int32)
        self.samples = rng.randint(0, _V, (_B, _S)).astype(numpy.int32)

    def generate_inputs(self):
        return (numpy.random.uniform(-1, 1, (_B, _D)).astype(self.dtype),
                numpy.random.uniform(-1, 1, (_V, _D)).astype(self.dtype))

    def forward(self, inputs, device):
        x, W = inputs
        return black_out(x, device.send(self.t), W, device.send(self.samples),
                         reduce=self.reduce),

    def forward_expected(self, inputs):
        x, W = [a.astype(numpy.float64) for a in inputs]
        loss = numpy.zeros(_B)
        for b in range(_B):
            pos = W[self.t[b]].dot(x[b])
            neg = W[self.samples[b]].dot(x[b])
            logz = numpy.log(numpy.exp(pos) + numpy.exp(neg).sum())
            loss[b] = -(pos - logz + numpy.log(1 - numpy.exp(neg - logz)).sum())
        if self.reduce == 'mean':
            loss = loss.mean()
        return numpy.asarray(loss, self.dtype),


def test_return_samples_and_walker_alias():
    sampler = WalkerAlias([1, 1, 1, 0, 0, 1])
    x = chainer.Variable(numpy.random.randn(_B, _D).astype(numpy.float32))
    W = chainer.Variable(numpy.random.randn(_V, _D).astype(numpy.float32))
    t = numpy.array([0, 1, 2, 5], numpy.int32)
    loss, samples = negative_sampling(x, t, W, sampler.sample, 3, return_samples=True)
    assert loss.shape == () and samples.shape == (_B, 4) and samples.dtype == numpy.int32
    numpy.testing.assert_array_equal(samples[:, 0], t)
    assert not numpy.isin(samples[:, 1:], [3, 4]).any()
    loss.backward()
    assert x.grad.shape == x.shape and W.grad.shape == W.shape
    numpy.testing.assert_array_equal(W.grad[[3, 4]], 0)


def test_walker_alias_distribution():
    numpy.random.seed(0)
    w = WalkerAlias([0.1, 0.2, 0.3, 0.4, 0.0])
    s = w.sample((20000,))
    assert s.dtype == numpy.int32 and s.shape == (20000,)
    freq = numpy.bincount(s, minlength=5) / s.size
    numpy.testing.assert_allclose(freq, [0.1, 0.2, 0.3, 0.4, 0.0], atol=0.015)
    assert w.sample((2, 3)).shape == (2, 3)
    assert w.to_cpu() is w and w.use_gpu is False
    assert w.to_device('@numpy') is w and w.device.xp is numpy
    assert w.threshold.dtype == numpy.float32 and w.values.dtype == numpy.int32
    with pytest.raises(ValueError):
        WalkerAlias([])
    with pytest.raises(ValueError):
        WalkerAlias([1, -1])
    with pytest.raises(ValueError):
        WalkerAlias([0, 0])


def test_negative_sampling_double_backward():
    rng = numpy.random.RandomState(5)
    t = numpy.array([0, 2, 1, 3], numpy.int32)
    samples = rng.randint(0, _V, (_B, _S + 1)).astype(numpy.int32)
    x = rng.uniform(-1, 1, (_B, _D))
    W = rng.uniform(-1, 1, (_V, _D))
    gradient_check.check_double_backward(
        lambda x, W: negative_sampling(x, t, W, _FixedSampler(samples), _S),
        (x, W), None, (rng.uniform(-1, 1, x.shape), rng.uniform(-1, 1, W.shape)))


def test_bad_inputs():
    x = numpy.zeros((_B, _D), numpy.float32)
    W = numpy.zeros((_V, _D), numpy.float32)
    t = numpy.zeros(_B, numpy.int32)
    s = WalkerAlias(numpy.ones(_V)).sample
    with pytest.raises(ValueError, match="only 'sum' and 'no'"):
        negative_sampling(x, t, W, s, 2, reduce='mean')
    with pytest.raises(TypeError):
        negative_sampling(x, t, W, s, 2, foo=1)
    with pytest.raises(type_check.InvalidType):
        negative_sampling(x, t.astype(numpy.float32), W, s, 2)
    with pytest.raises(type_check.InvalidType):
        negative_sampling(x, t.astype(numpy.int64), W, s, 2)  # Chainer takes int32
    with pytest.raises(type_check.InvalidType):
        negative_sampling(x, t, W.astype(numpy.float64), s, 2)
    with pytest.raises(type_check.InvalidType):
        negative_sampling(x, t, W[:, :2], s, 2)
    with pytest.raises(type_check.InvalidType):
        negative_sampling(x, t[:2], W, s, 2)
    with pytest.raises(ValueError):
        negative_sampling(x, numpy.full(_B, _V, numpy.int32), W, s, 2)
    samples = numpy.zeros((_B, 2), numpy.int32)
    with pytest.raises(ValueError, match="only 'mean' and 'no'"):
        black_out(x, t, W, samples, reduce='sum')
    # Chainer's type checks: InvalidType for each badly typed or shaped input
    for args in ((x, t, W, samples[0]), (x, t[:2], W, samples), (x, t.astype('f'), W, samples),
                 (x.astype('i'), t, W, samples), (x, t, W[:, :1], samples),
                 (x, t, W, samples.astype('f')), (x, t[:, None], W, samples)):
        with pytest.raises(type_check.InvalidType):
            black_out(*args)
    with pytest.raises(ValueError):
        black_out(x, t, W, samples + _V)


@pytest.mark.parametrize('x_dtype, W_dtype', [
    (numpy.float32, numpy.float16), (numpy.float16, numpy.float64)])
def test_black_out_mixed_precisions_compute_in_the_wider(x_dtype, W_dtype):
    rs = numpy.random.RandomState(0)
    x = rs.randn(_B, _D)
    W = rs.randn(_V, _D)
    samples = rs.randint(0, _V, (_B, 2)).astype(numpy.int32)
    t = numpy.zeros(_B, numpy.int32)
    wide = numpy.promote_types(x_dtype, W_dtype)
    xv = chainer.Variable(x.astype(x_dtype))
    Wv = chainer.Variable(W.astype(W_dtype))
    loss = black_out(xv, t, Wv, samples)
    assert loss.dtype == wide
    expect = black_out(x.astype(x_dtype).astype(wide), t, W.astype(W_dtype).astype(wide),
                       samples)
    numpy.testing.assert_array_equal(loss.array, expect.array)
    loss.backward()
    assert xv.grad.dtype == x_dtype and Wv.grad.dtype == W_dtype


class _CountingSampler(_FixedSampler):
    calls = 0

    def __call__(self, shape):
        self.calls += 1
        return super().__call__(shape)


def test_node_keeps_samples_and_draws_once():
    from chainer.functions.loss.negative_sampling import NegativeSamplingFunction
    rng = numpy.random.RandomState(6)
    samples = rng.randint(0, _V, (_B, _S + 1)).astype(numpy.int32)
    sampler = _CountingSampler(samples)
    t = numpy.array([0, -1, 2, 3], numpy.int32)
    x = chainer.Variable(rng.uniform(-1, 1, (_B, _D)).astype(numpy.float32))
    W = chainer.Variable(rng.uniform(-1, 1, (_V, _D)).astype(numpy.float32))
    loss = negative_sampling(x, t, W, sampler, _S, reduce='no')
    assert sampler.calls == 1
    node = loss.creator
    assert isinstance(node, NegativeSamplingFunction)
    numpy.testing.assert_array_equal(node.samples[:, 0], t)
    numpy.testing.assert_array_equal(node.samples[:, 1:], samples[:, 1:])
    assert loss.array[1] == 0  # the ignored row
    chainer.functions.sum(loss).backward()
    assert sampler.calls == 1  # backward reuses the samples


def test_preset_samples_make_the_loss_deterministic():
    from chainer.functions.loss.negative_sampling import NegativeSamplingFunction
    rng = numpy.random.RandomState(7)
    samples = rng.randint(0, _V, (_B, _S + 1)).astype(numpy.int32)
    x = rng.uniform(-1, 1, (_B, _D))
    W = rng.uniform(-1, 1, (_V, _D))
    t = samples[:, 0].copy()

    def never(shape):
        raise AssertionError('the sampler must not be called')

    node = NegativeSamplingFunction(never, _S)
    node.samples = samples
    loss, = node.apply((x, t, W))
    expected = negative_sampling(x, t, W, _FixedSampler(samples), _S)
    numpy.testing.assert_allclose(loss.array, expected.array, rtol=1e-12)


def test_double_backward_per_example_with_ignored_rows():
    rng = numpy.random.RandomState(8)
    t = numpy.array([0, -1, 1, 3], numpy.int32)
    samples = rng.randint(0, _V, (_B, _S + 1)).astype(numpy.int32)
    x = rng.uniform(-1, 1, (_B, _D))
    W = rng.uniform(-1, 1, (_V, _D))
    gradient_check.check_double_backward(
        lambda x, W: negative_sampling(x, t, W, _FixedSampler(samples), _S, reduce='no'),
        (x, W), rng.uniform(-1, 1, _B),
        (rng.uniform(-1, 1, x.shape), rng.uniform(-1, 1, W.shape)))


def test_node_keeps_the_labels():
    # As in Chainer, the node keeps all of x, t and W (graph readers such as WebDNN's
    # converter read an array input's data from the node).
    rs = numpy.random.RandomState(0)
    x = rs.uniform(-1, 1, (3, 4)).astype(numpy.float32)
    W = chainer.Variable(rs.uniform(-1, 1, (5, 4)).astype(numpy.float32))
    t = numpy.array([0, 1, 2], numpy.int32)
    y = negative_sampling(x, t, W, lambda s: numpy.ones(s, numpy.int32), 2)
    node = y.creator
    assert [n.data is not None for n in node.inputs] == [True, True, True]
    numpy.testing.assert_array_equal(node.inputs[1].data, t)
    y.backward()
    assert W.grad is not None


def _old_formula(x, t, W, samples, gy, reduce):
    """The loss and (gx, gW) without blocking: the whole (B, K, D) gather, and gW as
    zeros plus numpy.add.at of the (B, K, D) products."""
    xc = x.astype(numpy.float32) if x.dtype == numpy.float16 else x
    Wc = W.astype(numpy.float32) if W.dtype == numpy.float16 else W
    mask = t != -1
    index = numpy.where(mask[:, None], samples, 0)
    sign = numpy.ones(samples.shape[1], xc.dtype)
    sign[0] = -1
    w = Wc[index]
    scores = numpy.einsum('bkd,bd->bk', w, xc) * sign
    loss = numpy.logaddexp(scores, 0).sum(axis=1) * mask
    if reduce == 'sum':
        loss = loss.sum()
    # the gradient in Chainer's per-row arithmetic: f = w . x, gx = c . w as products
    # of matrices, c = gy / (1 + exp(-sign f)) sign
    f = numpy.matmul(w, xc[:, :, None])[:, :, 0] * sign
    g = numpy.broadcast_to(gy.astype(xc.dtype), mask.shape) * mask
    c = g[:, None] / (1 + numpy.exp(-f)) * sign
    gx = numpy.matmul(c[:, None, :], w)[:, 0]
    gW = numpy.zeros_like(Wc)
    numpy.add.at(gW, index, c[:, :, None] * xc[:, None, :])
    return (numpy.asarray(loss).astype(x.dtype), gx.astype(x.dtype), gW.astype(W.dtype))


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('reduce', ['sum', 'no'])
def test_blocked_gathers_and_sparse_gradient_are_the_old_formula_bit_for_bit(dtype, reduce):
    """At sizes where the samples' rows are gathered block by block and gW is one
    sparse product: the same bits as the whole gather and the scatter of the
    (B, K, D) products, with ignored rows and samples repeated within a row."""
    rng = numpy.random.RandomState(9)
    b, k, v, d = 900, 6, 50, 100
    samples = rng.randint(0, v, (b, k)).astype(numpy.int32)
    samples[::4, 2] = samples[::4, 3]
    t = samples[:, 0].copy()
    t[::7] = -1
    x = rng.uniform(-1, 1, (b, d)).astype(dtype)
    W = rng.uniform(-1, 1, (v, d)).astype(dtype)
    gy = rng.uniform(-1, 1, () if reduce == 'sum' else (b,)).astype(dtype)
    from chainer.utils import array as array_utils
    assert len(list(array_utils.gathered_blocks(W.astype(numpy.float32), samples))) > 2
    xv, Wv = chainer.Variable(x), chainer.Variable(W)
    loss = negative_sampling(xv, t, Wv, _FixedSampler(samples), k - 1, reduce=reduce)
    loss.grad = gy
    loss.backward()
    expected = _old_formula(x, t, W, samples, gy, reduce)
    for got, want in zip((loss.array, xv.grad, Wv.grad), expected):
        assert got.dtype == dtype
        assert_same_sums(got, want)


@pytest.mark.filterwarnings('ignore::RuntimeWarning')
@pytest.mark.parametrize('bad', [numpy.inf, -numpy.inf, numpy.nan, 1e200])
@pytest.mark.parametrize('reduce', ['sum', 'no'])
@pytest.mark.parametrize('in_x', [True, False])
def test_ignored_rows_holding_non_finite_values_give_no_loss_and_no_gradient(bad, reduce, in_x):
    # As in Chainer, which skipped them: an ignored row's x, and the row W[0] that
    # ignored rows read, add nothing (not 0 * inf = NaN) to the loss, to gx and to
    # gW, to first and second order.
    rng = numpy.random.RandomState(3)
    t = numpy.array([2, -1, 1, -1], numpy.int32)
    samples = rng.randint(1, _V, (_B, _S + 1)).astype(numpy.int32)
    x = rng.uniform(-1, 1, (_B, _D))
    W = rng.uniform(-1, 1, (_V, _D))
    if in_x:
        x[t == -1] = bad
    W[0] = bad
    keep = t != -1
    xv, Wv = chainer.Variable(x), chainer.Variable(W)
    loss = negative_sampling(xv, t, Wv, _FixedSampler(samples), _S, reduce=reduce)
    gx, gW = chainer.grad([loss], [xv, Wv], enable_double_backprop=True)
    # the same as the loss of the kept rows alone
    xk, Wk = chainer.Variable(x[keep]), chainer.Variable(W)
    kept = negative_sampling(xk, t[keep], Wk, _FixedSampler(samples[keep]), _S, reduce=reduce)
    gxk, gWk = chainer.grad([kept], [xk, Wk], enable_double_backprop=True)
    assert numpy.isfinite(kept.array).all() and numpy.isfinite(gWk.array).all()
    numpy.testing.assert_allclose(loss.array[keep] if reduce == 'no' else loss.array,
                                  kept.array, rtol=1e-14)
    if reduce == 'no':
        assert (loss.array[~keep] == 0).all()
    assert (gx.array[~keep] == 0).all()
    numpy.testing.assert_allclose(gx.array[keep], gxk.array, rtol=1e-14)
    numpy.testing.assert_allclose(gW.array, gWk.array, rtol=1e-14)
    r = rng.uniform(-1, 1, (_B, _D))
    r[~keep] = 0
    rw = rng.uniform(-1, 1, W.shape)
    ggx, ggW = chainer.grad([gx, gW], [xv, Wv], [chainer.Variable(r), chainer.Variable(rw)])
    ggxk, ggWk = chainer.grad([gxk, gWk], [xk, Wk],
                              [chainer.Variable(r[keep]), chainer.Variable(rw)])
    assert (ggx.array[~keep] == 0).all()
    numpy.testing.assert_allclose(ggx.array[keep], ggxk.array, rtol=1e-13, atol=1e-15)
    numpy.testing.assert_allclose(ggW.array, ggWk.array, rtol=1e-13, atol=1e-15)


@pytest.mark.gpu
@pytest.mark.filterwarnings('ignore::RuntimeWarning')
def test_gpu_ignored_rows_holding_non_finite_values_match_numpy():
    import cupy
    rng = numpy.random.RandomState(4)
    t = numpy.array([2, -1, 1, -1], numpy.int32)
    samples = rng.randint(1, _V, (_B, _S + 1)).astype(numpy.int32)
    x = rng.uniform(-1, 1, (_B, _D))
    W = rng.uniform(-1, 1, (_V, _D))
    x[1], x[3], W[0] = numpy.inf, numpy.nan, -numpy.inf
    r = rng.uniform(-1, 1, x.shape)

    def run(xp):
        xv, Wv = chainer.Variable(xp.asarray(x)), chainer.Variable(xp.asarray(W))
        loss = negative_sampling(xv, xp.asarray(t), Wv, _FixedSampler(xp.asarray(samples)), _S,
                                 reduce='no')
        gx, gW = chainer.grad([loss], [xv, Wv], enable_double_backprop=True)
        ggW, = chainer.grad([gx], [Wv], [chainer.Variable(xp.asarray(r))])
        return [chainer.backend.CpuDevice().send(a.array) for a in (loss, gx, gW, ggW)]

    for got, want in zip(run(cupy), run(numpy)):
        assert numpy.isfinite(got).all()
        numpy.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('reduce', ['sum', 'no'])
def test_gradient_bits_as_chainers_rows(dtype, reduce):
    """Chainer's per-row arithmetic: f = W[k].dot(x), g = gy / (1 + exp(-f)) with the
    target's sign flipped, gx = g.dot(W[k]) and gW[k] += g * x sample by sample."""
    import chainer
    rs = numpy.random.RandomState(3)
    x = rs.uniform(-1, 1, (6, 20)).astype(dtype)
    W = rs.uniform(-1, 1, (9, 20)).astype(dtype)
    t = rs.randint(0, 9, 6).astype(numpy.int32)
    t[2] = -1
    samples = rs.randint(0, 9, (6, 4)).astype(numpy.int32)
    samples[:, 0] = numpy.maximum(t, 0)
    xv, Wv = chainer.Variable(x), chainer.Variable(W)
    loss = chainer.functions.negative_sampling(xv, t, Wv, lambda shape: samples.copy(), 3,
                                               reduce=reduce)
    gy = rs.uniform(-1, 1, loss.shape).astype(dtype)
    gx, gW = chainer.grad([loss], [xv, Wv], grad_outputs=[gy])
    ex, eW = numpy.zeros_like(x), numpy.zeros_like(W)
    for i in numpy.arange(6)[t != -1]:
        k = samples[i]
        f = W[k].dot(x[i])
        f[0] *= -1
        g = (gy if reduce == 'sum' else gy[i]) / (1 + numpy.exp(-f))
        g[0] *= -1
        ex[i] = g.dot(W[k])
        for ik, ig in zip(k, g):
            eW[ik] += ig * x[i]
    numpy.testing.assert_array_equal(gx.array, ex)
    numpy.testing.assert_array_equal(gW.array, eW)
