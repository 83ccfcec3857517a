"""The MNIST handwritten digits."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer.datasets import _mnist_helper
from chainer.datasets._mnist_helper import make_npz, preprocess_mnist  # NOQA: F401 (Chainer's names)

if TYPE_CHECKING:
    from chainer.types import DTypeSpec

_BASES = ('http://yann.lecun.com/exdb/mnist/',
          'https://ossci-datasets.s3.amazonaws.com/mnist/')


def _urls(kind: str) -> list:
    return [[b + f'{kind}-images-idx3-ubyte.gz' for b in _BASES],
            [b + f'{kind}-labels-idx1-ubyte.gz' for b in _BASES]]


def get_mnist(withlabel: bool = True, ndim: int = 1, scale: float = 1.,
              dtype: DTypeSpec | None = None, label_dtype: DTypeSpec = numpy.int32,
              rgb_format: bool = False) -> tuple:
    """Returns the MNIST ``(train, test)`` datasets (60000 and 10000 examples).

    Downloaded once into ``<dataset root>/pfnet/chainer/mnist`` (``train.npz``,
    ``test.npz``).  Images are scaled to ``[0, scale]``; ``ndim`` 1 gives
    784-vectors, 2 gives 28x28 and 3 gives 1x28x28 (3x28x28 with
    ``rgb_format``).  With ``withlabel`` each part is a TupleDataset of
    ``(image, label)``, else an array of images.
    """
    chainer.get_dtype(dtype)  # checked before anything is read, as in Chainer
    return _mnist_helper.get_mnist_like(
        'pfnet/chainer/mnist', 'MNIST', _urls('train'), _urls('t10k'), withlabel,
        ndim, scale, dtype, label_dtype, rgb_format)
