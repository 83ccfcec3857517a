"""floor, ceil, sign and fix: elementwise, dtype-preserving, outside the graph."""
import numpy
import pytest

import chainer
import chainer.functions as F
from chainer.functions.math.ceil import ceil
from chainer.functions.math.fix import fix
from chainer.functions.math.floor import floor
from chainer.functions.math.sign import sign

FUNCS = [(floor, numpy.floor), (ceil, numpy.ceil), (sign, numpy.sign), (fix, numpy.trunc)]
IDS = [f.__name__ for f, _ in FUNCS]


@pytest.mark.parametrize('func, expected', FUNCS, ids=IDS)
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape', [(3, 4), (), (0, 2)])
def test_forward(func, expected, dtype, shape):
    x = numpy.random.uniform(-5, 5, shape).astype(dtype)
    for arg in (x, chainer.Variable(x)):
        y = func(arg)
        assert isinstance(y, chainer.Variable)
        assert isinstance(y.array, numpy.ndarray) and y.shape == shape
        assert y.dtype == dtype
        numpy.testing.assert_array_equal(y.array, expected(x))


@pytest.mark.parametrize('func, expected', FUNCS, ids=IDS)
def test_not_differentiable(func, expected):
    x = chainer.Variable(numpy.array([1.5, -0.5], numpy.float32))
    y = func(x)
    assert not y.requires_grad
    assert y.creator is None
    z = F.sum(x * 2 + y)
    z.backward()
    numpy.testing.assert_array_equal(x.grad, [2, 2])


@pytest.mark.parametrize('func, expected', FUNCS, ids=IDS)
def test_exported(func, expected):
    assert getattr(F, func.__name__) is func


@pytest.mark.parametrize('func, expected', FUNCS, ids=IDS)
def test_integer_input_keeps_dtype(func, expected):
    x = numpy.array([-2, 0, 3], numpy.int32)
    y = func(x)
    assert y.dtype == numpy.int32
    numpy.testing.assert_array_equal(y.array, expected(x).astype(numpy.int32))


@pytest.mark.parametrize('func, expected', FUNCS, ids=IDS)
@pytest.mark.parametrize('bad', [1.5, [1.0, 2.0], None, chainer.Variable()])
def test_bad_input(func, expected, bad):
    if func is sign and isinstance(bad, (float, list)):
        pytest.skip('sign takes a Python number or list, as Chainer\'s did (test_sign.py)')
    with pytest.raises(TypeError):
        func(bad)


@pytest.mark.parametrize('func, expected', FUNCS, ids=IDS)
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.int32])
def test_numpy_scalar_is_a_0d_array(func, expected, dtype):
    y = func(dtype(-2.5))
    assert y.shape == () and y.dtype == dtype
    numpy.testing.assert_array_equal(y.array, expected(numpy.asarray(dtype(-2.5))))


def test_fix_warns_of_no_deprecation():
    # numpy.fix is deprecated from NumPy 2.5; F.fix does not lean on it.
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        numpy.testing.assert_array_equal(
            F.fix(numpy.array([-1.5, 2.5, 3], numpy.float32)).array, [-1, 2, 3])


def test_fix_rounds_toward_zero():
    x = numpy.array([-1.5, -0.5, 0.5, 1.5, 2.0], numpy.float32)
    numpy.testing.assert_array_equal(F.fix(x).array, [-1, 0, 0, 1, 2])
