"""The multivariate normal distribution, parameterised by a Cholesky factor."""
from __future__ import annotations

from typing import TYPE_CHECKING
import math

import numpy

from chainer import backend
from chainer import distribution
from chainer import function_node
import chainer.functions as F
from chainer.distributions import utils as _u
from chainer.utils import argument
from chainer.utils import type_check
from chainer.utils.array import as_compute

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable

ENTROPYC = 0.5 * math.log(2 * math.pi * math.e)
LOGPROBC = -0.5 * math.log(2 * math.pi)

# The inverse of a triangular matrix needs nothing beyond NumPy on the CPU.
available_cpu = True


def _triangle(xp, n: int, lower: bool, dtype):
    mask = xp.tri(n, dtype=dtype)
    return mask if lower else mask.T


class TriangularInv(function_node.FunctionNode):
    """The inverse of the lower (or upper) triangle of (a batch of) matrices, differentiable."""

    def __init__(self, lower: bool = True) -> None:
        self._lower = lower

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() == 1)
        x_type, = in_types
        type_check.expect(x_type.dtype.kind == 'f', x_type.ndim >= 2,
                          x_type.shape[-1] == x_type.shape[-2])

    def forward(self, inputs):
        self.retain_outputs((0,))
        x, = inputs
        xp = backend.get_array_module(x)
        if x.size == 0:
            return x.copy(),
        # Only the triangle of x is read (as Chainer's triangular solves do); its
        # inverse is triangular, and the mask removes rounding noise. LAPACK has
        # no float16: such matrices are inverted in float32.
        mask = _triangle(xp, x.shape[-1], self._lower, x.dtype)
        y = xp.linalg.inv(as_compute(x * mask)) * mask
        return y.astype(x.dtype, copy=False),

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        gy, = grad_outputs
        # d(inv X) = -inv(X) dX inv(X); only the triangle of X is a parameter.
        gx = -F.matmul(F.matmul(y, gy, transa=True), y, transb=True)
        mask = _triangle(y.xp, y.shape[-1], self._lower, y.dtype)
        return gx * mask,


def _triangular_inv(x, lower: bool = True):
    return TriangularInv(lower).apply((x,))[0]


def _diagonal(x):
    return F.diagonal(x, axis1=-2, axis2=-1)


class MultivariateNormal(distribution.Distribution):
    """Multivariate normal distributions ``N(loc, scale_tril scale_tril^T)``.

    ``loc`` has shape ``batch_shape + (d,)`` and ``scale_tril`` (keyword, a
    lower-triangular matrix with a positive diagonal: the Cholesky factor of
    the covariance) shape ``batch_shape + (d, d)``.  ``sample`` is
    reparameterised.
    """

    def __init__(self, loc: VariableOrArray, **kwargs: VariableOrArray) -> None:
        scale_tril, = argument.parse_kwargs(kwargs, ('scale_tril', None))
        if scale_tril is None:
            raise ValueError('MultivariateNormal: scale_tril must be given')
        loc, scale_tril = _u._as_params(
            'MultivariateNormal', {'loc': loc, 'scale_tril': scale_tril},
            broadcast_shapes=False)
        _u._check_min_ndim('MultivariateNormal', 'loc', loc, 1)
        _u._check_min_ndim('MultivariateNormal', 'scale_tril', scale_tril, 2)
        d = loc.shape[-1]
        if scale_tril.shape[-2:] != (d, d):
            raise ValueError(f'MultivariateNormal: scale_tril must end in ({d}, {d}) to match '
                             f'loc {loc.shape}, got {scale_tril.shape}')
        try:
            batch = numpy.broadcast_shapes(loc.shape[:-1], scale_tril.shape[:-2])
        except ValueError:
            raise ValueError(f'MultivariateNormal: the batch shapes of loc {loc.shape} and '
                             f'scale_tril {scale_tril.shape} do not broadcast') from None
        if loc.shape[:-1] != batch:
            loc = F.broadcast_to(loc, batch + (d,))
        if scale_tril.shape[:-2] != batch:
            scale_tril = F.broadcast_to(scale_tril, batch + (d, d))
        if _u._validating() and bool((_diagonal(scale_tril).array <= 0).any()):
            raise ValueError('MultivariateNormal: the diagonal of scale_tril must be positive')
        self.loc = loc
        self.scale_tril = scale_tril
        self.d = d

    @property
    def batch_shape(self) -> tuple:
        return self.loc.shape[:-1]

    @property
    def event_shape(self) -> tuple:
        return self.loc.shape[-1:]

    @property
    def params(self) -> dict:
        return {'loc': self.loc, 'scale_tril': self.scale_tril}

    @property
    def mean(self):
        return self.loc

    @property
    def mode(self):
        return self.loc

    @property
    def covariance(self):
        return F.matmul(self.scale_tril, self.scale_tril, transb=True)

    @property
    def variance(self):
        return F.sum(self.scale_tril ** 2, axis=-1)

    def _half_log_det(self):
        # |diag|: a factor with negative diagonal entries gives the same covariance.
        return F.sum(F.log(F.absolute(_diagonal(self.scale_tril))), axis=-1)

    @property
    def entropy(self):
        return self._half_log_det() + self.d * ENTROPYC

    @property
    def support(self) -> str:
        return 'real'

    def log_prob(self, x: VariableOrArray) -> Variable:
        x = _u._as_value(x, self.loc)
        diff = F.expand_dims(x - self.loc, -1)
        z = F.matmul(_triangular_inv(self.scale_tril), diff)
        return (self.d * LOGPROBC - self._half_log_det()
                - 0.5 * F.sum(z * z, axis=(-2, -1)))

    def sample_n(self, n: int) -> Variable:
        eps = _u._standard_normal(self.loc, (n,) + self.loc.shape + (1,))
        return self.loc + F.matmul(self.scale_tril, eps)[..., 0]


@distribution.register_kl(MultivariateNormal, MultivariateNormal)
def _kl_multivariate_normal(dist1: MultivariateNormal, dist2: MultivariateNormal):
    inv2 = _triangular_inv(dist2.scale_tril)
    m = F.matmul(inv2, dist1.scale_tril)
    diff = F.expand_dims(dist2.loc - dist1.loc, -1)
    z = F.matmul(inv2, diff)
    return (dist2._half_log_det() - dist1._half_log_det()
            + 0.5 * (F.sum(m * m, axis=(-2, -1)) + F.sum(z * z, axis=(-2, -1)) - dist1.d))
