"""Gaussian sampling by the reparameterization trick: ``mean + exp(ln_var / 2) * eps``."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer import backend
from chainer import function_node
from chainer import utils
from chainer.functions.math.exponential import exp
from chainer.utils import array as array_utils
from chainer.utils import type_check
from chainer.utils.argument import parse_kwargs

if TYPE_CHECKING:
    from typing import Any

    from chainer.types import NdArray, VariableOrArray
    from chainer.variable import Variable


class Gaussian(function_node.FunctionNode):
    """Samples ``N(mean, exp(ln_var))`` with standard normal noise ``eps``."""

    def __init__(self, eps=None) -> None:
        self.eps = eps

    def check_type_forward(self, in_types):
        type_check._expect_float_pair(in_types, ('mean', 'ln_var'), same_shape=True)

    def forward(self, inputs):
        self.retain_inputs((1,))
        mean, ln_var = inputs
        if self.eps is None:
            xp = backend.get_array_module(mean, ln_var)
            if xp is numpy:
                self.eps = numpy.random.standard_normal(ln_var.shape).astype(
                    mean.dtype, copy=False)
            else:
                self.eps = xp.random.standard_normal(ln_var.shape, dtype=mean.dtype)
        else:
            self.eps = array_utils.on_device_of(self.eps, ln_var)
        xp = backend.get_array_module(ln_var)
        noise = xp.exp(ln_var * mean.dtype.type(0.5)) * self.eps
        return utils.force_array(mean + noise, mean.dtype),

    def backward(self, indexes, grad_outputs):

        ln_var, = self.get_retained_inputs()
        gy, = grad_outputs
        ret = []
        for i in indexes:
            if i == 0:
                ret.append(gy)
            else:
                noise = exp(ln_var * 0.5) * self.eps.astype(ln_var.dtype, copy=False)
                ret.append(gy * noise * 0.5)
        return tuple(ret)


def gaussian(mean: VariableOrArray, ln_var: VariableOrArray,
             **kwargs: Any) -> Variable | tuple[Variable, NdArray]:
    """Draws a sample from a Gaussian given its mean and log-variance.

    The output is ``mean + exp(ln_var / 2) * eps`` with ``eps ~ N(0, I)``, so
    the gradients flow to both ``mean`` and ``ln_var``.

    Args:
        mean: The mean.
        ln_var: The logarithm of the variance, of the same shape and dtype.
        eps: (keyword only) The noise to use instead of a fresh sample.
        return_eps: (keyword only) Also return the noise used.

    Returns:
        ~chainer.Variable or tuple: The sample, and ``eps`` if ``return_eps``.
    """
    eps, return_eps = parse_kwargs(kwargs, ('eps', None), ('return_eps', False))
    func = Gaussian(eps)
    out = func.apply((mean, ln_var))[0]
    if return_eps:
        return out, func.eps
    return out
