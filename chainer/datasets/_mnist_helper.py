"""Reading MNIST-style IDX files and turning them into datasets."""
from __future__ import annotations

import gzip
from typing import Any, Sequence

import numpy

from chainer.datasets import _retrieve
from chainer.datasets import tuple_dataset


def _read_idx(path: str, magic: int, what: str) -> tuple:
    with gzip.open(path, 'rb') as f:
        data = f.read()
    if len(data) < 8:
        raise RuntimeError(f'{what} file {path} is truncated')
    got_magic, n = numpy.frombuffer(data[:8], '>i4')
    if got_magic != magic:
        raise RuntimeError(
            f'{what} file {path} is not an IDX file of the expected kind '
            f'(magic number {int(got_magic):#010x}, expected {magic:#010x})')
    return int(n), data


def make_npz(path: str, urls: Sequence[Any]) -> dict:
    """Reads the gzip'd IDX image and label files and saves them as ``x``/``y``."""
    x_urls, y_urls = urls
    x_path = _retrieve.download_first(x_urls)
    y_path = _retrieve.download_first(y_urls)
    n, x_data = _read_idx(x_path, 0x00000803, 'image')
    n_labels, y_data = _read_idx(y_path, 0x00000801, 'label')
    if n != n_labels:
        raise RuntimeError(
            f'wrong pair of MNIST images and labels: {n} images, {n_labels} labels')
    rows, cols = numpy.frombuffer(x_data[8:16], '>i4')
    size = int(rows) * int(cols)
    x = numpy.frombuffer(x_data, numpy.uint8, n * size, 16).reshape(n, size).copy()
    y = numpy.frombuffer(y_data, numpy.uint8, n, 8).copy()
    numpy.savez_compressed(path, x=x, y=y)
    return {'x': x, 'y': y}


def preprocess_mnist(raw: Any, withlabel: bool, ndim: int, scale: float, image_dtype: Any,
                     label_dtype: Any, rgb_format: bool) -> Any:
    images = raw['x']
    side = int(round(numpy.sqrt(images.shape[1]))) if images.ndim == 2 else 28
    if ndim == 2:
        images = images.reshape(-1, side, side)
    elif ndim == 3:
        images = images.reshape(-1, 1, side, side)
        if rgb_format:
            images = numpy.broadcast_to(images, (len(images), 3) + images.shape[2:])
    elif ndim != 1:
        raise ValueError(f'invalid ndim for MNIST dataset: {ndim} (must be 1, 2 or 3)')
    images = images.astype(image_dtype)
    images *= image_dtype.type(scale / 255.)
    if withlabel:
        labels = raw['y'].astype(label_dtype)
        return tuple_dataset.TupleDataset(images, labels)
    return images


def get_mnist_like(dataset_dir: str, what: str, train_urls: Sequence[Any],
                   test_urls: Sequence[Any], withlabel: bool, ndim: int, scale: float,
                   dtype: Any, label_dtype: Any, rgb_format: bool) -> tuple:
    import chainer
    dtype = numpy.dtype(chainer.get_dtype(dtype))
    if ndim not in (1, 2, 3):
        raise ValueError(f'invalid ndim for MNIST dataset: {ndim} (must be 1, 2 or 3)')
    out = []
    for name, urls, part in (('train.npz', train_urls, 'training'),
                             ('test.npz', test_urls, 'test')):
        raw = _retrieve.retrieve(
            dataset_dir, name, lambda path, urls=urls: make_npz(path, urls),
            _retrieve.load_npz, f"The {what} {part} set")
        out.append(preprocess_mnist(raw, withlabel, ndim, scale, dtype, label_dtype,
                                    rgb_format))
    return tuple(out)
