import numpy
import pytest

import chainer
import chainer.links as L
from chainer import gradient_check
from chainer import testing
from chainer.link_hooks import SpectralNormalization


def _sigma(W):
    return numpy.linalg.svd(W.reshape(W.shape[0], -1), compute_uv=False)[0]


class TestSpectralNormalization:

    def setup_method(self):
        # Seeded: power iteration converges slowly for weights whose top two
        # singular values happen to be close.
        numpy.random.seed(0)
        self.x = numpy.random.randn(4, 5).astype('f')

    def test_defaults(self):
        hook = SpectralNormalization()
        assert hook.name == 'SpectralNormalization'
        assert hook.n_power_iteration == 1 and hook.eps == 1e-6
        assert hook.use_gamma is False and hook.factor is None
        assert hook.weight_name == 'W' and hook.vector_name == 'W_u'
        assert SpectralNormalization(name='sn').name == 'sn'

    def test_registers_u(self):
        link = L.Linear(5, 3)
        link.add_hook(SpectralNormalization())
        assert link.W_u.shape == (3,)
        assert 'W_u' in link._persistent
        assert [n for n, _ in link.namedparams()] == ['/W', '/b']

    def test_forward_normalizes(self):
        link = L.Linear(5, 3)
        hook = SpectralNormalization()
        link.add_hook(hook)
        for _ in range(50):
            y = link(self.x)
        W = link.W.array
        expected = self.x.dot((W / _sigma(W)).T) + link.b.array
        numpy.testing.assert_allclose(y.array, expected, rtol=1e-3, atol=1e-4)
        # the Parameter is back after the call
        assert isinstance(link.W, chainer.Parameter)
        assert link.W is hook.original_weight

    def test_power_iterations(self):
        link = L.Linear(5, 3)
        link.add_hook(SpectralNormalization(n_power_iteration=100))
        y = link(self.x)
        W = link.W.array
        numpy.testing.assert_allclose(
            y.array, self.x.dot((W / _sigma(W)).T) + link.b.array, rtol=1e-3, atol=1e-4)

    def test_factor(self):
        link = L.Linear(5, 3, nobias=True)
        link.add_hook(SpectralNormalization(n_power_iteration=100, factor=2.0))
        W = link.W.array
        numpy.testing.assert_allclose(
            link(self.x).array, self.x.dot((2 * W / _sigma(W)).T), rtol=1e-3, atol=1e-4)

    def test_use_gamma(self):
        link = L.Linear(5, 3, nobias=True)
        link.add_hook(SpectralNormalization(n_power_iteration=100, use_gamma=True))
        W = link.W.array
        assert link.gamma.shape == ()
        numpy.testing.assert_allclose(link.gamma.array, _sigma(W), rtol=1e-5)
        assert sorted(n for n, _ in link.namedparams()) == ['/W', '/gamma']
        # gamma = sigma initially, so the weight is unchanged
        numpy.testing.assert_allclose(
            link(self.x).array, self.x.dot(W.T), rtol=1e-3, atol=1e-4)

    def test_u_updated_only_in_train(self):
        link = L.Linear(5, 3)
        link.add_hook(SpectralNormalization())
        u0 = link.W_u.copy()
        with chainer.using_config('train', False):
            link(self.x)
        numpy.testing.assert_array_equal(link.W_u, u0)
        link(self.x)
        assert not numpy.array_equal(link.W_u, u0)

    def test_lazy_link(self):
        link = L.Linear(3)
        hook = SpectralNormalization()
        link.add_hook(hook)
        assert not hasattr(link, 'W_u')
        y = link(numpy.random.randn(4, 2, 3).astype('f'))
        assert link.W.shape == (3, 6) and link.W_u.shape == (3,)
        assert y.shape == (4, 3)

    def test_gradient(self):
        # With enough power iterations u and v are the singular vectors of
        # each (perturbed) W, so dsigma/dW = u v^T is the exact derivative.
        link = L.Linear(5, 3, nobias=True)
        link.add_hook(SpectralNormalization(n_power_iteration=300))
        link.W_u = link.W_u.astype(numpy.float64)
        x = self.x.astype(numpy.float64)
        W = numpy.random.randn(3, 5)

        def f(x, W):
            with chainer.using_config('train', False):
                with link.init_scope():
                    link.W = W
                return link(x)

        gradient_check.check_backward(f, (x, W), numpy.random.randn(4, 3),
                                      atol=1e-4, rtol=1e-4)

    def test_gradient_deconvolution(self):
        # The normalized axis is 1 (output channels); Chainer's backward through a
        # hooked Deconvolution2D failed ("not enough values to unpack").
        link = L.Deconvolution2D(2, 3, 2, nobias=True)
        link.add_hook(SpectralNormalization(n_power_iteration=300))
        assert link.W_u.shape == (3,)
        link.W_u = link.W_u.astype(numpy.float64)
        x = numpy.random.randn(1, 2, 3, 3)
        W = numpy.random.randn(2, 3, 2, 2)

        def f(x, W):
            with chainer.using_config('train', False):
                with link.init_scope():
                    link.W = W
                return link(x)

        gradient_check.check_backward(f, (x, W), numpy.random.randn(1, 3, 4, 4),
                                      atol=1e-4, rtol=1e-4)

    def test_backward_reaches_parameter(self):
        link = L.Linear(5, 3)
        link.add_hook(SpectralNormalization())
        link.cleargrads()
        chainer.functions.sum(link(self.x)).backward()
        assert link.W.grad is not None and numpy.isfinite(link.W.grad).all()

    def test_delete_hook(self):
        link = L.Linear(5, 3)
        link.add_hook(SpectralNormalization(use_gamma=True))
        link.delete_hook('SpectralNormalization')
        assert not hasattr(link, 'W_u') and not hasattr(link, 'gamma')
        assert 'W_u' not in link._persistent

    def test_other_weight_name(self):
        link = L.EmbedID(5, 3)
        link.add_hook(SpectralNormalization(weight_name='W'))
        assert link.W_u.shape == (5,)
        with pytest.raises(ValueError):
            L.Linear(5, 3).add_hook(SpectralNormalization(weight_name='V'))

    def test_bad_args(self):
        for error in (ValueError, AssertionError):  # Chainer asserted it
            with pytest.raises(error):
                SpectralNormalization(n_power_iteration=0)

    def test_sigma_in_chainers_order(self):
        # sigma = (u^T W) v, then W / sigma: the order Chainer computes it in.
        numpy.random.seed(3)
        link = L.Linear(3, 4, initialW=numpy.random.uniform(-1, 1, (4, 3)), nobias=True)
        link.add_hook(SpectralNormalization(factor=3.0))
        u0 = link.W_u.copy()
        W = link.W.array.copy()
        x = numpy.eye(3)
        y = link(x)
        v = numpy.dot(u0, W)
        v = v / (numpy.linalg.norm(v) + 1e-6)
        u = numpy.dot(W, v)
        u = u / (numpy.linalg.norm(u) + 1e-6)
        sigma = numpy.matmul(numpy.matmul(u, W), v) * (1 / 3.0)
        numpy.testing.assert_array_equal(link.W_u, u)
        numpy.testing.assert_array_equal(y.array, (W / sigma).T)

    def test_not_a_context_manager(self):
        with pytest.raises(NotImplementedError):
            with SpectralNormalization():
                pass

    def test_save_load_u(self):
        src = L.Linear(5, 3)
        src.add_hook(SpectralNormalization())
        src(self.x)
        dst = L.Linear(5, 3)
        dst.add_hook(SpectralNormalization())
        testing.save_and_load_npz(src, dst)
        numpy.testing.assert_array_equal(dst.W_u, src.W_u)


@pytest.mark.gpu
def test_spectral_normalization_gpu():
    import cupy
    link = L.Linear(5, 3)
    link.add_hook(SpectralNormalization())
    link.to_gpu()
    y = link(cupy.ones((2, 5), 'f'))
    assert isinstance(link.W_u, cupy.ndarray)
    assert isinstance(y.array, cupy.ndarray)


def test_failed_forward_does_not_leak_normalized_weight():
    link = L.Linear(3, 2)
    hook = SpectralNormalization(n_power_iteration=50)
    link.add_hook(hook)
    param = link.W
    with pytest.raises(Exception):
        link(numpy.ones((2, 4), 'f'))
    assert link.W is param  # put back at once, not at the next call
    y = link(numpy.ones((2, 3), 'f'))
    assert link.W is param
    W = param.array
    sigma = numpy.linalg.svd(W, compute_uv=False)[0]
    numpy.testing.assert_allclose(
        y.array, numpy.ones((2, 3)).dot((W / sigma).T) + link.b.array, rtol=1e-3, atol=1e-4)


def test_lazy_link_called_without_input():
    # Chainer failed with an AttributeError; the next call with an input works.
    link = L.Linear(None, 2)
    link.add_hook(SpectralNormalization())
    with pytest.raises(ValueError, match='Input variable does not exist'):
        link(None)
    assert not hasattr(link, 'W_u')
    link(numpy.ones((4, 3), 'f'))
    assert link.W.shape == (2, 3) and link.W_u.shape == (2,)


def test_use_gamma_on_float16_weight():
    # Chainer's SVD refused float16; the largest singular value comes from float32.
    link = L.Linear(3, 4, initialW=chainer.initializers.Normal(1.0, dtype=numpy.float16))
    link.add_hook(SpectralNormalization(use_gamma=True))
    assert link.gamma.dtype == numpy.float16 and link.W_u.dtype == numpy.float16
    sigma = numpy.linalg.svd(link.W.array.astype(numpy.float32), compute_uv=False)[0]
    numpy.testing.assert_allclose(float(link.gamma.array), sigma, rtol=1e-3)


def test_failed_preparation_leaves_link_as_it_was():
    link = L.Linear(3, 2)
    link.W.array[0, 0] = numpy.nan
    with pytest.raises(numpy.linalg.LinAlgError):
        link.add_hook(SpectralNormalization(use_gamma=True))
    assert not hasattr(link, 'W_u') and not hasattr(link, 'gamma')
    assert sorted(link._persistent) == []


def test_failed_forward_puts_back_weight_of_inner_link():
    # The inner link's call fails; the outer call fails too; both put back.
    inner = L.Linear(3, 2)
    inner.add_hook(SpectralNormalization())
    outer = chainer.Sequential(inner)
    outer.add_hook(chainer.link_hooks.TimerHook())
    param = inner.W
    with pytest.raises(Exception):
        outer(numpy.ones((2, 4), 'f'))
    assert inner.W is param
    assert isinstance(dict(outer.namedparams())['/0/W'], chainer.Parameter)


@pytest.mark.parametrize('kwargs,labels', [
    ({}, ['MatMul', 'MatMul', '_ / _', 'LinearFunction']),
    ({'use_gamma': True}, ['MatMul', 'MatMul', '_ * _', '_ / _', 'LinearFunction']),
])
def test_nodes_seen_by_function_hooks(kwargs, labels):
    # the 0-d sigma (and gamma) broadcast in the arithmetic, as in Chainer
    seen = []

    class Rec(chainer.FunctionHook):
        def forward_preprocess(self, function, in_data):
            seen.append((function.label, [a.shape for a in in_data]))

    link = L.Linear(3, 2)
    link.add_hook(SpectralNormalization(**kwargs))
    with Rec():
        link(numpy.ones((1, 3), numpy.float32))
    assert [s[0] for s in seen] == labels
    assert seen[-2][1] == [(2, 3), ()]


def test_stacked_weight_hooks_put_back_the_parameter():
    # Postprocesses run in the order of the preprocesses; Chainer left the
    # spectrally normalized Variable in place of W after every call.
    link = L.Linear(3, 4)
    link.add_hook(SpectralNormalization(n_power_iteration=50))
    link.add_hook(chainer.link_hooks.WeightStandardization())
    param = link.W
    x = numpy.random.randn(2, 3).astype('f')
    with chainer.using_config('train', False):
        y = link(x)
    assert link.W is param
    W = param.array / numpy.linalg.svd(param.array, compute_uv=False)[0]
    W = (W - W.mean(axis=1, keepdims=True)) / numpy.sqrt(W.var(axis=1, keepdims=True) + 1e-5)
    numpy.testing.assert_allclose(y.array, x.dot(W.T) + link.b.array, rtol=1e-4, atol=1e-4)
    link.cleargrads()
    chainer.functions.sum(y).backward()
    assert param.grad is not None


def test_update_approximate_vectors_takes_a_variable():
    # Chainer's helper reads the array of its Variable argument.
    from chainer.link_hooks import spectral_normalization as sn
    rs = numpy.random.RandomState(0)
    W = rs.randn(3, 4).astype('f')
    u = rs.randn(3).astype('f')
    u1, v1 = sn.update_approximate_vectors(chainer.Variable(W), u, 20, 1e-6)
    u2, v2 = sn.update_approximate_vectors(W, u, 20, 1e-6)
    assert isinstance(u1, numpy.ndarray) and isinstance(v1, numpy.ndarray)
    numpy.testing.assert_array_equal(u1, u2)
    numpy.testing.assert_array_equal(v1, v2)
    sigma = sn.calculate_max_singular_value(chainer.Variable(W), u1, v1)
    numpy.testing.assert_allclose(
        sigma.array, numpy.linalg.svd(W, compute_uv=False)[0], rtol=1e-3)
