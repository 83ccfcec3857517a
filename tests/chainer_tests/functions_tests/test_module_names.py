"""Public names that function modules hold besides the functions themselves."""
import importlib.util
import math

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer.functions.loss import squared_error
from chainer.functions.math import einsum as einsum_module
from chainer.functions.math import erfcinv, erfcx, erfinv, minmax, ndtri

_HAS_SCIPY = importlib.util.find_spec('scipy') is not None


@pytest.mark.parametrize('module', [erfcinv, erfcx, erfinv, ndtri])
def test_available_cpu_tells_whether_scipy_is_there(module):
    assert module.available_cpu is _HAS_SCIPY


@pytest.mark.skipif(not _HAS_SCIPY, reason='the CPU implementation needs SciPy')
@pytest.mark.parametrize('module, func, x', [
    (erfinv, F.erfinv, 0.0), (erfcinv, F.erfcinv, 1.0)])
def test_backward_constant_is_the_derivative_at_the_centre(module, func, x):
    # erfinv'(0) = sqrt(pi) / 2 and erfcinv'(1) = -sqrt(pi) / 2: the constants themselves.
    v = chainer.Variable(numpy.array([x]))
    y = func(v)
    y.grad = numpy.ones(1)
    y.backward()
    sign = -1 if module is erfcinv else 1
    assert math.isclose(float(v.grad[0]), sign * module.BACKWORDC, rel_tol=1e-6)
    # Chainer's value in both modules (erfcinv's backward negates it)
    assert module.BACKWORDC == math.pi ** 0.5 / 2


def test_selector_bases():
    assert issubclass(minmax.Max, minmax.SelectorBase)
    assert issubclass(minmax.Min, minmax.SelectorBase)
    assert issubclass(minmax.ArgMax, minmax.IndexSelectorBase)
    assert issubclass(minmax.ArgMin, minmax.IndexSelectorBase)


def test_einsum_symbols_are_the_integer_labels():
    symbols = einsum_module.einsum_symbols
    assert len(symbols) == 52 and symbols[0] == 'a' and symbols[26] == 'A'
    assert einsum_module.einsum_symbols_set == set(symbols)
    a = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)
    by_list = F.einsum(a, [27, 3], [3, 27]).array
    by_str = F.einsum(symbols[27] + symbols[3] + '->' + symbols[3] + symbols[27], a).array
    numpy.testing.assert_array_equal(by_list, by_str)


def test_squared_error_module_exposes_squared_difference():
    assert squared_error.squared_difference is F.squared_difference


def test_squared_difference_is_a_squared_error_node():
    # One node for both names, as in Chainer: graph dumps and hooks say SquaredError.
    x = numpy.ones(2, numpy.float32)
    assert F.squared_difference(x, x).creator.label == 'SquaredError'
    assert F.squared_difference.__module__ == 'chainer.functions.loss.squared_error'


def test_mean_is_average():
    # As in Chainer: F.mean is F.average itself (its repr says <function average ...>).
    assert F.mean is F.average
