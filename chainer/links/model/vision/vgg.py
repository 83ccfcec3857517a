"""VGG16 and VGG19 (Simonyan and Zisserman, 2014)."""
from __future__ import annotations

import collections
from typing import Any

import numpy

from chainer import initializers
from chainer.functions.activation.relu import relu
from chainer.functions.activation.softmax import softmax
from chainer.functions.noise.dropout import dropout
from chainer.functions.pooling.max_pooling_nd import max_pooling_2d
from chainer.links.connection.convolution_2d import Convolution2D
from chainer.links.connection.linear import Linear
from chainer.links.model.vision import _common
from chainer.dataset.convert import concat_examples  # NOQA: F401 - the names Chainer's module held
from chainer.functions.array.reshape import reshape  # NOQA: F401
from chainer.functions.math.sum import sum  # NOQA: F401,A004
from chainer.links.model.vision._common import available  # NOQA: F401
from chainer.variable import Variable  # NOQA: F401

_MEAN_BGR = (103.939, 116.779, 123.68)
# Convolution channels per stage; VGG16 has (2, 2, 3, 3, 3) layers per stage,
# VGG19 (2, 2, 4, 4, 4).
_CHANNELS = (64, 128, 256, 512, 512)
_DEPTHS = {16: (2, 2, 3, 3, 3), 19: (2, 2, 4, 4, 4)}
_URLS = {
    16: 'https://www.robots.ox.ac.uk/%7Evgg/software/very_deep/caffe/'
        'VGG_ILSVRC_16_layers.caffemodel',
    19: 'https://www.robots.ox.ac.uk/%7Evgg/software/very_deep/caffe/'
        'VGG_ILSVRC_19_layers.caffemodel',
}


def _max_pooling_2d(x: Any) -> Any:
    return max_pooling_2d(x, ksize=2)


def prepare(image: Any, size=(224, 224)) -> numpy.ndarray:
    """Converts an image to VGG's input: a ``(3, H, W)`` float32 BGR array with the
    ImageNet mean subtracted.

    Args:
        image: PIL image or RGB array of shape ``(H, W)``, ``(H, W, C)`` or ``(C, H, W)``.
        size: ``(width, height)`` to resize to (Pillow's order); None keeps the size.
    """
    return _common.prepare_image(image, size, _MEAN_BGR)


class VGGLayers(_common.VisionModel):
    """VGG network with ``n_layers`` (16 or 19) weight layers.

    Args:
        pretrained_model (str): ``'auto'`` loads the converted ImageNet weights
            from the dataset root (``VGG_ILSVRC_<n>_layers.npz``, converted from
            the Caffe model on first use); a path loads that ``.npz``; None or
            ``''`` initialises randomly.
        n_layers (int): 16 or 19.

    Attributes:
        available_layers (list of str): Layers ``forward`` can return:
            ``conv1_1`` ... ``pool5``, ``fc6``, ``fc7``, ``fc8`` and ``prob``.
    """

    _mean_bgr = _MEAN_BGR

    def __init__(self, pretrained_model: str | None = 'auto', n_layers: int = 16) -> None:
        super().__init__()
        if n_layers not in _DEPTHS:
            raise ValueError(f'The n_layers argument should be either 16 or 19, '
                             f'but {n_layers} was given.')
        self.n_layers = n_layers
        kwargs = _common.init_kwargs(pretrained_model, initializers.Normal(0.01))
        self._conv_names = []
        # Created in Chainer's order, so that seeded initial weights match: VGG19's
        # fourth convolutions of stages 3-5 come after fc8.
        extra = []
        with self.init_scope():
            in_ch = 3
            for stage, (out_ch, depth) in enumerate(zip(_CHANNELS, _DEPTHS[n_layers]), 1):
                names = []
                for i in range(1, depth + 1):
                    name = f'conv{stage}_{i}'
                    if i <= 3:
                        setattr(self, name, Convolution2D(in_ch, out_ch, 3, 1, 1, **kwargs))
                    else:
                        extra.append((name, out_ch))
                    names.append(name)
                    in_ch = out_ch
                self._conv_names.append(names)
            self.fc6 = Linear(512 * 7 * 7, 4096, **kwargs)
            self.fc7 = Linear(4096, 4096, **kwargs)
            self.fc8 = Linear(4096, 1000, **kwargs)
            for name, ch in extra:
                setattr(self, name, Convolution2D(ch, ch, 3, 1, 1, **kwargs))
        _common.load_weights(type(self), self, pretrained_model,
                             f'VGG_ILSVRC_{n_layers}_layers.npz',
                             f'VGG_ILSVRC_{n_layers}_layers.caffemodel', _URLS[n_layers])

    @property
    def functions(self) -> 'collections.OrderedDict':
        funcs = collections.OrderedDict()
        for stage, names in enumerate(self._conv_names, 1):
            for name in names:
                funcs[name] = [getattr(self, name), relu]
            funcs[f'pool{stage}'] = [_max_pooling_2d]
        funcs['fc6'] = [self.fc6, relu, dropout]
        funcs['fc7'] = [self.fc7, relu, dropout]
        funcs['fc8'] = [self.fc8]
        funcs['prob'] = [softmax]
        return funcs

    @classmethod
    def convert_caffemodel_to_npz(cls, path_caffemodel: str, path_npz: str) -> None:
        """Converts Caffe's pretrained VGG model into Chainer's ``.npz`` weights.

        As in Chainer, the parameters of the Caffe model are saved as they are,
        each layer under its Caffe name, so a fine-tuned model (another ``fc8``,
        extra layers) converts too and loads into a chain of the same layout.
        """
        from chainer.links.caffe.caffe_function import CaffeFunction
        from chainer import serializers

        serializers.save_npz(path_npz, CaffeFunction(path_caffemodel), compression=False)


class VGG16Layers(VGGLayers):
    """VGG16 (16 weight layers); see :class:`VGGLayers` for the arguments."""

    def __init__(self, pretrained_model: str | None = 'auto') -> None:
        super().__init__(pretrained_model, 16)


class VGG19Layers(VGGLayers):
    """VGG19 (19 weight layers); see :class:`VGGLayers` for the arguments."""

    def __init__(self, pretrained_model: str | None = 'auto') -> None:
        super().__init__(pretrained_model, 19)
