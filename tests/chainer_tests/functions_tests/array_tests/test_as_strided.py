import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.functions.array import as_strided as as_strided_module

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'case': [((6,), (2, 3), (3, 1), None), ((6,), (4, 3), (1, 1), 0),   # overlapping windows
             ((2, 3), (3, 2), (1, 3), None), ((5,), (3, 2), (0, 2), 1),  # broadcast axis
             ((6,), (3,), (-2,), 5), ((4,), (0, 2), (1, 1), 0), ((4,), (), (), 2)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestAsStrided(testing.FunctionTestCase):

    # as_strided reads the memory x views, so non-contiguous copies of the
    # inputs would change its result (see the view tests below)
    contiguous = 'C'

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.case[0]).astype(self.dtype),

    def forward(self, inputs, device):
        _, shape, strides, offset = self.case
        return F.as_strided(inputs[0], shape, strides, offset),

    def forward_expected(self, inputs):
        _, shape, strides, offset = self.case
        flat = numpy.ascontiguousarray(inputs[0]).ravel()
        if any(s < 0 for s in strides):
            return numpy.array([flat[offset + i * strides[0]] for i in range(shape[0])]),
        flat = flat[offset or 0:]
        item = flat.itemsize
        return numpy.lib.stride_tricks.as_strided(
            flat, shape, tuple(s * item for s in strides)).copy(),


def test_overlap_accumulates_gradient():
    x = chainer.Variable(numpy.zeros(4, numpy.float32))
    y = F.as_strided(x, (3, 2), (1, 1))
    F.sum(y).backward()
    numpy.testing.assert_array_equal(x.grad, [1, 2, 2, 1])


def test_as_strided_errors():
    x = numpy.zeros(4, numpy.float32)
    with pytest.raises(ValueError):
        F.as_strided(x, (3,), (2,))
    with pytest.raises(ValueError):
        F.as_strided(x, (2,), (-1,))
    with pytest.raises(ValueError):
        F.as_strided(x, (2,), (1,), 3)
    with pytest.raises(ValueError):
        F.as_strided(x, (2, 2), (1,))
    with pytest.raises(TypeError):
        F.as_strided(x, (2,), (1.5,))


def test_shape_and_strides_as_integer_arrays():
    # Chainer took NumPy integer arrays for shape and strides.
    x = numpy.arange(6, dtype=numpy.float32)
    y = F.as_strided(x, numpy.array([2, 2]), numpy.array([1, 2]))
    numpy.testing.assert_array_equal(y.array, [[0, 2], [1, 3]])
    assert F.as_strided(x, (1, numpy.array(3)), [2, 0]).shape == (1, 3)


def _strided(x, shape, strides, offset=None):
    # output values and the gradient of sum(y * (1, 2, 3, ...))
    v = chainer.Variable(x)
    y = F.as_strided(v, shape, strides, offset)
    y.grad = numpy.arange(1, y.size + 1, dtype=numpy.float32).reshape(y.shape)
    y.backward()
    return y.array.tolist(), v.grad.tolist()


def test_view_of_input_is_ignored():
    # As in Chainer, the memory that x views is read, whatever x's own view:
    # strides and offsets count from the start of the array owning it.
    a = numpy.arange(12, dtype=numpy.float32).reshape(3, 4)
    assert _strided(a.T, (2, 2), (1, 2), 1) == (
        [[1, 3], [2, 4]], [[0, 4, 0], [1, 0, 0], [3, 0, 0], [2, 0, 0]])
    # the default offset is that of x's first element
    assert _strided(a[::-1], (3,), (4,), 0) == (
        [0, 4, 8], [[3, 0, 0, 0], [2, 0, 0, 0], [1, 0, 0, 0]])
    assert _strided(a[1:], (2, 2), (4, 1)) == (
        [[4, 5], [8, 9]], [[1, 2, 0, 0], [3, 4, 0, 0]])
    # memory next to x's elements is read too and gets no gradient
    assert _strided(a[1:], (2, 2), (4, 1), 0) == (
        [[0, 1], [4, 5]], [[3, 4, 0, 0], [0, 0, 0, 0]])
    assert _strided(numpy.arange(6, dtype=numpy.float32)[::2], (2,), (1,), 0) == (
        [0, 1], [1, 0, 0])
    with pytest.raises(ValueError):
        F.as_strided(a[::-1], (3,), (4,))


def test_overlapping_input_shares_the_gradient():
    # elements of x sharing memory share its gradient (Chainer's rule)
    x = numpy.broadcast_to(numpy.arange(3, dtype=numpy.float32), (2, 3))
    assert _strided(x, (2,), (1,)) == ([0, 1], [[0.5, 1, 0], [0.5, 1, 0]])


@pytest.mark.parametrize('dtype', [numpy.int16, numpy.int32, numpy.int64])
def test_integer_gradient_is_refused(dtype):
    # As in Chainer: backprop through as_strided needs a float gradient (the
    # forward of an integer array is fine).
    v = chainer.Variable(numpy.arange(6, dtype=dtype))
    y = F.as_strided(v, (3,), (-2,), 5)
    numpy.testing.assert_array_equal(y.array, [5, 3, 1])
    y.grad = numpy.ones(3, dtype)
    with pytest.raises(TypeError):
        chainer.grad((y,), (v,))


def test_input_made_by_numpy_as_strided_counts_from_its_array():
    # numpy's as_strided puts a wrapper object between the view and the array it
    # views; positions still count from the start of that array, as in Chainer.
    a = numpy.arange(8, dtype=numpy.float32)
    x = numpy.lib.stride_tricks.as_strided(a[3:], (3, 3), (-4, 8))  # [[3, 5, 7], ...]
    v = chainer.Variable(x)
    y = F.as_strided(v, (3, 3), (1, 2), 0)
    numpy.testing.assert_array_equal(y.array, [[0, 2, 4], [1, 3, 5], [2, 4, 6]])
    gx, = chainer.grad((y,), (v,), (numpy.ones((3, 3), numpy.float32),))
    # each position's gradient is shared among the elements of x that view it
    numpy.testing.assert_array_equal(gx.array, [[.5, .5, 0], [2, 2, 1], [1, .5, .5]])


@pytest.mark.parametrize('shape, strides, offset', [
    ((3, 4), (4, 1), None), ((2, 5), (-3, 2), 9), ((4, 3), (0, 1), 2),
    ((2, 3, 2), (1, 2, 7), None), ((6,), (5,), 1),
])
def test_numpy_result_is_a_copy_of_the_memory_read(shape, strides, offset):
    # NumPy inputs read the memory block directly (no index arrays) and copy it;
    # the gradient's geometry is built on the way back
    base = numpy.random.uniform(-1, 1, 40).astype(numpy.float64)
    x = base[3:27].reshape(4, 6)[:, ::2]  # a view: positions count from base
    start = 3 if offset is None else offset
    view = numpy.lib.stride_tricks.as_strided(
        base[start:], shape, tuple(s * base.itemsize for s in strides))
    xv = chainer.Variable(x)
    y = F.as_strided(xv, shape, strides, offset)
    assert y.array.flags.c_contiguous and not numpy.shares_memory(y.array, base)
    numpy.testing.assert_array_equal(y.array, view)
    gy = numpy.random.uniform(-1, 1, shape)
    y.grad = gy
    y.backward()
    # each element of x gets the gradients of the output elements reading it
    positions = 3 + numpy.arange(12).reshape(4, 3) // 3 * 6 + numpy.arange(12).reshape(4, 3) % 3 * 2
    read = (start + sum(numpy.indices(shape)[k] * strides[k] for k in range(len(shape))))
    want = numpy.zeros(40)
    numpy.add.at(want, read.ravel(), gy.ravel())
    numpy.testing.assert_allclose(xv.grad, want[positions], rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize('shape, strides, offset', [
    ((3, 4), (4, 1), None), ((2, 5), (-3, 2), 9), ((4, 3), (0, 1), 2), ((6,), (5,), 1),
    ((3, 3), (1, 1), 0),  # overlapping windows: the index geometry adds them up
])
def test_numpy_gradient_is_the_index_geometrys_bit_for_bit(shape, strides, offset):
    base = numpy.random.uniform(-1, 1, 40).astype(numpy.float32)
    x = base[3:27].reshape(4, 6)[:, ::2]
    gy = numpy.random.uniform(-1, 1, shape).astype(numpy.float32)
    gy.flat[0] = -0.0
    lazy = as_strided_module._LazyGeometry(x, shape, strides, offset)
    full = as_strided_module._Geometry(numpy, x, shape, strides, offset)
    got = lazy.scatter(numpy, gy)
    want = full.scatter(numpy, gy)
    assert got.shape == x.shape and got.dtype == want.dtype
    numpy.testing.assert_array_equal(got.view(numpy.uint32), want.view(numpy.uint32))
