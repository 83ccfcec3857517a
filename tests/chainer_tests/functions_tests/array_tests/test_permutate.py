import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.functions.array.permutate import Permutate
from chainer.utils import type_check

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'case': [((4, 3), 0), ((3, 4), 1), ((2, 3, 4), -1), ((1,), 0)],
    'inv': [False, True],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestPermutate(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        shape, axis = self.case
        x = numpy.random.uniform(-1, 1, shape).astype(self.dtype)
        ind = numpy.random.permutation(shape[axis]).astype(numpy.int32)
        return x, ind

    def forward(self, inputs, device):
        return F.permutate(inputs[0], inputs[1], self.case[1], self.inv),

    def forward_expected(self, inputs):
        x, ind = inputs
        axis = self.case[1]
        if self.inv:
            ind = numpy.argsort(ind)
        return numpy.take(x, ind, axis),


def test_permutate_errors():
    x = numpy.zeros((3, 2), numpy.float32)
    with pytest.raises(ValueError):
        F.permutate(x, numpy.array([0, 0, 1], numpy.int32))
    with pytest.raises(type_check.InvalidType):
        F.permutate(x, numpy.array([0, 1], numpy.int32))
    # Chainer raised ValueError for indices that are not a 1-d int array
    for bad in (numpy.array([0., 1., 2.], numpy.float32), numpy.array([[0, 1, 2]], numpy.int32)):
        with pytest.raises(type_check.InvalidType):
            F.permutate(x, bad)
        with pytest.raises(ValueError):
            F.permutate(x, bad)
    with pytest.raises(type_check.InvalidType):
        F.permutate(x, numpy.array([0, 1], numpy.int32), axis=2)
    y = F.permutate(x, chainer.Variable(numpy.array([2, 0, 1], numpy.int32)))
    assert y.shape == (3, 2)


def test_indices_as_a_list():
    # Chainer failed reading the list's dtype (AttributeError)
    x = numpy.arange(6, dtype=numpy.float32).reshape(3, 2)
    for indices in ([2, 0, 1], (2, 0, 1)):
        numpy.testing.assert_array_equal(F.permutate(x, indices).array, x[[2, 0, 1]])
        numpy.testing.assert_array_equal(F.permutate(x, indices, inv=True).array,
                                         x[[1, 2, 0]])
    assert F.permutate(numpy.zeros((0, 2), numpy.float32), []).shape == (0, 2)
    with pytest.raises(ValueError):
        F.permutate(x, [0, 0, 1])
    with pytest.raises(type_check.InvalidType):
        F.permutate(x, [0.5, 1, 2])


def test_indices_held_by_the_node():
    # Chainer's Permutate(indices, axis, inv): hooks see x only
    seen = []

    class Rec(chainer.FunctionHook):
        def forward_preprocess(self, function, in_data):
            seen.append((function.label, [a.shape for a in in_data]))

    x = chainer.Variable(numpy.arange(6, dtype=numpy.float32).reshape(3, 2))
    ind = numpy.array([2, 0, 1], numpy.int32)
    with Rec():
        y = F.permutate(x, ind)
        y.grad = numpy.ones_like(y.array)
        y.backward()
    assert seen == [('Permutate', [(3, 2)])] * 2  # forward, and the one of backward
    z, = Permutate(numpy.array([1, 0], numpy.int32), 1, True).apply((x,))
    numpy.testing.assert_array_equal(z.array, x.array[:, ::-1])


def test_bad_indices_message_is_chainers():
    with pytest.raises(ValueError, match='^indices should be a one-dimensional int array$'):
        F.permutate(numpy.zeros((3, 2), numpy.float32), numpy.zeros(3))
