"""The Street View House Numbers (SVHN) dataset, cropped-digits format."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy

import chainer
from chainer.datasets import _retrieve
from chainer.datasets import tuple_dataset

if TYPE_CHECKING:
    from chainer.types import DTypeSpec

_BASE = 'http://ufldl.stanford.edu/housenumbers/'


# Images in the largest part ('extra') of the cropped-digits SVHN.
_MAX_EXAMPLES = 531131


def _read_mat(mat_path: str) -> tuple:
    from scipy import io

    def fail(message: str) -> None:
        raise _retrieve.CorruptSourceError(f'SVHN file {mat_path} {message}')

    # The headers first: shapes are checked before anything is allocated.
    try:
        shapes = {name: shape for name, shape, _ in io.whosmat(mat_path)}
    except Exception as e:  # SciPy raises several types (MatReadError, ValueError, ...)
        raise _retrieve.CorruptSourceError(
            f'SVHN file {mat_path} is not a readable MATLAB file: {e}') from e
    if 'X' not in shapes or 'y' not in shapes:
        fail(f'lacks the variables X and y (it has {sorted(shapes)})')
    x_shape, y_shape = tuple(shapes['X']), tuple(shapes['y'])
    if len(x_shape) != 4 or x_shape[:3] != (32, 32, 3):
        fail(f'holds X of shape {x_shape}, not (32, 32, 3, N)')
    n = x_shape[3]
    if n > _MAX_EXAMPLES:
        fail(f'claims {n} images, more than the {_MAX_EXAMPLES} of the largest SVHN part')
    if len(y_shape) > 2 or int(numpy.prod(y_shape)) != n:  # MATLAB stores no images as y (0, 0)
        fail(f'holds y of shape {y_shape} for {n} images')
    try:
        raw = io.loadmat(mat_path, variable_names=['X', 'y'])
    except Exception as e:
        raise _retrieve.CorruptSourceError(
            f'SVHN file {mat_path} is not a readable MATLAB file: {e}') from e
    images = numpy.asarray(raw['X'])
    labels = numpy.asarray(raw['y'])  # cached in its stored shape, as Chainer did
    if images.shape != x_shape or images.dtype.kind not in 'uif' or labels.dtype.kind not in 'uif':
        fail('holds data of an unexpected type')
    if labels.size and (labels.min() < 0 or labels.max() > 10):
        fail('holds labels outside 0..10')
    return images.astype(numpy.uint8), labels.astype(numpy.uint8)


def _make_npz(path: str, url: str) -> dict:
    mat_path = _retrieve.download_first([url])
    images, labels = _retrieve.read_source(mat_path, 'The SVHN source file',
                                           lambda: _read_mat(mat_path))
    numpy.savez_compressed(path, x=images, y=labels)
    return {'x': images, 'y': labels}


def _preprocess_svhn(raw: Any, withlabel: bool, scale: float, image_dtype: Any,
                     label_dtype: Any) -> Any:
    # .mat layout is (height, width, channel, N); make it (N, channel, height, width).
    images = _retrieve.scaled_images(raw['x'].transpose(3, 2, 0, 1), scale, image_dtype)
    labels = raw['y'].astype(label_dtype).flatten()
    labels[labels == 10] = 0  # SVHN labels the digit 0 as 10
    if withlabel:
        return tuple_dataset.TupleDataset(images, labels)
    return images


def get_svhn(withlabel: bool = True, scale: float = 1., dtype: DTypeSpec | None = None,
             label_dtype: DTypeSpec = numpy.int32, add_extra: bool = False) -> tuple:
    """Returns the SVHN ``(train, test)`` datasets, plus ``extra`` with ``add_extra``.

    Built once from the ``*_32x32.mat`` files into
    ``<dataset root>/pfnet/chainer/svhn``.  Images are ``(3, 32, 32)`` in
    ``[0, scale]``; the digit 0 has label 0.
    """
    parts = ['train', 'test'] + (['extra'] if add_extra else [])
    out = []
    for part in parts:
        url = _BASE + f'{part}_32x32.mat'
        raw = _retrieve.retrieve(
            'pfnet/chainer/svhn', f'{part}.npz', lambda path, url=url: _make_npz(path, url),
            _retrieve.load_npz, f'The SVHN {part} set')
        if not out:  # the dtype is checked once the training set is cached, as in Chainer
            dtype = numpy.dtype(chainer.get_dtype(dtype))
        out.append(_preprocess_svhn(raw, withlabel, scale, dtype, label_dtype))
    return tuple(out)
