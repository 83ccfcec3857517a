import numpy
import pytest

import chainer
from chainer import testing


def test_equal_and_within_tolerance():
    x = numpy.array([1.0, 2.0, 3.0], dtype=numpy.float32)
    testing.assert_allclose(x, x.copy())
    testing.assert_allclose(x, x + 1e-6)
    testing.assert_allclose(x, x + 0.05, atol=0.1, rtol=0)


def test_variables_and_scalars():
    x = numpy.array([1.0, 2.0], dtype=numpy.float32)
    testing.assert_allclose(chainer.Variable(x), x)
    testing.assert_allclose(x, chainer.Variable(x.copy()))
    testing.assert_allclose(numpy.float32(1.0), 1.0)
    testing.assert_allclose(numpy.array(2.0), numpy.full((2, 2), 2.0))


def test_failure_message():
    x = numpy.array([[1.0, 2.0], [3.0, 4.0]])
    y = x.copy()
    y[1, 0] = 3.5
    with pytest.raises(AssertionError) as info:
        testing.assert_allclose(x, y)
    msg = str(info.value)
    assert '\n\nassert_allclose failed:\n  shape: (2, 2) (2, 2)\n' in msg
    assert '  shape: (2, 2) (2, 2)' in msg
    assert '  dtype: float64 float64' in msg
    assert '  i: (1, 0)' in msg
    assert '  x[i]: 3.0' in msg
    assert '  y[i]: 3.5' in msg
    assert '  absolute error[i]: 0.5' in msg
    assert '\nx: [[1. 2.]\n    [3. 4.]]' in msg
    assert '\ny: [[1.  2. ]\n    [3.5 4. ]]' in msg


def test_failure_message_leaves_the_print_options_alone(monkeypatch):
    # NumPy 2.0's print options belong to the process (another thread printing
    # meanwhile would see them switched): the long form is asked of array2string.
    def switched(**options):
        raise AssertionError('print options switched')

    monkeypatch.setattr(numpy, 'printoptions', switched)
    monkeypatch.setattr(numpy, 'set_printoptions', switched)
    x = numpy.arange(2000.0)
    y = x.copy()
    y[0] = 1.0
    with pytest.raises(AssertionError) as info:
        testing.assert_allclose(x, y)
    printed = str(info.value).rsplit('\nx: ', 1)[1]  # (NumPy's own message is cut short)
    assert '...' not in printed and printed.count('1.500e+03') == 2


def test_shape_mismatch():
    with pytest.raises(AssertionError) as info:
        testing.assert_allclose(numpy.zeros((2, 3)), numpy.zeros((3, 2)))
    assert '  shape: (2, 3) (3, 2)' in str(info.value)


def test_nan_and_mixed_dtypes():
    with pytest.raises(AssertionError) as info:
        testing.assert_allclose(numpy.array([1.0, numpy.nan]), numpy.array([1.0, 2.0]))
    assert '  i: (1,)' in str(info.value)
    with pytest.raises(AssertionError):
        testing.assert_allclose(numpy.array([True, False]), numpy.array([1, 1]))
    testing.assert_allclose(numpy.array([1 + 1j]), numpy.array([1 + 1j]))
    with pytest.raises(AssertionError):
        testing.assert_allclose(numpy.array([1 + 1j]), numpy.array([1 - 1j]))


def _details(x, y):
    with pytest.raises(AssertionError) as info:
        testing.assert_allclose(x, y)
    return str(info.value).split('assert_allclose failed:\n', 1)[1]


def test_errors_are_printed_in_the_inputs_dtype():
    # float32 inputs: the relative error is a float32 value, as Chainer printed it.
    msg = _details(numpy.array([5.0], numpy.float32), numpy.array([6.0], numpy.float32))
    assert '  relative error[i]: 0.1666666716337204\n' in msg
    assert '  absolute error[i]: 1.0\n' in msg
    assert '  relative tolerance * |y[i]|: 0.0006000000000000001\n' in msg
    msg = _details(numpy.array([5.0], numpy.float16), numpy.array([6.0], numpy.float16))
    assert '  relative error[i]: 0.1666259765625\n' in msg


def test_integer_errors_are_exact_and_do_not_wrap():
    msg = _details(numpy.array([1, 2]), numpy.array([1, 3]))
    assert '  absolute error[i]: 1\n' in msg
    assert '  relative error[i]: 0.3333333333333333\n' in msg
    msg = _details(numpy.array([1], numpy.uint8), numpy.array([3], numpy.uint8))
    assert '  absolute error[i]: 2\n' in msg
