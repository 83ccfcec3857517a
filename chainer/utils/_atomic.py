"""The one way the library writes files: a temporary file, fsync, rename.

Every file the package writes (serializer output, snapshots, logs, plots,
graphs, the dataset cache) goes through :func:`replacing`:

* the data is written to a temporary in the destination's directory, named
  ``.<name>.tmp.<host>.<pid>.<token>`` so that it is recognisable and tells
  which process made it;
* the temporary is flushed to disk (``fsync``), renamed over the destination
  and the directory entry is flushed too, so the destination holds either the
  old or the new content, never a mix, even across a power loss;
* on an exception the temporary is removed and the destination is untouched;
  an ``OSError`` of the disk (full, over quota, file too large, I/O error)
  that names no file is raised again naming the destination;
* after a successful write, temporaries in the same directory whose writer
  process (on this host) no longer exists are removed, so writers killed by
  ``SIGKILL`` leave nothing behind for long.
"""
from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import re
import secrets
import shutil
import socket
import stat
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

__all__ = ['replacing', 'write_with', 'write_bytes', 'write_text', 'write_together',
           'remove_dead_temporaries', 'is_temporary_name']

_HOST = hashlib.sha1(socket.gethostname().encode('utf-8', 'replace')).hexdigest()[:6]
_TEMP_RE = re.compile(r'^\..+\.tmp\.(?P<host>[0-9a-f]{6})\.(?P<pid>\d+)\.[0-9a-f]{8}$')
# Bytes of the destination's name kept in a temporary's name: leaves room for the
# temporary suffix within the usual 255-byte name limit.
_MAX_BASE = 180


def is_temporary_name(name: str) -> bool:
    """Whether ``name`` (a base name) is a temporary made by :func:`replacing`."""
    return _TEMP_RE.match(name) is not None


def _temporary_name(base: str) -> str:
    # The limit is on the encoded name: 80 CJK characters are 240 bytes.
    while len(os.fsencode(base)) > _MAX_BASE:
        base = base[:-1]
    return f'.{base}.tmp.{_HOST}.{os.getpid()}.{secrets.token_hex(4)}'


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # EPERM: the process exists and belongs to someone else
        return True
    return True


def remove_dead_temporaries(directory: str) -> list:
    """Removes temporaries in ``directory`` whose writer process is gone.

    Only temporaries made on this host by another process are considered;
    a process id that is in use again keeps its temporaries (they are removed
    once that process ends). Returns the names removed.
    """
    if os.name != 'posix':  # no cheap, side-effect-free liveness check
        return []
    removed = []
    own_pid = os.getpid()
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return removed
    for entry in entries:
        m = _TEMP_RE.match(entry.name)
        if m is None or m.group('host') != _HOST:
            continue
        pid = int(m.group('pid'))
        if pid == own_pid or _pid_alive(pid):
            continue
        try:
            if entry.is_dir(follow_symlinks=False):
                shutil.rmtree(entry.path)
            else:
                os.unlink(entry.path)
        except FileNotFoundError:  # another process cleaned it first
            pass
        except OSError:
            continue
        removed.append(entry.name)
    return removed


# Errors of writing data out: raised by write, flush, fsync or rename without a file name.
_WRITE_ERRNOS = frozenset(getattr(errno, name) for name in
                          ('ENOSPC', 'EDQUOT', 'EFBIG', 'EIO') if hasattr(errno, name))


def _naming_destination(e: OSError, path: str) -> OSError | None:
    """``e`` as an error naming ``path``, if it is a disk error naming no file."""
    if e.filename is not None or e.errno not in _WRITE_ERRNOS:
        return None
    return OSError(e.errno, f'cannot save {path!r}: {e.strerror or e}', path)


def _fsync_path(path: str) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_directory(directory: str) -> None:
    if os.name != 'posix':
        return
    try:
        _fsync_path(directory)
    except OSError as e:  # some file systems cannot sync a directory
        if e.errno not in (errno.EINVAL, errno.ENOTSUP, errno.EBADF, errno.EACCES):
            raise


def _remove(path: str) -> None:
    with contextlib.suppress(OSError):
        if os.path.isdir(path) and not os.path.islink(path):
            shutil.rmtree(path)
        else:
            os.unlink(path)


def make_directory(directory: str) -> None:
    """Creates ``directory`` and its parents if missing.

    A file in its place raises ``NotADirectoryError`` (as writing into it
    would), not ``FileExistsError``.
    """
    if os.path.exists(directory) and not os.path.isdir(directory):
        raise NotADirectoryError(errno.ENOTDIR, 'Not a directory', directory)
    os.makedirs(directory, exist_ok=True)


@contextlib.contextmanager
def replacing(path: Any, *, keep_name: bool = False,
              create_directory: bool = False) -> Iterator[str]:
    """Yields a temporary path to write; on success it replaces ``path``.

    Args:
        path: Destination. A symbolic link is followed: the file it points to
            is replaced.
        keep_name: Yield ``<temporary directory>/<base name of path>`` instead
            of a temporary file, for writers that look at (or append to) the
            name's suffix. The directory is removed afterwards.
        create_directory: Create the destination's directory if missing
            (otherwise a missing directory raises ``FileNotFoundError``).

    The yielded path does not exist yet (``keep_name``) or is an empty file
    with the permissions of the file being replaced. A destination that is
    neither a regular file nor missing (a device such as ``/dev/null``, a
    named pipe) is yielded itself and written directly.
    """
    path = os.fsdecode(os.fspath(path))
    real = os.path.realpath(path)
    directory, base = os.path.split(real)
    if create_directory:
        make_directory(directory)
    elif os.path.exists(directory) and not os.path.isdir(directory):
        raise NotADirectoryError(errno.ENOTDIR, 'Not a directory', directory)
    elif not os.path.isdir(directory):
        raise FileNotFoundError(
            errno.ENOENT, f'No such directory to write into: {directory!r}', path)
    if os.path.isdir(real):
        raise IsADirectoryError(errno.EISDIR, 'Is a directory', path)
    try:
        st = os.stat(real)
    except FileNotFoundError:
        mode: int | None = None
    else:
        if not stat.S_ISREG(st.st_mode):
            # A device or pipe (``/dev/null``) is written to as it is: renaming
            # over it would replace it with a regular file.
            yield real
            return
        mode = stat.S_IMODE(st.st_mode)
    while True:
        temp = os.path.join(directory, _temporary_name(base))
        try:
            if keep_name:
                os.mkdir(temp, 0o700)
            else:
                os.close(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        except FileExistsError:
            continue
        except OSError as e:
            # A read-only directory or file system: the error names the file
            # being saved (as writing it directly would), not the temporary.
            if e.filename != temp:
                raise
            raise type(e)(e.errno, e.strerror, path) from e
        break
    try:
        written = os.path.join(temp, base) if keep_name else temp
        if mode is not None and not keep_name:
            # Keep the permissions of the file being replaced.
            os.chmod(written, mode)
        try:
            yield written
            if not os.path.isfile(written):
                raise FileNotFoundError(
                    errno.ENOENT, f'nothing was written to be saved as {path!r}', written)
            _fsync_path(written)
            os.replace(written, real)
            _fsync_directory(directory)
        except OSError as e:
            named = _naming_destination(e, path)
            if named is None:
                raise
            raise named from e
    finally:
        _remove(temp)
    remove_dead_temporaries(directory)


def write_with(path: Any, write: Callable[[BinaryIO], Any], *,
               create_directory: bool = False) -> None:
    """Writes ``path`` atomically by calling ``write`` with a binary file object."""
    with replacing(path, create_directory=create_directory) as temp:
        with open(temp, 'wb') as f:
            if stat.S_ISREG(os.fstat(f.fileno()).st_mode):
                write(f)
                return
            # A device or pipe: ``/dev/null`` reports position 0 after every
            # write, which breaks writers that seek back (``zipfile``), so the
            # content is built in memory and written in one go.
            buffer = io.BytesIO()
            write(buffer)
            f.write(buffer.getbuffer())


def write_bytes(path: Any, data: bytes, *, create_directory: bool = False) -> None:
    """Writes ``data`` to ``path`` atomically."""
    write_with(path, lambda f: f.write(data), create_directory=create_directory)


def write_text(path: Any, text: str, encoding: str = 'utf-8', *,
               create_directory: bool = False) -> None:
    """Writes ``text`` to ``path`` atomically."""
    write_bytes(path, text.encode(encoding), create_directory=create_directory)


def write_together(files: Iterable[tuple[Any, bytes]], *,
                   create_directory: bool = False) -> None:
    """Writes each ``(path, data)`` of ``files`` atomically, as one set.

    Every file is written to its temporary before any is renamed into place,
    so a failure (a directory in the way, a full disk) leaves all of them as
    they were.
    """
    with contextlib.ExitStack() as stack:
        for path, data in files:
            temp = stack.enter_context(replacing(path, create_directory=create_directory))
            with open(temp, 'wb') as f:
                f.write(data)
