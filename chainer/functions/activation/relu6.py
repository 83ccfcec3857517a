"""ReLU6 (:func:`chainer.functions.relu6`), kept as a module of its own; the function
lives beside :func:`~chainer.functions.clipped_relu`."""
from __future__ import annotations

from chainer.functions.activation.clipped_relu import relu6

__all__ = ['relu6']
