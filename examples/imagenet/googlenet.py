"""GoogLeNet (Szegedy et al., 2014) as in Chainer's ImageNet example.

Convolutions with local response normalization, nine inception modules and
two auxiliary classifiers (after ``inc4a`` and ``inc4d``) whose losses are
added with weight 0.3; ``forward(x, t)`` returns that total and reports
``loss``, ``loss1``, ``loss2``, ``loss3`` (the main classifier's) and
``accuracy`` (of the main classifier).
"""
from __future__ import annotations

import chainer
import chainer.functions as F
import chainer.links as L


class GoogLeNet(chainer.Chain):
    """GoogLeNet for ``insize`` x ``insize`` RGB images (224 by default).

    The last average pooling covers the whole map (7x7 at 224), so a smaller
    ``insize`` (79 or more: the auxiliary classifiers pool 5x5 windows of the
    ``inc4`` maps) works as well.
    """

    insize = 224

    def __init__(self, n_class: int = 1000, insize: int | None = None) -> None:
        super().__init__()
        if insize is not None:
            self.insize = insize
        with self.init_scope():
            self.conv1 = L.Convolution2D(None, 64, 7, stride=2, pad=3)
            self.conv2_reduce = L.Convolution2D(None, 64, 1)
            self.conv2 = L.Convolution2D(None, 192, 3, stride=1, pad=1)
            self.inc3a = L.Inception(None, 64, 96, 128, 16, 32, 32)
            self.inc3b = L.Inception(None, 128, 128, 192, 32, 96, 64)
            self.inc4a = L.Inception(None, 192, 96, 208, 16, 48, 64)
            self.inc4b = L.Inception(None, 160, 112, 224, 24, 64, 64)
            self.inc4c = L.Inception(None, 128, 128, 256, 24, 64, 64)
            self.inc4d = L.Inception(None, 112, 144, 288, 32, 64, 64)
            self.inc4e = L.Inception(None, 256, 160, 320, 32, 128, 128)
            self.inc5a = L.Inception(None, 256, 160, 320, 32, 128, 128)
            self.inc5b = L.Inception(None, 384, 192, 384, 48, 128, 128)
            self.loss3_fc = L.Linear(None, n_class)

            self.loss1_conv = L.Convolution2D(None, 128, 1)
            self.loss1_fc1 = L.Linear(None, 1024)
            self.loss1_fc2 = L.Linear(None, n_class)

            self.loss2_conv = L.Convolution2D(None, 128, 1)
            self.loss2_fc1 = L.Linear(None, 1024)
            self.loss2_fc2 = L.Linear(None, n_class)

    def _auxiliary(self, h, conv, fc1, fc2):
        h = F.average_pooling_2d(h, 5, stride=3)
        h = F.relu(conv(h))
        h = F.relu(fc1(h))
        return fc2(h)

    def predict(self, x) -> tuple:
        """The scores of the two auxiliary classifiers and of the main one."""
        h = F.relu(self.conv1(x))
        h = F.local_response_normalization(F.max_pooling_2d(h, 3, stride=2), n=5)
        h = F.relu(self.conv2_reduce(h))
        h = F.relu(self.conv2(h))
        h = F.max_pooling_2d(F.local_response_normalization(h, n=5), 3, stride=2)

        h = self.inc3b(self.inc3a(h))
        h = F.max_pooling_2d(h, 3, stride=2)
        h = self.inc4a(h)
        y1 = self._auxiliary(h, self.loss1_conv, self.loss1_fc1, self.loss1_fc2)

        h = self.inc4d(self.inc4c(self.inc4b(h)))
        y2 = self._auxiliary(h, self.loss2_conv, self.loss2_fc1, self.loss2_fc2)

        h = F.max_pooling_2d(self.inc4e(h), 3, stride=2)
        h = self.inc5b(self.inc5a(h))
        h = F.average_pooling_2d(h, h.shape[2:], stride=1)
        y3 = self.loss3_fc(F.dropout(h, 0.4))
        return y1, y2, y3

    def forward(self, x, t):
        y1, y2, y3 = self.predict(x)
        loss1 = F.softmax_cross_entropy(y1, t)
        loss2 = F.softmax_cross_entropy(y2, t)
        loss3 = F.softmax_cross_entropy(y3, t)
        loss = 0.3 * (loss1 + loss2) + loss3
        chainer.report({'loss': loss, 'loss1': loss1, 'loss2': loss2, 'loss3': loss3,
                        'accuracy': F.accuracy(y3, t)}, self)
        return loss
