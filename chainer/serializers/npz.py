"""Saving and loading objects to and from NumPy NPZ archives.

The key layout is Chainer's: each value lives under the ``/``-joined path of
names that ``serialize`` methods descend through (``'l1/W'``,
``'predictor/l1/b'``, ``'updater/optimizer:main/t'``...).

Two deliberate differences from Chainer, both about pickles:

* Loading never unpickles. Files written by Chainer store ``None`` as a pickled
  0-d object array; such an entry is recognised by statically decoding its
  opcodes (nothing is imported or called) and read back as ``None``. Any other
  object array is refused with an error naming its key.
* ``None`` is saved as :data:`NONE_MARKER_DTYPE`-typed empty array of shape
  ``(0,)`` (a structured dtype with a single ``'__None__'`` field, which no
  real data uses), so the files we write contain no pickles at all.

Loading is transactional: :func:`load_npz` reads and checks the whole archive
first, then :meth:`NpzDeserializer.load` visits the target once without writing
(checking every requested key, shape and dtype) and only then copies values in.
A failed load therefore leaves the target's arrays unchanged.
"""
from __future__ import annotations

import contextlib
import os
import pickletools
import secrets
import stat
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from typing import Any, BinaryIO, Union

import numpy
import numpy.lib.format as npy_format

from chainer import backend
from chainer import serializer as serializer_module
from chainer.backends import _cpu

__all__ = ['DictionarySerializer', 'NpzDeserializer', 'save_npz', 'load_npz',
           'NONE_MARKER_DTYPE']

PathOrFile = Union[str, 'os.PathLike[str]', BinaryIO]

#: dtype of the array that stands for a ``None`` value in the files we write.
NONE_MARKER_DTYPE = numpy.dtype([('__None__', 'u1')])


def _none_marker() -> numpy.ndarray:
    return numpy.empty((0,), dtype=NONE_MARKER_DTYPE)


def _is_none_entry(array: Any) -> bool:
    """Whether a stored array stands for ``None`` (our marker or Chainer's)."""
    if array is None:
        return True
    if not isinstance(array, numpy.ndarray):
        return False
    if array.dtype == NONE_MARKER_DTYPE:
        return True
    return array.dtype.kind == 'O' and array.shape == () and array[()] is None


class _NoneEntry:
    """Staged stand-in for a stored ``None``."""


_NONE = _NoneEntry()


class _BadEntry:
    """Staged entry that cannot be loaded; the error is raised only if it is requested."""

    __slots__ = ('message',)

    def __init__(self, message: str) -> None:
        self.message = message


def _describe(file: Any) -> str:
    if isinstance(file, (str, bytes, os.PathLike)):
        return f"NPZ file '{os.fsdecode(os.fspath(file))}'"
    name = getattr(file, 'name', None)
    if isinstance(name, str):
        return f"NPZ file '{name}'"
    return f'NPZ data ({type(file).__name__})'


# -- recognising Chainer's pickled None without unpickling ------------------

_ALLOWED_GLOBALS = {
    ('numpy.core.multiarray', '_reconstruct'): 'reconstruct',
    ('numpy._core.multiarray', '_reconstruct'): 'reconstruct',
    ('numpy', 'ndarray'): 'ndarray',
    ('numpy', 'dtype'): 'dtype',
}

_PUSH_ARG_OPS = frozenset([
    'SHORT_BINUNICODE', 'BINUNICODE', 'BINUNICODE8', 'UNICODE',
    'SHORT_BINSTRING', 'BINSTRING', 'STRING',
    'SHORT_BINBYTES', 'BINBYTES', 'BINBYTES8',
    'BININT', 'BININT1', 'BININT2', 'INT', 'LONG1', 'LONG4', 'LONG',
])


class _Sym:
    """A symbolic global or call result built while decoding a pickle."""

    __slots__ = ('name', 'args', 'state')

    def __init__(self, name: str, args: Any = None) -> None:
        self.name = name
        self.args = args
        self.state: Any = None


def _decode_pickle(payload: bytes) -> Any:
    """Runs a tiny symbolic pickle machine: only whitelisted globals, nothing called.

    Returns the symbolic result, or raises ``ValueError`` for anything outside
    the small subset NumPy uses to pickle a 0-d object array.
    """
    stack: list = []
    marks: list = []
    memo: dict = {}

    def pop_mark() -> list:
        start = marks.pop()
        items = stack[start:]
        del stack[start:]
        return items

    for op, arg, _ in pickletools.genops(payload):
        name = op.name
        if name in ('PROTO', 'FRAME'):
            continue
        if name == 'STOP':
            break
        if name in _PUSH_ARG_OPS:
            stack.append(arg)
        elif name in ('GLOBAL', 'STACK_GLOBAL'):
            if name == 'GLOBAL':
                module, _, attr = arg.partition(' ')
            else:
                attr = stack.pop()
                module = stack.pop()
            kind = _ALLOWED_GLOBALS.get((module, attr))
            if kind is None:
                raise ValueError(f'unexpected global {module}.{attr}')
            stack.append(_Sym(kind))
        elif name == 'NONE':
            stack.append(None)
        elif name in ('NEWTRUE', 'NEWFALSE'):
            stack.append(name == 'NEWTRUE')
        elif name == 'MARK':
            marks.append(len(stack))
        elif name == 'TUPLE':
            stack.append(tuple(pop_mark()))
        elif name in ('TUPLE1', 'TUPLE2', 'TUPLE3'):
            n = int(name[-1])
            items = tuple(stack[-n:])
            del stack[-n:]
            stack.append(items)
        elif name == 'EMPTY_TUPLE':
            stack.append(())
        elif name == 'EMPTY_LIST':
            stack.append([])
        elif name == 'LIST':
            stack.append(pop_mark())
        elif name == 'APPEND':
            value = stack.pop()
            stack[-1].append(value)
        elif name == 'APPENDS':
            items = pop_mark()
            stack[-1].extend(items)
        elif name == 'MEMOIZE':
            memo[len(memo)] = stack[-1]
        elif name in ('BINPUT', 'LONG_BINPUT', 'PUT'):
            memo[arg] = stack[-1]
        elif name in ('BINGET', 'LONG_BINGET', 'GET'):
            stack.append(memo[arg])
        elif name == 'REDUCE':
            args = stack.pop()
            func = stack.pop()
            if not isinstance(func, _Sym) or func.args is not None or \
                    not isinstance(args, tuple):
                raise ValueError('unexpected call')
            stack.append(_Sym(func.name, args))
        elif name == 'BUILD':
            state = stack.pop()
            target = stack[-1]
            if not isinstance(target, _Sym) or target.args is None or \
                    target.state is not None:
                raise ValueError('unexpected BUILD')
            target.state = state
        else:
            raise ValueError(f'unsupported opcode {name}')
    if len(stack) != 1:
        raise ValueError('malformed pickle')
    return stack[0]


def _is_pickled_none_array(payload: bytes) -> bool:
    """Whether ``payload`` is NumPy's pickle of ``numpy.asarray(None)``."""
    try:
        obj = _decode_pickle(payload)
    except Exception:  # any malformed or unexpected stream is simply "not None"
        return False
    if not (isinstance(obj, _Sym) and obj.name == 'reconstruct'):
        return False
    args, state = obj.args, obj.state
    if not (len(args) == 3 and isinstance(args[0], _Sym) and args[0].name == 'ndarray'):
        return False
    if not (isinstance(state, tuple) and len(state) == 5):
        return False
    _, shape, dtype, _, data = state
    if shape != () or not isinstance(dtype, _Sym) or dtype.name != 'dtype':
        return False
    if not (dtype.args and dtype.args[0] in ('O', 'O4', 'O8')):
        return False
    return isinstance(data, (list, tuple)) and len(data) == 1 and data[0] is None


# -- reading .npy members ---------------------------------------------------

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


def _read_npy(f: BinaryIO, key: str, where: str) -> Any:
    """Reads one ``.npy`` stream: an array, :data:`_NONE` or a :class:`_BadEntry`.

    Raises ``ValueError`` when the stream is malformed or truncated.
    """
    version = npy_format.read_magic(f)
    if version == (1, 0):
        shape, fortran_order, dtype = npy_format.read_array_header_1_0(f)
    elif version == (2, 0) or not hasattr(npy_format, '_read_array_header'):
        shape, fortran_order, dtype = npy_format.read_array_header_2_0(f)
    else:  # 3.0 headers are UTF-8; NumPy has no public reader for them
        shape, fortran_order, dtype = npy_format._read_array_header(f, version)
    if dtype.hasobject:
        if shape == () and dtype.kind == 'O' and _is_pickled_none_array(f.read()):
            return _NONE
        return _BadEntry(
            f'{where}: key {key!r} holds an array of Python objects '
            f'(dtype {dtype}, shape {shape}), which can only be read by '
            'unpickling; loading never unpickles')
    if fortran_order:
        array = numpy.empty(shape[::-1], dtype=dtype)
    else:
        array = numpy.empty(shape, dtype=dtype)
    if array.nbytes and not _read_exact_into(f, array):
        raise ValueError(f'the data of {key!r} is truncated')
    # Read to the end so that zipfile checks the member's CRC.
    while f.read(1 << 20):
        pass
    return array.T if fortran_order else array


_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, ValueError, OSError,
                NotImplementedError, SyntaxError, TypeError)


def _read_npz(f: BinaryIO, where: str) -> dict:
    """Reads every member of an NPZ archive into a dict (the staging area)."""
    try:
        start = f.tell()
        magic = f.read(4)
        f.seek(start)
    except (OSError, AttributeError) as e:
        raise ValueError(f'cannot read {where}: {e}') from e
    if magic not in (b'PK\x03\x04', b'PK\x05\x06'):
        if not magic:
            raise ValueError(f'{where} is empty, not an NPZ archive')
        if magic == b'\x93NUM':
            raise ValueError(f'{where} is a single .npy array, not an NPZ archive')
        raise ValueError(f'{where} is not an NPZ archive (not a zip file)')
    staged: dict = {}
    try:
        with zipfile.ZipFile(f) as zf:
            for info in zf.infolist():
                member = info.filename
                if not member.endswith('.npy'):
                    staged[member] = _BadEntry(
                        f'{where}: member {member!r} is not a .npy array')
                    continue
                key = member[:-4]
                with zf.open(info) as mf:
                    try:
                        staged[key] = _read_npy(mf, key, where)
                    except _READ_ERRORS as e:
                        raise ValueError(
                            f'{where} is corrupt: cannot read {key!r}: {e}') from e
    except zipfile.BadZipFile as e:
        raise ValueError(f'{where} is truncated or corrupt: {e}') from e
    except (zlib.error, EOFError, OSError) as e:
        raise ValueError(f'{where} is truncated or corrupt: {e}') from e
    return staged


def _entry_from_npzfile(npz: Any, key: str, where: str) -> Any:
    zf = getattr(npz, 'zip', None)
    if zf is None:
        return npz[key]
    member = key + '.npy'
    try:
        zf.getinfo(member)
    except KeyError:
        member = key
    try:
        with zf.open(member) as mf:
            return _read_npy(mf, key, where)
    except _READ_ERRORS as e:
        raise ValueError(f'{where} is corrupt: cannot read {key!r}: {e}') from e


def _entry(npz: Any, key: str, where: str) -> Any:
    """Reads ``npz[key]`` as a NumPy array or :data:`_NONE`; raises for bad entries."""
    if isinstance(npz, numpy.lib.npyio.NpzFile):
        value = _entry_from_npzfile(npz, key, where)
    else:
        value = npz[key]
    if isinstance(value, _BadEntry):
        raise ValueError(value.message)
    if value is _NONE or _is_none_entry(value):
        return _NONE
    if not isinstance(value, numpy.ndarray):
        if isinstance(value, backend.get_array_types()):
            value = _cpu._array_to_cpu(value)
        else:
            value = numpy.asarray(value)
    if value.dtype.hasobject:
        raise ValueError(
            f'{where}: key {key!r} holds an array of Python objects '
            f'(dtype {value.dtype}), which cannot be loaded')
    return value


class _Source:
    """Read access to the mapping behind a deserializer, optionally cached.

    During :meth:`NpzDeserializer.load` one cached source is shared by the
    checking and the writing pass, so each entry is read (and decompressed)
    once.
    """

    __slots__ = ('npz', 'where', 'cache', 'owned', 'handed_out')

    def __init__(self, npz: Any, where: str, cache: bool, owned: bool = False) -> None:
        self.npz = npz
        self.where = where
        self.cache: dict | None = {} if cache else None
        # Arrays of a private staging dict may be handed out once without a copy.
        self.owned = owned
        self.handed_out: set = set()

    def __contains__(self, key: str) -> bool:
        return key in self.npz

    def get(self, key: str) -> Any:
        cache = self.cache
        if cache is not None and key in cache:
            return cache[key]
        value = _entry(self.npz, key, self.where)
        if cache is not None:
            cache[key] = value
        return value

    def fresh(self, key: str, array: numpy.ndarray) -> numpy.ndarray:
        """``array`` (read for ``key``) as an array nobody else holds."""
        if self.owned and key not in self.handed_out:
            self.handed_out.add(key)
            return array
        return array.copy()


# -- serializer --------------------------------------------------------------

class DictionarySerializer(serializer_module.Serializer):
    """Serializer that stores values as NumPy arrays in a flat dictionary.

    Keys are ``/``-joined paths (``'l1/W'``). Device arrays are copied to the
    host, Python scalars and strings become 0-d arrays, and ``None`` becomes
    an empty array of dtype :data:`NONE_MARKER_DTYPE` (Chainer stored a pickled
    object array instead).

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
        elif isinstance(value, backend.get_array_types()):
            array = _cpu._array_to_cpu(value)
        else:
            array = numpy.asarray(value)
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


def _check_array_target(key: str, where: str, value: Any, loaded: numpy.ndarray) -> None:
    if tuple(value.shape) != loaded.shape:
        raise ValueError(
            f'shape mismatch for {key!r} in {where}: the file has shape '
            f'{loaded.shape}, the target has shape {tuple(value.shape)}')
    if not numpy.can_cast(loaded.dtype, value.dtype, casting='same_kind'):
        raise TypeError(
            f'cannot load {key!r} from {where}: dtype {loaded.dtype} cannot be '
            f'cast to the target dtype {value.dtype}')


_SCALAR_TYPES = (bool, int, float, complex, str, bytes, numpy.generic)


def _convert_scalar(key: str, where: str, value: Any, loaded: numpy.ndarray) -> Any:
    """The loaded array as a value of ``type(value)``, with Chainer's cast check."""
    value_type = type(value)
    if isinstance(value, _SCALAR_TYPES):
        if loaded.size != 1:
            raise ValueError(
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
    if isinstance(value, str) and loaded.dtype.kind == 'U':
        return str(loaded[()])
    return value_type(loaded)


@contextlib.contextmanager
def _checking_quietly() -> Iterator[None]:
    # Warnings (such as "statistics not saved") are left to the copying pass.
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        yield


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
        self._source: _Source | None = None
        self._dry_run = False

    def _where(self) -> str:
        if self._source is not None:
            return self._source.where
        if isinstance(self.npz, numpy.lib.npyio.NpzFile):
            return _describe(getattr(self.npz, 'fid', None))
        return 'the NPZ data'

    def _get_source(self) -> _Source:
        if self._source is None:
            self._source = _Source(self.npz, self._where(), cache=False)
        return self._source

    def _derive(self, path: str, source: _Source, dry_run: bool) -> 'NpzDeserializer':
        child = NpzDeserializer.__new__(NpzDeserializer)
        child.npz = self.npz
        child.path = path
        child.strict = self.strict
        child.ignore_names = self.ignore_names
        child._ignore = self._ignore
        child._source = source
        child._dry_run = dry_run
        return child

    def __getitem__(self, key: str) -> 'NpzDeserializer':
        key = key.strip('/')
        return self._derive(self.path + key + '/', self._get_source(), self._dry_run)

    def load(self, obj: Any) -> None:
        """Loads ``obj``: a checking pass that writes nothing, then the copying pass."""
        base = self._get_source()
        source = _Source(base.npz, base.where, cache=True, owned=base.owned)
        with _checking_quietly():
            obj.serialize(self._derive(self.path, source, True))
        obj.serialize(self._derive(self.path, source, False))

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
        source = self._get_source()
        if not self.strict and key not in source:
            return value
        if self._ignored(key):
            return value
        if key not in source:
            raise KeyError(f'{key!r} is not in {source.where}')
        loaded = source.get(key)
        if loaded is _NONE:
            return None
        where = source.where
        if value is None:
            return None if self._dry_run else source.fresh(key, loaded)
        if isinstance(value, backend.get_array_types()):
            _check_array_target(key, where, value, loaded)
            if not self._dry_run:
                backend.copyto(value, loaded)
            return value
        converted = _convert_scalar(key, where, value, loaded)
        # Strings are returned while checking too: objects read metadata such
        # as JSON-encoded names from them to decide which keys come next.
        if self._dry_run and not isinstance(value, str):
            return value
        return converted


# -- saving and loading files ------------------------------------------------

def _write_npz(f: BinaryIO, arrays: Mapping[str, numpy.ndarray], compression: bool) -> None:
    method = zipfile.ZIP_DEFLATED if compression else zipfile.ZIP_STORED
    with zipfile.ZipFile(f, mode='w', compression=method, allowZip64=True) as zf:
        for key, array in arrays.items():
            with zf.open(key + '.npy', 'w', force_zip64=True) as mf:
                npy_format.write_array(mf, numpy.asanyarray(array), allow_pickle=False)


def _is_path(file: Any) -> bool:
    return isinstance(file, (str, bytes, os.PathLike))


@contextlib.contextmanager
def _replacing(path: Any) -> Iterator[str]:
    """Yields a fresh temporary path next to ``path``, renamed onto it on success.

    On any exception the temporary file is removed and ``path`` is untouched.
    """
    path = os.fsdecode(os.fspath(path))
    real = os.path.realpath(path)
    directory, base = os.path.split(real)
    if not os.path.isdir(directory):
        raise FileNotFoundError(2, f'No such directory to save into: {directory!r}', path)
    if os.path.isdir(real):
        raise IsADirectoryError(21, 'Is a directory', path)
    while True:
        tmp = os.path.join(directory, f'.{base}.{secrets.token_hex(6)}.tmp')
        try:
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)
        except FileExistsError:
            continue
        break
    try:
        try:
            # Keep the permissions of the file being replaced, as writing over it would.
            mode = stat.S_IMODE(os.stat(real).st_mode)
            if hasattr(os, 'fchmod'):
                os.fchmod(fd, mode)
            else:
                os.chmod(tmp, mode)
        except FileNotFoundError:
            pass
        os.close(fd)
        yield tmp
        fd = os.open(tmp, os.O_RDWR)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, real)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise


def save_npz(file: PathOrFile, obj: Any, compression: bool = True) -> None:
    """Saves the state of ``obj`` (anything with ``serialize``) to an NPZ archive.

    Args:
        file: Path or writable binary file object. A path is written through a
            temporary file in the same directory that is then renamed over it,
            so an interrupted save never leaves a partial file under that name.
            File objects are written directly.
        obj: Object to save.
        compression: Whether to deflate the archive members.
    """
    s = DictionarySerializer()
    s.save(obj)
    if _is_path(file):
        with _replacing(file) as tmp:
            with open(tmp, 'wb') as f:
                _write_npz(f, s.target, compression)
    else:
        _write_npz(file, s.target, compression)


def load_npz(file: PathOrFile, obj: Any, path: str = '', strict: bool = True,
             ignore_names: Union[str, Callable[[str], bool], list, tuple, None] = None
             ) -> None:
    """Loads the state of ``obj`` from an NPZ archive written by :func:`save_npz` or Chainer.

    The whole archive is read and checked before ``obj`` is touched, and every
    requested key, shape and dtype is checked before any value is copied, so a
    failed load leaves ``obj``'s arrays unchanged.

    Args:
        file: Path or readable, seekable binary file object.
        obj: Object to load into.
        path: Prefix of the keys to read (``'updater/model:main/'`` for a
            model inside a trainer snapshot).
        strict: If ``False``, keys missing from the file are skipped.
        ignore_names: Key(s) to skip: strings compared with the full key, or
            callables taking the full key.

    Raises:
        FileNotFoundError: ``file`` does not exist.
        ValueError: The file is not an NPZ archive, is truncated or corrupt,
            holds an object array under a requested key, or a shape differs.
        KeyError: A key is missing (``strict=True``).
        TypeError: A stored dtype cannot be cast to the target's.
    """
    _check_ignore_names(ignore_names)
    where = _describe(file)
    if _is_path(file):
        with open(file, 'rb') as f:
            staged = _read_npz(f, where)
    else:
        staged = _read_npz(file, where)
    d = NpzDeserializer(staged, path=path, strict=strict, ignore_names=ignore_names)
    d._source = _Source(staged, where, cache=False, owned=True)
    d.load(obj)
