import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'case': [((2, 3), 3, 0), ((2, 3), 2, 2), ((2, 3), 2, -1), ((2, 3), 1, -3),
             ((), 3, 0), ((0, 2), 2, 1)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestStack(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        shape, n, _ = self.case
        return tuple(numpy.random.uniform(-1, 1, shape).astype(self.dtype) for _ in range(n))

    def forward(self, inputs, device):
        return F.stack(inputs, self.case[2]),

    def forward_expected(self, inputs):
        return numpy.stack(inputs, self.case[2]),


@testing.parameterize(*testing.product({
    'case': [((2, 3), 0), ((2, 3, 4), 1), ((2, 3), -1), ((3,), 0)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestSeparate(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.case[0]).astype(self.dtype),

    def forward(self, inputs, device):
        return F.separate(inputs[0], self.case[1])

    def forward_expected(self, inputs):
        x, axis = inputs[0], self.case[1]
        return tuple(numpy.asarray(numpy.take(x, i, axis)) for i in range(x.shape[axis]))


def test_separate_partial_grad():
    x = chainer.Variable(numpy.arange(6, dtype=numpy.float32).reshape(3, 2))
    ys = F.separate(x, 1)
    assert ys[0].shape == (3,)
    F.sum(ys[0]).backward()
    numpy.testing.assert_array_equal(x.grad, [[1, 0], [1, 0], [1, 0]])


def test_stack_errors():
    a = numpy.zeros((2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        F.stack([a, numpy.zeros((3, 2), numpy.float32)])
    with pytest.raises(type_check.InvalidType):
        F.stack([a, a.astype(numpy.float64)])
    with pytest.raises(type_check.InvalidType):
        F.stack([a, a], 3)
    with pytest.raises(type_check.InvalidType):
        F.stack([a, a], -4)
    with pytest.raises(type_check.InvalidType):
        F.stack([])
    with pytest.raises(type_check.InvalidType):
        F.separate(a, 2)
    with pytest.raises(type_check.InvalidType):
        F.separate(numpy.zeros((), numpy.float32), 0)


def test_0d_integer_array_axis():
    x = numpy.ones((2, 3), numpy.float32)
    assert F.stack([x, x], numpy.array(1)).shape == (2, 2, 3)
    assert [y.shape for y in F.separate(x, numpy.array(1))] == [(2,)] * 3


def test_check_messages_are_chainers():
    a = numpy.zeros((2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType) as e:
        F.stack([a, a], axis=5)
    assert str(e.value).endswith('Expect: in_types[0].ndim >= 5\nActual: 2 < 5')
    with pytest.raises(type_check.InvalidType) as e:
        F.stack([a, a.astype(numpy.float64)])
    assert str(e.value).endswith(
        'Expect: in_types[1].dtype == in_types[0].dtype\nActual: float64 != float32')


def test_separate_along_an_empty_axis_is_an_empty_tuple():
    # Chainer raised ZeroDivisionError (it split into 0 sections).
    x = numpy.zeros((2, 0, 3), numpy.float32)
    assert F.separate(x, 1) == ()
    assert F.separate(x, -2) == ()
