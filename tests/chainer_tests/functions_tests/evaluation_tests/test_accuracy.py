import numpy
import pytest

import chainer
import chainer.functions as F
from chainer.functions.evaluation.accuracy import accuracy
from chainer.functions.evaluation.binary_accuracy import binary_accuracy
from chainer.utils import type_check


def _ref_accuracy(x, t, ignore_label):
    pred = x.argmax(axis=1).reshape(t.shape)
    keep = numpy.ones(t.shape, bool) if ignore_label is None else t != ignore_label
    if keep.sum() == 0:
        return 0.0
    return float(((pred == t) & keep).sum()) / keep.sum()


@pytest.mark.parametrize('x_shape, t_shape', [
    ((10, 3), (10,)), ((4, 3, 5), (4, 5)), ((4, 3, 5, 1), (4, 5)), ((6, 2, 1), (6,)),
])
@pytest.mark.parametrize('ignore_label', [None, 0])
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_accuracy(x_shape, t_shape, ignore_label, dtype):
    rng = numpy.random.RandomState(1)
    x = rng.uniform(-1, 1, x_shape).astype(dtype)
    t = rng.randint(0, 3 if x_shape[1] == 3 else 2, t_shape).astype(numpy.int32)
    y = accuracy(x, t, ignore_label=ignore_label)
    assert isinstance(y, chainer.Variable) and y.shape == () and y.dtype == dtype
    assert isinstance(y.array, numpy.ndarray)
    numpy.testing.assert_allclose(y.array, _ref_accuracy(x, t, ignore_label), rtol=1e-3)


def test_accuracy_all_ignored_is_zero():
    y = accuracy(numpy.zeros((2, 3), numpy.float32), numpy.array([-1, -1], numpy.int32),
                 ignore_label=-1)
    assert float(y.array) == 0.0


def test_accuracy_carries_no_gradient():
    x = chainer.Variable(numpy.random.rand(4, 3).astype(numpy.float32))
    acc = accuracy(x, numpy.array([0, 1, 2, 0], numpy.int32))
    acc.backward()
    assert x.grad is None


def test_accuracy_bad_inputs():
    x = numpy.zeros((4, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        accuracy(x, numpy.zeros(4, numpy.float32))
    with pytest.raises(type_check.InvalidType):
        accuracy(x, numpy.zeros(5, numpy.int32))
    with pytest.raises(type_check.InvalidType):
        accuracy(numpy.zeros((4, 3, 2), numpy.float32), numpy.zeros((4, 3), numpy.int32))
    with pytest.raises(type_check.InvalidType):
        accuracy(numpy.zeros((4, 3, 2), numpy.float32), numpy.zeros(4, numpy.int32))


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_binary_accuracy(dtype):
    x = numpy.array([[0.5, -1.0, 0.0], [-0.2, 2.0, -3.0]], dtype)
    t = numpy.array([[1, 1, -1], [0, 1, 1]], numpy.int32)
    y = binary_accuracy(x, t)
    assert y.dtype == dtype and y.shape == ()
    numpy.testing.assert_allclose(y.array, 3 / 5, rtol=1e-3)


def test_binary_accuracy_all_ignored_and_bad_inputs():
    y = binary_accuracy(numpy.ones(3, numpy.float32), -numpy.ones(3, numpy.int32))
    assert float(y.array) == 0.0
    with pytest.raises(type_check.InvalidType):
        binary_accuracy(numpy.ones(3, numpy.float32), numpy.ones(4, numpy.int32))
    with pytest.raises(type_check.InvalidType):
        binary_accuracy(numpy.ones(3, numpy.int32), numpy.ones(3, numpy.int32))


def test_exported():
    assert F.accuracy is accuracy and F.binary_accuracy is binary_accuracy


def test_binary_accuracy_node_keeps_its_inputs():
    # Chainer's BinaryAccuracy was an old-style Function, whose node kept every input;
    # WebDNN's converter reads an array input's data from the node.
    y = numpy.array([1, -1, 2], numpy.float32)
    t = numpy.array([1, 0, 0], numpy.int32)
    node = F.binary_accuracy(y, t).creator
    assert [n.data is not None for n in node.inputs] == [True, True]
    numpy.testing.assert_array_equal(node.inputs[1].data, t)
