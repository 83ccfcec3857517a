"""Adam and its variants (AdamW, AMSGrad, AdaBound, AMSBound)."""
from __future__ import annotations

import math
import warnings
from typing import Any, Optional

import numpy

from chainer import optimizer
from chainer.backends import cuda
from chainer.optimizers import _util
from chainer.utils.array import compute_dtype, widen_scalar


_get = _util.lookup

_default_hyperparam = optimizer.Hyperparameter()
_default_hyperparam.alpha = 0.001
_default_hyperparam.beta1 = 0.9
_default_hyperparam.beta2 = 0.999
_default_hyperparam.eps = 1e-8
_default_hyperparam.eta = 1.0
_default_hyperparam.weight_decay_rate = 0
_default_hyperparam.amsgrad = False
_default_hyperparam.adabound = False
_default_hyperparam.final_lr = 0.1
_default_hyperparam.gamma = 1e-3


def _bias_corrected(alpha: float, beta1: float, beta2: float, t: int) -> float:
    """The learning rate of step ``t``: ``alpha * sqrt(1 - beta2**t) / (1 - beta1**t)``."""
    if t == 0:
        raise RuntimeError(
            "Can't determine the learning rate of Adam optimizer because the "
            'update steps have not been started.')
    fix1 = 1.0 - math.pow(beta1, t)
    fix2 = 1.0 - math.pow(beta2, t)
    return alpha * math.sqrt(fix2) / fix1


def _learning_rate(hp: optimizer.Hyperparameter, t: int) -> float:
    return _bias_corrected(_get(hp, 'alpha'), _get(hp, 'beta1'), _get(hp, 'beta2'), t)


def _adam_step_cpu(arrays: list, tmp: Optional[numpy.ndarray], coefs: tuple) -> None:
    """One in-place Adam step on NumPy arrays (grad, param, m, v[, vhat]), using the
    scratch array ``tmp`` (None: a fresh one of ``grad``'s dtype)."""
    grad, data, m, v = arrays[:4]
    if tmp is None:
        tmp = numpy.empty(grad.shape, grad.dtype)
    one_minus_beta1, one_minus_beta2, eps, alpha_t, bounds, decay, eta = coefs
    _util.update_moments(grad, m, v, tmp, one_minus_beta1, one_minus_beta2)
    if len(arrays) == 5:
        vhat = arrays[4]
        numpy.maximum(vhat, v, out=vhat)
    else:
        vhat = v
    # step = alpha_t / (sqrt(vhat) + eps), clipped to the AdaBound bounds; the root
    # of a float16 vhat is taken in the compute dtype, as Chainer did (NumPy's float16
    # loop would round it to float16 first)
    numpy.sqrt(vhat, out=tmp, dtype=tmp.dtype)
    tmp += eps
    numpy.divide(alpha_t, tmp, out=tmp)
    if bounds is not None:
        numpy.clip(tmp, bounds[0], bounds[1], out=tmp)
    # param -= eta * (step * m + weight_decay_rate * param)
    tmp *= m
    if decay is not None:
        data *= decay
    if eta is not None:
        tmp *= eta
    data -= tmp


def _kernel(amsgrad: bool, adabound: bool):
    """Returns the fused CuPy kernel of one Adam step (P: parameter, T: arithmetic type)."""
    in_params = ('P grad, T alpha_t, T one_minus_beta1, T one_minus_beta2, '
                 'T eps, T eta, T weight_decay_rate, raw T dummy')
    if adabound:
        in_params += ', T lower, T upper'
    out_params = 'P param, P m, P v' + (', P vhat' if amsgrad else '')
    body = [
        'T grad_ = static_cast<T>(grad);',
        'T m_ = static_cast<T>(m);',
        'T v_ = static_cast<T>(v);',
        'm_ += one_minus_beta1 * (grad_ - m_);',
        'v_ += one_minus_beta2 * (grad_ * grad_ - v_);',
        'm = static_cast<P>(m_);',
        'v = static_cast<P>(v_);',
    ]
    if amsgrad:
        body += ['T vhat_ = max(static_cast<T>(vhat), v_);',
                 'vhat = static_cast<P>(vhat_);']
        step = 'alpha_t / (sqrt(vhat_) + eps)'
    else:
        step = 'alpha_t / (sqrt(v_) + eps)'
    if adabound:
        step = f'min(max({step}, lower), upper)'
    body += [
        'T p_ = static_cast<T>(param);',
        f'param = static_cast<P>(p_ - eta * (({step}) * m_ + weight_decay_rate * p_));',
    ]
    name = {(False, False): 'adam', (True, False): 'amsgrad',
            (False, True): 'adabound', (True, True): 'amsbound'}[amsgrad, adabound]
    return cuda.elementwise(in_params, out_params, '\n'.join(body), name)


_TYPE_MARKERS: dict = {}


def _type_marker(dtype) -> Any:
    """A zero-size CuPy array of ``dtype`` on the current device: it lets the kernel
    deduce T. It has no elements to change, so one per dtype and device serves."""
    cupy = cuda.cupy
    key = (cupy, dtype, cupy.cuda.runtime.getDevice())
    marker = _TYPE_MARKERS.get(key)
    if marker is None:
        marker = _TYPE_MARKERS[key] = cupy.empty((0,), dtype=dtype)
    return marker


class AdamRule(optimizer.UpdateRule):
    """Update rule of Adam (optionally AMSGrad / AdaBound / AdamW-style weight decay).

    Args:
        parent_hyperparam: Hyperparameter to fall back to (default: Adam's defaults).
        alpha: Coefficient of the learning rate.
        beta1: Exponential decay rate of the first-order moment.
        beta2: Exponential decay rate of the second-order moment.
        eps: Small value for numerical stability.
        eta: Schedule multiplier (for learning-rate warm-up etc.).
        weight_decay_rate: Decoupled weight decay rate (AdamW).
        amsgrad: Use the AMSGrad variant (keeps the running maximum ``vhat``).
        adabound: Use the AdaBound variant (clips the step size).
        final_lr: Final (SGD) learning rate of AdaBound.
        gamma: Convergence speed of the AdaBound bounds.
    """

    is_elementwise = True

    def __init__(self, parent_hyperparam: Optional[optimizer.Hyperparameter] = None,
                 alpha: Optional[float] = None, beta1: Optional[float] = None,
                 beta2: Optional[float] = None, eps: Optional[float] = None,
                 eta: Optional[float] = None, weight_decay_rate: Optional[float] = None,
                 amsgrad: Optional[bool] = None, adabound: Optional[bool] = None,
                 final_lr: Optional[float] = None, gamma: Optional[float] = None) -> None:
        super().__init__(parent_hyperparam or _default_hyperparam)
        _util.set_given(self.hyperparam, alpha=alpha, beta1=beta1, beta2=beta2, eps=eps,
                        eta=eta, weight_decay_rate=weight_decay_rate, amsgrad=amsgrad,
                        adabound=adabound, final_lr=final_lr, gamma=gamma)
        # AdaBound's final_lr follows later changes of alpha relative to this value.
        self.initial_alpha = self.hyperparam.alpha

    def init_state(self, param) -> None:
        names = ('m', 'v', 'vhat') if self.hyperparam.amsgrad else ('m', 'v')
        _util.zeros_state(self.state, param, *names)

    def _check_amsgrad_state(self) -> None:
        # Chainer fails with KeyError: 'vhat' here.
        if _get(self.hyperparam, 'amsgrad') and 'vhat' not in self._state:
            raise RuntimeError(
                'amsgrad was turned on after the Adam state of this parameter was '
                "created without the running maximum 'vhat'; set amsgrad=True before "
                'the first update (or give the rule a fresh state)')

    def _cpu_constants(self, param_dtype: numpy.dtype) -> tuple:
        """What a CPU step needs besides alpha_t (see ``_util.constants``)."""
        hp = self.hyperparam
        self._check_amsgrad_state()
        dtype = compute_dtype(param_dtype)
        alpha, beta1, beta2, eps, eta, weight_decay_rate = _util.numbers(
            hp, 'alpha', 'beta1', 'beta2', 'eps', 'eta', 'weight_decay_rate')
        _util.cast_eps(eps, dtype, 'Adam')
        scalars = _util.scalars((1.0 - beta1, 1.0 - beta2, eps), dtype)
        decay = (param_dtype.type(1.0 - eta * weight_decay_rate)
                 if weight_decay_rate != 0 else None)
        return (dtype, bool(_get(hp, 'amsgrad')), bool(_get(hp, 'adabound')),
                (alpha, beta1, beta2), scalars, decay, dtype.type(eta) if eta != 1 else None)

    def update_core_cpu(self, param) -> None:
        grad = param.grad
        if grad is None:
            return
        data = param.array
        dtype, amsgrad, adabound, rate, scalars, decay, eta = _util.constants(
            self, AdamRule._cpu_constants, data.dtype)
        state = self._state
        arrays = [grad.astype(dtype, copy=False), data, state['m'], state['v']]
        if amsgrad:
            arrays.append(state['vhat'])
        bounds = None
        if adabound:
            lower, upper = self.bounds
            bounds = (dtype.type(lower), dtype.type(upper))
        coefs = (*scalars, numpy.array(self._alpha_t(rate), dtype), bounds, decay, eta)
        if data.size >= _util.BLOCKED_SIZE:
            _util.run_blocked(lambda a, s: _adam_step_cpu(a, s[0], coefs), arrays, 1)
        else:
            _adam_step_cpu(arrays, None, coefs)

    def _gpu_constants(self, key: tuple) -> tuple:
        """The kernel and its scalar arguments after alpha_t (see ``_util.constants``)."""
        param_dtype, _device = key
        hp = self.hyperparam
        self._check_amsgrad_state()
        dtype = compute_dtype(param_dtype)
        alpha, beta1, beta2, eps, eta, weight_decay_rate = _util.numbers(
            hp, 'alpha', 'beta1', 'beta2', 'eps', 'eta', 'weight_decay_rate')
        _util.cast_eps(eps, dtype, 'Adam')
        amsgrad, adabound = bool(_get(hp, 'amsgrad')), bool(_get(hp, 'adabound'))
        # Python floats: the kernel casts them to T.
        scalars = (float(1.0 - beta1), float(1.0 - beta2), float(eps), float(eta),
                   float(weight_decay_rate), _type_marker(dtype))
        return (_kernel(amsgrad, adabound), amsgrad, adabound, (alpha, beta1, beta2), scalars)

    def update_core_gpu(self, param) -> None:
        grad = param.grad
        if grad is None:
            return
        data = param.array
        kernel, amsgrad, adabound, rate, scalars = _util.constants(
            self, AdamRule._gpu_constants, (data.dtype, cuda.cupy.cuda.runtime.getDevice()))
        state = self._state
        alpha_t = float(self._alpha_t(rate))
        if adabound:
            lower, upper = self.bounds
            scalars = (*scalars, float(lower), float(upper))
        if amsgrad:
            kernel(grad, alpha_t, *scalars, data, state['m'], state['v'], state['vhat'])
        else:
            kernel(grad, alpha_t, *scalars, data, state['m'], state['v'])

    @property
    def alpha_t(self) -> float:
        """Bias-corrected learning rate of the current step."""
        return _learning_rate(self.hyperparam, self.t)

    def _alpha_t(self, rate: tuple) -> float:
        """:attr:`alpha_t` from the kept ``(alpha, beta1, beta2)``, unless a subclass
        redefines the property."""
        if type(self).alpha_t is _ALPHA_T:
            return _bias_corrected(*rate, self.t)
        return self.alpha_t

    @property
    def lr(self) -> float:
        """Deprecated alias of :attr:`alpha_t`."""
        warnings.warn(
            'AdamRule.lr has been renamed to AdamRule.alpha_t. '
            'Use of AdamRule.lr is deprecated in Chainer v6.', DeprecationWarning)
        return self.alpha_t

    @property
    def bounds(self) -> tuple:
        """Lower and upper bounds of the AdaBound step size at the current step."""
        if self.t == 0:
            raise RuntimeError(
                "Can't determine the bounds of AdaBound optimizer because the "
                'update steps have not been started.')
        hp = self.hyperparam
        final_lr = _get(hp, 'final_lr') * _get(hp, 'alpha') / widen_scalar(self.initial_alpha)
        gamma = _get(hp, 'gamma')
        lower = final_lr * (1.0 - 1.0 / (gamma * self.t + 1))
        upper = final_lr * (1.0 + 1.0 / (gamma * self.t))
        return lower, upper


_ALPHA_T = AdamRule.alpha_t


class Adam(_util.RuleOptimizer):
    """Adam optimizer (with the AMSGrad, AdaBound and AdamW options).

    Args:
        alpha: Coefficient of the learning rate.
        beta1: Exponential decay rate of the first-order moment.
        beta2: Exponential decay rate of the second-order moment.
        eps: Small value for numerical stability.
        eta: Schedule multiplier (for learning-rate warm-up etc.).
        weight_decay_rate: Decoupled weight decay rate (AdamW).
        amsgrad: Use AMSGrad.
        adabound: Use AdaBound.
        final_lr: Final (SGD) learning rate of AdaBound.
        gamma: Convergence speed of the AdaBound bounds.
    """

    rule_class = AdamRule

    def __init__(self, alpha: float = _default_hyperparam.alpha,
                 beta1: float = _default_hyperparam.beta1,
                 beta2: float = _default_hyperparam.beta2,
                 eps: float = _default_hyperparam.eps,
                 eta: float = _default_hyperparam.eta,
                 weight_decay_rate: float = _default_hyperparam.weight_decay_rate,
                 amsgrad: bool = _default_hyperparam.amsgrad,
                 adabound: bool = _default_hyperparam.adabound,
                 final_lr: float = _default_hyperparam.final_lr,
                 gamma: float = _default_hyperparam.gamma) -> None:
        # Every value is set, None included, unlike the update rule where None leaves
        # the parent's value.
        super().__init__(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, eta=eta,
                         weight_decay_rate=weight_decay_rate, amsgrad=amsgrad,
                         adabound=adabound, final_lr=final_lr, gamma=gamma)

    alpha = optimizer.HyperparameterProxy('alpha')
    beta1 = optimizer.HyperparameterProxy('beta1')
    beta2 = optimizer.HyperparameterProxy('beta2')
    eps = optimizer.HyperparameterProxy('eps')
    eta = optimizer.HyperparameterProxy('eta')
    weight_decay_rate = optimizer.HyperparameterProxy('weight_decay_rate')
    amsgrad = optimizer.HyperparameterProxy('amsgrad')
    adabound = optimizer.HyperparameterProxy('adabound')
    final_lr = optimizer.HyperparameterProxy('final_lr')
    gamma = optimizer.HyperparameterProxy('gamma')

    @property
    def alpha_t(self) -> float:
        """Bias-corrected learning rate at the optimizer's step ``t``."""
        return _learning_rate(self.hyperparam, self.t)

    @property
    def lr(self) -> float:
        """Deprecated alias of :attr:`alpha_t`."""
        warnings.warn(
            'Adam.lr has been renamed to AdamRule.alpha_t. '
            'Use of Adam.lr is deprecated in Chainer v6.', DeprecationWarning)
        return self.alpha_t


class AdamW(Adam):
    """Adam with decoupled weight decay (``weight_decay_rate``)."""

    def __init__(self, alpha: float = _default_hyperparam.alpha,
                 beta1: float = _default_hyperparam.beta1,
                 beta2: float = _default_hyperparam.beta2,
                 eps: float = _default_hyperparam.eps,
                 eta: float = _default_hyperparam.eta,
                 weight_decay_rate: float = _default_hyperparam.weight_decay_rate) -> None:
        super().__init__(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, eta=eta,
                         weight_decay_rate=weight_decay_rate)


class AMSGrad(Adam):
    """Adam with the AMSGrad correction (running maximum of the second moment)."""

    def __init__(self, alpha: float = _default_hyperparam.alpha,
                 beta1: float = _default_hyperparam.beta1,
                 beta2: float = _default_hyperparam.beta2,
                 eps: float = _default_hyperparam.eps,
                 eta: float = _default_hyperparam.eta) -> None:
        super().__init__(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, eta=eta,
                         amsgrad=True)


class AdaBound(Adam):
    """Adam with dynamic bounds on the step size (AdaBound)."""

    def __init__(self, alpha: float = _default_hyperparam.alpha,
                 beta1: float = _default_hyperparam.beta1,
                 beta2: float = _default_hyperparam.beta2,
                 final_lr: float = _default_hyperparam.final_lr,
                 gamma: float = _default_hyperparam.gamma,
                 eps: float = _default_hyperparam.eps,
                 eta: float = _default_hyperparam.eta) -> None:
        super().__init__(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, eta=eta,
                         amsgrad=False, adabound=True, final_lr=final_lr, gamma=gamma)


class AMSBound(Adam):
    """AdaBound combined with AMSGrad."""

    def __init__(self, alpha: float = _default_hyperparam.alpha,
                 beta1: float = _default_hyperparam.beta1,
                 beta2: float = _default_hyperparam.beta2,
                 final_lr: float = _default_hyperparam.final_lr,
                 gamma: float = _default_hyperparam.gamma,
                 eps: float = _default_hyperparam.eps,
                 eta: float = _default_hyperparam.eta) -> None:
        super().__init__(alpha=alpha, beta1=beta1, beta2=beta2, eps=eps, eta=eta,
                         amsgrad=True, adabound=True, final_lr=final_lr, gamma=gamma)
