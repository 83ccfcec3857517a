"""Logarithm of the absolute value of the gamma function."""
from __future__ import annotations

import numpy

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.math.digamma import digamma
from chainer.utils import type_check


def _special(x, name):
    """``name`` from SciPy (CPU) or ``cupyx.scipy.special`` (GPU), applied to ``x``."""
    xp = backend.get_array_module(x)
    if xp is numpy:
        from scipy import special
    else:
        from cupyx.scipy import special
        if x.dtype == numpy.float16:  # not every CuPy kernel has a half version
            x = x.astype(numpy.float32)
    return getattr(special, name)(x)


class LGamma(function_node.FunctionNode):
    """Elementwise log-gamma function ``log|Gamma(x)|``."""

    is_elementwise = True

    @property
    def label(self):
        return 'lgamma'

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        type_check.expect(in_types[0].dtype.kind == 'f')

    def forward(self, inputs):
        self.retain_inputs((0,))
        x, = inputs
        return utils.force_array(_special(x, 'gammaln'), x.dtype),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return grad_outputs[0] * digamma(x),


def lgamma(x):
    """Elementwise log-gamma function ``log|Gamma(x)|``."""
    return LGamma().apply((x,))[0]
