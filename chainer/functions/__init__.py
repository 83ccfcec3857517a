"""Differentiable functions (``chainer.functions``, usually imported as ``F``)."""
from chainer.functions.activation.tanh import tanh  # NOQA
from chainer.functions.array.broadcast import broadcast, broadcast_to  # NOQA
from chainer.functions.array.identity import identity  # NOQA
from chainer.functions.array.reshape import reshape  # NOQA
from chainer.functions.array.transpose import transpose  # NOQA
from chainer.functions.math.basic_math import absolute, add  # NOQA
from chainer.functions.math.exponential import exp, log, log2, log10  # NOQA
from chainer.functions.math.sum import sum, sum_to  # NOQA

from chainer.functions.math import basic_math as _basic_math

_basic_math.install_variable_arithmetics()
