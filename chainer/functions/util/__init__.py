"""Util functions. Each name in ``__all__`` is re-exported by ``chainer.functions``."""
from chainer.functions.util.forget import forget

__all__ = ['forget']
