"""Pooling functions; each lives in its own module (see ``chainer.functions``)."""
from chainer.functions.pooling import average_pooling_2d  # NOQA: F401
from chainer.functions.pooling import average_pooling_nd  # NOQA: F401
from chainer.functions.pooling import average_pooling_nd_kernel  # NOQA: F401
from chainer.functions.pooling import max_pooling_nd  # NOQA: F401
from chainer.functions.pooling import max_pooling_nd_kernel  # NOQA: F401
from chainer.functions.pooling import pooling_2d  # NOQA: F401
from chainer.functions.pooling import pooling_nd  # NOQA: F401
from chainer.functions.pooling import pooling_nd_kernel  # NOQA: F401
from chainer.functions.pooling import roi_average_align_2d  # NOQA: F401
from chainer.functions.pooling import roi_average_pooling_2d  # NOQA: F401
from chainer.functions.pooling import roi_max_align_2d  # NOQA: F401
from chainer.functions.pooling import roi_max_pooling_2d  # NOQA: F401
from chainer.functions.pooling import roi_pooling_2d  # NOQA: F401
from chainer.functions.pooling import spatial_pyramid_pooling_2d  # NOQA: F401
from chainer.functions.pooling import unpooling_2d  # NOQA: F401
from chainer.functions.pooling import unpooling_nd  # NOQA: F401
from chainer.functions.pooling import upsampling_2d  # NOQA: F401
