"""Views that change how examples are packed (tuple or dict)."""
from __future__ import annotations

from typing import Any

from chainer.dataset.tabular import delegate_dataset


class _AsMode(delegate_dataset.DelegateDataset):
    # Unlike a user's DelegateDataset, a mode view converts as its source does.

    def convert(self, data: Any) -> Any:
        return self.dataset.convert(data)


class _Astuple(_AsMode):

    @property
    def mode(self) -> Any:
        return tuple


class _Asdict(_AsMode):

    @property
    def mode(self) -> Any:
        return dict
