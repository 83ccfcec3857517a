import numpy
import pytest

import chainer
import chainer.links as L
from chainer import gradient_check
from chainer import testing


def _log_sigmoid(x):
    return -numpy.logaddexp(0, -x)


class TestNegativeSamplingLink:

    def setup_method(self):
        self.counts = [1, 2, 3, 4, 5, 6]
        self.x = numpy.random.randn(4, 3).astype('f')
        self.t = numpy.array([0, 2, 5, 1], 'i')

    def _link(self, **kwargs):
        link = L.NegativeSampling(3, self.counts, 2, **kwargs)
        link.W.array[...] = numpy.random.randn(6, 3)
        return link

    def test_init(self):
        link = L.NegativeSampling(3, self.counts, 2)
        assert link.W.shape == (6, 3) and link.W.dtype == numpy.float32
        numpy.testing.assert_array_equal(link.W.array, numpy.zeros((6, 3), 'f'))
        assert link.sample_size == 2

    def test_sampler_distribution(self):
        link = L.NegativeSampling(3, self.counts, 2, power=0.5)
        p = numpy.array(self.counts, numpy.float64) ** 0.5
        numpy.random.seed(0)
        samples = link.sampler.sample((20000,))
        freq = numpy.bincount(samples, minlength=6) / 20000
        numpy.testing.assert_allclose(freq, p / p.sum(), atol=0.02)

    def test_dtype(self):
        # As in Chainer, W follows chainer.config.dtype whatever dtype says.
        link = L.NegativeSampling(3, self.counts, 2, dtype=numpy.float64)
        assert link.W.dtype == numpy.float32
        with chainer.using_config('dtype', numpy.float64):
            link = L.NegativeSampling(3, self.counts, 2, dtype=numpy.float16)
        assert link.W.dtype == numpy.float64

    @pytest.mark.parametrize('reduce', ['sum', 'no'])
    def test_forward(self, reduce):
        link = self._link()
        loss, samples = link(self.x, self.t, reduce=reduce, return_samples=True)
        assert samples.shape == (4, 3)
        numpy.testing.assert_array_equal(samples[:, 0], self.t)
        W = link.W.array
        expected = numpy.empty(4)
        for i in range(4):
            s = W[samples[i]].dot(self.x[i])
            expected[i] = -_log_sigmoid(s[0]) - _log_sigmoid(-s[1:]).sum()
        if reduce == 'sum':
            expected = expected.sum()
        numpy.testing.assert_allclose(loss.array, expected, rtol=1e-4, atol=1e-5)

    def test_backward(self):
        link = self._link()
        samples = numpy.random.randint(0, 6, (4, 3)).astype('i')
        link.sampler.sample = lambda shape: samples.copy()
        x = self.x.astype(numpy.float64)
        W = link.W.array.astype(numpy.float64)

        def f(x, W):
            with link.init_scope():
                link.W = W
            return link(x, self.t)

        gradient_check.check_backward(f, (x, W), None, atol=1e-4, rtol=1e-4)

    def test_bad_kwarg(self):
        with pytest.raises(TypeError):
            self._link()(self.x, self.t, foo=1)

    def test_bad_input(self):
        with pytest.raises(Exception):
            self._link()(numpy.ones((4, 2), 'f'), self.t)

    def test_save_load(self):
        src = self._link()
        dst = L.NegativeSampling(3, self.counts, 2)
        testing.save_and_load_npz(src, dst)
        numpy.testing.assert_array_equal(dst.W.array, src.W.array)

    def test_to_cpu_keeps_sampler(self):
        link = self._link()
        link.to_device('@numpy')
        assert link.sampler.device == chainer.backend.CpuDevice()


@pytest.mark.gpu
def test_negative_sampling_gpu():
    import cupy
    link = L.NegativeSampling(3, [1, 2, 3, 4], 2)
    link.to_gpu()
    assert isinstance(link.sampler.threshold, cupy.ndarray)
    loss = link(cupy.ones((2, 3), 'f'), cupy.array([0, 1], 'i'))
    assert isinstance(loss.array, cupy.ndarray)


def test_link_calls_the_function_through_its_module(monkeypatch):
    from chainer.functions.loss import negative_sampling as ns_module
    calls = []
    original = ns_module.negative_sampling

    def spy(*args, **kwargs):
        calls.append(kwargs)
        return original(*args, **kwargs)

    monkeypatch.setattr(ns_module, 'negative_sampling', spy)
    link = L.NegativeSampling(3, [1, 2, 3], 2)
    link(numpy.ones((2, 3), 'f'), numpy.array([0, 1], 'i'), reduce='no')
    assert len(calls) == 1
    assert calls[0] == {'reduce': 'no', 'return_samples': False}


def test_link_draws_from_its_sampler_once_per_call():
    link = L.NegativeSampling(3, [1, 2, 3, 4], 2)
    shapes = []
    sample = link.sampler.sample

    def counting(shape):
        shapes.append(shape)
        return sample(shape)

    link.sampler.sample = counting
    link(numpy.ones((5, 3), 'f'), numpy.array([0, 1, 2, 3, -1], 'i'))
    assert shapes == [(5, 3)]
