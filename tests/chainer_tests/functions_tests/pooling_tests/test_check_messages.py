"""InvalidType messages of the pooling functions: Chainer's texts (its check
expressions, inputs named or not as its checks named them)."""
import pytest

import chainer.functions as F
from chainer.functions.pooling.roi_pooling_2d import ROIPooling2D
from tests.chainer_tests.functions_tests._check_messages import assert_invalid, i, z


# poolings and unpoolings unnamed, the outsize checks as Chainer wrote them
@pytest.mark.parametrize('f, label, expect, actual', [
    (lambda: F.max_pooling_2d(i(1, 1, 4, 4), 2),
     'MaxPoolingND', 'in_types[0].dtype.kind == f', 'i != f'),
    (lambda: F.average_pooling_2d(z(2, 3), 2),
     'AveragePooling2D', 'in_types[0].ndim == 4', '2 != 4'),
    (lambda: F.unpooling_2d(z(1, 1, 3, 4), 2, outsize=(6, 6)),
     'Unpooling2D', 'in_types[0].shape[3] == 3', '4 != 3'),
    (lambda: F.unpooling_nd(z(1, 1, 3, 4), 2, outsize=(6, 6)),
     'UnpoolingND', 'in_types[0].shape[2:] == (3, 3)', '(3, 4) != (3, 3)'),
    (lambda: F.roi_pooling_2d(z(1, 1, 4, 4), z(1, 4), 2, 2, 1.0),
     'ROIPooling2D', 'in_types[1].shape[1] == 5', '4 != 5'),
])
def test_check_messages_are_chainers(f, label, expect, actual):
    assert_invalid(f, label, expect, actual)


def test_roi_pooling_node_checks_its_number_of_inputs():
    assert_invalid(lambda: ROIPooling2D(2, 2, 1.0).apply((z(1, 1, 4, 4), z(1, 5), z(1))),
                   'ROIPooling2D', 'in_types.size == 2', '3 != 2')
