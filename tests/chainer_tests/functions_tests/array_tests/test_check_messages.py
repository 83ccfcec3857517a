"""InvalidType messages of the array functions: Chainer's texts (its check
expressions, inputs named or not as its checks named them)."""
import numpy
import pytest

import chainer.functions as F
from chainer.functions.array.squeeze import Squeeze
from chainer.functions.array.swapaxes import Swapaxes
from chainer.functions.array.tile import Tile
from chainer.functions.array.transpose import Transpose
from tests.chainer_tests.functions_tests._check_messages import assert_invalid, z


# stack, vstack, transpose_sequence, split_axis and the spatial transformer unnamed,
# hstack's inputs as ``x0``, ``x1`` ...; a list shape prints as a list
@pytest.mark.parametrize('f, label, expect, actual', [
    (lambda: F.stack([z(2), z(2, dtype=numpy.float64)]),
     'Stack', 'in_types[1].dtype == in_types[0].dtype', 'float64 != float32'),
    (lambda: F.stack([z(2, 3), z(2, 3)], axis=5),
     'Stack', 'in_types[0].ndim >= 5', '2 < 5'),
    (lambda: F.vstack([z(2, 3), z(2, 4)]),
     'Vstack', 'in_types[0].shape[1] == in_types[1].shape[1]', '3 != 4'),
    (lambda: F.hstack([z(2, 3), z(3, 3)]),
     'Hstack', 'x0.shape[0] == x1.shape[0]', '2 != 3'),
    (lambda: F.transpose_sequence([z(2, 3), z(3, 3)]),
     'TransposeSequence', 'in_types[0].shape[0] >= in_types[1].shape[0]', '2 < 3'),
    (lambda: F.split_axis(z(5), 2, 0),
     'SplitAxis', 'in_types[0].shape[0] % sections == 0', '1 != 0'),
    (lambda: F.spatial_transformer_sampler(z(1, 1, 3, 3), z(1, 2, 3, 3, dtype=numpy.float64)),
     'SpatialTransformerSampler', 'in_types[1].dtype == in_types[0].dtype', 'float64 != float32'),
    (lambda: F.reshape(z(6), [4]),
     'Reshape', 'prod(x.shape) == prod([4])', '6 != 4'),
])
def test_check_messages_are_chainers(f, label, expect, actual):
    assert_invalid(f, label, expect, actual)


@pytest.mark.parametrize('node, n_in', [
    (lambda: Transpose(), 2),
    (lambda: Squeeze(), 0),
    (lambda: Tile((2,)), 2),
    (lambda: Swapaxes(0, 1), 3),
])
def test_number_of_inputs_is_chainers_unnamed_check(node, n_in):
    f = node()
    assert_invalid(lambda: f.apply((z(2, 2),) * n_in), type(f).__name__,
                   'in_types.size == 1', f'{n_in} != 1')
