"""``make_data`` functions for ``testing.unary_math_function_unittest`` whose input
is drawn from an interval (the function's domain, or where it is well conditioned)."""
import numpy


def uniform_input(low, high):
    """A ``make_data(shape, dtype)`` giving ``x`` uniform on ``[low, high)`` and the
    gradients ``gy``, ``ggx`` uniform on ``[-1, 1)``."""
    def make_data(shape, dtype):
        x = numpy.random.uniform(low, high, shape).astype(dtype)
        gy = numpy.random.uniform(-1, 1, shape).astype(dtype)
        ggx = numpy.random.uniform(-1, 1, shape).astype(dtype)
        return x, gy, ggx
    return make_data
