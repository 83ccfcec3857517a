"""Activation functions. Each name listed in ``__all__`` is re-exported by ``chainer.functions``."""
from chainer.functions.activation.tanh import tanh

__all__ = ['tanh']
