"""``cupyx.scipy.special`` of the CuPy stand-in: SciPy's functions on its arrays."""
import scipy.special as _special


def __getattr__(name):
    import cupy
    return cupy._function(getattr(_special, name), f'cupyx.scipy.special.{name}')
