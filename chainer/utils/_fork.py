"""The multiprocessing context of the library's worker processes.

Chainer's workers (MultiprocessIterator's pool, ProcessWriter, ProcessQueueWriter)
were forked on Linux, so what they were given need not be picklable (a dataset
holding a lambda, a savefun defined in a function, classes of an interactive
``__main__``). Python 3.14 made forkserver Linux's default start method, which
pickles them; :func:`context` keeps fork there. Elsewhere (macOS and Windows,
where Chainer spawned too) it is the default context.
"""
from __future__ import annotations

import multiprocessing
import multiprocessing.context
import sys


def context() -> multiprocessing.context.BaseContext:
    """Returns the ``fork`` context on Linux, else the default one."""
    if sys.platform.startswith('linux') and 'fork' in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context('fork')
    return multiprocessing.get_context()


class Process(multiprocessing.Process):
    """A ``multiprocessing.Process`` (the type Chainer's workers had) that starts
    through :func:`context`, so it is forked on Linux whatever the default."""

    @staticmethod
    def _Popen(process_obj: multiprocessing.process.BaseProcess) -> object:
        return context().Process._Popen(process_obj)
