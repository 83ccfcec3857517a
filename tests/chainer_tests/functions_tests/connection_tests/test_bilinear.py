import numpy
import pytest

from chainer import testing
from chainer.functions.connection.bilinear import bilinear
from chainer.utils import type_check

_backends = [{}, {'use_cuda': True}]


@testing.parameterize(*[
    {'e1_shape': (3, 2), 'e2_shape': (3, 4), 'linear': True, 'dtype': numpy.float32},
    {'e1_shape': (3, 2), 'e2_shape': (3, 4), 'linear': False, 'dtype': numpy.float64},
    {'e1_shape': (2, 1, 2), 'e2_shape': (2, 3), 'linear': True, 'dtype': numpy.float64},
    {'e1_shape': (2, 2), 'e2_shape': (2, 3), 'linear': True, 'dtype': numpy.float16},
    {'e1_shape': (0, 2), 'e2_shape': (0, 3), 'linear': True, 'dtype': numpy.float32},
])
@testing.inject_backend_tests(None, _backends)
class TestBilinear(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
        else:
            self.check_forward_options = {'atol': 1e-5, 'rtol': 1e-5}
            self.check_backward_options = {'atol': 1e-3, 'rtol': 1e-3}
            self.check_double_backward_options = {'atol': 1e-3, 'rtol': 1e-3}

    def generate_inputs(self):
        j = int(numpy.prod(self.e1_shape[1:]))
        k = int(numpy.prod(self.e2_shape[1:]))
        rnd = numpy.random.uniform
        arrays = [rnd(-1, 1, self.e1_shape), rnd(-1, 1, self.e2_shape), rnd(-1, 1, (j, k, 3))]
        if self.linear:
            arrays += [rnd(-1, 1, (j, 3)), rnd(-1, 1, (k, 3)), rnd(-1, 1, (3,))]
        return tuple(a.astype(self.dtype) for a in arrays)

    def forward(self, inputs, device):
        return bilinear(*inputs),

    def forward_expected(self, inputs):
        a = [x.astype(numpy.float64) for x in inputs]
        e1 = a[0].reshape(len(a[0]), a[2].shape[0])
        e2 = a[1].reshape(len(a[1]), a[2].shape[1])
        y = numpy.einsum('ij,ik,jkl->il', e1, e2, a[2])
        if self.linear:
            y = y + e1 @ a[3] + e2 @ a[4] + a[5]
        return y.astype(self.dtype),


def test_partial_linear_terms_raise():
    e = numpy.zeros((2, 2), numpy.float32)
    W = numpy.zeros((2, 2, 3), numpy.float32)
    with pytest.raises(ValueError):
        bilinear(e, e, W, V1=numpy.zeros((2, 3), numpy.float32))


def test_bad_inputs():
    e = numpy.zeros((2, 2), numpy.float32)
    W = numpy.zeros((2, 2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        bilinear(e, numpy.zeros((3, 2), numpy.float32), W)      # batch mismatch
    with pytest.raises(type_check.InvalidType):
        bilinear(e, e, numpy.zeros((2, 3, 3), numpy.float32))   # K mismatch
    with pytest.raises(type_check.InvalidType):
        bilinear(e, e, numpy.zeros((2, 2), numpy.float32))      # W not 3-D
    with pytest.raises(type_check.InvalidType):
        bilinear(e.astype(numpy.int32), e, W)
    with pytest.raises(type_check.InvalidType):
        bilinear(e, e, W, numpy.zeros((2, 3), numpy.float32),
                 numpy.zeros((2, 3), numpy.float32), numpy.zeros((4,), numpy.float32))
