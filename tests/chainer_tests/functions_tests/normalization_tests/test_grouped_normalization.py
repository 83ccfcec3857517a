"""The fused CuPy kernels of layer and group normalization (compiled for the
host) against their NumPy code, to first and second order."""
import numpy
import pytest

import chainer
import chainer.functions as F
from chainer.functions.normalization import _grouped_normalization as gn_module

_FORWARD = ['rechainer_gn_inv_std', 'rechainer_gn_fwd']
_BACKWARD = ['rechainer_bn_ggamma', 'rechainer_gn_gsum', 'rechainer_gn_gxhat_sum',
             'rechainer_gn_bwd']


def _layer(x, gamma, beta):
    return F.layer_normalization(x, gamma, beta, eps=1e-3)


def _group(x, gamma, beta):
    return F.group_normalization(x, 2, gamma, beta, eps=1e-3)


_CASES = [
    # (function, x shape, parameter shape, x dtype, parameter dtype, offset)
    (_layer, (5, 7), (7,), numpy.float32, numpy.float32, 0),
    (_layer, (3, 4, 5), (4, 5), numpy.float64, numpy.float64, 0),
    (_layer, (4, 6), (6,), numpy.float16, numpy.float16, 0),
    (_layer, (16, 33), (33,), numpy.float32, numpy.float32, 500),
    (_group, (3, 4, 2, 3), (4,), numpy.float32, numpy.float32, 0),
    (_group, (2, 6, 5), (6,), numpy.float16, numpy.float16, 0),
    (_group, (2, 4), (4,), numpy.float64, numpy.float64, 0),
    (_group, (2, 4, 3), (4,), numpy.float32, numpy.float64, 0),
    (_group, (4, 8, 9, 9), (8,), numpy.float32, numpy.float32, 800),
]


def _run(fn, arrays, gy, ggs):
    """Output, first-order gradients and the gradient of their dot with ``ggs``
    (with respect to ``x`` and ``gamma``: no gradient depends on ``beta``)."""
    vs = [chainer.Variable(a.copy()) for a in arrays]
    y = fn(*vs)
    grads = chainer.grad([y], vs, [chainer.Variable(gy.copy())], enable_double_backprop=True)
    total = sum(F.cast(F.sum(g * gg), numpy.float64) for g, gg in zip(grads, ggs))
    second = chainer.grad([total], vs[:2])
    return [y.array] + [g.array for g in grads] + [g.array for g in second]


@pytest.mark.parametrize('fn,shape,pshape,dtype,pdtype,offset', _CASES)
def test_cupy_branch_matches_numpy(monkeypatch, fn, shape, pshape, dtype, pdtype, offset):
    from tests.chainer_tests import _host_kernels
    rng = numpy.random.default_rng(0)
    x = (offset + rng.uniform(-1, 1, shape)).astype(dtype)
    gamma = rng.uniform(0.5, 1.5, pshape).astype(pdtype)
    beta = rng.uniform(-1, 1, pshape).astype(pdtype)
    gy = rng.uniform(-1, 1, shape).astype(dtype)
    ggs = [rng.uniform(-1, 1, a.shape).astype(a.dtype) for a in (x, gamma, beta)]
    expected = _run(fn, (x, gamma, beta), gy, ggs)
    with monkeypatch.context() as m:
        _host_kernels.cupy_branch(m, gn_module)
        _host_kernels.launched.clear()
        got = _run(fn, (x, gamma, beta), gy, ggs)
        launched = list(_host_kernels.launched)
    assert launched[:2] == _FORWARD and set(_BACKWARD) <= set(launched)
    tol = {'rtol': 3e-2, 'atol': 3e-2} if dtype == numpy.float16 else {'rtol': 1e-4,
                                                                        'atol': 1e-4}
    for g, e in zip(got, expected):
        assert g.dtype == e.dtype and g.shape == e.shape
        numpy.testing.assert_allclose(g, e, **tol)
