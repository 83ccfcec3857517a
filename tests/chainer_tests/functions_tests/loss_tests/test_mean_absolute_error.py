"""F.mean_absolute_error."""
import numpy
import pytest

import chainer.functions as F
from tests.chainer_tests._numpy1_sums import long_values, numpy1_sum


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_mean_absolute_error_of_many_values_in_numpy1_order(dtype):
    x0 = long_values((3, 10000), dtype)
    x1 = long_values((3, 10000), dtype, 1)
    numpy.testing.assert_array_equal(F.mean_absolute_error(x0, x1).array,
                                     numpy1_sum(numpy.abs(x0 - x1)) / dtype(30000))
