"""Saving and loading objects to and from NumPy NPZ archives.

The key layout is Chainer's: each value lives under the ``/``-joined path of
names that ``serialize`` methods descend through (``'l1/W'``,
``'predictor/l1/b'``, ``'updater/optimizer:main/t'``...).

Loading never unpickles. Files written by Chainer store ``None`` as a pickled
0-d object array; such an entry is recognised by statically decoding its opcodes
(nothing is imported or called) and read back as ``None``. Any other object array
is refused with an error naming its key. Saving writes ``None`` as the same fixed
bytes Chainer wrote, so Chainer reads our files; in memory (:func:`serialize`,
:class:`DictionarySerializer`) it is an empty array of :data:`NONE_MARKER_DTYPE`
(a structured dtype with a single ``'__None__'`` field, which no real data uses).

Loading is two-phase: :meth:`NpzDeserializer.load` first visits the target in
a checking pass that reads every requested member (only those) and checks
keys, shapes, dtypes and conversions without changing anything, then copies
the values in. A failed load leaves the target as it was.
"""
from __future__ import annotations

import os
import zipfile
from collections.abc import Callable, Mapping
from typing import Any, BinaryIO, Union

import numpy
import numpy.lib.format as npy_format

from chainer import backend
from chainer import serializer as serializer_module
from chainer.backends import _cpu
from chainer.serializers import _loading
from chainer.serializers._npz_reader import NpzArchive, describe
from chainer.utils import _atomic
from chainer.utils.error import _NotSerializableError

__all__ = ['DictionarySerializer', 'NpzDeserializer', 'save_npz', 'load_npz', 'serialize',
           'NONE_MARKER_DTYPE']

PathOrFile = Union[str, 'os.PathLike[str]', BinaryIO]

#: dtype of the array that stands for a ``None`` value in the files we write.
NONE_MARKER_DTYPE = numpy.dtype([('__None__', 'u1')])


def _none_marker() -> numpy.ndarray:
    return numpy.empty((0,), dtype=NONE_MARKER_DTYPE)


def _host_array(value: Any) -> numpy.ndarray:
    """A value to save or load (an array of any backend, a number, a nested list)
    as a NumPy array."""
    if isinstance(value, backend.get_array_types()):
        return _cpu._array_to_cpu(value)
    return numpy.asarray(value)


def _normalize(value: Any, key: str, where: str) -> Any:
    """A stored value as a NumPy array, :data:`_loading.NONE` or a bad entry."""
    if value is None or value is _loading.NONE:
        return _loading.NONE
    if isinstance(value, _loading.BadEntry):
        return value
    if not isinstance(value, numpy.ndarray):
        value = _host_array(value)
    if value.dtype == NONE_MARKER_DTYPE:
        return _loading.NONE
    if value.dtype.hasobject:
        if value.dtype.kind == 'O' and value.shape == () and value[()] is None:
            return _loading.NONE
        return _loading.BadEntry(
            f'{where}: key {key!r} holds an array of Python objects '
            f'(dtype {value.dtype}), which cannot be loaded')
    return value


def _session_for(npz: Any, where: str | None) -> _loading.LoadSession:
    if isinstance(npz, NpzArchive):
        archive, private = npz, True
    elif isinstance(npz, numpy.lib.npyio.NpzFile):
        archive = NpzArchive(npz.zip, where or describe(getattr(npz, 'fid', None)))
        private = True
    else:
        archive, private = None, False
    if archive is not None:
        where = archive.where

        def read(key: str) -> Any:
            return _normalize(archive.read(key), key, where)
    else:
        where = where or 'the NPZ data'

        def read(key: str) -> Any:
            return _normalize(npz[key], key, where)
    return _loading.LoadSession(where, read, private)


class DictionarySerializer(serializer_module.Serializer):
    """Serializer that stores values as NumPy arrays in a flat dictionary.

    Keys are ``/``-joined paths (``'l1/W'``). Device arrays are copied to the
    host, Python scalars and strings become 0-d arrays, and ``None`` becomes
    an empty array of dtype :data:`NONE_MARKER_DTYPE` (Chainer stored an object
    array; :func:`save_npz` writes it as the pickled None Chainer wrote).

    Args:
        target: Dictionary to fill (a new one by default).
        path: Prefix of every key written (``'a/b/'``).
    """

    def __init__(self, target: dict | None = None, path: str = '') -> None:
        if target is None:
            target = {}
        self.target = target
        self.path = path

    def __getitem__(self, key: str) -> 'DictionarySerializer':
        key = key.strip('/')
        return DictionarySerializer(self.target, self.path + key + '/')

    def __call__(self, key: str, value: Any) -> Any:
        key = key.lstrip('/')
        full_key = self.path + key
        if value is None:
            array = _none_marker()
        else:
            array = _host_array(value)
        if array.dtype.hasobject:
            raise TypeError(
                f'cannot serialize {key!r} ({full_key!r}): a value of type '
                f'{type(value).__name__} becomes an object array, which could '
                'only be saved with pickle')
        self.target[full_key] = array
        return value


def _check_ignore_names(ignore_names: Any) -> tuple:
    if ignore_names is None:
        return ()
    names = tuple(ignore_names) if isinstance(ignore_names, (tuple, list)) \
        else (ignore_names,)
    for name in names:
        if not (isinstance(name, str) or callable(name)):
            raise ValueError(
                'ignore_names needs to be a callable, string or list of them, '
                f'got {type(name).__name__}')
    return names


class NpzDeserializer(serializer_module.Deserializer):
    """Deserializer reading from an NPZ archive or any mapping of arrays.

    Args:
        npz: ``numpy.load`` result (``NpzFile``) or a dict of arrays such as a
            :class:`DictionarySerializer`'s ``target``.
        path: Prefix of every key read (``'updater/model:main/'``).
        strict: If ``False``, keys missing from ``npz`` are skipped (the value
            is returned unchanged) instead of raising ``KeyError``.
        ignore_names: A name, a callable taking the full key and returning
            whether to skip it, or a list of them. Ignored keys are not read.

    Array values are copied into in place (onto their device); ``None`` values
    get the loaded array; other values (numbers, strings) are returned
    converted to their type. :meth:`load` checks everything before writing.
    """

    def __init__(self, npz: Any, path: str = '', strict: bool = True,
                 ignore_names: Any = None) -> None:
        self.npz = npz
        self.path = path
        self.strict = strict
        self.ignore_names = ignore_names
        self._ignore = _check_ignore_names(ignore_names)
        self._session: _loading.LoadSession | None = None
        self._where: str | None = None
        self.checking = False

    def _get_session(self) -> _loading.LoadSession:
        if self._session is None:
            self._session = _session_for(self.npz, self._where)
        return self._session

    def _derive(self, path: str, session: _loading.LoadSession,
                checking: bool) -> 'NpzDeserializer':
        child = NpzDeserializer.__new__(NpzDeserializer)
        child.npz = self.npz
        child.path = path
        child.strict = self.strict
        child.ignore_names = self.ignore_names
        child._ignore = self._ignore
        child._session = session
        child._where = session.where
        child.checking = checking
        return child

    def __getitem__(self, key: str) -> 'NpzDeserializer':
        key = key.strip('/')
        return self._derive(self.path + key + '/', self._get_session(), self.checking)

    def describe_key(self, key: str) -> str:
        """``key`` (relative to this deserializer) with the file it is read from."""
        return f'{self.path + key.lstrip("/")!r} in {self._get_session().where}'

    def load(self, obj: Any) -> None:
        """Loads ``obj``: a checking pass that writes no array, then the copying pass."""
        _check_serializable(obj, 'load')
        base = self._get_session()
        session = _loading.LoadSession(base.where, base.get, base.private)
        _loading.load_in_two_passes(
            obj, session, lambda checking: self._derive(self.path, session, checking))

    def _ignored(self, key: str) -> bool:
        for name in self._ignore:
            if isinstance(name, str):
                if key == name:
                    return True
            elif name(key):
                return True
        return False

    def __call__(self, key: str, value: Any) -> Any:
        key = self.path + key.lstrip('/')
        if self._session is not None and self._session.restoring:
            return self._session.restored(key, value)
        npz = self.npz
        if not self.strict and key not in npz:
            return value
        if self._ignored(key):
            return value
        session = self._get_session()
        if key not in npz:
            raise KeyError(f'{key!r} is not in {session.where}')
        return session.resolve(key, value, self.checking)


# -- saving and loading files ------------------------------------------------

#: The ``.npy`` member Chainer 7.8.1 (NumPy 1.x) wrote for ``None``: a 0-d object
#: array holding None, pickled with protocol 3. Written as these fixed bytes, so
#: Chainer reads our files and we never run a pickler; our reader recognises them
#: without unpickling (:func:`chainer.serializers._pickle_none.is_pickled_none_array`).
_CHAINER_NONE_NPY = (
    b"\x93NUMPY\x01\x00v\x00{'descr': '|O', 'fortran_order': False, 'shape': (), }"
    + b' ' * 63 + b'\n'
    b'\x80\x03cnumpy.core.multiarray\n_reconstruct\nq\x00cnumpy\nndarray\nq\x01K\x00\x85q'
    b'\x02C\x01bq\x03\x87q\x04Rq\x05(K\x01)cnumpy\ndtype\nq\x06X\x02\x00\x00\x00O8q\x07'
    b'\x89\x88\x87q\x08Rq\t(K\x03X\x01\x00\x00\x00|q\nNNNJ\xff\xff\xff\xffJ\xff\xff\xff\xff'
    b'K?tq\x0bb\x89]q\x0cNatq\rb.')


def _write_npz(f: BinaryIO, arrays: Mapping[str, numpy.ndarray], compression: bool) -> None:
    method = zipfile.ZIP_DEFLATED if compression else zipfile.ZIP_STORED
    with zipfile.ZipFile(f, mode='w', compression=method, allowZip64=True) as zf:
        for key, array in arrays.items():
            with zf.open(key + '.npy', 'w', force_zip64=True) as mf:
                if isinstance(array, numpy.ndarray) and array.dtype == NONE_MARKER_DTYPE:
                    mf.write(_CHAINER_NONE_NPY)
                else:
                    npy_format.write_array(mf, numpy.asanyarray(array), allow_pickle=False)


def _check_serializable(obj: Any, action: str) -> None:
    if not callable(getattr(obj, 'serialize', None)):
        raise _NotSerializableError(
            f'cannot {action} a {type(obj).__name__}: only objects with a '
            'serialize(serializer) method (links, optimizers, trainers, ...) can be '
            'saved and loaded')


def serialize(obj: Any) -> dict:
    """Returns the state of ``obj`` as a flat dict of arrays (what :func:`save_npz` writes)."""
    _check_serializable(obj, 'serialize')
    s = DictionarySerializer()
    s.save(obj)
    return s.target


def serialized_dict(obj: Mapping[str, Any]) -> dict:
    """The entries of a serialized dict as the arrays :class:`DictionarySerializer` stores."""
    s = DictionarySerializer()
    for key, value in obj.items():
        s(key, value)
    return s.target


def save_npz(file: PathOrFile, obj: Any, compression: bool = True) -> None:
    """Saves the state of ``obj`` (anything with ``serialize``) to an NPZ archive.

    Args:
        file: Path or writable binary file object. A path is written through a
            temporary file in the same directory that is synced and then
            renamed over it, so an interrupted save never leaves a partial file
            under that name (see :mod:`chainer.utils._atomic`). File objects
            are written directly.
        obj: Object to save, or a dict of arrays already serialized (such as
            :func:`serialize` returns), written as it is.
        compression: Whether to deflate the archive members.

    Raises:
        TypeError: ``obj`` is not a dict and has no ``serialize`` method, or holds a value that
            could only be saved with pickle.
    """
    arrays = serialized_dict(obj) if isinstance(obj, dict) else serialize(obj)
    if _loading.is_path(file):
        _atomic.write_with(file, lambda f: _write_npz(f, arrays, compression))
    else:
        _loading.check_file_object(file, 'write')
        _write_npz(file, arrays, compression)


def load_npz(file: PathOrFile, obj: Any, path: str = '', strict: bool = True,
             ignore_names: Union[str, Callable[[str], bool], list, tuple, None] = None
             ) -> None:
    """Loads the state of ``obj`` from an NPZ archive written by :func:`save_npz` or Chainer.

    Only the members ``obj`` asks for are read. Every requested key, shape,
    dtype and conversion is checked before anything is assigned, so a failed
    load leaves ``obj`` as it was.

    Args:
        file: Path (of a regular file) or readable, seekable binary file object.
        obj: Object to load into.
        path: Prefix of the keys to read (``'updater/model:main/'`` for a
            model inside a trainer snapshot).
        strict: If ``False``, keys missing from the file are skipped.
        ignore_names: Key(s) to skip: strings compared with the full key, or
            callables taking the full key.

    Raises:
        FileNotFoundError: ``file`` does not exist.
        TypeError: ``obj`` cannot be loaded, or a stored dtype cannot be cast
            to the target's.
        ValueError: The file is not a regular file or not an NPZ archive, is
            truncated or corrupt, holds an object array under a requested key,
            or a shape differs.
        KeyError: A key is missing (``strict=True``).
    """
    _check_serializable(obj, 'load')
    _check_ignore_names(ignore_names)
    where = describe(file)
    if _loading.is_path(file):
        with _loading.open_regular_file(file, where) as f:
            _load_archive(NpzArchive(f, where), obj, path, strict, ignore_names)
    else:
        _loading.check_file_object(file, 'read')
        _load_archive(NpzArchive(file, where), obj, path, strict, ignore_names)


def _load_archive(archive: NpzArchive, obj: Any, path: str, strict: bool,
                  ignore_names: Any) -> None:
    try:
        NpzDeserializer(archive, path=path, strict=strict, ignore_names=ignore_names).load(obj)
    finally:
        archive.close()
