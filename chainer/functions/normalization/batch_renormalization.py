"""Batch renormalization: batch normalization corrected towards the running statistics."""
from __future__ import annotations

from typing import TYPE_CHECKING
import warnings

import numpy

import chainer
from chainer import backend
from chainer import utils
from chainer.functions import _composite
from chainer.functions.normalization import batch_normalization as _bn
from chainer.graph_optimizations.static_graph import static_code
from chainer.utils import array as array_utils
from chainer.utils import argument
from chainer.utils import type_check
from chainer.function import _CallableNode

if TYPE_CHECKING:
    from chainer.types import NdArray, VariableOrArray


def batch_renormalization(x: VariableOrArray, gamma: VariableOrArray, beta: VariableOrArray,
                          rmax: float, dmax: float, eps: float = 2e-5,
                          running_mean: NdArray | None = None, running_var: NdArray | None = None,
                          decay: float = 0.9,
                          update_statistics: bool = False) -> 'chainer.Variable':
    """Batch renormalization (Ioffe, 2017).

    Normalizes with the batch statistics, then corrects the result with
    ``r = clip(sigma_batch / sigma_running, 1/rmax, rmax)`` and
    ``d = clip((mean_batch - mean_running) / sigma_running, -dmax, dmax)``:
    ``y = gamma * (xhat * r + d) + beta``. ``r`` and ``d`` are constants for
    differentiation.

    Args:
        x: Input of shape ``(N, C, ...)``.
        gamma, beta: Scale and shift of shape ``x.shape[1:1 + gamma.ndim]``.
        rmax (float): Upper bound of ``r`` (its lower bound is ``1 / rmax``).
        dmax (float): Bound of ``|d|``.
        eps (float): Added to the variances.
        running_mean, running_var: Running statistics (required).
        decay (float): Decay rate of the running averages.
        update_statistics (bool): Update ``running_mean`` and ``running_var`` in place.
    """
    if running_mean is None:
        raise TypeError('running_mean is required')
    if running_var is None:
        raise TypeError('running_var is required')
    # Chainer's checks, its node's (once passed for some input types, not run again)
    _CHECKER._check_inputs((x, gamma, beta))
    eps = argument._real(eps, 'eps')
    xa = chainer.variable.as_array(x)
    array_utils.check_on_device_of(running_mean, xa, 'running_mean')
    array_utils.check_on_device_of(running_var, xa, 'running_var')
    ga = chainer.variable.as_array(gamma)
    axis = (0,) + tuple(range(1 + ga.ndim, xa.ndim))
    mean, var, r, d = _corrections(xa, running_mean, running_var, axis, ga.dtype, rmax, dmax,
                                   eps)
    # gamma * (xhat * r + d) + beta == batch normalization with gamma * r, gamma * d + beta.
    node = _bn.BatchNormalization(eps, axis=axis)
    node.warns_single_sample = False
    # (force_array: the products of 0-d arrays are NumPy scalars, not node inputs)
    y = node.apply((x, utils.force_array(gamma * r), utils.force_array(gamma * d + beta)))[0]
    if update_statistics:
        _update_statistics(running_mean, running_var, mean, var,
                           xa.size // max(1, ga.size), decay)
    return y


# Static code: a static_graph chain's replays compute them again from that call's
# input, as define-by-run calls do.
@static_code
def _corrections(xa, running_mean, running_var, axis: tuple, dtype, rmax: float,
                 dmax: float, eps: float) -> tuple:
    """The batch statistics of ``xa`` and the corrections ``r``, ``d`` (of ``dtype``)."""
    xp = backend.get_array_module(xa)
    cdt = array_utils.compute_dtype(numpy.promote_types(xa.dtype, dtype))
    mean = xa.mean(axis=axis, dtype=cdt)
    var = xa.astype(cdt).var(axis=axis)
    running_sigma = xp.sqrt(running_var.astype(cdt) + cdt.type(eps))
    sigma = xp.sqrt(var + cdt.type(eps))
    r = xp.clip(sigma / running_sigma, 1.0 / rmax, rmax).astype(dtype)
    d = xp.clip((mean - running_mean.astype(cdt)) / running_sigma, -dmax, dmax).astype(dtype)
    if xa.size == 0:  # no statistics, so no correction (NaN would reach gamma's gradient)
        r, d = xp.ones_like(r), xp.zeros_like(d)
    return mean, var, r, d


@static_code
def _update_statistics(running_mean, running_var, mean, var, m: int, decay: float) -> None:
    _bn._update_running_stats(running_mean, running_var, mean, var, m, decay,
                              backend.get_array_module(mean))


def fixed_batch_renormalization(x: VariableOrArray, gamma: VariableOrArray, beta: VariableOrArray,
                                mean: VariableOrArray, var: VariableOrArray,
                                eps: float = 2e-5) -> 'chainer.Variable':
    """Batch renormalization with fixed statistics: the same as
    :func:`~chainer.functions.fixed_batch_normalization` (used for inference).
    Deprecated, as in Chainer."""
    warnings.warn('fixed_batch_renormalization is deprecated; use '
                  'fixed_batch_normalization', DeprecationWarning)
    return _bn.fixed_batch_normalization(x, gamma, beta, mean, var, eps)


class BatchRenormalizationFunction(_CallableNode, _composite.CompositeNode):
    """The node of :func:`batch_renormalization`: inputs ``(x, gamma, beta)``.

    ``mean`` and ``var`` are the running statistics, updated in place by the forward
    pass when ``update_statistics``.
    """

    def __init__(self, eps: float = 2e-5, mean=None, var=None, decay: float = 0.9,
                 rmax: float = 1, dmax: float = 0, update_statistics: bool = True) -> None:
        self.eps = argument._real(eps, 'eps')
        self._running_mean = mean
        self._running_var = var
        self.decay = decay
        self.rmax = rmax
        self.dmax = dmax
        self.update_statistics = update_statistics
        self._stats = (mean, var)
        self._updating = False

    def check_type_forward(self, in_types):
        # Chainer's, in its order (channel axis 1)
        type_check.expect(in_types.size() == 3)
        x_type, gamma_type, beta_type = in_types
        type_check.expect(
            x_type.dtype.kind == 'f',
            x_type.ndim >= gamma_type.ndim + 1,
            x_type.shape[1:1 + type_check.eval(gamma_type.ndim)] == gamma_type.shape,
            gamma_type.dtype.kind == 'f',
            gamma_type.dtype == beta_type.dtype,
            gamma_type.shape == beta_type.shape,
        )

    def _deprecated_statistic(self, value):
        # As in Chainer: the node's statistics are read-only and deprecated.
        warnings.warn('The attributes of BatchRenormalizationFunction are deprecated: '
                      'pass the running statistics to batch_renormalization with '
                      'update_statistics=True to update them.', DeprecationWarning)
        return value

    @property
    def running_mean(self):
        return self._deprecated_statistic(self._running_mean)

    @property
    def running_var(self):
        return self._deprecated_statistic(self._running_var)

    def forward(self, inputs):
        # r and d come from the statistics before this step's update; backward
        # recomputes with those.
        self._stats = (self._running_mean.copy(), self._running_var.copy())
        self._updating = self.update_statistics
        try:
            return super().forward(inputs)
        finally:
            self._updating = False

    def _compose(self, x, gamma, beta):
        mean, var = ((self._running_mean, self._running_var) if self._updating
                     else self._stats)
        return batch_renormalization(x, gamma, beta, self.rmax, self.dmax, self.eps,
                                     mean, var, self.decay,
                                     update_statistics=self._updating)


#: The node whose type check :func:`batch_renormalization` runs (its check reads no
#: attribute of the node, so one node serves every call).
_CHECKER = BatchRenormalizationFunction()
