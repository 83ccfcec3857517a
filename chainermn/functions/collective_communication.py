"""Differentiable collectives: each backward runs the collective that carries the
gradients back (broadcast <-> sum at the root, gather <-> scatter, allgather ->
alltoall and sum, alltoall <-> alltoall).  Every rank must run forward and
backward together.  The gradients are plain arrays: no second derivative.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy

import chainer
import chainer.functions
from chainer import backend
from chainer.utils import experimental

if TYPE_CHECKING:
    from chainermn.communicators.communicator_base import CommunicatorBase


def _dummy() -> chainer.Variable:
    return chainer.Variable(numpy.zeros((), dtype=numpy.float32), requires_grad=True)


def _zeros_like_meta(meta: tuple) -> Any:
    device, shape, dtype = meta
    return device.xp.zeros(shape, dtype=dtype)


def _meta(x: Any) -> tuple:
    return backend.get_device_from_array(x), x.shape, x.dtype


def _as_input_grad(meta: tuple, g: Any) -> chainer.Variable:
    """The gradient array ``g`` on the device and in the dtype of the input of ``meta``."""
    device, _, dtype = meta
    return chainer.Variable(device.send(g).astype(dtype, copy=False))


def _fill(grad_outputs: tuple, metas: list) -> list:
    return [_zeros_like_meta(m) if g is None else g.array for g, m in zip(grad_outputs, metas)]


def _sum_on(device: Any, arrays: Any) -> Any:
    """The sum of ``arrays`` on ``device``, an array even when they are 0-d."""
    arrays = iter(arrays)
    total = device.send(next(arrays)).copy()
    for a in arrays:
        total += device.send(a)
    return total


def _gather_grad(comm: Any, root: int, grad_outputs: tuple, out_meta: tuple) -> Any:
    """Every rank's gradient of the single output, as a tuple at ``root`` (None elsewhere)."""
    gy, = _fill(grad_outputs, [out_meta])
    return comm.gather(gy, root=root)


class Bcast(chainer.FunctionNode):
    """The root's array on every rank; gradients are summed back at the root."""

    def __init__(self, comm: Any, root: int) -> None:
        experimental('chainermn.functions.Bcast')
        self.comm = comm
        self.root = root

    def forward(self, inputs: tuple) -> tuple:
        self._in_meta = _meta(inputs[0])
        x = inputs[0] if self.comm.rank == self.root else None
        y = self.comm.bcast(x, root=self.root)
        self._out_meta = _meta(y)
        return y,

    def backward(self, indexes: tuple, grad_outputs: tuple) -> tuple:
        gxs = _gather_grad(self.comm, self.root, grad_outputs, self._out_meta)
        if gxs is not None:
            device = self._in_meta[0]
            total = _sum_on(device, gxs)
            return chainer.Variable(total.astype(self._in_meta[2], copy=False)),
        return chainer.Variable(_zeros_like_meta(self._in_meta)),


class Gather(chainer.FunctionNode):
    """Every rank's array, as a tuple at the root (others get a delegate variable)."""

    def __init__(self, comm: Any, root: int) -> None:
        experimental('chainermn.functions.Gather')
        self.comm = comm
        self.root = root

    def forward(self, inputs: tuple) -> tuple:
        x, = inputs
        self._in_meta = _meta(x)
        ys = self.comm.gather(x, root=self.root)
        if self.comm.rank == self.root:
            ys = tuple(self._in_meta[0].send(y) for y in ys)
            self._out_metas = [_meta(y) for y in ys]
            return ys
        delegate = self._in_meta[0].xp.zeros((0,), dtype=x.dtype)
        self._out_metas = [_meta(delegate)]
        return delegate,

    def backward(self, indexes: tuple, grad_outputs: tuple) -> tuple:
        if self.comm.rank == self.root:
            gys = _fill(grad_outputs, self._out_metas)
            gx = self.comm.scatter(gys, root=self.root)
        else:
            gx = self.comm.scatter(None, root=self.root)
        return _as_input_grad(self._in_meta, gx),


class AllGather(chainer.FunctionNode):
    """Every rank's array on every rank; the gradient of each rank's input is the sum of
    the gradients of its copies."""

    def __init__(self, comm: Any) -> None:
        experimental('chainermn.functions.AllGather')
        self.comm = comm

    def forward(self, inputs: tuple) -> tuple:
        x, = inputs
        self._in_meta = _meta(x)
        ys = tuple(self._in_meta[0].send(y) for y in self.comm.allgather(x))
        self._out_metas = [_meta(y) for y in ys]
        return ys

    def backward(self, indexes: tuple, grad_outputs: tuple) -> tuple:
        gys = _fill(grad_outputs, self._out_metas)
        parts = self.comm.alltoall(gys)
        device = self._in_meta[0]
        gx = _sum_on(device, parts)
        return chainer.Variable(gx.astype(self._in_meta[2], copy=False)),


class AllToAll(chainer.FunctionNode):
    """Input ``i`` goes to rank ``i``; the gradients go back the same way."""

    def __init__(self, comm: Any) -> None:
        experimental('chainermn.functions.AllToAll')
        self.comm = comm

    def forward(self, inputs: tuple) -> tuple:
        if len(inputs) != self.comm.size:
            raise ValueError(f'alltoall needs {self.comm.size} inputs (one per rank), '
                             f'got {len(inputs)}')
        self._in_metas = [_meta(x) for x in inputs]
        device = self._in_metas[0][0]
        ys = tuple(device.send(y) for y in self.comm.alltoall(inputs))
        self._out_metas = [_meta(y) for y in ys]
        return ys

    def backward(self, indexes: tuple, grad_outputs: tuple) -> tuple:
        gys = _fill(grad_outputs, self._out_metas)
        gxs = self.comm.alltoall(gys)
        return tuple(_as_input_grad(self._in_metas[i], gxs[i]) for i in indexes)


class Scatter(chainer.FunctionNode):
    """Rank ``i`` gets the root's input ``i``; gradients are gathered back at the root."""

    def __init__(self, comm: Any, root: int) -> None:
        experimental('chainermn.functions.Scatter')
        self.comm = comm
        self.root = root

    def forward(self, inputs: tuple) -> tuple:
        self._in_metas = [_meta(x) for x in inputs]
        device = self._in_metas[0][0]
        if self.comm.rank == self.root:
            if len(inputs) != self.comm.size:
                raise ValueError(f'scatter needs {self.comm.size} inputs at the root, '
                                 f'got {len(inputs)}')
            y = self.comm.scatter(inputs, root=self.root)
        else:
            y = self.comm.scatter(None, root=self.root)
        y = device.send(y)
        self._out_meta = _meta(y)
        return y,

    def backward(self, indexes: tuple, grad_outputs: tuple) -> tuple:
        gxs = _gather_grad(self.comm, self.root, grad_outputs, self._out_meta)
        if gxs is not None:
            return tuple(_as_input_grad(self._in_metas[i], gxs[i]) for i in indexes)
        return tuple(chainer.Variable(_zeros_like_meta(self._in_metas[i])) for i in indexes)


def bcast(comm: CommunicatorBase, x: Any = None, root: int = 0) -> chainer.Variable:
    """The root's ``x`` on every rank (others may pass None); gradients sum at the root."""
    experimental('chainermn.functions.bcast')
    if comm.rank == root:
        if x is None:
            raise ValueError('bcast needs x at the root')
        inputs = (x,)
    else:
        inputs = (_dummy(),)
    y, = Bcast(comm, root).apply(inputs)
    return y


def gather(comm: CommunicatorBase, x: Any, root: int = 0) -> Any:
    """A tuple of every rank's ``x`` at the root; a delegate variable elsewhere."""
    experimental('chainermn.functions.gather')
    ys = Gather(comm, root).apply((x,))
    return tuple(ys) if comm.rank == root else ys[0]


def allgather(comm: CommunicatorBase, x: Any) -> tuple:
    """A tuple of every rank's ``x``, on every rank."""
    experimental('chainermn.functions.all_gather')
    return tuple(AllGather(comm).apply((x,)))


def alltoall(comm: CommunicatorBase, xs: Any) -> tuple:
    """Sends ``xs[i]`` to rank ``i``; returns the tuple of what each rank sent here."""
    experimental('chainermn.functions.all_to_all')
    if len(xs) != comm.size:
        raise ValueError(f'alltoall needs {comm.size} inputs (one per rank), got {len(xs)}')
    return tuple(AllToAll(comm).apply(tuple(xs)))


def scatter(comm: CommunicatorBase, xs: Any = None, root: int = 0) -> chainer.Variable:
    """Rank ``i`` gets ``xs[i]`` of the root (others may pass None)."""
    experimental('chainermn.functions.scatter')
    if comm.rank == root:
        if xs is None:
            raise ValueError('scatter needs xs at the root')
        if isinstance(xs, chainer.Variable) or hasattr(xs, 'shape'):
            xs = chainer.functions.separate(xs, axis=0)
        inputs = tuple(xs)
    else:
        inputs = (_dummy(),)
    y, = Scatter(comm, root).apply(inputs)
    return y
