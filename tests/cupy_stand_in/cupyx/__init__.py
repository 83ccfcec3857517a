"""``cupyx`` of the CuPy stand-in (``tests/cupy_stand_in/cupy``)."""
from __future__ import annotations

import numpy as _np

from cupyx import scipy  # noqa: F401


def scatter_add(a, slices, value):
    import cupy
    cupy._count()
    _np.add.at(a._a, cupy._unwrap(slices), cupy._unwrap(value))
    if cupy._ULPS:  # atomic adds to one element land in any order
        hits = _np.zeros(a.shape, _np.intp)
        _np.add.at(hits, cupy._unwrap(slices), 1)
        cupy._round_as_device(a, views=True, where=hits > 1)


def rsqrt(x):
    import cupy
    cupy._count()
    result = cupy.ndarray._wrap(1 / _np.sqrt(x._a))
    if cupy._ULPS:
        cupy._round_as_device(result)
    return result
