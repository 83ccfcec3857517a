"""What the pretrained vision models share: image preparation, oversampling,
running up to named layers, and finding the converted weights."""
from __future__ import annotations

import collections
import importlib.util
import os
import sys
from typing import TYPE_CHECKING, Any, Callable, Dict, Iterable, List, Optional, Sequence

import numpy

import chainer
from chainer import link
from chainer import variable
from chainer.dataset import download
from chainer.utils import argument

if TYPE_CHECKING:
    from chainer.types import VariableOrArray

#: Whether Pillow is installed (needed to resize images in :func:`prepare_image`).
available: bool = importlib.util.find_spec('PIL') is not None


def prepare_image(image: Any, size: Optional[Sequence[int]], mean_bgr: Sequence[float]
                  ) -> numpy.ndarray:
    """Turns an image into a ``(3, H, W)`` BGR array minus ``mean_bgr``, of
    ``chainer.config.dtype`` (float32 by default).

    Args:
        image: A PIL image, or an array of shape ``(H, W)``, ``(H, W, C)`` or
            ``(C, H, W)`` with RGB channels.
        size: The size to resize to, handed to Pillow, so it reads
            ``(width, height)``; None keeps the size.
        mean_bgr: Per-channel mean (blue, green, red) subtracted from the result.
    """
    try:
        from PIL import Image
    except ImportError as e:   # pragma: no cover - Pillow ships with the test extra
        raise ImportError('preparing images needs Pillow (pip install Pillow)') from e
    if isinstance(image, numpy.ndarray):
        if image.ndim == 3:
            if image.shape[0] == 1:
                image = image[0]
            elif image.shape[0] == 3:
                image = image.transpose(1, 2, 0)
        image = Image.fromarray(image.astype(numpy.uint8))
    image = image.convert('RGB')
    if size:
        # Pillow reads the size and refuses a bad one (TypeError or ValueError);
        # its default filter (bicubic) is named so that every Pillow gives the same.
        image = image.resize(size, Image.BICUBIC)
    dtype = chainer.get_dtype()
    array = numpy.asarray(image, dtype=dtype)[:, :, ::-1]
    array = array - numpy.asarray(mean_bgr, dtype=dtype)
    return numpy.ascontiguousarray(array.transpose(2, 0, 1))


def oversample_crops(images: numpy.ndarray, crop_dims: Sequence[int]) -> numpy.ndarray:
    """Ten crops per image: the four corners and the centre, and their mirrors.

    ``images`` is ``(N, C, H, W)``; the result is ``(10 * N, C, h, w)`` with the
    ten crops of each image adjacent.
    """
    n, c, h, w = images.shape
    ch, cw = int(crop_dims[0]), int(crop_dims[1])
    starts = [(0, 0), (0, w - cw), (h - ch, 0), (h - ch, w - cw),
              ((h - ch) // 2, (w - cw) // 2)]
    crops = numpy.empty((n, 10, c, ch, cw), dtype=images.dtype)
    for i, (y, x) in enumerate(starts):
        crop = images[:, :, y:y + ch, x:x + cw]
        crops[:, i] = crop
        crops[:, i + 5] = crop[:, :, :, ::-1]
    return crops.reshape(n * 10, c, ch, cw)


class WeightsNotFoundError(download.DownloadError, FileNotFoundError):
    """The pretrained weights are missing and their download failed: the
    ``URLError`` Chainer let through (a ``DownloadError``, whose ``reason`` is
    the download's), and a ``FileNotFoundError``."""


def models_directory() -> str:
    """Where the converted pretrained weights live (under the dataset root)."""
    return download.get_dataset_directory('pfnet/chainer/models/')


def retrieve(cls: type, model: link.Link, npz_name: str, caffemodel_name: str,
             url: Optional[str], convert: Optional[Callable[[str, str], None]] = None,
             page: Optional[str] = None) -> None:
    """Loads the converted weights ``npz_name`` from the models directory into
    ``model``, converting Caffe's ``caffemodel_name`` (found there, or downloaded
    from ``url``) on first use with ``convert(caffemodel, npz)`` (by default
    ``cls.convert_caffemodel_to_npz``). When neither is available it says what
    to put where: a model downloaded by hand from the web ``page`` (``url`` is
    None) raises Chainer's ``OSError`` naming that page, a failed download a
    :class:`WeightsNotFoundError` (the ``URLError`` Chainer raised, and a
    ``FileNotFoundError``)."""
    from chainer import serializers

    root = models_directory()
    npz_path = os.path.join(root, npz_name)
    if not os.path.exists(npz_path):
        caffemodel_path = os.path.join(root, caffemodel_name)
        caffemodel: Optional[str] = caffemodel_path
        if not os.path.exists(caffemodel_path):
            caffemodel = None
            if url is not None:
                try:
                    caffemodel = download.cached_download(url)
                except Exception as e:   # offline, or the server is gone
                    error: Optional[Exception] = e
                else:
                    error = None
            else:
                error = None
            if caffemodel is None:
                where = ('(the dataset root is set by CHAINER_DATASET_ROOT or '
                         'chainer.dataset.set_dataset_root), or pass pretrained_model=None '
                         'for random weights or the path of an .npz file.')
                if page is not None:
                    raise OSError(
                        'The pre-trained caffemodel does not exist. Please download it '
                        f"from '{page}', and place it on {caffemodel_path} (converted on "
                        f'first use). Or put {npz_name} (written by '
                        f'{cls.__name__}.convert_caffemodel_to_npz) in {root} ' + where)
                raise WeightsNotFoundError(
                    f'{cls.__name__}: pretrained weights not found. Put {npz_name} '
                    f'(written by {cls.__name__}.convert_caffemodel_to_npz) in {root}, '
                    f'or Caffe\'s model as {caffemodel_path} (converted on first use) '
                    + where, getattr(error, 'reason', error)) from error
        sys.stderr.write('Now loading caffemodel (usually it may take few minutes)\n')
        sys.stderr.flush()
        (convert or cls.convert_caffemodel_to_npz)(caffemodel, npz_path)
    serializers.load_npz(npz_path, model)


class VisionModel(link.Chain):
    """Base of the pretrained classifiers: layers run in the order of
    :attr:`functions`, and ``forward`` returns the activations asked for."""

    #: Default crop size of :meth:`extract` and of the crops of :meth:`predict`.
    _insize = 224
    _mean_bgr: Sequence[float] = (0.0, 0.0, 0.0)
    _default_extract_layers = ('fc7',)
    #: The keyword ``forward`` refuses with a ValueError saying it was removed.
    _removed_kwarg = 'test'
    #: Layers that start again from the output of an earlier one (GoogLeNet's
    #: auxiliary classifiers), listed after ``prob`` in :attr:`functions`.
    _branches: Dict[str, str] = {}

    @property
    def functions(self) -> 'collections.OrderedDict[str, List[Callable]]':
        raise NotImplementedError

    @property
    def available_layers(self) -> List[str]:
        """Names of the layers ``forward`` can return."""
        return list(self.functions.keys())

    def forward(self, x: VariableOrArray, layers: Optional[Iterable[str]] = None,
                **kwargs: Any) -> Dict[str, variable.Variable]:
        """Runs the network on ``x`` up to the last of ``layers``.

        Args:
            x: Input batch of shape ``(N, 3, H, W)`` (prepared images).
            layers (list of str): Names of the layers whose outputs to return
                (default ``['prob']``); see :attr:`available_layers`.

        Returns:
            dict: Layer name to its output Variable.
        """
        if layers is None:
            layers = ['prob']
        if kwargs:
            argument.check_unexpected_kwargs(kwargs, **{
                self._removed_kwarg: f'{self._removed_kwarg} argument is not supported '
                'anymore. Use chainer.using_config'})
            argument.assert_kwargs_empty(kwargs)
        if isinstance(layers, str):
            raise ValueError(f'layers must be a list of layer names, not the string '
                             f'{layers!r}; write layers=[{layers!r}]')
        functions = self.functions
        targets = set(layers)
        unknown = targets - set(functions)
        if unknown:
            raise ValueError(f'unknown layers {sorted(unknown)}; available: {list(functions)}')
        h = x
        activations: Dict[str, variable.Variable] = {}
        kept: Dict[str, variable.Variable] = {}
        sources = set(self._branches.values())
        for key, funcs in functions.items():
            if not targets:
                break
            if key in self._branches:
                h = kept[self._branches[key]]
            for func in funcs:
                h = func(h)
            if key in targets:
                activations[key] = h
                targets.remove(key)
            if key in sources:
                kept[key] = h
        return activations

    def _prepare_batch(self, images: Iterable[Any], size: Optional[Sequence[int]]):
        from chainer.dataset import concat_examples
        return concat_examples([prepare_image(img, size, self._mean_bgr) for img in images])

    def extract(self, images: Iterable[Any], layers: Optional[Iterable[str]] = None,
                size: Optional[Sequence[int]] = (224, 224), **kwargs: Any
                ) -> Dict[str, variable.Variable]:
        """Features of images: :func:`prepare`, then :meth:`forward`.

        The configuration is left as it is: run it under
        ``chainer.using_config('train', False)`` (and ``no_backprop_mode``) for
        test-mode features without a graph.

        Args:
            images: PIL images or RGB arrays (see :func:`prepare`).
            layers (list of str): Layers to return (default ``['fc7']`` or the
                model's penultimate layer).
            size: ``(width, height)`` the images are resized to (Pillow's order,
                as :func:`prepare_image`); None keeps them.

        Returns:
            dict: Layer name to the Variable of its output.
        """
        if layers is None:
            layers = list(self._default_extract_layers)
        if kwargs:
            removed = {name: f'{name} argument is not supported anymore. '
                       'Use chainer.using_config'
                       for name in (self._removed_kwarg, 'volatile')}
            argument.check_unexpected_kwargs(kwargs, **removed)
            argument.assert_kwargs_empty(kwargs)
        x = self._prepare_batch(images, size)
        return self(variable.Variable(self.xp.asarray(x)), layers=layers)

    def predict(self, images: Iterable[Any], oversample: bool = True) -> variable.Variable:
        """Class probabilities of images (in test mode, without a graph).

        Images are resized to 256x256; with ``oversample`` the ten 224x224 crops
        of :func:`oversample_crops` are averaged, else the central crop is used.
        """
        x = self._prepare_batch(images, (256, 256))
        size = self._insize
        if oversample:
            x = oversample_crops(x, (size, size))
        else:
            off = (256 - size) // 2
            x = x[:, :, off:off + size, off:off + size]
        with chainer.no_backprop_mode(), chainer.using_config('train', False):
            y = self(variable.Variable(self.xp.asarray(x)), layers=['prob'])['prob']
            if oversample:
                n = len(y) // 10
                y = chainer.functions.reshape(y, (n, 10) + y.shape[1:])
                y = chainer.functions.sum(y, axis=1) / 10
        return y


def copy_param(dst: Any, src: Any) -> None:
    """Copies the array of ``src`` into ``dst`` (Parameters or plain arrays), checking
    the shapes (for weight conversion)."""
    src_array = src.array if hasattr(src, 'array') else src
    dst_array = dst.array if hasattr(dst, 'array') else dst
    if dst_array.shape != src_array.shape:
        raise ValueError(f'shape mismatch while converting: {src_array.shape} '
                         f'into {dst_array.shape}')
    dst_array[...] = src_array


def init_kwargs(pretrained_model: Any, initializer: Any) -> dict:
    """Layer initializers: random ones for a fresh model, cheap zeros when
    weights are about to be loaded."""
    from chainer import initializers
    if pretrained_model:
        return {'initialW': initializers.Zero()}
    return {'initialW': initializer, 'initial_bias': initializers.Zero()}


def load_weights(cls: type, model: link.Link, pretrained_model: Any, npz_name: str,
                 caffemodel_name: str, url: Optional[str],
                 convert: Optional[Callable[[str, str], None]] = None,
                 page: Optional[str] = None) -> None:
    """``pretrained_model`` semantics shared by the models (``convert`` and
    ``page`` as in :func:`retrieve`)."""
    if not pretrained_model:
        return
    if pretrained_model == 'auto':
        retrieve(cls, model, npz_name, caffemodel_name, url, convert, page)
    else:
        from chainer import serializers
        serializers.load_npz(pretrained_model, model)
