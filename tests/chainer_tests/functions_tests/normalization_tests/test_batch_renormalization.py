import warnings

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import gradient_check
from chainer.utils import type_check


def _reference(x, gamma, beta, rmax, dmax, eps, running_mean, running_var):
    axis = (0,) + tuple(range(2, x.ndim))
    shape = (1, -1) + (1,) * (x.ndim - 2)
    x = x.astype(numpy.float64)
    mean = x.mean(axis=axis)
    sigma = numpy.sqrt(x.var(axis=axis) + eps)
    running_sigma = numpy.sqrt(running_var + eps)
    r = numpy.clip(sigma / running_sigma, 1 / rmax, rmax)
    d = numpy.clip((mean - running_mean) / running_sigma, -dmax, dmax)
    xhat = (x - mean.reshape(shape)) / sigma.reshape(shape)
    return gamma.reshape(shape) * (xhat * r.reshape(shape) + d.reshape(shape)) \
        + beta.reshape(shape)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape', [(5, 3), (4, 3, 2, 2)])
def test_forward_and_statistics(dtype, shape):
    x = numpy.random.uniform(-1, 1, shape).astype(dtype)
    gamma = numpy.random.uniform(0.5, 1.5, 3).astype(dtype)
    beta = numpy.random.uniform(-1, 1, 3).astype(dtype)
    mean = numpy.random.uniform(-0.5, 0.5, 3).astype(dtype)
    var = numpy.random.uniform(0.2, 2, 3).astype(dtype)
    expected = _reference(x, gamma, beta, 1.5, 0.3, 2e-5, mean.astype('d'), var.astype('d'))
    m0, v0 = mean.copy(), var.copy()
    y = F.batch_renormalization(x, gamma, beta, 1.5, 0.3, running_mean=mean,
                                running_var=var, update_statistics=True)
    assert y.dtype == dtype
    tol = 2e-2 if dtype == numpy.float16 else 1e-5
    numpy.testing.assert_allclose(y.array, expected, atol=tol, rtol=tol)
    axis = (0,) + tuple(range(2, x.ndim))
    m = x.size // 3
    numpy.testing.assert_allclose(
        mean, 0.9 * m0 + 0.1 * x.astype('d').mean(axis=axis), atol=tol, rtol=tol)
    numpy.testing.assert_allclose(
        var, 0.9 * v0 + 0.1 * x.astype('d').var(axis=axis) * m / (m - 1), atol=tol, rtol=tol)


def test_statistics_untouched_without_update():
    mean, var = numpy.zeros(3, 'f'), numpy.ones(3, 'f')
    F.batch_renormalization(numpy.random.randn(4, 3).astype('f'), numpy.ones(3, 'f'),
                            numpy.zeros(3, 'f'), 2, 1, running_mean=mean, running_var=var)
    numpy.testing.assert_array_equal(mean, 0)
    numpy.testing.assert_array_equal(var, 1)


def test_gradients_treat_r_and_d_as_constants():
    # With rmax=1 and dmax=0, r == 1 and d == 0 for every input, so the
    # numerical derivative agrees with the analytical one.
    x = numpy.random.randn(5, 3, 2)
    gamma = numpy.random.rand(3) + 0.5
    beta = numpy.random.randn(3)
    mean, var = numpy.zeros(3), numpy.ones(3)

    def f(x, gamma, beta):
        return F.batch_renormalization(x, gamma, beta, 1, 0, eps=1e-2,
                                       running_mean=mean, running_var=var)

    gy = numpy.random.randn(5, 3, 2)
    gradient_check.check_backward(f, (x, gamma, beta), gy, atol=1e-4, rtol=1e-4)
    gradient_check.check_double_backward(
        f, (x, gamma, beta), gy, (numpy.random.randn(5, 3, 2), gamma, beta),
        atol=1e-4, rtol=1e-4)


def test_fixed_matches_fixed_batch_normalization():
    args = [numpy.random.rand(*s).astype('f') + 0.5 for s in [(4, 3), (3,), (3,), (3,), (3,)]]
    with pytest.warns(DeprecationWarning, match='fixed_batch_renormalization is deprecated'):
        y = F.fixed_batch_renormalization(*args)
    numpy.testing.assert_array_equal(y.array, F.fixed_batch_normalization(*args).array)


def test_single_sample_batch_does_not_warn():
    # Only batch normalization proper warns about a batch of one (as Chainer).
    x = numpy.ones((1, 3), 'f')
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        F.batch_renormalization(x, numpy.ones(3, 'f'), numpy.zeros(3, 'f'), 3.0, 5.0,
                                running_mean=numpy.zeros(3, 'f'),
                                running_var=numpy.ones(3, 'f'))


def test_bad_inputs():
    x = numpy.zeros((4, 3), 'f')
    one, zero = numpy.ones(3, 'f'), numpy.zeros(3, 'f')
    with pytest.raises(type_check.InvalidType):
        F.batch_renormalization(x, numpy.ones(4, 'f'), numpy.zeros(4, 'f'), 1, 0,
                                running_mean=zero, running_var=one)
    with pytest.raises(type_check.InvalidType):
        F.batch_renormalization(x.astype('i'), one, zero, 1, 0,
                                running_mean=zero, running_var=one)
    with pytest.raises(TypeError, match='running_mean is required'):
        F.batch_renormalization(x, one, zero, 1, 0)
    with pytest.raises(TypeError, match='running_mean is required'):
        F.batch_renormalization(x, one, zero, 1, 0, running_var=one)
    with pytest.raises(TypeError, match='running_var is required'):
        F.batch_renormalization(x, one, zero, 1, 0, running_mean=zero)


def test_check_runs_once_per_input_types(monkeypatch):
    # The function's inputs are checked by its node's check_type_forward through the
    # nodes' cache: a check that passed for some input types does not run again for
    # them (the full-mode check costs more than normalizing a small batch); a failing
    # one runs every time (test_bad_inputs, test_check_messages_are_chainers).
    calls = []
    expect = type_check.expect

    def counted(*conditions):
        calls.append(len(conditions))
        return expect(*conditions)
    monkeypatch.setattr(type_check, 'expect', counted)
    x = numpy.random.rand(4, 13, 2).astype('f')  # a shape no other test uses
    one, zero = numpy.ones(13, 'f'), numpy.zeros(13, 'f')

    def run(x, gamma, beta):
        F.batch_renormalization(x, gamma, beta, 2.0, 1.0, running_mean=zero.copy(),
                                running_var=one.copy())
    run(chainer.Variable(x), chainer.Variable(one), zero)
    assert calls
    del calls[:]
    run(x + 1, one * 2, zero)
    assert not calls
    for _ in range(2):
        with pytest.raises(type_check.InvalidType):
            run(x, one, zero.astype('d'))
        assert calls
        del calls[:]


def test_node_statistics_are_deprecated_and_read_only():
    # As in Chainer: reading the node's running_mean/running_var warns each time.
    from chainer.functions.normalization.batch_renormalization import (
        BatchRenormalizationFunction)
    mean, var = numpy.zeros(3, 'f'), numpy.ones(3, 'f')
    node = BatchRenormalizationFunction(mean=mean, var=var)
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        assert node.running_mean is mean and node.running_var is var
        assert node.running_mean is mean
    assert [x.category for x in w] == [DeprecationWarning] * 3
    with pytest.raises(AttributeError):
        node.running_mean = mean
    x = numpy.random.rand(4, 3).astype('f')
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        node.apply((x, numpy.ones(3, 'f'), numpy.zeros(3, 'f')))
    assert not numpy.array_equal(mean, numpy.zeros(3, 'f'))


def test_check_messages_are_chainers():
    def z(*s):
        return numpy.zeros(s, numpy.float32)
    with pytest.raises(type_check.InvalidType) as e:
        F.batch_renormalization(z(4, 4), z(3), z(3), 1.0, 0.0,
                                running_mean=z(3), running_var=z(3) + 1)
    assert str(e.value) == (
        '\nInvalid operation is performed in: BatchRenormalizationFunction (Forward)\n\n'
        'Expect: in_types[0].shape[1:2] == in_types[1].shape\nActual: (4,) != (3,)')


def test_outside_training_mode():
    # README: computed with config.train False as with True (Chainer asserted training mode).
    x = numpy.random.RandomState(0).rand(4, 3).astype(numpy.float32)
    args = (numpy.ones(3, 'f'), numpy.zeros(3, 'f'), 2.0, 1.0)
    ys, gxs = [], []
    for train in (True, False):
        v = chainer.Variable(x)
        with chainer.using_config('train', train):
            y = F.batch_renormalization(v, *args, running_mean=numpy.zeros(3, 'f'),
                                        running_var=numpy.ones(3, 'f'))
            gx, = chainer.grad([F.sum(y * y)], [v])
        ys.append(y.array)
        gxs.append(gx.array)
    numpy.testing.assert_array_equal(ys[0], ys[1])
    numpy.testing.assert_array_equal(gxs[0], gxs[1])


def test_zero_dim_gamma_and_beta_arrays():
    # gamma and beta of shape () (statistics over every axis) as Chainer takes them:
    # NumPy arrays as well as variables (their products with the corrections are
    # NumPy scalars, turned back into arrays for the normalization node).
    x = numpy.random.RandomState(1).uniform(-1, 1, (4, 3, 2)).astype(numpy.float32)
    gamma, beta = numpy.array(1.5, numpy.float32), numpy.array(0.25, numpy.float32)
    ys = []
    for wrap in (False, True):
        g, b = (chainer.Variable(a) if wrap else a for a in (gamma, beta))
        mean, var = numpy.zeros((), numpy.float32), numpy.ones((), numpy.float32)
        ys.append(F.batch_renormalization(x, g, b, 2.0, 1.0, running_mean=mean,
                                          running_var=var, update_statistics=True).array)
        assert mean != 0 and var != 1
    assert ys[0].shape == x.shape
    numpy.testing.assert_array_equal(ys[0], ys[1])
