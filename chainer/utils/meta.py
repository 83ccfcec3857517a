"""Class decorators controlling subclassing (``final``) — Chainer's module path."""
from chainer.utils._final import enable_final, final  # NOQA: F401
