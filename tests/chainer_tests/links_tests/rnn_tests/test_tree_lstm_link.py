"""Tests of L.ChildSumTreeLSTM and L.NaryTreeLSTM."""
import numpy
import pytest

import chainer
import chainer.links as L
from tests.chainer_tests.functions_tests.rnn_tests import _reference as R


def _lin(link, x):
    y = x @ link.W.array.T
    return y if link.b is None else y + link.b.array


def _cell(a, i, o, fs, cs):
    c = numpy.tanh(a) * R.sigmoid(i)
    for f, ck in zip(fs, cs):
        c = c + R.sigmoid(f) * ck
    return c, R.sigmoid(o) * numpy.tanh(c)


def _rand(*shape):
    return numpy.random.uniform(-1, 1, shape).astype(numpy.float32)


def test_child_sum():
    link = L.ChildSumTreeLSTM(3, 2)
    cs, hs, x = [_rand(4, 2) for _ in range(3)], [_rand(4, 2) for _ in range(3)], _rand(4, 3)
    c, h = link(*cs, *hs, x)
    wx = _lin(link.W_x, x)
    aio = _lin(link.W_h_aio, sum(hs)) + wx[:, :6]
    fs = [_lin(link.W_h_f, hk) + wx[:, 6:] for hk in hs]
    rc, rh = _cell(aio[:, :2], aio[:, 2:4], aio[:, 4:], fs, cs)
    numpy.testing.assert_allclose(c.array, rc, atol=1e-5)
    numpy.testing.assert_allclose(h.array, rh, atol=1e-5)


def test_child_sum_leaf_and_missing_input():
    link = L.ChildSumTreeLSTM(3, 2)
    x = _rand(4, 3)
    c, h = link(None, None, x)
    wx = _lin(link.W_x, x)
    rc, rh = _cell(wx[:, :2], wx[:, 2:4], wx[:, 4:6], [], [])
    numpy.testing.assert_allclose(h.array, rh, atol=1e-5)
    c2, h2 = link(c, None, h, None, None)
    assert h2.shape == (4, 2)
    with pytest.raises(ValueError):
        link(None, None, None)


def test_child_sum_leaf_call_and_zero_children_gradients():
    # As Chainer: x alone is a leaf, and children given as None are zero
    # states whose recurrent weights get zero (not missing) gradients.
    link = L.ChildSumTreeLSTM(3, 2)
    x = _rand(4, 3)
    c0, h0 = link(x)
    c, h = link(None, None, x)
    numpy.testing.assert_allclose(h0.array, h.array, atol=1e-6)
    numpy.testing.assert_allclose(c0.array, c.array, atol=1e-6)
    link.cleargrads()
    chainer.functions.sum(h).backward()
    for name in ('W_h_aio', 'W_h_f'):
        grad = getattr(link, name).W.grad
        assert grad is not None and not grad.any(), name
    with pytest.raises(ValueError):
        link(None, x)


@pytest.mark.parametrize('n_ary', [1, 3])
def test_nary(n_ary):
    link = L.NaryTreeLSTM(3, 2, n_ary=n_ary)
    cs = [_rand(4, 2) for _ in range(n_ary)]
    hs = [_rand(4, 2) for _ in range(n_ary)]
    hs[0] = None
    x = _rand(4, 3)
    c, h = link(*cs, *hs, x)
    g = _lin(link.W_x, x)
    for k, hk in enumerate(hs, start=1):
        if hk is not None:
            g = g + _lin(getattr(link, f'W_h{k}'), hk)
    b = [g[:, 2 * k:2 * k + 2] for k in range(3 + n_ary)]
    rc, rh = _cell(b[0], b[1], b[2], b[3:], cs)
    numpy.testing.assert_allclose(c.array, rc, atol=1e-5)
    numpy.testing.assert_allclose(h.array, rh, atol=1e-5)
    chainer.functions.sum(h).backward()
    with pytest.raises(ValueError):
        link(x)
    with pytest.raises(AssertionError):  # what Chainer's assert raised
        link(x)


def test_bad_argument_counts_are_value_and_assertion_errors():
    x = _rand(2, 3)
    with pytest.raises(ValueError):
        L.NaryTreeLSTM(3, 2, n_ary=0)
    with pytest.raises(AssertionError):
        L.NaryTreeLSTM(3, 2, n_ary=0)
    with pytest.raises(AssertionError):
        L.ChildSumTreeLSTM(3, 2)(_rand(2, 2), x)
