"""Array manipulation functions. Each name in ``__all__`` is re-exported by ``chainer.functions``."""
from chainer.functions.array.broadcast import broadcast, broadcast_to
from chainer.functions.array.cast import cast
from chainer.functions.array.expand_dims import expand_dims
from chainer.functions.array.get_item import get_item
from chainer.functions.array.reshape import reshape
from chainer.functions.array.squeeze import squeeze
from chainer.functions.array.transpose import transpose

__all__ = ['broadcast', 'broadcast_to', 'cast', 'expand_dims', 'get_item', 'reshape',
           'squeeze', 'transpose']
