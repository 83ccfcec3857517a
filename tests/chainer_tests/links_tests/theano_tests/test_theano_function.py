"""Tests of L.TheanoFunction: without Theano it refuses clearly; its wiring is
checked against a tiny stand-in for the parts of Theano it uses (linear
expressions only)."""
import itertools
import sys
import types

import numpy
import pytest

import chainer
import chainer.links as L

_ids = itertools.count()


class _Linear:
    """A symbolic linear combination ``sum(coeff * symbol)``."""

    def __init__(self, terms):
        self.terms = dict(terms)

    @classmethod
    def symbol(cls):
        return cls({next(_ids): 1.0})

    def type(self, name):
        return _Linear.symbol()

    def __add__(self, other):
        terms = dict(self.terms)
        for k, c in other.terms.items():
            terms[k] = terms.get(k, 0.0) + c
        return _Linear(terms)

    def __mul__(self, c):
        return _Linear({k: v * c for k, v in self.terms.items()})

    __rmul__ = __mul__


def _function(inputs, outputs, on_unused_input='raise'):
    keys = [next(iter(v.terms)) for v in inputs]

    def run(*arrays):
        env = dict(zip(keys, arrays))
        return [sum(c * env[k] for k, c in out.terms.items()) for out in outputs]
    return run


def _grad(cost, wrt, known_grads, disconnected_inputs='raise'):
    assert cost is None
    grads = []
    for w in wrt:
        key = next(iter(w.terms))
        g = w * 0.0  # disconnected inputs get zeros
        for out, g_out in known_grads.items():
            g = g + g_out * out.terms.get(key, 0.0)
        grads.append(g)
    return grads


@pytest.fixture
def fake_theano(monkeypatch):
    theano = types.ModuleType('theano')
    theano.function = _function
    theano.tensor = types.SimpleNamespace(TensorVariable=_Linear, grad=_grad)
    monkeypatch.setitem(sys.modules, 'theano', theano)
    return theano


def test_requires_theano(monkeypatch):
    monkeypatch.setitem(sys.modules, 'theano', None)  # import theano fails
    with pytest.raises(RuntimeError, match='requires Theano'):
        L.TheanoFunction(None, None)


def test_module_layout():
    from chainer.functions.theano import theano_function as f_module
    from chainer.links.theano import theano_function as l_module
    assert L.TheanoFunction is l_module.TheanoFunction
    assert l_module.theano_function is f_module
    assert issubclass(L.TheanoFunction, chainer.Link)


def test_forward_and_backward(fake_theano):
    x, y, z = _Linear.symbol(), _Linear.symbol(), _Linear.symbol()
    with pytest.warns(FutureWarning):
        link = L.TheanoFunction(inputs=[x, y, z], outputs=(2 * x + y, y * 3.0))
    xs = [numpy.random.uniform(-1, 1, (2, 3)).astype(numpy.float32) for _ in range(3)]
    vs = [chainer.Variable(a) for a in xs]
    out0, out1 = link(*vs)
    numpy.testing.assert_allclose(out0.array, 2 * xs[0] + xs[1])
    numpy.testing.assert_allclose(out1.array, 3 * xs[1])
    g0 = numpy.random.uniform(-1, 1, (2, 3)).astype(numpy.float32)
    g1 = numpy.random.uniform(-1, 1, (2, 3)).astype(numpy.float32)
    chainer.backward([out0, out1], [chainer.Variable(g0), chainer.Variable(g1)])
    numpy.testing.assert_allclose(vs[0].grad, 2 * g0, rtol=1e-6)
    numpy.testing.assert_allclose(vs[1].grad, g0 + 3 * g1, rtol=1e-6)
    numpy.testing.assert_array_equal(vs[2].grad, numpy.zeros((2, 3)))
    assert vs[2].grad.dtype == numpy.float32


def test_single_variables(fake_theano):
    x = _Linear.symbol()
    link = L.TheanoFunction(x, x * 4.0)
    v = chainer.Variable(numpy.ones(3))
    y = link(v)
    assert isinstance(y, chainer.Variable)
    y.grad = numpy.ones(3)
    y.backward()
    numpy.testing.assert_array_equal(v.grad, [4, 4, 4])


def test_bad_inputs_and_outputs(fake_theano):
    x = _Linear.symbol()
    with pytest.raises(TypeError, match='inputs'):
        L.TheanoFunction(numpy.ones(2), x)
    with pytest.raises(TypeError, match='outputs'):
        L.TheanoFunction(x, [x, 'y'])
