"""Special functions on either backend: SciPy on the CPU, ``cupyx.scipy.special`` on the GPU."""
from __future__ import annotations

import importlib.util

import numpy

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.utils import type_check
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


class UnarySpecial(function_node.FunctionNode):
    """An elementwise special function of one float input ``x``, :func:`special` of
    SciPy's ``_scipy_name`` (default: ``_name``, also the label). A subclass writes
    the ``backward``, which reads ``x`` (``_keeps_x``) and/or the output (``_keeps_y``)."""

    is_elementwise = True
    _name = ''
    _scipy_name = ''
    _keeps_x = True
    _keeps_y = False

    @property
    def label(self):
        return self._name

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        if self._keeps_x:
            self.retain_inputs((0,))
        if self._keeps_y:
            self.retain_outputs((0,))
        x, = inputs
        return utils.force_array(special(x, self._scipy_name or self._name), x.dtype),
