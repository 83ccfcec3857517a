"""Tests of chainer.utils.sparse (CooMatrix, to_coo, get_order)."""
import numpy
import pytest

import chainer
from chainer.utils import sparse


def test_to_coo_roundtrip_2d_with_padding():
    x = numpy.array([[0, 1, 0], [2, 0, 3]], numpy.float32)
    coo = sparse.to_coo(x, ldnz=5)
    assert isinstance(coo.data, chainer.Variable)
    assert not coo.data.requires_grad
    numpy.testing.assert_array_equal(coo.data.array, [1, 2, 3, 0, 0])
    numpy.testing.assert_array_equal(coo.row, [0, 1, 1, -1, -1])
    numpy.testing.assert_array_equal(coo.col, [1, 0, 2, -1, -1])
    assert coo.row.dtype == numpy.int32
    assert coo.shape == (2, 3)
    assert coo.order == 'C'
    numpy.testing.assert_array_equal(coo.to_dense(), x)
    assert sparse.to_coo(x, ldnz=1).data.shape == (3,)


def test_to_coo_batched():
    x = numpy.zeros((2, 3, 3), numpy.float64)
    x[0] = numpy.eye(3)
    x[1, 0, 2] = 5
    coo = sparse.to_coo(x, requires_grad=True)
    assert coo.data.shape == (2, 3)
    assert coo.data.requires_grad
    assert coo.shape == (3, 3)
    numpy.testing.assert_array_equal(coo.to_dense(), x)


def test_coo_matrix_validation():
    d = numpy.ones(2, numpy.float32)
    i = numpy.zeros(2, numpy.int32)
    with pytest.raises(ValueError):
        sparse.CooMatrix(numpy.ones((1, 1, 2), numpy.float32), i, i, (2, 2))
    with pytest.raises(ValueError):
        sparse.CooMatrix(d, i[None], i, (2, 2))
    with pytest.raises(ValueError):
        sparse.CooMatrix(d, i, i, (2, 2, 2))
    with pytest.raises(ValueError):
        sparse.CooMatrix(d, i, i, (0, 2))
    with pytest.raises(ValueError):
        sparse.CooMatrix(d, i, i, (2, 2), order='X')
    with pytest.raises(ValueError):
        sparse.to_coo(numpy.ones(3))


def test_coo_matrix_finds_its_order():
    a = lambda v: numpy.array(v, numpy.int32)  # noqa: E731
    d = numpy.ones(3, numpy.float32)
    assert sparse.CooMatrix(d, a([0, 1, 2]), a([1, 0, 2]), (3, 3)).order == 'C'
    assert sparse.CooMatrix(d, a([1, 0, 2]), a([0, 1, 2]), (3, 3)).order == 'F'
    assert sparse.CooMatrix(d, a([1, 0, 0]), a([0, 1, 0]), (3, 3)).order == 'other'
    assert sparse.CooMatrix(d, a([1, 0, 2]), a([0, 1, 2]), (3, 3), order='other').order == 'other'


def test_get_order():
    a = numpy.array
    assert sparse.get_order(a([0, 0, 1, -1]), a([0, 2, 1, -1])) == 'C'
    assert sparse.get_order(a([0, 1, 0]), a([0, 0, 1])) == 'F'
    assert sparse.get_order(a([1, 0]), a([1, 1])) == 'other'
    assert sparse.get_order(a([[0, 1], [1, 0]]), a([[0, 0], [0, 1]])) == 'F'
    assert sparse.get_order(a([[0, 1], [1, 0]]), a([[0, 0], [1, 1]])) == 'other'
    with pytest.raises(ValueError):
        sparse.get_order(a([0, 1]), a([0]))
    with pytest.raises(ValueError):
        sparse.get_order(a([0, -1]), a([0, 1]))
