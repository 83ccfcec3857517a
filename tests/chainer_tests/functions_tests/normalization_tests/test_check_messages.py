"""InvalidType messages of the normalization functions: Chainer's texts (its check
expressions, inputs named or not as its checks named them)."""
import numpy
import pytest

import chainer.functions as F
from chainer.functions.normalization.decorrelated_batch_normalization import (
    DecorrelatedBatchNormalization)
from tests.chainer_tests.functions_tests._check_messages import assert_invalid, i, z


# the normalizations unnamed, in Chainer's order of checks
@pytest.mark.parametrize('f, label, expect, actual', [
    (lambda: F.normalize(i(2, 3)),
     'NormalizeL2', 'in_types[0].dtype.kind == f', 'i != f'),
    (lambda: F.local_response_normalization(z(3)),
     'LocalResponseNormalization', 'in_types[0].ndim >= 2', '1 < 2'),
    (lambda: F.batch_normalization(z(4, 3), z(4), z(3)),
     'BatchNormalization', 'in_types[1].shape == in_types[2].shape', '(4,) != (3,)'),
    (lambda: F.fixed_batch_normalization(z(4, 3), z(3), z(3), z(3, dtype=numpy.float64), z(3)),
     'FixedBatchNormalization', 'in_types[3].dtype == in_types[1].dtype', 'float64 != float32'),
    (lambda: F.group_normalization(z(2, 4, 3), 2, z(5), z(4)),
     'GroupNormalization', 'in_types[0].shape[1] == in_types[1].shape[0]', '4 != 5'),
    (lambda: F.layer_normalization(z(2, 3), z(3), z()),
     'LayerNormalization', 'in_types[2].ndim == 1', '0 != 1'),
    (lambda: F.decorrelated_batch_normalization(z(5, 5), groups=2),
     'DecorrelatedBatchNormalization', 'in_types[0].shape[1] % 2 == 0', '1 != 0'),
    (lambda: F.decorrelated_batch_normalization(i(4, 4), groups=2),
     'DecorrelatedBatchNormalization', 'in_types[0].dtype.kind == f', 'i != f'),
])
def test_check_messages_are_chainers(f, label, expect, actual):
    assert_invalid(f, label, expect, actual)


def test_decorrelated_batch_normalization_node_takes_one_input():
    assert_invalid(lambda: DecorrelatedBatchNormalization(2).apply((z(4, 4), z(4, 4))),
                   'DecorrelatedBatchNormalization', 'in_types.size == 1', '2 != 1')
