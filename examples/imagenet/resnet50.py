"""ResNet-50 (He et al., 2015) as in Chainer's ImageNet example.

A 7x7 convolution, max pooling, four stages of bottleneck blocks (3, 4, 6 and
3 blocks; 256, 512, 1024 and 2048 channels) with batch normalization, global
average pooling and a linear classifier; ``forward(x, t)`` returns the softmax
cross entropy and reports ``loss`` and ``accuracy``.
"""
from __future__ import annotations

import chainer
import chainer.functions as F
import chainer.initializers as I
import chainer.links as L


def _conv_bn(in_channels: int, out_channels: int, ksize: int, stride: int = 1,
             pad: int = 0) -> tuple:
    conv = L.Convolution2D(in_channels, out_channels, ksize, stride, pad,
                           initialW=I.HeNormal(), nobias=True)
    return conv, L.BatchNormalization(out_channels)


class BottleNeckA(chainer.Chain):
    """Bottleneck block that changes the shape: 1x1 (strided), 3x3 and 1x1
    convolutions, plus a strided 1x1 projection of the input."""

    def __init__(self, in_size: int, ch: int, out_size: int, stride: int = 2) -> None:
        super().__init__()
        with self.init_scope():
            self.conv1, self.bn1 = _conv_bn(in_size, ch, 1, stride)
            self.conv2, self.bn2 = _conv_bn(ch, ch, 3, 1, 1)
            self.conv3, self.bn3 = _conv_bn(ch, out_size, 1)
            self.conv4, self.bn4 = _conv_bn(in_size, out_size, 1, stride)

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = F.relu(self.bn2(self.conv2(h)))
        h = self.bn3(self.conv3(h))
        return F.relu(h + self.bn4(self.conv4(x)))


class BottleNeckB(chainer.Chain):
    """Bottleneck block with an identity shortcut."""

    def __init__(self, in_size: int, ch: int) -> None:
        super().__init__()
        with self.init_scope():
            self.conv1, self.bn1 = _conv_bn(in_size, ch, 1)
            self.conv2, self.bn2 = _conv_bn(ch, ch, 3, 1, 1)
            self.conv3, self.bn3 = _conv_bn(ch, in_size, 1)

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = F.relu(self.bn2(self.conv2(h)))
        h = self.bn3(self.conv3(h))
        return F.relu(h + x)


class Block(chainer.ChainList):
    """One stage: a ``BottleNeckA`` then ``layer - 1`` ``BottleNeckB``."""

    def __init__(self, layer: int, in_size: int, ch: int, out_size: int,
                 stride: int = 2) -> None:
        super().__init__()
        self.add_link(BottleNeckA(in_size, ch, out_size, stride))
        for _ in range(layer - 1):
            self.add_link(BottleNeckB(out_size, ch))

    def forward(self, x):
        for link in self:
            x = link(x)
        return x


class ResNet50(chainer.Chain):
    """ResNet-50 for ``insize`` x ``insize`` RGB images (224 by default).

    The final average pooling covers the whole map (7x7 at 224), so a
    smaller ``insize`` works as well.
    """

    insize = 224

    def __init__(self, n_class: int = 1000, insize: int | None = None) -> None:
        super().__init__()
        if insize is not None:
            self.insize = insize
        with self.init_scope():
            self.conv1 = L.Convolution2D(3, 64, 7, 2, 3, initialW=I.HeNormal())
            self.bn1 = L.BatchNormalization(64)
            self.res2 = Block(3, 64, 64, 256, 1)
            self.res3 = Block(4, 256, 128, 512)
            self.res4 = Block(6, 512, 256, 1024)
            self.res5 = Block(3, 1024, 512, 2048)
            self.fc = L.Linear(2048, n_class)

    def predict(self, x):
        """The class scores of a batch of images."""
        h = F.relu(self.bn1(self.conv1(x)))
        h = F.max_pooling_2d(h, 3, stride=2)
        h = self.res5(self.res4(self.res3(self.res2(h))))
        h = F.average_pooling_2d(h, h.shape[2:], stride=1)
        return self.fc(h)

    def forward(self, x, t):
        y = self.predict(x)
        loss = F.softmax_cross_entropy(y, t)
        chainer.report({'loss': loss, 'accuracy': F.accuracy(y, t)}, self)
        return loss
