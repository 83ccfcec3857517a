"""Special functions on either backend: SciPy on the CPU, ``cupyx.scipy.special`` on the GPU."""
from __future__ import annotations

import numpy

from chainer import backend


def special(x, name):
    """``name`` from SciPy (CPU) or ``cupyx.scipy.special`` (GPU), applied to ``x``."""
    xp = backend.get_array_module(x)
    if xp is numpy:
        from scipy import special as module
    else:
        from cupyx.scipy import special as module
        if x.dtype == numpy.float16:  # not every CuPy kernel has a half version
            x = x.astype(numpy.float32)
    return getattr(module, name)(x)
