"""Abort the whole MPI job when one rank dies of an uncaught exception.

Without it the other ranks wait forever in their next collective.  The hook
prints the traceback (with the rank) to stderr and calls ``MPI_Abort``.
``import chainermn`` installs it when the job has more than one rank, unless
the environment variable ``CHAINERMN_FORCE_ABORT_ON_EXCEPTION`` is ``0``.
"""
from __future__ import annotations

import os
import sys
import threading
import traceback
import warnings
from typing import Any

_installed = False
_added = False  # add_hook() was called (by the user or the environment variable)


def _abort(exc_type: Any, exc: Any, tb: Any, where: str = '') -> None:
    from chainermn._mpi import get_mpi
    MPI = get_mpi()
    world = MPI.COMM_WORLD
    text = ''.join(traceback.format_exception(exc_type, exc, tb))
    sys.stderr.write(f'\n******** rank {world.rank} of {world.size}{where}: uncaught exception, '
                     f'aborting the MPI job ********\n{text}')
    sys.stderr.flush()
    sys.stdout.flush()
    world.Abort(1)


def _excepthook(exc_type: Any, exc: Any, tb: Any) -> None:
    if issubclass(exc_type, KeyboardInterrupt) or issubclass(exc_type, SystemExit):
        return sys.__excepthook__(exc_type, exc, tb)
    _abort(exc_type, exc, tb)


def _thread_excepthook(args: Any) -> None:
    if args.exc_type is SystemExit:
        return
    name = getattr(args.thread, 'name', '?')
    _abort(args.exc_type, args.exc_value, args.exc_traceback, f' (thread {name})')


def add_hook() -> None:
    """Installs the hook for uncaught exceptions of the main thread and of other threads.

    As in Chainer, calling it again (or after ``CHAINERMN_FORCE_ABORT_ON_EXCEPTION=1``
    installed it) warns and does nothing.
    """
    global _added
    if _added:
        warnings.warn('chainermn.global_except_hook.add_hook() was called more than once; '
                      'ignoring this call', stacklevel=2)
        return
    _added = True
    _install()


def _install() -> None:
    global _installed
    if _installed:
        return
    sys.excepthook = _excepthook
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
