"""Lazy views and combinators behind TabularDataset's methods."""
from __future__ import annotations

from typing import Any, Callable

import numpy

import chainer
from chainer.dataset.tabular.tabular_dataset import TabularDataset

_int_types = (int, numpy.integer)


def _resolve_rows(indices: Any, length: int) -> Any:
    """Normalises a row selector into a ``range`` or a list of non-negative ints."""
    full = range(length)
    if indices is None:
        return full
    if isinstance(indices, slice):
        return full[indices]
    if isinstance(indices, range):
        return [full[i] for i in indices]
    if isinstance(indices, bool) or isinstance(indices, _int_types):
        raise TypeError(
            'row selector must be a slice, a list of ints or a boolean mask, '
            f'got the integer {indices!r}')
    if isinstance(indices, numpy.ndarray) and indices.dtype == bool or (
            isinstance(indices, (list, tuple)) and len(indices) > 0
            and all(isinstance(b, (bool, numpy.bool_)) for b in indices)):
        mask = numpy.asarray(indices, dtype=bool)
        if mask.shape != (length,):
            raise ValueError(
                f'boolean mask has length {len(mask)} but the dataset has {length} rows')
        return [int(i) for i in numpy.flatnonzero(mask)]
    try:
        rows = [full[int(i)] for i in indices]
    except IndexError:
        raise IndexError(
            f'row index out of range for a dataset of {length} rows') from None
    except TypeError:
        raise TypeError(
            'row selector must be None, a slice, a list of ints or a boolean mask, '
            f'got {indices!r}') from None
    return rows


def _compose(base: Any, indices: Any) -> Any:
    """Applies the selector ``indices`` (relative) to the resolved rows ``base``."""
    if indices is None:
        return base
    if isinstance(indices, slice):
        return base[indices]
    return [base[i] for i in indices]


def _backend_rows(rows: Any, length: int) -> Any:
    # Turn a resolved selector back into what get_examples accepts.
    if isinstance(rows, range):
        if rows == range(length):
            return None
        if len(rows) == 0:
            return []
        stop = rows.stop if rows.stop >= 0 else None
        return slice(rows.start, stop, rows.step)
    return rows


def _key_index(keys: tuple, key: Any) -> int:
    if isinstance(key, str):
        try:
            return keys.index(key)
        except ValueError:
            raise KeyError(f'unknown key {key!r}; the keys are {keys!r}') from None
    if isinstance(key, _int_types) and not isinstance(key, bool):
        n = len(keys)
        if not -n <= key < n:
            raise IndexError(f'key index {key} out of range for {n} keys')
        return int(key) % n
    raise TypeError(f'a key must be a str or an int, got {key!r}')


def _take(column: Any, rows: Any) -> Any:
    if rows is None:
        return column
    if isinstance(column, chainer.get_array_types()):
        if isinstance(rows, slice):
            return column[rows]
        return column[numpy.asarray(rows, dtype=numpy.intp)] if len(rows) else column[:0]
    if isinstance(rows, slice):
        return column[rows]
    return [column[i] for i in rows]


class _Array(TabularDataset):
    """One-column dataset backed by an array."""

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

    def get_examples(self, indices: Any, key_indices: Any) -> tuple:
        if key_indices is None:
            key_indices = (0,)
        rows = _backend_rows(_resolve_rows(indices, len(self)), len(self))
        return tuple(_take(self._data, rows) for _ in key_indices)

    def convert(self, data: Any) -> Any:
        return data


class _List(_Array):
    """One-column dataset backed by a list."""

    def convert(self, data: Any) -> Any:
        return TabularDataset.convert(self, data)


class _Index(TabularDataset):
    """One-column dataset whose values are the row numbers."""

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
        if key_indices is None:
            key_indices = (0,)
        rows = list(_resolve_rows(indices, self._size))
        return tuple(rows for _ in key_indices)


class _Slice(TabularDataset):

    def __init__(self, dataset: TabularDataset, indices: Any, keys: Any) -> None:
        self._dataset = dataset
        self._rows = _resolve_rows(indices, len(dataset))
        base_keys = dataset.keys
        if keys is None:
            self._key_indices = tuple(range(len(base_keys)))
            self._mode = dataset.mode
        elif isinstance(keys, (tuple, list)):
            self._key_indices = tuple(_key_index(base_keys, k) for k in keys)
            self._mode = dataset.mode if dataset.mode is not None else tuple
        else:
            self._key_indices = (_key_index(base_keys, keys),)
            self._mode = None
        self._keys = tuple(base_keys[i] for i in self._key_indices)

    def __len__(self) -> int:
        return len(self._rows)

    @property
    def keys(self) -> tuple:
        return self._keys

    @property
    def mode(self) -> Any:
        return self._mode

    def get_examples(self, indices: Any, key_indices: Any) -> tuple:
        rows = _compose(self._rows, None if indices is None
                        else _resolve_rows(indices, len(self)))
        if key_indices is None:
            kis = self._key_indices
        else:
            kis = tuple(self._key_indices[k] for k in key_indices)
        return self._dataset.get_examples(
            _backend_rows(rows, len(self._dataset)), kis)

    def convert(self, data: Any) -> Any:
        return self._dataset.convert(data)


class _Concat(TabularDataset):

    def __init__(self, *datasets: TabularDataset) -> None:
        keys = datasets[0].keys
        for i, d in enumerate(datasets[1:], 1):
            if d.keys != keys:
                raise ValueError(
                    f'concat needs datasets with the same keys: dataset {i} has '
                    f'{d.keys!r}, dataset 0 has {keys!r}')
        self._datasets = datasets

    def __len__(self) -> int:
        return sum(len(d) for d in self._datasets)

    @property
    def keys(self) -> tuple:
        return self._datasets[0].keys

    @property
    def mode(self) -> Any:
        return self._datasets[0].mode

    def get_examples(self, indices: Any, key_indices: Any) -> tuple:
        n_cols = len(self.keys) if key_indices is None else len(key_indices)
        rows = list(_resolve_rows(indices, len(self)))
        positions: list = []
        parts: list = []
        offset = 0
        for d in self._datasets:
            n = len(d)
            pos = [p for p, r in enumerate(rows) if offset <= r < offset + n]
            if pos:
                local = [rows[p] - offset for p in pos]
                parts.append(d.get_examples(local, key_indices))
                positions.extend(pos)
            offset += n
        if not parts:
            return tuple([] for _ in range(n_cols))
        out = []
        array_types = chainer.get_array_types()
        inverse = numpy.argsort(numpy.asarray(positions), kind='stable')
        identity = positions == list(range(len(rows)))
        for c in range(n_cols):
            cols = [p[c] for p in parts]
            if all(isinstance(col, array_types) for col in cols):
                xp = chainer.backend.get_array_module(cols[0])
                merged = xp.concatenate(cols) if len(cols) > 1 else cols[0]
                out.append(merged if identity else merged[xp.asarray(inverse)])
            else:
                merged = [v for col in cols for v in col]
                out.append(merged if identity else [merged[i] for i in inverse])
        return tuple(out)

    def convert(self, data: Any) -> Any:
        return self._datasets[0].convert(data)


class _Join(TabularDataset):

    def __init__(self, *datasets: TabularDataset) -> None:
        n = len(datasets[0])
        seen: set = set()
        for i, d in enumerate(datasets):
            if len(d) != n:
                raise ValueError(
                    f'join needs datasets of the same length: dataset {i} has '
                    f'{len(d)} rows, dataset 0 has {n}')
            for key in d.keys:
                if key in seen:
                    raise ValueError(f'join: key {key!r} appears in more than one dataset')
                seen.add(key)
        self._datasets = datasets
        self._where = [(j, k) for j, d in enumerate(datasets) for k in range(len(d.keys))]

    def __len__(self) -> int:
        return len(self._datasets[0])

    @property
    def keys(self) -> tuple:
        return tuple(k for d in self._datasets for k in d.keys)

    @property
    def mode(self) -> Any:
        for d in self._datasets:
            if d.mode is not None:
                return d.mode
        return tuple

    def get_examples(self, indices: Any, key_indices: Any) -> tuple:
        if key_indices is None:
            key_indices = range(len(self._where))
        wanted: dict = {}
        for ki in key_indices:
            j, k = self._where[ki]
            wanted.setdefault(j, [])
            if k not in wanted[j]:
                wanted[j].append(k)
        fetched = {}
        for j, ks in wanted.items():
            cols = self._datasets[j].get_examples(indices, tuple(ks))
            for k, col in zip(ks, cols):
                fetched[j, k] = col
        return tuple(fetched[self._where[ki]] for ki in key_indices)


def _call(func: Callable, mode: Any, keys: tuple, values: tuple) -> Any:
    if mode is tuple:
        return func(*values)
    if mode is dict:
        return func(**dict(zip(keys, values)))
    return func(values[0])


class _Transform(TabularDataset):

    def __init__(self, dataset: TabularDataset, keys: Any, transform: Callable) -> None:
        self._unary_keys = not isinstance(keys, tuple)
        if self._unary_keys:
            keys = (keys,)
        self._dataset = dataset
        self._keys = tuple(keys)
        self._transform = transform
        self._mode_found: Any = False

    def __len__(self) -> int:
        return len(self._dataset)

    @property
    def keys(self) -> tuple:
        return self._keys

    @property
    def mode(self) -> Any:
        if self._mode_found is False:
            if len(self) > 0:
                self.get_examples([0], None)
            else:
                return None if self._unary_keys else tuple
        return self._mode_found

    def _set_mode(self, mode: Any) -> None:
        if self._mode_found is not False and self._mode_found is not mode:
            raise ValueError('transform must always return the same type '
                             '(tuple, dict or a single value)')
        self._mode_found = mode

    def _split(self, out: Any, key_indices: Any) -> list:
        n = len(self._keys)
        if isinstance(out, tuple):
            self._set_mode(tuple)
            if len(out) != n:
                raise ValueError(
                    f'transform returned {len(out)} values for the {n} keys {self._keys!r}')
            return [out[k] for k in key_indices]
        if isinstance(out, dict):
            self._set_mode(dict)
            try:
                return [out[self._keys[k]] for k in key_indices]
            except KeyError as e:
                raise ValueError(f'transform result lacks the key {e.args[0]!r}') from None
        self._set_mode(None)
        if n != 1:
            raise ValueError(
                f'transform returned a single value but {n} keys {self._keys!r} are declared')
        return [out for _ in key_indices]

    def get_examples(self, indices: Any, key_indices: Any) -> tuple:
        if key_indices is None:
            key_indices = range(len(self._keys))
        d = self._dataset
        in_cols = d.get_examples(indices, None)
        mode, keys = d.mode, d.keys
        out = tuple([] for _ in key_indices)
        for values in zip(*in_cols):
            row = self._split(_call(self._transform, mode, keys, values), key_indices)
            for col, v in zip(out, row):
                col.append(v)
        return out


class _TransformBatch(_Transform):

    def get_examples(self, indices: Any, key_indices: Any) -> tuple:
        if key_indices is None:
            key_indices = range(len(self._keys))
        d = self._dataset
        in_cols = d.get_examples(indices, None)
        n_rows = len(in_cols[0]) if in_cols else 0
        out = self._split(_call(self._transform, d.mode, d.keys, tuple(in_cols)), key_indices)
        for k, col in zip(key_indices, out):
            if len(col) != n_rows:
                raise ValueError(
                    f'transform_batch returned {len(col)} rows for key '
                    f'{self._keys[k]!r}, expected {n_rows}')
        return tuple(out)


class _AsMode(TabularDataset):

    def __init__(self, dataset: TabularDataset, mode: Any) -> None:
        self._dataset = dataset
        self._mode = mode

    def __len__(self) -> int:
        return len(self._dataset)

    @property
    def keys(self) -> tuple:
        return self._dataset.keys

    @property
    def mode(self) -> Any:
        return self._mode

    def get_examples(self, indices: Any, key_indices: Any) -> tuple:
        return self._dataset.get_examples(indices, key_indices)

    def convert(self, data: Any) -> Any:
        return self._dataset.convert(data)


class _WithConverter(_AsMode):

    def __init__(self, dataset: TabularDataset, converter: Callable) -> None:
        super().__init__(dataset, dataset.mode)
        self._converter = converter

    @property
    def mode(self) -> Any:
        return self._dataset.mode

    def convert(self, data: Any) -> Any:
        if isinstance(data, tuple):
            return self._converter(*data)
        if isinstance(data, dict):
            return self._converter(**data)
        return self._converter(data)
