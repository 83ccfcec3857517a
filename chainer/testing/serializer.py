"""Round trips through Chainer's serializers, for tests."""
from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from chainer import utils


def save_and_load(src: Any, dst: Any, filename: str, saver: Callable, loader: Callable) -> None:
    """Saves ``src`` to ``filename`` with ``saver`` and loads it into ``dst``."""
    saver(filename, src)
    loader(filename, dst)


def save_and_load_npz(src: Any, dst: Any) -> None:
    """Copies ``src``'s state into ``dst`` through a temporary NPZ file."""
    from chainer import serializers
    with utils.tempdir() as tempdir:
        path = os.path.join(tempdir, 'tmp.npz')
        save_and_load(src, dst, path, serializers.save_npz, serializers.load_npz)


def save_and_load_hdf5(src: Any, dst: Any) -> None:
    """Copies ``src``'s state into ``dst`` through a temporary HDF5 file."""
    from chainer import serializers
    with utils.tempdir() as tempdir:
        path = os.path.join(tempdir, 'tmp.h5')
        save_and_load(src, dst, path, serializers.save_hdf5, serializers.load_hdf5)
