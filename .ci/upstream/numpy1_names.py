"""pytest plugin for .ci/upstream/run.sh: gives NumPy 2 the NumPy 1 names that Chainer 7.7's
*test code* uses (``numpy.complex_`` ...), so the tests reach the code under test.
The library itself never relies on them."""
import numpy

_OLD_NAMES = {
    'complex_': numpy.complex128, 'float_': numpy.float64, 'unicode_': numpy.str_,
    'string_': numpy.bytes_, 'Inf': numpy.inf, 'NaN': numpy.nan, 'NINF': -numpy.inf,
    'PINF': numpy.inf, 'product': numpy.prod, 'alltrue': numpy.all, 'sometrue': numpy.any,
    'cumproduct': numpy.cumprod, 'row_stack': numpy.vstack, 'int0': numpy.intp,
    'bool8': numpy.bool_, 'object0': numpy.object_,
}

for _name, _value in _OLD_NAMES.items():
    if not hasattr(numpy, _name):
        setattr(numpy, _name, _value)
