"""The CuPy kernels of the gradient hooks, run on the host against the NumPy branch.

The parameter reports a device whose ``xp`` is a ``cupy`` stand-in, so each hook
takes its CuPy branch on NumPy arrays with the kernel compiled for the host
(``tests/chainer_tests/_host_kernels.py``). The ``gpu`` tests run the real kernels.
"""
from __future__ import annotations

import numpy
import pytest

import chainer
from chainer import optimizer_hooks
from tests.chainer_tests import _host_kernels


def _noise(xp, shape, dtype, hook, rule):
    """Deterministic noise, so that both branches see the same values."""
    return xp.linspace(-0.5, 0.5, int(numpy.prod(shape))).reshape(shape).astype(dtype)


_HOOKS = {
    'WeightDecay': lambda: optimizer_hooks.WeightDecay(0.1),
    'Lasso': lambda: optimizer_hooks.Lasso(0.1),
    'GradientLARS': lambda: optimizer_hooks.GradientLARS(threshold=1e-3, weight_decay=0.2),
    'GradientNoise': lambda: optimizer_hooks.GradientNoise(0.3, noise_func=_noise),
}


def _cpu_and_gpu(monkeypatch, hook, data, grad, loss_scale):
    """The gradients ``hook`` leaves on the NumPy branch and on the CuPy branch."""
    results = []
    for on_gpu in (False, True):
        with monkeypatch.context() as m:
            param = chainer.Parameter(data.copy())
            param.grad = grad.copy()
            param._loss_scale = loss_scale
            if on_gpu:
                device = _host_kernels.host_gpu_device(_host_kernels.route(m))
                m.setattr(chainer.Parameter, 'device', property(lambda self: device))
            hook(None, param)
            results.append(param.grad)
            if on_gpu:
                assert _host_kernels.launched, 'the CuPy branch launched no kernel'
    return results


@pytest.mark.parametrize('hook', sorted(_HOOKS))
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('loss_scale', [None, 4.0])
def test_gpu_kernel_matches_cpu_branch(monkeypatch, hook, dtype, loss_scale):
    rng = numpy.random.default_rng(1)
    data = rng.uniform(-1, 1, (4, 3)).astype(dtype)
    data[0, 0] = 0  # Lasso's sign of zero
    grad = rng.uniform(-1, 1, data.shape).astype(dtype)
    cpu, gpu = _cpu_and_gpu(monkeypatch, _HOOKS[hook](), data, grad, loss_scale)
    tol = {'rtol': 1e-2, 'atol': 1e-3} if dtype == numpy.float16 else {'rtol': 1e-6}
    assert gpu.dtype == cpu.dtype
    numpy.testing.assert_allclose(gpu, cpu, **tol)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('grad_scale', [0.0, 1e-4, 1.0])
@pytest.mark.parametrize('loss_scale', [None, 4.0])
def test_gpu_lars_rate_beyond_dtype_range(monkeypatch, dtype, grad_scale, loss_scale):
    # ||w|| / (eps + ||g||) exceeds float16's range for a zero gradient or one whose
    # squares underflow: the CuPy branch computes the rate in float64 as the NumPy
    # branch does, so a zero gradient stays zero (not 0 * inf = NaN).
    rng = numpy.random.default_rng(2)
    data = rng.uniform(-1, 1, (4, 3)).astype(dtype)
    grad = (rng.uniform(-1, 1, data.shape) * grad_scale).astype(dtype)
    if loss_scale is not None:
        grad *= dtype(loss_scale)
    cpu, gpu = _cpu_and_gpu(monkeypatch, optimizer_hooks.GradientLARS(weight_decay=0.0),
                            data, grad, loss_scale)
    if grad_scale == 0:
        assert (cpu == 0).all()
    assert gpu.dtype == cpu.dtype
    numpy.testing.assert_array_equal(gpu, cpu)
