"""Network in Network (Lin et al., 2013) as in Chainer's ImageNet example.

Four MLP convolutions (a convolution followed by two 1x1 convolutions, ReLU
after each), max pooling after the first three, dropout, and global average
pooling of the last one's class maps; ``forward(x, t)`` returns the softmax
cross entropy and reports ``loss`` and ``accuracy``.
"""
from __future__ import annotations

import chainer
import chainer.functions as F
import chainer.initializers as I
import chainer.links as L


class NIN(chainer.Chain):
    """Network in Network for ``insize`` x ``insize`` RGB images (227 by default).

    The last MLP convolution has ``n_class`` channels, averaged over the whole
    map (6x6 at 227), so a smaller ``insize`` (39 or more) works as well.
    """

    insize = 227

    def __init__(self, n_class: int = 1000, insize: int | None = None) -> None:
        super().__init__()
        if insize is not None:
            self.insize = insize
        self.n_class = n_class
        # He initialization for the ReLU layers, no bias shift.
        conv_init = I.HeNormal()
        with self.init_scope():
            self.mlpconv1 = L.MLPConvolution2D(None, (96, 96, 96), 11, stride=4,
                                               conv_init=conv_init)
            self.mlpconv2 = L.MLPConvolution2D(None, (256, 256, 256), 5, pad=2,
                                               conv_init=conv_init)
            self.mlpconv3 = L.MLPConvolution2D(None, (384, 384, 384), 3, pad=1,
                                               conv_init=conv_init)
            self.mlpconv4 = L.MLPConvolution2D(None, (1024, 1024, n_class), 3, pad=1,
                                               conv_init=conv_init)

    def predict(self, x):
        """The class scores of a batch of images."""
        h = F.max_pooling_2d(F.relu(self.mlpconv1(x)), 3, stride=2)
        h = F.max_pooling_2d(F.relu(self.mlpconv2(h)), 3, stride=2)
        h = F.max_pooling_2d(F.relu(self.mlpconv3(h)), 3, stride=2)
        h = self.mlpconv4(F.dropout(h))
        h = F.average_pooling_2d(h, h.shape[2:])
        return F.reshape(h, (len(x), self.n_class))

    def forward(self, x, t):
        y = self.predict(x)
        loss = F.softmax_cross_entropy(y, t)
        chainer.report({'loss': loss, 'accuracy': F.accuracy(y, t)}, self)
        return loss
