"""TabularDataset: a dataset of named columns supporting lazy column operations."""
from __future__ import annotations

from typing import Any, Callable

import numpy

import chainer
from chainer import backend
from chainer.dataset import dataset_mixin


def _as_array(data: Any) -> Any:
    if isinstance(data, chainer.get_array_types()):
        return data
    if len(data) == 0:
        return numpy.asarray(data)
    device = backend.get_device_from_array(data[0])
    with chainer.using_device(device):
        return device.xp.asarray(data)


class TabularDataset(dataset_mixin.DatasetMixin):
    """A dataset whose examples are rows of named columns.

    Subclasses implement ``__len__``, ``keys`` (tuple of column names),
    ``mode`` (``tuple``, ``dict``, or ``None`` for a single unnamed value) and
    ``get_examples(indices, key_indices)``, which returns one sequence per
    requested column.  ``slice``, ``concat``, ``join``, ``transform`` and
    friends build new datasets without copying the data.
    """

    def __setstate__(self, state: Any) -> None:
        from chainer import _pickle_compat  # Chainer's pickles have another layout
        _pickle_compat.set_state(self, state, None, _pickle_compat.tabular_state)

    def __len__(self) -> int:
        raise NotImplementedError

    @property
    def keys(self) -> tuple:
        """Names of the columns."""
        raise NotImplementedError

    @property
    def mode(self) -> Any:
        """``tuple`` or ``dict`` (the type of an example), or ``None`` for unary datasets."""
        raise NotImplementedError

    def get_examples(self, indices: Any, key_indices: Any) -> tuple:
        """Returns a tuple of columns (lists or arrays).

        ``indices`` is ``None`` (all rows), a slice or a list of row indices;
        ``key_indices`` is ``None`` (all columns) or a tuple of column indices.
        """
        raise NotImplementedError

    @property
    def slice(self) -> Any:
        """``dataset.slice[rows]`` or ``dataset.slice[rows, keys]``: a lazy view.

        ``rows`` is a slice, a list of ints or a boolean mask; ``keys`` is a
        tuple of names/column numbers (tuple or dict mode kept) or a single
        one (unary view).
        """
        from chainer.dataset.tabular import _slice
        return _slice.SliceHelper(self)

    def fetch(self) -> Any:
        """All the data, column by column, as ``get_examples`` returns it.

        A tuple of columns (tuple mode), a dict of columns (dict mode) or the
        single column (unary).  Columns stay lists or arrays as they are;
        pass the result to :meth:`convert` to make arrays of them.
        """
        examples = self.get_examples(None, None)
        if self.mode is tuple:
            return tuple(examples)
        if self.mode is dict:
            return dict(zip(self.keys, examples))
        return examples[0]

    def convert(self, data: Any) -> Any:
        """Turns fetched data into arrays (override or use :meth:`with_converter`).

        Views made by slicing, ``concat``, ``join``, ``transform`` and the mode
        changes use the converter of their (first) source dataset.
        """
        if isinstance(data, tuple):
            return tuple(_as_array(d) for d in data)
        if isinstance(data, dict):
            return {k: _as_array(v) for k, v in data.items()}
        return _as_array(data)

    def with_converter(self, converter: Callable) -> 'TabularDataset':
        """A view whose :meth:`convert` calls ``converter`` on the fetched columns.

        ``converter(*columns)`` in tuple mode, ``converter(**columns)`` in dict
        mode and ``converter(column)`` for a unary dataset.
        """
        from chainer.dataset.tabular import _with_converter
        return _with_converter._WithConverter(self, converter)

    def get_example(self, i: int) -> Any:
        example = tuple(col[0] for col in self.get_examples([i], None))
        mode = self.mode
        if mode is tuple:
            return example
        if mode is dict:
            return dict(zip(self.keys, example))
        return example[0]

    def __iter__(self):
        for i in range(len(self)):
            yield self.get_example(i)

    def __repr__(self) -> str:
        return (f'<{type(self).__name__} len={len(self)} keys={self.keys!r} '
                f'mode={getattr(self.mode, "__name__", None)}>')

    def concat(self, *datasets: 'TabularDataset') -> 'TabularDataset':
        """Stacks the rows of this dataset and ``datasets`` (same keys)."""
        from chainer.dataset.tabular import _concat
        return _concat._Concat(self, *datasets)

    def join(self, *datasets: 'TabularDataset') -> 'TabularDataset':
        """Puts the columns of this dataset and ``datasets`` side by side (same length)."""
        from chainer.dataset.tabular import _join
        return _join._Join(self, *datasets)

    def transform(self, keys: Any, transform: Callable) -> 'TabularDataset':
        """Applies ``transform`` to each example, producing columns ``keys``.

        ``transform`` is called as ``f(*example)`` (tuple mode),
        ``f(**example)`` (dict mode) or ``f(value)`` (unary), and returns a
        tuple, a dict or a single value; that type sets the new mode.
        """
        from chainer.dataset.tabular import _transform
        return _transform._Transform(self, keys, transform)

    def transform_batch(self, keys: Any, transform_batch: Callable) -> 'TabularDataset':
        """Like :meth:`transform`, but ``transform_batch`` maps whole columns at once."""
        from chainer.dataset.tabular import _transform
        return _transform._TransformBatch(self, keys, transform_batch)

    def astuple(self) -> 'TabularDataset':
        """Returns a view whose examples are tuples."""
        from chainer.dataset.tabular import _asmode
        return _asmode._Astuple(self)

    def asdict(self) -> 'TabularDataset':
        """Returns a view whose examples are dicts."""
        from chainer.dataset.tabular import _asmode
        return _asmode._Asdict(self)

