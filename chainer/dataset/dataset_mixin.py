"""Mixin that gives a dataset with ``get_example`` list-like indexing."""
from __future__ import annotations

from typing import Any

import numpy


class DatasetMixin:
    """Default ``__getitem__`` for datasets that implement ``get_example``.

    An integer index returns one example; a slice, a list or a 1-d integer
    array returns a list of examples.
    """

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            return [self.get_example(i) for i in range(start, stop, step)]
        if isinstance(index, (list, numpy.ndarray)):
            return [self.get_example(i) for i in index]
        return self.get_example(index)

    def __len__(self) -> int:
        """Returns the number of examples."""
        raise NotImplementedError

    def get_example(self, i: int) -> Any:
        """Returns the ``i``-th example."""
        raise NotImplementedError
