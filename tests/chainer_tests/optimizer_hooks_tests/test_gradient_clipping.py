import numpy
import pytest

from chainer import optimizer_hooks

from tests.chainer_tests.optimizer_hooks_tests import _hooks_test_util as util


def _global_norm(grads):
    return numpy.sqrt(sum(float((g.astype(numpy.float64) ** 2).sum()) for g in grads.values()))


def test_attributes():
    hook = optimizer_hooks.GradientClipping(1.5)
    assert hook.threshold == 1.5
    assert hook.name == 'GradientClipping'
    assert hook.timing == 'pre'
    assert not getattr(hook, 'call_for_each_param', False)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_clips_global_norm(dtype):
    model, opt, params, grads = util.setup(dtype, lr=0.5)
    norm = _global_norm(grads)
    threshold = norm / 3
    opt.add_hook(optimizer_hooks.GradientClipping(threshold))
    opt.update()
    tol = 2e-3 if dtype == numpy.float16 else 1e-6
    for name, p in model.namedparams():
        g = grads[name].astype(numpy.float64) * (threshold / norm)
        assert p.grad.dtype == dtype
        numpy.testing.assert_allclose(p.grad, g, rtol=tol, atol=tol)
        numpy.testing.assert_allclose(p.array, params[name] - 0.5 * g, rtol=tol, atol=tol)
    numpy.testing.assert_allclose(
        _global_norm({n: p.grad for n, p in model.namedparams()}), threshold, rtol=tol)


def test_below_threshold_untouched():
    model, opt, params, grads = util.setup()
    hook = optimizer_hooks.GradientClipping(_global_norm(grads) * 1.01)
    hook(opt)
    for name, p in model.namedparams():
        numpy.testing.assert_array_equal(p.grad, grads[name])


@pytest.mark.parametrize('threshold', [1.0, 0.0])
def test_zero_grads(threshold):
    # With threshold 0, Chainer's rate 0 / 0 made every gradient NaN (README).
    model, opt, params, grads = util.setup()
    for p in model.params():
        p.grad = numpy.zeros_like(p.array)
    optimizer_hooks.GradientClipping(threshold)(opt)
    for p in model.params():
        numpy.testing.assert_array_equal(p.grad, 0)


def test_none_grads_ignored():
    model, opt, params, grads = util.setup()
    model.l2.W.cleargrad()
    del grads['/l2/W']
    norm = _global_norm(grads)
    optimizer_hooks.GradientClipping(norm / 2)(opt)
    assert model.l2.W.grad is None
    for name, g in grads.items():
        p = dict(model.namedparams())[name]
        numpy.testing.assert_allclose(p.grad, g / 2, rtol=1e-6)


def test_loss_scaled_grads():
    model, opt, params, grads = util.setup()
    norm = _global_norm(grads)
    for name, p in model.namedparams():
        p.grad = grads[name] * 32
        p._loss_scale = 32
    optimizer_hooks.GradientClipping(norm / 4)(opt)
    for name, p in model.namedparams():
        numpy.testing.assert_allclose(p.grad, 32 * grads[name] / 4, rtol=1e-6)


@pytest.mark.gpu
def test_gpu():
    norm = _global_norm(util.setup()[3])
    util.check_gpu_update(optimizer_hooks.GradientClipping(norm / 2),
                          lambda p, g: p - g / 2, rtol=1e-5, atol=1e-6)


def test_negative_threshold():
    with pytest.raises(ValueError, match='threshold of GradientClipping must be non-negative'):
        optimizer_hooks.GradientClipping(-1.0)


def test_norm_adds_per_array_sums_in_float64():
    # Chainer adds the float32 per-array dots in float64 on the CPU; added in
    # float32 (NumPy 2's rule for float32 scalars) the rate here is one ulp off.
    import chainer
    g1 = numpy.array([0.4412274956703186, -0.3308701515197754, 2.4307711124420166], numpy.float32)
    g2 = numpy.array([-0.2520921230316162, 0.10960984230041504], numpy.float32)
    link = chainer.Link()
    with link.init_scope():
        link.a = chainer.Parameter(numpy.zeros(3, numpy.float32))
        link.b = chainer.Parameter(numpy.zeros(2, numpy.float32))
    link.a.grad = g1.copy()
    link.b.grad = g2.copy()
    opt = chainer.optimizers.SGD(lr=1.0)
    opt.setup(link)
    optimizer_hooks.GradientClipping(1.0)(opt)
    rate = numpy.float32(1.0 / numpy.sqrt(float(g1.dot(g1)) + float(g2.dot(g2))))
    assert rate != numpy.float32(1.0 / numpy.sqrt(g1.dot(g1) + g2.dot(g2)))
    numpy.testing.assert_array_equal(link.a.grad, g1 * rate)
    numpy.testing.assert_array_equal(link.b.grad, g2 * rate)


@pytest.mark.parametrize('threshold', [None, 'a'])
def test_a_threshold_that_is_no_number_is_a_type_error(threshold):
    # Chainer 7.8.1's update raised TypeError from its arithmetic; ours a comparison's
    # "'<' not supported between instances of 'NoneType' and 'int'"
    with pytest.raises(TypeError, match='threshold of GradientClipping must be a number'):
        optimizer_hooks.GradientClipping(threshold)
