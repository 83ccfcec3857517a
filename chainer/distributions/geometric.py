"""The geometric distribution."""
from __future__ import annotations

from typing import TYPE_CHECKING

import chainer
from chainer import distribution
import chainer.functions as F
from chainer.distributions import utils as _u

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Geometric(_u._ScalarEvent):
    """Geometric distributions: the number of trials up to the first success.

    ``p`` is the success probability of a trial, in (0, 1]; the support is
    1, 2, ...  Samples carry no gradient.
    """

    _param_names = ('p',)

    def __init__(self, p: VariableOrArray) -> None:
        self._set_params(p=p)
        _u._check_probability('Geometric', 'p', self.p)
        _u._check_positive('Geometric', 'p', self.p)

    @property
    def mean(self):
        return 1.0 / self.p

    @property
    def mode(self):
        return chainer.Variable(self.p.xp.ones_like(self.p.array))

    @property
    def variance(self):
        return (1.0 - self.p) / self.p ** 2

    @property
    def entropy(self):
        p = self.p
        return -(_u._modified_xlogx(1.0 - p) + _u._modified_xlogx(p)) / p

    @property
    def support(self) -> str:
        return 'positive integer'

    def log_prob(self, x: VariableOrArray) -> Variable:
        p = self.p
        x = _u._as_value(x, p)
        return _u._log_prob_in_support(
            x, x.array >= 1, 1.0, lambda x: (x - 1.0) * F.log1p(-p) + F.log(p))

    def sample_n(self, n: int) -> Variable:
        p = self.p
        with _u._sampling_device(p):
            eps = p.xp.random.geometric(p.array, size=(n,) + p.shape)
        return chainer.Variable(eps.astype(p.dtype, copy=False))


@distribution.register_kl(Geometric, Geometric)
def _kl_geometric_geometric(dist1: Geometric, dist2: Geometric):
    p1, p2 = dist1.p, dist2.p
    q1 = 1.0 - p1
    # q1 log q1 with log q1 as log1p(-p1), the form of the cross term: the two cancel
    # exactly where p1 == p2 (1 - p rounds to 1 for small p), and 0 log 0 = 0 at p1 = 1.
    below_one = chainer.utils.force_array(q1.array > 0)
    log_q1 = F.log1p(-F.where(below_one, p1, p1.xp.zeros_like(p1.array)))
    q1_log_q1 = _u.ModifiedXLogX(log_q1).apply((q1,))[0]
    return (q1_log_q1 - q1 * F.log1p(-p2)) / p1 + F.log(p1) - F.log(p2)
