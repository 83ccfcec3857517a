"""Mixin that gives a dataset with ``get_example`` list-like indexing."""
from __future__ import annotations

from typing import Any

import numpy


def _refuse_booleans() -> None:
    # Chainer passed True and False on to get_example as the indices 1 and 0.
    raise TypeError('a dataset index must be an int, a slice, or a list or array of '
                    'ints, not booleans; for a mask, index with numpy.flatnonzero(mask)')


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
            if getattr(index, 'dtype', None) == numpy.bool_ or any(
                    isinstance(i, (bool, numpy.bool_)) for i in index):
                _refuse_booleans()
            return [self.get_example(i) for i in index]
        if isinstance(index, (bool, numpy.bool_)):
            _refuse_booleans()
        return self.get_example(index)

    def __len__(self) -> int:
        """Returns the number of examples."""
        raise NotImplementedError

    def get_example(self, i: int) -> Any:
        """Returns the ``i``-th example."""
        raise NotImplementedError
