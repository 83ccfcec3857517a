"""DecorrelatedBatchNormalization: ZCA whitening of channel groups with running statistics."""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy

from chainer import backend
from chainer import configuration
from chainer import link
from chainer import serializer as serializer_mod
from chainer import variable
from chainer.functions.normalization import decorrelated_batch_normalization as dbn
from chainer.links.normalization.batch_normalization import running_decay
from chainer.serializers import _loading
from chainer.utils import argument

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer
    from chainer.types import DTypeSpec, VariableOrArray


def _warn_old_model() -> None:
    warnings.warn('Found moving statistics of old DecorrelatedBatchNormalization, whose '
                  'algorithm differed from the paper: one statistic is repeated for every '
                  'group.')


def _per_group(stat: Any, groups: int, name: str, ndim: int) -> Any:
    """``stat`` with a leading group axis (``ndim`` axes); an older per-channel-group
    statistic (one axis fewer) shared by all groups is repeated for each (warning,
    as Chainer did, when there is more than one group)."""
    if stat.ndim == ndim:
        return stat
    if stat.ndim == ndim - 1:
        if groups != 1:
            _warn_old_model()
        xp = backend.get_array_module(stat)
        return xp.broadcast_to(stat, (groups,) + stat.shape)
    raise ValueError(f'{name} must be {ndim - 1}- or {ndim}-dimensional, '
                     f'got shape {stat.shape}')


def fix_avg_mean(avg_mean: Any, groups: int) -> Any:
    """``avg_mean`` in the per-group layout ``(groups, C // groups)``; an older
    ``(C // groups,)`` mean is repeated for every group."""
    return _per_group(avg_mean, groups, 'avg_mean', 2)


def fix_avg_projection(avg_projection: Any, groups: int) -> Any:
    """``avg_projection`` in the per-group layout ``(groups, C // groups, C // groups)``;
    an older ``(C // groups, C // groups)`` matrix is repeated for every group."""
    return _per_group(avg_projection, groups, 'avg_projection', 3)


_FIXES = {'avg_mean': fix_avg_mean, 'avg_projection': fix_avg_projection}


class _RepairingDeserializer(serializer_mod.Deserializer):
    """Reads the running statistics through :func:`fix_avg_mean` /
    :func:`fix_avg_projection`; everything else goes to ``base`` unchanged."""

    def __init__(self, base: Any, groups: int) -> None:
        self._base = base
        self._groups = groups
        self.checking = serializer_mod.is_checking(base)

    def __getitem__(self, key: str) -> Any:
        return self._base[key]

    def describe_key(self, key: str) -> str:
        return serializer_mod.describe_key(self._base, key)

    def __call__(self, key: str, value: Any) -> Any:
        fix = _FIXES.get(key)
        if fix is None or value is None:
            return self._base(key, value)
        loaded = self._base(key, None)
        if loaded is None:  # not stored (non-strict loading)
            return value
        if self.checking:
            # The assigning pass warns, once per load as in Chainer.
            with _loading.checking_quietly():
                fixed = fix(loaded, self._groups)
        else:
            fixed = fix(loaded, self._groups)
        if fixed.shape != value.shape:
            raise ValueError(f'{self.describe_key(key)} has shape {loaded.shape}, '
                             f'expected {value.shape}')
        if not self.checking:
            value[...] = backend.get_device_from_array(value).send(fixed)
        return value


class DecorrelatedBatchNormalization(link.Link):
    """Decorrelated batch normalization layer (Huang et al., 2018).

    In training mode it whitens each of ``groups`` channel groups with the ZCA
    matrix of its batch covariance and updates the running mean and projection;
    in test mode it applies the running ones.

    Args:
        size (int): Number of channels.
        groups (int): Number of channel groups; must divide ``size``.
        decay (float): Decay rate of the running averages.
        eps (float): Added to the covariance diagonal.
        dtype: Dtype of the running statistics.

    Attributes:
        avg_mean: ``(groups, size // groups)`` running mean (persistent).
        avg_projection: ``(groups, size // groups, size // groups)`` running
            whitening matrices (persistent).
        N (int): Batches seen since :meth:`start_finetuning` (persistent).
    """

    def __init__(self, size: int, groups: int = 16, decay: float = 0.9, eps: float = 2e-5,
                 dtype: DTypeSpec = numpy.float32) -> None:
        super().__init__()
        # As in Chainer, a size that groups do not divide is refused by the
        # type check of the first call, not here.
        c = size // groups
        self.groups = groups
        self.decay = decay
        self.eps = eps
        self.avg_mean = numpy.zeros((groups, c), dtype)
        self.register_persistent('avg_mean')
        self.avg_projection = numpy.broadcast_to(
            numpy.eye(c, dtype=dtype), (groups, c, c)).copy()
        self.register_persistent('avg_projection')
        self.N = 0
        self.register_persistent('N')

    def forward(self, x: VariableOrArray, **kwargs: Any) -> variable.Variable:
        """Whitens ``x``; ``finetune=True`` averages the statistics plainly."""
        finetune, = argument.parse_kwargs(kwargs, ('finetune', False))
        if configuration.config.train:
            keep = configuration.config.in_recomputing  # a recomputed forward: no update
            return dbn.decorrelated_batch_normalization(
                x, groups=self.groups, eps=self.eps,
                running_mean=None if keep else self.avg_mean,
                running_projection=None if keep else self.avg_projection,
                decay=running_decay(self, finetune, x))
        return dbn.fixed_decorrelated_batch_normalization(
            x, variable.Variable(self.avg_mean, requires_grad=False),
            variable.Variable(self.avg_projection, requires_grad=False), self.groups)

    def serialize(self, serializer: AbstractSerializer) -> None:
        """Saves or loads the statistics; loading also accepts the older layout whose
        statistics were shared by all groups (see :func:`fix_avg_mean`)."""
        if serializer_mod.is_loading(serializer):
            serializer = _RepairingDeserializer(serializer, self.groups)
        super().serialize(serializer)

    def start_finetuning(self) -> None:
        """Resets the batch count used by ``finetune=True``."""
        self.N = 0
