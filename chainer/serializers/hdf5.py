"""Saving and loading objects to and from HDF5 files (needs the optional h5py).

Layout as Chainer's: a group per ``serializer[name]`` level and a dataset per
value; ``None`` is an empty dataset (``h5py.Empty``). Strings are stored as
UTF-8 string datasets. Loading checks every requested key, shape and dtype
before copying anything, so a failed load leaves the target's arrays unchanged;
saving to a path goes through a temporary file renamed over the target.
"""
from __future__ import annotations

import errno
import io
import os
from typing import Any

import numpy

from chainer import serializer as serializer_module
from chainer.serializers import _loading
from chainer.serializers import npz
from chainer.utils import _atomic
from chainer.utils.error import _NotSerializableError

__all__ = ['HDF5Serializer', 'HDF5Deserializer', 'save_hdf5', 'load_hdf5']


def _is_h5py_available() -> bool:
    try:
        import h5py  # NOQA: F401
    except ImportError:
        return False
    return True


#: Whether h5py can be imported (Chainer's name for it).
_available = _is_h5py_available()


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
            data = npz._host_array(value)
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
        self._session: _loading.LoadSession | None = None
        self.checking = False

    def _derive(self, group: Any, path: str, session: _loading.LoadSession | None,
                checking: bool) -> 'HDF5Deserializer':
        child = HDF5Deserializer.__new__(HDF5Deserializer)
        child.group = group
        child.strict = self.strict
        child._path = path
        child._root = self._root
        child._session = session
        child.checking = checking
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
        return self._derive(child, self._path + key + '/', self._session, self.checking)

    def describe_key(self, key: str) -> str:
        """``key`` (relative to this deserializer) with the file it is read from."""
        return f'{self._path + key.lstrip("/")!r} in {_file_name(self._root)}'

    def _get_session(self) -> _loading.LoadSession:
        if self._session is None:
            self._session = self._new_session()
        return self._session

    def _new_session(self) -> _loading.LoadSession:
        root = self._root
        where = _file_name(root)

        def read(full_key: str) -> Any:
            return _read_dataset(root, full_key, where)
        return _loading.LoadSession(where, read, private=True)

    def load(self, obj: Any) -> None:
        """Loads ``obj``: a checking pass that writes no array, then the copying pass."""
        if not callable(getattr(obj, 'serialize', None)):
            raise _NotSerializableError(
                f'cannot load a {type(obj).__name__}: only objects with a '
                'serialize(serializer) method (links, optimizers, trainers, ...) can be '
                'saved and loaded')
        session = self._new_session()
        _loading.load_in_two_passes(
            obj, session, lambda checking: self._derive(self.group, self._path, session, checking))

    def __call__(self, key: str, value: Any) -> Any:
        key = key.lstrip('/')
        full_key = self._path + key
        restoring = self._session is not None and self._session.restoring
        if self.group is None or key not in self.group:
            if not self.strict or restoring:
                return value
            if self.group is None:
                raise _MissingGroupError(f'{full_key!r} is not in {_file_name(self._root)} '
                                         f'(it has no group {self._path.rstrip("/")!r})')
            raise KeyError(f'{full_key!r} is not in {_file_name(self._root)}')
        group_path = self.group.name.strip('/')
        session_key = f'{group_path}/{key}' if group_path else key
        if restoring:
            return self._session.restored(session_key, value)
        return self._get_session().resolve(session_key, value, self.checking)


class _MissingGroupError(KeyError, ValueError):
    """A key under a group the file lacks: Chainer raised ValueError here, KeyError for a
    missing dataset of an existing group; this is both."""


def _read_dataset(root: Any, key: str, where: str) -> Any:
    """The dataset ``key`` (its path in the file) as an array or :data:`_loading.NONE`."""
    h5py = _h5py()
    dataset = root['/' + key]
    if not isinstance(dataset, h5py.Dataset):
        raise ValueError(f'{key!r} in {where} is a group, not a dataset')
    try:
        if dataset.shape is None:
            return _loading.NONE
        if h5py.check_string_dtype(dataset.dtype) is not None:
            loaded = numpy.asarray(dataset.asstr()[()], dtype=str)
        else:
            loaded = numpy.asarray(dataset[()])
    except (OSError, ValueError, TypeError, RuntimeError) as e:
        # Also an OSError, as h5py's own read error was under Chainer.
        raise _loading.CorruptHDF5Error(f'{where} is corrupt: cannot read {key!r}: {e}') from e
    if loaded.dtype.hasobject:
        return _loading.BadEntry(
            f'{where}: {key!r} holds Python objects (dtype {dataset.dtype}), '
            'which cannot be loaded')
    return loaded


def _write(serializer: HDF5Serializer, obj: Any) -> None:
    if not isinstance(obj, dict):
        serializer.save(obj)
        return
    for key, value in npz.serialized_dict(obj).items():
        serializer(key, None if value.dtype == npz.NONE_MARKER_DTYPE else value)


def save_hdf5(filename: Any, obj: Any, compression: int = 4) -> None:
    """Saves the state of ``obj`` to an HDF5 file.

    The file image is built in memory and a path is then written through the
    library's atomic writer (temporary file, fsync, rename): an interrupted
    save never leaves a partial file, and a full disk raises ``OSError``
    naming the path with the old file kept.

    Args:
        filename: Path or writable binary file object.
        obj: Object to save (anything with ``serialize``), or a dict of
            arrays already serialized (``chainer.serializers.npz.serialize``),
            written key by key.
        compression: gzip level (0-9).
    """
    h5py = _h5py()
    if not isinstance(obj, dict) and not callable(getattr(obj, 'serialize', None)):
        raise _NotSerializableError(
            f'cannot save a {type(obj).__name__}: only objects with a '
            'serialize(serializer) method (links, optimizers, trainers, ...) can be '
            'saved and loaded')
    if not _loading.is_path(filename):
        with h5py.File(filename, 'w') as f:
            _write(HDF5Serializer(f, compression=compression), obj)
        return
    image = io.BytesIO()
    with h5py.File(image, 'w') as f:
        _write(HDF5Serializer(f, compression=compression), obj)
    _atomic.write_with(filename, lambda out: out.write(image.getbuffer()))


def load_hdf5(filename: Any, obj: Any) -> None:
    """Loads the state of ``obj`` from an HDF5 file written by :func:`save_hdf5` or Chainer.

    Every requested key, shape, dtype and conversion is checked before
    anything is assigned, so a failed load leaves ``obj`` as it was.

    Raises:
        FileNotFoundError: The file does not exist.
        ValueError: The file is not a regular file or not HDF5, is truncated or
            corrupt, or a shape differs.
        KeyError: A key is missing.
        TypeError: A stored dtype cannot be cast to the target's.
    """
    h5py = _h5py()
    if _loading.is_path(filename):
        name = os.fsdecode(os.fspath(filename))
        where = f"HDF5 file '{name}'"
        if not os.path.exists(name):
            raise FileNotFoundError(errno.ENOENT, 'No such file or directory', name)
        _loading.check_regular_file(name, where)
    else:
        where = 'the HDF5 data'
    try:
        f = h5py.File(filename, 'r')
    except FileNotFoundError:
        raise
    except (OSError, ValueError) as e:
        raise _loading.CorruptHDF5Error(
            f'{where} is not a readable HDF5 file (truncated or corrupt?): {e}') \
            from e
    with f:
        HDF5Deserializer(f).load(obj)
