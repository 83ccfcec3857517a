"""The warning for nondeterministic computations (Chainer's module path, which
warning filters name)."""
from __future__ import annotations

import warnings

from chainer import configuration


def nondeterministic(f_name: str) -> None:
    """Warns that ``f_name`` may compute nondeterministically (``config.warn_nondeterministic``)."""
    if configuration.config.warn_nondeterministic:
        warnings.warn('Potentially non-deterministic code is being executed while '
                      f'config.warn_nondeterministic set. Source: {f_name}')
