"""The SciPy special functions (``functions/math/_special.py``) on float16 input."""
import numpy
import pytest

import chainer
import chainer.functions as F
from tests.chainer_tests._memory import traced_peak

pytest.importorskip('scipy')


# float16 inputs whose value computed in float64 rounds otherwise than in float32,
# with Chainer 7.8.1's results (SciPy took float16 in float32; newer SciPy in float64)
@pytest.mark.parametrize('name, x, expected', [
    ('erf', 0.0014820098876953125, 0.0016727447509765625),
    ('erfc', 0.00021636486053466797, 1.0),
    ('erfcx', 0.03594970703125, 0.9609375),
    ('lgamma', 2.263671875, 0.1328125),
    ('lgamma', -56.59375, -173.5),
    ('digamma', 0.0015392303466796875, -650.0),
    ('ndtr', -0.56005859375, 0.28759765625),
    ('log_ndtr', -180.875, -16368.0),
])
def test_float16_is_computed_in_float32(name, x, expected):
    y = getattr(F, name)(numpy.full((3,), x, numpy.float16))
    assert y.dtype == numpy.float16
    numpy.testing.assert_array_equal(y.array, numpy.full((3,), expected, numpy.float16))


def test_float16_peak_memory_is_about_the_result():
    x = numpy.random.RandomState(0).randn(16, 32, 32, 32).astype(numpy.float16)  # 1 MiB
    with traced_peak() as traced:
        with chainer.no_backprop_mode():
            y = F.erf(x)
    peak = traced.bytes
    # block by block in float32, not a whole float64 (or float32) result beside it
    assert peak < 1.6 * x.nbytes, peak
    assert y.dtype == numpy.float16
