"""Mixin that gives a dataset with ``get_example`` list-like indexing."""
from __future__ import annotations

from typing import Any

import numpy


def _refuse_booleans() -> None:
    # Chainer passed True and False on to get_example as the indices 1 and 0.
    raise TypeError('a dataset index must be an int, a slice, or a list or array of '
                    'ints, not booleans; for a mask, index with numpy.flatnonzero(mask)')


def _not_boolean(index: Any) -> Any:
    """``index`` as given, unless it is a boolean."""
    if isinstance(index, (bool, numpy.bool_)):
        _refuse_booleans()
    return index


def _wrap_index(i: Any, n: int) -> Any:
    """``i`` made non-negative (``-1`` is ``n - 1``); ``IndexError`` naming ``i`` if outside."""
    index = i + n if i < 0 else i
    if not 0 <= index < n:
        raise IndexError(f'dataset index out of range ({i} for length {n})')
    return index


class DatasetMixin:
    """Default ``__getitem__`` for datasets that implement ``get_example``.

    An integer index returns one example; a slice, a list or a 1-d integer
    array returns a list of examples.
    """

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            start, stop, step = index.indices(len(self))
            return [self.get_example(i) for i in range(start, stop, step)]
        if isinstance(index, numpy.ndarray):
            if index.dtype == numpy.bool_:
                _refuse_booleans()
            return [self.get_example(i) for i in index]
        if isinstance(index, list):
            # each element checked as it is fetched: one pass over the list
            return [self.get_example(_not_boolean(i)) for i in index]
        return self.get_example(_not_boolean(index))

    def __len__(self) -> int:
        """Returns the number of examples."""
        raise NotImplementedError

    def get_example(self, i: int) -> Any:
        """Returns the ``i``-th example."""
        raise NotImplementedError
