"""Checks of the environment run when the package is imported."""
from __future__ import annotations

import importlib.metadata
import warnings

import numpy

import chainer  # NOQA: F401

# NumPy 1 promotes scalars by value (NEP 50 came with NumPy 2), so results
# would take other dtypes than the ones Chainer's code and ours expect.
_MIN_NUMPY = (2, 0)


def _numpy_version() -> tuple[int, ...]:
    parts = []
    for part in numpy.__version__.split('.')[:2]:
        digits = ''.join(c for c in part if c.isdigit())
        parts.append(int(digits or 0))
    return tuple(parts)


def _installed_cupy_distributions() -> list[str]:
    names = []
    for dist in importlib.metadata.distributions():
        name = (dist.metadata['Name'] or '').lower()
        if name == 'cupy' or name.startswith('cupy-cuda') or name.startswith('cupy-rocm'):
            names.append(name)
    return sorted(set(names))


def check_numpy() -> None:
    """Warns about a NumPy older than rechainer supports (run at import)."""
    if _numpy_version() < _MIN_NUMPY:
        warnings.warn(
            f'NumPy {numpy.__version__} is older than the supported minimum '
            f'{".".join(map(str, _MIN_NUMPY))}: it promotes scalars by value, so '
            'results may take other dtypes than Chainer gives. Upgrade NumPy.')


def check() -> None:
    """Warns about an unsupported NumPy or several CuPy packages installed at once."""
    check_numpy()
    cupy_dists = _installed_cupy_distributions()
    if len(cupy_dists) > 1:
        warnings.warn(
            'several CuPy packages are installed; keep only one of them: '
            + ', '.join(cupy_dists))
