"""Scaled complementary error function."""
from __future__ import annotations

import numpy

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.utils import type_check

_TWO_OVER_SQRT_PI = float(2.0 / numpy.sqrt(numpy.pi))


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


class Erfcx(function_node.FunctionNode):
    """Elementwise scaled complementary error function ``exp(x ** 2) * erfc(x)``."""

    is_elementwise = True

    @property
    def label(self):
        return 'erfcx'

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        type_check.expect(in_types[0].dtype.kind == 'f')

    def forward(self, inputs):
        self.retain_inputs((0,))
        self.retain_outputs((0,))
        x, = inputs
        return utils.force_array(_special(x, 'erfcx'), x.dtype),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        y, = self.get_retained_outputs()
        # erfcx'(x) = 2 x erfcx(x) - 2 / sqrt(pi)
        return grad_outputs[0] * (x * y * 2.0 - _TWO_OVER_SQRT_PI),


def erfcx(x):
    """Elementwise scaled complementary error function ``exp(x ** 2) * erfc(x)``."""
    return Erfcx().apply((x,))[0]
