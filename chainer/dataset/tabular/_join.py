"""Column-wise join of TabularDatasets with equal lengths and distinct keys."""
from __future__ import annotations

from typing import Any

from chainer.dataset.tabular import tabular_dataset


class _Join(tabular_dataset.TabularDataset):

    def __init__(self, *datasets: tabular_dataset.TabularDataset) -> None:
        n = len(datasets[0])
        seen = set(datasets[0].keys)
        for i, d in enumerate(datasets[1:], 1):
            if len(d) != n:
                raise ValueError(
                    'All datasets must have the same length: '
                    f'dataset {i} has {len(d)} rows, dataset 0 has {n}')
            shared = seen.intersection(d.keys)
            if shared:
                raise ValueError(
                    'All keys must be unique among all datasets: '
                    f'{sorted(shared)!r} appear more than once')
            seen.update(d.keys)
        self._datasets = datasets

    def __len__(self) -> int:
        return len(self._datasets[0])

    @property
    def keys(self) -> tuple:
        return tuple(k for d in self._datasets for k in d.keys)

    @property
    def mode(self) -> Any:
        for d in self._datasets:
            if d.mode:
                return d.mode
        return tuple

    def get_examples(self, indices: Any, key_indices: Any) -> tuple:
        if key_indices is None:
            return tuple(col for d in self._datasets
                         for col in d.get_examples(indices, None))
        columns: dict = {}
        offset = 0
        for d in self._datasets:
            n_keys = len(d.keys)
            local: list = []
            for k in key_indices:
                if offset <= k < offset + n_keys and k - offset not in local:
                    local.append(k - offset)
            if local:
                cols = d.get_examples(indices, tuple(local))
                for k, col in zip(local, cols):
                    columns[offset + k] = col
            offset += n_keys
        return tuple(columns[k] for k in key_indices)

    def convert(self, data: Any) -> Any:
        return self._datasets[0].convert(data)
