"""A view whose :meth:`convert` calls a user function."""
from __future__ import annotations

from typing import Any, Callable

from chainer.dataset.tabular import delegate_dataset
from chainer.dataset.tabular import tabular_dataset


class _WithConverter(delegate_dataset.DelegateDataset):

    def __init__(self, dataset: tabular_dataset.TabularDataset, converter: Callable) -> None:
        super().__init__(dataset)
        self._converter = converter

    def convert(self, data: Any) -> Any:
        if isinstance(data, tuple):
            return self._converter(*data)
        if isinstance(data, dict):
            return self._converter(**data)
        return self._converter(data)
