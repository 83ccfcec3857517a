"""Views computing new columns from each example or from whole columns."""
from __future__ import annotations

import enum
from typing import Any, Callable

from chainer.dataset.tabular import tabular_dataset


class _Unknown(enum.Enum):
    # Pickles and copies as itself, so a copy whose mode is still unknown
    # (e.g. a dataset sent to MultiprocessIterator workers) can find it.
    UNKNOWN = 0


_UNKNOWN = _Unknown.UNKNOWN


def _call(func: Callable, dataset: tabular_dataset.TabularDataset, values: Any) -> Any:
    if dataset.mode is dict:
        return func(**dict(zip(dataset.keys, values)))
    return func(*values)


class _Transform(tabular_dataset.TabularDataset):
    """``transform(keys, f)``: ``f`` maps one example to the new columns.

    The mode of the view is the type ``f`` returns (tuple, dict or a single
    value for ``None``), found on the first call.
    """

    def __init__(self, dataset: tabular_dataset.TabularDataset, keys: Any,
                 transform: Callable) -> None:
        if not isinstance(keys, tuple):
            keys = (keys,)
        self._dataset = dataset
        self._keys = keys
        self._transform = transform
        self._mode = _UNKNOWN

    def __len__(self) -> int:
        return len(self._dataset)

    @property
    def keys(self) -> tuple:
        return self._keys

    @property
    def mode(self) -> Any:
        if self._mode is _UNKNOWN:
            # As in Chainer, the mode is what the function returns for row 0.
            if len(self) > 0:
                self.get_examples([0], None)
            else:
                # Chainer asked for row 0 even so, which a callable or a user
                # dataset may answer; where nothing answers, guess.
                try:
                    self.get_examples([0], None)
                except Exception:
                    self._mode = _UNKNOWN
                if self._mode is _UNKNOWN:
                    return None if len(self._keys) == 1 else tuple
        return self._mode

    def _set_mode(self, mode: Any) -> None:
        if self._mode is not _UNKNOWN and self._mode is not mode:
            raise ValueError('transform must not change its return type')
        self._mode = mode

    def _pick(self, out: Any, key_indices: Any) -> list:
        """The values of the requested columns in what the function returned.

        As in Chainer, entries beyond the keys are ignored, and only a
        requested entry that is missing is an ``IndexError`` (tuple or single
        value) or ``KeyError`` (dict).
        """
        if isinstance(out, tuple):
            self._set_mode(tuple)
            if any(k >= len(out) for k in key_indices):
                raise IndexError(
                    f'the function returned {len(out)} values for the '
                    f'{len(self._keys)} keys {self._keys!r}')
            return [out[k] for k in key_indices]
        if isinstance(out, dict):
            self._set_mode(dict)
            try:
                return [out[self._keys[k]] for k in key_indices]
            except KeyError as e:
                raise KeyError(f'the function returned no value for {e.args[0]!r}') from None
        self._set_mode(None)
        if any(k != 0 for k in key_indices):
            raise IndexError(
                f'the function returned a single value for the {len(self._keys)} '
                f'keys {self._keys!r}')
        return [out for _ in key_indices]

    def get_examples(self, indices: Any, key_indices: Any) -> tuple:
        if key_indices is None:
            key_indices = range(len(self._keys))
        in_columns = self._dataset.get_examples(indices, None)
        out_columns = tuple([] for _ in key_indices)
        for values in zip(*in_columns):
            picked = self._pick(_call(self._transform, self._dataset, values), key_indices)
            for column, value in zip(out_columns, picked):
                column.append(value)
        return out_columns

    def convert(self, data: Any) -> Any:
        return self._dataset.convert(data)


class _TransformBatch(_Transform):
    """``transform_batch(keys, f)``: ``f`` maps whole columns to new columns."""

    def get_examples(self, indices: Any, key_indices: Any) -> tuple:
        n_rows = len(self) if indices is None else (
            len(range(*indices.indices(len(self)))) if isinstance(indices, slice)
            else len(indices))
        if key_indices is None:
            key_indices = range(len(self._keys))
        in_columns = self._dataset.get_examples(indices, None)
        raw = _call(self._transform, self._dataset, in_columns)
        # As in Chainer: the return type is recorded, then every returned
        # column's length is checked, then the requested ones are picked.
        if isinstance(raw, (tuple, dict)):
            self._set_mode(tuple if isinstance(raw, tuple) else dict)
            columns = raw if isinstance(raw, tuple) else tuple(raw.values())
        else:
            self._set_mode(None)
            columns = (raw,)
        for column in columns:
            if len(column) != n_rows:
                raise ValueError(
                    'transform_batch must not change the length of data: '
                    f'{len(column)} rows, expected {n_rows}')
        out = self._pick(raw, key_indices)
        return tuple(out)
