"""Tests of L.GRU, L.StatefulGRU, L.StatelessGRU, L.StatefulMGU and L.StatelessMGU."""
import numpy
import pytest

import chainer
import chainer.links as L
from tests.chainer_tests.functions_tests.rnn_tests import _reference as R


def _lin(link, x):
    return x @ link.W.array.T + link.b.array


def _gru_ref(link, h, x):
    r = R.sigmoid(_lin(link.W_r, x) + _lin(link.U_r, h))
    z = R.sigmoid(_lin(link.W_z, x) + _lin(link.U_z, h))
    h_bar = numpy.tanh(_lin(link.W, x) + _lin(link.U, r * h))
    return z * h_bar + (1 - z) * h


def _mgu_ref(link, h, x):
    f = R.sigmoid(_lin(link.W_f, numpy.concatenate([h, x], axis=1)))
    h_bar = numpy.tanh(_lin(link.W_h, numpy.concatenate([f * h, x], axis=1)))
    return f * h_bar + (1 - f) * h


def _xs(n=3, batch=2, size=3):
    return [numpy.random.uniform(-1, 1, (batch, size)).astype(numpy.float32)
            for _ in range(n)]


def test_stateless_gru():
    link = L.StatelessGRU(3, 4, bias_init=0.1)
    h = numpy.random.uniform(-1, 1, (2, 4)).astype(numpy.float32)
    x = _xs(1)[0]
    numpy.testing.assert_allclose(link(h, x).array, _gru_ref(link, h, x), atol=1e-5)


@pytest.mark.parametrize('cls', [L.GRU, L.StatefulGRU])
def test_stateful_gru(cls):
    link = cls(3, 4)
    xs = _xs()
    x0 = xs[0]
    z = R.sigmoid(_lin(link.W_z, x0))
    h = z * numpy.tanh(_lin(link.W, x0))
    numpy.testing.assert_allclose(link(x0).array, h, atol=1e-5)
    for x in xs[1:]:
        h = _gru_ref(link, h, x)
        numpy.testing.assert_allclose(link(x).array, h, atol=1e-5)
    link.reset_state()
    assert link.h is None
    link.set_state(chainer.Variable(numpy.zeros((2, 4), numpy.float32)))
    numpy.testing.assert_allclose(link(x0).array, _gru_ref(link, numpy.zeros((2, 4)), x0),
                                  atol=1e-5)


def test_gru_is_stateful():
    link = L.GRU(3, 4)
    with pytest.raises(ValueError, match='StatelessGRU'):
        link(numpy.zeros((2, 4), numpy.float32), _xs(1)[0])


def test_stateless_mgu():
    link = L.StatelessMGU(3, 4)
    h = numpy.random.uniform(-1, 1, (2, 4)).astype(numpy.float32)
    x = _xs(1)[0]
    numpy.testing.assert_allclose(link(h, x).array, _mgu_ref(link, h, x), atol=1e-5)


def test_stateful_mgu():
    link = L.StatefulMGU(3, 4)
    h = numpy.zeros((2, 4))
    for x in _xs():
        h = _mgu_ref(link, h, x)
        numpy.testing.assert_allclose(link(x).array, h, atol=1e-5)
    link.to_cpu()
    link.reset_state()
    assert link.h is None


def test_gru_backward():
    link = L.StatefulGRU(3, 4)
    loss = sum(chainer.functions.sum(link(x)) for x in _xs())
    loss.backward()
    assert all(p.grad is not None for p in link.params())
