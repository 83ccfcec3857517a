"""Functions that take a list of Variables or arrays, given a single one: a TypeError
(and the ValueError Chainer raised for an array) that names the function."""
from __future__ import annotations

import numpy
import pytest

import chainer
import chainer.functions as F


@pytest.mark.parametrize('name', ['concat', 'stack', 'hstack', 'vstack', 'dstack',
                                  'pad_sequence', 'transpose_sequence'])
@pytest.mark.parametrize('single', [
    lambda: chainer.Variable(numpy.ones((2, 3), numpy.float32)),
    lambda: numpy.ones((2, 3), numpy.float32),
])
def test_single_input_instead_of_a_list(name, single):
    x = single()
    for error in (TypeError, ValueError):
        with pytest.raises(error, match=rf'F\.{name} takes a list or tuple .* write '
                                        rf'F\.{name}\(\[x, \.\.\.\]\)'):
            getattr(F, name)(x)
    # a list of one works
    getattr(F, name)([x])
