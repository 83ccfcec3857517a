"""The array-level backward (``static_backward``) of nodes replayed by static graphs
must give exactly what their Variable-level ``backward`` gives."""
import numpy
import pytest

import chainer
import chainer.functions as F
from chainer.functions.activation.relu import ReLU
from chainer.functions.activation.tanh import Tanh
from chainer.functions.connection.linear import LinearFunction
from chainer.functions.loss.softmax_cross_entropy import SoftmaxCrossEntropy
from chainer.functions.math import basic_math
from chainer.graph_optimizations.static_graph import array_backward_of


def _uniform(rng, shape, dtype=numpy.float32):
    return rng.uniform(-1, 1, shape).astype(dtype)


def _check(node_factory, inputs, indexes, gy=None):
    """Runs a fresh node forward, then compares its two backward paths."""
    node = node_factory()
    xs = [chainer.Variable(a) for a in inputs]
    ys = node.apply(xs)
    rng = numpy.random.RandomState(3)
    if gy is None:
        gy = tuple(_uniform(rng, y.shape, y.dtype) for y in ys)
    with chainer.no_backprop_mode():
        expected = node.backward(indexes, tuple(chainer.Variable(g) for g in gy))
    if len(expected) != len(indexes):  # one per input: keep the targets'
        expected = [expected[i] for i in indexes]
    static_backward = array_backward_of(node)
    assert static_backward is not None
    got = static_backward(indexes, tuple(inputs), tuple(y.array for y in ys), gy)
    assert len(got) == len(indexes)
    for e, g in zip(expected, got):
        if e is None:
            assert g is None
            continue
        assert type(g) is numpy.ndarray
        assert g.dtype == e.dtype and g.shape == e.shape
        numpy.testing.assert_array_equal(g, e.array)


@pytest.mark.parametrize('indexes', [(0, 1, 2), (1, 2), (0,), (2,)])
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_linear(indexes, dtype):
    rng = numpy.random.RandomState(0)
    x, W, b = _uniform(rng, (3, 5), dtype), _uniform(rng, (4, 5), dtype), _uniform(rng, (4,), dtype)
    _check(LinearFunction, (x, W, b), indexes)


def test_linear_without_bias():
    rng = numpy.random.RandomState(0)
    _check(LinearFunction, (_uniform(rng, (2, 3)), _uniform(rng, (4, 3))), (0, 1))


def test_linear_mixed_dtypes():
    rng = numpy.random.RandomState(0)
    x, W = _uniform(rng, (2, 3), numpy.float16), _uniform(rng, (4, 3), numpy.float32)
    _check(LinearFunction, (x, W), (0, 1), gy=(_uniform(rng, (2, 4), numpy.float16),))


@pytest.mark.parametrize('node', [ReLU, Tanh])
def test_activations(node):
    rng = numpy.random.RandomState(1)
    _check(node, (_uniform(rng, (3, 4)),), (0,))


@pytest.mark.parametrize('shapes', [((3, 4), (3, 4)), ((3, 4), (4,)), ((1, 4), (3, 1))])
@pytest.mark.parametrize('node', [basic_math.Add, basic_math.Sub, basic_math.Mul])
@pytest.mark.parametrize('indexes', [(0, 1), (0,), (1,)])
def test_binary(node, shapes, indexes):
    rng = numpy.random.RandomState(2)
    _check(node, tuple(_uniform(rng, s) for s in shapes), indexes)


@pytest.mark.parametrize('node', [lambda: basic_math.AddConstant(2.5),
                                  lambda: basic_math.MulConstant(-1.5),
                                  basic_math.Neg])
def test_unary(node):
    rng = numpy.random.RandomState(4)
    _check(node, (_uniform(rng, (2, 3)),), (0,))


@pytest.mark.parametrize('kwargs', [{}, {'reduce': 'no'}, {'ignore_label': 1},
                                    {'class_weight': numpy.array([1., 2., .5], 'f')},
                                    {'cache_score': False}])
def test_softmax_cross_entropy(kwargs):
    rng = numpy.random.RandomState(5)
    x = _uniform(rng, (4, 3))
    t = numpy.array([0, 1, 2, 1], numpy.int32)
    _check(lambda: SoftmaxCrossEntropy(**kwargs), (x, t), (0,))


def test_softmax_cross_entropy_soft_target():
    rng = numpy.random.RandomState(6)
    x = _uniform(rng, (4, 3))
    t = numpy.abs(_uniform(rng, (4, 3)))
    t /= t.sum(axis=1, keepdims=True)
    _check(SoftmaxCrossEntropy, (x, t), (0,))


def test_nodes_without_one():
    assert array_backward_of(F.sigmoid(numpy.ones(2, 'f')).creator_node) is None


def test_subclass_overriding_backward_gets_none():
    class Custom(ReLU):
        def backward(self, indexes, grad_outputs):
            return grad_outputs

    class Plain(ReLU):
        pass

    assert array_backward_of(Custom()) is None
    assert array_backward_of(Plain()) is not None
