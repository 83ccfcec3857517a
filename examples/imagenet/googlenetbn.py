"""GoogLeNet with batch normalization (Ioffe and Szegedy, 2015) as in Chainer's
ImageNet example.

Batch-normalized convolutions, ten ``InceptionBN`` modules (two of them
strided, with max pooling and no 1x1 branch) and two auxiliary classifiers
(after ``inc4a`` and ``inc4d``) whose losses are added with weight 0.3;
``forward(x, t)`` returns that total and reports ``loss``, ``loss1``,
``loss2``, ``loss3`` and ``accuracy`` (of the main classifier).
"""
from __future__ import annotations

import chainer
import chainer.functions as F
import chainer.links as L


class GoogLeNetBN(chainer.Chain):
    """GoogLeNet-BN for ``insize`` x ``insize`` RGB images (224 by default).

    The last average pooling covers the whole map (7x7 at 224), so a smaller
    ``insize`` (59 or more: the auxiliary classifiers pool 5x5 windows of the
    ``inc4`` maps) works as well.
    """

    insize = 224

    def __init__(self, n_class: int = 1000, insize: int | None = None) -> None:
        super().__init__()
        if insize is not None:
            self.insize = insize
        with self.init_scope():
            self.conv1 = L.Convolution2D(None, 64, 7, stride=2, pad=3, nobias=True)
            self.norm1 = L.BatchNormalization(64)
            self.conv2 = L.Convolution2D(None, 192, 3, pad=1, nobias=True)
            self.norm2 = L.BatchNormalization(192)
            self.inc3a = L.InceptionBN(None, 64, 64, 64, 64, 96, 'avg', 32)
            self.inc3b = L.InceptionBN(None, 64, 64, 96, 64, 96, 'avg', 64)
            self.inc3c = L.InceptionBN(None, 0, 128, 160, 64, 96, 'max', stride=2)
            self.inc4a = L.InceptionBN(None, 224, 64, 96, 96, 128, 'avg', 128)
            self.inc4b = L.InceptionBN(None, 192, 96, 128, 96, 128, 'avg', 128)
            self.inc4c = L.InceptionBN(None, 128, 128, 160, 128, 160, 'avg', 128)
            self.inc4d = L.InceptionBN(None, 64, 128, 192, 160, 192, 'avg', 128)
            self.inc4e = L.InceptionBN(None, 0, 128, 192, 192, 256, 'max', stride=2)
            self.inc5a = L.InceptionBN(None, 352, 192, 320, 160, 224, 'avg', 128)
            self.inc5b = L.InceptionBN(None, 352, 192, 320, 192, 224, 'max', 128)
            self.out = L.Linear(None, n_class)
            # The auxiliary classifiers (Chainer's parameter names).
            for suffix in 'ab':
                setattr(self, f'conv{suffix}', L.Convolution2D(None, 128, 1, nobias=True))
                setattr(self, f'norm{suffix}', L.BatchNormalization(128))
                setattr(self, f'lin{suffix}', L.Linear(None, 1024, nobias=True))
                setattr(self, f'norm{suffix}2', L.BatchNormalization(1024))
                setattr(self, f'out{suffix}', L.Linear(None, n_class))

    def _auxiliary(self, h, suffix: str):
        # 5x5 average pooling (stride 3), a 1x1 convolution and a hidden layer,
        # both batch-normalized, and the classifier.
        h = F.average_pooling_2d(h, 5, stride=3)
        h = F.relu(getattr(self, f'norm{suffix}')(getattr(self, f'conv{suffix}')(h)))
        h = F.relu(getattr(self, f'norm{suffix}2')(getattr(self, f'lin{suffix}')(h)))
        return getattr(self, f'out{suffix}')(h)

    def predict(self, x) -> tuple:
        """The scores of the two auxiliary classifiers and of the main one."""
        h = F.max_pooling_2d(F.relu(self.norm1(self.conv1(x))), 3, stride=2, pad=1)
        h = F.max_pooling_2d(F.relu(self.norm2(self.conv2(h))), 3, stride=2, pad=1)
        h = self.inc4a(self.inc3c(self.inc3b(self.inc3a(h))))
        y1 = self._auxiliary(h, 'a')
        h = self.inc4d(self.inc4c(self.inc4b(h)))
        y2 = self._auxiliary(h, 'b')
        h = self.inc5b(self.inc5a(self.inc4e(h)))
        h = F.average_pooling_2d(h, h.shape[2:])
        return y1, y2, self.out(h)

    def forward(self, x, t):
        y1, y2, y3 = self.predict(x)
        loss1 = F.softmax_cross_entropy(y1, t)
        loss2 = F.softmax_cross_entropy(y2, t)
        loss3 = F.softmax_cross_entropy(y3, t)
        loss = 0.3 * (loss1 + loss2) + loss3
        chainer.report({'loss': loss, 'loss1': loss1, 'loss2': loss2, 'loss3': loss3,
                        'accuracy': F.accuracy(y3, t)}, self)
        return loss
