"""Links wrapping connection functions (Linear, EmbedID, Bilinear, ...)."""
from chainer.links.connection import bias  # NOQA: F401
from chainer.links.connection import scale  # NOQA: F401
