"""Tests of F.cholesky."""
import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check


@testing.parameterize(*testing.product({
    'n': [1, 4],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestCholesky(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
        else:
            self.check_backward_options = {'atol': 1e-3, 'rtol': 1e-3}
            self.check_double_backward_options = {'atol': 1e-3, 'rtol': 1e-3}

    def generate_inputs(self):
        a = numpy.random.uniform(-1, 1, (self.n, self.n))
        return (a @ a.T + numpy.eye(self.n) * self.n).astype(self.dtype),

    def forward(self, inputs, device):
        a, = inputs
        # Only the lower half is read: symmetrize so that the numerical
        # gradient is taken over symmetric perturbations.
        return F.cholesky((a + a.T) * 0.5),

    def forward_expected(self, inputs):
        return numpy.linalg.cholesky(inputs[0].astype(numpy.float64)).astype(self.dtype),


def test_cholesky_bad_input():
    # Not square: our type check, and the LinAlgError NumPy raised in Chainer.
    with pytest.raises(type_check.InvalidType, match='shape'):
        F.cholesky(numpy.ones((2, 3), numpy.float32))
    with pytest.raises(numpy.linalg.LinAlgError):
        F.cholesky(numpy.ones((2, 3), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.cholesky(numpy.ones((1, 2, 2), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.cholesky(numpy.eye(2, dtype=numpy.int32))
    with pytest.raises(ValueError):  # numpy.linalg.LinAlgError: not positive definite
        F.cholesky(-numpy.eye(2, dtype=numpy.float32))


testing.run_module(__name__, __file__)


def test_cholesky_label():
    assert F.cholesky(numpy.eye(2, dtype=numpy.float32)).creator_node.label == 'cholesky'
