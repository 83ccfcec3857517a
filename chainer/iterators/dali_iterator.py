"""An iterator over an NVIDIA DALI pipeline (needs the ``nvidia-dali`` package)."""
from __future__ import annotations

import importlib.util
from typing import TYPE_CHECKING, Any

from chainer.dataset import iterator
from chainer import utils  # NOQA: F401

if TYPE_CHECKING:
    from chainer.serializer import AbstractSerializer


def _dali_available() -> bool:
    try:
        return importlib.util.find_spec('nvidia.dali') is not None
    except ModuleNotFoundError:
        return False


class DaliIterator(iterator.Iterator):
    """Yields the outputs of a built DALI ``pipeline``, one run per batch.

    The batch size and the epoch size come from the pipeline
    (``pipeline.batch_size`` and ``pipeline.epoch_size()``, the total over
    its readers).  Without ``repeat`` it stops after one epoch.
    """

    def __init__(self, pipeline: Any, repeat: bool = True) -> None:
        if not _dali_available():
            raise RuntimeError(
                'DaliIterator needs NVIDIA DALI; install the nvidia-dali package '
                'matching your CUDA version')
        self.pipeline = pipeline
        self._repeat = repeat
        self._is_built = False
        self.epoch_size = 0
        self.reset()

    def __next__(self) -> Any:
        if not self._repeat and self.epoch > 0:
            raise StopIteration
        if not self._is_built:
            self.pipeline.build()
            self._is_built = True
            sizes = self.pipeline.epoch_size()
            self.epoch_size = sum(sizes.values()) if isinstance(sizes, dict) else int(sizes)
        self._previous_epoch_detail = self.epoch_detail
        batch = self.pipeline.run()
        end = self.current_position + self.batch_size
        if end >= self.epoch_size:
            self.current_position = end - self.epoch_size
            self.epoch += 1
            self.is_new_epoch = True
        else:
            self.current_position = end
            self.is_new_epoch = False
        return batch

    next = __next__

    @property
    def batch_size(self) -> int:
        return self.pipeline.batch_size

    @property
    def epoch_detail(self) -> float:
        if not self.epoch_size:
            return float(self.epoch)
        return self.epoch + self.current_position / self.epoch_size

    @property
    def previous_epoch_detail(self) -> float | None:
        if self._previous_epoch_detail < 0:
            return None
        return self._previous_epoch_detail

    def serialize(self, serializer: AbstractSerializer) -> None:
        self.current_position = serializer('current_position', self.current_position)
        self.epoch = serializer('epoch', self.epoch)
        self.is_new_epoch = serializer('is_new_epoch', self.is_new_epoch)
        self._previous_epoch_detail = serializer(
            'previous_epoch_detail', self._previous_epoch_detail)

    def reset(self) -> None:
        self.current_position = 0
        self.epoch = 0
        self.is_new_epoch = False
        self._previous_epoch_detail = -1.
        if self._is_built:
            self.pipeline.reset()

    @property
    def repeat(self) -> bool:
        return self._repeat
