import numpy
import pytest

import chainer
import chainer.links as L
from chainer import gradient_check
from chainer.link_hooks import WeightStandardization


def _standardize(W, eps=1e-5):
    flat = W.reshape(W.shape[0], -1)
    mean = flat.mean(axis=1, keepdims=True)
    var = flat.var(axis=1, keepdims=True)
    return ((flat - mean) / numpy.sqrt(var + eps)).reshape(W.shape)


class TestWeightStandardization:

    def setup_method(self):
        self.x = numpy.random.randn(4, 5).astype('f')

    def test_defaults(self):
        hook = WeightStandardization()
        assert hook.name == 'WeightStandardization'
        assert hook.eps == 1e-5 and hook.weight_name == 'W'
        assert WeightStandardization(name='ws').name == 'ws'
        with pytest.raises(TypeError):
            WeightStandardization(1e-3)

    def test_forward(self):
        link = L.Linear(5, 3)
        link.add_hook(WeightStandardization())
        y = link(self.x)
        expected = self.x.dot(_standardize(link.W.array).T) + link.b.array
        numpy.testing.assert_allclose(y.array, expected, rtol=1e-4, atol=1e-5)
        assert isinstance(link.W, chainer.Parameter)
        assert [n for n, _ in link.namedparams()] == ['/W', '/b']

    def test_weight_is_group_normalization_with_one_group(self):
        # Chainer standardizes through F.group_normalization (one group, unit
        # scale, zero shift); the same function gives the same rounding.
        link = L.Convolution2D(2, 3, 3)
        seen = []

        class Spy(chainer.LinkHook):
            name = 'spy'

            def forward_preprocess(self, args):
                seen.append(args.link.W)

        link.add_hook(WeightStandardization())
        link.add_hook(Spy())
        link(numpy.random.randn(1, 2, 5, 5).astype('f'))
        W = link.W.array
        expected = chainer.functions.group_normalization(
            W, 1, numpy.ones(2, 'f'), numpy.zeros(2, 'f'), eps=1e-5)
        numpy.testing.assert_array_equal(seen[0].array, expected.array)
        assert seen[0].creator.label == 'GroupNormalization'

    def test_lazy(self):
        link = L.Linear(3)
        link.add_hook(WeightStandardization(eps=1e-3))
        y = link(self.x)
        assert link.W.shape == (3, 5)
        expected = self.x.dot(_standardize(link.W.array, 1e-3).T) + link.b.array
        numpy.testing.assert_allclose(y.array, expected, rtol=1e-4, atol=1e-5)

    def test_gradient(self):
        link = L.Linear(5, 3, nobias=True)
        link.add_hook(WeightStandardization())
        x = self.x.astype(numpy.float64)
        W = numpy.random.randn(3, 5)

        def f(x, W):
            with link.init_scope():
                link.W = W
            return link(x)

        gradient_check.check_backward(f, (x, W), numpy.random.randn(4, 3),
                                      atol=1e-4, rtol=1e-4)

    def test_gradient_depthwise_convolution(self):
        # The depthwise convolution transposes the standardized weight, so its
        # gradient reaches the standardization with transposed strides.
        link = L.DepthwiseConvolution2D(2, 2, 2, nobias=True)
        link.add_hook(WeightStandardization())
        x = numpy.random.randn(1, 2, 3, 3)
        W = numpy.random.randn(2, 2, 2, 2)

        def f(x, W):
            with link.init_scope():
                link.W = W
            return link(x)

        gradient_check.check_backward(f, (x, W), numpy.random.randn(1, 4, 2, 2),
                                      atol=1e-4, rtol=1e-4)

    def test_bad_weight(self):
        with pytest.raises(ValueError):
            L.Linear(5, 3).add_hook(WeightStandardization(weight_name='V'))
        link = L.PReLU((3,))
        link.add_hook(WeightStandardization())
        with pytest.raises(ValueError):
            link(numpy.ones((2, 3), 'f'))

    def test_not_a_context_manager(self):
        with pytest.raises(NotImplementedError):
            with WeightStandardization():
                pass


def test_failed_forward_does_not_leak_standardized_weight():
    link = L.Linear(3, 2)
    link.add_hook(WeightStandardization())
    param = link.W
    with pytest.raises(Exception):
        link(numpy.ones((2, 4), 'f'))
    # put back at once: saved files and optimizers see the parameter
    assert link.W is param
    link(numpy.ones((2, 3), 'f'))
    assert link.W is param


@pytest.mark.parametrize('args', [(None,), ()])
def test_lazy_link_called_without_input(args):
    # A ValueError as in Chainer, and the next call with an input still works.
    link = L.Linear(None, 2)
    link.add_hook(WeightStandardization())
    with pytest.raises(ValueError, match='Input variable does not exist'):
        link(*args)
    assert link.W.array is None
    y = link(numpy.ones((4, 3), 'f'))
    assert y.shape == (4, 2) and link.W.shape == (2, 3)
