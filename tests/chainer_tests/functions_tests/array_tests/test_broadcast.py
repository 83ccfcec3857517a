import numpy
import pytest

import chainer
from chainer import testing
from chainer.functions.array.broadcast import Broadcast, BroadcastTo, broadcast, broadcast_to
from chainer.utils import type_check

_backends = [{}, {'use_cuda': True}]
_tols = {'eps': 2 ** -3, 'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'case': [((3, 1), (2, 3, 4)), ((1,), (0, 2)), ((), (2, 3)), ((2, 3), (2, 3)),
             ((4, 1, 1), (4, 2, 3))],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, _backends)
class TestBroadcastTo(testing.FunctionTestCase):

    def setUp(self):
        self.in_shape, self.out_shape = self.case
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_tols)
            self.check_double_backward_options = dict(_tols)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.in_shape).astype(self.dtype),

    def forward(self, inputs, device):
        return broadcast_to(inputs[0], self.out_shape),

    def forward_expected(self, inputs):
        return numpy.broadcast_to(inputs[0], self.out_shape).copy(),


@testing.parameterize(*testing.product({
    'shapes': [[(3, 1), (1, 4)], [(2, 3, 4), (3, 1), ()], [(0, 2), (1,)], [(2,), (2,)]],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, _backends)
class TestBroadcast(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_tols)
            self.check_double_backward_options = dict(_tols)

    def generate_inputs(self):
        return tuple(numpy.random.uniform(-1, 1, s).astype(self.dtype) for s in self.shapes)

    def forward(self, inputs, device):
        return tuple(broadcast(*inputs))

    def forward_expected(self, inputs):
        return tuple(a.copy() for a in numpy.broadcast_arrays(*inputs))


def test_same_shape_returns_input_variable():
    x = chainer.Variable(numpy.zeros((2, 3), numpy.float32))
    assert broadcast_to(x, (2, 3)) is x
    y = broadcast_to(x.array, (2, 3))
    assert isinstance(y, chainer.Variable) and y.array is x.array


def test_same_shape_as_list_adds_a_node():
    # Chainer compared x.shape with the argument itself: a list never equals
    # the shape tuple, so the result is a new Variable made by BroadcastTo.
    x = chainer.Variable(numpy.zeros((2, 3), numpy.float32))
    y = broadcast_to(x, [2, 3])
    assert y is not x and isinstance(y.creator, BroadcastTo)


def test_broadcast_single_argument():
    x = chainer.Variable(numpy.zeros((2, 3), numpy.float32))
    assert broadcast(x) is x


def test_broadcast_returns_tuple():
    ys = broadcast(numpy.zeros((2, 1), numpy.float32), numpy.zeros((3,), numpy.float32))
    assert isinstance(ys, tuple) and [y.shape for y in ys] == [(2, 3), (2, 3)]
    assert isinstance(ys[0].creator, Broadcast)


def test_int_shape():
    y = broadcast_to(numpy.zeros((1,), numpy.float32), 4)
    assert y.shape == (4,) and isinstance(y.creator, BroadcastTo)


def test_gradient_is_summed():
    x = chainer.Variable(numpy.ones((3, 1), numpy.float32))
    y = broadcast_to(x, (2, 3, 4))
    y.grad = numpy.ones(y.shape, numpy.float32)
    y.backward()
    numpy.testing.assert_array_equal(x.grad, numpy.full((3, 1), 8, numpy.float32))


@pytest.mark.parametrize('in_shape,shape', [((3,), (4,)), ((2, 3), (3,)), ((2, 1), (3, 1))])
def test_broadcast_to_bad_shape(in_shape, shape):
    with pytest.raises(type_check.InvalidType):
        broadcast_to(numpy.zeros(in_shape, numpy.float32), shape)


def test_broadcast_bad_shapes():
    with pytest.raises(type_check.InvalidType):
        broadcast(numpy.zeros((2,), numpy.float32), numpy.zeros((3,), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        broadcast()


def test_broadcast_to_message_prints_the_target_length_as_chainer_did():
    with pytest.raises(type_check.InvalidType, match=r'shape\[-2\] == 4 or'):
        broadcast_to(numpy.zeros((2, 3), numpy.float32), (numpy.float32(4), 3))
