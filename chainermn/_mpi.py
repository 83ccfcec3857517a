"""The one place that imports mpi4py, with the install hint when it is missing."""
from __future__ import annotations

from typing import Any

INSTALL_HINT = ("chainermn needs mpi4py and an MPI library: pip install 'rechainer[mn]' "
                "(installs mpi4py and the MPICH wheel), then start the script with "
                "`mpiexec -n <ranks> python script.py`")


def get_mpi() -> Any:
    """Returns the ``mpi4py.MPI`` module or raises an ImportError saying how to install it."""
    try:
        from mpi4py import MPI
    except ImportError as e:
        raise ImportError(f'{INSTALL_HINT} ({e})') from e
    return MPI
