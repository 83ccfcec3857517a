"""InvalidType messages of the loss functions: Chainer's texts (its check
expressions, inputs named or not as its checks named them)."""
import numpy
import pytest

import chainer.functions as F
import chainer.links as L
from chainer.utils import type_check
from tests.chainer_tests.functions_tests._check_messages import assert_invalid, i, z


# contrastive's named inputs, in Chainer's order
@pytest.mark.parametrize('f, label, expect, actual', [
    (lambda: F.contrastive(z(2, 3), z(2, 4), i(2)),
     'Contrastive', 'x0.shape == x1.shape', '(2, 3) != (2, 4)'),
])
def test_check_messages_are_chainers(f, label, expect, actual):
    assert_invalid(f, label, expect, actual)


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
    assert_invalid(lambda: link(z(2, 4), t), 'BinaryHierarchicalSoftmaxFunction',
                   'in_types[2].shape[1] == in_types[0].shape[1]', '3 != 4')
