import itertools

import numpy
import pytest

import chainer
import chainer.links as L
from chainer import gradient_check
from chainer import initializers
from chainer import testing


def _score(cost, x, y):
    s = sum(x[i, y[i]] for i in range(len(y)))
    return s + sum(cost[y[i - 1], y[i]] for i in range(1, len(y)))


def _nll(cost, x, y):
    n_label = cost.shape[0]
    scores = [_score(cost, x, p) for p in itertools.product(range(n_label), repeat=len(y))]
    return numpy.logaddexp.reduce(scores) - _score(cost, x, y)


def _best(cost, x):
    n_label = cost.shape[0]
    paths = list(itertools.product(range(n_label), repeat=len(x)))
    scores = [_score(cost, x, p) for p in paths]
    i = int(numpy.argmax(scores))
    return scores[i], numpy.array(paths[i])


class TestCRF1dLink:

    def setup_method(self):
        self.n_label = 3
        self.lengths = [2, 4, 3]  # batch-major, unsorted
        self.seqs = [numpy.random.randn(n, 3).astype('f') for n in self.lengths]
        self.labels = [numpy.random.randint(0, 3, n).astype('i') for n in self.lengths]
        self.link = L.CRF1d(3)
        self.link.cost.array[...] = numpy.random.randn(3, 3)

    def _time_major(self, seqs):
        order = numpy.argsort([-len(s) for s in seqs], kind='stable')
        sorted_seqs = [seqs[i] for i in order]
        T = len(sorted_seqs[0])
        return [numpy.stack([s[t] for s in sorted_seqs if len(s) > t]) for t in range(T)], order

    def test_init(self):
        link = L.CRF1d(4)
        assert link.cost.shape == (4, 4)
        numpy.testing.assert_array_equal(link.cost.array, numpy.zeros((4, 4), 'f'))
        link = L.CRF1d(2, initial_cost=initializers.One())
        numpy.testing.assert_array_equal(link.cost.array, numpy.ones((2, 2), 'f'))

    def _expected(self):
        cost = self.link.cost.array.astype(numpy.float64)
        return numpy.array([_nll(cost, x, y) for x, y in zip(self.seqs, self.labels)])

    def test_forward_time_major(self):
        xs, order = self._time_major(self.seqs)
        ys, _ = self._time_major(self.labels)
        loss = self.link(xs, ys)
        numpy.testing.assert_allclose(loss.array, self._expected().mean(), rtol=1e-4)
        loss = self.link(xs, ys, reduce='no')
        numpy.testing.assert_allclose(loss.array, self._expected()[order], rtol=1e-4)

    def test_forward_transpose(self):
        loss = self.link(self.seqs, self.labels, transpose=True)
        numpy.testing.assert_allclose(loss.array, self._expected().mean(), rtol=1e-4)

    def test_forward_transpose_no_reduce_keeps_order(self):
        loss = self.link(self.seqs, self.labels, reduce='no', transpose=True)
        numpy.testing.assert_allclose(loss.array, self._expected(), rtol=1e-4)

    def test_forward_transpose_empty_sequences(self):
        seqs = self.seqs[:1] + [numpy.zeros((0, 3), 'f')] + self.seqs[1:]
        labels = self.labels[:1] + [numpy.zeros(0, 'i')] + self.labels[1:]
        expected = self._expected()
        loss = self.link(seqs, labels, reduce='no', transpose=True)
        numpy.testing.assert_allclose(
            loss.array, [expected[0], 0., expected[1], expected[2]], rtol=1e-4)
        # the mean is over the non-empty sequences, as in Chainer
        loss = self.link(seqs, labels, transpose=True)
        numpy.testing.assert_allclose(loss.array, expected.mean(), rtol=1e-4)
        loss.backward()
        assert self.link.cost.grad is not None

    def test_argmax(self):
        cost = self.link.cost.array.astype(numpy.float64)
        expected = [_best(cost, x) for x in self.seqs]
        score, path = self.link.argmax(self.seqs, transpose=True)
        numpy.testing.assert_allclose(score.array, [e[0] for e in expected], rtol=1e-4)
        assert len(path) == 3
        for p, e in zip(path, expected):
            numpy.testing.assert_array_equal(p, e[1])

    def test_argmax_time_major(self):
        xs, order = self._time_major(self.seqs)
        cost = self.link.cost.array.astype(numpy.float64)
        score, path = self.link.argmax(xs)
        expected = [_best(cost, self.seqs[i]) for i in order]
        numpy.testing.assert_allclose(score.array, [e[0] for e in expected], rtol=1e-4)
        assert len(path) == len(xs)
        for b, e in enumerate(expected):
            got = [p[b] for p in path if len(p) > b]
            numpy.testing.assert_array_equal(got, e[1])

    def test_backward(self):
        seqs = [s.astype(numpy.float64) for s in self.seqs]
        cost = self.link.cost.array.astype(numpy.float64)

        def f(cost, *xs):
            with self.link.init_scope():
                self.link.cost = cost
            return self.link(list(xs), self.labels, transpose=True)

        gradient_check.check_backward(f, (cost, *seqs), None, atol=1e-4, rtol=1e-4)

    def test_bad_input(self):
        with pytest.raises(ValueError):
            self.link(self.seqs, self.labels[:2], transpose=True)
        with pytest.raises(Exception):
            self.link([numpy.ones((2, 4), 'f')], [numpy.zeros(2, 'i')])

    def test_save_load(self):
        dst = L.CRF1d(3)
        testing.save_and_load_npz(self.link, dst)
        numpy.testing.assert_array_equal(dst.cost.array, self.link.cost.array)

    def test_chain_gradient(self):
        link = L.CRF1d(3)
        link.cleargrads()
        link(self.seqs, self.labels, transpose=True).backward()
        assert link.cost.grad.shape == (3, 3)
        assert isinstance(link.cost, chainer.Parameter)
