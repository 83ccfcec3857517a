"""Image datasets read with Pillow: files on disk or inside zip archives.

Images come out as ``(channels, height, width)`` arrays of ``dtype``
(``chainer.get_dtype()`` by default); grayscale images get one channel.
"""
from __future__ import annotations

import importlib.util
import io
import os
import threading
import zipfile
from typing import TYPE_CHECKING, Any

import numpy

import chainer
from chainer.dataset import dataset_mixin

if TYPE_CHECKING:
    from chainer.types import DTypeSpec

_Image: Any = None

#: Whether Pillow, which the image datasets need, is installed.
available: bool = importlib.util.find_spec('PIL') is not None


def _check_pillow() -> Any:
    # Pillow is optional and imported on first use (it is slow to import).
    global _Image
    if _Image is None:
        try:
            from PIL import Image
        except ImportError as e:
            raise ImportError(
                'Image datasets need Pillow, which is not installed '
                f'(pip install pillow): {e}') from e
        _Image = Image
    return _Image


def _read_image_as_array(path: Any, dtype: Any) -> numpy.ndarray:
    with _check_pillow().open(path) as f:
        image = numpy.asarray(f, dtype=dtype)
    return image


def _postprocess_image(image: numpy.ndarray) -> numpy.ndarray:
    if image.ndim == 2:
        image = image[:, :, numpy.newaxis]
    return image.transpose(2, 0, 1)


def _read_pairs(path: str) -> list:
    pairs = []
    with open(path) as f:
        for i, line in enumerate(f):
            pair = line.strip().split()
            if not pair:
                continue
            if len(pair) != 2:
                raise ValueError(
                    f'invalid format at line {i} in file {path}: expected '
                    f'"<path> <label>", got {line.strip()!r}')
            try:
                label = int(pair[1])
            except ValueError:
                raise ValueError(
                    f'invalid label at line {i} in file {path}: expected an '
                    f'integer, got {pair[1]!r}') from None
            pairs.append((pair[0], label))
    return pairs


class ImageDataset(dataset_mixin.DatasetMixin):
    """Images listed in ``paths`` (a list, or a text file with one path a line).

    Paths are relative to ``root``.
    """

    def __init__(self, paths: Any, root: str = '.', dtype: DTypeSpec | None = None) -> None:
        _check_pillow()
        if isinstance(paths, (str, os.PathLike)):
            with open(paths) as paths_file:
                paths = [path.strip() for path in paths_file if path.strip()]
        self._paths = list(paths)
        self._root = root
        self._dtype = chainer.get_dtype(dtype)

    def __len__(self) -> int:
        return len(self._paths)

    def get_example(self, i: int) -> numpy.ndarray:
        path = os.path.join(self._root, self._paths[i])
        return _postprocess_image(_read_image_as_array(path, self._dtype))


class LabeledImageDataset(dataset_mixin.DatasetMixin):
    """``(image, label)`` pairs from a list of ``(path, int)`` or a text file of
    ``"<path> <label>"`` lines; labels are 0-d arrays of ``label_dtype``."""

    def __init__(self, pairs: Any, root: str = '.', dtype: DTypeSpec | None = None,
                 label_dtype: DTypeSpec = numpy.int32) -> None:
        _check_pillow()
        if isinstance(pairs, (str, os.PathLike)):
            pairs = _read_pairs(os.fspath(pairs))
        self._pairs = list(pairs)
        self._root = root
        self._dtype = chainer.get_dtype(dtype)
        self._label_dtype = label_dtype

    def __len__(self) -> int:
        return len(self._pairs)

    def get_example(self, i: int) -> tuple:
        path, int_label = self._pairs[i]
        full_path = os.path.join(self._root, path)
        image = _postprocess_image(_read_image_as_array(full_path, self._dtype))
        label = numpy.array(int_label, dtype=self._label_dtype)
        return image, label


class _ZipReader:
    # A zip file handle that is reopened after fork and not pickled, so that
    # the dataset works with MultiprocessIterator.

    def __init__(self, zipfilename: str) -> None:
        self._zipfilename = os.fspath(zipfilename)
        self._lock = threading.Lock()
        self._zf: Any = None
        self._pid: Any = None

    def _file(self) -> zipfile.ZipFile:
        pid = os.getpid()
        if self._zf is None or self._pid != pid:
            self._zf = zipfile.ZipFile(self._zipfilename)
            self._pid = pid
        return self._zf

    def namelist(self) -> list:
        with self._lock:
            return self._file().namelist()

    def read(self, name: str) -> bytes:
        with self._lock:
            return self._file().read(name)

    def __getstate__(self) -> dict:
        return {'_zipfilename': self._zipfilename}

    def __setstate__(self, state: dict) -> None:
        self.__init__(state['_zipfilename'])


def _setstate(self: Any, state: Any) -> None:
    from chainer import _pickle_compat  # Chainer's pickles have another layout
    _pickle_compat.set_state(self, state, None, _pickle_compat.zipped_image_dataset_state)


class ZippedImageDataset(dataset_mixin.DatasetMixin):
    """All images inside the zip file ``zipfilename`` (directories skipped)."""

    __setstate__ = _setstate

    def __init__(self, zipfilename: str, dtype: DTypeSpec | None = None) -> None:
        _check_pillow()
        self._zipfilename = zipfilename
        self._zf = _ZipReader(zipfilename)
        self._paths = [x for x in self._zf.namelist() if not x.endswith('/')]
        self._dtype = chainer.get_dtype(dtype)

    def __len__(self) -> int:
        return len(self._paths)

    def get_example(self, i_or_filename: Any) -> numpy.ndarray:
        if isinstance(i_or_filename, (int, numpy.integer)):
            name = self._paths[i_or_filename]
        else:
            name = i_or_filename
        image = _read_image_as_array(io.BytesIO(self._zf.read(name)), self._dtype)
        return _postprocess_image(image)


class MultiZippedImageDataset(dataset_mixin.DatasetMixin):
    """The images of several zip files, one archive after another."""

    __setstate__ = _setstate

    def __init__(self, zipfilenames: Any, dtype: DTypeSpec | None = None) -> None:
        _check_pillow()
        self._zds = [ZippedImageDataset(fn, dtype) for fn in zipfilenames]
        self._zpaths_accumlens = [0]
        for zd in self._zds:
            self._zpaths_accumlens.append(self._zpaths_accumlens[-1] + len(zd))

    def __len__(self) -> int:
        return self._zpaths_accumlens[-1]

    def get_example(self, i: int) -> numpy.ndarray:
        i = dataset_mixin._wrap_index(i, len(self))
        for z, zd in enumerate(self._zds):
            if i < self._zpaths_accumlens[z + 1]:
                return zd.get_example(int(i - self._zpaths_accumlens[z]))
        raise IndexError('dataset index out of range')


class LabeledZippedImageDataset(dataset_mixin.DatasetMixin):
    """``(image, label)`` pairs: images inside a zip file, labels from the text file
    ``labelfilename`` of ``"<path in zip> <label>"`` lines."""

    __setstate__ = _setstate

    def __init__(self, zipfilename: str, labelfilename: str, dtype: DTypeSpec | None = None,
                 label_dtype: DTypeSpec = numpy.int32) -> None:
        _check_pillow()
        # In Chainer's order: the label file, then the zip file (opened here,
        # so that a missing or broken one fails now), then the dtype.
        self._pairs = _read_pairs(labelfilename)
        self._label_dtype = label_dtype
        self._zipfilename = zipfilename
        self._zf = _ZipReader(zipfilename)
        self._zf.namelist()
        self._dtype = chainer.get_dtype(dtype)

    def __len__(self) -> int:
        return len(self._pairs)

    def get_example(self, i: int) -> tuple:
        path, int_label = self._pairs[i]
        image = _read_image_as_array(io.BytesIO(self._zf.read(path)), self._dtype)
        label = numpy.array(int_label, dtype=self._label_dtype)
        return _postprocess_image(image), label
