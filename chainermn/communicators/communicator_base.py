"""The interface every ChainerMN communicator implements."""
from __future__ import annotations

import abc
import contextlib
import warnings
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from chainer.link import Link


class CommunicatorBase(metaclass=abc.ABCMeta):
    """Ranks, array and object collectives, and the model-level helpers of a communicator.

    Array methods take and return NumPy or CuPy arrays; ``*_obj`` methods move
    picklable objects.  Every rank of the communicator must call a collective.
    """

    def __init__(self) -> None:
        self._configs: dict = {}

    # ---- ranks ----
    @property
    @abc.abstractmethod
    def rank(self) -> int:
        """Rank of this process in the communicator."""

    @property
    @abc.abstractmethod
    def size(self) -> int:
        """Number of processes."""

    @property
    @abc.abstractmethod
    def intra_rank(self) -> int:
        """Rank among the processes of this node."""

    @property
    @abc.abstractmethod
    def intra_size(self) -> int:
        """Number of processes on this node."""

    @property
    @abc.abstractmethod
    def inter_rank(self) -> int:
        """Index of this node."""

    @property
    @abc.abstractmethod
    def inter_size(self) -> int:
        """Number of nodes."""

    # ---- configuration ----
    def set_config(self, name: str, value: Any = True, **kwargs: Any) -> None:
        """Sets an option of the communicator (``batched_copy``, ``allreduce_grad_dtype``);
        a name the communicator does not have raises ``ValueError``."""
        if name == 'allreduce_grad_dtype':
            raise ValueError(
                f"allreduce_grad_dtype is only available with the 'pure_nccl' communicator, "
                f'not {type(self).__name__}')
        raise ValueError(f'Unknown config: {name}')

    def get_config(self, name: str | None = None) -> Any:
        """The value of option ``name`` (``KeyError`` for an unknown one); all options as a
        dict without a name."""
        if name is None:
            return dict(self._configs)
        return self._configs[name]

    @property
    def within_config_scope(self) -> bool:
        """Whether attributes set now are recorded as options (see :meth:`config_scope`)."""
        return self.__dict__.get('_within_config_scope', False)

    @contextlib.contextmanager
    def config_scope(self) -> Any:
        """A scope in which every attribute set on the communicator is also an option."""
        old = self.within_config_scope
        self.__dict__['_within_config_scope'] = True
        try:
            yield
        finally:
            self.__dict__['_within_config_scope'] = old

    def __setattr__(self, name: str, value: Any) -> None:
        if self.within_config_scope:
            self._configs[name] = value
        super().__setattr__(name, value)

    # ---- communicator management ----
    @abc.abstractmethod
    def split(self, color: int, key: int) -> 'CommunicatorBase':
        """A communicator per ``color``, ranked by ``key`` (MPI_Comm_split)."""

    @abc.abstractmethod
    def finalize(self) -> None:
        """Releases what the communicator holds (MPI itself stays initialized)."""

    # ---- array collectives ----
    @abc.abstractmethod
    def send(self, data: Any, dest: int, tag: int) -> None:
        """Sends an array or a tuple of arrays to ``dest``."""

    @abc.abstractmethod
    def recv(self, source: int, tag: int) -> Any:
        """Receives what :meth:`send` sent: an array or a tuple of arrays."""

    @abc.abstractmethod
    def bcast(self, x: Any, root: int = 0) -> Any:
        """Broadcasts ``x`` (used at ``root`` only) and returns it on every rank."""

    @abc.abstractmethod
    def gather(self, x: Any, root: int = 0) -> Any:
        """A tuple of every rank's array at ``root`` (None elsewhere)."""

    @abc.abstractmethod
    def allgather(self, x: Any) -> tuple:
        """A tuple of every rank's array, on every rank."""

    @abc.abstractmethod
    def alltoall(self, xs: Any) -> tuple:
        """Sends ``xs[i]`` to rank ``i``; returns what each rank sent here."""

    @abc.abstractmethod
    def allreduce(self, x: Any) -> Any:
        """The elementwise sum of every rank's array."""

    @abc.abstractmethod
    def scatter(self, xs: Any, root: int = 0) -> Any:
        """Rank ``i`` gets ``xs[i]`` of the root."""

    # ---- object collectives ----
    @abc.abstractmethod
    def send_obj(self, obj: Any, dest: int, tag: int = 0) -> None:
        """Sends a picklable object."""

    @abc.abstractmethod
    def recv_obj(self, source: int, status: Any = None, tag: Any = None) -> Any:
        """Receives a picklable object."""

    @abc.abstractmethod
    def bcast_obj(self, obj: Any, max_buf_len: int | None = None, root: int = 0) -> Any:
        """Broadcasts a picklable object."""

    @abc.abstractmethod
    def gather_obj(self, obj: Any, root: int = 0) -> Any:
        """A list of every rank's object at ``root`` (None elsewhere)."""

    @abc.abstractmethod
    def allreduce_obj(self, obj: Any) -> Any:
        """The sum (``+``) of every rank's object."""

    @abc.abstractmethod
    def scatter_obj(self, obj: Any, root: int = 0) -> Any:
        """Rank ``i`` gets ``obj[i]`` of the root."""

    # ---- model helpers ----
    @abc.abstractmethod
    def bcast_data(self, model: Link) -> None:
        """Copies the parameters of ``model`` on rank 0 to every rank."""

    def broadcast_data(self, model: Link) -> None:
        """Old name of :meth:`bcast_data`."""
        self.bcast_data(model)

    @abc.abstractmethod
    def multi_node_mean_grad(self, model: Link, zero_fill: bool = False) -> None:
        """Replaces every gradient of ``model`` by its mean over the ranks."""

    def allreduce_grad(self, model: Link, zero_fill: bool = False) -> None:
        """Old name of :meth:`multi_node_mean_grad`."""
        warnings.warn('allreduce_grad() is deprecated; use multi_node_mean_grad()',
                      DeprecationWarning)
        self.multi_node_mean_grad(model, zero_fill)
