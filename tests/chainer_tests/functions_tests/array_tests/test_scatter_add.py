import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_F16 = {'atol': 5e-2, 'rtol': 5e-2}

_CASES = [
    ((4, 3), (slice(1, 3),), (2, 3)),
    ((4, 3), ([0, 2, 0],), (3, 3)),            # repeated index accumulates
    ((4, 3), (slice(None), 1), (4,)),
    ((4, 3), ([1, 1], [2, 2]), (2,)),
    ((4, 3), (slice(None),), (3,)),             # b broadcasts
    ((4, 3), (0, 0), ()),
]


@testing.parameterize(*testing.product({
    'case': list(range(len(_CASES))),
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestScatterAdd(testing.FunctionTestCase):

    def setUp(self):
        self.a_shape, self.slices, self.b_shape = _CASES[self.case]
        # Repeated indices add in any order on a GPU: a few ulps, not exact.
        self.check_forward_options = {'atol': 1e-5, 'rtol': 1e-5}
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-3}
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        a = numpy.random.uniform(-1, 1, self.a_shape).astype(self.dtype)
        b = numpy.random.uniform(-1, 1, self.b_shape).astype(self.dtype)
        return a, b

    def forward(self, inputs, device):
        return F.scatter_add(inputs[0], self.slices, inputs[1]),

    def forward_expected(self, inputs):
        a, b = inputs
        y = a.copy()
        numpy.add.at(y, self.slices, b)
        return y,


def test_scatter_add_does_not_modify_input():
    a = numpy.zeros(3, numpy.float32)
    y = F.scatter_add(a, [0, 0], numpy.ones(2, numpy.float32))
    numpy.testing.assert_array_equal(y.array, [2, 0, 0])
    numpy.testing.assert_array_equal(a, 0)


def test_scatter_add_errors():
    a = numpy.zeros((3, 2), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        F.scatter_add(a, (0, 0, 0), numpy.zeros((), numpy.float32))
    # b that does not broadcast to a[slices]: a ValueError (NumPy's add.at crashed)
    with pytest.raises(ValueError):
        F.scatter_add(a, (slice(0, 4, 2), 1), numpy.zeros((0, 4, 2), numpy.float32))
    with pytest.raises(ValueError):
        F.scatter_add(a, 0, numpy.zeros(3, numpy.float32))
    with pytest.raises(IndexError):
        F.scatter_add(a, 5, numpy.zeros(2, numpy.float32))
    with pytest.raises(TypeError):
        F.scatter_add(a, chainer.Variable(numpy.array([0])), numpy.zeros(2, numpy.float32))


def test_scatter_add_casts_b_to_dtype_of_a():
    # As in Chainer, b of another dtype is added in a's dtype; its gradient keeps b's.
    a = chainer.Variable(numpy.zeros((3, 2), numpy.float64))
    b = chainer.Variable(numpy.full(3, 1.5, numpy.float32))
    y = F.scatter_add(a, (slice(None), 0), b)
    assert y.dtype == numpy.float64
    numpy.testing.assert_array_equal(y.array[:, 0], [1.5, 1.5, 1.5])
    y.grad = numpy.ones((3, 2))
    y.backward()
    assert b.grad.dtype == numpy.float32
    numpy.testing.assert_array_equal(b.grad, [1, 1, 1])
