"""ConcatenatedDataset: datasets one after another."""
from __future__ import annotations

from typing import Any

from chainer.dataset import dataset_mixin


class ConcatenatedDataset(dataset_mixin.DatasetMixin):
    """The examples of ``datasets[0]``, then those of ``datasets[1]``, and so on."""

    def __init__(self, *datasets: Any) -> None:
        self._datasets = datasets

    def __len__(self) -> int:
        return sum(len(dataset) for dataset in self._datasets)

    def get_example(self, i: int) -> Any:
        i = dataset_mixin._wrap_index(i, len(self))
        for dataset in self._datasets:
            if i < len(dataset):
                return dataset[i]
            i -= len(dataset)
        raise IndexError('dataset index out of range')
