"""GoogLeNet (Szegedy et al., 2014), the Caffe BVLC model's layout."""
from __future__ import annotations

import collections
from typing import Any

import numpy

from chainer import initializers
from chainer.functions.activation.relu import relu
from chainer.functions.activation.softmax import softmax
from chainer.functions.noise.dropout import dropout
from chainer.functions.normalization.local_response_normalization import (
    local_response_normalization)
from chainer.functions.pooling.average_pooling_2d import average_pooling_2d
from chainer.functions.pooling.max_pooling_nd import max_pooling_2d
from chainer.links.connection.convolution_2d import Convolution2D
from chainer.links.connection.inception import Inception
from chainer.links.connection.linear import Linear
from chainer.links.model.vision import _common
from chainer.dataset.convert import concat_examples  # NOQA: F401 - the names Chainer's module held
from chainer.functions.array.reshape import reshape  # NOQA: F401
from chainer.functions.math.average import average  # NOQA: F401
from chainer.links.model.vision._common import available  # NOQA: F401
from chainer.variable import Variable  # NOQA: F401

_MEAN_BGR = (104.0, 117.0, 123.0)
_URL = 'http://dl.caffe.berkeleyvision.org/bvlc_googlenet.caffemodel'
# name: (in_channels, out1, proj3, out3, proj5, out5, proj_pool)
_INCEPTIONS = collections.OrderedDict([
    ('inc3a', (192, 64, 96, 128, 16, 32, 32)),
    ('inc3b', (256, 128, 128, 192, 32, 96, 64)),
    ('inc4a', (480, 192, 96, 208, 16, 48, 64)),
    ('inc4b', (512, 160, 112, 224, 24, 64, 64)),
    ('inc4c', (512, 128, 128, 256, 24, 64, 64)),
    ('inc4d', (512, 112, 144, 288, 32, 64, 64)),
    ('inc4e', (528, 256, 160, 320, 32, 128, 128)),
    ('inc5a', (832, 256, 160, 320, 32, 128, 128)),
    ('inc5b', (832, 384, 192, 384, 48, 128, 128)),
])
# Caffe's names of the convolutions inside an inception module.
_INCEPTION_PARTS = (('conv1', '1x1'), ('proj3', '3x3_reduce'), ('conv3', '3x3'),
                    ('proj5', '5x5_reduce'), ('conv5', '5x5'), ('projp', 'pool_proj'))


def _max_pooling_2d(x: Any) -> Any:
    return max_pooling_2d(x, ksize=3, stride=2)


def _local_response_normalization(x: Any) -> Any:
    return local_response_normalization(x, n=5, k=1, alpha=1e-4 / 5)


def _average_pooling_2d_k7(x: Any) -> Any:
    return average_pooling_2d(x, ksize=7, stride=1)


def _average_pooling_2d_k5(x: Any) -> Any:
    return average_pooling_2d(x, ksize=5, stride=3)


def _dropout(x: Any) -> Any:
    return dropout(x, ratio=0.4)


def prepare(image: Any, size=(224, 224)) -> numpy.ndarray:
    """Converts an image to GoogLeNet's input: a ``(3, H, W)`` float32 BGR array
    with the ImageNet mean subtracted."""
    return _common.prepare_image(image, size, _MEAN_BGR)


class GoogLeNet(_common.VisionModel):
    """GoogLeNet with the auxiliary classifiers' weights of the Caffe model.

    Args:
        pretrained_model (str): ``'auto'`` loads the converted ImageNet weights
            ``bvlc_googlenet.npz`` from the dataset root (converted from the Caffe
            model on first use); a path loads that ``.npz``; None or ``''``
            initialises randomly.

    Attributes:
        available_layers (list of str): ``conv1``, ``pool1``, ``conv2_reduce``,
            ``conv2``, ``pool2``, ``inception_3a`` ... ``inception_5b``, ``pool5``,
            ``loss3_fc``, ``prob``, and the auxiliary classifiers' ``loss1_fc2``
            and ``loss2_fc2``.
    """

    _mean_bgr = _MEAN_BGR
    _default_extract_layers = ('pool5',)
    _removed_kwarg = 'train'
    _branches = {'loss1_fc2': 'inception_4a', 'loss2_fc2': 'inception_4d'}

    def __init__(self, pretrained_model: str | None = 'auto') -> None:
        super().__init__()
        kwargs = _common.init_kwargs(pretrained_model, initializers.LeCunUniform(scale=1.0))
        with self.init_scope():
            self.conv1 = Convolution2D(3, 64, 7, stride=2, pad=3, **kwargs)
            self.conv2_reduce = Convolution2D(64, 64, 1, **kwargs)
            self.conv2 = Convolution2D(64, 192, 3, stride=1, pad=1, **kwargs)
            # As in Chainer, the inception blocks keep Inception's own default
            # initializers (and draw from the global generator even when
            # pretrained weights will replace them).
            for name, args in _INCEPTIONS.items():
                setattr(self, name, Inception(*args))
            self.loss3_fc = Linear(1024, 1000, **kwargs)
            self.loss1_conv = Convolution2D(512, 128, 1, **kwargs)
            self.loss1_fc1 = Linear(2048, 1024, **kwargs)
            self.loss1_fc2 = Linear(1024, 1000, **kwargs)
            self.loss2_conv = Convolution2D(528, 128, 1, **kwargs)
            self.loss2_fc1 = Linear(2048, 1024, **kwargs)
            self.loss2_fc2 = Linear(1024, 1000, **kwargs)
        _common.load_weights(type(self), self, pretrained_model, 'bvlc_googlenet.npz',
                             'bvlc_googlenet.caffemodel', _URL)

    @property
    def functions(self) -> 'collections.OrderedDict':
        return collections.OrderedDict([
            ('conv1', [self.conv1, relu]),
            ('pool1', [_max_pooling_2d, _local_response_normalization]),
            ('conv2_reduce', [self.conv2_reduce, relu]),
            ('conv2', [self.conv2, relu, _local_response_normalization]),
            ('pool2', [_max_pooling_2d]),
            ('inception_3a', [self.inc3a]),
            ('inception_3b', [self.inc3b]),
            ('pool3', [_max_pooling_2d]),
            ('inception_4a', [self.inc4a]),
            ('inception_4b', [self.inc4b]),
            ('inception_4c', [self.inc4c]),
            ('inception_4d', [self.inc4d]),
            ('inception_4e', [self.inc4e]),
            ('pool4', [_max_pooling_2d]),
            ('inception_5a', [self.inc5a]),
            ('inception_5b', [self.inc5b]),
            ('pool5', [_average_pooling_2d_k7]),
            ('loss3_fc', [_dropout, self.loss3_fc]),
            ('prob', [softmax]),
            # The auxiliary classifiers (without dropout) start again from
            # inception_4a and inception_4d (see _branches); placed after prob,
            # they are computed only when asked for.
            ('loss1_fc2', [_average_pooling_2d_k5, self.loss1_conv, relu,
                           self.loss1_fc1, relu, self.loss1_fc2]),
            ('loss2_fc2', [_average_pooling_2d_k5, self.loss2_conv, relu,
                           self.loss2_fc1, relu, self.loss2_fc2]),
        ])

    @classmethod
    def convert_caffemodel_to_npz(cls, path_caffemodel: str, path_npz: str) -> None:
        """Converts Caffe's BVLC GoogLeNet into Chainer's ``.npz`` weights."""
        from chainer.links.caffe.caffe_function import CaffeFunction
        from chainer import serializers

        src = CaffeFunction(path_caffemodel)
        dst = GoogLeNet(pretrained_model=None)

        def copy(link: Any, caffe_name: str) -> None:
            layer = src[caffe_name]
            _common.copy_param(link.W, layer.W)
            _common.copy_param(link.b, layer.b)

        copy(dst.conv1, 'conv1/7x7_s2')
        copy(dst.conv2_reduce, 'conv2/3x3_reduce')
        copy(dst.conv2, 'conv2/3x3')
        for name in _INCEPTIONS:
            for part, caffe_part in _INCEPTION_PARTS:
                copy(dst[name][part], f'inception_{name[3:]}/{caffe_part}')
        copy(dst.loss1_conv, 'loss1/conv')
        copy(dst.loss1_fc1, 'loss1/fc')
        copy(dst.loss1_fc2, 'loss1/classifier')
        copy(dst.loss2_conv, 'loss2/conv')
        copy(dst.loss2_fc1, 'loss2/fc')
        copy(dst.loss2_fc2, 'loss2/classifier')
        copy(dst.loss3_fc, 'loss3/classifier')
        serializers.save_npz(path_npz, dst, compression=False)
