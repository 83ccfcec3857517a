"""The training loop (``chainer.training``). Filled in by the training work."""
from chainer.training import extensions  # NOQA
from chainer.training import triggers  # NOQA
from chainer.training import updaters  # NOQA
