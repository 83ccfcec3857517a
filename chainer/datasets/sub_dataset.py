"""SubDataset and the split / cross-validation helpers."""
from __future__ import annotations

import warnings
from typing import TYPE_CHECKING, Any

import numpy

from chainer.dataset import dataset_mixin
from chainer.utils import argument
from chainer.utils.error import _repr

if TYPE_CHECKING:
    from collections.abc import Sequence

    from chainer.types import NdArray

_int_types = (int, numpy.integer)


class SubDataset(dataset_mixin.DatasetMixin):
    """The examples ``start`` to ``finish - 1`` of ``dataset``, optionally permuted.

    With ``order``, the ``i``-th example is ``dataset[order[start + i]]``.
    """

    def __init__(self, dataset: Any, start: int, finish: int,
                 order: Sequence[int] | NdArray | None = None) -> None:
        if start < 0 or finish > len(dataset):
            raise ValueError(
                f'subset overruns the base dataset: [{start}, {finish}) vs length '
                f'{len(dataset)}')
        if start > finish:
            raise ValueError(f'start ({start}) is larger than finish ({finish})')
        self._dataset = dataset
        self._start = start
        self._finish = finish
        self._size = finish - start
        if order is not None and len(order) != len(dataset):
            raise ValueError(
                'order option must have the same length as the base dataset: '
                f'len(order) = {len(order)} while len(dataset) = {len(dataset)}')
        self._order = order

    def __len__(self) -> int:
        return self._size

    def get_example(self, i: int) -> Any:
        if i >= 0:
            if i >= self._size:
                raise IndexError('dataset index out of range')
            index = self._start + i
        else:
            if i < -self._size:
                raise IndexError('dataset index out of range')
            index = self._finish + i
        if self._order is not None:
            index = self._order[index]
        return self._dataset[index]


def split_dataset(dataset: Any, split_at: int,
                  order: Sequence[int] | NdArray | None = None) -> tuple:
    """Splits ``dataset`` into ``[0, split_at)`` and ``[split_at, len)`` subsets."""
    n_examples = len(dataset)
    if not isinstance(split_at, _int_types):
        raise TypeError(f'split_at must be int, got {type(split_at)} instead')
    if split_at < 0:
        raise ValueError('split_at must be non-negative')
    if split_at > n_examples:
        raise ValueError(
            f'split_at exceeds the dataset size ({split_at} > {n_examples})')
    return (SubDataset(dataset, 0, split_at, order),
            SubDataset(dataset, split_at, n_examples, order))


def split_dataset_random(dataset: Any, first_size: int, seed: int | None = None) -> tuple:
    """Like :func:`split_dataset` after a random permutation drawn with ``seed``."""
    order = numpy.random.RandomState(seed).permutation(len(dataset))
    return split_dataset(dataset, first_size, order)


def split_dataset_n(dataset: Any, n: int, order: Sequence[int] | NdArray | None = None) -> list:
    """Splits ``dataset`` into ``n`` subsets of ``len(dataset) // n`` examples."""
    if not isinstance(n, _int_types):
        raise TypeError(f'n must be int, got {type(n)} instead')
    if n <= 0:
        raise ValueError(f'n must be a positive integer, got {_repr(n)}')
    sub_size = len(dataset) // n
    return [SubDataset(dataset, sub_size * i, sub_size * (i + 1), order)
            for i in range(n)]


def split_dataset_n_random(dataset: Any, n: int, seed: int | None = None) -> list:
    """Like :func:`split_dataset_n` after a random permutation drawn with ``seed``."""
    order = numpy.random.RandomState(seed).permutation(len(dataset))
    return split_dataset_n(dataset, n, order)


def get_cross_validation_datasets(dataset: Any, n_folds: int | None = None,
                                  order: Sequence[int] | NdArray | None = None,
                                  **kwargs: Any) -> list:
    """Returns ``n_folds`` pairs ``(train, test)`` for k-fold cross validation.

    The test parts are disjoint and together cover the dataset.
    """
    if 'n_fold' in kwargs:
        # As in Chainer, the deprecated name wins over n_folds.
        warnings.warn('Argument `n_fold` is deprecated. Please use `n_folds` instead',
                      DeprecationWarning)
        n_folds = kwargs.pop('n_fold')
    argument.assert_kwargs_empty(kwargs)
    if n_folds is None:
        raise TypeError('n_folds is required')
    if n_folds <= 0:
        raise ValueError(f'n_folds must be positive, got {n_folds}')
    if n_folds > len(dataset):
        raise ValueError(
            f'n_folds ({n_folds}) exceeds the dataset size ({len(dataset)})')
    if order is None:
        order = numpy.arange(len(dataset))
    else:
        order = numpy.array(order)
    whole_size = len(dataset)
    borders = [whole_size * i // n_folds for i in range(n_folds + 1)]
    test_sizes = [borders[i + 1] - borders[i] for i in range(n_folds)]
    splits = []
    for test_size in reversed(test_sizes):
        size = whole_size - test_size
        splits.append(split_dataset(dataset, size, order))
        # Rotate so that the next fold's test part moves to the end.
        order = numpy.roll(order, test_size)
    return splits


def get_cross_validation_datasets_random(dataset: Any, n_folds: int, seed: int | None = None,
                                         **kwargs: Any) -> list:
    """Like :func:`get_cross_validation_datasets` on a random order drawn with ``seed``."""
    # Unknown keywords are named as this function's (n_fold is passed on).
    argument.assert_kwargs_empty({k: v for k, v in kwargs.items() if k != 'n_fold'})
    order = list(range(len(dataset)))
    numpy.random.RandomState(seed).shuffle(order)
    return get_cross_validation_datasets(dataset, n_folds, order, **kwargs)
