"""Tests of chainer.gradient_check."""
import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import gradient_check
from chainer.gradient_check import NondifferentiableError
from tests.chainer_tests._sine_nodes import Sin, SinWrongSecondOrder


# ---------------------------------------------------------------------------
# tiny FunctionNodes used as the functions under test

class Square(chainer.FunctionNode):
    def forward(self, inputs):
        x, = inputs
        self.retain_inputs((0,))
        return x * x,

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        gy, = grad_outputs
        return 2 * x * gy,


class WrongSquare(Square):
    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        gy, = grad_outputs
        return 3 * x * gy,


class MulByInt(chainer.FunctionNode):
    """y = x * n with an integer array n, which gets no gradient."""

    def forward(self, inputs):
        x, n = inputs
        self.retain_inputs((1,))
        return x * n.astype(x.dtype),

    def backward(self, indexes, grad_outputs):
        n, = self.get_retained_inputs()
        gy, = grad_outputs
        return gy * chainer.Variable(n.array.astype(gy.dtype)), None


class TwoOutputs(chainer.FunctionNode):
    """(x * y, x + y)."""

    def forward(self, inputs):
        x, y = inputs
        self.retain_inputs((0, 1))
        return x * y, x + y

    def backward(self, indexes, grad_outputs):
        x, y = self.get_retained_inputs()
        g0, g1 = grad_outputs
        gx = 0
        gy = 0
        if g0 is not None:
            gx = gx + g0 * y
            gy = gy + g0 * x
        if g1 is not None:
            gx = gx + g1
            gy = gy + g1
        return gx, gy


def square(x):
    return Square().apply((x,))[0]


def sin(x):
    return Sin().apply((x,))[0]


def uniform(shape, dtype=numpy.float64, low=-1, high=1):
    return numpy.random.uniform(low, high, shape).astype(dtype)


@pytest.fixture(autouse=True)
def _seed():
    numpy.random.seed(0)


# ---------------------------------------------------------------------------
# numerical_grad

def test_numerical_grad_square():
    x = uniform((3, 2))
    gy = uniform((3, 2))
    gx, = gradient_check.numerical_grad(lambda: (x * x,), (x,), (gy,))
    numpy.testing.assert_allclose(gx, 2 * x * gy, atol=1e-8, rtol=1e-6)


def test_numerical_grad_sin_returns_list_and_restores_inputs():
    # A list, as Chainer's (user code concatenates or compares it with lists).
    x = uniform((4,))
    x0 = x.copy()
    gy = uniform((4,))
    result = gradient_check.numerical_grad(lambda: numpy.sin(x), (x,), (gy,))
    assert type(result) is list
    numpy.testing.assert_allclose(result[0], numpy.cos(x) * gy, atol=1e-7, rtol=1e-6)
    numpy.testing.assert_array_equal(x, x0)


def test_numerical_grad_runs_f_without_type_checks():
    # As Chainer: the perturbed evaluations skip type checks (check_backward's
    # dtype= casts the checked arrays, not the ones f holds itself).
    x = uniform((3,))
    seen = []

    def f():
        seen.append(chainer.config.type_check)
        return x * 2,

    gradient_check.numerical_grad(f, (x,), (uniform((3,)),))
    gradient_check.numerical_grad(f, (x,), (uniform((3,)),), detect_nondifferentiable=True)
    assert set(seen) == {False}
    assert chainer.config.type_check


def test_numerical_grad_multiple_inputs_outputs_with_none_grad():
    x = uniform((2, 3))
    y = uniform((2, 3))
    g0 = uniform((2, 3))

    def f():
        return x * y, x + y

    gx, gyy = gradient_check.numerical_grad(f, (x, y), (g0, None))
    numpy.testing.assert_allclose(gx, g0 * y, atol=1e-8, rtol=1e-6)
    numpy.testing.assert_allclose(gyy, g0 * x, atol=1e-8, rtol=1e-6)


def test_numerical_grad_scalar_grad_output_and_zero_dim():
    x = numpy.array(0.7)
    gx, = gradient_check.numerical_grad(lambda: (x ** 3,), (x,), (2.0,))
    assert gx.shape == ()
    assert isinstance(gx, numpy.ndarray)
    numpy.testing.assert_allclose(gx, 2 * 3 * 0.49, rtol=1e-5)


def test_numerical_grad_identity_returning_input_view():
    # f returns the very array being perturbed.
    x = uniform((3,))
    gy = uniform((3,))
    gx, = gradient_check.numerical_grad(lambda: (x,), (x,), (gy,))
    numpy.testing.assert_allclose(gx, gy, rtol=1e-6)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_numerical_grad_keeps_input_dtype(dtype):
    x = uniform((3,), dtype)
    gy = numpy.ones(3, dtype)
    gx, = gradient_check.numerical_grad(lambda: (x * 2,), (x,), (gy,), eps=2 ** -4)
    assert gx.dtype == dtype
    numpy.testing.assert_allclose(gx, 2, rtol=1e-2)


def test_numerical_grad_five_point_is_more_accurate():
    x = numpy.array([0.3, 1.2])
    gy = numpy.ones(2)
    eps = 1e-2
    g2, = gradient_check.numerical_grad(lambda: (numpy.exp(x),), (x,), (gy,), eps=eps)
    g5, = gradient_check.numerical_grad(
        lambda: (numpy.exp(x),), (x,), (gy,), eps=eps, detect_nondifferentiable=True)
    err2 = numpy.abs(g2 - numpy.exp(x)).max()
    err5 = numpy.abs(g5 - numpy.exp(x)).max()
    assert err5 < err2 / 100


def test_numerical_grad_detects_abs_kink():
    x = numpy.array([0.5, 0.0, -0.5])
    gy = numpy.ones(3)
    with pytest.raises(NondifferentiableError) as e:
        gradient_check.numerical_grad(
            lambda: (numpy.abs(x),), (x,), (gy,), detect_nondifferentiable=True)
    msg = str(e.value)
    assert 'non-differentiable' in msg
    assert 'i_in: 0' in msg
    assert 'index on x: (1,)' in msg
    numpy.testing.assert_array_equal(x, [0.5, 0.0, -0.5])  # restored


def test_numerical_grad_no_detection_away_from_kink():
    x = numpy.array([0.5, -0.5])
    gx, = gradient_check.numerical_grad(
        lambda: (numpy.abs(x),), (x,), (numpy.ones(2),), detect_nondifferentiable=True)
    numpy.testing.assert_allclose(gx, [1, -1], rtol=1e-9)


def test_numerical_grad_detects_partial_nonfinite():
    x = numpy.array([0.0])
    with numpy.errstate(invalid='ignore', divide='ignore'):
        with pytest.raises(NondifferentiableError, match='finite'):
            gradient_check.numerical_grad(
                lambda: (numpy.sqrt(x),), (x,), (numpy.ones(1),),
                detect_nondifferentiable=True)


def test_numerical_grad_consistently_nonfinite_is_not_an_error():
    x = numpy.array([-1.0])
    with numpy.errstate(invalid='ignore'):
        gx, = gradient_check.numerical_grad(
            lambda: (numpy.sqrt(x),), (x,), (numpy.ones(1),),
            detect_nondifferentiable=True)
    assert numpy.isnan(gx).all()


def test_numerical_grad_constant_output_is_differentiable():
    x = numpy.array([1.0, 2.0])
    gx, = gradient_check.numerical_grad(
        lambda: (numpy.full(2, 5.0),), (x,), (numpy.ones(2),),
        detect_nondifferentiable=True)
    numpy.testing.assert_array_equal(gx, 0)


def test_numerical_grad_center_outputs_ignored():
    # As in Chainer 7.8.1, center_outputs is accepted and ignored: f is
    # evaluated at the center too, so wrong center values change nothing.
    x = numpy.array([0.4, 0.5])
    calls = []

    def f():
        calls.append(None)
        return numpy.abs(x),

    gx, = gradient_check.numerical_grad(
        f, (x,), (numpy.ones(2),), detect_nondifferentiable=True,
        center_outputs=(numpy.abs(x) * 5,))
    numpy.testing.assert_allclose(gx, [1.0, 1.0])
    assert len(calls) == 9  # the center once, then 4 per element


def test_numerical_grad_perturbs_in_float64():
    # x + eps is computed in float64 and rounded once to float16 (rounding
    # eps to float16 first would give another point).
    x = numpy.array([0.3], numpy.float16)
    seen = []

    def f():
        seen.append(x[0])
        return x * 1,

    gradient_check.numerical_grad(f, (x,), (numpy.ones(1),), eps=0.1)
    x0 = float(numpy.float16(0.3))
    assert seen == [numpy.float16(x0 - 0.1), numpy.float16(x0 + 0.1)]
    assert seen[1] == numpy.float16(0.4001)  # float16 arithmetic gives 0.4


def test_numerical_grad_eps_array():
    x = numpy.array([1.0, 2.0])
    gx, = gradient_check.numerical_grad(
        lambda: (x * x,), (x,), (numpy.ones(2),), eps=numpy.array(1e-3))
    numpy.testing.assert_allclose(gx, [2.0, 4.0])


def test_check_backward_eps_array():
    # A 0-d array eps is a number to Chainer's checks too.
    x = uniform((3,))
    gradient_check.check_backward(F.sin, x, uniform((3,)), eps=numpy.array(1e-3))
    gradient_check.check_double_backward(F.sin, x, uniform((3,)), uniform((3,)),
                                         eps=numpy.array(1e-3))


@pytest.mark.parametrize('point', [0.5, 1.0, 2.0])
def test_smooth_float16_function_is_not_called_nondifferentiable(point):
    # Chainer's fit ignored float16 rounding and reported tanh as non-differentiable.
    x = numpy.array([point], numpy.float16)
    for eps in (1e-3, 1e-2):
        gx, = gradient_check.numerical_grad(
            lambda: (numpy.tanh(x),), (x,), (numpy.ones(1, numpy.float16),), eps=eps,
            detect_nondifferentiable=True)
    numpy.testing.assert_allclose(gx, 1 - numpy.tanh(point) ** 2, atol=0.05)


def test_numerical_grad_diff_tolerances():
    # A mild kink passes with a loose tolerance.
    x = numpy.array([0.0])

    def f():
        return x + 0.3 * numpy.abs(x),

    with pytest.raises(NondifferentiableError):
        gradient_check.numerical_grad(f, (x,), (numpy.ones(1),),
                                      detect_nondifferentiable=True)
    gradient_check.numerical_grad(f, (x,), (numpy.ones(1),),
                                  detect_nondifferentiable=True, diff_rtol=0.1)


_EPS = 1e-3


def _step(x):
    y = numpy.zeros_like(x)
    y[x > 0] = 1
    return y


_DETECT_FUNCS = {
    'zero': numpy.zeros_like,
    'linear': lambda x: 2 * x,
    'square': lambda x: x * x,
    'square_shifted': lambda x: x * x + 2.0,
    'cubic': lambda x: -3 * x ** 3 + 2 * x ** 2 + 1,
    'exp': numpy.exp,
    'sin': numpy.sin,
    'log': numpy.log,
    'abs': numpy.abs,
    'relu': lambda x: numpy.maximum(x, 0),
    'step': _step,
    'clip': lambda x: x.clip(0, 1),
    'floor': numpy.floor,
}


# (function, x, eps, whether the point is reported as non-differentiable).
# The samples lie within [x - eps, x + eps]: a kink or jump farther away than
# eps is not seen, one closer is.
_DETECT_CASES = [
    ('zero', [0.0], _EPS, False),
    ('zero', [-100.0], _EPS, False),
    ('linear', [_EPS / 10], _EPS, False),
    ('linear', [100.0], _EPS, False),
    ('square', [0.0], _EPS, False),
    ('square_shifted', [-100.0], _EPS, False),
    ('cubic', [0.0], _EPS, False),
    ('cubic', [100.0], _EPS, False),
    # A cubic term too large for the step no longer fits a quadratic.
    ('cubic', [0.0], 1e-1, True),
    ('exp', [-100.0], _EPS, False),
    ('exp', [0.0], _EPS, False),
    ('exp', [13.0], _EPS, False),
    ('sin', [0.0], _EPS, False),
    ('sin', [[0.3, -2.0], [1.5, 3.0]], _EPS, False),
    ('log', [100.0], _EPS, False),
    ('log', [0.0], _EPS, True),  # finite on one side only
    ('log', [-100.0], _EPS, False),  # consistently NaN
    ('abs', [0.0], _EPS, True),
    ('abs', [[3.0, 1.0], [0.0, 2.0]], _EPS, True),
    ('abs', [_EPS * 0.8], _EPS, True),
    ('abs', [-_EPS * 0.8], _EPS, True),
    ('abs', [_EPS * 1.2], _EPS, False),
    ('abs', [-_EPS * 1.2], _EPS, False),
    ('relu', [0.0], _EPS, True),
    ('relu', [1.0], _EPS, False),
    ('step', [0.0], _EPS, True),
    ('step', [_EPS * 0.8], _EPS, True),
    ('step', [_EPS * 1.2], _EPS, False),
    ('step', [-_EPS * 1.2], _EPS, False),
    ('clip', [0.0], _EPS, True),
    ('clip', [1.0], _EPS, True),
    ('clip', [0.5], _EPS, False),
    ('floor', [0.0], _EPS, True),
    ('floor', [100 - _EPS * 0.8], _EPS, True),
    ('floor', [100 + _EPS * 1.2], _EPS, False),
    ('floor', [100 - _EPS * 1.2], _EPS, False),
]


@pytest.mark.parametrize('n_out', [1, 2])
@pytest.mark.parametrize('name,x,eps,reported', _DETECT_CASES)
def test_numerical_grad_detection_cases(name, x, eps, reported, n_out):
    x = numpy.array(x, dtype=numpy.float64)
    func = _DETECT_FUNCS[name]
    gys = (numpy.random.RandomState(1).uniform(-1, 1, x.shape),) * n_out

    def f():
        return (func(x),) * n_out

    with numpy.errstate(divide='ignore', invalid='ignore'):
        if reported:
            with pytest.raises(NondifferentiableError):
                gradient_check.numerical_grad(f, (x,), gys, eps=eps,
                                              detect_nondifferentiable=True)
        else:
            gradient_check.numerical_grad(f, (x,), gys, eps=eps,
                                          detect_nondifferentiable=True)


def test_numerical_grad_detection_pure_cubic_at_zero():
    # With no lower-order term, the fit error of x**3 around 0 relative to the
    # samples' range is the same at every step (about 0.11), above the default
    # diff_rtol: the quadratic-fit rule reports it, and accepts it once
    # diff_rtol allows that misfit.
    x = numpy.zeros(1)
    with pytest.raises(NondifferentiableError):
        gradient_check.numerical_grad(lambda: (x ** 3,), (x,), (numpy.ones(1),),
                                      detect_nondifferentiable=True)
    gx, = gradient_check.numerical_grad(lambda: (x ** 3,), (x,), (numpy.ones(1),),
                                        detect_nondifferentiable=True, diff_rtol=0.2)
    numpy.testing.assert_allclose(gx, 0, atol=1e-12)


def test_numerical_grad_detection_message_labels():
    x = numpy.zeros(1)
    with pytest.raises(NondifferentiableError) as e:
        gradient_check.numerical_grad(lambda: (abs(x),), (x,), (numpy.ones(1),),
                                      detect_nondifferentiable=True)
    msg = str(e.value)
    for label in ('y[x-eps  ]', 'y[x-eps/2]', 'y[x      ]', 'y[x+eps/2]', 'y[x+eps  ]'):
        assert label in msg


def test_numerical_grad_five_points_within_eps():
    # The stencil samples x +- eps / 2 and x +- eps, nothing farther.
    x = numpy.array([1.0])
    seen = []

    def f():
        seen.append(float(x[0]))
        return x * 1.0,

    gx, = gradient_check.numerical_grad(f, (x,), (numpy.ones(1),), eps=0.5,
                                        detect_nondifferentiable=True)
    assert sorted(seen) == [0.5, 0.75, 1.0, 1.25, 1.5]
    numpy.testing.assert_allclose(gx, 1)


def test_check_backward_smooth_functions_never_reported():
    rs = numpy.random.RandomState(2)
    for func in (chainer.functions.exp, chainer.functions.sin, chainer.functions.tanh,
                 lambda v: v ** 2):
        for x in (numpy.zeros(3), rs.uniform(-2, 2, (3,))):
            gradient_check.check_backward(func, x, numpy.ones(3),
                                          detect_nondifferentiable=True)


def test_numerical_grad_bad_arguments():
    x = numpy.zeros(2)
    with pytest.raises(RuntimeError, match='float'):
        gradient_check.numerical_grad(lambda: (x,), (numpy.arange(2),), (None,))
    with pytest.raises(AssertionError, match='eps'):  # as Chainer's assert
        gradient_check.numerical_grad(lambda: (x,), (x,), (None,), eps=0)
    with pytest.raises(AssertionError, match='eps'):
        gradient_check.numerical_grad(lambda: (x,), (x,), (None,), eps=-1.0)
    with pytest.raises(TypeError, match='tuple or list'):
        gradient_check.numerical_grad(lambda: (x,), x, (None,))
    with pytest.raises(AssertionError, match='tuple or list'):  # as Chainer's assert
        gradient_check.numerical_grad(lambda: (x,), x, (None,))
    # Outputs that do not fit grad_outputs: AssertionError, as Chainer's
    # asserts raised, and ValueError.
    for error in (ValueError, AssertionError):
        with pytest.raises(error, match='grad_outputs'):
            gradient_check.numerical_grad(lambda: (x, x), (x,), (numpy.ones(2),))
        with pytest.raises(error, match='shape'):
            gradient_check.numerical_grad(lambda: (x,), (x,), (numpy.ones(3),))


def test_check_backward_directions_as_chainer_draws_them():
    # One normal draw over all checked inputs and params, rescaled so that
    # each element is at least 0.1 / sqrt(size); a seeded check sees these.
    x = numpy.array([0.5, -1.0, 2.0])
    y = numpy.array([[1.0, 3.0]])
    seen = []

    def f(a, b):
        seen.append((a.array.copy(), b.array.copy()))
        return a * 2, b * 3

    numpy.random.seed(7)
    gradient_check.check_backward(f, (x, y), (numpy.ones(3), numpy.ones((1, 2))), eps=0.5)
    numpy.random.seed(7)
    d = numpy.random.normal(size=(5,))
    d = numpy.copysign(numpy.sqrt(0.99 * d * d / (d * d).sum() + 0.01 / 5), d)
    (_, _), (xm, ym), (xp, yp) = seen
    numpy.testing.assert_allclose((xp - xm) / 1.0, d[:3], rtol=1e-12)
    numpy.testing.assert_allclose((yp - ym) / 1.0, d[3:].reshape(1, 2), rtol=1e-12)


def test_check_backward_draws_directions_before_backward():
    # A backward that fails still leaves the random state as Chainer's does.
    class Bad(chainer.FunctionNode):
        def forward(self, inputs):
            return inputs[0] * inputs[1],

        def backward(self, indexes, gys):
            return gys[0] * 2, gys[0] * 2

    x = numpy.ones(3)
    numpy.random.seed(0)
    with pytest.raises(RuntimeError, match='must be None'):
        gradient_check.check_backward(lambda a, b: Bad().apply((a, b)), (x, x),
                                      numpy.ones(3), no_grads=[True, False])
    after = numpy.random.rand()
    numpy.random.seed(0)
    numpy.random.normal(size=(3,))
    assert after == numpy.random.rand()



# ---------------------------------------------------------------------------
# check_backward

@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_check_backward_passes(dtype):
    x = uniform((3, 2), dtype)
    gy = uniform((3, 2), dtype)
    tol = {'atol': 1e-2, 'rtol': 1e-2} if dtype == numpy.float16 else {}
    gradient_check.check_backward(square, x, gy, dtype=numpy.float64, **tol)
    gradient_check.check_backward(sin, (x,), (gy,), dtype=numpy.float64, **tol)


def test_check_backward_float64_default_dtype():
    x = uniform((5,))
    gradient_check.check_backward(sin, x, uniform((5,)))


def test_check_backward_fails_for_wrong_backward():
    x = uniform((3, 2))
    gy = uniform((3, 2))
    with pytest.raises(AssertionError) as e:
        gradient_check.check_backward(
            lambda x: WrongSquare().apply((x,))[0], x, gy)
    msg = str(e.value)
    assert 'check_backward failed' in msg
    assert 'gradients (numeric)' in msg
    assert 'gradients (backward)' in msg
    assert 'inputs[0]' in msg


def test_check_backward_multiple_inputs_and_outputs():
    x = uniform((2, 3))
    y = uniform((2, 3))

    def f(a, b):
        return TwoOutputs().apply((a, b))

    gradient_check.check_backward(f, (x, y), (uniform((2, 3)), uniform((2, 3))))
    # An output gradient may be None.
    gradient_check.check_backward(f, (x, y), (uniform((2, 3)), None))


def test_check_backward_with_variable_operators():
    x = uniform((3,))
    y = uniform((3,))
    gradient_check.check_backward(lambda a, b: a * b + a, (x, y), uniform((3,)))


def test_check_backward_loss_function():
    x = uniform((4,))
    gradient_check.check_backward(lambda a: chainer.functions.sum(a * a), x, None)


def test_check_backward_y_grad_none_needs_scalar_output():
    with pytest.raises(ValueError, match='y_grad argument cannot be omitted'):
        gradient_check.check_backward(square, uniform((3,)), None)


def test_check_backward_grad_output_mismatch():
    x = uniform((3,))
    with pytest.raises(ValueError, match='equally as many'):
        gradient_check.check_backward(square, x, (uniform((3,)), uniform((3,))))
    with pytest.raises(ValueError, match='Shapes and/or dtypes'):
        gradient_check.check_backward(square, x, uniform((4,)))
    with pytest.raises(ValueError, match='Shapes and/or dtypes'):
        gradient_check.check_backward(square, x, uniform((3,), numpy.float32))


def test_check_backward_integer_input_gets_no_grad():
    x = uniform((3,))
    n = numpy.array([1, 2, 3], numpy.int32)

    def f(a, b):
        return MulByInt().apply((a, b))[0]

    gradient_check.check_backward(f, (x, n), uniform((3,)))
    gradient_check.check_backward(f, (x, n), uniform((3,)), no_grads=[False, True])
    # An integer input never gets a gradient, whatever no_grads says.
    gradient_check.check_backward(f, (x, n), uniform((3,)), no_grads=[False, False])


def test_check_backward_no_grads_violated():
    x = uniform((3,))
    y = uniform((3,))
    with pytest.raises(RuntimeError, match=r'x_data\[1\]'):
        gradient_check.check_backward(
            lambda a, b: a * b, (x, y), uniform((3,)), no_grads=[False, True])


def test_check_backward_no_grads_input_is_not_perturbed():
    # b is marked no_grads and really gets none: the check must pass.
    x = uniform((3,))
    y = uniform((3,))

    class MulNoGradB(chainer.FunctionNode):
        def forward(self, inputs):
            a, b = inputs
            self.retain_inputs((1,))
            return a * b,

        def backward(self, indexes, grad_outputs):
            b, = self.get_retained_inputs()
            return grad_outputs[0] * b, None

    gradient_check.check_backward(
        lambda a, b: MulNoGradB().apply((a, b))[0], (x, y), uniform((3,)),
        no_grads=[False, True])


def test_check_backward_no_grads_length():
    with pytest.raises(ValueError, match='no_grads'):
        gradient_check.check_backward(square, uniform((3,)), uniform((3,)),
                                      no_grads=[False, False])


def test_check_backward_params():
    x = uniform((3,))
    w = chainer.Parameter(uniform((3,)))
    gradient_check.check_backward(lambda a: a * w * w, x, uniform((3,)), params=w)
    gradient_check.check_backward(lambda a: a * w, x, uniform((3,)), params=(w,))


def test_check_backward_leaves_params_without_grads():
    # As Chainer's: the checked params end with no gradient, so a backward
    # the test runs afterwards starts from None rather than adding onto the
    # check's own gradient.
    x = uniform((3,))
    w = chainer.Parameter(uniform((3,)))
    w.grad = numpy.ones(3)
    gradient_check.check_backward(lambda a: a * w, x, uniform((3,)), params=w)
    assert w.grad is None
    F.sum(x * w).backward()
    numpy.testing.assert_array_equal(w.grad, x)


def test_check_backward_params_wrong_grad():
    x = uniform((3,))
    w = chainer.Parameter(uniform((3,)))

    class MulWrongW(chainer.FunctionNode):
        def forward(self, inputs):
            self.retain_inputs((0, 1))
            return inputs[0] * inputs[1],

        def backward(self, indexes, grad_outputs):
            a, b = self.get_retained_inputs()
            gy, = grad_outputs
            return gy * b, gy * a * 2

    with pytest.raises(AssertionError, match='params'):
        gradient_check.check_backward(
            lambda a: MulWrongW().apply((a, w))[0], x, uniform((3,)), params=w)


def test_check_backward_bad_params():
    with pytest.raises(TypeError, match='params'):
        gradient_check.check_backward(square, uniform((3,)), uniform((3,)),
                                      params=(uniform((3,)),))


def test_check_backward_func_must_return_variables():
    with pytest.raises(TypeError, match='Variable'):
        gradient_check.check_backward(lambda a: a.array, uniform((3,)), uniform((3,)))


def test_check_backward_func_must_not_modify_inputs():
    def f(a):
        a.array[0] = 100
        return a * 2

    with pytest.raises(AssertionError, match='modified'):
        gradient_check.check_backward(f, uniform((3,)), uniform((3,)))


def test_check_backward_rejects_variables_and_int_dtype():
    x = uniform((3,))
    with pytest.raises(TypeError, match='Variable'):
        gradient_check.check_backward(square, chainer.Variable(x), uniform((3,)))
    with pytest.raises(ValueError, match='float'):
        gradient_check.check_backward(square, x, uniform((3,)), dtype=numpy.int32)
    with pytest.raises(AssertionError, match='eps'):
        gradient_check.check_backward(square, x, uniform((3,)), eps=-1)


def test_check_backward_detect_nondifferentiable():
    x = numpy.array([0.0, 0.5, -0.5])
    gy = uniform((3,))
    with pytest.raises(NondifferentiableError, match='non-differentiable'):
        gradient_check.check_backward(abs, x, gy, detect_nondifferentiable=True)
    gradient_check.check_backward(abs, x[1:], gy[1:], detect_nondifferentiable=True)
    # Without detection the kink goes unnoticed (|x| is symmetric about 0,
    # so the central difference agrees with sign(0) = 0).
    gradient_check.check_backward(abs, x, gy)


def test_check_backward_wrong_grad_shape_is_caught():
    class BadShape(chainer.FunctionNode):
        def forward(self, inputs):
            return inputs[0] * 2,

        def backward(self, indexes, grad_outputs):
            return chainer.functions.sum(grad_outputs[0]),

    with pytest.raises((AssertionError, ValueError, TypeError)):
        gradient_check.check_backward(
            lambda a: BadShape().apply((a,))[0], uniform((3,)), uniform((3,)))


# ---------------------------------------------------------------------------
# check_double_backward

@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_check_double_backward_passes(dtype):
    x = uniform((3, 2), dtype)
    gy = uniform((3, 2), dtype)
    ggx = uniform((3, 2), dtype)
    gradient_check.check_double_backward(sin, x, gy, ggx, dtype=numpy.float64)
    gradient_check.check_double_backward(square, x, gy, ggx, dtype=numpy.float64)


def test_check_double_backward_fails_for_wrong_second_order():
    x = uniform((3,))
    f = lambda a: SinWrongSecondOrder().apply((a,))[0]
    gradient_check.check_backward(f, x, uniform((3,)))  # first order is right
    with pytest.raises(AssertionError) as e:
        gradient_check.check_double_backward(f, x, uniform((3,)), uniform((3,)))
    msg = str(e.value)
    assert 'check_double_backward failed' in msg
    assert 'check_backward failed' in msg


def test_check_double_backward_two_inputs_and_linear_function():
    x = uniform((3,))
    y = uniform((3,))
    gradient_check.check_double_backward(
        lambda a, b: a * b, (x, y), uniform((3,)), (uniform((3,)), uniform((3,))))
    # Linear in x: the first-order gradient does not depend on x.
    gradient_check.check_double_backward(
        lambda a: a * 3, x, uniform((3,)), uniform((3,)))


def test_check_double_backward_integer_input():
    x = uniform((3,))
    n = numpy.array([1, 2, 3], numpy.int32)
    gradient_check.check_double_backward(
        lambda a, b: MulByInt().apply((a * a, b))[0], (x, n), uniform((3,)),
        (uniform((3,)),))


def test_check_double_backward_params():
    x = uniform((3,))
    w = chainer.Parameter(uniform((3,)))
    gradient_check.check_double_backward(
        lambda a: a * a * w, x, uniform((3,)), uniform((3,)), params=w,
        params_grad_grad=uniform((3,)))


def test_check_double_backward_loss_function():
    x = uniform((3,))
    gradient_check.check_double_backward(
        lambda a: chainer.functions.sum(a * a * a), x, None, uniform((3,)))


def test_check_double_backward_bad_lengths():
    x = uniform((3,))
    with pytest.raises(ValueError, match='x_grad_grad'):
        gradient_check.check_double_backward(
            sin, x, uniform((3,)), (uniform((3,)), uniform((3,))))
    with pytest.raises(ValueError, match='params_grad_grad'):
        gradient_check.check_double_backward(
            sin, x, uniform((3,)), uniform((3,)),
            params=chainer.Parameter(uniform((3,))))
    with pytest.raises(ValueError, match='no_grads'):
        gradient_check.check_double_backward(
            sin, x, uniform((3,)), uniform((3,)), no_grads=[False, False, False])


def test_check_double_backward_no_grads_per_input():
    x = uniform((3,))
    gradient_check.check_double_backward(
        sin, x, uniform((3,)), uniform((3,)), no_grads=[False])
    gradient_check.check_double_backward(
        sin, x, uniform((3,)), uniform((3,)), no_grads=[False, False])


def test_check_double_backward_detect_nondifferentiable():
    x = numpy.array([0.0, 1.0])
    with pytest.raises(NondifferentiableError):
        gradient_check.check_double_backward(
            lambda a: abs(a) * a, x, uniform((2,)), uniform((2,)),
            detect_nondifferentiable=True)


def test_assert_allclose_is_deprecated_alias():
    # As in Chainer: testing.assert_allclose, with a DeprecationWarning.
    from chainer.gradient_check import assert_allclose
    with pytest.warns(DeprecationWarning, match='gradient_check.assert_allclose is deprecated'):
        assert_allclose(numpy.ones(2), numpy.ones(2))
    with pytest.warns(DeprecationWarning), pytest.raises(AssertionError):
        assert_allclose(numpy.ones(2), numpy.zeros(2), atol=0.5, rtol=0)
    with pytest.raises(AttributeError):
        gradient_check.no_such_name


def test_numpy_scalars_are_zero_dim_arrays_in_both_checks():
    # Chainer refused NumPy scalars in both checks; ours takes them as 0-d arrays in both.
    x, gy, ggx = numpy.float64(0.5), numpy.float64(1.0), numpy.float64(1.0)
    gradient_check.check_backward(F.sin, x, gy)
    gradient_check.check_double_backward(F.sin, x, gy, ggx)
    with pytest.raises(TypeError, match=r'x_data\[0\] must be an array or None'):
        gradient_check.check_double_backward(F.sin, [0.5], gy, ggx)


@pytest.mark.parametrize('size', [0, 1, 7, 100])
def test_sample_unit_vector_is_a_unit_vector_without_tiny_elements(size):
    # Chainer's helper name, which check_backward draws its direction with.
    d = gradient_check._CheckBackward._sample_unit_vector(size, numpy)
    assert d.shape == (size,) and d.dtype == numpy.float64
    if size:
        numpy.testing.assert_allclose((d * d).sum(), 1.0)
        assert abs(d).min() >= 0.1 / numpy.sqrt(size)
