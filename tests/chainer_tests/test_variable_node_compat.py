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
