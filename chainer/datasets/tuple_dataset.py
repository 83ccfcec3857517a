"""TupleDataset: zips equal-length datasets into tuples."""
from __future__ import annotations

from typing import Any

import numpy


def _take(dataset: Any, index: Any) -> Any:
    # Plain Python sequences cannot be indexed by a list of indices (or a mask).
    if isinstance(index, (list, numpy.ndarray)) and isinstance(dataset, (list, tuple)):
        index = numpy.asarray(index)
        if index.dtype == bool:
            if len(index) != len(dataset):
                raise IndexError(
                    f'boolean index of length {len(index)} for a dataset of {len(dataset)}')
            index = numpy.flatnonzero(index)
        return [dataset[i] for i in index.tolist()]
    return dataset[index]


class TupleDataset:
    """Dataset of tuples: the ``i``-th example is ``(d[i] for d in datasets)``.

    A slice returns a list of tuples; a list or array of indices returns a
    tuple of the datasets indexed by it (batched arrays for array columns).
    """

    def __init__(self, *datasets: Any) -> None:
        if not datasets:
            raise ValueError('no datasets are given')
        length = len(datasets[0])
        for i, dataset in enumerate(datasets):
            if len(dataset) != length:
                raise ValueError(
                    f'dataset of the index {i} has a wrong length: {len(dataset)} '
                    f'while dataset 0 has {length}')
        self._datasets = datasets
        self._length = length

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, (int, numpy.integer)):
            return tuple([dataset[index] for dataset in self._datasets])
        if isinstance(index, slice):
            batches = [dataset[index] for dataset in self._datasets]
            return [tuple([batch[i] for batch in batches]) for i in range(len(batches[0]))]
        return tuple([_take(dataset, index) for dataset in self._datasets])

    def __len__(self) -> int:
        return self._length
