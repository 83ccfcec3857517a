import warnings

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import gradient_check
from chainer import testing
from chainer.functions.math.matmul import MatMul, batch_matmul, matmul
from chainer.utils import type_check

_backends = [{}, {'use_cuda': True}]

# (a shape, b shape, transa, transb)
_CASES = [
    ((3, 4), (4, 5), False, False),
    ((4, 3), (4, 5), True, False),
    ((3, 4), (5, 4), False, True),
    ((4, 3), (5, 4), True, True),
    ((4,), (4,), False, False),
    ((4,), (4,), True, True),            # transposition of vectors is ignored
    ((4,), (4, 5), False, False),
    ((4,), (5, 4), True, True),
    ((3, 4), (4,), False, False),
    ((4, 3), (4,), True, False),
    ((2, 3, 4), (4,), False, False),
    ((4,), (2, 4, 3), False, False),
    ((2, 3, 4), (2, 4, 5), False, False),
    ((2, 1, 3, 4), (5, 4, 2), False, False),   # broadcast batch dims
    ((1, 4, 3), (2, 2, 5, 4), True, True),
    ((3, 4), (2, 4, 5), False, False),
    ((0, 4), (4, 2), False, False),
    ((2, 0), (0, 3), False, False),
    ((0, 3, 4), (4, 2), False, False),
]


def _expected(a, b, transa, transb):
    if transa and a.ndim > 1:
        a = a.swapaxes(-1, -2)
    if transb and b.ndim > 1:
        b = b.swapaxes(-1, -2)
    return numpy.matmul(a.astype(numpy.float64), b.astype(numpy.float64))


@testing.parameterize(*testing.product({
    'case': list(range(len(_CASES))),
    'dtypes': [(numpy.float16, numpy.float16), (numpy.float32, numpy.float32),
               (numpy.float64, numpy.float64), (numpy.float32, numpy.float64)],
}))
@testing.inject_backend_tests(None, _backends)
class TestMatMul(testing.FunctionTestCase):

    def setUp(self):
        self.a_shape, self.b_shape, self.transa, self.transb = _CASES[self.case]
        self.out_dtype = numpy.result_type(*self.dtypes)
        if numpy.float16 in self.dtypes:
            self.check_forward_options = {'atol': 1e-2, 'rtol': 1e-2}
            self.check_backward_options = {'eps': 2 ** -3, 'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {
                'eps': 2 ** -3, 'atol': 5e-2, 'rtol': 5e-2}
        else:
            self.check_forward_options = {'atol': 1e-5, 'rtol': 1e-5}
            self.check_backward_options = {'atol': 1e-4, 'rtol': 1e-4}
            self.check_double_backward_options = {'atol': 1e-4, 'rtol': 1e-4}

    def generate_inputs(self):
        a = numpy.random.uniform(-1, 1, self.a_shape).astype(self.dtypes[0])
        b = numpy.random.uniform(-1, 1, self.b_shape).astype(self.dtypes[1])
        return a, b

    def forward(self, inputs, device):
        a, b = inputs
        return matmul(a, b, transa=self.transa, transb=self.transb),

    def forward_expected(self, inputs):
        a, b = inputs
        y = _expected(a, b, self.transa, self.transb)
        return numpy.asarray(y).astype(self.out_dtype),


def test_operator():
    a = chainer.Variable(numpy.random.rand(2, 3).astype(numpy.float32))
    b = numpy.random.rand(3, 4).astype(numpy.float32)
    y = a @ b
    assert isinstance(y.creator, MatMul)
    numpy.testing.assert_allclose(y.array, a.array @ b, rtol=1e-6)
    y2 = b.T @ a.T
    numpy.testing.assert_allclose(y2.array, (a.array @ b).T, rtol=1e-6)


def test_zero_dim_result_is_array():
    y = matmul(numpy.ones(3, numpy.float32), numpy.ones(3, numpy.float32))
    assert isinstance(y.array, numpy.ndarray) and y.shape == ()
    assert float(y.array) == 3.0


def test_float16_accumulates_in_float32():
    # 4096 ones: a float16 running sum would stop growing at 2048.
    a = numpy.ones((1, 4096), numpy.float16)
    y = matmul(a, a, transb=True)
    assert y.dtype == numpy.float16
    assert float(y.array[0, 0]) == 4096.0


def test_broadcast_gradients_are_summed():
    a = chainer.Variable(numpy.random.rand(1, 3, 4))
    b = chainer.Variable(numpy.random.rand(5, 4, 2))
    y = matmul(a, b)
    y.grad = numpy.ones(y.shape)
    y.backward()
    assert a.grad.shape == (1, 3, 4) and b.grad.shape == (5, 4, 2)
    numpy.testing.assert_allclose(
        a.grad[0], numpy.ones((3, 2)) @ b.array.sum(axis=0).T)


def test_mixed_dtype_gradients_keep_input_dtypes():
    a = chainer.Variable(numpy.random.rand(2, 3).astype(numpy.float32))
    b = chainer.Variable(numpy.random.rand(3, 2))
    y = matmul(a, b)
    assert y.dtype == numpy.float64
    F.sum(y).backward()
    assert a.grad.dtype == numpy.float32 and b.grad.dtype == numpy.float64


@pytest.mark.parametrize('a_shape,b_shape,transa,transb', [
    ((3, 4), (3, 5), False, False),
    ((3, 4), (4, 5), True, False),
    ((4,), (3,), False, False),
    ((2, 3, 4), (3, 4, 5), False, False),
    ((), (3,), False, False),
    ((3,), (), False, False),
])
def test_bad_shapes(a_shape, b_shape, transa, transb):
    a = numpy.zeros(a_shape, numpy.float32)
    b = numpy.zeros(b_shape, numpy.float32)
    with pytest.raises(type_check.InvalidType):
        matmul(a, b, transa, transb)


def test_integer_inputs_rejected():
    with pytest.raises(type_check.InvalidType):
        matmul(numpy.ones((2, 2), numpy.int32), numpy.ones((2, 2), numpy.int32))


def test_scalar_operand_of_at_operator():
    a = chainer.Variable(numpy.ones((2, 2), numpy.float32))
    with pytest.raises(TypeError):
        a @ 2.0


@pytest.mark.parametrize('a_shape,b_shape,transa,transb,expected_shape', [
    ((3, 4), (3, 4), True, False, (3, 1, 1)),
    ((3, 4), (3, 4), False, True, (3, 4, 4)),
    ((2, 3, 4), (2, 4, 5), False, False, (2, 3, 5)),
    ((2, 4, 3), (2, 4), True, False, (2, 3, 1)),
])
def test_batch_matmul(a_shape, b_shape, transa, transb, expected_shape):
    a = numpy.random.rand(*a_shape)
    b = numpy.random.rand(*b_shape)
    with pytest.warns(DeprecationWarning):
        y = batch_matmul(a, b, transa, transb)
    a3 = a.reshape(a.shape[:2] + (-1,))
    b3 = b.reshape(b.shape[:2] + (-1,))
    expected = _expected(a3, b3, transa, transb)
    assert y.shape == expected_shape
    numpy.testing.assert_allclose(y.array, expected)

    def f(a, b):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', DeprecationWarning)
            return batch_matmul(a, b, transa, transb)
    gradient_check.check_backward(f, (a, b), numpy.random.rand(*expected_shape))


@pytest.mark.parametrize('a_shape,b_shape,transa,transb', [
    ((3, 4), (3, 4, 2), True, False),
    ((3, 2, 4), (3, 4), False, False),
    ((3, 4, 2), (3, 5, 4), True, True),
    ((3, 4), (3, 1, 4), False, False),
    ((3, 4), (3, 5, 1), False, True),
])
def test_batch_matmul_is_one_node(a_shape, b_shape, transa, transb):
    # Chainer's graph shows one BatchMatMul node fed with the operands as given.
    rng = numpy.random.RandomState(4)
    a = chainer.Variable(rng.rand(*a_shape))
    b = chainer.Variable(rng.rand(*b_shape))
    with pytest.warns(DeprecationWarning):
        y = batch_matmul(a, b, transa, transb)
    assert y.creator.label == 'BatchMatMul'
    assert y.creator.inputs == (a.node, b.node)
    a3 = a.array.reshape(a_shape[:2] + (-1,))
    b3 = b.array.reshape(b_shape[:2] + (-1,))
    numpy.testing.assert_allclose(y.array, _expected(a3, b3, transa, transb))

    def f(a, b):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', DeprecationWarning)
            return batch_matmul(a, b, transa, transb)
    gy = rng.rand(*y.shape)
    gradient_check.check_double_backward(f, (a.array, b.array), gy,
                                         (rng.rand(*a_shape), rng.rand(*b_shape)))


def test_batch_matmul_inner_sizes_must_agree():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)
        with pytest.raises(type_check.InvalidType):
            batch_matmul(numpy.zeros((2, 3, 4)), numpy.zeros((2, 5, 1)))
        with pytest.raises(type_check.InvalidType):
            batch_matmul(numpy.zeros((2, 3)), numpy.zeros((2, 3)), transa=False)


@pytest.mark.parametrize('a_shape,b_shape', [((3,), (3, 4)), ((2, 3, 4, 5), (2, 5, 1))])
def test_batch_matmul_bad_ndim(a_shape, b_shape):
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)
        with pytest.raises(type_check.InvalidType):
            batch_matmul(numpy.zeros(a_shape), numpy.zeros(b_shape))


def test_chainer_private_helpers():
    # Libraries built on Chainer 7.8.1 (knmt's constant matmul functions) import
    # these helpers from this module.
    from chainer.functions.math.matmul import _check_ndim, _get_check_index, _matmul
    a = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)
    b = numpy.arange(12, dtype=numpy.float32).reshape(3, 4)
    numpy.testing.assert_array_equal(_matmul(a, b), a @ b)
    numpy.testing.assert_array_equal(_matmul(a.T, b, transa=True), a @ b)
    numpy.testing.assert_array_equal(_matmul(a, b.T, transb=True), a @ b)
    numpy.testing.assert_array_equal(_matmul(a, b, transout=True), (a @ b).T)
    numpy.testing.assert_array_equal(
        _matmul(b, a, transa=True, transb=True, transout=True), a @ b)
    assert _get_check_index(False, False) == 1
    assert _get_check_index(True, False) == 0
    assert _get_check_index(False, True) == 0
    assert _get_check_index(True, True, row_idx=1, col_idx=2) == 2
    types = type_check.get_types((a, numpy.zeros((2, 2, 2), numpy.float32)), 'in_types', False)
    _check_ndim(types[0])
    with pytest.raises(type_check.InvalidType):
        _check_ndim(types[1])
    _check_ndim(types[1], lower=2, upper=3)


@pytest.mark.parametrize('call, expect', [
    (lambda z: matmul(z(2), z(3, 4)),
     'MatMul (Forward)\n\nExpect: a.shape[0] == b.shape[-2]\nActual: 2 != 3'),
    (lambda z: matmul(z(2), z(4, 3), transb=True),
     'MatMul (Forward)\n\nExpect: a.shape[0] == b.shape[-1]\nActual: 2 != 3'),
    (lambda z: batch_matmul(z(2, 3, 4), z(2, 4, 5, 2)),
     'BatchMatMul (Forward)\n\nExpect: b.ndim <= 3\nActual: 4 > 3'),
    (lambda z: batch_matmul(z(2), z(2, 3)),
     'BatchMatMul (Forward)\n\nExpect: a.ndim >= 2\nActual: 1 < 2'),
    (lambda z: batch_matmul(z(2, 3), z(2, 4)),
     'BatchMatMul (Forward)\n\nExpect: b.shape[1] == 1\nActual: 4 != 1'),
])
def test_check_messages_are_chainers(call, expect):
    def z(*shape):
        return numpy.zeros(shape, numpy.float32)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)
        with pytest.raises(type_check.InvalidType) as e:
            call(z)
    assert str(e.value).endswith('Invalid operation is performed in: ' + expect)


def test_batch_matmul_of_different_batch_sizes_is_a_value_error_as_in_chainer():
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)
        with pytest.raises(ValueError):
            batch_matmul(numpy.zeros((2, 3, 4), 'f'), numpy.zeros((3, 4, 5), 'f'))


@pytest.mark.parametrize('flag', [None, 'a', 2.5])
def test_transpose_flags_that_are_no_bools(flag):
    # Chainer 7.8.1's transa ^ transb raised TypeError; ours took the truth value
    a = numpy.ones((3, 4), numpy.float32)
    for f in (F.matmul, F.batch_matmul):
        x = a if f is F.matmul else a[None]
        with pytest.raises(TypeError, match='transa must be a bool'):
            f(x, x, transa=flag)
        with pytest.raises(TypeError, match='transb must be a bool'):
            f(x, x, transb=flag)
    assert F.matmul(a, a, transa=numpy.bool_(True)).shape == (4, 4)
    assert F.matmul(a, a, transb=1).shape == (3, 3)
