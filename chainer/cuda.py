"""Deprecated alias of :mod:`chainer.backends.cuda` (``from chainer import cuda``).

Importing this module yields the very module object of ``chainer.backends.cuda``,
so ``chainer.cuda.to_cpu is chainer.backends.cuda.to_cpu``.
"""
import sys

from chainer.backends import cuda as _cuda

sys.modules[__name__] = _cuda
