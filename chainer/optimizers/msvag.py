"""M-SVAG optimizer (Balles and Hennig, "Dissecting Adam", 2018)."""

from __future__ import annotations

from typing import Any

import numpy

from chainer import optimizer
from chainer.optimizers import _util

_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.lr = 0.1
_default_hyperparam.beta = 0.9
_default_hyperparam.eta = 1.0
_default_hyperparam.weight_decay_rate = 0


_POWERS: dict = {}


def _beta_power(beta: float, t: int) -> float:
    """Chainer's running ``beta_power`` at update ``t`` (from 1): ``beta`` multiplied
    by itself ``t - 1`` times, one rounding per step (``beta ** t`` rounds once),
    continued from the last value asked for ``beta``."""
    last = _POWERS.get(beta)
    if last is not None and last[0] == t:
        return last[1]
    if last is not None and last[0] == t - 1:
        value = last[1] * beta
    else:
        value = beta
        for _ in range(t - 1):
            value *= beta
    _POWERS[beta] = (t, value)
    return value


def _chainer_rho(beta: float, beta_power: float) -> float:
    """Chainer's variance-reduction factor, capped at 0.9999 (python floats)."""
    rho = (((1.0 - beta) ** 2) * (1.0 - beta_power ** 2)
           / (((1.0 - beta_power) ** 2) * (1.0 - beta ** 2)))
    return min(rho, 0.9999)


class MSVAGRule(_util.ElementwiseRule):
    """Update rule of M-SVAG (momentum with stochastic variance-adapted gradient).

    Keeps moving averages ``m`` and ``v`` of the gradient and its square; after bias
    correction, each element's momentum step is scaled by
    ``m**2 / (m**2 + rho * s)`` where ``s`` estimates the gradient variance.
    See :class:`~chainer.optimizers.MSVAG`.

    Args:
        parent_hyperparam: Hyperparameter to fall back on for unset values.
        lr: Learning rate.
        beta: Exponential decay rate of the moment estimates.
        eta: Schedule multiplier, applied to the whole step including weight decay.
        weight_decay_rate: Rate of the decoupled weight decay.
    """

    default_hyperparam = _default_hyperparam
    state_names = ('m', 'v')
    gpu_scalars = 'lr, one_minus_beta, bias, rho, eta, weight_decay_rate'
    # Chainer's kernel: its CPU sequence, a factor of 0 where m and v are 0 (and,
    # as there, where the factor is NaN)
    gpu_code = '''m += one_minus_beta * (grad - m);
                  v += one_minus_beta * (grad * grad - v);
                  T mt = m / bias;
                  T vt = v / bias;
                  T mt2 = mt * mt;
                  T s = (vt - mt2) / (1 - rho);
                  T factor = mt2 / (mt2 + rho * s);
                  if (m == 0 && v == 0) factor = 0;
                  if (!(factor >= (T)0)) factor = 0;
                  if (factor > (T)1) factor = 1;
                  param -= eta * (lr * mt * factor + weight_decay_rate * param);'''
    gpu_name = 'msvag'

    def __init__(self, parent_hyperparam: optimizer.Hyperparameter | None = None,
                 lr: float | None = None, beta: float | None = None,
                 eta: float | None = None,
                 weight_decay_rate: float | None = None) -> None:
        super().__init__(parent_hyperparam, lr=lr, beta=beta, eta=eta,
                         weight_decay_rate=weight_decay_rate)

    @property
    def beta_power(self) -> float:
        """``beta ** (t + 1)`` as Chainer's rule kept it (a running product): the
        bias-correction power of the next update."""
        return _beta_power(self.hyperparam.beta, self.t + 1)

    def _values(self, dtype: numpy.dtype) -> tuple:
        """lr, beta, eta, weight_decay_rate (beta checked)."""
        lr, beta, eta, weight_decay_rate = self.hyperparameters(
            'lr', 'beta', 'eta', 'weight_decay_rate')
        if not 0 <= beta < 1:
            raise ValueError(f'beta of MSVAG must be in [0, 1), got {beta}')
        return lr, beta, eta, weight_decay_rate

    def _check_step(self) -> None:
        """Raises where the step count was not advanced before the update."""
        if self.t < 1:
            raise RuntimeError(
                'MSVAG update rule called before its step count was advanced '
                f'(t={self.t}); update parameters through UpdateRule.update')

    def update_core_cpu(self, param: Any) -> None:
        grad = param.grad
        if grad is None:
            return
        dtype = grad.dtype
        lr, beta, eta, weight_decay_rate = _util.constants(self, MSVAGRule._values, dtype)
        self._check_step()
        # Chainer's CPU sequence and roundings: the moments, the bias-corrected
        # ones divided by 1 - beta_power, s = (vt - mt**2) / (1 - rho), the factor
        # mt**2 / (mt**2 + rho s) clipped to [0, 1] (NaN: 0), then
        # param -= eta * (lr * mt * factor + weight_decay_rate * param).
        beta_power = _beta_power(beta, self.t)
        rho = _chainer_rho(beta, beta_power)
        one_minus_beta = dtype.type(1 - beta)
        data, grad, m, v = _util.vectors(param.array, grad, self.state['m'], self.state['v'])
        tmp = numpy.empty_like(grad)
        _util.update_moments(grad, m, v, tmp, one_minus_beta, one_minus_beta)
        bias = dtype.type(1 - beta_power)
        mt = m / bias
        mt2 = numpy.square(mt)
        numpy.divide(v, bias, out=tmp)  # vt, then s, then the factor
        tmp -= mt2
        tmp /= dtype.type(1 - rho)
        tmp *= dtype.type(rho)
        tmp += mt2
        numpy.divide(mt2, tmp, out=tmp)
        numpy.clip(tmp, 0, 1, out=tmp)
        tmp[numpy.isnan(tmp)] = 0
        mt *= dtype.type(lr)
        mt *= tmp
        mt += dtype.type(weight_decay_rate) * data
        mt *= dtype.type(eta)
        data -= mt

    def _gpu(self, dtype: numpy.dtype) -> tuple:
        return self.gpu_kernel(), self._values(dtype)

    def update_core_gpu(self, param: Any) -> None:
        grad = param.grad
        if grad is None:
            return
        kernel, (lr, beta, eta, weight_decay_rate) = _util.constants(
            self, MSVAGRule._gpu, grad.dtype)
        self._check_step()
        beta_power = _beta_power(beta, self.t)
        kernel(grad, lr, 1 - beta, 1 - beta_power, _chainer_rho(beta, beta_power), eta,
               weight_decay_rate, param.array, self.state['m'], self.state['v'])


class MSVAG(_util.RuleOptimizer):
    """M-SVAG optimizer: momentum SGD with per-element variance adaptation.

    Args:
        lr: Learning rate.
        beta: Exponential decay rate of the first and second order moments.
        eta: Schedule multiplier, can be used for warm restarts.
        weight_decay_rate: Weight decay rate (decoupled from the gradient step).
    """

    rule_class = MSVAGRule

    def __init__(self, lr: float = _default_hyperparam.lr,
                 beta: float = _default_hyperparam.beta,
                 eta: float = _default_hyperparam.eta,
                 weight_decay_rate: float = _default_hyperparam.weight_decay_rate) -> None:
        super().__init__(lr=lr, beta=beta, eta=eta, weight_decay_rate=weight_decay_rate)

    lr = optimizer.HyperparameterProxy('lr')
    beta = optimizer.HyperparameterProxy('beta')
    eta = optimizer.HyperparameterProxy('eta')
    weight_decay_rate = optimizer.HyperparameterProxy('weight_decay_rate')
