"""Comparing sums of products that compiled code may take with fused multiply-adds."""
import platform

import numpy

# x86-64 wheels of NumPy and SciPy are built for a baseline without FMA, so their
# loops round every product before adding it, as NumPy's separate multiply and add
# do. Compilers for other CPUs (aarch64) may fuse ``acc + a * b`` into one rounding.
ROUNDS_EACH_PRODUCT = platform.machine().lower() in ('x86_64', 'amd64', 'i386', 'i686')


def assert_same_sums(got, want) -> None:
    """``got`` is ``want`` bit for bit where the platform rounds each product (the
    same arithmetic in the same order), else within a few roundings of it."""
    if ROUNDS_EACH_PRODUCT:
        numpy.testing.assert_array_equal(numpy.atleast_1d(got).view(numpy.uint8),
                                         numpy.atleast_1d(want).view(numpy.uint8))
    else:
        eps = numpy.finfo(numpy.asarray(want).dtype).eps
        numpy.testing.assert_allclose(got, want, rtol=64 * eps,
                                      atol=64 * eps * float(numpy.abs(want).max(initial=0)))
