"""Averaging the persistent arrays of a model over the ranks."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy

from chainer import backend
from chainer.training import extension

if TYPE_CHECKING:
    from chainer.training.trainer import Trainer
    from chainer.link import Link
    from chainermn.communicators.communicator_base import CommunicatorBase


def _named_persistent_arrays(model: Any) -> list:
    found = []
    for path, link in sorted(model.namedlinks()):
        for name in sorted(link._persistent):
            value = getattr(link, name)
            if isinstance(value, numpy.ndarray) or backend.get_array_module(value) is not numpy:
                found.append((f'{path}/{name}', link, name))
    return found


class AllreducePersistent(extension.Extension):
    """Replaces each persistent array of ``model`` (BatchNormalization's running mean
    and variance, ...) by its mean over the ranks of ``comm``; runs every epoch by default."""

    trigger = 1, 'epoch'
    priority = extension.PRIORITY_WRITER + 1

    def __init__(self, model: Link, comm: CommunicatorBase) -> None:
        self.model = model
        self.comm = comm

    def __call__(self, trainer: Trainer | None = None) -> None:
        for _, link, name in _named_persistent_arrays(self.model):
            value = getattr(link, name)
            if value.dtype.kind != 'f':
                continue
            total = self.comm.allreduce(value)
            value[...] = total / value.dtype.type(self.comm.size)
