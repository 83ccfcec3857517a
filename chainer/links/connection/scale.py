"""Where Chainer's ``Scale`` link lived; it is defined in :mod:`chainer.links.math.scale`."""
from chainer.links.math.scale import Scale  # NOQA: F401

__all__ = ['Scale']
