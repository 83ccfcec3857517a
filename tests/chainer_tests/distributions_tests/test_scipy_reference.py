"""Moments, densities, CDFs and entropies of the distributions against ``scipy.stats``."""
from __future__ import annotations

import numpy
import pytest
from scipy import stats

import chainer
from chainer import distributions as D
from tests.chainer_tests.distributions_tests import _specs

BACKENDS = ['numpy', pytest.param('cupy', marks=pytest.mark.gpu)]
SHAPES = [(), (2, 3)]
DTYPES = [numpy.float32, numpy.float64]

# What each target is in SciPy, and whether it takes a point (or a probability).
_SCIPY = {
    'mean': ('mean', None), 'variance': ('var', None), 'stddev': ('std', None),
    'entropy': ('entropy', None), 'log_prob': ('logpdf', 'x'), 'prob': ('pdf', 'x'),
    'cdf': ('cdf', 'x'), 'log_cdf': ('logcdf', 'x'), 'survival': ('sf', 'x'),
    'log_survival': ('logsf', 'x'), 'icdf': ('ppf', 'q'),
}
_CHAINER = {'survival': 'survival_function', 'log_survival': 'log_survival_function'}


def _tol(dtype):
    return {'rtol': 1e-4, 'atol': 1e-4} if dtype == numpy.float32 else {
        'rtol': 1e-9, 'atol': 1e-10}


def _cases():
    for name, spec in _specs.SCALAR_SPECS.items():
        targets = set(spec.targets)
        # what follows from a compared variance or cdf is compared too: the defaults
        # (sqrt, log, 1 - cdf) and the closed forms that replace them
        if 'variance' in targets:
            targets.add('stddev')
        if 'cdf' in targets:
            targets |= {'log_cdf', 'survival', 'log_survival'}
        for target in sorted(targets):
            yield name, target


@pytest.mark.parametrize('backend', BACKENDS)
@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('shape', SHAPES)
@pytest.mark.parametrize('name,target', list(_cases()))
def test_against_scipy(name, target, shape, dtype, backend):
    spec = _specs.SCALAR_SPECS[name]
    rng = numpy.random.RandomState(0)
    params = _specs.as_dtype(spec.make(rng, shape), dtype)
    dist = spec.cls(**spec.kwargs(_specs.to_device(params, backend)))
    ref = spec.scipy({k: v.astype(numpy.float64) for k, v in params.items()})
    method, arg = _SCIPY[target]
    if spec.discrete:
        method = {'logpdf': 'logpmf', 'pdf': 'pmf'}.get(method, method)
    attr = getattr(dist, _CHAINER.get(target, target))
    if arg is None:
        got, expected = attr, getattr(ref, method)()
    else:
        if arg == 'x':
            x = spec.points(rng, params, (4,) + shape)
        else:
            x = rng.uniform(0.05, 0.95, (4,) + shape)
        x = x.astype(dtype)
        got = attr(_specs.to_device({'x': x}, backend)['x'])
        expected = getattr(ref, method)(x.astype(numpy.float64))
    assert isinstance(got, chainer.Variable)
    assert got.dtype == dtype
    numpy.testing.assert_allclose(_specs.to_cpu(got), expected, **_tol(dtype))


@pytest.mark.parametrize('name', sorted(_specs.SCALAR_SPECS))
def test_shapes_and_support(name):
    spec = _specs.SCALAR_SPECS[name]
    params = _specs.as_dtype(spec.make(numpy.random.RandomState(0), (2, 3)), numpy.float32)
    dist = spec.cls(**spec.kwargs(params))
    assert dist.batch_shape == (2, 3)
    assert dist.event_shape == ()
    assert isinstance(dist.support, str)
    assert set(dist.params) <= set(params) | {'logit'}
    assert repr(dist).startswith(f'{name}(')


def _tol_event(dtype):
    return {'rtol': 1e-4, 'atol': 1e-5} if dtype == numpy.float32 else {
        'rtol': 1e-8, 'atol': 1e-10}


@pytest.mark.parametrize('backend', BACKENDS)
@pytest.mark.parametrize('dtype', DTYPES)
def test_categorical(dtype, backend):
    rng = numpy.random.RandomState(1)
    p = rng.dirichlet(numpy.ones(4), (2, 3)).astype(dtype)
    logit = numpy.log(p) + 0.7
    x = rng.randint(0, 4, (5, 2, 3)).astype(numpy.int32)
    xp_p, xp_logit, xp_x = (_specs.to_device({'a': a}, backend)['a'] for a in (p, logit, x))
    for dist in (D.Categorical(xp_p), D.Categorical(logit=xp_logit)):
        assert dist.batch_shape == (2, 3) and dist.event_shape == ()
        numpy.testing.assert_allclose(_specs.to_cpu(dist.p), p, **_tol_event(dtype))
        numpy.testing.assert_allclose(
            _specs.to_cpu(dist.entropy), stats.entropy(p.astype(numpy.float64), axis=-1),
            **_tol_event(dtype))
        expected = numpy.log(numpy.take_along_axis(
            numpy.broadcast_to(p.astype(numpy.float64), (5, 2, 3, 4)), x[..., None], -1))[..., 0]
        numpy.testing.assert_allclose(_specs.to_cpu(dist.log_prob(xp_x)), expected,
                                      **_tol_event(dtype))
    assert D.Categorical(p).support == '[0, 3]'
    mode = D.Categorical(p).mode
    assert mode.dtype == numpy.int64
    numpy.testing.assert_array_equal(mode.array, p.argmax(axis=-1))
    # A single distribution (batch_shape ()) has a 0-d mode.
    mode = D.Categorical(p[0, 0]).mode
    assert mode.shape == () and int(mode.array) == p[0, 0].argmax()


@pytest.mark.parametrize('backend', BACKENDS)
@pytest.mark.parametrize('dtype', DTYPES)
def test_one_hot_categorical(dtype, backend):
    rng = numpy.random.RandomState(2)
    p = rng.dirichlet(numpy.ones(4), (3,)).astype(dtype)
    x = numpy.eye(4, dtype=dtype)[rng.randint(0, 4, (5, 3))]
    dist = D.OneHotCategorical(_specs.to_device({'p': p}, backend)['p'])
    assert dist.batch_shape == (3,) and dist.event_shape == (4,)
    p64 = p.astype(numpy.float64)
    p64 /= p64.sum(axis=-1, keepdims=True)
    numpy.testing.assert_allclose(_specs.to_cpu(dist.mean), p64, **_tol_event(dtype))
    numpy.testing.assert_allclose(_specs.to_cpu(dist.variance), p64 * (1 - p64),
                                  **_tol_event(dtype))
    numpy.testing.assert_allclose(_specs.to_cpu(dist.entropy),
                                  stats.entropy(p64, axis=-1), **_tol_event(dtype))
    expected = numpy.array([[stats.multinomial(1, p64[j]).logpmf(x[i, j]) for j in range(3)]
                            for i in range(5)])
    got = dist.log_prob(_specs.to_device({'x': x}, backend)['x'])
    numpy.testing.assert_allclose(_specs.to_cpu(got), expected, **_tol_event(dtype))
    # Chainer's attribute: the log-probabilities of the classes.
    numpy.testing.assert_allclose(_specs.to_cpu(dist.log_p), numpy.log(p64), **_tol_event(dtype))
    assert dist.log_p.dtype == dtype


@pytest.mark.parametrize('backend', BACKENDS)
@pytest.mark.parametrize('dtype', DTYPES)
def test_dirichlet(dtype, backend):
    rng = numpy.random.RandomState(3)
    alpha = rng.uniform(0.8, 3, (2, 3)).astype(dtype)
    x = rng.dirichlet(numpy.ones(3), (4, 2)).astype(dtype)
    dist = D.Dirichlet(_specs.to_device({'a': alpha}, backend)['a'])
    assert dist.batch_shape == (2,) and dist.event_shape == (3,)
    refs = [stats.dirichlet(a.astype(numpy.float64)) for a in alpha]
    tol = _tol_event(dtype)
    numpy.testing.assert_allclose(_specs.to_cpu(dist.mean), [r.mean() for r in refs], **tol)
    numpy.testing.assert_allclose(_specs.to_cpu(dist.variance), [r.var() for r in refs], **tol)
    numpy.testing.assert_allclose(_specs.to_cpu(dist.entropy), [r.entropy() for r in refs],
                                  **tol)
    x64 = x.astype(numpy.float64)
    x64 /= x64.sum(axis=-1, keepdims=True)
    expected = [[refs[j].logpdf(x64[i, j]) for j in range(2)] for i in range(4)]
    got = dist.log_prob(_specs.to_device({'x': x}, backend)['x'])
    numpy.testing.assert_allclose(_specs.to_cpu(got), expected, **tol)


def _random_tril(rng, batch, d):
    tril = numpy.tril(rng.normal(size=batch + (d, d)) * 0.3)
    idx = numpy.arange(d)
    tril[..., idx, idx] = rng.uniform(0.5, 1.5, batch + (d,))
    return tril


@pytest.mark.parametrize('backend', BACKENDS)
@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('batch', [(), (2,)])
def test_multivariate_normal(batch, dtype, backend):
    rng = numpy.random.RandomState(4)
    loc = rng.normal(size=batch + (3,)).astype(dtype)
    tril = _random_tril(rng, batch, 3).astype(dtype)
    x = rng.normal(size=(4,) + batch + (3,)).astype(dtype)
    dev = _specs.to_device({'loc': loc, 'scale_tril': tril, 'x': x}, backend)
    dist = D.MultivariateNormal(dev['loc'], scale_tril=dev['scale_tril'])
    assert dist.batch_shape == batch and dist.event_shape == (3,)
    tol = _tol_event(dtype)
    loc64, tril64 = loc.astype(numpy.float64), tril.astype(numpy.float64)
    cov = tril64 @ numpy.swapaxes(tril64, -1, -2)
    flat_loc, flat_cov = loc64.reshape(-1, 3), cov.reshape(-1, 3, 3)
    refs = [stats.multivariate_normal(m, c) for m, c in zip(flat_loc, flat_cov)]
    numpy.testing.assert_allclose(_specs.to_cpu(dist.mean), loc64, **tol)
    numpy.testing.assert_allclose(_specs.to_cpu(dist.covariance), cov, **tol)
    numpy.testing.assert_allclose(_specs.to_cpu(dist.variance),
                                  numpy.diagonal(cov, axis1=-2, axis2=-1), **tol)
    numpy.testing.assert_allclose(_specs.to_cpu(dist.entropy).reshape(-1),
                                  [r.entropy() for r in refs], **tol)
    flat_x = x.astype(numpy.float64).reshape(4, -1, 3)
    expected = numpy.array([[refs[j].logpdf(flat_x[i, j]) for j in range(len(refs))]
                            for i in range(4)]).reshape((4,) + batch)
    numpy.testing.assert_allclose(_specs.to_cpu(dist.log_prob(dev['x'])), expected, **tol)


@pytest.mark.parametrize('dtype', DTYPES)
def test_independent_normal(dtype):
    rng = numpy.random.RandomState(5)
    loc = rng.normal(size=(2, 3, 4)).astype(dtype)
    scale = rng.uniform(0.5, 2, (2, 3, 4)).astype(dtype)
    x = rng.normal(size=(5, 2, 3, 4)).astype(dtype)
    base = D.Normal(loc, scale)
    tol = _tol(dtype)
    ref = stats.norm(loc.astype(numpy.float64), scale.astype(numpy.float64))
    for ndims, batch, event in ((None, (2,), (3, 4)), (1, (2, 3), (4,)), (0, (2, 3, 4), ())):
        dist = D.Independent(base, ndims)
        assert dist.batch_shape == batch and dist.event_shape == event
        axes = tuple(range(len(batch), 3))
        numpy.testing.assert_allclose(dist.entropy.array, ref.entropy().sum(axis=axes), **tol)
        numpy.testing.assert_allclose(
            dist.log_prob(x).array,
            ref.logpdf(x.astype(numpy.float64)).sum(axis=tuple(a + 1 for a in axes)), **tol)
        numpy.testing.assert_allclose(dist.mean.array, loc)
        assert dist.sample_n(2).shape == (2, 2, 3, 4)
    cov = D.Independent(base, 1).covariance.array
    assert cov.shape == (2, 3, 4, 4)
    numpy.testing.assert_allclose(cov[1, 2], numpy.diag(scale[1, 2] ** 2), **tol)

    # Survival: P(X > x) in every element of the event, the product of the marginal ones.
    dist = D.Independent(base, 1)
    sf = ref.sf(x.astype(numpy.float64))
    numpy.testing.assert_allclose(dist.survival_function(x).array, sf.prod(axis=-1), **tol)
    numpy.testing.assert_allclose(dist.log_survival_function(x).array,
                                  numpy.log(sf).sum(axis=-1), **tol)
    with pytest.raises(RuntimeError):
        dist.icdf(x)


def test_independent_multivariate_normal_covariance_is_block_diagonal():
    rng = numpy.random.RandomState(4)
    loc = rng.normal(size=(3, 2, 2))
    tril = numpy.tril(rng.normal(size=(3, 2, 2, 2))) + 2 * numpy.eye(2)
    blocks = tril @ tril.swapaxes(-1, -2)
    base = D.MultivariateNormal(chainer.Variable(loc), scale_tril=chainer.Variable(tril))
    cov = D.Independent(base, 1).covariance
    assert cov.shape == (3, 4, 4)
    for i in range(3):
        want = numpy.zeros((4, 4))
        want[:2, :2], want[2:, 2:] = blocks[i, 0], blocks[i, 1]
        numpy.testing.assert_allclose(cov.array[i], want, rtol=1e-12)
    whole = D.Independent(base, 2).covariance
    assert whole.shape == (12, 12)
    numpy.testing.assert_allclose(whole.array[4:6, 4:6], blocks[1, 0], rtol=1e-12)
    assert not whole.array[:2, 2:].any()
    chainer.functions.sum(whole).backward()
    assert base.scale_tril.grad.shape == (3, 2, 2, 2)


@pytest.mark.parametrize('dtype, far', [(numpy.float16, 1e3), (numpy.float32, 1e30),
                                        (numpy.float64, 1e200)])
@numpy.errstate(over='ignore')  # 1 / x**2 in the backward of 1 / x underflows through inf
def test_cauchy_log_prob_in_the_far_tails(dtype, far):
    # (x - loc)**2 overflows there; the density is still finite and its gradient in
    # scale tends to 1 / scale (the tail mass grows with the scale).
    loc = chainer.Variable(numpy.array([0.5, 0.5, 0.5], dtype))
    scale = chainer.Variable(numpy.array([3.0, 3.0, 3.0], dtype))
    x = numpy.array([far, -far, 2.0], dtype)
    lp = D.Cauchy(loc, scale).log_prob(x)
    # log(1 + z**2) as logaddexp(0, 2 log|z|): SciPy 1.13 gives -inf at 1e200.
    z = (x.astype(numpy.float64) - 0.5) / 3.0
    want = -numpy.log(numpy.pi * 3.0) - numpy.logaddexp(0, 2 * numpy.log(abs(z)))
    numpy.testing.assert_allclose(want[2], stats.cauchy(0.5, 3.0).logpdf(2.0), rtol=1e-12)
    numpy.testing.assert_allclose(lp.array, want, rtol=2e-3 if dtype == numpy.float16 else 1e-6)
    chainer.functions.sum(lp).backward()
    numpy.testing.assert_allclose(scale.grad[:2], 1 / 3.0, rtol=2e-3)
    z = (2.0 - 0.5) / 3.0
    numpy.testing.assert_allclose(scale.grad[2], (z * z - 1) / (1 + z * z) / 3.0, rtol=2e-3)


@pytest.mark.parametrize('by_log_scale', [False, True])
def test_normal_log_prob_and_kl_round_as_chainer(by_log_scale):
    # Chainer's order of operations, so that float32 losses agree bit for bit.
    rng = numpy.random.RandomState(5)
    loc, x = rng.normal(size=(2, 8, 5)).astype(numpy.float32)
    log_scale = (rng.normal(size=(8, 5)) * 0.5).astype(numpy.float32)
    scale = numpy.exp(log_scale)
    dist = (D.Normal(loc, log_scale=log_scale) if by_log_scale else D.Normal(loc, scale))
    if not by_log_scale:
        log_scale = numpy.log(scale)
    c = numpy.float32(-0.5 * numpy.log(2 * numpy.pi))
    want = (c - log_scale) - numpy.float32(0.5) * (x - loc) ** 2 / (scale * scale)
    numpy.testing.assert_array_equal(dist.log_prob(x).array, want)
    loc2 = rng.normal(size=(8, 5)).astype(numpy.float32)
    scale2 = rng.uniform(0.5, 2, (8, 5)).astype(numpy.float32)
    kl = chainer.kl_divergence(dist, D.Normal(loc2, scale2)).array
    want = ((numpy.log(scale2) - log_scale)
            + numpy.float32(0.5) * (scale * scale + (loc - loc2) ** 2) / (scale2 * scale2)
            - numpy.float32(0.5))
    numpy.testing.assert_array_equal(kl, want)


def test_multivariate_normal_factor_with_negative_diagonal():
    # L and L with some columns negated give the same covariance L L^T (as in Chainer,
    # the density uses |diag(L)|).
    rng = numpy.random.RandomState(6)
    tril = numpy.tril(rng.normal(size=(2, 3, 3)) * 0.3) + numpy.eye(3)
    flipped = tril * numpy.array([-1.0, 1.0, -1.0])
    loc, x = rng.normal(size=(2, 3)), rng.normal(size=(4, 2, 3))
    a = D.MultivariateNormal(loc, scale_tril=tril)
    b = D.MultivariateNormal(loc, scale_tril=flipped)
    numpy.testing.assert_allclose(b.log_prob(x).array, a.log_prob(x).array, rtol=1e-12)
    numpy.testing.assert_allclose(b.entropy.array, a.entropy.array, rtol=1e-12)
    numpy.testing.assert_allclose(chainer.kl_divergence(b, a).array, 0, atol=1e-12)


def test_uniform_keeps_the_parameters_it_was_given():
    low, high = numpy.array([0.0, 1.0], numpy.float32), numpy.array([1.0, 3.0], numpy.float32)
    by_bounds = D.Uniform(low=low, high=high)
    assert sorted(by_bounds.params) == ['high', 'low']
    loc, scale = chainer.Variable(low.copy()), chainer.Variable(high - low)
    by_loc = D.Uniform(loc=loc, scale=scale)
    assert sorted(by_loc.params) == ['loc', 'scale']
    assert by_loc.params['loc'] is loc and by_loc.params['scale'] is scale
    numpy.testing.assert_array_equal(by_loc.low.array, low)
    numpy.testing.assert_array_equal(by_loc.high.array, high)
    numpy.testing.assert_array_equal(by_bounds.loc.array, low)
    numpy.testing.assert_array_equal(by_bounds.scale.array, high - low)
    # The density does not depend on the lower end: no gradient reaches loc.
    chainer.functions.sum(by_loc.log_prob(numpy.array([0.5, 2.0], numpy.float32))).backward()
    assert loc.grad is None
    numpy.testing.assert_allclose(scale.grad, -1 / (high - low))
    numpy.random.seed(1)
    u = numpy.random.random_sample((3, 2)).astype(numpy.float32)
    numpy.random.seed(1)
    numpy.testing.assert_array_equal(by_loc.sample_n(3).array, low + (high - low) * u)


@pytest.mark.parametrize('name', ['Cauchy', 'Exponential', 'Gumbel', 'Laplace', 'LogNormal',
                                  'Normal', 'Pareto', 'Uniform'])
def test_points_may_be_scalars_and_zero_dim_arrays(name):
    spec = _specs.SCALAR_SPECS[name]
    params = _specs.as_dtype(spec.make(numpy.random.RandomState(7), ()), numpy.float32)
    dist = spec.cls(**spec.kwargs(params))
    for method in ('icdf', 'cdf', 'log_prob'):
        for u in (0.75, numpy.asarray(0.75, numpy.float32), numpy.float32(0.75)):
            try:
                y = getattr(dist, method)(u)
            except NotImplementedError:
                continue
            assert y.shape == () and y.dtype == numpy.float32


def test_multivariate_normal_reads_the_lower_triangle_and_float16():
    rng = numpy.random.RandomState(9)
    tril = numpy.tril(rng.normal(size=(2, 3, 3)) * 0.3) + numpy.eye(3)
    loc = rng.normal(size=(2, 3))
    x = rng.normal(size=(2, 3))
    want = D.MultivariateNormal(loc, scale_tril=tril).log_prob(x).array
    # What lies above the diagonal is not read by the density (as in Chainer).
    upper = numpy.triu(rng.normal(size=(2, 3, 3)), 1)
    got = D.MultivariateNormal(loc, scale_tril=tril + upper).log_prob(x).array
    numpy.testing.assert_allclose(got, want, rtol=1e-12)
    # float16 matrices are inverted in float32 (LAPACK has no float16).
    half = D.MultivariateNormal(loc.astype(numpy.float16), scale_tril=tril.astype(numpy.float16))
    lp = half.log_prob(x.astype(numpy.float16))
    assert lp.dtype == numpy.float16
    numpy.testing.assert_allclose(lp.array, want, rtol=1e-2, atol=1e-2)
    kl = chainer.kl_divergence(half, half)
    assert kl.dtype == numpy.float16
    numpy.testing.assert_allclose(kl.array, 0, atol=1e-2)


@pytest.mark.parametrize('make,grid', [
    (lambda: D.Beta(numpy.array([2.0, 3.0, 1.2]), numpy.array([2.0, 1.5, 5.0])),
     numpy.linspace(1e-4, 1 - 1e-4, 20001)),
    (lambda: D.Gamma(numpy.array([2.0, 3.5]), numpy.array([0.5, 2.0])),
     numpy.linspace(1e-4, 20, 40001)),
    (lambda: D.LogNormal(numpy.array([0.0, 0.5]), numpy.array([0.5, 0.3])),
     numpy.linspace(1e-4, 5, 50001)),
    (lambda: D.Gumbel(numpy.array([0.3, -1.0]), numpy.array([1.0, 2.0])),
     numpy.linspace(-10, 10, 40001)),
])
def test_interior_modes_maximise_the_density(make, grid):
    d = make()
    mode = d.mode.array
    x = numpy.broadcast_to(grid[:, None], (len(grid),) + mode.shape).copy()
    logp = numpy.stack([d.log_prob(xi).array for xi in x])
    numpy.testing.assert_allclose(grid[logp.argmax(axis=0)], mode, atol=2e-3)


def test_beta_mode_at_the_ends_and_where_there_is_none():
    # (a - 1) / (a + b - 2) only where both shapes exceed 1; the end where the density
    # is unbounded (or highest) otherwise; NaN for two unbounded ends or the uniform
    a = numpy.array([1.5, 0.5, 1.0, 0.7, 1.0, 3.0, 0.5, 1.0])
    b = numpy.array([0.5, 2.0, 0.4, 1.0, 3.0, 1.0, 0.5, 1.0])
    av, bv = chainer.Variable(a), chainer.Variable(b)
    mode = D.Beta(av, bv).mode
    numpy.testing.assert_array_equal(mode.array, [1, 0, 1, 0, 0, 1, numpy.nan, numpy.nan])
    # no gradient flows from the ends, and none is NaN
    chainer.functions.sum(mode[:6]).backward()
    assert not numpy.isnan(av.grad).any() and not av.grad.any() and not bv.grad.any()
