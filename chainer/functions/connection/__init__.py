"""Connection functions. Each name in ``__all__`` is re-exported by ``chainer.functions``."""
from chainer.functions.connection.bilinear import bilinear
from chainer.functions.connection.embed_id import embed_id
from chainer.functions.connection.linear import linear

__all__ = ['bilinear', 'embed_id', 'linear']
