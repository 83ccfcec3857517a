"""Abort the whole MPI job when one rank dies of an uncaught exception.

Without it the other ranks wait forever in their next collective.  The hook
runs the hook it replaced (which prints the traceback), prints which rank failed
and calls ``MPI_Abort``.
``import chainermn`` installs it when the job has more than one rank, unless
the environment variable ``CHAINERMN_FORCE_ABORT_ON_EXCEPTION`` is ``0``.
"""
from __future__ import annotations

import os
import stat
import sys
import threading
import time
import warnings
from typing import Any

_installed = False
_added = False  # add_hook() was called (by the user or the environment variable)
_orig_except_hook: Any = None  # the hooks ours replaced: they still run first, as in Chainer
_orig_thread_hook: Any = None


def _abort(where: str = '') -> None:
    from chainermn._mpi import get_mpi
    MPI = get_mpi()
    world = MPI.COMM_WORLD
    # Chainer's banner, after the replaced hook has printed the traceback
    sys.stderr.write('\n******************************************\n'
                     'ChainerMN:\n'
                     f'   Uncaught exception on rank {world.rank}{where}.\n'
                     '   Calling MPI_Abort() to shut down MPI...\n'
                     '******************************************\n\n\n')
    sys.stderr.flush()
    sys.stdout.flush()
    _wait_until_read(sys.stderr, sys.stdout)
    world.Abort(1)


def _wait_until_read(*streams: Any, limit: float = 2.0) -> None:
    """Waits (at most ``limit`` seconds) until ``mpiexec`` has read what the streams wrote.

    ``MPI_Abort`` makes ``mpiexec`` kill every rank at once; output still in a pipe
    then never reaches the user, and that output is the traceback this hook is for.
    """
    import fcntl
    import termios
    fds = []
    for stream in streams:
        try:
            fd = stream.fileno()
            if stat.S_ISFIFO(os.fstat(fd).st_mode):
                fds.append(fd)
        except (AttributeError, OSError, ValueError):
            pass  # replaced or closed stream, or not a pipe: nothing to wait for
    deadline = time.monotonic() + limit
    buf = bytearray(4)
    while fds and time.monotonic() < deadline:
        try:
            fds = [fd for fd in fds
                   if fcntl.ioctl(fd, termios.FIONREAD, buf) == 0
                   and int.from_bytes(buf, sys.byteorder)]
        except OSError:
            return
        if fds:
            time.sleep(0.005)


def _excepthook(exc_type: Any, exc: Any, tb: Any) -> None:
    previous = _orig_except_hook or sys.__excepthook__
    if issubclass(exc_type, KeyboardInterrupt) or issubclass(exc_type, SystemExit):
        return previous(exc_type, exc, tb)
    try:
        previous(exc_type, exc, tb)
    finally:
        _abort()


def _thread_excepthook(args: Any) -> None:
    if args.exc_type is SystemExit:
        return
    name = getattr(args.thread, 'name', '?')
    try:
        (_orig_thread_hook or threading.__excepthook__)(args)
    finally:
        _abort(f' (thread {name})')


def add_hook() -> None:
    """Installs the hook for uncaught exceptions of the main thread and of other threads.

    The hooks it replaces (``sys.excepthook``, ``threading.excepthook``) still run
    first and print the traceback; then the job is aborted.  As in Chainer, calling
    it again (or after ``CHAINERMN_FORCE_ABORT_ON_EXCEPTION=1`` installed it) warns
    and does nothing.
    """
    global _added
    if _added:
        warnings.warn('chainermn.global_except_hook.add_hook() was called more than once; '
                      'ignoring this call', stacklevel=2)
        return
    _added = True
    _install()


def _install() -> None:
    global _installed, _orig_except_hook, _orig_thread_hook
    if sys.excepthook is not _excepthook:  # also after the user replaced ours
        _orig_except_hook = sys.excepthook
        sys.excepthook = _excepthook
    if threading.excepthook is not _thread_excepthook:
        _orig_thread_hook = threading.excepthook
        threading.excepthook = _thread_excepthook
    _installed = True


def _add_hook_if_enabled() -> None:
    flag = os.environ.get('CHAINERMN_FORCE_ABORT_ON_EXCEPTION')
    if flag is not None:
        if flag not in ('', '0'):
            add_hook()
        return
    from chainermn._mpi import get_mpi
    if get_mpi().COMM_WORLD.size > 1:
        _install()  # ours only: not counted as a call of add_hook()
