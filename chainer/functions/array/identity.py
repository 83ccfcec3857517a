"""Re-export of :func:`chainer.functions.identity` (it lives in ``functions/math``)."""
from chainer.functions.math.identity import Identity, identity  # NOQA
