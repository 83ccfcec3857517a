"""Fashion-MNIST: 28x28 grayscale images of clothing in ten classes."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

from chainer.datasets import _mnist_helper
from chainer.datasets._mnist_helper import make_npz, preprocess_mnist  # NOQA: F401 (Chainer's names)

if TYPE_CHECKING:
    from chainer.types import DTypeSpec

_BASE = 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'


def _urls(kind: str) -> list:
    return [[_BASE + f'{kind}-images-idx3-ubyte.gz'],
            [_BASE + f'{kind}-labels-idx1-ubyte.gz']]


def get_fashion_mnist_labels() -> list:
    """Returns the class names of Fashion-MNIST (a new list), indexed by label."""
    return ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal',
            'Shirt', 'Sneaker', 'Bag', 'Ankle boot']


def get_fashion_mnist(withlabel: bool = True, ndim: int = 1, scale: float = 1.,
                      dtype: DTypeSpec | None = None, label_dtype: DTypeSpec = numpy.int32,
                      rgb_format: bool = False) -> tuple:
    """Returns the Fashion-MNIST ``(train, test)`` datasets; options as :func:`get_mnist`.

    Cached in ``<dataset root>/pfnet/chainer/fashion-mnist``.
    """
    return _mnist_helper.get_mnist_like(
        'pfnet/chainer/fashion-mnist', 'Fashion-MNIST', _urls('train'), _urls('t10k'),
        withlabel, ndim, scale, dtype, label_dtype, rgb_format)
