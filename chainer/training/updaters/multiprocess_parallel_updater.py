"""The multi-process, multi-GPU updater: not implemented (it raises a clear error)."""
from __future__ import annotations

from typing import Any, Callable

import numpy

from chainer.dataset import convert
from chainer.training.updaters import standard_updater

_MESSAGE = (
    'MultiprocessParallelUpdater is not available in rechainer. For data-parallel '
    'training over several processes or machines use ChainerMN '
    '(chainermn.create_multi_node_optimizer); for several devices in one process, '
    'ParallelUpdater.')


class MultiprocessParallelUpdater(standard_updater.StandardUpdater):
    """Multi-process data-parallel updater; constructing it raises NotImplementedError."""

    def __init__(self, iterators: Any, optimizer: Any,
                 converter: Callable = convert.concat_examples, devices: Any = None,
                 auto_new_epoch: bool = True) -> None:
        raise NotImplementedError(_MESSAGE)

    @staticmethod
    def available() -> bool:
        """Whether the updater can be used here (never, for now)."""
        return False


# Helpers packing the parameters of a link into one flat float32 array (the
# buffer exchanged between workers) and unpacking it; parameters of size 0 take
# no room. As in Chainer, gathering is for links on a GPU only.

def size_num_grads(link: Any) -> tuple[int, int]:
    """``(total size, count)`` of the non-empty parameters of ``link``."""
    size = 0
    num = 0
    for param in link.params():
        if param.size == 0:
            continue
        size += param.size
        num += 1
    return size, num


def _gather(link: Any, attr: str, name: str) -> Any:
    xp = link.xp
    if xp is numpy:
        raise RuntimeError(f'{name} works only on GPU: the link is on the CPU')
    parts = []
    for param in link.params():
        if param.size == 0:
            continue
        array = getattr(param, attr)
        if array is None:
            parts.append(xp.zeros(param.size, dtype=numpy.float32))
        else:
            parts.append(array.ravel().astype(numpy.float32, copy=False))
    if not parts:
        return xp.zeros(0, dtype=numpy.float32)
    return xp.concatenate(parts)


def _scatter(link: Any, array: Any, attr: str) -> None:
    size, _ = size_num_grads(link)
    if array.size != size:
        raise ValueError(
            f'the array has {array.size} elements but the parameters of the link '
            f'hold {size}')
    offset = 0
    for param in link.params():
        if param.size == 0:
            continue
        chunk = array[offset:offset + param.size].reshape(param.shape)
        offset += param.size
        target = getattr(param, attr)
        if target is None:
            xp = link.xp
            dtype = param.dtype if param.dtype is not None else chunk.dtype
            setattr(param, attr, xp.asarray(chunk, dtype=dtype).copy())
        else:
            target[...] = chunk.astype(target.dtype, copy=False)


def gather_grads(link: Any) -> Any:
    """The gradients of ``link``'s parameters in one float32 vector (zeros for None).

    RuntimeError for a link on the CPU, as in Chainer."""
    return _gather(link, 'grad', 'gather_grads')


def gather_params(link: Any) -> Any:
    """The parameter values of ``link`` in one float32 vector (RuntimeError for a
    link on the CPU, as in Chainer)."""
    return _gather(link, 'data', 'gather_params')


def scatter_grads(link: Any, array: Any) -> None:
    """Writes the vector ``array`` (as made by :func:`gather_grads`) back into the gradients."""
    _scatter(link, array, 'grad')


def scatter_params(link: Any, array: Any) -> None:
    """Writes the vector ``array`` (as made by :func:`gather_params`) back into the parameters."""
    _scatter(link, array, 'data')
