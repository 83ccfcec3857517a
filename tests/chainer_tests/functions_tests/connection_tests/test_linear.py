import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import gradient_check
from chainer import testing
from chainer.functions.connection.linear import linear
from chainer.utils import type_check

_backends = [{}, {'use_cuda': True}]


def _tols(case, dtype):
    if dtype == numpy.float16:
        case.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
        case.check_backward_options = {
            'atol': 5e-2, 'rtol': 5e-2}
        case.check_double_backward_options = {
            'atol': 5e-2, 'rtol': 5e-2}
    else:
        case.check_forward_options = {'atol': 1e-5, 'rtol': 1e-5}
        case.check_backward_options = {'atol': 1e-4, 'rtol': 1e-4}
        case.check_double_backward_options = {
            'atol': 1e-4, 'rtol': 1e-4}


@testing.parameterize(*(
    testing.product({
        'x_shape': [(3, 4)],
        'n_batch_axes': [1],
        'nobias': [False, True],
        'dtype': [numpy.float16, numpy.float32, numpy.float64],
    })
    + [
        {'x_shape': (2, 3, 2), 'n_batch_axes': 1, 'nobias': False, 'dtype': numpy.float32},
        {'x_shape': (2, 3, 4), 'n_batch_axes': 2, 'nobias': False, 'dtype': numpy.float64},
        {'x_shape': (2, 1, 2, 2), 'n_batch_axes': 3, 'nobias': True, 'dtype': numpy.float32},
        {'x_shape': (0, 4), 'n_batch_axes': 1, 'nobias': False, 'dtype': numpy.float32},
    ]
))
@testing.inject_backend_tests(None, _backends)
class TestLinear(testing.FunctionTestCase):

    def setUp(self):
        _tols(self, self.dtype)
        self.in_size = 1
        for s in self.x_shape[self.n_batch_axes:]:
            self.in_size *= s

    def generate_inputs(self):
        x = numpy.random.uniform(-1, 1, self.x_shape).astype(self.dtype)
        W = numpy.random.uniform(-1, 1, (5, self.in_size)).astype(self.dtype)
        if self.nobias:
            return x, W
        b = numpy.random.uniform(-1, 1, (5,)).astype(self.dtype)
        return x, W, b

    def forward(self, inputs, device):
        return linear(*inputs, n_batch_axes=self.n_batch_axes),

    def forward_expected(self, inputs):
        x, W = inputs[:2]
        batch = x.shape[:self.n_batch_axes]
        x2 = x.reshape(int(numpy.prod(batch)), self.in_size).astype(numpy.float64)
        y = x2 @ W.astype(numpy.float64).T
        if len(inputs) == 3:
            y = y + inputs[2]
        return y.reshape(batch + (5,)).astype(self.dtype),


def test_mixed_weight_dtype_gradients_keep_dtypes():
    x = chainer.Variable(numpy.random.rand(3, 4).astype(numpy.float32))
    W = chainer.Variable(numpy.random.rand(2, 4))
    y = linear(x, W)
    assert y.dtype == numpy.float32
    y.grad = numpy.ones((3, 2), numpy.float32)
    y.backward()
    assert x.grad.dtype == numpy.float32 and W.grad.dtype == numpy.float64
    numpy.testing.assert_allclose(W.grad, numpy.ones((2, 3)) @ x.array, rtol=1e-6)


def test_third_order_gradient():
    x = chainer.Variable(numpy.random.rand(2, 3))
    W = chainer.Variable(numpy.random.rand(4, 3))
    y = F.sum(linear(x, W) ** 3)
    gx, = chainer.grad([y], [x], enable_double_backprop=True)
    ggx, = chainer.grad([F.sum(gx)], [x], enable_double_backprop=True)
    gggx, = chainer.grad([F.sum(ggx)], [x])
    # y = sum((xW^T)^3): d3/dx^3 summed -> 6 * sum_o (sum_j W_oj)^3 per x row entry
    s = W.array.sum(axis=1)
    expected = 6 * (W.array * (s ** 2)[:, None]).sum(axis=0)
    numpy.testing.assert_allclose(gggx.array, numpy.broadcast_to(expected, (2, 3)), rtol=1e-6)


def test_float16_accumulates_in_float32():
    # 4096 products of 1 * (1 + 2**-10): a float16 accumulator would stall at 2048.
    x = numpy.ones((1, 4096), numpy.float16)
    W = numpy.full((1, 4096), 1 + 2 ** -10, numpy.float16)
    y = linear(x, W)
    assert y.dtype == numpy.float16
    assert abs(float(y.array[0, 0]) - 4100) < 8


def test_exported():
    assert F.linear is linear


def test_bad_inputs():
    x = numpy.zeros((3, 4), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        linear(x, numpy.zeros((2, 5), numpy.float32))          # in_size mismatch
    with pytest.raises(type_check.InvalidType):
        linear(x.astype(numpy.int32), numpy.zeros((2, 4), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        linear(numpy.zeros(4, numpy.float32), numpy.zeros((2, 4), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        linear(x, numpy.zeros((2, 4), numpy.float32), numpy.zeros(3, numpy.float32))
    with pytest.raises(type_check.InvalidType):
        linear(x, numpy.zeros((2, 4), numpy.float32), numpy.zeros(2, numpy.float64))
    with pytest.raises(ValueError):
        linear(x, numpy.zeros((2, 4), numpy.float32), n_batch_axes=0)


def test_check_backward_bias_only_wrt_b():
    x = numpy.random.rand(3, 4)
    W = numpy.random.rand(2, 4)
    b = numpy.random.rand(2)
    gradient_check.check_backward(lambda b_: linear(x, W, b_), (b,), numpy.random.rand(3, 2))


def test_empty_batch_of_many_axes():
    # reshape(0, -1) cannot find the -1, so an empty batch is flattened with the
    # computed size (Chainer raised ValueError there).
    x = chainer.Variable(numpy.zeros((0, 2, 3), numpy.float32))
    W = chainer.Variable(numpy.ones((4, 6), numpy.float32))
    y = F.linear(x, W)
    assert y.shape == (0, 4)
    F.sum(y).backward()
    assert x.grad.shape == (0, 2, 3) and W.grad.shape == (4, 6) and not W.grad.any()
    assert F.linear(numpy.zeros((0, 5, 2, 3), numpy.float32), W, n_batch_axes=2).shape == \
        (0, 5, 4)


def test_array_input_is_flattened_without_a_node():
    # Chainer reshaped an array x as an array; a Variable x gets a Reshape node
    seen = []

    class Rec(chainer.FunctionHook):
        def forward_preprocess(self, function, in_data):
            seen.append(function.label)

    W = numpy.ones((4, 6), numpy.float32)
    x = numpy.ones((2, 2, 3), numpy.float32)
    with Rec():
        y = F.linear(x, W)
    assert seen == ['LinearFunction'] and y.shape == (2, 4)
    del seen[:]
    with Rec():
        F.linear(chainer.Variable(x), W)
    assert seen == ['Reshape', 'LinearFunction']


@pytest.mark.parametrize('use_bias', [True, False])
@pytest.mark.parametrize('batch', [1, 8, 20, 24, 32, 33])
def test_small_batch_output_is_c_contiguous_and_exact(batch, use_bias):
    # a few rows through a large weight: Chainer's x.dot(W.T), not the transposed
    # product (W.dot(x.T)).T, which some CPUs' BLAS rounds differently (an AMD EPYC
    # with OpenBLAS did in 64% of the elements of (8, 50) @ (50, 10000))
    rng = numpy.random.RandomState(batch)
    x = rng.randn(batch, 200).astype(numpy.float32)
    W = rng.randn(10000, 200).astype(numpy.float32)
    b = rng.randn(10000).astype(numpy.float32)
    y = (F.linear(x, W, b) if use_bias else F.linear(x, W)).array
    assert y.flags.c_contiguous and y.dtype == numpy.float32
    expect = x.dot(W.T)
    if use_bias:
        expect += b
    numpy.testing.assert_array_equal(y, expect)


def test_np_memmap_input_with_plain_weights(tmp_path):
    # an np.memmap (np.load(mmap_mode='r')) is a NumPy array, as in Chainer
    numpy.save(tmp_path / 'x.npy', numpy.ones((2, 3), numpy.float32))
    x = numpy.load(tmp_path / 'x.npy', mmap_mode='r')
    W = chainer.Variable(numpy.ones((4, 3), numpy.float32))
    y = F.linear(x, W, numpy.zeros(4, numpy.float32))
    numpy.testing.assert_array_equal(y.array, numpy.full((2, 4), 3, numpy.float32))
    F.sum(y).backward()
    numpy.testing.assert_array_equal(W.grad, numpy.full((4, 3), 2, numpy.float32))


@pytest.mark.gpu
@pytest.mark.parametrize('type_check_on', [True, False])
def test_numpy_and_cupy_mixed_raise_type_error(type_check_on):
    # TypeError whether or not the type check runs (CuPy raised it in Chainer)
    import cupy
    x = cupy.ones((2, 3), numpy.float32)
    W = numpy.ones((4, 3), numpy.float32)
    with chainer.using_config('type_check', type_check_on):
        with pytest.raises(TypeError, match='incompatible array types'):
            linear(x, W)
        with pytest.raises(TypeError, match='incompatible array types'):
            linear(x, cupy.asarray(W), numpy.zeros(4, numpy.float32))
