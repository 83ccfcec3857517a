"""Dataset utilities (``chainer.dataset``)."""
from chainer.dataset import convert  # NOQA: F401
from chainer.dataset import download  # NOQA: F401
from chainer.dataset import tabular  # NOQA: F401
from chainer.dataset.convert import concat_examples  # NOQA: F401
from chainer.dataset.convert import ConcatWithAsyncTransfer  # NOQA: F401
from chainer.dataset.convert import Converter  # NOQA: F401
from chainer.dataset.convert import converter  # NOQA: F401
from chainer.dataset.convert import to_device  # NOQA: F401
from chainer.dataset.dataset_mixin import DatasetMixin  # NOQA: F401
from chainer.dataset.download import cache_or_load_file  # NOQA: F401
from chainer.dataset.download import cached_download  # NOQA: F401
from chainer.dataset.download import get_dataset_directory  # NOQA: F401
from chainer.dataset.download import get_dataset_root  # NOQA: F401
from chainer.dataset.download import set_dataset_root  # NOQA: F401
from chainer.dataset.iterator import Iterator  # NOQA: F401
from chainer.dataset.tabular.tabular_dataset import TabularDataset  # NOQA: F401
