"""Reading MNIST-style IDX files and turning them into datasets."""
from __future__ import annotations

import gzip
from typing import Any, Sequence

import numpy

from chainer.datasets import _retrieve
from chainer.datasets import tuple_dataset


_SIDE = 28
# The largest part (the training set) of MNIST, Fashion-MNIST and Kuzushiji-MNIST.
_MAX_EXAMPLES = 60000


def _read_idx(path: str, magic: int, what: str, max_items: int) -> tuple:
    """Reads an IDX file of at most ``max_items`` 28x28 images or labels: ``(n, bytes)``."""
    def fail(message: str) -> None:
        raise _retrieve.CorruptSourceError(f'{what} file {path} {message}')

    with gzip.open(path, 'rb') as f:
        header = f.read(8)
        if len(header) < 8:
            fail('is truncated')
        got_magic, n = (int(v) for v in numpy.frombuffer(header, '>i4'))
        if got_magic != magic:
            fail('is not an IDX file of the expected kind '
                 f'(magic number {got_magic:#010x}, expected {magic:#010x})')
        if not 0 <= n <= max_items:
            fail(f'claims {n} items, more than the {max_items} the dataset has')
        size = 1
        if magic == 0x00000803:
            dims = f.read(8)
            if len(dims) < 8:
                fail('is truncated')
            rows, cols = (int(v) for v in numpy.frombuffer(dims, '>i4'))
            if (rows, cols) != (_SIDE, _SIDE):
                fail(f'holds {rows}x{cols} images, not {_SIDE}x{_SIDE}')
            size = rows * cols
        data = f.read(n * size)
        if len(data) < n * size:
            fail(f'is truncated ({len(data)} of {n * size} data bytes)')
        if f.read(1):
            fail('has data after its last item')
    return n, data


def make_npz(path: str, urls: Sequence[Any]) -> dict:
    """Reads the gzip'd IDX image and label files and saves them as ``x``/``y`` in ``path``."""
    x_urls, y_urls = urls
    x_path = _retrieve.download_first(x_urls)
    y_path = _retrieve.download_first(y_urls)
    limit = _MAX_EXAMPLES

    def read() -> tuple:
        n, x_data = _read_idx(x_path, 0x00000803, 'image', limit)
        n_labels, y_data = _read_idx(y_path, 0x00000801, 'label', limit)
        if n != n_labels:
            raise _retrieve.CorruptSourceError(
                f'wrong pair of MNIST images and labels: {n} images, {n_labels} labels')
        x = numpy.frombuffer(x_data, numpy.uint8).reshape(n, _SIDE * _SIDE).copy()
        y = numpy.frombuffer(y_data, numpy.uint8).copy()
        return x, y

    x, y = _retrieve.read_source([x_path, y_path], 'The MNIST-style source files', read)
    numpy.savez_compressed(path, x=x, y=y)
    return {'x': x, 'y': y}


def preprocess_mnist(raw: Any, withlabel: bool, ndim: int, scale: float, image_dtype: Any,
                     label_dtype: Any, rgb_format: bool) -> Any:
    """Turns the raw ``x``/``y`` arrays into the dataset :func:`get_mnist` returns."""
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
    images = _retrieve.scaled_images(images, scale, image_dtype)
    if withlabel:
        labels = raw['y'].astype(label_dtype)
        return tuple_dataset.TupleDataset(images, labels)
    return images


def get_mnist_like(dataset_dir: str, what: str, train_urls: Sequence[Any],
                   test_urls: Sequence[Any], withlabel: bool, ndim: int, scale: float,
                   dtype: Any, label_dtype: Any, rgb_format: bool) -> tuple:
    import chainer
    # A bad ndim or dtype is refused after the training set is cached, as in
    # Chainer (get_mnist and get_kuzushiji_mnist check the dtype before).
    out = []
    for name, urls, part in (('train.npz', train_urls, 'training'),
                             ('test.npz', test_urls, 'test')):
        raw = _retrieve.retrieve(
            dataset_dir, name, lambda path, urls=urls: make_npz(path, urls),
            _retrieve.load_npz, f"The {what} {part} set")
        if not out:
            dtype = numpy.dtype(chainer.get_dtype(dtype))
        out.append(preprocess_mnist(raw, withlabel, ndim, scale, dtype, label_dtype,
                                    rgb_format))
    return tuple(out)
