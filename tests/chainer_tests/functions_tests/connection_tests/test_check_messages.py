"""InvalidType messages of the connection functions: Chainer's texts (its check
expressions, inputs named or not as its checks named them)."""
import numpy
import pytest

import chainer.functions as F
import chainer.links as L
from chainer.functions.connection.local_convolution_2d import LocalConvolution2DFunction
from tests.chainer_tests.functions_tests._check_messages import assert_invalid, i, z


# convolutions, embed_id and bilinear unnamed, linear's ``x``, ``W``, ``b``
@pytest.mark.parametrize('f, label, expect, actual', [
    (lambda: F.convolution_2d(i(1, 1, 3, 3), z(1, 1, 2, 2)),
     'Convolution2DFunction', 'in_types[0].dtype.kind == f', 'i != f'),
    (lambda: F.convolution_2d(z(1, 1, 3, 3), z(1, 1, 2, 2), z(1, dtype=numpy.float64)),
     'Convolution2DFunction', 'in_types[2].dtype == in_types[0].dtype', 'float64 != float32'),
    (lambda: F.deconvolution_2d(z(1, 1, 3), z(1, 1, 2, 2)),
     'Deconvolution2DFunction', 'in_types[0].ndim == 4', '3 != 4'),
    (lambda: F.convolution_nd(z(1, 1, 3), z(1, 1, 2, 2)),
     'ConvolutionND', 'in_types[1].ndim == 3', '4 != 3'),
    (lambda: F.depthwise_convolution_2d(z(1, 3, 4, 4), z(1, 2, 3, 3)),
     'Convolution2DFunction', 'in_types[0].shape[1] == in_types[1].shape[1] * 2', '3 != 2'),
    (lambda: F.embed_id(z(2), z(3, 2)),
     'EmbedIDFunction', 'in_types[0].dtype.kind == i', 'f != i'),
    (lambda: F.bilinear(z(2, 3), z(2, 4), z(3, 5, 6)),
     'BilinearFunction', 'prod(in_types[1].shape[1:]) == in_types[2].shape[1]', '4 != 5'),
    (lambda: F.linear(i(2, 3), z(4, 3)),
     'LinearFunction', 'x.dtype.kind == f', 'i != f'),
    (lambda: F.deconvolution_nd(z(1, 1, 3), z(1, 1, 3), stride=2, pad=1, outsize=(8,)),
     'DeconvolutionND',
     '(10 - (in_types[1].shape[2] + (in_types[1].shape[2] - 1) * 0)) // 2 + 1'
     ' <= in_types[0].shape[2]', '4 > 3'),
    (lambda: F.deconvolution_2d(z(1, 1, 4, 5), z(1, 1, 3, 3), pad=(0, 1), dilate=2,
                                outsize=(8, 5)),
     'Deconvolution2DFunction',
     'in_types[0].shape[3] <= (7 - (in_types[1].shape[3] + (in_types[1].shape[3] - 1) * 1)'
     ' + 1 - 1) // 1 + 1', '5 > 3'),
])
def test_check_messages_are_chainers(f, label, expect, actual):
    assert_invalid(f, label, expect, actual)


@pytest.mark.parametrize('link, label', [
    (lambda: L.Deconvolution2D(None, 2, 3), 'Deconvolution2DFunction'),
    (lambda: L.DilatedConvolution2D(None, 2, 3), 'Convolution2DFunction'),
])
def test_uninitialized_link_names_its_function(link, label):
    assert_invalid(lambda: link()(z(2, 3)), label, 'in_types[0].ndim == 4', '2 != 4')


@pytest.mark.parametrize('n_in, expect, actual', [
    (1, 'in_types.size >= 2', '1 < 2'),
    (4, 'in_types.size <= 3', '4 > 3'),
])
def test_local_convolution_node_checks_its_number_of_inputs(n_in, expect, actual):
    assert_invalid(lambda: LocalConvolution2DFunction().apply((z(1, 2, 4, 4),) * n_in),
                   'LocalConvolution2DFunction', expect, actual)
