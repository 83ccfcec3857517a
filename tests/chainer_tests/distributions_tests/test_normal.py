"""The gradient nodes of the Normal log-density and of kl(Normal, Normal)."""
from __future__ import annotations

import numpy
import pytest

import chainer
from chainer import distributions as D
from chainer import gradient_check
from chainer.distributions import normal
from tests.chainer_tests._memory import peak_bytes

BACKENDS = ['numpy', pytest.param('cupy', marks=pytest.mark.gpu)]
DTYPES = [numpy.float16, numpy.float32, numpy.float64]


def _scale(rng, shape, is_log: bool):
    return rng.normal(size=shape) * 0.3 if is_log else rng.uniform(0.5, 2, shape)


def _kl_inputs(rng, shapes, logs):
    (l1, l2), (s1, s2) = logs, shapes
    return (rng.normal(size=s1), _scale(rng, s1, l1), rng.normal(size=s2), _scale(rng, s2, l2))


def _log_prob_inputs(rng, shapes, log):
    x_shape, p_shape = shapes
    return (rng.normal(size=x_shape), rng.normal(size=p_shape), _scale(rng, p_shape, log))


# (first, second) shapes: the KL's two distributions, or the log-density's x and parameters
SHAPES = [((2, 3), (2, 3)), ((2, 1, 3), (4, 3)), ((3,), ())]
CASES = ([('kl', logs, want) for logs in [(False, False), (True, False), (False, True),
                                          (True, True)]
          for want in [(0, 1, 2, 3), (1,), (2, 3), (3, 0)]]
         + [('log_prob', log, want) for log in (False, True)
            for want in [(0, 1, 2), (1, 2), (2,), (0,)]])


def _grad_node(kind, logs, want):
    if kind == 'kl':
        return normal._NormalKLGrad(logs, want)
    return normal._NormalLogProbGrad(logs, want)


@pytest.mark.parametrize('backend', BACKENDS)
@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('shapes', SHAPES)
@pytest.mark.parametrize('kind,logs,want', CASES)
def test_grad_node_forward_is_its_composed_formula(backend, dtype, shapes, kind, logs, want):
    # The in-place (or fused) gradients are the composed ones: bit for bit on NumPy
    # above float16 (float16 is computed in float32 there, as its forward is).
    rng = numpy.random.RandomState(3)
    make = _kl_inputs if kind == 'kl' else _log_prob_inputs
    arrays = make(rng, shapes, logs)
    out_shape = numpy.broadcast_shapes(*(a.shape for a in arrays))
    arrays = arrays + (rng.uniform(-1, 1, out_shape),)
    xp = numpy
    if backend == 'cupy':
        import cupy
        xp = cupy
    arrays = tuple(xp.asarray(a.astype(dtype)) for a in arrays)
    got = _grad_node(kind, logs, want).apply(arrays)
    with chainer.no_backprop_mode():
        expected = _grad_node(kind, logs, want)._compose(
            *(chainer.Variable(a) for a in arrays))
    assert len(got) == len(expected) == len(want)
    for i, g, e in zip(want, got, expected):
        assert g.shape == arrays[i].shape and g.dtype == dtype
        if xp is numpy and dtype != numpy.float16:
            numpy.testing.assert_array_equal(g.array, e.array)
        else:
            tol = 2e-2 if dtype == numpy.float16 else 1e-5
            numpy.testing.assert_allclose(chainer.backend.CpuDevice().send(g.array),
                                          chainer.backend.CpuDevice().send(e.array),
                                          rtol=tol, atol=tol)


def _with_constants(args, inputs, no_grads):
    """The inputs of a function of the differentiated ones ``args``, the others
    (``no_grads``) as arrays, so that no gradient is requested for them."""
    args = iter(args)
    return [a if no_grad else next(args) for a, no_grad in zip(inputs, no_grads)]


def _check_first_and_second(rng, f, inputs, no_grads):
    x = tuple(a for a, no_grad in zip(inputs, no_grads) if not no_grad)
    gy = rng.normal(size=(2, 4, 3))
    gradient_check.check_backward(f, x, gy, eps=1e-6)
    gradient_check.check_double_backward(f, x, gy, tuple(rng.normal(size=a.shape) for a in x),
                                         eps=1e-6, atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize('logs', [(False, False), (True, False), (False, True), (True, True)])
@pytest.mark.parametrize('no_grads', [(False, True, True, False), (True, False, False, True),
                                      (True, True, True, False)])
def test_kl_derivatives_of_some_inputs(logs, no_grads):
    rng = numpy.random.RandomState(7)
    inputs = _kl_inputs(rng, ((2, 1, 3), (4, 3)), logs)

    def kl(*args):
        loc1, s1, loc2, s2 = _with_constants(args, inputs, no_grads)
        d1 = D.Normal(loc1, log_scale=s1) if logs[0] else D.Normal(loc1, s1)
        d2 = D.Normal(loc2, log_scale=s2) if logs[1] else D.Normal(loc2, s2)
        return chainer.kl_divergence(d1, d2)
    _check_first_and_second(rng, kl, inputs, no_grads)


@pytest.mark.parametrize('log', [False, True])
@pytest.mark.parametrize('no_grads', [(True, False, False), (False, True, True),
                                      (False, True, False), (True, True, False)])
def test_log_prob_derivatives_of_some_inputs(log, no_grads):
    rng = numpy.random.RandomState(8)
    inputs = _log_prob_inputs(rng, ((2, 1, 3), (4, 3)), log)

    def log_prob(*args):
        x, loc, s = _with_constants(args, inputs, no_grads)
        return (D.Normal(loc, log_scale=s) if log else D.Normal(loc, s)).log_prob(x)
    _check_first_and_second(rng, log_prob, inputs, no_grads)


def _peak_arrays(f, n: int) -> float:
    """The most float64 arrays of ``n`` elements that ``f()`` holds at once."""
    return peak_bytes(f) / (8 * n)


@pytest.mark.parametrize('kind', ['kl', 'log_prob'])
@pytest.mark.parametrize('log', [False, True])
def test_forward_and_backward_allocate_little_beyond_their_results(kind, log):
    # The value and the gradients are built in the arrays returned (plus a scratch
    # array or two, and exp of a log-scale), not through chains of full-size
    # temporaries.
    n = 20000
    rng = numpy.random.RandomState(0)
    arrays = [rng.normal(size=n), _scale(rng, n, log), rng.normal(size=n), _scale(rng, n, log)]
    v = [chainer.Variable(a) for a in arrays]
    key = 'log_scale' if log else 'scale'
    d1, d2 = D.Normal(v[0], **{key: v[1]}), D.Normal(v[2], **{key: v[3]})
    out = []
    if kind == 'kl':
        forward_peak = _peak_arrays(lambda: out.append(chainer.kl_divergence(d1, d2)), n)
        n_forward, n_grads, n_exp = 3, 4, 2
    else:
        forward_peak = _peak_arrays(lambda: out.append(d1.log_prob(v[2])), n)
        n_forward, n_grads, n_exp = 2, 3, 1
    assert forward_peak < n_forward + 0.5
    y, = out
    y.grad = numpy.ones(n)
    assert _peak_arrays(y.backward, n) < n_grads + (n_exp if log else 0) + 0.5


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_prob_bitwise_as_chainer(dtype):
    # Chainer's (PROBC / scale) * exp(-0.5 * (x - loc) ** 2 / scale ** 2)
    rng = numpy.random.RandomState(0)
    loc, x = (rng.standard_normal((3, 4)).astype(dtype) for _ in range(2))
    scale = rng.uniform(0.5, 2, (3, 4)).astype(dtype)
    expected = (dtype(normal.PROBC) / scale) * numpy.exp(
        dtype(-0.5) * (x - loc) ** 2 / scale ** 2)
    numpy.testing.assert_array_equal(D.Normal(loc, scale).prob(x).array, expected)
