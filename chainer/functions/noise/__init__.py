"""Noise functions. Each name in ``__all__`` is re-exported by ``chainer.functions``."""

__all__ = []
