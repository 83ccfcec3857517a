"""Where Chainer's ``Bias`` link lived; it is defined in :mod:`chainer.links.math.bias`."""
from chainer.links.math.bias import Bias  # NOQA: F401

__all__ = ['Bias']
