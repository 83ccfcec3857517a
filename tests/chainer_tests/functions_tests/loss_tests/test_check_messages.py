"""InvalidType messages of the loss functions: Chainer's texts (its check
expressions, inputs named or not as its checks named them)."""
import numpy
import pytest

import chainer.functions as F
import chainer.links as L
from chainer.utils import type_check


def z(*s, dtype=numpy.float32):
    return numpy.zeros(s, dtype)


def i(*s):
    return numpy.zeros(s, numpy.int32)


# contrastive's named inputs, in Chainer's order
@pytest.mark.parametrize('f, label, expect, actual', [
    (lambda: F.contrastive(z(2, 3), z(2, 4), i(2)),
     'Contrastive', 'x0.shape == x1.shape', '(2, 3) != (2, 4)'),
])
def test_check_messages_are_chainers(f, label, expect, actual):
    with pytest.raises(type_check.InvalidType) as e:
        f()
    assert str(e.value) == (f'\nInvalid operation is performed in: {label} (Forward)\n\n'
                            f'Expect: {expect}\nActual: {actual}')


def test_word_losses_name_inputs_as_chainer():
    x, t = z(2, 3), i(2)
    with pytest.raises(type_check.InvalidType) as e:
        F.negative_sampling(i(2, 3), t, z(3, 3), lambda n: numpy.zeros(n, 'i'), 2)
    assert str(e.value).endswith('Expect: x.dtype.kind == f\nActual: i != f')
    # W of other columns: Chainer had no check, NumPy raised a ValueError
    with pytest.raises(ValueError):
        F.negative_sampling(x, t, z(3, 4), lambda n: numpy.zeros(n, 'i'), 2)
    tree = L.BinaryHierarchicalSoftmax.create_huffman_tree({0: 1, 1: 2, 2: 3})
    link = L.BinaryHierarchicalSoftmax(3, tree)
    with pytest.raises(type_check.InvalidType) as e:
        link(z(2, 4), t)
    assert str(e.value) == (
        '\nInvalid operation is performed in: BinaryHierarchicalSoftmaxFunction (Forward)\n\n'
        'Expect: in_types[2].shape[1] == in_types[0].shape[1]\nActual: 3 != 4')
