"""Private VariableNode attributes that tools written for Chainer read."""
from __future__ import annotations

import numpy

import chainer


def test_rank_under_chainer_name():
    x = chainer.Variable(numpy.ones(2, numpy.float32))
    y = x * 2
    z = y + x
    assert x.node._rank == 0 and y.node._rank == 1 and z.node._rank == 2
    assert z.node._rank == z.node.rank == z.rank
    y.node._rank = 5
    assert y.node.rank == 5


def test_init_unchecked():
    data = numpy.ones(2, numpy.float32)
    v = chainer.Variable._init_unchecked(data, name='v', grad=numpy.zeros(2, numpy.float32))
    assert v.array is data and v.name == 'v' and v.requires_grad
    chainer.functions.sum(v * 2).backward()
    numpy.testing.assert_array_equal(v.grad, [2., 2.])
    w = chainer.Variable._init_unchecked(data, requires_grad=False)
    assert not w.requires_grad and w.grad is None


def test_no_chainerx_arrays():
    assert not chainer.Variable(numpy.ones(1))._has_chainerx_array
    assert not chainer.Parameter(numpy.ones(1))._has_chainerx_array
