import numpy
import pytest

import chainer
from chainer import gradient_check
from chainer import testing
from chainer.functions.loss.softmax_cross_entropy import softmax_cross_entropy
from chainer.utils import type_check
from tests.chainer_tests._graph import graph_nodes
from tests.chainer_tests._memory import peak_bytes
from tests.chainer_tests._numpy1_sums import long_values, numpy1_sum


def _log_softmax(x):
    x = x.astype(numpy.float64)
    y = x - x.max(axis=1, keepdims=True)
    return y - numpy.log(numpy.exp(y).sum(axis=1, keepdims=True))


def _reference(x, t, normalize, class_weight, ignore_label, reduce):
    log_y = _log_softmax(x)
    losses = numpy.zeros(t.shape)
    count = 0
    for idx in numpy.ndindex(*t.shape):
        label = t[idx]
        if label == ignore_label:
            continue
        count += 1
        pos = (idx[0], label) + idx[1:]
        w = 1.0 if class_weight is None else class_weight[label]
        losses[idx] = -log_y[pos] * w
    if reduce == 'no':
        return losses.astype(x.dtype)
    denom = count if normalize else len(x)
    return numpy.asarray(losses.sum() / max(denom, 1), x.dtype)


@testing.parameterize(*(testing.product({
    'shape': [(4, 3), (2, 3, 2)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'reduce': ['mean', 'no'],
    'double': [False, True],
}) + testing.product({
    'shape': [(5, 4)],
    'dtype': [numpy.float32],
    'reduce': ['mean', 'no'],
    'double': [False, True],
    'weight': [True],
    'ignore': [True],
    'normalize': [False],
    'cache_score': [False],
})))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestSoftmaxCrossEntropy(testing.FunctionTestCase):

    weight = False
    ignore = False
    normalize = True
    cache_score = True

    def setUp(self):
        rng = numpy.random.RandomState(1)
        self.t = rng.randint(0, self.shape[1], (self.shape[0],) + self.shape[2:]).astype(
            numpy.int32)
        if self.ignore:
            self.t[0] = -1
        self.class_weight = (rng.uniform(0.5, 2, self.shape[1]).astype(self.dtype)
                             if self.weight else None)
        self.numerical_grad_dtype = numpy.float64
        if not self.double:
            self.skip_double_backward_test = True
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {
                'atol': 5e-2, 'rtol': 5e-2}
        else:
            self.check_backward_options = {'atol': 1e-3, 'rtol': 1e-3}
            self.check_double_backward_options = {
                'atol': 1e-3, 'rtol': 1e-3}

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        x, = inputs
        return softmax_cross_entropy(
            x, device.send(self.t), normalize=self.normalize, cache_score=self.cache_score,
            class_weight=device.send(self.class_weight), reduce=self.reduce,
            enable_double_backprop=self.double),

    def forward_expected(self, inputs):
        x, = inputs
        return _reference(x, self.t, self.normalize, self.class_weight, -1, self.reduce),


@testing.parameterize(*testing.product({
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'loss': ['cross-entropy', 'kl-divergence'],
    'reduce': ['mean', 'no'],
    'double': [False, True],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestSoftTarget(testing.FunctionTestCase):

    def setUp(self):
        rng = numpy.random.RandomState(2)
        t = rng.uniform(0.1, 1, (3, 4))
        self.t = (t / t.sum(axis=1, keepdims=True)).astype(self.dtype)
        self.numerical_grad_dtype = numpy.float64
        if not self.double:
            self.skip_double_backward_test = True
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {
                'atol': 5e-2, 'rtol': 5e-2}
        else:
            self.check_backward_options = {'atol': 1e-3, 'rtol': 1e-3}
            self.check_double_backward_options = {
                'atol': 1e-3, 'rtol': 1e-3}

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, (3, 4)).astype(self.dtype),

    def forward(self, inputs, device):
        return softmax_cross_entropy(
            inputs[0], device.send(self.t), reduce=self.reduce,
            enable_double_backprop=self.double,
            soft_target_loss=self.loss),

    def forward_expected(self, inputs):
        log_y = _log_softmax(inputs[0])
        t = self.t.astype(numpy.float64)
        if self.loss == 'kl-divergence':
            loss = (t * (numpy.log(t + 1e-7) - log_y)).sum(axis=1)
        else:
            loss = -(t * log_y).sum(axis=1)
        if self.reduce == 'mean':
            loss = loss.mean()
        return numpy.asarray(loss, self.dtype),


def test_outputs_dtype_and_shape():
    x = numpy.random.randn(4, 3).astype(numpy.float16)
    t = numpy.array([0, 1, 2, -1], numpy.int32)
    y = softmax_cross_entropy(x, t)
    assert y.dtype == numpy.float16 and y.shape == () and isinstance(y.array, numpy.ndarray)
    y = softmax_cross_entropy(x, t, reduce='no')
    assert y.shape == (4,) and y.array[3] == 0


def test_all_ignored_gives_zero():
    x = chainer.Variable(numpy.random.randn(2, 3).astype(numpy.float32))
    y = softmax_cross_entropy(x, numpy.array([-1, -1], numpy.int32))
    assert y.array == 0
    y.backward()
    numpy.testing.assert_array_equal(x.grad, numpy.zeros((2, 3)))


@pytest.mark.parametrize('double', [False, True])
def test_custom_ignore_label(double):
    x = chainer.Variable(numpy.random.randn(3, 4))
    t = numpy.array([0, 2, 2], numpy.int32)
    y = softmax_cross_entropy(x, t, ignore_label=2, enable_double_backprop=double)
    numpy.testing.assert_allclose(y.array, -_log_softmax(x.array)[0, 0], rtol=1e-5)
    y.backward()
    numpy.testing.assert_array_equal(x.grad[1:], 0)
    y = softmax_cross_entropy(x, t, ignore_label=2, reduce='no',
                              enable_double_backprop=double)
    numpy.testing.assert_array_equal(y.array[1:], 0)


def test_large_logits_are_stable():
    x = numpy.array([[1000., 0.], [0., -1000.]], numpy.float32)
    y = softmax_cross_entropy(x, numpy.array([0, 1], numpy.int32), reduce='no')
    numpy.testing.assert_allclose(y.array, [0., 1000.], rtol=1e-6)


def test_no_double_backprop_raises():
    x = chainer.Variable(numpy.random.randn(3, 4).astype(numpy.float32))
    t = numpy.array([0, 1, 2], numpy.int32)
    y = softmax_cross_entropy(x, t)
    gx, = chainer.grad([y], [x], enable_double_backprop=True)
    with pytest.raises(RuntimeError, match=(  # Chainer's type and message
            r"^F\.softmax_cross_entropy was called with 'enable_double_backprop=False' "
            r"argument, but double-backprop is actually being performed\. Please "
            r"specify 'enable_double_backprop=True' explicitly\.$")):
        chainer.grad([chainer.functions.sum(gx * gx)], [x])


def test_gradient_requires_grad_in_every_mode():
    # As Chainer: the gradient of x requires grad as x does, with or without double backprop
    t = numpy.array([0, 1, 2], numpy.int32)
    for edb in (False, True):
        x = chainer.Variable(numpy.random.randn(3, 4).astype(numpy.float32))
        gx, = chainer.grad([softmax_cross_entropy(x, t)], [x], enable_double_backprop=edb)
        assert gx.requires_grad


def test_double_backprop_matches_plain_gradient():
    x = numpy.random.randn(3, 4).astype(numpy.float64)
    t = numpy.array([0, -1, 2], numpy.int32)
    cw = numpy.array([1., 2., 3., 4.])
    grads = []
    for double in (False, True):
        xv = chainer.Variable(x)
        softmax_cross_entropy(xv, t, class_weight=cw, enable_double_backprop=double).backward()
        grads.append(xv.grad)
    numpy.testing.assert_allclose(grads[0], grads[1], rtol=1e-10)


def test_backward_check_nd_ignore():
    x = numpy.random.randn(2, 3, 2).astype(numpy.float64)
    t = numpy.array([[0, -1], [2, 1]], numpy.int32)
    gradient_check.check_backward(
        lambda x: softmax_cross_entropy(x, t, normalize=False, cache_score=False), x, None)


@pytest.mark.parametrize('double', [False, True])
def test_label_out_of_range(double):
    x = numpy.zeros((2, 3), numpy.float32)
    for bad in ([0, 3], [0, -2]):
        with pytest.raises(ValueError, match='0 <= t < x.shape'):
            softmax_cross_entropy(x, numpy.array(bad, numpy.int32),
                                  enable_double_backprop=double)


@pytest.mark.parametrize('double', [False, True])
def test_bad_shapes_and_dtypes(double):
    x = numpy.zeros((2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        softmax_cross_entropy(x, numpy.zeros((3,), numpy.int32), enable_double_backprop=double)
    with pytest.raises(type_check.InvalidType):
        softmax_cross_entropy(x, numpy.zeros((2,), numpy.float32),
                              enable_double_backprop=double)
    with pytest.raises(type_check.InvalidType):
        softmax_cross_entropy(x.astype(numpy.int32), numpy.zeros((2,), numpy.int32),
                              enable_double_backprop=double)
    with pytest.raises(type_check.InvalidType):
        softmax_cross_entropy(x[0], numpy.zeros((), numpy.int32), enable_double_backprop=double)


def test_bad_options():
    x = numpy.zeros((2, 3), numpy.float32)
    t = numpy.zeros((2,), numpy.int32)
    with pytest.raises(ValueError, match="only 'mean' and 'no'"):
        softmax_cross_entropy(x, t, reduce='sum')
    with pytest.raises(ValueError, match='soft_target_loss'):
        softmax_cross_entropy(x, t, soft_target_loss='foo')
    with pytest.raises(ValueError, match='ndim'):
        softmax_cross_entropy(x, t, class_weight=numpy.ones((3, 1), numpy.float32))
    with pytest.raises(ValueError, match='dtype'):
        softmax_cross_entropy(x, t, class_weight=numpy.ones(3, numpy.int32))
    with pytest.raises(ValueError, match='Variable'):
        softmax_cross_entropy(x, t, class_weight=chainer.Variable(numpy.ones(3, numpy.float32)))


@pytest.mark.parametrize('offset', [30., 39., 45., 400.])
@pytest.mark.parametrize('soft', [False, True])
def test_rows_with_different_offsets(offset, soft):
    # spreads on both sides of the limit for shifting by one global maximum
    rng = numpy.random.RandomState(7)
    x = rng.uniform(-1, 1, (4, 5)).astype(numpy.float32)
    x[0] += offset
    x[1] -= offset
    x64 = x.astype(numpy.float64)
    if soft:
        t = rng.uniform(0.1, 1, (4, 5)).astype(numpy.float32)
        t /= t.sum(axis=1, keepdims=True)
        expected = -(t * _log_softmax(x64)).sum(axis=1)
    else:
        t = numpy.array([0, 1, 2, 3], numpy.int32)
        expected = -_log_softmax(x64)[numpy.arange(4), t]
    for cache_score in (True, False):
        xv = chainer.Variable(x)
        y = softmax_cross_entropy(xv, t, reduce='no', cache_score=cache_score)
        numpy.testing.assert_allclose(y.array, expected, rtol=1e-5, atol=1e-5)
        y.grad = numpy.ones(4, numpy.float32)
        y.backward()
        soft_max = numpy.exp(_log_softmax(x64))
        target = t if soft else numpy.eye(5)[t]
        # Chainer's softmax, exp(x - logsumexp(x)), rounds to about |x| * eps
        numpy.testing.assert_allclose(xv.grad, soft_max - target,
                                      atol=1e-6 if offset < 100 else 1e-5)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_layouts_give_the_same_loss_and_gradient(dtype):
    # The gradient subtracts at the labels through the flat array when it is
    # C-contiguous; other layouts (a transposed view) take the 2-d subscript.
    rng = numpy.random.RandomState(3)
    x = rng.uniform(-3, 3, (7, 5)).astype(dtype)
    t = rng.randint(0, 5, 7).astype(numpy.int32)
    results = []
    for arr in (x, numpy.asfortranarray(x), numpy.ascontiguousarray(x.T).T):
        v = chainer.Variable(arr)
        loss = softmax_cross_entropy(v, t)
        loss.backward()
        results.append((loss.array, v.grad))
    for loss, grad in results[1:]:
        numpy.testing.assert_array_equal(loss, results[0][0])
        numpy.testing.assert_array_equal(grad, results[0][1])
    assert results[0][1].dtype == dtype


def test_negative_label_other_than_ignore_label_raises():
    x = numpy.zeros((3, 4), numpy.float32)
    with pytest.raises(ValueError, match='0 <= t < x.shape'):
        softmax_cross_entropy(x, numpy.array([0, -2, 1], numpy.int32))
    with pytest.raises(ValueError, match='0 <= t < x.shape'):
        softmax_cross_entropy(x, numpy.array([0, 4, 1], numpy.int64))


@pytest.mark.gpu
@pytest.mark.parametrize('order', ['C', 'F'])
def test_gpu_layouts_match_numpy(order):
    # The fused CuPy kernels read both layouts.
    import cupy
    rng = numpy.random.RandomState(4)
    x = numpy.asarray(rng.uniform(-3, 3, (9, 6)).astype(numpy.float32), order=order)
    t = rng.randint(0, 6, 9).astype(numpy.int32)
    want = chainer.Variable(x)
    want_loss = softmax_cross_entropy(want, t)
    want_loss.backward()
    got = chainer.Variable(cupy.asarray(x, order=order))
    loss = softmax_cross_entropy(got, cupy.asarray(t))
    loss.backward()
    numpy.testing.assert_allclose(cupy.asnumpy(loss.array), want_loss.array, rtol=1e-5)
    numpy.testing.assert_allclose(cupy.asnumpy(got.grad), want.grad, rtol=1e-5, atol=1e-7)


_FUSED_CASES = [
    # (dtype, reduce, normalize, ignored rows, label dtype, C-contiguous x)
    (numpy.float32, 'mean', True, (), numpy.int32, True),
    (numpy.float32, 'mean', True, (1, 4), numpy.int32, False),
    (numpy.float64, 'mean', False, (1, 4), numpy.int64, True),
    (numpy.float16, 'mean', True, (0,), numpy.int32, True),
    (numpy.float32, 'no', True, (2,), numpy.int64, True),
    (numpy.float16, 'no', True, (), numpy.int32, False),
    (numpy.float64, 'mean', True, (0, 1, 2, 3, 4, 5, 6), numpy.int32, True),
]


def _fused_inputs(case):
    dtype, reduce, normalize, ignored, label_dtype, contiguous = case
    rng = numpy.random.default_rng(5)
    x = rng.uniform(-4, 4, (7, 5)).astype(dtype)
    if not contiguous:
        x = numpy.asfortranarray(x)
    t = rng.integers(0, 5, 7).astype(label_dtype)
    t[list(ignored)] = -1
    gloss_shape = () if reduce == 'mean' else (7,)
    gloss = numpy.linspace(0.5, 1.5, int(numpy.prod(gloss_shape))).reshape(
        gloss_shape).astype(dtype)
    return x, t, gloss, dict(normalize=normalize, reduce=reduce)


def _loss_and_grad(x, t, gloss, options):
    xv = chainer.Variable(x)
    loss = softmax_cross_entropy(xv, t, **options)
    loss.grad = gloss
    loss.backward()
    return loss.array, xv.grad


@pytest.mark.parametrize('case', _FUSED_CASES)
def test_fused_gpu_kernels_match_numpy(monkeypatch, case):
    """The CuPy path (fused kernels compiled for the host) against the NumPy path."""
    from chainer.functions.loss import softmax_cross_entropy as sce_module
    from tests.chainer_tests import _host_kernels
    x, t, gloss, options = _fused_inputs(case)
    want = _loss_and_grad(x, t, gloss, options)
    with monkeypatch.context() as m:
        _host_kernels.cupy_branch(m, sce_module)
        got = _loss_and_grad(_host_kernels.not_numpy(x), t, gloss, options)
        assert {'rechainer_sum_exp_float32', 'rechainer_sum_exp_float64'} & set(
            _host_kernels.launched)
        assert any(k.startswith('rechainer_sce_grad') for k in _host_kernels.launched)
    tol = 1e-2 if x.dtype == numpy.float16 else 1e-6
    for a, e in zip(got, want):
        assert a.dtype == e.dtype and a.shape == e.shape
        numpy.testing.assert_allclose(a, e, rtol=tol, atol=tol)


@pytest.mark.gpu
@pytest.mark.parametrize('case', _FUSED_CASES)
def test_gpu_fused_path_matches_numpy(case):
    import cupy
    x, t, gloss, options = _fused_inputs(case)
    want = _loss_and_grad(x, t, gloss, options)
    got = _loss_and_grad(cupy.asarray(x, order='K'), cupy.asarray(t), cupy.asarray(gloss),
                         options)
    # The device sums in another order: a few ulps, more where terms cancel.
    tol = 1e-2 if x.dtype == numpy.float16 else 1e-5
    for a, e in zip(got, want):
        assert a.dtype == e.dtype and a.shape == e.shape
        numpy.testing.assert_allclose(cupy.asnumpy(a), e, rtol=tol, atol=tol)


def test_class_weight_of_another_length_raises():
    x = numpy.zeros((2, 3), numpy.float32)
    t = numpy.array([0, 2], numpy.int32)
    for n in (2, 4):
        for edb in (False, True):
            with pytest.raises(ValueError) as info:
                softmax_cross_entropy(x, t, class_weight=numpy.ones(n, numpy.float32),
                                      enable_double_backprop=edb)
            # Chainer's double-backprop path raised InvalidType
            assert isinstance(info.value, chainer.utils.type_check.InvalidType)


@pytest.mark.parametrize('x_dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('t_dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('double', [False, True])
@pytest.mark.parametrize('reduce', ['mean', 'no'])
def test_soft_target_of_another_dtype(x_dtype, t_dtype, double, reduce):
    # as in Chainer, the loss has the dtype of x and t promoted (float32 for float16
    # scores and float32 targets); the gradient has x's dtype
    rng = numpy.random.RandomState(3)
    x = rng.uniform(-1, 1, (3, 4)).astype(x_dtype)
    t = rng.uniform(0.1, 1, (3, 4))
    t = (t / t.sum(axis=1, keepdims=True)).astype(t_dtype)
    out_dtype = numpy.result_type(x_dtype, t_dtype)

    def f(x):
        return softmax_cross_entropy(x, t, reduce=reduce, enable_double_backprop=double)

    y = f(x)
    assert y.dtype == out_dtype
    expected = -(t.astype(numpy.float64) * _log_softmax(x)).sum(axis=1)
    if reduce == 'mean':
        expected = expected.mean()
    tol = 5e-3 if x_dtype == numpy.float16 else 1e-5
    numpy.testing.assert_allclose(y.array, expected, rtol=tol, atol=tol)
    gy = rng.uniform(-1, 1, y.shape).astype(out_dtype)
    opts = {'atol': 5e-2, 'rtol': 5e-2} if x_dtype == numpy.float16 else {}
    gradient_check.check_backward(f, x, gy, dtype=numpy.float64, **opts)
    if double:
        ggx = rng.uniform(-1, 1, x.shape).astype(x_dtype)
        gradient_check.check_double_backward(f, x, gy, ggx, dtype=numpy.float64, **opts)


@pytest.mark.parametrize('soft', [False, True])
def test_double_backprop_float16_mean_of_many_rows_does_not_overflow(soft):
    # Chainer summed the float16 losses in float32: 70000 losses of about 1.2
    # add up past float16's largest value (65504).
    n = 70000
    x = numpy.random.RandomState(0).uniform(-1, 1, (n, 3)).astype(numpy.float16)
    t = (numpy.full((n, 3), 1. / 3, numpy.float16) if soft
         else (numpy.arange(n) % 3).astype(numpy.int32))
    expected = softmax_cross_entropy(x.astype(numpy.float64), t).array
    for normalize in (True, False):
        xv = chainer.Variable(x)
        y = softmax_cross_entropy(xv, t, normalize=normalize, enable_double_backprop=True)
        assert y.dtype == numpy.float16
        numpy.testing.assert_allclose(y.array, expected, rtol=1e-3)
        gx, = chainer.grad([y], [xv])
        assert gx.dtype == numpy.float16 and numpy.isfinite(gx.array).all()


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_double_backprop_path_with_a_minus_inf_logit_of_another_class_is_finite(dtype):
    # Chainer selected each label's log-probability: a logit of -inf in another
    # class (log-probability -inf) does not enter the loss, nor make it NaN.
    x = chainer.Variable(numpy.array([[-numpy.inf, 0, 1], [-numpy.inf, 0, 1], [0, 1, 2]], dtype))
    t = numpy.array([2, 1, -1], numpy.int32)
    expected = numpy.log1p(numpy.exp(-1.)) + numpy.array([0., 1.])
    expected = numpy.append(expected, 0.)
    for class_weight in (None, numpy.array([1., 1., 1.], dtype)):
        y = softmax_cross_entropy(x, t, reduce='no', class_weight=class_weight,
                                  enable_double_backprop=True)
        assert y.dtype == dtype
        numpy.testing.assert_allclose(y.array, expected, rtol=1e-3)
        gx, = chainer.grad([chainer.functions.sum(y)], [x], enable_double_backprop=True)
        assert numpy.isfinite(gx.array).all()
        numpy.testing.assert_array_equal(gx.array[:, 0], 0)
        ggx, = chainer.grad([chainer.functions.sum(gx * gx)], [x])
        assert numpy.isfinite(ggx.array).all()


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32])
def test_cached_score_has_the_dtype_of_x(dtype):
    # Chainer's node caches softmax(x) in x's dtype, not a float32 copy of a float16 x.
    x = chainer.Variable(numpy.random.randn(4, 5).astype(dtype))
    t = numpy.array([0, 1, 2, 4], numpy.int32)
    loss = softmax_cross_entropy(x, t)
    assert loss.creator.y.dtype == dtype
    loss.backward()
    p = numpy.exp(x.array.astype(numpy.float64))
    p /= p.sum(axis=1, keepdims=True)
    p[numpy.arange(4), t] -= 1
    numpy.testing.assert_allclose(x.grad, p / 4, atol=1e-3 if dtype == numpy.float16 else 1e-6)


@pytest.mark.parametrize('seed', [0, 1, 2])
@pytest.mark.parametrize('weighted', [None, numpy.float32, numpy.float64])
def test_mean_gradient_bitwise_as_chainer(seed, weighted):
    # Chainer's CPU forms: the softmax as exp(x - logsumexp(x)), then
    # (y - onehot(t)) [* class_weight[t]] * (gloss * coeff), that product in float64
    # (and a float64 class_weight multiplied in float64, rounded once)
    rng = numpy.random.RandomState(seed)
    x = rng.uniform(-3, 3, (3, 5)).astype(numpy.float32)
    t = rng.randint(0, 5, 3).astype(numpy.int32)
    cw = rng.uniform(0.5, 2, 5).astype(weighted) if weighted else None
    gloss = numpy.float32(rng.uniform(0.5, 2))
    xv = chainer.Variable(x)
    loss = softmax_cross_entropy(xv, t, class_weight=cw)
    loss.grad = numpy.array(gloss)
    loss.backward()
    m = x.max(axis=1, keepdims=True)
    log_y = x - (m + numpy.log(numpy.exp(x - m).sum(axis=1, keepdims=True)))
    expected = numpy.exp(log_y)
    expected[numpy.arange(3), t] -= 1
    if weighted:
        expected *= cw[t][:, None]
    expected *= numpy.float32(numpy.float64(gloss) * (1.0 / 3))
    assert numpy.array_equal(xv.grad, expected)


@pytest.mark.parametrize('seed', [0, 1])
def test_4d_bitwise_as_chainer(seed):
    # per-pixel labels of (n, c, h, w) scores: Chainer shifted by the maximum over
    # the classes, log_y = x - (m + log(sum(exp(x - m)))), loss = -mean(log_y[t]),
    # gradient (exp(log_y) - onehot(t)) * (gloss * coeff) (coeff in float64)
    rng = numpy.random.RandomState(seed)
    x = rng.uniform(-3, 3, (2, 5, 16, 16)).astype(numpy.float32)
    t = rng.randint(0, 5, (2, 16, 16)).astype(numpy.int32)
    xv = chainer.Variable(x)
    loss = softmax_cross_entropy(xv, t)
    loss.backward()
    m = x.max(axis=1, keepdims=True)
    log_y = x - (m + numpy.log(numpy.exp(x - m).sum(axis=1, keepdims=True)))
    log_p = numpy.take_along_axis(log_y, t[:, None], axis=1).ravel()
    coeff = 1.0 / t.size  # the mean over the (valid) labels
    assert numpy.array_equal(loss.array, (log_p.sum(keepdims=True) * numpy.float32(-coeff))[0])
    expected = numpy.exp(log_y)
    n, h, w = numpy.indices(t.shape)
    expected[n, t, h, w] -= 1
    expected *= numpy.float32(numpy.float64(1.0) * coeff)
    assert numpy.array_equal(xv.grad, expected)


@pytest.mark.parametrize('enable_double_backprop', [False, True])
@pytest.mark.parametrize('reduce', ['mean', 'no'])
def test_ignore_label_none_ignores_nothing(enable_double_backprop, reduce):
    # Chainer compared the labels with None, so every label counted
    rs = numpy.random.RandomState(0)
    x = rs.randn(3, 4).astype(numpy.float32)
    t = numpy.array([0, 3, 1], numpy.int32)
    kw = {'reduce': reduce, 'enable_double_backprop': enable_double_backprop}
    xv, xe = chainer.Variable(x), chainer.Variable(x.copy())
    y = softmax_cross_entropy(xv, t, ignore_label=None, **kw)
    e = softmax_cross_entropy(xe, t, ignore_label=-1, **kw)
    numpy.testing.assert_array_equal(y.array, e.array)
    chainer.functions.sum(y).backward()
    chainer.functions.sum(e).backward()
    numpy.testing.assert_array_equal(xv.grad, xe.grad)
    with pytest.raises(IndexError):
        softmax_cross_entropy(x, numpy.array([0, -1, 1], numpy.int32), ignore_label=None, **kw)


@pytest.mark.gpu
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32])
def test_gpu_cached_score_is_the_softmax(dtype):
    # The function's ``y`` is the softmax when cache_score (the default), and None
    # without it, on the GPU as on the CPU, though the fused GPU path keeps less.
    import cupy
    x = numpy.array([[-3., 1., 0.5], [0.25, 2., -1.]], dtype)
    t = numpy.array([0, 2], numpy.int32)
    want = numpy.exp(x.astype(numpy.float64))
    want /= want.sum(axis=1, keepdims=True)
    for cache_score in (True, False):
        loss = softmax_cross_entropy(chainer.Variable(cupy.asarray(x)), cupy.asarray(t),
                                     cache_score=cache_score)
        y = loss.creator.y
        if not cache_score:
            assert y is None
            continue
        assert isinstance(y, cupy.ndarray) and y.dtype == dtype
        rtol = 1e-3 if dtype == numpy.float16 else 1e-5
        numpy.testing.assert_allclose(cupy.asnumpy(y), want, rtol=rtol)


def _run_sce(x, t, kw, gloss_seed=0):
    xv = chainer.Variable(x)
    loss = softmax_cross_entropy(xv, t, **kw)
    y = loss.creator.y
    rng = numpy.random.RandomState(gloss_seed)
    loss.grad = rng.uniform(0.5, 2, loss.shape).astype(loss.dtype)
    loss.backward()
    return [a if a is None else (a.dtype, a.shape, a.tobytes())
            for a in (loss.array, y, xv.grad)]


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape', [(11, 9), (7, 5, 3, 2)])
@pytest.mark.parametrize('kw', [
    {}, {'cache_score': False}, {'reduce': 'no'}, {'normalize': False},
    {'class_weight': 'float32'}, {'class_weight': 'float64', 'reduce': 'no'},
    {'cache_score': False, 'reduce': 'no', 'class_weight': 'float32'}])
@pytest.mark.parametrize('ignore', [False, True])
def test_blocked_forward_and_gradient_bitwise(monkeypatch, dtype, shape, kw, ignore):
    # Large inputs: the row normalizers block by block of rows, the softmax formed
    # again in backward block by block with the gradient; the same bits as the
    # whole-array path (loss, cached score and gradient), special values included.
    from chainer.utils import array as array_utils
    rng = numpy.random.RandomState(3)
    x = (rng.randn(*shape) * 3).astype(dtype)
    x[1] = -numpy.inf  # a row (or sample) of -inf
    x.reshape(-1)[[5, 17, 30]] = [numpy.inf, numpy.nan, -0.0]
    t = rng.randint(0, shape[1], (shape[0],) + shape[2:]).astype(numpy.int32)
    if ignore:
        t.reshape(-1)[::4] = -1
    kw = dict(kw)
    if 'class_weight' in kw:
        kw['class_weight'] = rng.uniform(0.5, 2, shape[1]).astype(kw['class_weight'])
    with numpy.errstate(all='ignore'):
        monkeypatch.setattr(array_utils, '_SOFTMAX_BLOCKED_BYTES', 1 << 62)
        expected = _run_sce(x, t, kw)
        monkeypatch.setattr(array_utils, '_SOFTMAX_BLOCKED_BYTES', 0)
        monkeypatch.setattr(array_utils, '_BLOCK_BYTES', 16)
        assert len(array_utils.sample_blocks(x)) > 1
        got = _run_sce(x, t, kw)
    assert got == expected


def test_non_contiguous_and_empty_scores_blocked(monkeypatch):
    from chainer.utils import array as array_utils
    rng = numpy.random.RandomState(4)
    x = rng.randn(9, 12).astype(numpy.float32)
    t = rng.randint(0, 9, 12).astype(numpy.int32)
    expected = _run_sce(x.T.copy(), t, {})
    monkeypatch.setattr(array_utils, '_SOFTMAX_BLOCKED_BYTES', 0)
    monkeypatch.setattr(array_utils, '_BLOCK_BYTES', 16)
    got = _run_sce(x.T, t, {})  # a transposed x: the whole-array forward, blocked backward
    # a transposed x sums its exponentials in another order than a C-contiguous one
    for g, e in zip(got, expected):
        numpy.testing.assert_allclose(numpy.frombuffer(g[2], g[0]),
                                      numpy.frombuffer(e[2], e[0]), rtol=1e-6)
    x0 = numpy.zeros((0, 5), numpy.float32)
    loss, y, gx = _run_sce(x0, numpy.zeros(0, numpy.int32), {'reduce': 'no'})
    assert loss[1] == (0,) and y[1] == (0, 5) and gx[1] == (0, 5)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('t_dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_cached_score_of_soft_targets_has_the_dtype_of_x(dtype, t_dtype):
    # As with labels (and in Chainer): the node's y is softmax(x) in x's dtype; the
    # gradient still reads the softmax in the compute dtype (float32 for float16).
    from chainer.utils import array as array_utils
    rng = numpy.random.RandomState(5)
    x = chainer.Variable(rng.randn(4, 5).astype(dtype))
    t = rng.uniform(0.1, 1, (4, 5))
    t = (t / t.sum(axis=1, keepdims=True)).astype(t_dtype)
    loss = softmax_cross_entropy(x, t, reduce='no')
    p = array_utils.log_softmax(x.array, with_softmax=True)[1]
    assert loss.creator.y.dtype == dtype
    numpy.testing.assert_array_equal(loss.creator.y, p.astype(dtype))
    gy = rng.uniform(-1, 1, 4).astype(loss.dtype)
    loss.grad = gy
    loss.backward()
    assert x.grad.dtype == dtype
    tc = t.astype(p.dtype)
    expected = (p * tc.sum(axis=1, keepdims=True) - tc) * gy.astype(p.dtype)[:, None]
    numpy.testing.assert_array_equal(x.grad, expected.astype(dtype))
    assert softmax_cross_entropy(x, t, cache_score=False).creator.y is None


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32])
def test_cached_score_is_formed_when_read(dtype):
    # Hard labels keep only the row normalizers (no softmax array in forward); the
    # score read from the node is Chainer's exp(x - logsumexp(x)) in x's dtype.
    from chainer.utils import array as array_utils
    x = numpy.random.randn(6, 7).astype(dtype)
    t = numpy.random.randint(0, 7, 6).astype(numpy.int32)
    func = softmax_cross_entropy(x, t).creator
    assert func._y is None and func._log_z.shape == (6, 1)
    expected = array_utils.log_softmax(x, with_softmax=True)[1].astype(dtype)
    assert func.y.dtype == dtype
    numpy.testing.assert_array_equal(func.y, expected)
    assert func.y is func.y  # formed once
    assert softmax_cross_entropy(x, t, cache_score=False).creator.y is None


@pytest.mark.parametrize('shape,weighted', [((5, 4), False), ((5, 4), True),
                                            ((2, 3, 2, 2), True)])
def test_double_backprop_graph_holds_no_array_of_the_scores_size(shape, weighted):
    # The label log-probabilities are picked, as Chainer's select: besides
    # log_softmax's output and its negation (which no node retains), no node of the
    # loss's graph outputs an array of the scores' size (no one-hot weights, no
    # masked copies for the graph to keep).
    rng = numpy.random.RandomState(3)
    x = chainer.Variable(rng.randn(*shape))
    t = rng.randint(0, shape[1], (shape[0],) + shape[2:]).astype(numpy.int32)
    t.ravel()[0] = -1
    w = rng.uniform(0.5, 2, shape[1]) if weighted else None
    loss = softmax_cross_entropy(x, t, class_weight=w, enable_double_backprop=True)
    full = [type(n).__name__ for n in graph_nodes(loss)
            if any(o().shape == x.shape or o().shape == (x.size // shape[1], shape[1])
                   for o in n.outputs if o() is not None)
            and type(n).__name__ not in ('Reshape', 'Rollaxis')]
    assert sorted(full) == ['LogSoftmax', 'Neg']
    # the third derivative through the pick, against differences of the second
    F = chainer.functions

    def second(xa):
        xv = chainer.Variable(xa)
        y = softmax_cross_entropy(xv, t, class_weight=w, enable_double_backprop=True)
        g, = chainer.grad([y], [xv], enable_double_backprop=True)
        g2, = chainer.grad([F.sum(g * g)], [xv], enable_double_backprop=True)
        return xv, g2

    xv, g2 = second(x.array.copy())
    r = rng.uniform(-1, 1, shape)
    g3, = chainer.grad([F.sum(g2 * r)], [xv])
    num, = gradient_check.numerical_grad(
        lambda: ((second(x.array)[1].array * r).sum(),), (x.array,), (1.0,), eps=1e-4)
    numpy.testing.assert_allclose(g3.array, num, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize('cache_score', [True, False])
def test_float16_label_gradient_in_float32_blocks(monkeypatch, cache_score):
    # The gradient of float16 scores is formed a block of samples at a time in
    # float32 (blocks sized as float32) and each block cast into the float16
    # gradient: no whole float32 copy of x or float32 gradient, the same bits.
    from chainer.utils import array as array_utils
    rs = numpy.random.RandomState(0)
    x = rs.randn(1024, 512).astype(numpy.float16)  # 1 MiB
    t = rs.randint(0, 512, 1024).astype(numpy.int32)

    def run():
        v = chainer.Variable(x)
        loss = softmax_cross_entropy(v, t, cache_score=cache_score)
        return v, peak_bytes(loss.backward)

    v, peak = run()
    assert peak < 2.5 * x.nbytes, peak
    monkeypatch.setattr(array_utils, '_BLOCK_BYTES', 1 << 40)
    v_whole, _ = run()
    assert v.grad.tobytes() == v_whole.grad.tobytes()


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('normalize', [True, False])
def test_double_backprop_mean_scales_before_the_sum_bits(dtype, normalize):
    # Chainer's differentiable form: sum(loss * (1 / count)) (float16 in float32);
    # (with these inputs, sum(loss) * (1 / count) differs in float32 and float64)
    rs = numpy.random.RandomState(15)
    x = rs.uniform(-3, 3, (7, 5)).astype(dtype)
    t = rs.randint(0, 5, 7).astype(numpy.int32)
    t[3] = -1
    loss = softmax_cross_entropy(x, t, normalize=normalize, enable_double_backprop=True)
    log_y = chainer.functions.log_softmax(x).array
    each = -log_y[numpy.arange(7), numpy.maximum(t, 0)] * (t != -1).astype(dtype)
    count = 6 if normalize else 7
    acc = numpy.float32 if dtype == numpy.float16 else dtype
    expected = (each.astype(acc) * acc(1.0 / count)).sum().astype(dtype)
    numpy.testing.assert_array_equal(loss.array, expected)


@pytest.mark.parametrize('n', [32, 64])  # whole, block by block
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_softmax_cross_entropy_over_a_long_vocabulary_in_numpy1_order(n, dtype):
    x = long_values((n, 10000), dtype, spread=1.0)
    t = numpy.random.default_rng(1).integers(0, 10000, n).astype(numpy.int32)
    m = x.max(axis=1, keepdims=True)
    log_z = m + numpy.log(numpy1_sum(numpy.exp(x - m), -1, True))
    log_p = x[numpy.arange(n), t] - log_z[:, 0]
    numpy.testing.assert_array_equal(softmax_cross_entropy(x, t).array,
                                     log_p.sum() * -(1.0 / n))
    numpy.testing.assert_array_equal(softmax_cross_entropy(x, t, reduce='no').array, -log_p)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_soft_target_cross_entropy_over_a_long_vocabulary_in_numpy1_order(dtype):
    x = long_values((4, 10000), dtype, spread=1.0)
    t = numpy.random.default_rng(2).dirichlet(numpy.ones(10000), 4).astype(dtype)
    log_y = chainer.functions.log_softmax(x).array
    numpy.testing.assert_array_equal(softmax_cross_entropy(x, t, reduce='no').array,
                                     -numpy1_sum(t * log_y, -1))
