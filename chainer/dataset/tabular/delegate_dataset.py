"""DelegateDataset: forward everything to another TabularDataset."""
from __future__ import annotations

from typing import Any

from chainer.dataset.tabular.tabular_dataset import TabularDataset


class DelegateDataset(TabularDataset):
    """A TabularDataset delegating to ``dataset`` (all but ``convert``); subclass to add methods."""

    def __init__(self, dataset: TabularDataset) -> None:
        self.dataset = dataset

    def __len__(self) -> int:
        return len(self.dataset)

    @property
    def keys(self) -> tuple:
        return self.dataset.keys

    @property
    def mode(self) -> Any:
        return self.dataset.mode

    def get_examples(self, indices: Any, key_indices: Any) -> tuple:
        return self.dataset.get_examples(indices, key_indices)

    # As in Chainer, ``convert`` is TabularDataset's: a subclass does not take
    # over the converter of the dataset it wraps.
