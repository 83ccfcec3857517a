"""pytest configuration shared by the whole test suite.

Tests marked ``gpu`` (or ``cudnn``) are skipped unless CuPy imports and sees
a GPU; ``multi_gpu(n)`` also needs ``n`` GPUs; ``chainerx`` and ``ideep``
tests are skipped when those backends are missing. With the CPU stand-in for
CuPy on the path (``tests/cupy_stand_in``, see CONTRIBUTING.md) the ``gpu``
tests run on it, except those marked ``real_gpu``.  ``-m 'not slow'`` etc.
select by the markers declared in pyproject.toml.

Each test starts NumPy's and Python's global random generators from a seed made
of its id (plus ``CHAINER_TEST_RANDOM_SEED`` when set), so a failure found with
random data reproduces; ``CHAINER_TEST_RANDOM_NONDETERMINISTIC=1`` leaves the
generators unseeded.
"""
from __future__ import annotations

import functools
import importlib.util
import os
import random
import shutil
import zlib

import numpy
import pytest


@functools.lru_cache(maxsize=None)
def _gpu_count() -> int:
    if importlib.util.find_spec('cupy') is None:
        return 0
    try:
        import cupy
        return int(cupy.cuda.runtime.getDeviceCount())
    except Exception:  # CuPy without a usable driver or device
        return 0


@functools.lru_cache(maxsize=None)
def _cudnn_available() -> bool:
    if _gpu_count() == 0:
        return False
    # CuPy 13's cupy.cuda.cudnn imports without cuDNN too (it only warns): ask
    # what the package resolved.
    from chainer.backends import cuda
    return cuda._cudnn_version >= 0


@functools.lru_cache(maxsize=None)
def _chainerx_available() -> bool:
    if importlib.util.find_spec('chainerx') is None:
        return False
    try:
        import chainerx
    except Exception:
        return False
    is_available = getattr(chainerx, 'is_available', None)
    return bool(is_available()) if callable(is_available) else False


@functools.lru_cache(maxsize=None)
def _cupy_stand_in() -> bool:
    if _gpu_count() == 0:
        return False
    import cupy
    return bool(getattr(cupy, '_rechainer_stand_in', False))


def _stand_in_without_compiler() -> bool:
    return _cupy_stand_in() and shutil.which('g++') is None


@pytest.fixture
def cupy():
    """The ``cupy`` module: CuPy itself or the stand-in; the test skips without one."""
    return pytest.importorskip('cupy')


@pytest.fixture
def cupy_stand_in(cupy):
    """The CuPy stand-in; the test skips on CuPy itself or without either."""
    if not _cupy_stand_in():
        pytest.skip('needs the CuPy stand-in (tests/cupy_stand_in)')
    return cupy


@pytest.fixture
def forkserver_default():
    """Makes forkserver the default start method, as Python 3.14 does on Linux, for
    tests that the library's worker processes are forked all the same."""
    import multiprocessing
    if 'forkserver' not in multiprocessing.get_all_start_methods():
        pytest.skip('no forkserver start method here')
    old = multiprocessing.get_start_method(allow_none=True)
    multiprocessing.set_start_method('forkserver', force=True)
    yield
    multiprocessing.set_start_method(old, force=True)


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker('chainerx') is not None and not _chainerx_available():
        pytest.skip('ChainerX is not available')
    if item.get_closest_marker('gpu') is not None:
        if _gpu_count() == 0:
            pytest.skip('CuPy with a GPU is not available')
        if _stand_in_without_compiler():
            pytest.skip('the CuPy stand-in compiles kernels with g++, which is missing')
        needed = max([m.args[0] for m in item.iter_markers('multi_gpu') if m.args] or [1])
        if _gpu_count() < needed:
            pytest.skip(f'{needed} GPUs required')
        if item.get_closest_marker('real_gpu') is not None and _cupy_stand_in():
            pytest.skip('needs a real GPU (runs on the CuPy stand-in)')
    if item.get_closest_marker('cudnn') is not None and not _cudnn_available():
        pytest.skip('cuDNN is not available')
    if (item.get_closest_marker('ideep') is not None
            and importlib.util.find_spec('ideep4py') is None):
        pytest.skip('iDeep is not available')


# With RECHAINER_TEST_PROGRESS=FILE, each test's outcome is appended to FILE as
# the test ends (by pytest-xdist's controller, not its workers), so a run cut
# short by a time limit still says what ran and what failed.
_PROGRESS = os.environ.get('RECHAINER_TEST_PROGRESS')


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    if not _PROGRESS or os.environ.get('PYTEST_XDIST_WORKER'):
        return
    if report.when == 'call' or (report.when == 'setup' and not report.passed) \
            or (report.when == 'teardown' and report.failed):
        outcome = 'error' if report.failed and report.when != 'call' else report.outcome
        with open(_PROGRESS, 'a') as f:
            f.write(f'{outcome} {report.nodeid}\n')


@pytest.fixture(autouse=True)
def _seeded_random(request):
    if os.environ.get('CHAINER_TEST_RANDOM_NONDETERMINISTIC', '0') not in ('', '0'):
        return
    offset = int(os.environ.get('CHAINER_TEST_RANDOM_SEED') or 0)
    seed = (zlib.crc32(request.node.nodeid.encode()) + offset) % 2 ** 32
    numpy.random.seed(seed)
    random.seed(seed)
