"""ChainerMN: data- and model-parallel training over MPI processes.

Start a script under MPI (``mpiexec -n 4 python train.py``), make a communicator
with :func:`create_communicator`, wrap the optimizer with
:func:`create_multi_node_optimizer` and give every rank its share of the data
with :func:`scatter_dataset`.
"""
from chainermn._mpi import get_mpi as _get_mpi

_get_mpi()  # a clear ImportError (how to install) before anything else

from chainermn import communicators  # noqa: E402
from chainermn import datasets  # noqa: E402
from chainermn import extensions  # noqa: E402
from chainermn import functions  # noqa: E402
from chainermn import global_except_hook  # noqa: E402
from chainermn import iterators  # noqa: E402
from chainermn import links  # noqa: E402
from chainermn import optimizers  # noqa: E402

from chainermn.communicators import CommunicatorBase  # noqa: E402
from chainermn.communicators import create_communicator  # noqa: E402
from chainermn.datasets import DataSizeError  # noqa: E402
from chainermn.datasets import scatter_dataset  # noqa: E402
from chainermn.datasets import scatter_index  # noqa: E402
from chainermn.extensions import create_multi_node_checkpointer  # noqa: E402
from chainermn.extensions import create_multi_node_evaluator  # noqa: E402
from chainermn.links import MultiNodeChainList  # noqa: E402
from chainermn.optimizers import create_multi_node_optimizer  # noqa: E402

global_except_hook._add_hook_if_enabled()

from chainer import __version__ as __version__  # noqa: E402  (ChainerMN had Chainer's)

__all__ = [
    'CommunicatorBase', 'DataSizeError', 'MultiNodeChainList', 'communicators',
    'create_communicator', 'create_multi_node_checkpointer', 'create_multi_node_evaluator',
    'create_multi_node_optimizer', 'datasets', 'extensions', 'functions', 'global_except_hook',
    'iterators', 'links', 'optimizers', 'scatter_dataset', 'scatter_index',
]
