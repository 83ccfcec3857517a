"""The Bernoulli distribution."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import backend
from chainer import distribution
from chainer import function_node
import chainer.functions as F
from chainer.distributions import utils as _u
from chainer import utils
from chainer.utils import array as array_utils

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


def _x_minus_sigmoid(x: chainer.Variable, logit: chainer.Variable) -> chainer.Variable:
    """``x - sigmoid(logit)`` as ``x sigmoid(-logit) - (1 - x) sigmoid(logit)``,
    differentiable, with both sigmoids as ``exp(-|logit|)`` ratios.

    For ``x`` of 0 or 1 nothing cancels, so small results keep their relative
    precision (``x - F.sigmoid(logit)`` rounds them to multiples of the
    dtype's eps; Chainer's ``1 / (1 + exp(-logit))`` kept those for ``x = 0``).
    """
    negative = logit.array < 0
    e = F.exp(F.where(negative, logit, -logit))
    one = logit.xp.ones_like(logit.array)
    return (x * F.where(negative, one, e) - (1 - x) * F.where(negative, e, one)) / (e + 1)


class BernoulliLogProb(function_node.FunctionNode):
    """``log p(x)`` of a Bernoulli distribution from its logit, ``x * logit - softplus(logit)``.

    With ``binary_check``, values other than 0 and 1 get ``-inf``; without
    it any ``x`` is accepted (the continuous relaxation used for images).
    Infinite logits give ``log(x)`` / ``log(1 - x)``; their gradient is NaN.
    """

    def __init__(self, binary_check: bool = False) -> None:
        self.binary_check = binary_check

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        logit, x = inputs
        xp = backend.get_array_module(logit, x)
        with numpy.errstate(divide='ignore', invalid='ignore', over='ignore'):
            finite = xp.isfinite(logit)
            safe = xp.where(finite, logit, logit.dtype.type(0))
            # x * logit - softplus(logit), with max(logit, 0) taken out of the product
            # first: no cancellation for x = 1 (or 0) and a large positive (negative) logit.
            y = xp.where(safe > 0, (x - 1) * safe, x * safe) - array_utils.log1p_exp_neg_abs(safe)
            self._nan_grad = ~finite
            if not bool(finite.all()):
                y = xp.where(logit == numpy.inf, xp.log(x), y)
                y = xp.where(logit == -numpy.inf, xp.log1p(-x), y)
                y = xp.where(xp.isnan(logit), logit, y)
        if self.binary_check:
            invalid = (x != 0) & (x != 1)
            y = xp.where(invalid, logit.dtype.type(-numpy.inf), y)
            self._nan_grad = self._nan_grad | invalid
        return utils.force_array(y, logit.dtype),

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        logit, x = self.get_retained_inputs()
        dlogit = _x_minus_sigmoid(x, logit)
        if bool(self._nan_grad.any()):
            # selected, not added: as in Chainer, nothing flows from the NaN entries
            # into x or the logit when this gradient is differentiated again
            xp = backend.get_array_module(gy.array)
            dlogit = F.where(self._nan_grad, xp.full_like(dlogit.array, numpy.nan), dlogit)
        glogit = gy * dlogit
        if glogit.shape != logit.shape:  # applied directly to a logit that broadcasts
            glogit = F.sum_to(glogit, logit.shape)
        return glogit, None


class Bernoulli(distribution.Distribution):
    """Bernoulli distributions on {0, 1}, elementwise over the batch.

    Give either the probabilities ``p`` of 1 or their ``logit``
    (``log(p / (1 - p))``).  ``log_prob`` accepts any real ``x`` unless
    ``binary_check`` is true, in which case values other than 0 and 1 have
    probability 0.
    """

    def __init__(self, p: VariableOrArray | None = None, logit: VariableOrArray | None = None,
                 binary_check: bool = False) -> None:
        if (p is None) == (logit is None):
            raise ValueError('Bernoulli: give either p or logit (exactly one)')
        self.binary_check = binary_check
        if p is not None:
            self._p, = _u._as_params('Bernoulli', {'p': p})
            _u._check_probability('Bernoulli', 'p', self._p)
            self._logit = None
        else:
            self._logit, = _u._as_params('Bernoulli', {'logit': logit})
            self._p = None

    @property
    def p(self) -> chainer.Variable:
        """The probabilities of 1."""
        if self._p is None:
            return F.sigmoid(self._logit)
        return self._p

    @property
    def logit(self) -> chainer.Variable:
        """The log-odds ``log(p / (1 - p))``."""
        if self._logit is None:
            return F.log(self._p) - F.log1p(-self._p)
        return self._logit

    @property
    def batch_shape(self) -> tuple:
        return (self._p if self._logit is None else self._logit).shape

    @property
    def event_shape(self) -> tuple:
        return ()

    @property
    def params(self) -> dict:
        return {'logit': self.logit}

    @property
    def mean(self):
        return self.p

    @property
    def variance(self):
        p = self.p
        return p * (1.0 - p)

    @property
    def entropy(self):
        p = self.p
        return -(_u._modified_xlogx(p) + _u._modified_xlogx(1.0 - p))

    @property
    def support(self) -> str:
        return '{0, 1}'

    def log_prob(self, x: VariableOrArray) -> Variable:
        logit = self.logit
        x = chainer.as_variable(x)
        if x.dtype != logit.dtype:
            x = F.cast(x, logit.dtype)
        if x.shape != logit.shape:
            logit, x = F.broadcast(logit, x)
        return BernoulliLogProb(self.binary_check).apply((logit, x))[0]

    def prob(self, x: VariableOrArray) -> Variable:
        p = self.p
        x = _u._as_value(x, p)
        binary = utils.force_array((x.array == 0) | (x.array == 1))
        if self.binary_check or bool(binary.all()):
            # p or 1 - p as Chainer's x p + (1 - x)(1 - p): finite gradients at p = 0 and 1
            # (exp(log_prob) goes through an infinite logit there); 0 for other x.
            x01 = _u._fill_outside(x, binary, 0.0)
            return _u._where_in_support(binary, x01 * p + (1.0 - x01) * (1.0 - p), 0.0)
        return super().prob(x)

    def sample_n(self, n: int) -> Variable:
        p = self.p
        return chainer.Variable(_u._draw(p, 'binomial', 1, p.array, size=(n,) + p.shape))


@distribution.register_kl(Bernoulli, Bernoulli)
def _kl_bernoulli_bernoulli(dist1: Bernoulli, dist2: Bernoulli):
    logit1, logit2 = dist1.logit, dist2.logit
    if logit1.shape != logit2.shape:
        logit1, logit2 = F.broadcast(logit1, logit2)
    l1, l2 = logit1.array, logit2.array
    xp = logit1.xp
    finite1, finite2 = xp.isfinite(l1), xp.isfinite(l2)
    if bool(finite1.all()) and bool(finite2.all()):
        return F.softplus(logit2) - F.softplus(logit1) + dist1.p * (logit1 - logit2)
    # p of 0 or 1 (an infinite logit): 0 log 0 = 0 instead of NaN, as for Categorical.
    zero = xp.zeros_like(l1)
    safe1 = F.where(finite1, logit1, zero)
    safe2 = F.where(finite2, logit2, zero)
    kl = F.softplus(safe2) - F.softplus(safe1) + dist1.p * (safe1 - safe2)
    kl = F.where(finite1, kl, F.softplus(F.where(l1 > 0, -safe2, safe2)))  # -log p2 or -log(1 - p2)
    kl = _u._where_in_support(finite2 | (l1 == l2), kl, numpy.inf)  # p2 of 0 or 1 and p1 other
    return _u._where_in_support(~(~finite2 & (l1 == l2)), kl, 0.0)
