"""The warning for nondeterministic computations — Chainer's module path."""
from chainer import configuration  # NOQA: F401
from chainer.utils.experimental import nondeterministic  # NOQA: F401
