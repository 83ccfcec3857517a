"""The Street View House Numbers (SVHN) dataset, cropped-digits format."""
from __future__ import annotations

from typing import Any

import numpy

import chainer
from chainer.datasets import _retrieve
from chainer.datasets import tuple_dataset

_BASE = 'http://ufldl.stanford.edu/housenumbers/'


def _make_npz(path: str, url: str) -> dict:
    try:
        from scipy import io
    except ImportError as e:  # pragma: no cover - SciPy is a dependency
        raise RuntimeError(f'SciPy is needed to read SVHN: {e}') from e
    raw = io.loadmat(_retrieve.download_first([url]))
    images = raw['X'].astype(numpy.uint8)
    labels = raw['y'].astype(numpy.uint8)
    numpy.savez_compressed(path, x=images, y=labels)
    return {'x': images, 'y': labels}


def _preprocess_svhn(raw: Any, withlabel: bool, scale: float, image_dtype: Any,
                     label_dtype: Any) -> Any:
    # .mat layout is (height, width, channel, N); make it (N, channel, height, width).
    images = raw['x'].transpose(3, 2, 0, 1).astype(image_dtype)
    images *= image_dtype.type(scale / 255.)
    labels = raw['y'].astype(label_dtype).flatten()
    labels[labels == 10] = 0  # SVHN labels the digit 0 as 10
    if withlabel:
        return tuple_dataset.TupleDataset(images, labels)
    return images


def get_svhn(withlabel: bool = True, scale: float = 1., dtype: Any = None,
             label_dtype: Any = numpy.int32, add_extra: bool = False) -> tuple:
    """Returns the SVHN ``(train, test)`` datasets, plus ``extra`` with ``add_extra``.

    Built once from the ``*_32x32.mat`` files into
    ``<dataset root>/pfnet/chainer/svhn``.  Images are ``(3, 32, 32)`` in
    ``[0, scale]``; the digit 0 has label 0.
    """
    dtype = numpy.dtype(chainer.get_dtype(dtype))
    parts = ['train', 'test'] + (['extra'] if add_extra else [])
    out = []
    for part in parts:
        url = _BASE + f'{part}_32x32.mat'
        raw = _retrieve.retrieve(
            'pfnet/chainer/svhn', f'{part}.npz', lambda path, url=url: _make_npz(path, url),
            _retrieve.load_npz, f'The SVHN {part} set')
        out.append(_preprocess_svhn(raw, withlabel, scale, dtype, label_dtype))
    return tuple(out)
