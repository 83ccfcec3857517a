"""Residual networks with 50, 101 and 152 layers (He et al., 2015)."""
from __future__ import annotations

import collections
import warnings
from typing import Any, Optional

import numpy

from chainer import initializers
from chainer import link
from chainer.functions.activation.relu import relu
from chainer.functions.activation.softmax import softmax
from chainer.functions.array.reshape import reshape
from chainer.functions.pooling.average_pooling_2d import average_pooling_2d
from chainer.functions.pooling.max_pooling_nd import max_pooling_2d
from chainer.links.connection.convolution_2d import Convolution2D
from chainer.links.connection.linear import Linear
from chainer.links.model.vision import _common
from chainer.utils import argument
from chainer.dataset.convert import concat_examples  # NOQA: F401 - the names Chainer's module held
from chainer.functions.math.sum import sum  # NOQA: F401,A004
from chainer.links.model.vision._common import available  # NOQA: F401
from chainer.variable import Variable  # NOQA: F401
from chainer.links.normalization.batch_normalization import BatchNormalization

_MEAN_BGR = (103.063, 115.903, 123.152)
_BLOCKS = {50: (3, 4, 6, 3), 101: (3, 4, 23, 3), 152: (3, 8, 36, 3)}


def _max_pooling_2d(x: Any) -> Any:
    return max_pooling_2d(x, ksize=3, stride=2)


def _global_average_pooling_2d(x: Any) -> Any:
    n, c, h, w = x.shape
    return reshape(average_pooling_2d(x, (h, w), stride=1), (n, c))


def prepare(image: Any, size=(224, 224)) -> numpy.ndarray:
    """Converts an image to the ResNets' input: a ``(3, H, W)`` float32 BGR array
    with the ImageNet mean subtracted (see :func:`chainer.links.model.vision.vgg.prepare`)."""
    return _common.prepare_image(image, size, _MEAN_BGR)


class BottleneckA(link.Chain):
    """The first bottleneck of a stage: 1x1 -> 3x3 -> 1x1 convolutions plus a
    projection shortcut, each followed by batch normalization.

    Args:
        in_channels, mid_channels, out_channels (int): Channel counts.
        stride (int): Stride of the stage (applied in the first 1x1 convolution,
            or in the 3x3 one with ``downsample_fb``).
        initialW: Initializer of the convolutions.
        downsample_fb (bool): Downsample in the 3x3 convolution (as in fb.resnet.torch).
    """

    def __init__(self, in_channels: int, mid_channels: int, out_channels: int,
                 stride: int = 2, initialW: Any = None, downsample_fb: bool = False) -> None:
        super().__init__()
        stride_1x1, stride_3x3 = (1, stride) if downsample_fb else (stride, 1)
        with self.init_scope():
            self.conv1 = Convolution2D(in_channels, mid_channels, 1, stride_1x1, 0,
                                       initialW=initialW, nobias=True)
            self.bn1 = BatchNormalization(mid_channels)
            self.conv2 = Convolution2D(mid_channels, mid_channels, 3, stride_3x3, 1,
                                       initialW=initialW, nobias=True)
            self.bn2 = BatchNormalization(mid_channels)
            self.conv3 = Convolution2D(mid_channels, out_channels, 1, 1, 0,
                                       initialW=initialW, nobias=True)
            self.bn3 = BatchNormalization(out_channels)
            self.conv4 = Convolution2D(in_channels, out_channels, 1, stride, 0,
                                       initialW=initialW, nobias=True)
            self.bn4 = BatchNormalization(out_channels)

    def forward(self, x: Any) -> Any:
        h1 = relu(self.bn1(self.conv1(x)))
        h1 = relu(self.bn2(self.conv2(h1)))
        h1 = self.bn3(self.conv3(h1))
        h2 = self.bn4(self.conv4(x))
        return relu(h1 + h2)


class BottleneckB(link.Chain):
    """A later bottleneck of a stage: 1x1 -> 3x3 -> 1x1 convolutions with an
    identity shortcut."""

    def __init__(self, in_channels: int, mid_channels: int, initialW: Any = None) -> None:
        super().__init__()
        with self.init_scope():
            self.conv1 = Convolution2D(in_channels, mid_channels, 1, 1, 0,
                                       initialW=initialW, nobias=True)
            self.bn1 = BatchNormalization(mid_channels)
            self.conv2 = Convolution2D(mid_channels, mid_channels, 3, 1, 1,
                                       initialW=initialW, nobias=True)
            self.bn2 = BatchNormalization(mid_channels)
            self.conv3 = Convolution2D(mid_channels, in_channels, 1, 1, 0,
                                       initialW=initialW, nobias=True)
            self.bn3 = BatchNormalization(in_channels)

    def forward(self, x: Any) -> Any:
        h = relu(self.bn1(self.conv1(x)))
        h = relu(self.bn2(self.conv2(h)))
        h = self.bn3(self.conv3(h))
        return relu(h + x)


class BuildingBlock(link.Chain):
    """A stage of ``n_layers`` bottlenecks: one :class:`BottleneckA` (``a``) and
    ``n_layers - 1`` :class:`BottleneckB` (``b1``, ``b2``, ...). ``n_layer=`` is the
    deprecated spelling of ``n_layers=``."""

    def __init__(self, n_layers: Optional[int] = None, in_channels: Optional[int] = None,
                 mid_channels: Optional[int] = None, out_channels: Optional[int] = None,
                 stride: Any = None, initialW: Any = None, downsample_fb: Any = None,
                 **kwargs: Any) -> None:
        if 'n_layer' in kwargs:
            warnings.warn('Argument `n_layer` is deprecated: pass n_layers to BuildingBlock',
                          DeprecationWarning)
            n_layers = kwargs.pop('n_layer')
        argument.assert_kwargs_empty(kwargs)
        super().__init__()
        with self.init_scope():
            self.a = BottleneckA(in_channels, mid_channels, out_channels, stride,
                                 initialW, downsample_fb)
            self._forward = ['a']
            for i in range(n_layers - 1):
                name = f'b{i + 1}'
                setattr(self, name, BottleneckB(out_channels, mid_channels, initialW))
                self._forward.append(name)

    def forward(self, x: Any) -> Any:
        for name in self._forward:
            x = getattr(self, name)(x)
        return x


class ResNetLayers(_common.VisionModel):
    """Residual network with ``n_layers`` (50, 101 or 152) layers.

    Args:
        pretrained_model (str): ``'auto'`` loads the converted ImageNet weights
            ``ResNet-<n>-model.npz`` from the dataset root (converted from Caffe's
            ``ResNet-<n>-model.caffemodel`` placed there, which is not downloadable
            automatically); a path loads that ``.npz``; None or ``''`` initialises
            randomly.
        n_layers (int): 50, 101 or 152.
        downsample_fb (bool): Downsample in the 3x3 convolutions (fb.resnet.torch
            style; the Caffe weights downsample in the 1x1 ones).

    Attributes:
        available_layers (list of str): ``conv1``, ``pool1``, ``res2`` ... ``res5``,
            ``pool5``, ``fc6`` and ``prob``.
    """

    _mean_bgr = _MEAN_BGR
    _default_extract_layers = ('pool5',)

    def __init__(self, pretrained_model: str | None, n_layers: int,
                 downsample_fb: bool = False) -> None:
        super().__init__()
        if n_layers not in _BLOCKS:
            raise ValueError(f'The n_layers argument should be either 50, 101, or 152, '
                             f'but {n_layers} was given.')
        self.n_layers = n_layers
        conv_kwargs = {'initialW': _common.init_kwargs(
            pretrained_model, initializers.HeNormal(scale=1.0))['initialW']}
        blocks = _BLOCKS[n_layers]
        with self.init_scope():
            self.conv1 = Convolution2D(3, 64, 7, 2, 3, **conv_kwargs)
            self.bn1 = BatchNormalization(64)
            self.res2 = BuildingBlock(blocks[0], 64, 64, 256, 1, downsample_fb=downsample_fb,
                                      **conv_kwargs)
            self.res3 = BuildingBlock(blocks[1], 256, 128, 512, 2,
                                      downsample_fb=downsample_fb, **conv_kwargs)
            self.res4 = BuildingBlock(blocks[2], 512, 256, 1024, 2,
                                      downsample_fb=downsample_fb, **conv_kwargs)
            self.res5 = BuildingBlock(blocks[3], 1024, 512, 2048, 2,
                                      downsample_fb=downsample_fb, **conv_kwargs)
            # As in Chainer, fc6 keeps Linear's default initializers even when
            # weights are loaded (so it draws from the global random state).
            self.fc6 = Linear(2048, 1000)
        caffemodel_name = f'ResNet-{n_layers}-model.caffemodel'
        if isinstance(pretrained_model, str) and pretrained_model.endswith('.caffemodel'):
            # As in Chainer: a Caffe model (its name in the models directory, or
            # a path) converted once into ResNet-<n>-model.npz there.
            caffemodel_name, pretrained_model = pretrained_model, 'auto'
        _common.load_weights(
            type(self), self, pretrained_model, f'ResNet-{n_layers}-model.npz',
            caffemodel_name, None,
            lambda src, dst: type(self).convert_caffemodel_to_npz(src, dst, n_layers),
            page='https://github.com/KaimingHe/deep-residual-networks')

    @property
    def functions(self) -> 'collections.OrderedDict':
        return collections.OrderedDict([
            ('conv1', [self.conv1, self.bn1, relu]),
            ('pool1', [_max_pooling_2d]),
            ('res2', [self.res2]),
            ('res3', [self.res3]),
            ('res4', [self.res4]),
            ('res5', [self.res5]),
            ('pool5', [_global_average_pooling_2d]),
            ('fc6', [self.fc6]),
            ('prob', [softmax]),
        ])

    @classmethod
    def convert_caffemodel_to_npz(cls, path_caffemodel: str, path_npz: str,
                                  n_layers: Optional[int] = None) -> None:
        """Converts Caffe's pretrained ResNet model into Chainer's ``.npz`` weights."""
        from chainer.links.caffe.caffe_function import CaffeFunction
        from chainer import serializers

        caffemodel = CaffeFunction(path_caffemodel)
        if n_layers is None:
            n_layers = getattr(cls, '_n_layers', None) or 50
        model = ResNetLayers(pretrained_model=None, n_layers=n_layers)
        _transfer_resnet(caffemodel, model)
        serializers.save_npz(path_npz, model, compression=False)


def _transfer_components(src: Any, conv: Any, bn: Any, block: str, branch: str) -> None:
    _common.copy_param(conv.W, src[f'res{block}_branch{branch}'].W)
    src_bn = src[f'bn{block}_branch{branch}']
    src_scale = src[f'scale{block}_branch{branch}']
    _common.copy_param(bn.avg_mean, src_bn.avg_mean)
    _common.copy_param(bn.avg_var, src_bn.avg_var)
    _common.copy_param(bn.gamma, src_scale.W)
    _common.copy_param(bn.beta, src_scale.bias.b)


def _caffe_block_names(stage: int, count: int, n_layers: int) -> list:
    """Caffe's names of the bottlenecks of a stage: ``2a, 2b, 2c`` or ``4a, 4b1, 4b2, ...``."""
    if n_layers == 50 or stage in (2, 5):
        return [f'{stage}{chr(ord("a") + i)}' for i in range(count)]
    return [f'{stage}a'] + [f'{stage}b{i}' for i in range(1, count)]


def _transfer_resnet(src: Any, dst: ResNetLayers) -> None:
    _common.copy_param(dst.conv1.W, src['conv1'].W)
    if src['conv1'].b is not None:   # ResNet-101's and -152's conv1 have no bias
        _common.copy_param(dst.conv1.b, src['conv1'].b)
    _common.copy_param(dst.bn1.avg_mean, src['bn_conv1'].avg_mean)
    _common.copy_param(dst.bn1.avg_var, src['bn_conv1'].avg_var)
    _common.copy_param(dst.bn1.gamma, src['scale_conv1'].W)
    _common.copy_param(dst.bn1.beta, src['scale_conv1'].bias.b)
    for stage, count in zip((2, 3, 4, 5), _BLOCKS[dst.n_layers]):
        block = dst[f'res{stage}']
        names = _caffe_block_names(stage, count, dst.n_layers)
        for i, name in enumerate(names):
            bottleneck = block[block._forward[i]]
            _transfer_components(src, bottleneck.conv1, bottleneck.bn1, name, '2a')
            _transfer_components(src, bottleneck.conv2, bottleneck.bn2, name, '2b')
            _transfer_components(src, bottleneck.conv3, bottleneck.bn3, name, '2c')
            if i == 0:
                _transfer_components(src, bottleneck.conv4, bottleneck.bn4, name, '1')
    _common.copy_param(dst.fc6.W, src['fc1000'].W)
    _common.copy_param(dst.fc6.b, src['fc1000'].b)


class ResNet50Layers(ResNetLayers):
    """ResNet-50; see :class:`ResNetLayers` for the arguments."""

    _n_layers = 50

    def __init__(self, pretrained_model: str | None = 'auto', downsample_fb: bool = False) -> None:
        super().__init__(pretrained_model, 50, downsample_fb)


class ResNet101Layers(ResNetLayers):
    """ResNet-101; see :class:`ResNetLayers` for the arguments."""

    _n_layers = 101

    def __init__(self, pretrained_model: str | None = 'auto', downsample_fb: bool = False) -> None:
        super().__init__(pretrained_model, 101, downsample_fb)


class ResNet152Layers(ResNetLayers):
    """ResNet-152; see :class:`ResNetLayers` for the arguments."""

    _n_layers = 152

    def __init__(self, pretrained_model: str | None = 'auto', downsample_fb: bool = False) -> None:
        super().__init__(pretrained_model, 152, downsample_fb)
