"""InvalidType messages of the pooling functions: Chainer's texts (its check
expressions, inputs named or not as its checks named them)."""
import numpy
import pytest

import chainer
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


# Chainer's N-d pooling nodes (max pooling of any rank, N-d average pooling) reject an
# empty input; its 2-D average pooling does not, nor its unpoolings
@pytest.mark.parametrize('f, label', [
    (lambda: F.max_pooling_2d(z(0, 2, 4, 4), 2), 'MaxPoolingND'),
    (lambda: F.max_pooling_1d(z(2, 0, 4), 2), 'MaxPoolingND'),
    (lambda: F.average_pooling_nd(z(0, 1, 4), 2, pad_value=None), 'AveragePoolingND'),
    (lambda: F.average_pooling_3d(z(1, 1, 0, 2, 2), 1), 'AveragePoolingND'),
])
def test_nd_poolings_reject_empty_inputs(f, label):
    assert_invalid(f, label, 'in_types[0].size > 0', '0 <= 0')


def test_empty_inputs_that_chainer_pooled():
    x = chainer.Variable(z(0, 2, 4, 4, dtype=numpy.float64))
    y = F.average_pooling_2d(x, 2)
    gy = chainer.Variable(numpy.ones(y.shape))
    gx, = chainer.grad([y], [x], [gy], enable_double_backprop=True)
    ggy, = chainer.grad([F.sum(gx)], [gy])  # its gradient is a 2-D average pooling too
    assert (y.shape, gx.shape, ggy.shape) == ((0, 2, 2, 2), (0, 2, 4, 4), (0, 2, 2, 2))
    assert F.unpooling_2d(z(0, 2, 3, 3), 2).shape == (0, 2, 5, 5)
    assert F.unpooling_nd(z(0, 2, 3), 2).shape == (0, 2, 5)
