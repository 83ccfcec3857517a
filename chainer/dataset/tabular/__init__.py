"""Tabular datasets (``chainer.dataset.tabular``)."""
from chainer.dataset.tabular.delegate_dataset import DelegateDataset  # NOQA: F401
from chainer.dataset.tabular.from_data import from_data  # NOQA: F401
from chainer.dataset.tabular.tabular_dataset import TabularDataset  # NOQA: F401
