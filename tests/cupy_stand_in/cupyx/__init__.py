"""``cupyx`` of the CuPy stand-in (``tests/cupy_stand_in/cupy``)."""
from __future__ import annotations

import numpy as _np

from cupyx import scipy  # noqa: F401


_atomic_calls = [0]


def scatter_add(a, slices, value):
    import cupy
    cupy._count()
    if type(value) is cupy.ndarray:
        cupy._check_scatter_source('cupyx.scatter_add', a._a, value._a)
    _np.add.at(a._a, cupy._unwrap(slices), cupy._unwrap(value))
    if cupy._ULPS:
        # Atomic adds to one element land in any order, and in another order
        # the next time: the same call need not give the same sum twice.
        hits = _np.zeros(a.shape, _np.intp)
        _np.add.at(hits, cupy._unwrap(slices), 1)
        _atomic_calls[0] += 1
        cupy._round_as_device(a, views=True, where=hits > 1, phase=_atomic_calls[0] % 2)


def rsqrt(x):
    import cupy
    cupy._count()
    result = cupy.ndarray._wrap(1 / _np.sqrt(x._a))
    if cupy._ULPS:
        cupy._round_as_device(result)
    return result
