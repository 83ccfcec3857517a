"""DictDataset: zips equal-length named datasets into dicts."""
from __future__ import annotations

from typing import Any

from chainer.datasets.tuple_dataset import _take


class DictDataset:
    """Dataset of dicts: the ``i``-th example is ``{k: d[i] for k, d in datasets}``."""

    def __init__(self, **datasets: Any) -> None:
        if not datasets:
            raise ValueError('no datasets are given')
        length = None
        for key, dataset in datasets.items():
            if length is None:
                length = len(dataset)
            elif len(dataset) != length:
                raise ValueError(
                    f'dataset length conflicts at "{key}": {len(dataset)} != {length}')
        self._datasets = datasets
        self._length = length

    def __getitem__(self, index: Any) -> Any:
        batches = {key: _take(dataset, index) for key, dataset in self._datasets.items()}
        if isinstance(index, slice):
            length = len(next(iter(batches.values())))
            return [{key: batch[i] for key, batch in batches.items()} for i in range(length)]
        return batches

    def __len__(self) -> int:
        return self._length
