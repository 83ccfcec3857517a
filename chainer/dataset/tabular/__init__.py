"""Tabular datasets (``chainer.dataset.tabular``)."""
from chainer.dataset.tabular import delegate_dataset  # NOQA: F401
from chainer.dataset.tabular import tabular_dataset  # NOQA: F401
from chainer.dataset.tabular.delegate_dataset import DelegateDataset  # NOQA: F401
from chainer.dataset.tabular.from_data import from_data  # NOQA: F401
