"""Data-parallel optimizers: the gradients are averaged over the ranks before each update."""
from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, Callable

import numpy

import chainer
from chainer import backend
from chainer.utils.array import compute_dtype

if TYPE_CHECKING:
    from chainermn.communicators.communicator_base import CommunicatorBase


def _param_signature(target: chainer.Link) -> tuple:
    return tuple((name, None if p.array is None else tuple(p.shape))
                 for name, p in sorted(target.namedparams()))


class _MultiNodeOptimizer:
    """Delegates to ``actual_optimizer``; ``update`` averages the gradients first.

    The parameters are broadcast from rank 0 at ``setup`` and whenever the set
    of parameters changes (a lazily initialized link); an update that finds a
    change broadcasts instead of updating, because its gradients were computed
    from the old, per-rank parameters.
    """

    def __init__(self, actual_optimizer: chainer.Optimizer, communicator: Any,
                 zero_fill: bool = True) -> None:
        super().__setattr__('communicator', communicator)
        super().__setattr__('actual_optimizer', actual_optimizer)
        super().__setattr__('zero_fill', zero_fill)
        super().__setattr__('target_params', None)

    def setup(self, link: chainer.Link) -> '_MultiNodeOptimizer':
        self.actual_optimizer.setup(link)
        self._broadcast(link)
        return self

    def _broadcast(self, target: chainer.Link) -> None:
        self.communicator.bcast_data(target)
        self._remember_params()

    def _remember_params(self) -> None:
        # The parameters as they are now count as the same on every rank.
        super().__setattr__('target_params', _param_signature(self.actual_optimizer.target))

    def is_changed(self, target: chainer.Link) -> bool:
        """True when the parameters (names, shapes) differ from those last broadcast."""
        return self.target_params != _param_signature(target)

    def _compute_grads(self, lossfun: Callable, args: tuple, kwds: dict) -> None:
        target = self.actual_optimizer.target
        loss = lossfun(*args, **kwds)
        if getattr(self.actual_optimizer, '_use_cleargrads', True):
            target.cleargrads()
        else:
            target.zerograds()
        loss.backward(loss_scale=self.actual_optimizer._loss_scale)
        del loss

    def update(self, lossfun: Callable | None = None, *args: Any, **kwds: Any) -> None:
        """Computes the gradients (with ``lossfun``), averages them over the ranks, updates."""
        target = self.actual_optimizer.target
        if lossfun is not None:
            self._compute_grads(lossfun, args, kwds)
        if self.is_changed(target):
            self._broadcast(target)
            return
        self.communicator.multi_node_mean_grad(target, self.zero_fill)
        self.actual_optimizer.update(None)

    def serialize(self, serializer: Any) -> None:
        self.actual_optimizer.serialize(serializer)
        if isinstance(serializer, chainer.serializer.Deserializer):
            self._remember_params()

    def __getattr__(self, name: str) -> Any:
        actual = self.__dict__.get('actual_optimizer')
        if actual is None:
            raise AttributeError(name)
        return getattr(actual, name)

    def __setattr__(self, name: str, value: Any) -> None:
        setattr(self.actual_optimizer, name, value)


class _DoubleBufferingOptimizer(_MultiNodeOptimizer):
    """Overlaps the gradient mean with the next step: each update applies the mean of the
    previous step's gradients while this step's are being summed in a background thread
    (on a duplicate of the MPI communicator).  The first update only starts the sum."""

    def __init__(self, actual_optimizer: chainer.Optimizer, communicator: Any,
                 zero_fill: bool = True) -> None:
        super().__init__(actual_optimizer, communicator, zero_fill)
        mpi_comm = getattr(communicator, 'mpi_comm', None)
        if mpi_comm is None:
            raise ValueError('double buffering needs an MPI-based communicator')
        from chainermn._mpi import get_mpi
        MPI = get_mpi()
        if MPI.Query_thread() < MPI.THREAD_MULTIPLE:
            raise RuntimeError('double buffering sums in a background thread and needs an MPI '
                               'initialized with MPI_THREAD_MULTIPLE (mpi4py.rc.thread_level)')
        super().__setattr__('_mpi_comm', mpi_comm.Dup())
        super().__setattr__('_thread', None)
        super().__setattr__('_pending', None)

    def _start_sum(self, target: chainer.Link) -> None:
        from chainermn.communicators import _memory_utility
        from chainermn._mpi import get_mpi
        MPI = get_mpi()
        params = _memory_utility.extract_params_set_grad(target, self.zero_fill)
        names = [n for n, p in sorted(target.namedparams()) if any(p is q for q in params)]
        flats = [numpy.ascontiguousarray(backend.CpuDevice().send(p.grad)).astype(
            compute_dtype(p.grad.dtype)).reshape(-1) for p in params]
        size = self._mpi_comm.size

        def run() -> None:
            for flat in flats:
                self._mpi_comm.Allreduce(MPI.IN_PLACE, flat, op=MPI.SUM)
                flat *= flat.dtype.type(1.0 / size)

        thread = threading.Thread(target=run, name='chainermn-double-buffering', daemon=True)
        thread.start()
        super().__setattr__('_thread', thread)
        super().__setattr__('_pending', (names, flats))

    def wait(self) -> None:
        """Waits for the gradient sum in flight."""
        if self._thread is not None:
            self._thread.join()
            super().__setattr__('_thread', None)

    def update(self, lossfun: Callable | None = None, *args: Any, **kwds: Any) -> None:
        target = self.actual_optimizer.target
        if lossfun is not None:
            self._compute_grads(lossfun, args, kwds)
        if self.is_changed(target):
            self.wait()
            super().__setattr__('_pending', None)
            self._broadcast(target)
            return
        self.wait()
        previous = self._pending
        self._start_sum(target)
        if previous is None:
            return
        params = dict(target.namedparams())
        names, flats = previous
        for name, flat in zip(names, flats):
            p = params[name]
            p.grad = backend.get_device_from_array(p.array).send(
                flat.reshape(p.shape).astype(p.dtype))
        self.actual_optimizer.update(None)


def create_multi_node_optimizer(actual_optimizer: chainer.Optimizer, communicator: CommunicatorBase,
                                double_buffering: bool = False, zero_fill: bool = True) -> Any:
    """Wraps ``actual_optimizer`` for data-parallel training over ``communicator``.

    ``update`` replaces every gradient by its mean over the ranks (parameters
    without a gradient count as zeros with ``zero_fill``) before updating;
    ``setup`` broadcasts rank 0's parameters.  With ``double_buffering`` the
    mean runs in the background during the next step and updates use the
    previous step's averaged gradients.
    """
    if double_buffering:
        return _DoubleBufferingOptimizer(actual_optimizer, communicator, zero_fill)
    return _MultiNodeOptimizer(actual_optimizer, communicator, zero_fill)
