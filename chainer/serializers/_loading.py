"""What the NPZ and HDF5 deserializers share: checks, conversions and the two-phase load.

A load runs the target's ``serialize`` with deserializers sharing one
:class:`LoadSession`, first in a checking pass (``deserializer.checking`` is
true) that reads, caches and checks every requested entry and writes no array:
arrays are left alone, numbers and strings come back loaded (so a
``serialize`` may size what it reads next from them), and a ``None`` target
gets a read-only view of the stored array. Objects of the package keep every
other assignment for the second pass, which copies the cached values in. If the
checking pass fails, a restoring pass gives every value back as it was passed
in, so what the checking pass assigned is undone, and the error is raised.
"""
from __future__ import annotations

import contextlib
import errno
import os
import pickle
import stat
import threading
import warnings
import zipfile
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import numpy

from chainer import backend
from chainer.utils import error as error_module

__all__ = ['NONE', 'BadEntry', 'LoadSession', 'is_path', 'open_regular_file',
           'check_regular_file', 'check_array_target', 'convert_scalar', 'checking_quietly',
           'load_in_two_passes',
           'CorruptZipError', 'NotNpzError', 'EmptyFileError', 'CorruptHDF5Error',
           'ShapeMismatchError', 'ConversionTypeError', 'ConversionOverflowError']


# A file that cannot be read is a ValueError here, and also the error Chainer's
# loaders let through from NumPy's and h5py's readers, so that code catching those
# still catches it.
class CorruptZipError(ValueError, zipfile.BadZipFile):
    """A truncated or corrupt NPZ archive (Chainer: ``zipfile.BadZipFile``)."""


class NotNpzError(ValueError, pickle.UnpicklingError):
    """A file that is not an NPZ archive (Chainer: ``pickle.UnpicklingError``)."""


class EmptyFileError(ValueError, EOFError):
    """An empty file (Chainer: ``EOFError``)."""


class CorruptHDF5Error(ValueError, OSError):
    """A file h5py cannot open (Chainer: ``OSError``)."""


class ShapeMismatchError(ValueError, TypeError):
    """A stored array whose shape the target cannot take (Chainer: ``ValueError`` from
    NumPy for NPZ, ``TypeError`` from h5py for HDF5 and for a scalar target)."""


class ConversionTypeError(ValueError, TypeError):
    """A stored value the target's type cannot take where Chainer's conversion raised
    ``TypeError`` (``list(0-d array)``, ``complex('abc')``)."""


class ConversionOverflowError(ValueError, OverflowError):
    """A stored value too large for the target's type (Chainer: ``OverflowError``)."""


class _NoneEntry:
    """Stand-in for a stored ``None``."""

    def __repr__(self) -> str:
        return 'NONE'


NONE = _NoneEntry()


class BadEntry:
    """An entry that cannot be loaded; the error is raised only if it is requested, as a
    :class:`ConversionTypeError` (Chainer's cast of such a value raised ``TypeError``)."""

    __slots__ = ('message',)

    def __init__(self, message: str) -> None:
        self.message = message


def is_path(file: Any) -> bool:
    return isinstance(file, (str, bytes, os.PathLike))


def check_file_object(file: Any, method: str) -> None:
    """``TypeError`` (as Chainer's NumPy raised) for a ``file`` that is neither a path
    nor an object with ``method`` (``'read'`` or ``'write'``)."""
    if not callable(getattr(file, method, None)):
        raise TypeError('expected a path (str, bytes or os.PathLike) or a binary file '
                        f'object with a {method}() method, not {type(file).__name__}')


def _not_regular(path: str, mode: int, where: str) -> OSError | ValueError:
    if stat.S_ISDIR(mode):
        return IsADirectoryError(errno.EISDIR, 'Is a directory', path)
    return ValueError(f'{where} is not a regular file (it is a FIFO, socket or device); '
                      'refusing to read it')


def check_regular_file(path: Any, where: str) -> None:
    """Raises unless ``path`` is an existing regular file (reading a FIFO would block)."""
    path = os.fsdecode(os.fspath(path))
    mode = os.stat(path).st_mode
    if not stat.S_ISREG(mode):
        raise _not_regular(path, mode, where)


def open_regular_file(path: Any, where: str) -> BinaryIO:
    """Opens ``path`` for binary reading, refusing anything but a regular file.

    The file is opened without blocking, so a FIFO with no writer is refused
    instead of hanging in ``open``.
    """
    path = os.fsdecode(os.fspath(path))
    flags = os.O_RDONLY | getattr(os, 'O_NONBLOCK', 0) | getattr(os, 'O_BINARY', 0)
    fd = os.open(path, flags)
    try:
        mode = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode):
            raise _not_regular(path, mode, where)
        if hasattr(os, 'set_blocking'):
            os.set_blocking(fd, True)
        return os.fdopen(fd, 'rb')
    except BaseException:
        os.close(fd)
        raise


def _cast_source_dtype(loaded: numpy.ndarray) -> numpy.dtype:
    # Chainer copied with NumPy 1's numpy.copyto, which judged a 0-d integer source
    # by its value: a non-negative int64 went into a uint8 array (wrapping as
    # astype does), a negative one did not.
    if loaded.ndim == 0 and loaded.dtype.kind in 'iu':
        return numpy.min_scalar_type(loaded[()])
    return loaded.dtype


def _copy_source(loaded: numpy.ndarray, dtype: numpy.dtype) -> numpy.ndarray:
    """``loaded`` as ``numpy.copyto`` with same-kind casting takes it into ``dtype``."""
    if not numpy.can_cast(loaded.dtype, dtype, casting='same_kind'):
        return loaded.astype(dtype)  # admitted by its value (_cast_source_dtype)
    return loaded


def check_array_target(key: str, where: str, value: Any, loaded: numpy.ndarray) -> None:
    if tuple(value.shape) != loaded.shape:
        raise ShapeMismatchError(
            f'shape mismatch for {key!r} in {where}: the file has shape '
            f'{loaded.shape}, the target has shape {tuple(value.shape)}')
    if not numpy.can_cast(_cast_source_dtype(loaded), value.dtype, casting='same_kind'):
        raise TypeError(
            f'cannot load {key!r} from {where}: dtype {loaded.dtype} cannot be '
            f'cast to the target dtype {value.dtype}')
    if isinstance(value, numpy.ndarray) and not value.flags.writeable:
        # found while checking, so nothing is loaded (Chainer had filled the targets before it)
        raise ValueError(f'cannot load {key!r} from {where}: the target array is read-only')


_SCALAR_TYPES = (bool, int, float, complex, str, bytes, numpy.generic)


def convert_scalar(key: str, where: str, value: Any, loaded: numpy.ndarray) -> Any:
    """The loaded array as a value of ``type(value)``, with Chainer's cast check."""
    value_type = type(value)
    # Under NumPy 1 (Chainer) a NumPy scalar type made an array of an array that
    # is not 0-d (``numpy.int64(array([3]))``), so such a persistent takes the
    # stored shape; float64 and complex128, being Python numbers too, made a
    # scalar of a one-element array.
    as_array = (isinstance(value, numpy.generic) and not isinstance(value, str)
                and loaded.ndim > 0
                and not (isinstance(value, (float, complex)) and loaded.size == 1))
    if isinstance(value, _SCALAR_TYPES) and not as_array:
        if loaded.size != 1:
            raise ShapeMismatchError(
                f'cannot load {key!r} from {where}: the file has an array of '
                f'shape {loaded.shape}, the target is a {value_type.__name__} scalar')
        loaded = loaded.reshape(())
    kind = loaded.dtype.type
    # int() gives exact integers, so any integer dtype may become a Python int.
    if issubclass(kind, numpy.number) and not (
            issubclass(kind, numpy.integer) and issubclass(value_type, int)
            and not issubclass(value_type, bool)):
        if not numpy.can_cast(loaded.dtype, value_type):
            raise TypeError(
                f'cannot load {key!r} from {where}: dtype {loaded.dtype} cannot '
                f'be cast to {value_type.__name__}')
    if isinstance(value, str):
        if loaded.dtype.kind in 'US':
            item = loaded[()]
            return item.decode('utf-8', 'replace') if isinstance(item, bytes) else str(item)
        return str(loaded[()])
    try:
        if isinstance(value, numpy.bool_) and loaded.dtype.kind in 'US' and not as_array:
            # NumPy 1 read a string as an integer for numpy.bool_ ('1', not 'True')
            return value_type(int(loaded[()]))
        return loaded.astype(value_type) if as_array else value_type(loaded)
    except (TypeError, ValueError, OverflowError) as e:
        error = ConversionTypeError if isinstance(e, TypeError) else \
            ConversionOverflowError if isinstance(e, OverflowError) else ValueError
        raise error(
            f'cannot load {key!r} from {where} as a {value_type.__name__}: {e}') from e


# Held while the warning filters are switched: they belong to the whole process, so
# two threads loading at once would each restore what the other had switched, and
# leave every warning of the process ignored for good.
_quiet_lock = threading.RLock()


@contextlib.contextmanager
def checking_quietly() -> Iterator[None]:
    """Ignores warnings: those of a checking pass (such as "statistics not saved")
    are left to the copying pass."""
    with _quiet_lock, warnings.catch_warnings():
        warnings.simplefilter('ignore')
        yield


class LoadSession:
    """State shared by all deserializers of one load: the cache and the handed-out arrays.

    Args:
        where: Description of the source for messages (``"NPZ file 'a.npz'"``).
        read: ``read(key)`` returns the stored value (array or :data:`NONE`)
            or raises ``ValueError`` naming the source and the key.
        private: Whether ``read`` returns arrays nobody else holds, which may
            be handed out once without a copy.
    """

    __slots__ = ('where', '_read', 'private', 'cache', 'handed_out', 'views', 'originals',
                 'restoring')

    def __init__(self, where: str, read: Callable[[str], Any], private: bool) -> None:
        self.where = where
        self._read = read
        self.private = private
        self.cache: dict = {}
        self.handed_out: set = set()
        self.views: dict = {}
        # key -> the value the checking pass was given, handed back by the restoring pass
        self.originals: dict = {}
        self.restoring = False

    def get(self, key: str) -> Any:
        try:
            return self.cache[key]
        except KeyError:
            pass
        value = self._read(key)
        if isinstance(value, BadEntry):
            raise ConversionTypeError(value.message)
        self.cache[key] = value
        return value

    def _check_view(self, array: numpy.ndarray) -> numpy.ndarray:
        view = array.view()
        view.flags.writeable = False
        self.views[id(view)] = view
        return view

    def _is_check_view(self, value: Any) -> bool:
        return self.views.get(id(value)) is value

    def _fresh(self, key: str, array: numpy.ndarray) -> numpy.ndarray:
        if self.private and key not in self.handed_out:
            self.handed_out.add(key)
            return array
        return array.copy()

    def restored(self, key: str, value: Any) -> Any:
        """What ``deserializer(key, value)`` returns in the restoring pass."""
        return self.originals.get(key, value)

    def resolve(self, key: str, value: Any, checking: bool) -> Any:
        """What ``deserializer(key, value)`` returns (and, when not checking, writes)."""
        if checking and not isinstance(value, backend.get_array_types()):
            self.originals.setdefault(key, value)
        loaded = self.get(key)
        if loaded is NONE:
            return None
        where = self.where
        # An object that kept the view of the checking pass gets a real array now.
        if value is None or self._is_check_view(value):
            return self._check_view(loaded) if checking else self._fresh(key, loaded)
        if isinstance(value, backend.get_array_types()):
            check_array_target(key, where, value, loaded)
            if not checking:
                backend.copyto(value, _copy_source(loaded, value.dtype))
            return value
        # Numbers and strings are returned while checking too: objects decide
        # from them which keys come next and what shapes to expect.
        return convert_scalar(key, where, value, loaded)


def load_in_two_passes(obj: Any, session: LoadSession,
                       deserializer: Callable[[bool], Any]) -> None:
    """Loads ``obj`` through ``deserializer(checking)``: a checking pass, then the copying pass.

    A failed checking pass is followed by a restoring pass (``session.restoring``),
    whose deserializer hands back the values the checking pass was given, so that
    what ``serialize`` assigned from the numbers it read is undone.
    """
    with checking_quietly():
        try:
            obj.serialize(deserializer(True))
        except BaseException as error:
            session.restoring = True
            try:
                obj.serialize(deserializer(True))
            except Exception as e:  # the first error is the one to report
                error_module._add_note(
                    error, f'restoring the previous values also failed: {e!r}')
            raise
    obj.serialize(deserializer(False))
