"""Differentiable functions (``chainer.functions``, usually imported as ``F``).

Each family package (``activation``, ``array``, ``math``, ...) lists its public
names in ``__all__``; they are all re-exported here.
"""
from chainer.functions.activation import *  # NOQA
from chainer.functions.array import *  # NOQA
from chainer.functions.math import *  # NOQA
from chainer.functions.loss import *  # NOQA
from chainer.functions.connection import *  # NOQA
from chainer.functions.evaluation import *  # NOQA
from chainer.functions.noise import *  # NOQA
from chainer.functions.util import *  # NOQA

from chainer.functions.math.basic_math import install_variable_arithmetics as _install_ops
from chainer.functions.array.get_item import install_variable_get_item as _install_get_item

_install_ops()
_install_get_item()
