"""Reading NPZ archives member by member, without pickles and without unbounded reads.

Only the members a load asks for are inflated. Before anything is allocated a
member's claimed size is checked against what its zip entry can hold, so a
crafted header cannot make the reader allocate more than the file implies.
"""
from __future__ import annotations

import math
import os
import zipfile
import zlib
from typing import Any, BinaryIO

import numpy
import numpy.lib.format as npy_format

from chainer.serializers._loading import NONE, BadEntry
from chainer.serializers._loading import CorruptZipError, EmptyFileError, NotNpzError
from chainer.serializers._pickle_none import is_pickled_none_array

__all__ = ['NpzArchive', 'describe', 'read_npy']

# Deflate cannot expand data by more than about 1032:1.
_MAX_DEFLATE_RATIO = 1100
_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError,
                NotImplementedError, RuntimeError, SyntaxError, TypeError, KeyError)


class _CorruptDeflateError(CorruptZipError, zlib.error):
    """A member whose compressed data cannot be inflated (Chainer: ``zlib.error``)."""


def describe(file: Any) -> str:
    """How messages name ``file``: ``"NPZ file 'path'"`` or the object's type."""
    if isinstance(file, (str, bytes, os.PathLike)):
        return f"NPZ file '{os.fsdecode(os.fspath(file))}'"
    name = getattr(file, 'name', None)
    if isinstance(name, str):
        return f"NPZ file '{name}'"
    return f'NPZ data ({type(file).__name__})'


def _read_exact_into(f: BinaryIO, array: numpy.ndarray) -> bool:
    view = memoryview(array.reshape(-1).view(numpy.uint8))
    got = 0
    total = len(view)
    while got < total:
        # Bounded chunks: zipfile's readinto goes through a temporary bytes object.
        n = f.readinto(view[got:got + (1 << 24)])
        if not n:
            return False
        got += n
    return True


def read_npy(f: BinaryIO, key: str, where: str, limit: int | None = None) -> Any:
    """Reads one ``.npy`` stream: an array, :data:`NONE` or a :class:`BadEntry`.

    ``limit`` is the most data bytes the stream can hold; a header claiming
    more is refused before allocating. Raises ``ValueError`` when the stream
    is malformed, truncated or too large for its container.
    """
    version = npy_format.read_magic(f)
    if version == (1, 0):
        shape, fortran_order, dtype = npy_format.read_array_header_1_0(f)
    elif version == (2, 0) or not hasattr(npy_format, '_read_array_header'):
        shape, fortran_order, dtype = npy_format.read_array_header_2_0(f)
    else:  # 3.0 headers are UTF-8; NumPy has no public reader for them
        shape, fortran_order, dtype = npy_format._read_array_header(f, version)
    if dtype.hasobject:
        if shape == () and dtype.kind == 'O':
            payload = f.read(1 << 16)  # a pickled None takes about a hundred bytes
            if is_pickled_none_array(payload):
                return NONE
        return BadEntry(
            f'{where}: key {key!r} holds an array of Python objects '
            f'(dtype {dtype}, shape {shape}), which can only be read by '
            'unpickling; loading never unpickles')
    nbytes = math.prod(shape) * dtype.itemsize
    if limit is not None and nbytes > limit:
        raise ValueError(
            f'the header of {key!r} claims {nbytes} bytes of data (shape {shape}, '
            f'dtype {dtype}) but its archive member holds at most {limit}')
    array = numpy.empty(shape[::-1] if fortran_order else shape, dtype=dtype)
    if array.nbytes and not _read_exact_into(f, array):
        raise ValueError(f'the data of {key!r} is truncated')
    # Read to the end so that zipfile checks the member's CRC.
    while f.read(1 << 20):
        pass
    return array.T if fortran_order else array


class NpzArchive:
    """An NPZ archive whose members are read (and checked) on request.

    Args:
        source: Seekable binary file object, or an open ``zipfile.ZipFile``.
        where: Name of the archive in messages.
    """

    def __init__(self, source: Any, where: str) -> None:
        self.where = where
        if isinstance(source, zipfile.ZipFile):
            self.zf = source
        else:
            self._check_magic(source)
            try:
                self.zf = zipfile.ZipFile(source)
            except _READ_ERRORS as e:
                raise CorruptZipError(f'{where} is truncated or corrupt: {e}') from e
        self.members: dict = {}
        for info in self.zf.infolist():
            name = info.filename
            self.members[name[:-4] if name.endswith('.npy') else name] = info

    def _check_magic(self, f: BinaryIO) -> None:
        where = self.where
        try:
            start = f.tell()
            magic = f.read(4)
            f.seek(start)
        except (OSError, AttributeError) as e:
            raise ValueError(f'cannot read {where}: {e}') from e
        if magic in (b'PK\x03\x04', b'PK\x05\x06'):
            return
        if not magic:
            raise EmptyFileError(f'{where} is empty, not an NPZ archive')
        if magic == b'\x93NUM':
            raise ValueError(f'{where} is a single .npy array, not an NPZ archive')
        raise NotNpzError(f'{where} is not an NPZ archive (not a zip file)')

    def __contains__(self, key: str) -> bool:
        return key in self.members

    def keys(self) -> list:
        return list(self.members)

    def _limit(self, info: zipfile.ZipInfo, key: str) -> int:
        size, packed = info.file_size, info.compress_size
        if info.compress_type == zipfile.ZIP_STORED:
            if size != packed:
                raise ValueError(f'member {key!r} claims {size} bytes but stores {packed}')
        elif size > _MAX_DEFLATE_RATIO * packed + 4096:
            raise ValueError(
                f'member {key!r} claims {size} bytes from {packed} compressed bytes, '
                'more than compression can produce')
        return size

    def read(self, key: str) -> Any:
        """The value stored under ``key``: an array, :data:`NONE` or a :class:`BadEntry`."""
        info = self.members[key]
        where = self.where
        if not info.filename.endswith('.npy'):
            return BadEntry(f'{where}: member {info.filename!r} is not a .npy array')
        try:
            limit = self._limit(info, key)
            with self.zf.open(info) as mf:
                return read_npy(mf, key, where, limit)
        except _READ_ERRORS as e:
            # Also the error Chainer let through: zipfile's BadZipFile (bad CRC) or zlib.error.
            error = _CorruptDeflateError if isinstance(e, zlib.error) else CorruptZipError
            raise error(f'{where} is corrupt: cannot read {key!r}: {e}') from e

    def close(self) -> None:
        self.zf.close()
