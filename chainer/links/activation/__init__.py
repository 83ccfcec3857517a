"""Links with learnable activation functions (PReLU, Maxout, Swish)."""
from chainer.links.activation import maxout  # NOQA: F401,E402
from chainer.links.activation import prelu  # NOQA: F401,E402
from chainer.links.activation import simplified_dropconnect  # NOQA: F401,E402
from chainer.links.activation import swish  # NOQA: F401,E402
