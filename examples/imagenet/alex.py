"""AlexNet (Krizhevsky et al., 2012) as in Chainer's ImageNet example.

Five convolutions (local response normalization and max pooling after the
first two, max pooling after the fifth) and three fully connected layers with
dropout; ``forward(x, t)`` returns the softmax cross entropy and reports
``loss`` and ``accuracy``.
"""
from __future__ import annotations

import chainer
import chainer.functions as F
import chainer.links as L


class Alex(chainer.Chain):
    """AlexNet for ``insize`` x ``insize`` RGB images (227 by default).

    The fully connected layers infer their input size, so a smaller
    ``insize`` (39 or more) gives the same network on smaller crops.
    """

    insize = 227

    def __init__(self, n_class: int = 1000, insize: int | None = None) -> None:
        super().__init__()
        if insize is not None:
            self.insize = insize
        with self.init_scope():
            self.conv1 = L.Convolution2D(None, 96, 11, stride=4)
            self.conv2 = L.Convolution2D(None, 256, 5, pad=2)
            self.conv3 = L.Convolution2D(None, 384, 3, pad=1)
            self.conv4 = L.Convolution2D(None, 384, 3, pad=1)
            self.conv5 = L.Convolution2D(None, 256, 3, pad=1)
            self.fc6 = L.Linear(None, 4096)
            self.fc7 = L.Linear(None, 4096)
            self.fc8 = L.Linear(None, n_class)

    def predict(self, x):
        """The class scores of a batch of images."""
        h = F.relu(self.conv1(x))
        h = F.max_pooling_2d(F.local_response_normalization(h), 3, stride=2)
        h = F.relu(self.conv2(h))
        h = F.max_pooling_2d(F.local_response_normalization(h), 3, stride=2)
        h = F.relu(self.conv3(h))
        h = F.relu(self.conv4(h))
        h = F.max_pooling_2d(F.relu(self.conv5(h)), 3, stride=2)
        h = F.dropout(F.relu(self.fc6(h)))
        h = F.dropout(F.relu(self.fc7(h)))
        return self.fc8(h)

    def forward(self, x, t):
        y = self.predict(x)
        loss = F.softmax_cross_entropy(y, t)
        chainer.report({'loss': loss, 'accuracy': F.accuracy(y, t)}, self)
        return loss
