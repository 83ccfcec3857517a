"""Kuzushiji-MNIST: 28x28 images of ten cursive Japanese (hiragana) characters."""
from __future__ import annotations

from typing import TYPE_CHECKING

import numpy

import chainer
from chainer.datasets import _mnist_helper
from chainer.datasets._mnist_helper import make_npz, preprocess_mnist  # NOQA: F401 (Chainer's names)

if TYPE_CHECKING:
    from chainer.types import DTypeSpec

_BASE = 'http://codh.rois.ac.jp/kmnist/dataset/kmnist/'


def _urls(kind: str) -> list:
    return [[_BASE + f'{kind}-images-idx3-ubyte.gz'],
            [_BASE + f'{kind}-labels-idx1-ubyte.gz']]


def get_kuzushiji_mnist_labels() -> list:
    """Returns ``(romaji, character)`` pairs naming the classes, indexed by label."""
    return [('o', '\u304A'), ('ki', '\u304D'), ('su', '\u3059'), ('tsu', '\u3064'),
            ('na', '\u306A'), ('ha', '\u306F'), ('ma', '\u307E'), ('ya', '\u3084'),
            ('re', '\u308C'), ('wo', '\u3092')]


def get_kuzushiji_mnist(withlabel: bool = True, ndim: int = 1, scale: float = 1.,
                        dtype: DTypeSpec | None = None, label_dtype: DTypeSpec = numpy.int32,
                        rgb_format: bool = False) -> tuple:
    """Returns the Kuzushiji-MNIST ``(train, test)`` datasets; options as :func:`get_mnist`.

    Cached in ``<dataset root>/pfnet/chainer/kuzushiji_mnist``.
    """
    chainer.get_dtype(dtype)  # checked before anything is read, as in Chainer
    return _mnist_helper.get_mnist_like(
        'pfnet/chainer/kuzushiji_mnist', 'Kuzushiji-MNIST', _urls('train'),
        _urls('t10k'), withlabel, ndim, scale, dtype, label_dtype, rgb_format)
