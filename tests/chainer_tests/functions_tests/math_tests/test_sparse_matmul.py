"""Tests of F.sparse_matmul."""
import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from chainer.utils.sparse import CooMatrix, to_coo


def _sparse(shape, dtype):
    a = numpy.random.uniform(-1, 1, shape)
    a[numpy.random.uniform(0, 1, shape) < 0.4] = 0
    return a.astype(dtype)


def _op(x, trans):
    return x.swapaxes(-1, -2) if trans else x


@testing.parameterize(*testing.product_dict(
    [{'sparse_side': 'a', 'transa': False, 'transb': False},
     {'sparse_side': 'a', 'transa': True, 'transb': True},
     {'sparse_side': 'b', 'transa': False, 'transb': False},
     {'sparse_side': 'b', 'transa': True, 'transb': True}],
    [{'batched': False}, {'batched': True}],
    [{'dtype': numpy.float16}, {'dtype': numpy.float32}, {'dtype': numpy.float64}],
))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestSparseMatMul(testing.FunctionTestCase):

    m, k, n = 3, 4, 2

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
        lead = (2,) if self.batched else ()
        a_shape = (self.k, self.m) if self.transa else (self.m, self.k)
        b_shape = (self.n, self.k) if self.transb else (self.k, self.n)
        sp_shape, self.dn_shape = ((a_shape, b_shape) if self.sparse_side == 'a'
                                   else (b_shape, a_shape))
        self.dense_sp = _sparse(lead + sp_shape, self.dtype)
        self.dn_shape = lead + self.dn_shape
        # ldnz with padding entries (row == col == -1).
        self.coo = to_coo(self.dense_sp, ldnz=self.dense_sp[..., :, :].size)

    def generate_inputs(self):
        data = self.coo.data.array.copy()
        dn = numpy.random.uniform(-1, 1, self.dn_shape).astype(self.dtype)
        return data, dn

    def forward(self, inputs, device):
        data, dn = inputs
        sp = CooMatrix(data, self.coo.row, self.coo.col, self.coo.shape)
        if self.sparse_side == 'a':
            return F.sparse_matmul(sp, dn, self.transa, self.transb),
        return F.sparse_matmul(dn, sp, self.transa, self.transb),

    def forward_expected(self, inputs):
        data, dn = inputs
        sp = CooMatrix(data, self.coo.row, self.coo.col, self.coo.shape).to_dense()
        a, b = (sp, dn) if self.sparse_side == 'a' else (dn, sp)
        a = _op(a, self.transa).astype(numpy.float64)
        b = _op(b, self.transb).astype(numpy.float64)
        return numpy.asarray(a @ b, self.dtype),


def test_sparse_matmul_gradient_of_data_only_at_nonzeros():
    x = numpy.array([[0, 2., 0], [1., 0, 0]], numpy.float32)
    sp = to_coo(x, requires_grad=True)
    b = chainer.Variable(numpy.ones((3, 2), numpy.float32))
    F.sum(F.sparse_matmul(sp, b)).backward()
    numpy.testing.assert_array_equal(sp.data.grad, [2, 2])
    numpy.testing.assert_array_equal(b.grad, [[1, 1], [2, 2], [0, 0]])


def test_sparse_matmul_bad_input():
    sp = to_coo(numpy.eye(3, dtype=numpy.float32))
    dense = numpy.ones((3, 3), numpy.float32)
    with pytest.raises(ValueError):
        F.sparse_matmul(dense, dense)
    with pytest.raises(ValueError):
        F.sparse_matmul(sp, sp)
    with pytest.raises(type_check.InvalidType):
        F.sparse_matmul(sp, numpy.ones((4, 3), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.sparse_matmul(sp, dense.astype(numpy.int32))
    with pytest.raises(type_check.InvalidType):
        F.sparse_matmul(sp, numpy.ones((2, 3, 3), numpy.float32))



def test_sparse_matmul_nodes_have_chainers_names():
    # Graph dumps and hooks show CooMatMul, and CooMatMulGradSP for the sparse gradient.
    from chainer.functions.math import sparse_matmul
    sp = to_coo(numpy.eye(2, dtype=numpy.float32))
    sp_data = chainer.Variable(sp.data.array)
    y = sparse_matmul.CooMatMul(sp.row, sp.col, sp.shape).apply(
        (sp_data, numpy.ones((2, 2), numpy.float32)))[0]
    assert y.creator.label == 'CooMatMul'
    assert F.sparse_matmul(sp, numpy.ones((2, 2), numpy.float32)).creator.label == 'CooMatMul'
    gx, = chainer.grad([F.sum(y * y)], [sp_data], enable_double_backprop=True)
    assert gx.creator.label == 'CooMatMulGradSP'


testing.run_module(__name__, __file__)


@pytest.mark.parametrize('sp_dtype, dn_dtype', [(numpy.float32, numpy.float64),
                                                (numpy.float64, numpy.float32),
                                                (numpy.float16, numpy.float32)])
@pytest.mark.parametrize('sparse_left', [True, False])
def test_operands_of_two_float_dtypes(sp_dtype, dn_dtype, sparse_left):
    # Chainer took them: the product in NumPy's promotion, each gradient in its
    # operand's dtype.
    rng = numpy.random.RandomState(0)
    a = rng.uniform(-1, 1, (3, 4))
    a[numpy.abs(a) < 0.4] = 0
    sp = to_coo(a.astype(sp_dtype))
    data = sp.data.array.copy()
    b = rng.uniform(-1, 1, (4, 2) if sparse_left else (2, 3)).astype(dn_dtype)

    def f(data, b):
        m = CooMatrix(data, sp.row, sp.col, sp.shape)
        return F.sparse_matmul(m, b) if sparse_left else F.sparse_matmul(b, m)

    y = f(data, b)
    assert y.dtype == numpy.result_type(sp_dtype, dn_dtype)
    expected = a @ b if sparse_left else b @ a
    numpy.testing.assert_allclose(y.array, expected, atol=2e-3)
    if sp_dtype == numpy.float16:
        return  # too coarse for numeric differentiation
    gy = rng.uniform(-1, 1, y.shape).astype(y.dtype)
    ggs = (rng.uniform(-1, 1, data.shape).astype(sp_dtype),
           rng.uniform(-1, 1, b.shape).astype(dn_dtype))
    chainer.gradient_check.check_backward(f, (data, b), gy, dtype=None, atol=1e-3, rtol=1e-3)
    chainer.gradient_check.check_double_backward(f, (data, b), gy, ggs, atol=1e-3, rtol=1e-3)


@pytest.mark.parametrize('transa', [False, True])
@pytest.mark.parametrize('transb', [False, True])
@pytest.mark.parametrize('transc', [False, True])
@pytest.mark.parametrize('batched', [False, True])
def test_coo_nodes_take_chainers_transposition_flags(transa, transb, transc, batched):
    # CooMatMul(row, col, shape, order, transa, transb, transc) computes
    # op_c(op_a(S) @ op_b(D)); CooMatMulGradSP(...) reads op_a(A) @ op_b(B) at the
    # pattern (of its transpose when transc). Both differentiate twice.
    from chainer.functions.math import sparse_matmul
    rng = numpy.random.RandomState(1)
    lead = (2,) if batched else ()
    s_dense = rng.uniform(-1, 1, lead + (3, 4))
    s_dense[numpy.abs(s_dense) < 0.3] = 0
    sp = to_coo(s_dense, ldnz=s_dense[..., :, :].size // (2 if batched else 1) + 1)
    data = sp.data.array.copy()
    s_op = _op(s_dense, transa)
    d = rng.uniform(-1, 1, lead + _op(numpy.empty((s_op.shape[-1], 2)), transb).shape)
    node = sparse_matmul.CooMatMul(sp.row, sp.col, sp.shape, sp.order,
                                   transa=transa, transb=transb, transc=transc)
    assert (node.transa, node.transb, node.transc) == (transa, transb, transc)
    y = node.apply((data, d))[0]
    numpy.testing.assert_allclose(y.array, _op(s_op @ _op(d, transb), transc), atol=1e-12)

    def f(data, d):
        return sparse_matmul.CooMatMul(sp.row, sp.col, sp.shape, 'other',
                                       transa, transb, transc).apply((data, d))[0]

    gy = rng.uniform(-1, 1, y.shape)
    chainer.gradient_check.check_backward(f, (data, d), gy)
    chainer.gradient_check.check_double_backward(
        f, (data, d), gy, (rng.uniform(-1, 1, data.shape), rng.uniform(-1, 1, d.shape)))

    # GradSP: A, B dense with op_a(A) @ op_b(B) of the pattern's (transposed) shape.
    m, n = sp.shape[::-1] if transc else sp.shape
    a = rng.uniform(-1, 1, lead + _op(numpy.empty((m, 5)), transa).shape)
    b = rng.uniform(-1, 1, lead + _op(numpy.empty((5, n)), transb).shape)
    g = sparse_matmul.CooMatMulGradSP(sp.row, sp.col, sp.shape, sp.order,
                                      transa, transb, transc).apply((a, b))[0]
    full = _op(_op(a, transa) @ _op(b, transb), transc)
    expected = numpy.where(sp.row >= 0, full[(*numpy.indices(sp.row.shape)[:-1], sp.row, sp.col)]
                           if batched else full[sp.row, sp.col], 0)
    numpy.testing.assert_allclose(g.array, expected, atol=1e-12)

    def h(a, b):
        return sparse_matmul.CooMatMulGradSP(sp.row, sp.col, sp.shape, 'other',
                                             transa, transb, transc).apply((a, b))[0]

    gg = rng.uniform(-1, 1, g.shape)
    chainer.gradient_check.check_backward(h, (a, b), gg)
    chainer.gradient_check.check_double_backward(
        h, (a, b), gg, (rng.uniform(-1, 1, a.shape), rng.uniform(-1, 1, b.shape)))


def test_coo_nodes_reject_bad_patterns():
    from chainer.functions.math import sparse_matmul
    r = numpy.zeros(3, numpy.int32)
    for cls in (sparse_matmul.CooMatMul, sparse_matmul.CooMatMulGradSP):
        with pytest.raises(ValueError):
            cls(r, numpy.zeros(4, numpy.int32), (2, 2))
        with pytest.raises(ValueError):
            cls(numpy.zeros((1, 1, 3), numpy.int32), numpy.zeros((1, 1, 3), numpy.int32), (2, 2))
        with pytest.raises(ValueError):
            cls(r, r, (2, 2, 2))
