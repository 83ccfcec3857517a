"""Row/column views of a TabularDataset (``dataset.slice[rows, keys]``).

Selectors stay in the form they were given as long as possible: slices stay
slices (composed arithmetically), ``None`` stays ``None``, and lists become
lists of non-negative row numbers, so the base dataset's ``get_examples``
sees the cheapest selector that describes the request.
"""
from __future__ import annotations

import numbers
import operator
from typing import Any

import numpy

from chainer.dataset.tabular import tabular_dataset


def _as_indices(indices: Any, length: int) -> Any:
    """A slice unchanged, or a list of row numbers (masks and negatives resolved)."""
    if isinstance(indices, slice):
        return indices
    if isinstance(indices, (numbers.Integral, str)) or not hasattr(indices, '__len__'):
        raise TypeError(
            'rows must be selected by a slice, a sequence of ints or a sequence '
            f'of booleans, got {indices!r}')
    if len(indices) == 0:
        return indices
    if all(isinstance(b, (bool, numpy.bool_)) for b in indices):
        if len(indices) != length:
            raise ValueError(
                f'the boolean mask has {len(indices)} entries but the dataset has '
                f'{length} rows')
        return [i for i, b in enumerate(indices) if b]
    rows = []
    for index in indices:
        index = operator.index(index)
        if not -length <= index < length:
            raise IndexError(
                f'index {index} is out of bounds for dataset with size {length}')
        rows.append(index + length if index < 0 else index)
    return rows


def _as_key_indices(keys: Any, key_names: tuple) -> Any:
    """``None`` unchanged, else a tuple of column numbers for names or ints."""
    if keys is None:
        return None
    key_indices = []
    for key in keys:
        if isinstance(key, numbers.Integral) and not isinstance(key, bool):
            index = int(key) + len(key_names) if key < 0 else int(key)
            if not 0 <= index < len(key_names):
                raise IndexError(
                    f'index {key} is out of bounds for keys with size {len(key_names)}')
        else:
            try:
                index = key_names.index(key)
            except ValueError:
                raise KeyError(f'{key!r} does not exist; the keys are {key_names!r}') from None
        key_indices.append(index)
    return tuple(key_indices)


def _merge_indices(outer: Any, inner: Any, outer_len: int, inner_len: int) -> Any:
    """The selector on the base equal to applying ``inner`` after ``outer``."""
    if inner is None:
        return outer
    if outer is None:
        return inner
    if isinstance(outer, slice):
        o_start, _, o_step = outer.indices(outer_len)
        if isinstance(inner, slice):
            i_start, i_stop, i_step = inner.indices(inner_len)
            start = o_start + o_step * i_start
            stop = o_start + o_step * i_stop
            step = o_step * i_step
            # A negative bound would wrap around: None means "to the end".
            if start < 0 and step > 0:
                start = None
            if stop < 0 and step < 0:
                stop = None
            return slice(start, stop, step)
        return [o_start + o_step * i for i in inner]
    if isinstance(inner, slice):
        return list(outer)[inner]
    return [outer[i] for i in inner]


def _merge_key_indices(outer: Any, inner: Any) -> Any:
    if inner is None:
        return outer
    if outer is None:
        return inner
    return tuple(outer[i] for i in inner)


def _length(indices: Any, length: int) -> int:
    if indices is None:
        return length
    if isinstance(indices, slice):
        return len(range(*indices.indices(length)))
    return len(indices)


class _Slice(tabular_dataset.TabularDataset):

    def __init__(self, dataset: tabular_dataset.TabularDataset, indices: Any,
                 keys: Any) -> None:
        if keys is None:
            self._unary = None
        elif isinstance(keys, (tuple, list)):
            self._unary = False
            keys = tuple(keys)
        else:
            self._unary = True
            keys = (keys,)
        self._dataset = dataset
        self._indices = _as_indices(indices, len(dataset))
        self._key_indices = _as_key_indices(keys, dataset.keys)

    def __len__(self) -> int:
        return _length(self._indices, len(self._dataset))

    @property
    def keys(self) -> tuple:
        keys = self._dataset.keys
        if self._key_indices is None:
            return keys
        return tuple(keys[i] for i in self._key_indices)

    @property
    def mode(self) -> Any:
        if self._unary is None:
            return self._dataset.mode
        if self._unary:
            return None
        return self._dataset.mode or tuple

    def get_examples(self, indices: Any, key_indices: Any) -> Any:
        indices = _merge_indices(self._indices, indices, len(self._dataset), len(self))
        key_indices = _merge_key_indices(self._key_indices, key_indices)
        return self._dataset.get_examples(indices, key_indices)

    def convert(self, data: Any) -> Any:
        return self._dataset.convert(data)


class SliceHelper:
    """What ``dataset.slice`` returns: index it to get a view."""

    __slots__ = ('_dataset',)

    def __init__(self, dataset: tabular_dataset.TabularDataset) -> None:
        self._dataset = dataset

    def __getitem__(self, args: Any) -> _Slice:
        if isinstance(args, tuple):
            if len(args) != 2:
                raise ValueError(
                    f'slice takes [rows] or [rows, keys], got {len(args)} items')
            indices, keys = args
        else:
            indices, keys = args, None
        return _Slice(self._dataset, indices, keys)
