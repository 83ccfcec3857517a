"""``from_data``: build a TabularDataset from arrays, lists and callables."""
from __future__ import annotations

from typing import Any

import numpy

import chainer
from chainer import backend
from chainer.dataset.tabular.tabular_dataset import TabularDataset


def _n_rows(indices: Any, length: int) -> range:
    if indices is None:
        return range(length)
    if isinstance(indices, slice):
        return range(length)[indices]
    return indices


class _Column(TabularDataset):
    """A unary dataset over one sequence named ``key``."""

    def __init__(self, key: str, data: Any) -> None:
        self._key = key
        self._data = data

    def __len__(self) -> int:
        return len(self._data)

    @property
    def keys(self) -> tuple:
        return (self._key,)

    @property
    def mode(self) -> Any:
        return None

    def _take(self, rows: list) -> Any:
        raise NotImplementedError

    def get_examples(self, indices: Any, key_indices: Any) -> tuple:
        n = 1 if key_indices is None else len(key_indices)
        if indices is None:
            column = self._data
        elif isinstance(indices, slice):
            column = self._data[indices]
        else:
            column = self._take(indices)
        return (column,) * n


class _Array(_Column):
    """Over an array: columns come back as arrays."""

    def _take(self, rows: list) -> Any:
        xp = backend.get_array_module(self._data)
        with chainer.using_device(backend.get_device_from_array(self._data)):
            return self._data[xp.asarray(rows, dtype=numpy.intp)]


class _List(_Column):
    """Over a list: columns come back as lists."""

    def _take(self, rows: list) -> Any:
        return [self._data[i] for i in rows]


class _Index(TabularDataset):
    """A unary dataset whose values are the row numbers (feeds callables)."""

    def __init__(self, size: int) -> None:
        self._size = size

    def __len__(self) -> int:
        return self._size

    @property
    def keys(self) -> tuple:
        return ('index',)

    @property
    def mode(self) -> Any:
        return None

    def get_examples(self, indices: Any, key_indices: Any) -> tuple:
        n = 1 if key_indices is None else len(key_indices)
        return (list(_n_rows(indices, self._size)),) * n


def _make_dataset(key: Any, data: Any, size: Any) -> TabularDataset:
    if isinstance(data, chainer.get_array_types()):
        return _Array(f'_{id(data)}' if key is None else key, data)
    if isinstance(data, list):
        return _List(f'_{id(data)}' if key is None else key, data)
    if callable(data):
        if key is None:
            raise ValueError('key(s) must be specified for callable')
        if size is None:
            raise ValueError('size must be specified for callable')
        keys = key if isinstance(key, str) else tuple(key)
        return _Index(size).transform(keys, data)
    raise TypeError(
        'from_data takes arrays, lists or callables (index -> value), '
        f'got {type(data).__name__}')


def _is_key(key: Any) -> bool:
    # As in Chainer: a string, or a tuple of strings.
    return isinstance(key, str) or (
        isinstance(key, tuple) and all(isinstance(k, str) for k in key))


def from_data(data: Any, *, size: int | None = None) -> TabularDataset:
    """Creates a TabularDataset from ``data``.

    ``data`` is one of

    - an array or a list (a unary dataset with a generated key);
    - ``(key, array/list/callable)`` (a unary dataset named ``key``);
    - ``((key, ...), callable)``: the callable maps a row index to a tuple;
    - a tuple of the above: a tuple-mode dataset with one column each;
    - a dict ``{key: array/list/callable, (key, ...): callable}``: dict mode.

    Callables take the row index; ``size`` is needed when no array or list
    fixes the length.
    """
    if isinstance(data, tuple) and len(data) == 2 and _is_key(data[0]):
        # A single column with its key: (key, data) or ((key, ...), callable);
        # as in Chainer, ((key, ...), array) is one column named by the tuple.
        return _make_dataset(data[0], data[1], size)
    if isinstance(data, (tuple, dict)):
        if isinstance(data, tuple):
            columns = [d if isinstance(d, tuple) else (None, d) for d in data]
        else:
            columns = list(data.items())
        if not columns:
            raise ValueError('from_data needs at least one column')
        if size is None:
            # An array or a list anywhere fixes the length for the callables.
            size = next((len(d) for _, d in columns if not callable(d)), None)
        datasets = [_make_dataset(key, d, size) for key, d in columns]
        joined = datasets[0].join(*datasets[1:])
        return joined.astuple() if isinstance(data, tuple) else joined.asdict()
    return _make_dataset(None, data, size)
