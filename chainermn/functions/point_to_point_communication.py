"""Differentiable send and receive between two ranks.

The forward pass moves the arrays; the backward pass moves their gradients the
other way (``Recv.backward`` sends, ``Send.backward`` receives).  The gradients
themselves are plain arrays: these nodes cannot be differentiated twice.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy

import chainer
from chainer import backend
from chainer.utils import experimental

if TYPE_CHECKING:
    from chainer.types import DeviceSpec
    from chainermn.communicators.communicator_base import CommunicatorBase


def _delegate(xp: Any) -> Any:
    # An empty placeholder (shape (0,), as in Chainer): what ``send`` returns, to be
    # passed on or backpropagated.
    return xp.zeros((0,), dtype=numpy.float32)


def _dummy_input(xp: Any = numpy) -> chainer.Variable:
    return chainer.Variable(_delegate(xp), requires_grad=True)


@property
def _peer_label(self: Any) -> str:
    """The label of Send and Recv in graphs: ``'Send (peer_rank: 1)'``, as Chainer's."""
    return f'{type(self).__name__} (peer_rank: {self.peer_rank})'


class Send(chainer.FunctionNode):
    """Sends its inputs but the last to ``peer_rank``; its backward receives their gradients.

    The last input is a dummy that requires grad (as in Chainer): the backward pass
    then always receives, even when no sent variable requires grad, so the peer's
    gradients are not left for the next receive to take.
    """

    def __init__(self, comm: Any, peer_rank: int, peer_tag: int) -> None:
        experimental('chainermn.functions.Send')
        self.comm = comm
        self.peer_rank = peer_rank
        self.peer_tag = peer_tag

    label = _peer_label

    def forward(self, inputs: tuple) -> tuple:
        xp = backend.get_array_module(*inputs)
        xs = inputs[:-1]
        self._shapes = [(x.shape, x.dtype) for x in xs]
        self._device = backend.get_device_from_array(inputs[0])
        data = xs if len(xs) > 1 else xs[0]
        self.comm.send(data, self.peer_rank, self.peer_tag)
        return _delegate(xp),

    def backward(self, indexes: tuple, grad_outputs: tuple) -> tuple:
        grads = self.comm.recv(self.peer_rank, self.peer_tag)
        if not isinstance(grads, tuple):
            grads = (grads,)
        out = []
        for i in indexes:
            if i == len(self._shapes):  # the dummy input
                out.append(chainer.Variable(_delegate(self._device.xp)))
                continue
            g = self._device.send(grads[i])
            out.append(chainer.Variable(g.astype(self._shapes[i][1], copy=False)))
        return tuple(out)


class Recv(chainer.FunctionNode):
    """Receives arrays from ``peer_rank``; its backward sends their gradients back."""

    def __init__(self, comm: Any, peer_rank: int, peer_tag: int, device: Any = None) -> None:
        experimental('chainermn.functions.Recv')
        self.comm = comm
        self.peer_rank = peer_rank
        self.peer_tag = peer_tag
        self.device = device

    label = _peer_label

    def forward(self, inputs: tuple) -> tuple:
        self._input_meta = (backend.get_device_from_array(inputs[0]), inputs[0].shape,
                            inputs[0].dtype)
        data = self.comm.recv(self.peer_rank, self.peer_tag)
        if not isinstance(data, tuple):
            data = (data,)
        if self.device is not None:
            data = tuple(self.device.send(d) for d in data)
        self._outputs_meta = [(d.shape, d.dtype) for d in data]
        return tuple(data)

    def backward(self, indexes: tuple, grad_outputs: tuple) -> tuple:
        grads = []
        for (shape, dtype), gy in zip(self._outputs_meta, grad_outputs):
            if gy is None:
                grads.append(numpy.zeros(shape, dtype=dtype))
            else:
                grads.append(gy.array)
        self.comm.send(tuple(grads) if len(grads) > 1 else grads[0],
                       self.peer_rank, self.peer_tag)
        device, shape, dtype = self._input_meta
        return tuple(chainer.Variable(device.xp.zeros(shape, dtype=dtype)) for _ in indexes)


def send(x: Any, communicator: CommunicatorBase, rank: int, tag: int = 0) -> chainer.Variable:
    """Sends ``x`` (a variable or a tuple of them) to ``rank``; returns a delegate variable.

    Calling ``backward()`` on the delegate variable (or on a result it was
    passed into, see :func:`recv` and :func:`pseudo_connect`) receives the
    gradients of ``x`` from ``rank`` and continues the backward pass here.
    """
    experimental('chainermn.functions.send')
    if rank == communicator.rank:
        raise ValueError(f'rank {rank} cannot send to itself')
    xs = tuple(x) if isinstance(x, (list, tuple)) else (x,)
    dummy = _dummy_input(backend.get_array_module(*xs))
    delegate, = Send(communicator, rank, tag).apply(xs + (dummy,))
    delegate.name = 'delegate_variable'
    return delegate


def recv(communicator: CommunicatorBase, rank: int,
         delegate_variable: chainer.Variable | None = None, tag: int = 0, force_tuple: bool = False,
         *, device: DeviceSpec | None = None) -> Any:
    """Receives what :func:`send` on ``rank`` sent: a variable, or a tuple of variables.

    ``delegate_variable`` (what an earlier :func:`send` returned) ties the two
    into one graph, so one ``backward()`` runs both in the right order.
    ``device`` moves the received arrays there (default: as sent).
    """
    experimental('chainermn.functions.recv')
    if rank == communicator.rank:
        raise ValueError(f'rank {rank} cannot receive from itself')
    if device is not None:
        device = chainer.get_device(device)
    inputs = (_dummy_input(),) if delegate_variable is None else (delegate_variable,)
    ys = Recv(communicator, rank, tag, device).apply(inputs)
    if len(ys) == 1 and not force_tuple:
        return ys[0]
    return tuple(ys)
