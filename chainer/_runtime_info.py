"""Versions of Chainer/rechainer and the libraries it runs on."""
from __future__ import annotations

import io
import platform
import sys
from typing import Any, TextIO

import numpy

import chainerx
from chainer.backends import cuda
from chainer.backends import intel64


class _RuntimeInfo:
    """A snapshot of the runtime versions; ``str()`` gives the printable report."""

    def __init__(self) -> None:
        import chainer
        self.chainer_version: str = getattr(chainer, '__version__', '7.8.1')
        self.rechainer_version: str = getattr(chainer, '_rechainer_version', None) \
            or _installed_rechainer_version()
        self.chainerx_available: bool = chainerx.is_available()
        self.numpy_version: str = numpy.__version__
        self.platform_version: str = platform.platform()
        self.cuda_info: Any = None
        if cuda.available:
            try:
                self.cuda_info = cuda.cupyx.get_runtime_info()
            except Exception as e:  # e.g. no usable GPU driver
                self.cuda_info = f'CuPy {cuda.cupy.__version__} (runtime info failed: {e})'
        self.ideep_version: str | None = None
        if intel64.is_ideep_available():  # pragma: no cover (never in rechainer)
            self.ideep_version = intel64._ideep_version

    def __str__(self) -> str:
        s = io.StringIO()
        s.write(f'Platform: {self.platform_version}\n')
        s.write(f'Chainer: {self.chainer_version}\n')
        s.write(f'rechainer: {self.rechainer_version}\n')
        s.write(f'ChainerX: {"Available" if self.chainerx_available else "Not Available"}\n')
        s.write(f'NumPy: {self.numpy_version}\n')
        if self.cuda_info is None:
            s.write('CuPy: Not Available\n')
        else:
            s.write('CuPy:\n')
            for line in str(self.cuda_info).splitlines():
                s.write(f'  {line}\n')
        if self.ideep_version is None:
            s.write('iDeep: Not Available\n')
        else:
            s.write(f'iDeep: {self.ideep_version}\n')
        return s.getvalue()


def _installed_rechainer_version() -> str:
    try:
        from importlib import metadata
        return metadata.version('rechainer')
    except Exception:
        return 'unknown'


def _get_runtime_info() -> _RuntimeInfo:
    """Collects the runtime information."""
    return _RuntimeInfo()


def print_runtime_info(out: TextIO | None = None) -> None:
    """Prints the versions of Chainer, rechainer, NumPy, CuPy... to ``out`` (stdout)."""
    if out is None:
        out = sys.stdout
    out.write(str(_get_runtime_info()))
    if hasattr(out, 'flush'):
        out.flush()
