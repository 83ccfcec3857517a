"""Views that change how examples are packed (tuple or dict)."""
from __future__ import annotations

from typing import Any

from chainer.dataset.tabular import delegate_dataset


class _Astuple(delegate_dataset.DelegateDataset):

    @property
    def mode(self) -> Any:
        return tuple


class _Asdict(delegate_dataset.DelegateDataset):

    @property
    def mode(self) -> Any:
        return dict
