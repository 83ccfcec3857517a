"""SimplifiedDropconnect at Chainer's module path (``chainer.links.activation``)."""
from chainer.links.connection.simplified_dropconnect import SimplifiedDropconnect  # NOQA: F401
