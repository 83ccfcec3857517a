"""Row-wise concatenation of TabularDatasets with equal keys."""
from __future__ import annotations

from typing import Any

from chainer.dataset.tabular import tabular_dataset


def _merge_columns(parts: list, n_cols: int) -> tuple:
    return tuple([v for part in parts for v in part[c]] for c in range(n_cols))


class _Concat(tabular_dataset.TabularDataset):

    def __init__(self, *datasets: tabular_dataset.TabularDataset) -> None:
        keys = datasets[0].keys
        for i, d in enumerate(datasets[1:], 1):
            if d.keys != keys:
                raise ValueError(
                    'All datasets must have the same keys: '
                    f'dataset {i} has {d.keys!r}, dataset 0 has {keys!r}')
        self._datasets = datasets

    def __len__(self) -> int:
        return sum(len(d) for d in self._datasets)

    @property
    def keys(self) -> tuple:
        return self._datasets[0].keys

    @property
    def mode(self) -> Any:
        return self._datasets[0].mode

    def get_examples(self, indices: Any, key_indices: Any) -> Any:
        n_cols = len(self.keys) if key_indices is None else len(key_indices)
        if indices is None:
            # Whole columns come back as lists, even from one dataset (as Chainer).
            parts = [d.get_examples(None, key_indices) for d in self._datasets]
            return _merge_columns(parts, n_cols)
        if isinstance(indices, slice):
            parts = self._slice_parts(indices, key_indices)
        else:
            return self._take(list(indices), key_indices, n_cols)
        if not parts:
            return tuple([] for _ in range(n_cols))
        if len(parts) == 1:
            return parts[0]
        return _merge_columns(parts, n_cols)

    def _slice_parts(self, indices: slice, key_indices: Any) -> list:
        start, stop, step = indices.indices(len(self))
        parts = []
        offset = 0
        for d in self._datasets:
            n = len(d)
            lo, hi = start - offset, stop - offset
            if step > 0:
                if lo < 0:
                    lo %= step  # first row of this dataset the stride hits
                hi = min(hi, n)
            else:
                if lo >= n:
                    lo = n - 1 + (lo - (n - 1)) % step  # last row of it the stride hits
                hi = max(hi, -1)
            if len(range(lo, hi, step)) > 0:
                sub = slice(None if lo < 0 and step > 0 else lo,
                            None if hi < 0 and step < 0 else hi, step)
                parts.append(d.get_examples(sub, key_indices))
            offset += n
        if step < 0:
            parts.reverse()
        return parts

    def _take(self, rows: list, key_indices: Any, n_cols: int) -> Any:
        total = len(self)
        rows = [r + total if r < 0 else r for r in rows]
        fetched: dict = {}
        where: list = [None] * len(rows)
        offset = 0
        for j, d in enumerate(self._datasets):
            n = len(d)
            local = []
            for p, r in enumerate(rows):
                if offset <= r < offset + n:
                    where[p] = (j, len(local))
                    local.append(r - offset)
            if local:
                fetched[j] = d.get_examples(local, key_indices)
            offset += n
        if not fetched:
            return tuple([] for _ in range(n_cols))
        if len(fetched) == 1:
            return next(iter(fetched.values()))
        if None in where:
            raise IndexError(f'index out of bounds for dataset with size {total}')
        return tuple([fetched[j][c][k] for j, k in where] for c in range(n_cols))

    def convert(self, data: Any) -> Any:
        return self._datasets[0].convert(data)
