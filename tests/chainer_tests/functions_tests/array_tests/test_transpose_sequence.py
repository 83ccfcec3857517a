import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'lengths': [[3, 2, 2, 1], [2], [3, 3], [2, 0]],
    'trailing': [(), (2,)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestTransposeSequence(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        return tuple(numpy.random.uniform(-1, 1, (n,) + self.trailing).astype(self.dtype)
                     for n in self.lengths)

    def forward(self, inputs, device):
        return F.transpose_sequence(inputs)

    def forward_expected(self, inputs):
        return tuple(numpy.stack([x[t] for x in inputs if len(x) > t])
                     for t in range(len(inputs[0])))


def test_twice_is_identity_and_partial_grad():
    xs = [chainer.Variable(numpy.random.rand(n, 2).astype(numpy.float32)) for n in (3, 1)]
    ys = F.transpose_sequence(xs)
    assert [y.shape for y in ys] == [(2, 2), (1, 2), (1, 2)]
    zs = F.transpose_sequence(ys)
    for x, z in zip(xs, zs):
        numpy.testing.assert_array_equal(x.array, z.array)
    F.sum(ys[1]).backward()
    numpy.testing.assert_array_equal(xs[0].grad, [[0, 0], [1, 1], [0, 0]])
    numpy.testing.assert_array_equal(xs[1].grad, [[0, 0]])


def test_empty():
    assert F.transpose_sequence([]) == ()


def test_transpose_sequence_errors():
    with pytest.raises(type_check.InvalidType):
        F.transpose_sequence([numpy.zeros((1, 2), numpy.float32),
                              numpy.zeros((2, 2), numpy.float32)])
    with pytest.raises(type_check.InvalidType):
        F.transpose_sequence([numpy.zeros((2, 2), numpy.float32),
                              numpy.zeros((2, 3), numpy.float32)])
    with pytest.raises(type_check.InvalidType):
        F.transpose_sequence([numpy.zeros((), numpy.float32)])


def test_mixed_dtypes_take_the_first_sequences_dtype():
    # Chainer's forward wrote every step into an array of the first sequence's dtype
    rs = numpy.random.RandomState(0)
    a = chainer.Variable(rs.rand(3, 2).astype(numpy.float32))
    b = chainer.Variable(rs.rand(2, 2))
    c = (rs.rand(1, 2) * 3).astype(numpy.int32)
    ys = F.transpose_sequence([a, b, c])
    assert [y.dtype for y in ys] == [numpy.float32] * 3
    f32 = numpy.float32
    numpy.testing.assert_array_equal(
        ys[0].array, numpy.stack([a.array[0], b.array[0].astype(f32), c[0].astype(f32)]))
    numpy.testing.assert_array_equal(ys[1].array, numpy.stack([a.array[1], b.array[1].astype(f32)]))
    # each input gets its gradient in its own dtype (Chainer's backward crashed)
    sum(F.sum(y) * (t + 1) for t, y in enumerate(ys)).backward()
    assert a.grad.dtype == numpy.float32 and b.grad.dtype == numpy.float64
    numpy.testing.assert_array_equal(a.grad, [[1, 1], [2, 2], [3, 3]])
    numpy.testing.assert_array_equal(b.grad, [[1, 1], [2, 2]])
    ys = F.transpose_sequence([numpy.array([[1], [2]], numpy.int32), numpy.array([[2.7]])])
    assert ys[0].dtype == numpy.int32
    numpy.testing.assert_array_equal(ys[0].array, [[1], [2]])


@pytest.mark.parametrize('dtypes', [(numpy.float32, numpy.float64), (numpy.float16, numpy.float32)])
def test_mixed_dtypes_gradients(dtypes):
    rs = numpy.random.RandomState(1)
    xs = [rs.uniform(-1, 1, (3 - i, 2)).astype(d) for i, d in enumerate(dtypes)]
    gys = [rs.uniform(-1, 1, (n, 2)).astype(dtypes[0]) for n in (2, 2, 1)]
    ggxs = [rs.uniform(-1, 1, x.shape).astype(x.dtype) for x in xs]
    tol = {'atol': 5e-2, 'rtol': 5e-2} if numpy.float16 in dtypes else {}
    def f(*xs):
        return F.transpose_sequence(xs)
    chainer.gradient_check.check_backward(f, xs, gys, dtype=numpy.float64, **tol)
    chainer.gradient_check.check_double_backward(f, xs, gys, ggxs, dtype=numpy.float64, **tol)


@pytest.mark.parametrize('trailing', [(), (3, 2)])
def test_numpy_steps_are_gathered_in_one_go(trailing):
    # NumPy sequences are joined, gathered in time-major order and split into views
    lengths = [7, 7, 5, 2, 2, 1, 0, 0]
    xs = [numpy.random.uniform(-1, 1, (n,) + trailing).astype(numpy.float32)
          for n in lengths]
    ys = F.transpose_sequence(xs)
    assert len(ys) == 7
    for t, y in enumerate(ys):
        want = numpy.stack([x[t] for x in xs if len(x) > t])
        assert y.dtype == want.dtype and y.shape == want.shape
        numpy.testing.assert_array_equal(y.array, want)
    # the steps are disjoint: writing into one changes no other step nor the inputs
    ys[0].array[...] = 9
    assert not (ys[1].array == 9).any() and not any((x == 9).any() for x in xs)
    gxs = F.transpose_sequence(ys)
    assert [gx.shape for gx in gxs] == [x.shape for x in xs[:6]]
