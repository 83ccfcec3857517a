"""Turning every BatchNormalization of a model into MultiNodeBatchNormalization."""
from __future__ import annotations

import copy
from typing import TYPE_CHECKING, Any

import chainer
import chainermn
from chainermn.links.batch_normalization import MultiNodeBatchNormalization

if TYPE_CHECKING:
    from chainermn.communicators.communicator_base import CommunicatorBase

__all__ = ['chainermn', 'create_mnbn_model']


def _is_batch_normalization(link: Any) -> bool:
    cls = getattr(chainer.links, 'BatchNormalization', None)
    if cls is not None and isinstance(link, cls):
        return True
    return type(link).__name__ == 'BatchNormalization'


def _convert(link: Any, comm: Any, communication_backend: str) -> Any:
    if _is_batch_normalization(link):
        size = link.avg_mean.shape[0]
        gamma = getattr(link, 'gamma', None)
        beta = getattr(link, 'beta', None)
        mnbn = MultiNodeBatchNormalization(
            size, comm, decay=link.decay, eps=link.eps, dtype=link.avg_mean.dtype,
            use_gamma=gamma is not None, use_beta=beta is not None,
            communication_backend=communication_backend)
        mnbn.to_device(link.device)
        for name in ('gamma', 'beta'):
            src = getattr(link, name, None)
            if src is not None and src.array is not None:
                getattr(mnbn, name).array[...] = src.array
        for name in ('avg_mean', 'avg_var', 'N'):
            if hasattr(link, name):
                value = getattr(link, name)
                setattr(mnbn, name, value.copy() if hasattr(value, 'copy') else value)
        return mnbn
    if isinstance(link, chainer.Chain):
        for name in list(link._children):
            child = getattr(link, name)
            new = _convert(child, comm, communication_backend)
            if new is not child:
                delattr(link, name)
                with link.init_scope():
                    setattr(link, name, new)
    elif isinstance(link, chainer.Sequential):
        # A Sequential is a ChainList whose forward runs its layers: swap the
        # link in both lists, keeping its child position and name.
        for i, layer in enumerate(list(link._layers)):
            if isinstance(layer, chainer.Link):
                new = _convert(layer, comm, communication_backend)
                if new is not layer:
                    pos = next(j for j, c in enumerate(link._children) if c is layer)
                    new.name = layer.name
                    link._children[pos] = new
                    link._layers[i] = new
    elif isinstance(link, chainer.ChainList):
        for i, child in enumerate(list(link._children)):
            new = _convert(child, comm, communication_backend)
            if new is not child:
                new.name = str(i)
                link._children[i] = new
    return link


def create_mnbn_model(link: chainer.Link, comm: CommunicatorBase,
                      communication_backend: str = 'auto') -> chainer.Link:
    """A deep copy of ``link`` with each BatchNormalization replaced by a
    MultiNodeBatchNormalization over ``comm`` (parameters and statistics copied)."""
    return _convert(copy.deepcopy(link), comm, communication_backend)
