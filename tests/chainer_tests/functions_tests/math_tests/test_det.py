"""Tests of F.det and F.batch_det."""
import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check


def _well_conditioned(shape, dtype):
    n = shape[-1]
    a = numpy.random.uniform(-0.5, 0.5, shape) + numpy.eye(n) * 2
    return a.astype(dtype)


@testing.parameterize(*testing.product({
    'batched': [False, True],
    'n': [1, 3],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestDet(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
        else:
            self.check_backward_options = {'atol': 1e-3, 'rtol': 1e-3}
            self.check_double_backward_options = {'atol': 1e-3, 'rtol': 1e-3}

    def generate_inputs(self):
        shape = (2, self.n, self.n) if self.batched else (self.n, self.n)
        return _well_conditioned(shape, self.dtype),

    def forward(self, inputs, device):
        f = F.batch_det if self.batched else F.det
        return f(inputs[0]),

    def forward_expected(self, inputs):
        a = inputs[0].astype(numpy.float64)
        return numpy.asarray(numpy.linalg.det(a), self.dtype),


def test_det_bad_input():
    with pytest.raises(type_check.InvalidType):
        F.det(numpy.ones((2, 3), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.det(numpy.ones((2, 2, 2), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.batch_det(numpy.ones((2, 2), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.batch_det(numpy.ones((2, 2, 2), numpy.int32))


def test_det_of_zero_batch():
    assert F.batch_det(numpy.ones((0, 2, 2), numpy.float32)).shape == (0,)


testing.run_module(__name__, __file__)


def test_det_labels():
    # Chainer's labels: both det and batch_det apply a node labelled 'det'.
    a = numpy.eye(2, dtype=numpy.float32)[None] * 2
    assert F.batch_det(a).creator_node.label == 'det'
    assert F.det(a[0]).creator_node.inputs[0].creator_node.label == 'det'


def test_check_messages_name_the_function():
    with pytest.raises(type_check.InvalidType) as e:
        F.det(numpy.zeros((2, 2, 2), numpy.float32))
    assert str(e.value) == ('\nInvalid operation is performed in: det (Forward)\n\n'
                            'Expect: a.ndim == 2\nActual: 3 != 2')
    with pytest.raises(type_check.InvalidType) as e:
        F.batch_det(numpy.zeros((2, 2, 3), numpy.float32))
    assert str(e.value).endswith('Expect: x.shape[-1] == x.shape[-2]\nActual: 3 != 2')
