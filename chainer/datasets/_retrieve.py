"""Shared logic of the dataset loaders: cached .npz files in the dataset root."""
from __future__ import annotations

import os
from typing import Any, Callable, Sequence

from chainer.dataset import download


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
    try:
        return download.cache_or_load_file(path, creator, loader)
    except download.DownloadError as e:
        raise download.DownloadError(
            f'{what} is not in the dataset root and could not be downloaded. '
            f'Expected file: {path} (the dataset root is '
            f'{download.get_dataset_root()}; set CHAINER_DATASET_ROOT or '
            f'chainer.dataset.set_dataset_root to change it). Cause: {e}') from e


def load_npz(path: str) -> dict:
    """Loads every array of an ``.npz`` file (no pickles) and closes it."""
    import numpy
    with numpy.load(path, allow_pickle=False) as f:
        return {key: f[key] for key in f.files}
