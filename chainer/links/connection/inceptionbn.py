"""The Inception module with batch normalization (Inception v2)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Optional

import chainer
from chainer import link
from chainer.functions.activation.relu import relu
from chainer.functions.array.concat import concat
from chainer.functions.pooling.average_pooling_2d import average_pooling_2d
from chainer.functions.pooling.max_pooling_nd import max_pooling_2d
from chainer.links.connection.convolution_2d import Convolution2D
from chainer.links.normalization.batch_normalization import BatchNormalization
from chainer.utils.error import _ValueAssertionError

if TYPE_CHECKING:
    from chainer.variable import Variable
    from chainer.types import DTypeSpec, InitializerSpec, VariableOrArray


class InceptionBN(link.Chain):
    """Inception module with batch normalization after every convolution.

    Branches: an optional 1x1 convolution (``out1 > 0``), a 1x1 projection then a
    3x3 convolution, a 1x1 projection then two 3x3 convolutions, and a 3x3 max or
    average pooling (``pooltype`` ``'max'`` or ``'avg'``) optionally projected by
    a 1x1 convolution; the outputs are concatenated along the channels.

    Args:
        in_channels: Input channels (None: read from the first input).
        out1: Output channels of the 1x1 branch (0: no such branch; then
            ``stride`` may exceed 1).
        proj3, out3: Projection and output channels of the 3x3 branch.
        proj33, out33: Projection and output channels of the double 3x3 branch.
        pooltype: ``'max'`` or ``'avg'``.
        proj_pool: Output channels of the pooling projection (None: no projection).
        stride: Stride of the last convolution of each branch and of the pooling.
        conv_init: Initializer of the convolution weights.
        dtype: Dtype of the batch normalizations (default ``chainer.config.dtype``).
    """

    def __init__(self, in_channels: Optional[int], out1: int, proj3: int, out3: int, proj33: int,
                 out33: int, pooltype: str, proj_pool: Optional[int] = None, stride: int = 1,
                 conv_init: InitializerSpec | None = None, dtype: DTypeSpec | None = None) -> None:
        super().__init__()
        if pooltype not in ('max', 'avg'):
            raise NotImplementedError(f'pooltype must be max or avg, not {pooltype!r}')
        self.out1 = out1
        self.proj_pool = proj_pool
        self.stride = stride
        self.pooltype = pooltype
        dtype = chainer.get_dtype(dtype)

        def conv(n_in, n_out, k, **kw):
            return Convolution2D(n_in, n_out, k, nobias=True, initialW=conv_init, **kw)

        with self.init_scope():
            self.proj3 = conv(in_channels, proj3, 1)
            self.conv3 = conv(proj3, out3, 3, pad=1, stride=stride)
            self.proj33 = conv(in_channels, proj33, 1)
            self.conv33a = conv(proj33, out33, 3, pad=1)
            self.conv33b = conv(out33, out33, 3, pad=1, stride=stride)
            self.proj3n = BatchNormalization(proj3, dtype=dtype)
            self.conv3n = BatchNormalization(out3, dtype=dtype)
            self.proj33n = BatchNormalization(proj33, dtype=dtype)
            self.conv33an = BatchNormalization(out33, dtype=dtype)
            self.conv33bn = BatchNormalization(out33, dtype=dtype)
            if out1 > 0:
                if stride != 1:
                    raise _ValueAssertionError('stride must be 1 when out1 > 0')
                if proj_pool is None:
                    raise _ValueAssertionError('proj_pool is required when out1 > 0')
                self.conv1 = conv(in_channels, out1, 1)
                self.conv1n = BatchNormalization(out1, dtype=dtype)
            if proj_pool is not None:
                self.poolp = conv(in_channels, proj_pool, 1)
                self.poolpn = BatchNormalization(proj_pool, dtype=dtype)

    def forward(self, x: VariableOrArray) -> Variable:
        """Applies the branches to ``x`` and concatenates them along the channels."""
        outs = []
        if self.out1 > 0:
            outs.append(relu(self.conv1n(self.conv1(x))))
        h3 = relu(self.proj3n(self.proj3(x)))
        outs.append(relu(self.conv3n(self.conv3(h3))))
        h33 = relu(self.proj33n(self.proj33(x)))
        h33 = relu(self.conv33an(self.conv33a(h33)))
        outs.append(relu(self.conv33bn(self.conv33b(h33))))
        if self.pooltype == 'max':
            p = max_pooling_2d(x, 3, stride=self.stride, pad=1, cover_all=False)
        else:
            p = average_pooling_2d(x, 3, stride=self.stride, pad=1)
        if self.proj_pool is not None:
            p = relu(self.poolpn(self.poolp(p)))
        outs.append(p)
        return concat(outs, axis=1)
