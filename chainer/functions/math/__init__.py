"""Mathematical functions. Each name in ``__all__`` is re-exported by ``chainer.functions``.

Names come from two lists: ``_elementwise`` (elementwise functions) and
``_reductions`` (reductions, linear algebra and the rest).
"""
from chainer.functions.math._elementwise import *  # NOQA
from chainer.functions.math._elementwise import __all__ as _all_elementwise
from chainer.functions.math._reductions import *  # NOQA
from chainer.functions.math._reductions import __all__ as _all_reductions

__all__ = list(_all_elementwise) + list(_all_reductions)
