import numpy
import pytest

import chainer.links as L
from chainer import gradient_check
from chainer import testing
from chainer.utils import type_check


class TestBlackOutLink:

    def setup_method(self):
        self.counts = [3, 2, 1, 5, 4]
        self.link = L.BlackOut(3, self.counts, 2)
        self.link.W.array[...] = numpy.random.uniform(-0.5, 0.5, (5, 3))
        self.x = numpy.random.uniform(-1, 1, (4, 3)).astype('f')
        self.t = numpy.array([0, 2, 4, 1], 'i')
        self.samples = numpy.array([[1, 3], [0, 4], [2, 3], [3, 0]], 'i')

    def test_init(self):
        assert self.link.W.shape == (5, 3)
        assert numpy.isfinite(self.link.W.array).all()
        assert self.link.sample_size == 2
        assert L.BlackOut.sample_data is None

    def test_forward(self):
        self.link.sample_data = self.samples
        loss = self.link(self.x, self.t)
        W = self.link.W.array.astype(numpy.float64)
        total = 0
        for i in range(4):
            ids = numpy.concatenate([[self.t[i]], self.samples[i]])
            y = W[ids].dot(self.x[i])
            logz = numpy.log(numpy.exp(y).sum())
            total += -(y[0] - logz + numpy.log(1 - numpy.exp(y[1:] - logz)).sum())
        numpy.testing.assert_allclose(loss.array, total / 4, rtol=1e-4)
        assert loss.shape == ()

    def test_sampled(self):
        loss = self.link(self.x, self.t)
        assert loss.shape == () and numpy.isfinite(loss.array)

    def test_backward(self):
        self.link.sample_data = self.samples
        x = self.x.astype(numpy.float64)
        W = self.link.W.array.astype(numpy.float64)

        def f(x, W):
            with self.link.init_scope():
                self.link.W = W
            return self.link(x, self.t)

        gradient_check.check_backward(f, (x, W), None, atol=1e-4, rtol=1e-4)

    def test_bad_input(self):
        with pytest.raises(type_check.InvalidType):
            self.link(numpy.ones((4, 2), 'f'), self.t)
        self.link.sample_data = numpy.array([[9, 9]] * 4, 'i')
        with pytest.raises(ValueError):
            self.link(self.x, self.t)

    def test_save_load(self):
        dst = L.BlackOut(3, self.counts, 2)
        testing.save_and_load_npz(self.link, dst)
        numpy.testing.assert_array_equal(dst.W.array, self.link.W.array)


def test_init_leaves_global_random_stream():
    # Chainer's BlackOut drew nothing from numpy.random when built: with a
    # seed, the samples and the links built after it are the same as there.
    numpy.random.seed(3)
    expected = numpy.random.uniform(size=4)
    numpy.random.seed(3)
    link = L.BlackOut(3, [1, 2, 3], 2)
    numpy.testing.assert_array_equal(numpy.random.uniform(size=4), expected)
    assert numpy.isfinite(link.W.array).all()
    assert 0 < link.W.array.std() < 2


def test_pickle_holds_no_random_generator():
    # A generator pickled under NumPy 2 does not load under NumPy 1 (Chainer).
    import pickle
    link = L.BlackOut(3, [1, 2, 3], 2)
    assert b'RandomState' not in pickle.dumps(link)
