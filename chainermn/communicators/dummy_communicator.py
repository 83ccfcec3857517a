"""``dummy``: packs and unpacks gradients but sends nothing (to time the rest of a step)."""
from __future__ import annotations

from typing import Any

import numpy

from chainermn.communicators import mpi_communicator_base


class DummyCommunicator(mpi_communicator_base.MpiCommunicatorBase):
    """``multi_node_mean_grad`` leaves the gradients as they are, after packing them.

    Every other method communicates as usual.
    """

    def __init__(self, mpi_comm: Any = None) -> None:
        super().__init__(mpi_comm)

    def multi_node_mean_grad(self, model: Any, zero_fill: bool = False) -> None:
        from chainermn.communicators import _memory_utility
        params = _memory_utility.extract_params_set_grad(model, zero_fill)
        for (dtype, gpu), group in sorted(self._groups(params, 'grad').items()):
            flat = self._pack(group, 'grad', dtype, gpu, zero_fill)
            self._unpack(group, 'grad', flat, dtype, gpu, zero_fill)

    def _allreduce_sum_buffer(self, flat: numpy.ndarray) -> None:
        pass
