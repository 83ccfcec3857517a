"""Shared logic of the dataset loaders: cached .npz files in the dataset root."""
from __future__ import annotations

import gzip
import os
import tarfile
import zipfile
import zlib
from typing import Any, Callable, Sequence, TypeVar

import numpy

from chainer.dataset import download

T = TypeVar('T')

# What reading a damaged source file raises, besides the loaders' own RuntimeErrors.
_SOURCE_ERRORS = (OSError, EOFError, ValueError, KeyError, IndexError, TypeError,
                  AttributeError, RuntimeError, zlib.error, gzip.BadGzipFile, tarfile.TarError,
                  zipfile.BadZipFile, UnicodeDecodeError, NotImplementedError)


class CorruptSourceError(RuntimeError):
    """A downloaded or cached dataset file is truncated, corrupt or not what it should be."""


def _discard(path: str) -> bool:
    try:
        os.remove(path)
    except FileNotFoundError:
        return False
    except OSError:
        return False
    return True


def read_source(paths: str | Sequence[str], what: str, reader: Callable[[], T]) -> T:
    """Runs ``reader()``, which reads the cached file(s) ``paths``.

    If reading fails the files are removed from the cache (so that the next
    call downloads them again) and :class:`CorruptSourceError` is raised
    naming them.
    """
    if isinstance(paths, str):
        paths = [paths]
    try:
        return reader()
    except download.DownloadError:
        raise
    except _SOURCE_ERRORS as e:
        removed = [p for p in paths if _discard(p)]
        names = ', '.join(paths)
        note = ('; removed from the cache so that the next call fetches it again'
                if removed else '')
        detail = str(e) if isinstance(e, CorruptSourceError) else f'{type(e).__name__}: {e}'
        raise CorruptSourceError(f'{what} ({names}) cannot be used: {detail}{note}') from e


def download_first(urls: Sequence[str]) -> str:
    """Downloads (or finds in the cache) the first of ``urls`` that works."""
    errors = []
    for url in urls:
        try:
            return download.cached_download(url)
        except download.DownloadError as e:
            errors.append(str(e))
    raise download.DownloadError('; '.join(errors))


def retrieve(dataset_dir: str, name: str, creator: Callable[[str], Any],
             loader: Callable[[str], Any], what: str) -> Any:
    """Loads ``<root>/<dataset_dir>/<name>``, building it with ``creator`` if missing.

    When the source files cannot be downloaded the error names the file the
    loader expected, so that it can be put there by hand.
    """
    root = download.get_dataset_directory(dataset_dir)
    path = os.path.join(root, name)

    def checked_loader(p: str) -> Any:
        return read_source(p, f'The cached file of {what[0].lower() + what[1:]}',
                           lambda: loader(p))
    try:
        return download.cache_or_load_file(path, creator, checked_loader)
    except download.DownloadError as e:
        raise download.DownloadError(
            f'{what} is not in the dataset root and could not be downloaded. '
            f'Expected file: {path} (the dataset root is '
            f'{download.get_dataset_root()}; set CHAINER_DATASET_ROOT or '
            f'chainer.dataset.set_dataset_root to change it). Cause: {e}') from e


def load_npz(path: str) -> dict:
    """Loads every array of an ``.npz`` file (no pickles) and closes it."""
    with numpy.load(path, allow_pickle=False) as f:
        return {key: f[key] for key in f.files}


def scaled_images(images: Any, scale: float, dtype: Any) -> Any:
    """``images`` (bytes 0..255) as ``dtype`` in ``[0, scale]``.

    Only floating dtypes can hold the scaled values: an integer ``dtype`` is
    a ``TypeError``, as in Chainer (scaling in place would truncate to zeros).
    """
    dtype = numpy.dtype(dtype)
    if dtype.kind != 'f':
        raise TypeError(
            f'images cannot be scaled into dtype {dtype}; give a floating dtype')
    images = images.astype(dtype)
    images *= dtype.type(scale / 255.)
    return images
