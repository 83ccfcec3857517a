import decimal
import fractions
import operator
import unittest
import warnings

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import gradient_check
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests.functions_tests import _spread

_backends = [{}, {'use_cuda': True}]
_floats = [numpy.float16, numpy.float32, numpy.float64]


def _set_tols(case, dtype, fwd=None):
    if dtype == numpy.float16:
        case.check_forward_options = fwd or {'atol': 1e-3, 'rtol': 1e-3}
        case.check_backward_options = {'eps': 2 ** -5, 'atol': 5e-2, 'rtol': 5e-2}
        case.check_double_backward_options = {'eps': 2 ** -5, 'atol': 5e-2, 'rtol': 5e-2}
    else:
        case.check_backward_options = {'atol': 1e-3, 'rtol': 1e-3}
        case.check_double_backward_options = {'atol': 1e-3, 'rtol': 1e-3}


_BINARY = {'add': operator.add, 'sub': operator.sub, 'mul': operator.mul,
           'truediv': operator.truediv, 'pow': operator.pow}


@testing.parameterize(*testing.product({
    'op': list(_BINARY),
    'shapes': [((3, 2), (3, 2)), ((3, 2), (2,)), ((3, 1), (1, 4)), ((), (2,)),
               ((2, 3), ()), ((0, 2), (2,))],
    'dtype': _floats,
}))
@testing.inject_backend_tests(None, _backends)
class TestBinaryVariableVariable(testing.FunctionTestCase):

    def setUp(self):
        _set_tols(self, self.dtype)

    def generate_inputs(self):
        # Positive operands away from zero keep / and ** smooth.
        return tuple(numpy.random.uniform(0.5, 2, s).astype(self.dtype)
                     for s in self.shapes)

    def forward(self, inputs, device):
        a, b = (chainer.as_variable(x) for x in inputs)
        return _BINARY[self.op](a, b),

    def forward_expected(self, inputs):
        a, b = inputs
        return numpy.asarray(_BINARY[self.op](a, b), dtype=self.dtype),


# (name, function of (variable, constant), function of arrays)
_CONST_OPS = {
    'add': lambda x, c: x + c,
    'radd': lambda x, c: c + x,
    'sub': lambda x, c: x - c,
    'rsub': lambda x, c: c - x,
    'mul': lambda x, c: x * c,
    'rmul': lambda x, c: c * x,
    'truediv': lambda x, c: x / c,
    'rtruediv': lambda x, c: c / x,
    'pow': lambda x, c: x ** c,
    'rpow': lambda x, c: c ** x,
}


@testing.parameterize(*testing.product({
    'op': list(_CONST_OPS),
    'const': ['int', 'float', 'numpy_scalar', 'array_broadcast'],
    'shape': [(3, 2), (), (0, 2)],
    'dtype': _floats,
}))
@testing.inject_backend_tests(None, _backends)
class TestBinaryVariableConstant(testing.FunctionTestCase):

    def setUp(self):
        if self.const == 'array_broadcast' and self.shape != (3, 2):
            self.const = 'array'  # same shape as the variable
        if self.shape == (0, 2) and self.dtype != numpy.float32:
            raise unittest.SkipTest('0-size inputs are tested with float32 only')
        _set_tols(self, self.dtype, fwd={'atol': 5e-3, 'rtol': 5e-3})

    def _constant(self, xp=numpy):
        if self.const == 'int':
            return 2
        if self.const == 'float':
            return 1.5
        if self.const == 'numpy_scalar':
            return numpy.float64(1.5)
        if self.const == 'array':
            return xp.full(self.shape, 1.25, dtype=numpy.float64)
        return xp.asarray(numpy.array([1.25, 0.75]))

    def generate_inputs(self):
        return numpy.random.uniform(0.5, 2, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        c = self._constant()
        if isinstance(c, numpy.ndarray):
            c = device.send(c)
        return _CONST_OPS[self.op](inputs[0], c),

    def forward_expected(self, inputs):
        x = inputs[0]
        c = self._constant()
        c = x.dtype.type(c) if numpy.isscalar(c) else c.astype(x.dtype)
        return numpy.asarray(_CONST_OPS[self.op](x, c), dtype=self.dtype),


@testing.parameterize(*testing.product({
    'op': ['neg', 'abs'],
    'shape': [(3, 2), (), (0, 2)],
    'dtype': _floats,
}))
@testing.inject_backend_tests(None, _backends)
class TestUnary(testing.FunctionTestCase):

    def setUp(self):
        _set_tols(self, self.dtype)

    def generate_inputs(self):
        x = numpy.random.uniform(0.2, 1, self.shape) * numpy.random.choice([-1, 1], self.shape)
        return x.astype(self.dtype),

    def forward(self, inputs, device):
        x = inputs[0]
        return (-x if self.op == 'neg' else abs(x)),

    def forward_expected(self, inputs):
        x = inputs[0]
        return (-x if self.op == 'neg' else numpy.abs(x)),


def test_int_variable_times_float_stays_int():
    x = chainer.Variable(numpy.array([1, 2, 3], numpy.int32))
    y = x * 2.5
    assert y.dtype == numpy.int32
    numpy.testing.assert_array_equal(y.array, [2, 4, 6])  # the constant becomes int32(2)
    assert (2.5 * x).dtype == numpy.int32
    assert (x + 1.7).dtype == numpy.int32


@pytest.mark.parametrize('c,expected', [
    (2, [0, 0, 1, 1, 2]), (0.5, [0, 2, 4, 6, 8]), (numpy.float32(0.25), [0, 4, 8, 12, 16]),
    (numpy.int32(3), [0, 0, 0, 1, 1])])
def test_int_variable_divided_by_constant_is_the_true_quotient(c, expected):
    # README: the true quotient cast to the dtype (0.5 is not cast to int32 0 first)
    x = chainer.Variable(numpy.arange(5, dtype=numpy.int32))
    y = x / c
    assert y.dtype == numpy.int32
    numpy.testing.assert_array_equal(y.array, expected)


def test_float32_with_numpy_float64_scalar_stays_float32():
    x = chainer.Variable(numpy.ones(3, numpy.float32))
    for y in (x * numpy.float64(2.5), x + numpy.float64(1), numpy.float64(3) - x,
              x / numpy.float64(2), x ** numpy.float64(2), numpy.float64(2) ** x):
        assert y.dtype == numpy.float32


def test_division_by_a_numpy_float16_scalar_keeps_the_variables_precision():
    x = chainer.Variable(numpy.array([0.3, -1.25], numpy.float32))
    c = numpy.float16(1.7)
    y = x / c
    expected = x.array * numpy.float32(1.0 / float(c))
    numpy.testing.assert_array_equal(y.array, expected)
    y.grad = numpy.ones(2, numpy.float32)
    y.backward()
    numpy.testing.assert_array_equal(x.grad, numpy.full(2, 1.0 / float(c), numpy.float32))


def test_division_by_a_complex_constant_is_refused():
    x = chainer.Variable(numpy.ones(2, numpy.float32))
    for c in (1j, 2 + 0j):
        with pytest.raises(TypeError):
            x / c


@pytest.mark.parametrize('dtype', [numpy.int64, numpy.int8, numpy.uint8, numpy.bool_])
@pytest.mark.parametrize('c', [0, 0.0, False])
def test_int_variable_divided_by_a_python_zero_raises(dtype, c):
    # as for float Variables and as in Chainer; it gave INT_MIN garbage
    x = chainer.Variable(numpy.array([3, 5], dtype))
    with pytest.raises(ZeroDivisionError):
        x / c
    with pytest.raises(ZeroDivisionError):
        x // c


@pytest.mark.parametrize('dtype', [numpy.uint8, numpy.uint32])
@pytest.mark.parametrize('c', [2, 2.5, True, numpy.int64(2)])
def test_unsigned_variable_minus_a_constant_wraps_as_numpy(dtype, c):
    # as Chainer (and NumPy): 1 - 2 wraps; the negated constant -2 did not fit and raised
    x = chainer.Variable(numpy.array([1, 3, 7], dtype))
    y = x - c
    assert y.dtype == dtype
    numpy.testing.assert_array_equal(y.array, numpy.array([1, 3, 7], dtype) - dtype(c))


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.int32, numpy.int64])
@pytest.mark.parametrize('c', [numpy.uint8(200), numpy.uint16(2), numpy.uint64(2)])
def test_variable_minus_an_unsigned_numpy_scalar(dtype, c):
    # the constant is negated in x's dtype: Chainer negated it in its own (-uint8(200) = 56,
    # float32 - uint16(2) = 65537)
    x = chainer.Variable(numpy.array([1, 3, 7], dtype))
    y = x - c
    assert y.dtype == dtype
    numpy.testing.assert_array_equal(y.array, numpy.array([1, 3, 7]) - int(c))
    if dtype == numpy.float32:
        y.grad = numpy.ones(3, dtype)
        y.backward()
        numpy.testing.assert_array_equal(x.grad, numpy.ones(3, dtype))


@pytest.mark.parametrize('c', [2, 2.0, numpy.int8(2), numpy.float32(2.5), -2, 0.5])
def test_int_variable_floor_divided_by_constant_rounds_down(c):
    # as NumPy and Python (-3 // 2 == -2); the true quotient was truncated toward zero
    a = numpy.array([-3, -1, 0, 5, 7], numpy.int32)
    for y in (chainer.Variable(a) // c, _ifloordiv(chainer.Variable(a), c)):
        assert y.dtype == numpy.int32
        numpy.testing.assert_array_equal(y.array, numpy.floor(a / float(c)).astype(numpy.int32))


def test_int_variable_floor_divided_by_a_numpy_complex_scalar():
    # Chainer cast the constant (with a ComplexWarning) and gave a number
    x = chainer.Variable(numpy.array([-3, 5], numpy.int32))
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', numpy.exceptions.ComplexWarning)
        numpy.testing.assert_array_equal((x // numpy.complex64(2)).array, [-2, 2])


@pytest.mark.parametrize(
    'c', [numpy.uint16(0), numpy.uint8(1), numpy.uint32(2), numpy.bool_(False)])
def test_gradient_of_variable_to_an_unsigned_numpy_scalar_power(c):
    # the exponent of the gradient, c - 1, wrapped for c == 0 (x ** 65535 gave nan gradients)
    a = numpy.array([-1.25, 0.25, 2.0], numpy.float64)
    x = chainer.Variable(a)
    y = x ** c
    y.grad = numpy.ones(3)
    y.backward()
    numpy.testing.assert_allclose(x.grad, int(c) * a ** (int(c) - 1))
    if int(c) == 2:
        gx, = chainer.grad([x ** c], [x], enable_double_backprop=True)
        ggx, = chainer.grad([gx], [x], grad_outputs=[chainer.Variable(numpy.ones(3))])
        numpy.testing.assert_allclose(ggx.array, numpy.full(3, 2.0))


def _ifloordiv(x, c):
    x //= c
    return x


@pytest.mark.parametrize('c', [float('nan'), numpy.float64('nan'), numpy.float16('nan')])
def test_int_variable_divided_by_nan_raises(c):
    # Chainer: ValueError for a Python NaN; here the quotient was INT_MIN garbage
    x = chainer.Variable(numpy.array([3, 0, -2], numpy.int32))
    with pytest.raises(ValueError):
        x / c
    with pytest.raises(ValueError):
        x // c


def test_int_variable_divided_by_inf_is_zero():
    x = chainer.Variable(numpy.array([3, 0, -2], numpy.int32))
    numpy.testing.assert_array_equal((x / float('inf')).array, [0, 0, 0])


@pytest.mark.parametrize('op', [
    lambda x, c: x + c, lambda x, c: c + x, lambda x, c: x - c, lambda x, c: c - x,
    lambda x, c: x * c, lambda x, c: c * x, lambda x, c: x / c, lambda x, c: c / x,
    lambda x, c: x // c, lambda x, c: c // x, lambda x, c: x ** c, lambda x, c: c ** x])
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.int8, numpy.bool_])
def test_python_complex_constants_are_refused_by_every_operator(op, dtype):
    # Chainer raised TypeError for all of them; `int8 // 0.5j` gave a number here
    x = chainer.Variable(numpy.array([1, 2]).astype(dtype))
    with pytest.raises(TypeError):
        op(x, 0.5j)


@pytest.mark.parametrize('c', [numpy.uint8(3), numpy.bool_(True), numpy.int8(-2)])
def test_gradient_of_numpy_integer_scalar_over_variable(c):
    x = chainer.Variable(numpy.array([0.3, -1.25], numpy.float16))
    y = c / x
    gy = numpy.array([0.5, -2.0], numpy.float16)
    y.grad = gy
    y.backward()
    numpy.testing.assert_array_equal(x.grad, -numpy.float16(c) * gy / (x.array * x.array))


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32])
def test_gradient_of_constant_power_takes_the_log_of_the_exact_constant(dtype):
    x = chainer.Variable(numpy.array([0.3, -1.25], dtype))
    c = numpy.float16(1.7)
    y = c ** x
    gy = numpy.array([0.5, -2.0], dtype)
    y.grad = gy
    y.backward()
    log_c = dtype(numpy.log(float(c)))
    numpy.testing.assert_array_equal(x.grad, y.array * log_c * gy)


def test_array_operand_is_cast_to_variable_dtype():
    x = chainer.Variable(numpy.ones(3, numpy.float32))
    a = numpy.arange(3, dtype=numpy.float64)
    for y in (x + a, a + x, x * a, a * x, x - a, a - x, x / (a + 1), (a + 1) / x):
        assert y.dtype == numpy.float32


def test_zero_dim_results_are_arrays():
    x = chainer.Variable(numpy.array(2.0, numpy.float32))
    for y in (x + 1, 1 - x, x * x, x / 2, 2 / x, x ** 2, 2 ** x, -x, abs(x), x + x):
        assert isinstance(y.array, numpy.ndarray), y


@pytest.mark.parametrize('op', list(_BINARY.values()) + [operator.matmul])
def test_mismatched_dtypes(op):
    a = chainer.Variable(numpy.ones((2, 2), numpy.float32))
    b = chainer.Variable(numpy.ones((2, 2), numpy.float64))
    if op is operator.matmul:
        pytest.skip('matmul accepts mixed float dtypes')
    with pytest.raises(type_check.InvalidType):
        op(a, b)


def test_integer_variables_add_and_subtract_but_do_not_multiply():
    # As in Chainer: + and - keep the integer dtype, * refuses integers, so that
    # an int Variable times a float array is an error rather than a product
    # with the floats truncated.
    vi = chainer.Variable(numpy.arange(3, dtype=numpy.int32))
    f = numpy.full(3, 1.5, numpy.float32)
    assert (vi + f).dtype == numpy.int32
    numpy.testing.assert_array_equal((vi - f).array, [-1, 0, 1])
    numpy.testing.assert_array_equal((vi * 2).array, [0, 2, 4])
    for bad in (lambda: vi * f, lambda: f * vi, lambda: vi * vi):
        with pytest.raises(type_check.InvalidType):
            bad()


@pytest.mark.parametrize('op', list(_BINARY.values()))
def test_non_broadcastable_shapes(op):
    a = chainer.Variable(numpy.ones((2, 3), numpy.float32))
    b = chainer.Variable(numpy.ones((2,), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        op(a, b)


@pytest.mark.parametrize('bad', ['a', [1.0, 2.0], None, object()])
@pytest.mark.parametrize('op', list(_CONST_OPS.values()))
def test_bad_constant(op, bad):
    x = chainer.Variable(numpy.ones(2, numpy.float32))
    with pytest.raises(TypeError):
        op(x, bad)


def test_broadcast_gradients_are_reduced():
    a = chainer.Variable(numpy.ones((3, 1), numpy.float32))
    b = chainer.Variable(numpy.full((1, 4), 2, numpy.float32))
    y = a * b + a
    y.grad = numpy.ones((3, 4), numpy.float32)
    y.backward()
    numpy.testing.assert_array_equal(a.grad, numpy.full((3, 1), 12, numpy.float32))
    numpy.testing.assert_array_equal(b.grad, numpy.full((1, 4), 3, numpy.float32))


def test_floordiv():
    x = chainer.Variable(numpy.array([3.5, -3.5, 7.0], numpy.float32))
    y = x // 2
    numpy.testing.assert_array_equal(y.array, [1, -2, 3])
    assert y.dtype == numpy.float32 and not y.requires_grad
    z = 7 // chainer.Variable(numpy.array([2.0, -2.0], numpy.float32))
    numpy.testing.assert_array_equal(z.array, [3, -4])
    w = x // chainer.Variable(numpy.array([2.0, 2.0, 4.0], numpy.float32))
    numpy.testing.assert_array_equal(w.array, [1, -2, 1])
    with pytest.raises(type_check.InvalidType):
        x // chainer.Variable(numpy.ones(3, numpy.float64))


def test_positive_is_identity():
    x = chainer.Variable(numpy.ones(2, numpy.float32))
    assert +x is x


def test_add_many_and_absolute():
    xs = [chainer.Variable(numpy.full(2, i, numpy.float32)) for i in range(1, 5)]
    y = F.add(*xs)
    numpy.testing.assert_array_equal(y.array, [10, 10])
    F.sum(y).backward()
    for x in xs:
        numpy.testing.assert_array_equal(x.grad, [1, 1])
    assert y.creator.label == 'MultiAdd'  # as Chainer labels it (graph dumps show it)
    with pytest.raises(type_check.InvalidType):
        F.add(xs[0], xs[1], chainer.Variable(numpy.ones(2)))
    with pytest.raises(TypeError, match='at least one'):  # Chainer: IndexError
        F.add()
    with pytest.raises(ValueError, match='broadcast'):  # NumPy's error, as in Chainer
        F.add(xs[0], xs[1], chainer.Variable(numpy.ones(3, numpy.float32)))
    one = F.add(xs[0])  # one input: a MultiAdd node too, as in Chainer
    assert one.creator.label == 'MultiAdd'
    numpy.testing.assert_array_equal(one.array, xs[0].array)
    a = F.absolute(chainer.Variable(numpy.array([-1.0, 2.0])))
    numpy.testing.assert_array_equal(a.array, [1, 2])
    with pytest.raises(type_check.InvalidType):
        F.absolute(numpy.array([-1, 2], numpy.int32))


def test_labels():
    x = chainer.Variable(numpy.ones(2, numpy.float32))
    assert (x + x).creator.label == '_ + _'
    assert (x * 2).creator.label == '_ * 2'
    assert (2 - x).creator.label == '2 - _'
    assert (x ** 2.5).creator.label == '_ ** 2.5'
    assert abs(x).creator.label == '|_|'
    assert (-x).creator.label == '__neg__'


@pytest.mark.parametrize('expr,label', [
    (lambda x: x + (-1), '_ + (-1)'),
    (lambda x: x - 1, '_ + (-1)'),
    (lambda x: -1 - x, '(-1) - _'),
    (lambda x: x * -0.5, '_ * (-0.5)'),
    (lambda x: x / -2, '_ * (-0.5)'),
    (lambda x: -2 / x, '(-2) / _'),
    (lambda x: x ** -1, '_ ** (-1)'),
    (lambda x: (-2) ** x, '(-2) ** _'),
    (lambda x: x + float('-inf'), '_ + (-inf)'),
    (lambda x: x - 0.0, '_ + -0.0'),
    (lambda x: x + numpy.float32(0.1), '_ + 0.1'),
    (lambda x: x - numpy.float32(0.1), '_ + (-0.10000000149011612)'),
    (lambda x: x * numpy.float16(-0.1), '_ * (-0.0999755859375)'),
    (lambda x: x - True, '_ + (-1)'),
    (lambda x: x - False, '_ + 0'),
    (lambda x: x - numpy.int32(3), '_ + (-3)'),
    (lambda x: x - numpy.int64(-4), '_ + 4'),
    (lambda x: x - numpy.int16(0), '_ + 0'),
    (lambda x: x - numpy.uint8(200), '_ + (-200)'),
    (lambda x: x - numpy.float64(0.1), '_ + (-0.1)'),
    (lambda x: x ** numpy.True_, '_ ** True'),
])
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_labels_of_negative_constants(expr, label, dtype):
    # Chainer's graph dumps show negative constants in parentheses, formatted
    # as Python floats; non-negative ones as str() prints them. ``x - c`` shows
    # ``-c`` in c's own type, whatever x's dtype.
    x = chainer.Variable(numpy.ones(2, dtype))
    assert expr(x).creator.label == label


def test_subtracted_integer_constants_do_not_wrap():
    x = chainer.Variable(numpy.zeros(2, numpy.float32))
    numpy.testing.assert_array_equal((x - numpy.uint8(200)).array, [-200, -200])
    numpy.testing.assert_array_equal((x - numpy.int8(-128)).array, [128, 128])


def test_comparison_is_unsupported():
    x = chainer.Variable(numpy.ones(2, numpy.float32))
    with pytest.raises(NotImplementedError):
        x < x


@testing.parameterize(*testing.product({
    'value': [3, 2, 1, 0.5, -1.5],
    'coefficient': [None, 2.5],
    'shape': [(3, 2), ()],
    'dtype': _floats,
}))
@testing.inject_backend_tests(None, _backends)
class TestPowVarConstGrad(testing.FunctionTestCase):
    """The node of d(x ** value)/dx * gy, differentiated once and twice more."""

    def setUp(self):
        _set_tols(self, self.dtype, fwd={'atol': 5e-3, 'rtol': 5e-3})

    def generate_inputs(self):
        x = numpy.random.uniform(0.5, 2, self.shape).astype(self.dtype)
        gy = numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
        return x, gy

    def forward(self, inputs, device):
        node = F.math.basic_math.PowVarConstGrad(self.value, self.coefficient)
        return node.apply(inputs)

    def forward_expected(self, inputs):
        x, gy = (a.astype(numpy.float64) for a in inputs)
        c = self.value if self.coefficient is None else self.coefficient
        return numpy.asarray(c * x ** (self.value - 1) * gy, dtype=self.dtype),


@testing.parameterize(*testing.product({
    'n_inputs': [1, 2, 3],
    'shape': [(3, 2), (), (0, 2)],
    'dtype': _floats,
}))
@testing.inject_backend_tests(None, _backends)
class TestScaledProduct(testing.FunctionTestCase):

    def setUp(self):
        _set_tols(self, self.dtype)

    def generate_inputs(self):
        return tuple(numpy.random.uniform(-1, 1, self.shape).astype(self.dtype)
                     for _ in range(self.n_inputs))

    def forward(self, inputs, device):
        return F.math.basic_math._scaled_product(-2.0, *inputs),

    def forward_expected(self, inputs):
        y = numpy.full(self.shape, -2.0)
        for x in inputs:
            y = y * x
        return numpy.asarray(y, dtype=self.dtype),


def test_power_derivatives_of_every_order():
    x = chainer.Variable(numpy.array([0.5, 1.5, 2.0]))
    y = x ** 4
    g = y
    expected = [4 * x.array ** 3, 12 * x.array ** 2, 24 * x.array, 24 + 0 * x.array]
    for want in expected:
        g, = chainer.grad([g], [x], grad_outputs=[numpy.ones(3)],
                          enable_double_backprop=True)
        numpy.testing.assert_allclose(g.array, want)


@pytest.mark.parametrize('value', [0, 1, 2, 3, 1.0, True])
def test_power_derivatives_past_the_degree_are_zeros(value):
    # As in Chainer, every order of x ** n is a gradient connected to x (not None),
    # zeros past the degree; at x = 0 they are 0 where Chainer's were NaN (0 * 0 ** -1).
    x = chainer.Variable(numpy.array([0.0, 1.5, -2.0], numpy.float32))
    g = x ** value
    for order in range(1, 5):
        g, = chainer.grad([g], [x], grad_outputs=[numpy.ones(3, numpy.float32)],
                          enable_double_backprop=True)
        assert g is not None and g.requires_grad and g.dtype == numpy.float32
        if order > value:
            numpy.testing.assert_array_equal(g.array, numpy.zeros(3))
    # NaN and infinities in the incoming gradient still show
    gy = numpy.array([numpy.nan, numpy.inf, 1], numpy.float32)
    g0, = chainer.grad([x ** 0], [x], grad_outputs=[gy])
    numpy.testing.assert_array_equal(g0.array, [numpy.nan, numpy.nan, 0])


def test_variable_power_gradient_does_not_pass_through_the_output():
    # As Chainer: the gradient of a ** b is built from a and b, not from the output
    # variable, so differentiating it by the output gives None; its values are unchanged.
    a = chainer.Variable(numpy.array([0.5, 1.5, 2.0]))
    b = chainer.Variable(numpy.array([1.5, -0.5, 2.0]))
    y = a ** b
    ga, gb = chainer.grad([y], [a, b], grad_outputs=[numpy.ones(3)], enable_double_backprop=True)
    numpy.testing.assert_allclose(ga.array, b.array * a.array ** (b.array - 1))
    numpy.testing.assert_allclose(gb.array, y.array * numpy.log(a.array))
    assert chainer.grad([F.sum(gb)], [y])[0] is None
    gba, = chainer.grad([F.sum(gb)], [a])
    numpy.testing.assert_allclose(
        gba.array, y.array * (b.array * numpy.log(a.array) + 1) / a.array)
    gradient_check.check_double_backward(
        lambda a, b: a ** b, (a.array, b.array), numpy.ones(3), (numpy.ones(3), numpy.ones(3)))


def test_gradient_of_power_is_one_node():
    x = chainer.Variable(numpy.array([0.5, 1.5], numpy.float32))
    gx, = chainer.grad([x ** 3], [x], grad_outputs=[numpy.ones(2, numpy.float32)],
                       enable_double_backprop=True)
    assert isinstance(gx.creator, F.math.basic_math.PowVarConstGrad)
    assert gx.dtype == numpy.float32
    numpy.testing.assert_allclose(gx.array, 3 * x.array ** 2)


@pytest.mark.parametrize('dtype', _floats)
def test_square_by_mul_of_one_variable(dtype):
    # x * x hands one gradient node to both of its (identical) inputs
    x = numpy.random.uniform(-1, 1, (3, 2)).astype(dtype)
    gy = numpy.random.uniform(-1, 1, (3, 2)).astype(dtype)
    ggx = numpy.random.uniform(-1, 1, (3, 2)).astype(dtype)
    tol = {'atol': 5e-2, 'rtol': 5e-2} if dtype == numpy.float16 else {}
    opts = {'eps': 2 ** -5, **tol} if dtype == numpy.float16 else {}
    chainer.gradient_check.check_backward(lambda a: a * a, x, gy, dtype=numpy.float64, **opts)
    chainer.gradient_check.check_double_backward(lambda a: a * a, x, gy, ggx,
                                                 dtype=numpy.float64, **opts)
    v = chainer.Variable(x)
    y = v * v
    y.grad = gy
    y.backward()
    numpy.testing.assert_allclose(v.grad, 2 * x * gy, **tol)


@testing.parameterize(*testing.product({
    'value': [3, 3.0, numpy.float32(3)],
    'shape': [(3, 2), ()],
    'dtype': _floats,
}))
@testing.inject_backend_tests(None, _backends)
class TestCube(testing.FunctionTestCase):
    """x ** 3 (computed as a product) against NumPy's power."""

    def setUp(self):
        _set_tols(self, self.dtype, fwd={'atol': 5e-3, 'rtol': 5e-3})

    def generate_inputs(self):
        return numpy.random.uniform(-2, 2, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        return chainer.as_variable(inputs[0]) ** self.value,

    def forward_expected(self, inputs):
        x = inputs[0].astype(numpy.float64)
        return numpy.asarray(numpy.power(x, 3), dtype=self.dtype),


@pytest.mark.parametrize('shapes,dtypes', [
    (((3, 2), (2,)), (numpy.float32, numpy.float32)),
    (((3, 2), (3, 2)), (numpy.float32, numpy.float64)),
    (((3,), (3,)), (numpy.int32, numpy.int32)),
])
def test_scaled_product_bad_inputs(shapes, dtypes):
    xs = [numpy.ones(s, d) for s, d in zip(shapes, dtypes)]
    with pytest.raises(type_check.InvalidType):
        F.math.basic_math._scaled_product(2.0, *xs)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_gpu_product_kernels_match_numpy(monkeypatch, dtype):
    """The fused CuPy kernels of products and powers (compiled for the host)
    against the NumPy code: scaled products, cubes, and power gradients."""
    from chainer.functions.math import basic_math
    from tests.chainer_tests import _host_kernels
    _host_kernels.gpu_array_type(monkeypatch, basic_math)
    rng = numpy.random.default_rng(3)
    xs = [rng.uniform(-2, 2, (2, 3)).astype(dtype) for _ in range(4)]
    gpu = [_host_kernels.not_numpy(x) for x in xs]
    cases = [(basic_math.PowVarConst(3), 1), (basic_math.PowVarConst(2), 1)]
    cases += [(basic_math.PowVarConstGrad(v, c, s), 2)
              for v, c in ((2, 2), (3, 3), (4, 12.0), (3.0, 3.0), (numpy.float32(4), 4))
              for s in (False, True)]
    cases += [(basic_math._ScaledProduct(-2.0), n) for n in (1, 2, 3, 4)]
    tol = 1e-2 if dtype == numpy.float16 else 1e-6
    for node, n_inputs in cases:
        expected, = node.forward(tuple(xs[:n_inputs]))
        got, = node.forward(tuple(gpu[:n_inputs]))
        assert got.dtype == dtype and got.shape == expected.shape
        numpy.testing.assert_allclose(got, expected, rtol=tol, atol=tol)
    launched = set(_host_kernels.launched)
    assert {'rechainer_product_2_1', 'rechainer_product_2_2', 'rechainer_product_2_1_s',
            'rechainer_product_2_2_s', 'rechainer_product_4_1'} <= launched
    if dtype == numpy.float16:
        # A float16 cube is computed in float32 and rounded once.
        assert 'rechainer_cube' in str(launched)
        got, = basic_math.PowVarConst(3).forward((gpu[0],))
        numpy.testing.assert_array_equal(got, xs[0] ** numpy.float16(3))
    else:
        assert {'rechainer_product_1_3', 'rechainer_product_2_3',
                'rechainer_product_2_3_s'} <= launched


@pytest.mark.parametrize('e', [3, 3.0])
def test_float16_cube_is_rounded_once(e):
    # As NumPy's float16 power (Chainer's x ** 3): the product is exact in float32.
    x = numpy.arange(65536, dtype=numpy.uint16).view(numpy.float16)
    x = chainer.Variable(x[numpy.isfinite(x)])
    with numpy.errstate(over='ignore'):
        y = x ** e
        numpy.testing.assert_array_equal(y.array, x.array ** numpy.float16(3))
        g = F.math.basic_math.PowVarConstGrad(4).apply((x, numpy.ones_like(x.array)))[0]
        numpy.testing.assert_array_equal(
            g.array, numpy.float16(4) * x.array ** numpy.float16(3))


def test_numpy_subclass_stays_on_the_cpu():
    """A NumPy subclass is a CPU array: products and powers take no GPU kernel."""
    class Sub(numpy.ndarray):
        pass

    x = chainer.Variable(numpy.array([1., -2., 3.], numpy.float32).view(Sub))
    y = F.math.basic_math._scaled_product(2.0, x ** 3, x)
    y.grad = numpy.ones(3, numpy.float32)
    y.backward()
    numpy.testing.assert_allclose(x.grad, 8 * x.array.view(numpy.ndarray) ** 3, rtol=1e-6)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_rdiv_second_derivative_is_infinite_not_nan_at_zero(dtype):
    # d2(c / x)/dx2 = 2 c / x ** 3 in one piece: +-inf at +-0 (Chainer's), no inf * 0.
    x = chainer.Variable(numpy.array([0.0, -0.0, 2.0, -0.5], dtype))
    gx, = chainer.grad([3.0 / x], [x], [numpy.ones(4, dtype)], enable_double_backprop=True)
    ggx, = chainer.grad([gx], [x], [numpy.ones(4, dtype)])
    inf = numpy.inf
    numpy.testing.assert_array_equal(gx.array, numpy.array([-inf, -inf, -0.75, -12], dtype))
    numpy.testing.assert_array_equal(ggx.array, numpy.array([inf, -inf, 0.75, -48], dtype))
    s = chainer.Variable(numpy.zeros(2, dtype))
    gs, = chainer.grad([chainer.functions.rsqrt(s)], [s], [numpy.ones(2, dtype)],
                       enable_double_backprop=True)
    ggs, = chainer.grad([gs], [s], [numpy.ones(2, dtype)])
    assert numpy.isposinf(ggs.array).all()


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_power_one_half_is_sqrt_at_negative_infinity_and_zero(dtype):
    # x ** 0.5 is sqrt on NumPy, as NumPy 1 (Chainer's) computed it in every dtype:
    # NaN at -inf and -0 at -0 (NumPy 2's float16 power gives inf and 0).
    x = numpy.array([-numpy.inf, -0.0, 4.0], dtype)
    y = (chainer.Variable(x) ** 0.5).array
    assert numpy.isnan(y[0]) and y[1] == 0 and numpy.signbit(y[1]) and y[2] == 2


@pytest.mark.parametrize('shape', [(), (3, 4)])
def test_absolute_gradients_are_sign_times_gy(shape):
    x = numpy.asarray(numpy.random.RandomState(0).randn(*shape)).astype(numpy.float32)
    x.flat[0] = 0
    gy = numpy.asarray(numpy.random.RandomState(1).randn(*shape)).astype(numpy.float32)
    v = chainer.Variable(x)
    gx, = chainer.grad([abs(v)], [v], [chainer.Variable(gy)], enable_double_backprop=True)
    assert type(gx.array) is numpy.ndarray and gx.dtype == numpy.float32
    numpy.testing.assert_array_equal(gx.array, numpy.sign(x) * gy)
    # linear in gy: the second derivative reaches gy, not x
    ggy, gxx = chainer.grad([F.sum(gx * gx)], [gx.creator.inputs[0].get_variable(), v])
    numpy.testing.assert_array_equal(ggy.array, 2 * numpy.sign(x) * gx.array)
    assert gxx is None


def test_fraction_and_decimal_are_constants():
    # Chainer took any numpy.isscalar value (numbers.Number) as a constant.
    x = chainer.Variable(numpy.array([1., 2.], numpy.float32))
    for v in (fractions.Fraction(1, 2), decimal.Decimal('0.5')):
        for y, expected in ((x + v, [1.5, 2.5]), (v - x, [-0.5, -1.5]), (x * v, [0.5, 1.]),
                            (v / x, [0.5, 0.25]), (x ** v, numpy.sqrt([1., 2.])),
                            (v ** x, [0.5, 0.25])):
            assert y.dtype == numpy.float32
            numpy.testing.assert_allclose(y.array, expected, rtol=1e-6)


@pytest.mark.parametrize('value', [numpy.datetime64('2020-01-01'), numpy.str_('a'),
                                   numpy.bytes_(b'a'), numpy.void(b'ab')])
@pytest.mark.parametrize('op', [operator.add, operator.sub, operator.mul, operator.truediv,
                                operator.pow])
def test_a_non_numeric_numpy_scalar_is_not_a_constant(value, op):
    # Chainer failed with a TypeError from NumPy; a datetime64 was taken as its count of days.
    x = chainer.Variable(numpy.array([1., 2.], numpy.float32))
    for a, b in ((x, value), (value, x)):
        with pytest.raises(TypeError, match='Value must be a scalar'):
            op(a, b)


def test_power_of_an_integer_variable_by_a_constant_names_the_input_x_as_chainer():
    x = chainer.Variable(numpy.arange(3))
    with pytest.raises(type_check.InvalidType) as e:
        x ** 2.5
    assert 'Expect: x.dtype.kind == f' in str(e.value)


def test_a_numpy_timedelta_scalar_is_a_constant():
    x = chainer.Variable(numpy.array([1., 2.], numpy.float32))
    y = x + numpy.timedelta64(2, 's')
    assert y.dtype == numpy.float32
    numpy.testing.assert_array_equal(y.array, [3., 4.])


def test_power_by_a_numpy_complex_scalar_takes_its_real_part_in_every_order():
    x = chainer.Variable(numpy.array([0.5, 2.], numpy.float32))
    with pytest.warns(numpy.exceptions.ComplexWarning):
        y = x ** numpy.complex64(1 + 1j)
    gx, = chainer.grad([chainer.functions.sum(y)], [x], enable_double_backprop=True)
    ggx, = chainer.grad([chainer.functions.sum(gx)], [x])
    numpy.testing.assert_array_equal(y.array, x.array)
    numpy.testing.assert_array_equal(gx.array, [1., 1.])
    numpy.testing.assert_array_equal(ggx.array, [0., 0.])


def test_python2_division_names():
    # Chainer installed (and documented) __div__ and __rdiv__ as well.
    x = chainer.Variable(numpy.array([1., 2.], numpy.float32))
    numpy.testing.assert_array_equal(x.__div__(2.0).array, [0.5, 1.])
    numpy.testing.assert_array_equal(x.__rdiv__(2.0).array, [2., 1.])


@pytest.mark.parametrize('dtype, big', [(numpy.float16, 30000.), (numpy.float32, 1e38),
                                        (numpy.float64, 1e308)])
def test_second_derivative_of_a_cube_at_a_huge_x_is_finite_where_the_product_is(dtype, big):
    # d2(x ** 3) = 6 * x * gy * g: Chainer multiplied x last, so that a finite
    # product does not overflow in 6 * x first.
    x = chainer.Variable(numpy.array([big, -big], dtype))
    y = x ** 3
    gx, = chainer.grad([y], [x], [chainer.Variable(numpy.full(2, 0.125, dtype))],
                       enable_double_backprop=True)
    ggx, = chainer.grad([gx], [x], [chainer.Variable(numpy.full(2, 0.5, dtype))])
    assert ggx.dtype == dtype
    numpy.testing.assert_allclose(ggx.array, [0.375 * big, -0.375 * big], rtol=1e-3)


@pytest.mark.parametrize('base', [0.0, -2.0, -numpy.inf, numpy.float32(0)])
def test_gradient_of_a_power_of_a_non_positive_constant_raises_value_error(base):
    # Chainer took math.log of the base: ValueError ('math domain error').
    x = chainer.Variable(numpy.array([2., 0.5], numpy.float32))
    y = base ** x
    with pytest.raises(ValueError, match='positive'):
        y.grad = numpy.ones_like(y.array)
        y.backward()


def test_gradients_of_a_power_multiply_in_chainers_order():
    # The gradient is value * x ** (value - 1), then times gy (Chainer's order): at
    # x = 0 with a tiny exponent it is -inf, not 0 * inf. The second derivative of
    # c / x multiplies 2 and c into the gradients first: 2 * c alone overflows.
    x = chainer.Variable(numpy.array([0.], numpy.float64))
    gx, = chainer.grad([x ** 5e-324], [x], [chainer.Variable(numpy.array([-0.5]))])
    numpy.testing.assert_array_equal(gx.array, [-numpy.inf])
    x = chainer.Variable(numpy.array([1., 2.], numpy.float16))
    y = numpy.float16(65504) / x
    gx, = chainer.grad([y], [x], [chainer.Variable(numpy.full(2, 0.25, numpy.float16))],
                       enable_double_backprop=True)
    ggx, = chainer.grad([gx], [x], [chainer.Variable(numpy.full(2, 0.5, numpy.float16))])
    assert ggx.dtype == numpy.float16
    numpy.testing.assert_allclose(ggx.array, [16376., 2047.], rtol=1e-3)


def test_a_numpy_float_exponent_is_taken_in_the_dtype_of_x():
    # x ** numpy.float16(65504) on float32: the gradient's exponent is 65503 (odd),
    # as in Chainer, which cast the exponent to x's dtype; 65504 - 1 in float16 is even.
    x = chainer.Variable(numpy.array([-1., 1.], numpy.float32))
    gx, = chainer.grad([x ** numpy.float16(65504)], [x],
                       [chainer.Variable(numpy.ones(2, numpy.float32))])
    numpy.testing.assert_array_equal(gx.array, [-65504., 65504.])



def test_div_second_derivatives_bitwise_as_chainer():
    # Chainer's DivGrad: with s = x1 * x1, for x0 -ggx1 * gy / s; for x1
    # -ggx0 * gy / s + ggx1 * 2 * gy * x0 / (s * x1); for gy ggx0 / x1 - ggx1 * x0 / s
    rng = numpy.random.RandomState(0)
    x0, gy, ggx0, ggx1 = (rng.uniform(-1, 1, (3, 4)).astype('f') for _ in range(4))
    x1 = rng.uniform(0.5, 2, (3, 4)).astype('f')
    v0, v1, gv = chainer.Variable(x0), chainer.Variable(x1), chainer.Variable(gy)
    g0, g1 = chainer.grad([v0 / v1], [v0, v1], [gv], enable_double_backprop=True)
    assert g0.array.tobytes() == (gy / x1).tobytes()
    assert g1.array.tobytes() == (-(gy / x1) * x0 / x1).tobytes()
    h0, h1, hgy = chainer.grad([g0, g1], [v0, v1, gv],
                               [chainer.Variable(ggx0), chainer.Variable(ggx1)])
    s = x1 * x1
    assert h0.array.tobytes() == (-ggx1 * gy / s).tobytes()
    assert h1.array.tobytes() == (-ggx0 * gy / s + ggx1 * numpy.float32(2) * gy * x0
                                  / (s * x1)).tobytes()
    assert hgy.array.tobytes() == (ggx0 / x1 - ggx1 * x0 / s).tobytes()


def _first_and_second_derivatives(f, xs, seed=1):
    """``f``'s gradients by ``xs`` for seeded ``gy`` and the gradients of their
    sum by seeded ``ggx`` (the arrays, with ``gy`` and the ``ggx``)."""
    rng = numpy.random.RandomState(seed)
    vs = [chainer.Variable(x) for x in xs]
    y = f(*vs)
    gy = rng.standard_normal(y.shape).astype(y.dtype)
    gs = chainer.grad([y], vs, [chainer.Variable(gy)], enable_double_backprop=True)
    ggs = [rng.standard_normal(x.shape).astype(x.dtype) for x in xs]
    hs = chainer.grad(list(gs), vs, [chainer.Variable(g) for g in ggs])
    return [g.array for g in gs], [h.array for h in hs], gy, ggs


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_power_by_a_constant_second_derivative_bitwise_as_chainer(dtype):
    # Chainer's g * value * gy * (value - 1) * x ** (value - 2)
    x = numpy.random.RandomState(0).uniform(0.5, 2, (3, 5)).astype(dtype)
    (g,), (h,), gy, (ggx,) = _first_and_second_derivatives(lambda v: v ** 1.7, [x])
    c, c1, c2 = dtype(1.7), dtype(0.7), dtype(1.7 - 2)
    numpy.testing.assert_array_equal(g, c * x ** c1 * gy)
    numpy.testing.assert_array_equal(h, ggx * c * gy * c1 * x ** c2)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_constant_to_a_power_second_derivative_bitwise_as_chainer(dtype):
    # Chainer's log(value) * y * gy; then log(value) * ggx, times gy for y
    x = numpy.random.RandomState(0).standard_normal((3, 5)).astype(dtype)
    (g,), (h,), gy, (ggx,) = _first_and_second_derivatives(lambda v: 1.7 ** v, [x])
    lv = dtype(numpy.log(1.7))
    y = dtype(1.7) ** x
    numpy.testing.assert_array_equal(g, lv * y * gy)
    numpy.testing.assert_array_equal(h, lv * y * (lv * ggx * gy))


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_power_of_two_variables_gradients_bitwise_as_chainer(dtype):
    # Chainer's x1 * x0 ** (x1 - 1) * gy and log(x0) * x0 ** x1 * gy; their gradients
    rng = numpy.random.RandomState(0)
    x0 = rng.uniform(0.5, 2, (3, 5)).astype(dtype)
    x1 = rng.standard_normal((3, 5)).astype(dtype)
    (g0, g1), (h0, h1), gy, (gg0, gg1) = _first_and_second_derivatives(
        lambda a, b: a ** b, [x0, x1])
    one, two = dtype(1), dtype(2)
    numpy.testing.assert_array_equal(g0, x1 * x0 ** (x1 - one) * gy)
    numpy.testing.assert_array_equal(g1, numpy.log(x0) * x0 ** x1 * gy)
    # Chainer's PowVarVarGrad
    log0, p1 = numpy.log(x0), x0 ** (x1 - one)
    numpy.testing.assert_array_equal(
        h0, (gg0 * x1 * (x1 - one) * x0 ** (x1 - two) + gg1 * p1 * (log0 * x1 + one)) * gy)
    numpy.testing.assert_array_equal(
        h1, (gg0 * p1 * (log0 * x1 + one) + gg1 * log0 * log0 * x0 ** x1) * gy)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_constant_over_x_second_derivative_in_chainers_order(dtype):
    # Chainer's ggx * 2 * value * gy / x ** 3, the cube a product (README)
    x = numpy.random.RandomState(0).uniform(0.5, 2, (3, 5)).astype(dtype)
    (g,), (h,), gy, (ggx,) = _first_and_second_derivatives(lambda v: 1.7 / v, [x])
    c = dtype(1.7)
    numpy.testing.assert_array_equal(g, -c * gy / x ** 2)
    numpy.testing.assert_array_equal(h, ggx * 2 * c * gy / (x * x * x))


@pytest.mark.parametrize('op', [operator.add, operator.sub, operator.mul, operator.truediv])
@pytest.mark.parametrize('v_first', [False, True])
@pytest.mark.parametrize('v_shape', [(1, 30, 1, 1), (30, 1, 1)])
def test_per_channel_operand_of_a_large_array_spread_over_a_sample(monkeypatch, op, v_first,
                                                                   v_shape):
    # NumPy broadcasts a per-channel operand over short runs slowly; spread over
    # a sample it gives the same results, bit for bit, gradients included
    rng = numpy.random.RandomState(0)
    x = rng.uniform(1, 2, (8, 30, 8, 9)).astype(numpy.float32)
    v = rng.uniform(1, 2, v_shape).astype(numpy.float32)

    def f(x, v):
        return op(v, x) if v_first else op(x, v)

    spread, fast, plain = _spread.spread_and_plain(monkeypatch, f, (x, v))
    assert spread >= 1
    for got, expected in zip(fast, plain):
        numpy.testing.assert_array_equal(got, expected)
    numpy.testing.assert_array_equal(fast[0], op(v, x) if v_first else op(x, v))


def test_operand_broadcast_by_broadcast_to_spread_over_a_sample(monkeypatch):
    rng = numpy.random.RandomState(0)
    x = rng.uniform(-1, 1, (8, 30, 8, 9)).astype(numpy.float32)
    v = rng.uniform(-1, 1, (1, 30, 1, 1)).astype(numpy.float32)

    def f(x, v):
        return F.broadcast_to(v, x.shape) * x + F.broadcast_to(v, x.shape)

    spread, fast, plain = _spread.spread_and_plain(monkeypatch, f, (x, v))
    assert spread >= 2
    for got, expected in zip(fast, plain):
        numpy.testing.assert_array_equal(got, expected)
    numpy.testing.assert_array_equal(fast[0], v * x + v)
