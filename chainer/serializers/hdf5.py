"""Saving and loading objects to and from HDF5 files (needs the optional h5py).

Layout as Chainer's: a group per ``serializer[name]`` level and a dataset per
value; ``None`` is an empty dataset (``h5py.Empty``). Strings are stored as
UTF-8 string datasets. Loading checks every requested key, shape and dtype
before copying anything, so a failed load leaves the target's arrays unchanged;
saving to a path goes through a temporary file renamed over the target.
"""
from __future__ import annotations

import errno
import os
from typing import Any

import numpy

from chainer import backend
from chainer import serializer as serializer_module
from chainer.backends import _cpu
from chainer.serializers.npz import _NONE, _check_array_target, _checking_quietly, \
    _convert_scalar, _is_path, _replacing

__all__ = ['HDF5Serializer', 'HDF5Deserializer', 'save_hdf5', 'load_hdf5']


def _h5py() -> Any:
    try:
        import h5py
    except ImportError as e:
        raise RuntimeError(
            'h5py is not installed, so the HDF5 serializers are unavailable. '
            "Install it with: pip install h5py (or pip install 'rechainer[hdf5]')"
        ) from e
    return h5py


def _file_name(group: Any) -> str:
    try:
        return f"HDF5 file '{group.file.filename}'"
    except Exception:  # closed or in-memory files have no usable name
        return 'the HDF5 file'


class HDF5Serializer(serializer_module.Serializer):
    """Serializer writing values as datasets of an h5py group.

    Args:
        group: h5py ``File`` or ``Group`` to write into.
        compression: gzip level (0-9) for datasets of more than one element.
    """

    def __init__(self, group: Any, compression: int = 4) -> None:
        _h5py()
        self.group = group
        self.compression = compression

    def __getitem__(self, key: str) -> 'HDF5Serializer':
        return HDF5Serializer(self.group.require_group(key.strip('/')), self.compression)

    def __call__(self, key: str, value: Any) -> Any:
        h5py = _h5py()
        compression = None
        if value is None:
            data: Any = h5py.Empty('f')
        elif isinstance(value, str):
            data = value
        else:
            if isinstance(value, backend.get_array_types()):
                data = _cpu._array_to_cpu(value)
            else:
                data = numpy.asarray(value)
            if data.dtype.hasobject:
                raise TypeError(
                    f'cannot serialize {key!r}: a value of type {type(value).__name__} '
                    'becomes an object array, which HDF5 cannot store')
            if data.dtype.kind == 'U':
                data = data.astype(object)
                self.group.create_dataset(key, data=data, dtype=h5py.string_dtype())
                return value
            if data.size > 1:
                compression = self.compression
        self.group.create_dataset(key, data=data, compression=compression)
        return value


class _Session:
    """State shared by the deserializers of one :meth:`HDF5Deserializer.load` call."""

    __slots__ = ('cache', 'handed_out')

    def __init__(self) -> None:
        self.cache: dict = {}
        self.handed_out: set = set()


class HDF5Deserializer(serializer_module.Deserializer):
    """Deserializer reading datasets of an h5py group.

    Args:
        group: h5py ``File`` or ``Group`` to read from.
        strict: If ``False``, missing keys are skipped (the value is returned
            unchanged) instead of raising ``KeyError``.
    """

    def __init__(self, group: Any, strict: bool = True) -> None:
        _h5py()
        self.group = group
        self.strict = strict
        self._path = ''
        self._root = group
        self._session: _Session | None = None
        self._dry_run = False

    def _derive(self, group: Any, path: str, session: _Session | None,
                dry_run: bool) -> 'HDF5Deserializer':
        child = HDF5Deserializer.__new__(HDF5Deserializer)
        child.group = group
        child.strict = self.strict
        child._path = path
        child._root = self._root
        child._session = session
        child._dry_run = dry_run
        return child

    def __getitem__(self, key: str) -> 'HDF5Deserializer':
        key = key.strip('/')
        group = self.group
        # A missing group only matters once a key in it is read, as with NPZ.
        child = group[key] if group is not None and key in group else None
        if child is not None and not isinstance(child, _h5py().Group):
            raise ValueError(
                f'{self._path + key!r} in {_file_name(self._root)} is a dataset, '
                'not a group')
        return self._derive(child, self._path + key + '/', self._session, self._dry_run)

    def load(self, obj: Any) -> None:
        """Loads ``obj``: a checking pass that writes nothing, then the copying pass."""
        session = _Session()
        with _checking_quietly():
            obj.serialize(self._derive(self.group, self._path, session, True))
        obj.serialize(self._derive(self.group, self._path, session, False))

    def _read(self, key: str, full_key: str) -> Any:
        session = self._session
        if session is not None and full_key in session.cache:
            return session.cache[full_key]
        h5py = _h5py()
        where = _file_name(self._root)
        dataset = self.group[key]
        if not isinstance(dataset, h5py.Dataset):
            raise ValueError(f'{full_key!r} in {where} is a group, not a dataset')
        try:
            if dataset.shape is None:
                loaded: Any = _NONE
            elif h5py.check_string_dtype(dataset.dtype) is not None:
                loaded = numpy.asarray(dataset.asstr()[()], dtype=str)
            else:
                loaded = numpy.asarray(dataset[()])
        except (OSError, ValueError, TypeError) as e:
            raise ValueError(f'{where} is corrupt: cannot read {full_key!r}: {e}') from e
        if loaded is not _NONE and loaded.dtype.hasobject:
            raise ValueError(
                f'{where}: {full_key!r} holds Python objects (dtype {dataset.dtype}), '
                'which cannot be loaded')
        if session is not None:
            session.cache[full_key] = loaded
        return loaded

    def __call__(self, key: str, value: Any) -> Any:
        key = key.lstrip('/')
        full_key = self._path + key
        where = _file_name(self._root)
        if self.group is None or key not in self.group:
            if not self.strict:
                return value
            raise KeyError(f'{full_key!r} is not in {where}')
        loaded = self._read(key, full_key)
        if loaded is _NONE:
            return None
        if value is None:
            if self._dry_run:
                return None
            session = self._session
            if session is not None and full_key not in session.handed_out:
                session.handed_out.add(full_key)
                return loaded
            return loaded.copy()
        if isinstance(value, backend.get_array_types()):
            _check_array_target(full_key, where, value, loaded)
            if not self._dry_run:
                backend.copyto(value, loaded)
            return value
        converted = _convert_scalar(full_key, where, value, loaded)
        # Strings are returned while checking too: objects decide which keys
        # come next from metadata such as JSON-encoded names.
        if self._dry_run and not isinstance(value, str):
            return value
        return converted


def save_hdf5(filename: Any, obj: Any, compression: int = 4) -> None:
    """Saves the state of ``obj`` to an HDF5 file.

    A path is written through a temporary file in the same directory that is
    renamed over it, so an interrupted save never leaves a partial file there.

    Args:
        filename: Path or writable binary file object.
        obj: Object to save (anything with ``serialize``).
        compression: gzip level (0-9).
    """
    h5py = _h5py()
    if _is_path(filename):
        with _replacing(filename) as tmp:
            with h5py.File(tmp, 'w') as f:
                HDF5Serializer(f, compression=compression).save(obj)
    else:
        with h5py.File(filename, 'w') as f:
            HDF5Serializer(f, compression=compression).save(obj)


def load_hdf5(filename: Any, obj: Any) -> None:
    """Loads the state of ``obj`` from an HDF5 file written by :func:`save_hdf5` or Chainer.

    Raises:
        FileNotFoundError: The file does not exist.
        ValueError: The file is not HDF5, is truncated or corrupt, or a shape differs.
        KeyError: A key is missing.
        TypeError: A stored dtype cannot be cast to the target's.
    """
    h5py = _h5py()
    if _is_path(filename):
        name = os.fsdecode(os.fspath(filename))
        where = f"HDF5 file '{name}'"
        if not os.path.exists(name):
            raise FileNotFoundError(errno.ENOENT, 'No such file or directory', name)
    else:
        where = 'the HDF5 data'
    try:
        f = h5py.File(filename, 'r')
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as e:
        raise ValueError(f'{where} is not a readable HDF5 file (truncated or corrupt?): {e}') \
            from e
    with f:
        HDF5Deserializer(f).load(obj)
