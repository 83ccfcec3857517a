import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'shapes': [((3, 2), (3, 2), (3, 2)), ((3, 2), (1, 2), (3, 1)), ((2,), (3, 2), ()),
               ((), (), ()), ((0, 2), (0, 2), (2,))],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestWhere(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        cs, xs, ys = self.shapes
        c = numpy.random.uniform(-1, 1, cs) > 0
        x = numpy.random.uniform(-1, 1, xs).astype(self.dtype)
        y = numpy.random.uniform(-1, 1, ys).astype(self.dtype)
        return c, x, y

    def forward(self, inputs, device):
        return F.where(*inputs),

    def forward_expected(self, inputs):
        return numpy.asarray(numpy.where(*inputs)),


def test_condition_variable():
    c = chainer.Variable(numpy.array([True, False]))
    x = chainer.Variable(numpy.array([1., 2.], numpy.float32))
    y = chainer.Variable(numpy.array([3., 4.], numpy.float32))
    z = F.where(c, x, y)
    numpy.testing.assert_array_equal(z.array, [1, 4])
    F.sum(z).backward()
    numpy.testing.assert_array_equal(x.grad, [1, 0])
    numpy.testing.assert_array_equal(y.grad, [0, 1])
    assert c.grad is None


def test_condition_numpy_bool_scalar():
    # what comparing 0-d arrays gives; Chainer took it
    x = chainer.Variable(numpy.array(2., numpy.float32))
    y = chainer.Variable(numpy.array(3., numpy.float32))
    z = F.where(x.array > 0, x, y)
    assert z.shape == () and z.array == 2.
    z.backward()
    assert x.grad == 1. and y.grad == 0.


@pytest.mark.parametrize('c,x,y', [
    (numpy.zeros(2, numpy.int32), numpy.zeros(2, numpy.float32), numpy.zeros(2, numpy.float32)),
    (numpy.zeros(2, bool), numpy.zeros(2, numpy.float32), numpy.zeros(2, numpy.float64)),
    (numpy.zeros(3, bool), numpy.zeros(2, numpy.float32), numpy.zeros(2, numpy.float32)),
])
def test_where_errors(c, x, y):
    with pytest.raises(type_check.InvalidType):
        F.where(c, x, y)


def test_condition_held_by_the_node():
    # hooks and graphs see x and y only; the condition is the node's array, as in Chainer
    seen = []

    class Rec(chainer.FunctionHook):
        def forward_preprocess(self, function, in_data):
            seen.append((function.label, [a.dtype for a in in_data]))

    c = numpy.array([True, False])
    x = chainer.Variable(numpy.array([1., 2.], numpy.float32))
    y = chainer.Variable(numpy.array([3., 4.], numpy.float32))
    with Rec():
        z = F.where(c, x, y)
    assert seen == [('Where', [numpy.float32, numpy.float32])]
    assert len(z.creator.inputs) == 2
    assert z.creator.condition is c


def test_python_scalar_condition():
    # Chainer made a 0-d array of a scalar condition (force_array)
    x = chainer.Variable(numpy.array([1., 2.], numpy.float32))
    y = chainer.Variable(numpy.array([3., 4.], numpy.float32))
    numpy.testing.assert_array_equal(F.where(True, x, y).array, [1., 2.])
    numpy.testing.assert_array_equal(F.where(False, x, y).array, [3., 4.])
    with pytest.raises(type_check.InvalidType):
        F.where(1, x, y)


def test_list_condition_is_invalid_type():
    x = numpy.array([1., 2.], numpy.float32)
    with pytest.raises(type_check.InvalidType, match='isinstance'):
        F.where([True, False], x, x)
