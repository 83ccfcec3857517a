"""Special functions on either backend: SciPy on the CPU, ``cupyx.scipy.special`` on the GPU."""
from __future__ import annotations

import importlib.util

import numpy

from typing import Any

from chainer import backend
from chainer import utils
from chainer.functions.math._unary import Unary
from chainer.utils import array as array_utils
from chainer.utils.array import as_compute

# Whether the CPU implementations can run (they need SciPy); found without importing it.
available_cpu: bool = importlib.util.find_spec('scipy') is not None


def special(x, name, *leading):
    """``name`` from SciPy (CPU) or ``cupyx.scipy.special`` (GPU) applied to
    ``(*leading, x)``; the backend is chosen by ``x``."""
    xp = backend.get_array_module(x)
    if xp is numpy:
        from scipy import special as module
    else:
        from cupyx.scipy import special as module
        # not every CuPy kernel has a half version
        x = as_compute(x)
        leading = tuple(as_compute(a) if hasattr(a, 'dtype') else a for a in leading)
    return getattr(module, name)(*leading, x)


class UnarySpecial(Unary):
    """A :class:`Unary` special function: :func:`special` of SciPy's ``_scipy_name``
    (default: ``_name``), in the input's dtype."""

    _scipy_name = ''

    def _compute(self, x: Any) -> Any:
        # float16 in float32, as SciPy took it for Chainer (newer SciPy computes it in
        # float64, which rounds some values otherwise); block by block on NumPy
        return utils.force_array(
            array_utils.in_compute_blocks(special, (x,), self._scipy_name or self._name), x.dtype)
