import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import gradient_check
from chainer import testing
from chainer.functions.normalization import batch_normalization as bn_module
from chainer.utils import type_check
from tests.chainer_tests._graph import graph_nodes
from tests.chainer_tests._memory import peak_bytes
from tests.chainer_tests.functions_tests.normalization_tests import _util

_backends = [{}, {'use_cuda': True}]


def _reference(x, gamma, beta, mean, var, eps, axis):
    """Per-element loop-free reference with explicit broadcasting."""
    shape = [1 if i in axis else s for i, s in enumerate(x.shape)]
    x = x.astype(numpy.float64)
    return (gamma.reshape(shape) * (x - mean.reshape(shape))
            / numpy.sqrt(var.reshape(shape) + eps) + beta.reshape(shape))


@testing.parameterize(*(
    testing.product({
        'shape': [(5, 3, 2, 3)],
        'axis': [None],
        'dtype': [numpy.float16, numpy.float32, numpy.float64],
    }) + testing.product({
        # gamma of 2 axes, no axis: statistics over the batch and the axes after
        'shape': [(4, 3, 2, 3)],
        'axis': [None],
        'pndim': [2],
        'dtype': [numpy.float16, numpy.float32, numpy.float64],
    }) + [
        {'shape': (5, 3, 2), 'axis': None, 'pndim': 2, 'dtype': numpy.float32},
        {'shape': (4, 3), 'axis': None, 'dtype': numpy.float32},
        {'shape': (3, 2, 3), 'axis': (0, 1), 'dtype': numpy.float64},   # NHWC style
        {'shape': (2, 4, 3, 2), 'axis': (0, 2, 3), 'dtype': numpy.float32},
        {'shape': (5, 2, 3), 'axis': 0, 'dtype': numpy.float64},
    ]
))
@testing.inject_backend_tests(None, _backends)
class TestBatchNormalization(testing.FunctionTestCase):

    eps = 1e-2

    def setUp(self):
        _util.set_tolerances(self, self.dtype)
        ndim = len(self.shape)
        self.red = bn_module._reduced_axes(ndim, self.axis, getattr(self, 'pndim', 1))
        self.pshape = tuple(s for i, s in enumerate(self.shape) if i not in self.red)

    def generate_inputs(self):
        x = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        gamma = numpy.random.uniform(0.5, 1.5, self.pshape).astype(self.dtype)
        beta = numpy.random.uniform(-1, 1, self.pshape).astype(self.dtype)
        return x, gamma, beta

    def forward(self, inputs, device):
        x, gamma, beta = inputs
        return F.batch_normalization(x, gamma, beta, eps=self.eps, axis=self.axis),

    def forward_expected(self, inputs):
        x, gamma, beta = inputs
        x64 = x.astype(numpy.float64)
        mean = x64.mean(axis=self.red)
        var = x64.var(axis=self.red)
        y = _reference(x, gamma, beta, mean, var, self.eps, self.red)
        return y.astype(self.dtype),


@testing.parameterize(*(
    testing.product({
        'shape': [(3, 4, 2)],
        'dtype': [numpy.float16, numpy.float32, numpy.float64],
    }) + [{'shape': (0, 3), 'dtype': numpy.float32}]
))
@testing.inject_backend_tests(None, _backends)
class TestFixedBatchNormalization(testing.FunctionTestCase):

    eps = 2e-5

    def setUp(self):
        _util.set_tolerances(self, self.dtype)

    def generate_inputs(self):
        c = self.shape[1]
        x = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        gamma = numpy.random.uniform(0.5, 1.5, c).astype(self.dtype)
        beta = numpy.random.uniform(-1, 1, c).astype(self.dtype)
        mean = numpy.random.uniform(-1, 1, c).astype(self.dtype)
        var = numpy.random.uniform(0.5, 1.5, c).astype(self.dtype)
        return x, gamma, beta, mean, var

    def forward(self, inputs, device):
        return F.fixed_batch_normalization(*inputs, eps=self.eps),

    def forward_expected(self, inputs):
        x, gamma, beta, mean, var = inputs
        red = bn_module._reduced_axes(x.ndim, None)
        return _reference(x, gamma, beta, mean, var, self.eps, red).astype(self.dtype),


def test_default_axes_follow_the_ndim_of_gamma():
    x = numpy.random.randn(6, 3, 4, 2).astype(numpy.float32)
    gamma = numpy.random.uniform(0.5, 1.5, (3, 4)).astype(numpy.float32)
    beta = numpy.random.uniform(-1, 1, (3, 4)).astype(numpy.float32)
    y = F.batch_normalization(x, gamma, beta).array
    numpy.testing.assert_allclose(y.mean(axis=(0, 3)), beta, atol=1e-5)
    numpy.testing.assert_allclose(y.std(axis=(0, 3)), gamma, rtol=1e-3)
    mean = numpy.random.randn(3, 4).astype(numpy.float32)
    var = numpy.random.uniform(0.5, 1.5, (3, 4)).astype(numpy.float32)
    y = F.fixed_batch_normalization(x, gamma, beta, mean, var, eps=1e-3).array
    expected = _reference(x, gamma, beta, mean, var, 1e-3, (0, 3))
    numpy.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)


def test_running_statistics_updated_in_place():
    x = numpy.random.randn(6, 3, 2).astype(numpy.float32)
    gamma = numpy.ones(3, numpy.float32)
    beta = numpy.zeros(3, numpy.float32)
    mean = numpy.full(3, 0.5, numpy.float32)
    var = numpy.full(3, 2.0, numpy.float32)
    mean_id, var_id = id(mean), id(var)
    F.batch_normalization(x, gamma, beta, running_mean=mean, running_var=var, decay=0.8)
    m = 12
    numpy.testing.assert_allclose(mean, 0.8 * 0.5 + 0.2 * x.mean(axis=(0, 2)), rtol=1e-5)
    unbiased = x.var(axis=(0, 2)) * m / (m - 1)
    numpy.testing.assert_allclose(var, 0.8 * 2.0 + 0.2 * unbiased, rtol=1e-5)
    assert id(mean) == mean_id and id(var) == var_id


@pytest.mark.parametrize('stats_are_variables', [False, True])
def test_fixed_gradients_use_the_statistics_of_the_forward_pass(stats_are_variables):
    # Statistics updated in place between forward and backward (a later training
    # call of L.BatchNormalization) leave the gradients of the earlier call alone.
    rng = numpy.random.RandomState(0)
    x = chainer.Variable(rng.randn(4, 3).astype(numpy.float64))
    gamma = chainer.Variable(rng.uniform(0.5, 1.5, 3))
    beta = chainer.Variable(rng.randn(3))
    mean, var = rng.randn(3), rng.uniform(0.5, 1.5, 3)
    mean0, var0 = mean.copy(), var.copy()
    m, v = (chainer.Variable(mean), chainer.Variable(var)) if stats_are_variables else (mean, var)
    gy = rng.randn(4, 3)
    y = F.fixed_batch_normalization(x, gamma, beta, m, v)
    mean += 1.0
    var *= 3.0
    gxs = chainer.grad([y], [x, gamma, beta] + ([m, v] if stats_are_variables else []),
                       grad_outputs=[gy], enable_double_backprop=True)
    inv_std = 1 / numpy.sqrt(var0 + 2e-5)
    numpy.testing.assert_allclose(gxs[0].array, gy * gamma.array * inv_std)
    numpy.testing.assert_allclose(gxs[1].array, (gy * (x.array - mean0) * inv_std).sum(0))
    numpy.testing.assert_allclose(gxs[2].array, gy.sum(0))
    if stats_are_variables:
        numpy.testing.assert_allclose(gxs[3].array, -(gy * gamma.array * inv_std).sum(0))
        # second order: still the forward-time statistics, and a gradient for mean
        gm, = chainer.grad([F.sum(gxs[0] * gxs[0])], [m])
        assert gm is None or not gm.array.any()
        gv, = chainer.grad([F.sum(gxs[0])], [v])
        numpy.testing.assert_allclose(
            gv.array, (gy * gamma.array).sum(0) * -0.5 * (var0 + 2e-5) ** -1.5)


def test_float16_statistics_in_float32():
    # Large offset + small spread: a float16 accumulator would lose the variance.
    rng = numpy.random.RandomState(0)
    x = (100 + rng.uniform(-1, 1, (4096, 2))).astype(numpy.float16)
    y = F.batch_normalization(x, numpy.ones(2, numpy.float16), numpy.zeros(2, numpy.float16))
    assert y.dtype == numpy.float16
    x64 = x.astype(numpy.float64)
    expected = (x64 - x64.mean(0)) / numpy.sqrt(x64.var(0) + 2e-5)
    numpy.testing.assert_allclose(y.array.astype(numpy.float64), expected, atol=2e-2)


@pytest.mark.parametrize('axis', [None, (0, 1)])
def test_float32_offset_input_against_float64(axis):
    """Forward and the three gradients of a float32 input far from zero (the
    statistics are taken on centred values), against float64; nothing that
    goes in is modified."""
    rng = numpy.random.default_rng(0)
    x = (1000 + rng.standard_normal((16, 3, 5, 7))).astype(numpy.float32)
    kept = (1,) if axis is None else (2, 3)
    pshape = tuple(x.shape[d] for d in kept)
    gamma = rng.uniform(0.5, 1.5, pshape).astype(numpy.float32)
    beta = rng.uniform(-1, 1, pshape).astype(numpy.float32)
    gy = rng.standard_normal(x.shape).astype(numpy.float32)
    inputs = [a.copy() for a in (x, gamma, beta, gy)]

    def run(dtype):
        vs = [chainer.Variable(a.astype(dtype)) for a in (x, gamma, beta)]
        y = F.batch_normalization(*vs, axis=axis)
        grads = chainer.grad([y], vs, [chainer.Variable(gy.astype(dtype))])
        return [y.array] + [g.array for g in grads]

    for got, expected in zip(run(numpy.float32), run(numpy.float64)):
        assert got.dtype == numpy.float32
        numpy.testing.assert_allclose(got, expected, rtol=2e-3, atol=2e-3)
    for before, after in zip(inputs, (x, gamma, beta, gy)):
        numpy.testing.assert_array_equal(before, after)


def test_third_order_gradient_finite():
    x = chainer.Variable(numpy.random.randn(4, 2))
    gamma = chainer.Variable(numpy.random.rand(2) + 0.5)
    beta = chainer.Variable(numpy.random.rand(2))
    y = F.sum(F.batch_normalization(x, gamma, beta) ** 3)
    gx, = chainer.grad([y], [x], enable_double_backprop=True)
    ggx, = chainer.grad([F.sum(gx * gx)], [x], enable_double_backprop=True)
    gggx, = chainer.grad([F.sum(ggx * ggx)], [x])
    assert numpy.isfinite(gggx.array).all()


def test_double_backward_mixed_dtypes():
    x = numpy.random.randn(5, 3).astype(numpy.float16)
    gamma = (numpy.random.rand(3) + 0.5).astype(numpy.float32)
    beta = numpy.random.rand(3).astype(numpy.float32)
    y = F.batch_normalization(x, gamma, beta)
    assert y.dtype == numpy.float16
    gradient_check.check_double_backward(
        lambda *a: F.batch_normalization(*a, eps=1e-2), (x, gamma, beta),
        numpy.random.randn(5, 3).astype(numpy.float16),
        (numpy.random.randn(5, 3).astype(numpy.float16),
         numpy.random.randn(3).astype(numpy.float32),
         numpy.random.randn(3).astype(numpy.float32)),
        dtype=numpy.float64, atol=5e-2, rtol=5e-2)


class TestBadInputs:

    @pytest.mark.parametrize('axis', [2, -3, (0, 2), 5])
    def test_axis_out_of_range(self, axis):
        # Refused (Chainer's InvalidType, and NumPy's AxisError), not wrapped around.
        x, g = numpy.zeros((3, 2), 'f'), numpy.ones(2, 'f')
        for call in (lambda: F.batch_normalization(x, g, g, axis=axis),
                     lambda: F.fixed_batch_normalization(x, g, g, g, g, axis=axis),
                     lambda: chainer.links.BatchNormalization(2, axis=axis)(x)):
            with pytest.raises(type_check.InvalidType):
                call()
            with pytest.raises(numpy.exceptions.AxisError):
                call()

    def test_channel_mismatch(self):
        with pytest.raises(type_check.InvalidType):
            F.batch_normalization(numpy.zeros((2, 3), 'f'), numpy.ones(4, 'f'),
                                  numpy.zeros(4, 'f'))

    def test_int_input(self):
        with pytest.raises(type_check.InvalidType):
            F.batch_normalization(numpy.zeros((2, 3), 'i'), numpy.ones(3, 'f'),
                                  numpy.zeros(3, 'f'))

    def test_beta_dtype_mismatch(self):
        with pytest.raises(type_check.InvalidType):
            F.batch_normalization(numpy.zeros((2, 3), 'f'), numpy.ones(3, 'f'),
                                  numpy.zeros(3, 'd'))

    def test_bad_axis(self):
        with pytest.raises(type_check.InvalidType):
            F.batch_normalization(numpy.zeros((2, 3), 'f'), numpy.ones(3, 'f'),
                                  numpy.zeros(3, 'f'), axis=(0, 0))

    def test_fixed_bad_var_shape(self):
        with pytest.raises(type_check.InvalidType):
            F.fixed_batch_normalization(
                numpy.zeros((2, 3), 'f'), numpy.ones(3, 'f'), numpy.zeros(3, 'f'),
                numpy.zeros(3, 'f'), numpy.ones(2, 'f'))

    def test_removed_train_argument(self):
        with pytest.raises(ValueError):
            F.batch_normalization(numpy.zeros((2, 3), 'f'), numpy.ones(3, 'f'),
                                  numpy.zeros(3, 'f'), train=True)


@pytest.mark.gpu
def test_gpu_matches_cpu():
    import cupy
    x = numpy.random.randn(8, 4, 3, 5).astype(numpy.float32)
    gamma = numpy.random.rand(4).astype(numpy.float32) + 0.5
    beta = numpy.random.randn(4).astype(numpy.float32)
    gy = numpy.random.randn(*x.shape).astype(numpy.float32)
    outs = []
    for xp in (numpy, cupy):
        xs = [chainer.Variable(xp.asarray(a)) for a in (x, gamma, beta)]
        rm = xp.zeros(4, numpy.float32)
        rv = xp.ones(4, numpy.float32)
        y = F.batch_normalization(*xs, running_mean=rm, running_var=rv)
        y.grad = xp.asarray(gy)
        y.backward()
        outs.append([chainer.backends.cuda.to_cpu(a) for a in
                     (y.array, xs[0].grad, xs[1].grad, xs[2].grad, rm, rv)])
    for a, b in zip(*outs):
        numpy.testing.assert_allclose(a, b, atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape,axis', [((5, 3), None), ((2, 3, 4, 5), None),
                                        ((2, 3, 4), (0, 2)), ((4, 3, 2), 0)])
@pytest.mark.parametrize('fixed', [False, True])
def test_cupy_branch_matches_numpy(monkeypatch, dtype, shape, axis, fixed):
    """The fused CuPy kernels (compiled for the host) against the NumPy code."""
    from tests.chainer_tests import _host_kernels
    rng = numpy.random.default_rng(0)
    x = rng.uniform(-1, 1, shape).astype(dtype)
    kept = [d for d in range(len(shape))
            if d not in ((0,) + tuple(range(2, len(shape))) if axis is None
                         else (axis if isinstance(axis, tuple) else (axis,)))]
    pshape = tuple(shape[d] for d in kept)
    gamma = rng.uniform(0.5, 1.5, pshape).astype(dtype)
    beta = rng.uniform(-1, 1, pshape).astype(dtype)
    mean = rng.uniform(-0.5, 0.5, pshape).astype(dtype)
    var = rng.uniform(0.5, 1.5, pshape).astype(dtype)
    gy = rng.uniform(-1, 1, shape).astype(dtype)
    results = []
    for on_gpu in (False, True):
        with monkeypatch.context() as m:
            if on_gpu:
                _host_kernels.cupy_branch(m, bn_module)
            vs = [chainer.Variable(a.copy()) for a in (x, gamma, beta)]
            if fixed:
                vs += [chainer.Variable(mean.copy()), chainer.Variable(var.copy())]
                y = F.fixed_batch_normalization(*vs, axis=axis)
            else:
                running = [mean.copy(), var.copy()]
                y = F.batch_normalization(*vs, running_mean=running[0],
                                          running_var=running[1], axis=axis)
            grads = chainer.grad([y], vs, [gy.copy()])
            results.append([y.array] + [g.array for g in grads]
                           + ([] if fixed else running))
            if on_gpu:
                assert {'rechainer_bn_scale', 'rechainer_bn_fwd'} <= set(_host_kernels.launched)
                if not fixed:
                    assert {'rechainer_bn_var', 'rechainer_bn_running', 'rechainer_bn_ggamma',
                            'rechainer_bn_bwd'} <= set(_host_kernels.launched)
    tol = {'rtol': 2e-2, 'atol': 2e-2} if dtype == numpy.float16 else {'rtol': 1e-5,
                                                                        'atol': 1e-5}
    for got, expected in zip(results[1], results[0]):
        assert got.dtype == expected.dtype and got.shape == expected.shape
        numpy.testing.assert_allclose(got, expected, **tol)


@pytest.mark.parametrize('shape,axis,cause', [
    ((1, 3), None, 'a batch of one sample'),
    ((1, 3, 1), (0, 2), 'a batch of one sample'),
    ((2, 3, 1), (2,), 'axes of the statistics all have length one'),
])
def test_one_value_per_channel_warns(shape, axis, cause):
    # As Chainer: the output is all zeros, which usually means a configuration error.
    x = numpy.ones(shape, numpy.float32)
    gamma, beta = numpy.ones(3, numpy.float32), numpy.zeros(3, numpy.float32)
    if axis == (2,):
        gamma, beta = numpy.ones((2, 3), numpy.float32), numpy.zeros((2, 3), numpy.float32)
    with pytest.warns(UserWarning, match=cause):
        y = F.batch_normalization(x, gamma, beta, axis=axis)
    assert not y.array.any()


def test_batches_of_several_samples_do_not_warn():
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        F.batch_normalization(numpy.ones((2, 3), numpy.float32), numpy.ones(3, numpy.float32),
                              numpy.zeros(3, numpy.float32))
        F.fixed_batch_normalization(numpy.ones((1, 3), numpy.float32),
                                    *[numpy.ones(3, numpy.float32)] * 4)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_second_derivatives_that_vanish_are_zeros(dtype):
    # As Chainer: d(ggamma)/dgamma, d(gbeta)/dx and d(gbeta)/dgamma are Variables of
    # zeros that require grad, not None.
    rng = numpy.random.RandomState(0)
    x, gamma, beta = (chainer.Variable(rng.uniform(-1, 1, s).astype(dtype))
                      for s in ((4, 3), (3,), (3,)))
    gy = chainer.Variable(rng.uniform(-1, 1, (4, 3)).astype(dtype))
    y = F.batch_normalization(x, gamma, beta)
    ggamma, gbeta = chainer.grad([y], [gamma, beta], [gy], enable_double_backprop=True)
    for g, wrt in ((ggamma, gamma), (gbeta, x), (gbeta, gamma)):
        h, = chainer.grad([F.sum(g * g)], [wrt], enable_double_backprop=True)
        assert h is not None and h.requires_grad and h.dtype == dtype
        numpy.testing.assert_array_equal(h.array, numpy.zeros(wrt.shape))
    # the terms that do not vanish are unchanged
    h, = chainer.grad([F.sum(ggamma * ggamma)], [x])
    assert numpy.abs(h.array).max() > 0


def test_fixed_batch_normalization_grad_node_has_second_and_third_derivatives():
    # The gradient node of fixed_batch_normalization, (x, gamma, mean, var, gy) ->
    # (gx, ggamma, gbeta, gmean, gvar), differentiated numerically once and twice.
    rng = numpy.random.RandomState(1)
    x = rng.uniform(-1, 1, (4, 3))
    gamma, mean = rng.uniform(-1, 1, 3), rng.uniform(-1, 1, 3)
    var = rng.uniform(0.5, 1.5, 3)
    gy = rng.uniform(-1, 1, (4, 3))
    node = bn_module.FixedBatchNormalizationGrad
    shapes = [(4, 3), (3,), (3,), (3,), (3,)]
    ggs = [rng.uniform(-1, 1, s) for s in shapes]
    gggs = [rng.uniform(-1, 1, s) for s in ((4, 3), (3,), (3,), (3,), (4, 3))]

    def f(*inputs):
        return node(2e-5, (0,), (0, 1, 2, 3, 4)).apply(inputs)

    gradient_check.check_backward(f, (x, gamma, mean, var, gy), ggs, dtype=numpy.float64)
    gradient_check.check_double_backward(f, (x, gamma, mean, var, gy), ggs, gggs,
                                         dtype=numpy.float64)


def test_fixed_batch_normalization_second_derivatives_that_vanish_are_zeros():
    # As Chainer: d(gx)/dx, d(gx)/dmean, d(ggamma)/dgamma, d(gbeta)/d(x, gamma, mean,
    # var) are Variables of zeros that require grad, not None.
    rng = numpy.random.RandomState(2)
    x, gamma, beta, mean = (chainer.Variable(rng.uniform(-1, 1, s))
                            for s in ((4, 3), (3,), (3,), (3,)))
    var = chainer.Variable(rng.uniform(0.5, 1.5, 3))
    gy = chainer.Variable(rng.uniform(-1, 1, (4, 3)))
    y = F.fixed_batch_normalization(x, gamma, beta, mean, var)
    gx, ggamma, gbeta = chainer.grad([y], [x, gamma, beta], [gy], enable_double_backprop=True)
    for g, wrt in ((gx, x), (gx, mean), (ggamma, gamma), (gbeta, x), (gbeta, gamma),
                   (gbeta, mean), (gbeta, var)):
        h, = chainer.grad([F.sum(g * g)], [wrt], enable_double_backprop=True)
        assert h is not None and h.requires_grad
        numpy.testing.assert_array_equal(h.array, numpy.zeros(wrt.shape))
    assert chainer.grad([F.sum(gx)], [beta])[0] is None


@pytest.mark.parametrize('args, expect', [
    # gamma and beta are compared with each other first, as in Chainer.
    (((4, 3), (4,), (3,)), 'Expect: in_types[1].shape == in_types[2].shape\nActual: (4,) != (3,)'),
    (((4, 3), (3,), (0,)), 'Expect: in_types[1].shape == in_types[2].shape\nActual: (3,) != (0,)'),
    (((4, 3), (4,), (4,)), 'Expect: in_types[0].shape[1] == in_types[1].shape[0]\nActual: 3 != 4'),
])
def test_check_messages_follow_chainers_order(args, expect):
    x, gamma, beta = (numpy.zeros(s, numpy.float32) for s in args)
    with pytest.raises(type_check.InvalidType) as e:
        F.batch_normalization(x, gamma, beta)
    assert str(e.value).endswith(expect)


def test_fixed_check_messages_follow_chainers_order():
    x = numpy.zeros((4, 3), numpy.float32)
    p = numpy.zeros(3, numpy.float32)
    with pytest.raises(type_check.InvalidType) as e:
        F.fixed_batch_normalization(x, p, p, p.astype(numpy.float64), p)
    assert str(e.value).endswith(
        'Expect: in_types[3].dtype == in_types[1].dtype\nActual: float64 != float32')
    with pytest.raises(type_check.InvalidType) as e:
        F.fixed_batch_normalization(x, p, p, p, numpy.zeros((3, 2), numpy.float32))
    assert str(e.value).endswith(
        'Expect: in_types[4].shape == in_types[1].shape\nActual: (3, 2) != (3,)')


@pytest.mark.parametrize('dtypes', [(numpy.float32, numpy.float32), (numpy.float64, numpy.float64),
                                    (numpy.float64, numpy.float32)])
def test_small_batch_bitwise_as_chainer(dtypes):
    # Chainer's host sequence: xhat = (x - mean) * (1 / sqrt(var + eps)),
    # y = xhat * gamma + beta; gx = gamma * inv_std * (gy - (xhat * ggamma + gbeta) / m)
    # with the sums and 1 / m in gamma's dtype; running averages updated in place
    xdt, pdt = dtypes
    rng = numpy.random.RandomState(0)
    x = rng.uniform(-1, 1, (5, 3, 2)).astype(xdt)
    gy = rng.uniform(-1, 1, (5, 3, 2)).astype(xdt)
    gamma, beta = (rng.uniform(0.5, 1.5, 3).astype(pdt) for _ in range(2))
    rm, rv = rng.uniform(-1, 1, 3).astype(pdt), rng.uniform(0.5, 1, 3).astype(pdt)
    erm, erv = rm.copy(), rv.copy()
    xv, gv, bv = chainer.Variable(x), chainer.Variable(gamma), chainer.Variable(beta)
    y = F.batch_normalization(xv, gv, bv, running_mean=rm, running_var=rv, decay=0.7)
    gx, ggamma, gbeta = chainer.grad([y], [xv, gv, bv], [chainer.Variable(gy)])
    ax, e = (0, 2), (None, slice(None), None)
    cdt = numpy.promote_types(xdt, pdt)
    mean, var = x.mean(axis=ax, dtype=cdt), x.var(axis=ax, dtype=cdt)
    inv_std = numpy.reciprocal(numpy.sqrt(var + 2e-5, dtype=cdt))
    xhat = (x - mean[e]) * inv_std[e]
    assert y.array.tobytes() == ((xhat * gamma[e] + beta[e]).astype(xdt)).tobytes()
    eb = gy.sum(axis=ax, dtype=pdt)
    eg = (gy * xhat).sum(axis=ax, dtype=pdt)
    egx = (gamma * inv_std)[e] * (gy - (xhat * eg[e] + eb[e]) * pdt(1. / 10))
    assert gx.array.tobytes() == egx.astype(xdt).tobytes()
    assert ggamma.array.tobytes() == eg.tobytes() and gbeta.array.tobytes() == eb.tobytes()
    erm *= 0.7
    erm += (1 - 0.7) * mean
    erv *= 0.7
    erv += (1 - 0.7) * (10 / 9.) * var
    assert rm.tobytes() == erm.tobytes() and rv.tobytes() == erv.tobytes()


@pytest.mark.parametrize('xdt', [numpy.float32, numpy.float64])
def test_fixed_small_bitwise_as_chainer(xdt):
    # Chainer's sequence for given statistics: inv_var = 1 / (var + eps) and
    # inv_std = sqrt(inv_var) in the statistics' dtype, y = (x - mean) * inv_std * gamma
    # + beta; gx = gamma * inv_std * gy, ggamma = sum((x - mean) * inv_std * gy),
    # gmean = -gamma * inv_std * sum(gy), gvar = -0.5 * inv_var * gamma * ggamma
    rng = numpy.random.RandomState(1)
    x = rng.uniform(-1, 1, (5, 3)).astype(xdt)
    gy = rng.uniform(-1, 1, (5, 3)).astype(xdt)
    f = numpy.float32
    gamma, beta, mean = (rng.uniform(-1, 1, 3).astype(f) for _ in range(3))
    var = rng.uniform(0.5, 1.5, 3).astype(f)
    vs = [chainer.Variable(a) for a in (x, gamma, beta, mean, var)]
    y = F.fixed_batch_normalization(*vs)
    gx, gg, gb, gm, gv = chainer.grad([y], vs, [chainer.Variable(gy)])
    inv_var = numpy.reciprocal(var + 2e-5)
    inv_std = numpy.sqrt(inv_var)
    xhat = (x - mean) * inv_std
    assert y.array.tobytes() == (xhat * gamma + beta).astype(xdt).tobytes()
    gos = gamma * inv_std
    assert gx.array.tobytes() == (gos * gy).astype(xdt).tobytes()
    eb, eg = gy.sum(axis=0, dtype=f), (xhat * gy).sum(axis=0)
    assert gb.array.tobytes() == eb.tobytes()
    assert gg.array.tobytes() == eg.astype(f).tobytes()
    assert gm.array.tobytes() == (-gos * eb).tobytes()
    assert gv.array.tobytes() == (-0.5 * inv_var * (gamma * eg).astype(f)).tobytes()


def _large_case(dtype, shape, seed=0):
    rng = numpy.random.default_rng(seed)
    c = shape[1]
    x = (50 + 3 * rng.standard_normal(shape)).astype(dtype)  # offset: centring matters
    gy = rng.uniform(-1, 1, shape).astype(dtype)
    gamma = rng.uniform(0.5, 1.5, c).astype(dtype)
    beta = rng.uniform(-1, 1, c).astype(dtype)
    mean = (50 + rng.uniform(-1, 1, c)).astype(dtype)
    var = rng.uniform(5, 12, c).astype(dtype)
    return x, gy, gamma, beta, mean, var


# The large-input forms: above _EXACT_FORM_MAX, per-channel operands spread over a
# sample (short runs, from 16384 elements), processed in sample blocks (several:
# _BLOCK_BYTES is small).
_LARGE_SHAPES = [(8, 3, 16, 16), (40, 5, 9, 10), (9, 3, 1100), (1100, 5)]


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape', _LARGE_SHAPES)
@pytest.mark.parametrize('fixed', [False, True])
def test_large_inputs_against_float64(monkeypatch, dtype, shape, fixed):
    from chainer.utils import array as array_utils
    monkeypatch.setattr(array_utils, '_BLOCK_BYTES', 1024)
    x, gy, gamma, beta, mean, var = _large_case(dtype, shape)
    assert x.size > bn_module._EXACT_FORM_MAX
    inputs = [a.copy() for a in (x, gy, gamma, beta, mean, var)]

    def run(dt):
        vs = [chainer.Variable(a.astype(dt)) for a in (x, gamma, beta)]
        if fixed:
            vs += [chainer.Variable(a.astype(dt)) for a in (mean, var)]
            y = F.fixed_batch_normalization(*vs)
            stats = []
        else:
            stats = [numpy.zeros(shape[1], dt), numpy.ones(shape[1], dt)]
            y = F.batch_normalization(*vs, running_mean=stats[0], running_var=stats[1])
        grads = chainer.grad([y], vs, [chainer.Variable(gy.astype(dt))])
        return [y.array] + [g.array for g in grads] + stats

    tol = {'rtol': 2e-2, 'atol': 2e-2} if dtype == numpy.float16 else \
        {'rtol': 1e-4, 'atol': 1e-4}
    for got, expected in zip(run(dtype), run(numpy.float64)):
        assert got.dtype == dtype and got.shape == expected.shape
        scale = max(1.0, float(numpy.abs(expected).max()))
        numpy.testing.assert_allclose(got.astype(numpy.float64) / scale, expected / scale, **tol)
    for before, after in zip(inputs, (x, gy, gamma, beta, mean, var)):
        numpy.testing.assert_array_equal(before, after)


@pytest.mark.parametrize('shape', _LARGE_SHAPES[:2])
@pytest.mark.parametrize('fixed', [False, True])
def test_large_inputs_the_same_in_any_blocks(monkeypatch, shape, fixed):
    """Sample blocks only reorder the work: the results are the same bits."""
    from chainer.utils import array as array_utils
    x, gy, gamma, beta, mean, var = _large_case(numpy.float32, shape)
    results = []
    for block_bytes in (1024, 4096, 1 << 40):
        monkeypatch.setattr(array_utils, '_BLOCK_BYTES', block_bytes)
        vs = [chainer.Variable(a) for a in (x, gamma, beta)]
        if fixed:
            y = F.fixed_batch_normalization(*vs, mean, var)
        else:
            y = F.batch_normalization(*vs)
        grads = chainer.grad([y], vs, [chainer.Variable(gy)])
        results.append([y.array] + [g.array for g in grads])
    for other in results[1:]:
        for a, b in zip(results[0], other):
            assert a.tobytes() == b.tobytes()


@pytest.mark.parametrize('fixed', [False, True])
def test_large_input_gradients(monkeypatch, fixed):
    from chainer.utils import array as array_utils
    monkeypatch.setattr(array_utils, '_BLOCK_BYTES', 1024)
    x, gy, gamma, beta, mean, var = _large_case(numpy.float64, (16, 3, 16, 24))
    rng = numpy.random.default_rng(1)
    ggs = [rng.uniform(-1, 1, a.shape) for a in (x, gamma, beta)]
    if fixed:
        def f(x, gamma, beta, mean, var):
            return F.fixed_batch_normalization(x, gamma, beta, mean, var)
        args = (x, gamma, beta, mean, var)
        ggs += [rng.uniform(-1, 1, a.shape) for a in (mean, var)]
    else:
        def f(x, gamma, beta):
            return F.batch_normalization(x, gamma, beta)
        args = (x, gamma, beta)
    gradient_check.check_backward(f, args, gy, dtype=numpy.float64, atol=1e-4, rtol=1e-4)
    gradient_check.check_double_backward(f, args, gy, ggs, dtype=numpy.float64,
                                         atol=1e-4, rtol=1e-4)


@pytest.mark.parametrize('fixed', [False, True])
def test_large_inputs_with_statistics_per_sample(monkeypatch, fixed):
    """An ``axis`` leaving out the batch axis gives per-sample operands: each block of
    samples takes its own part of them (they raised ValueError once in blocks)."""
    from chainer.utils import array as array_utils
    rng = numpy.random.default_rng(3)
    x = rng.uniform(-3, 3, (8, 2, 5, 60))
    gy = rng.uniform(-1, 1, x.shape)
    gamma, beta, mean = (rng.uniform(-1, 1, 8) for _ in range(3))
    var = rng.uniform(0.5, 2, 8)
    assert x.size > bn_module._EXACT_FORM_MAX
    results = []
    for block_bytes in (1024, 1 << 40):
        monkeypatch.setattr(array_utils, '_BLOCK_BYTES', block_bytes)
        assert len(array_utils.sample_blocks(x)) == (8 if block_bytes == 1024 else 1)
        vs = [chainer.Variable(a) for a in (x, gamma, beta)]
        if fixed:
            y = F.fixed_batch_normalization(*vs, mean, var, axis=(1, 2, 3))
        else:
            y = F.batch_normalization(*vs, axis=(1, 2, 3))
        grads = chainer.grad([y], vs, [chainer.Variable(gy)])
        results.append([y.array] + [g.array for g in grads])
    for a, b in zip(*results):
        assert a.tobytes() == b.tobytes()
    expected = _reference(x, gamma, beta, mean, var, 2e-5, (1, 2, 3)) if fixed else \
        (x - x.mean(axis=(1, 2, 3), keepdims=True)) / numpy.sqrt(
            x.var(axis=(1, 2, 3), keepdims=True) + 2e-5) * gamma[:, None, None, None] \
        + beta[:, None, None, None]
    numpy.testing.assert_allclose(results[0][0], expected, rtol=1e-12, atol=1e-12)


def _second_order(xa, ga, ba, rs_seed, fixed):
    rng = numpy.random.RandomState(rs_seed)
    x, g, b = (chainer.Variable(a.copy()) for a in (xa, ga, ba))
    if fixed:
        m, v = rng.randn(ga.size), rng.uniform(0.5, 1.5, ga.size)
        y = F.fixed_batch_normalization(x, g, b, m, v)
    else:
        y = F.batch_normalization(x, g, b)
    gs = chainer.grad([F.sum(y * rng.randn(*y.shape))], [x, g, b],
                      enable_double_backprop=True)
    loss = sum(F.sum(gv * rng.randn(*gv.shape)) for gv in gs if gv is not None)
    return (x, g, b), chainer.grad([loss], [x, g, b], enable_double_backprop=True)


@pytest.mark.parametrize('fixed', [False, True])
def test_third_order_against_differences(fixed):
    # The second derivative is itself differentiable in x (the batch statistics and
    # their derivatives included), so the third order matches finite differences.
    rng = numpy.random.RandomState(5)
    xa, ga, ba = rng.randn(4, 3), rng.uniform(0.5, 1.5, 3), rng.randn(3)
    r = [rng.randn(*a.shape) for a in (xa, ga, ba)]
    vs, g2 = _second_order(xa, ga, ba, 7, fixed)
    g3 = chainer.grad([sum(F.sum(a * w) for a, w in zip(g2, r) if a is not None)], list(vs))

    def f():
        g = _second_order(xa, ga, ba, 7, fixed)[1]
        return (sum((a.array * w).sum() for a, w in zip(g, r) if a is not None),)

    for arr, got in zip((xa, ga), g3):
        num, = gradient_check.numerical_grad(f, (arr,), (1.0,), eps=1e-5)
        got = numpy.zeros_like(arr) if got is None else got.array
        numpy.testing.assert_allclose(got, num, rtol=1e-6, atol=1e-8)


def test_second_order_graph_forms_each_statistic_once():
    # mean(gy), mean(gy * xhat), ggx * xhat and the projections of the gradient's
    # derivative are formed once each, however many terms read them: no two nodes
    # of one kind read the same inputs.
    rng = numpy.random.RandomState(0)
    x = chainer.Variable(rng.randn(4, 3))
    y = F.batch_normalization(x, chainer.Variable(rng.uniform(0.5, 1.5, 3)),
                              chainer.Variable(rng.randn(3)))
    gx, = chainer.grad([F.sum(y * y)], [x], enable_double_backprop=True)
    gxx, = chainer.grad([F.sum(gx * gx)], [x], enable_double_backprop=True)
    means, reads = 0, set()
    for node in graph_nodes(gxx):
        means += type(node).__name__ == 'Mean'
        if type(node).__name__ in ('Mul', 'Mean', 'Sum', 'Sub'):
            read = (type(node).__name__, tuple(id(vn) for vn in node.inputs))
            assert read not in reads
            reads.add(read)
    assert means == 6


def test_fixed_second_order_graph_forms_each_term_once():
    # The channel sums of gy, -d and -0.5 e of the gradient's derivative are formed
    # once however many terms read them: no two such nodes read the same inputs.
    rng = numpy.random.RandomState(1)
    vs = [chainer.Variable(a) for a in (rng.randn(4, 3), rng.uniform(0.5, 1.5, 3),
                                        rng.randn(3), rng.randn(3), rng.uniform(0.5, 1.5, 3))]
    y = F.fixed_batch_normalization(*vs)
    gs = chainer.grad([F.sum(y * y)], vs, enable_double_backprop=True)
    loss = sum(F.sum(g * rng.randn(*g.shape)) for g in gs if g is not None)
    second = chainer.grad([loss], vs, enable_double_backprop=True)
    reads = set()
    for node in graph_nodes(*second):
        if type(node).__name__ in ('Sum', 'Neg', 'MulConstant'):
            read = (type(node).__name__, getattr(node, 'value', None),
                    tuple(id(vn) for vn in node.inputs))
            assert read not in reads
            reads.add(read)


@pytest.mark.parametrize('fixed', [False, True])
def test_float16_gradient_holds_two_float32_arrays_at_most(fixed):
    # The channel sums need gy's and the centred x's float32 copies whole; the
    # float16 gx is made once gy's copy is gone (or from it), not beside both.
    rs = numpy.random.RandomState(0)
    x = rs.randn(64, 32, 16, 16).astype(numpy.float16)  # 1 MiB
    gamma = (rs.rand(32) + 0.5).astype(numpy.float16)
    beta = rs.randn(32).astype(numpy.float16)
    v = chainer.Variable(x)
    if fixed:
        y = F.fixed_batch_normalization(v, gamma, beta, beta * 0, gamma)
    else:
        y = F.batch_normalization(v, gamma, beta)
    y.grad = rs.randn(*x.shape).astype(numpy.float16)
    peak = peak_bytes(y.backward)
    assert peak < 4.5 * x.nbytes, peak
