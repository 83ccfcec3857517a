"""Round trips through Chainer's serializers, for tests."""
from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from chainer import utils


def save_and_load(src: Any, dst: Any, filename: str, saver: Callable, loader: Callable) -> None:
    """Saves ``src`` with ``saver`` and loads it into ``dst`` with ``loader``.

    The file is ``filename`` in a temporary directory, removed afterwards, as in
    Chainer (nothing is left in the working directory).
    """
    with utils.tempdir() as tempdir:
        path = os.path.join(tempdir, filename)
        saver(path, src)
        loader(path, dst)


def save_and_load_npz(src: Any, dst: Any) -> None:
    """Copies ``src``'s state into ``dst`` through a temporary NPZ file."""
    from chainer import serializers
    save_and_load(src, dst, 'tmp.npz', serializers.save_npz, serializers.load_npz)


def save_and_load_hdf5(src: Any, dst: Any) -> None:
    """Copies ``src``'s state into ``dst`` through a temporary HDF5 file."""
    from chainer import serializers
    save_and_load(src, dst, 'tmp.h5', serializers.save_hdf5, serializers.load_hdf5)
