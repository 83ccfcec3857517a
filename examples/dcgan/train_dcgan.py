#!/usr/bin/env python
"""Chainer's DCGAN example: a deep convolutional generative adversarial network.

Run it (CIFAR-10 is read from the dataset root, ``$CHAINER_DATASET_ROOT`` or
``~/.chainer/dataset``, and downloaded there on first use)::

    python examples/dcgan/train_dcgan.py
    python examples/dcgan/train_dcgan.py --dataset DIR   # the PNG/JPEG images in DIR

What it trains (Radford et al., 2015): a generator turns uniform noise
``z`` (``--n_hidden`` values in [-1, 1]) through a linear layer into a small
feature map, then doubles its side with 4x4 stride-2 deconvolutions (batch
normalization and ReLU after each) up to the image size, ending in a 3x3
deconvolution and a sigmoid; the discriminator mirrors it with 3x3 and
4x4 stride-2 convolutions, batch normalization (no scale) and leaky ReLU,
Gaussian noise (0.2) added to its activations while training, and a linear
layer to one logit.  All weights start from ``Normal(0.02)``.  The
discriminator minimises ``softplus(-D(x)) + softplus(D(G(z)))``, the generator
``softplus(-D(G(z)))``, each with Adam (alpha 0.0002, beta1 0.5) and weight
decay 0.0001.  ``DCGANUpdater`` makes one step of each per batch; the losses are
reported as ``gen/loss`` and ``dis/loss``.  The layer widths follow the image
size: 32x32 images start from a 4x4 map with ``--ch`` (512) channels, halved
at each of the three doublings.

When CIFAR-10 is not there and cannot be downloaded (no internet), the example
says so in one line and trains on the 1,797 8x8 handwritten digits of
scikit-learn (1-channel images: the generator starts from a 2x2 map of 64
channels and doubles its side twice), so it runs anywhere.  The default run
there (100 epochs, about 3,600 iterations) takes about five minutes on a CPU
core, and its previews show digit-like shapes.

Every ``--snapshot_interval`` iterations it writes a trainer snapshot
(``snapshot_iter_<i>.npz``, for ``--resume``), the generator and the
discriminator (``gen_iter_<i>.npz``, ``dis_iter_<i>.npz``) and a 10x10 grid
of images generated from fixed noise (``preview/image<i, 8 digits>.png``)
into ``--out``; ``LogReport`` and ``PrintReport`` show the losses every
``--display_interval`` iterations, and ``ProgressBar`` the progress.

Options: ``--batchsize/-b`` (50), ``--epoch/-e`` (1000 on images, 100 on the
digits), ``--device/-d`` (``-1``/``@numpy``, ``0``/``@cupy:0``), ``--dataset/-i``
(a directory of images; CIFAR-10 when empty), ``--out/-o`` (``result``),
``--resume/-r``, ``--n_hidden/-n`` (100), ``--ch`` (channels of the
generator's first map: 512 on images, 64 on the digits), ``--seed`` (0: the
weights, the noise and the preview), ``--snapshot_interval`` (1000),
``--display_interval`` (100) and the deprecated ``--gpu/-g``.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from typing import Sequence

import numpy

import chainer
import chainer.datasets  # noqa: F401  (explicit: also works before `import chainer` loads it)
import chainer.functions as F
import chainer.iterators  # noqa: F401
import chainer.links as L
from chainer import training
from chainer.training import extensions

_IMAGE_EPOCHS = 1000
_DIGITS_EPOCHS = 100
_IMAGE_CH = 512
_DIGITS_CH = 64
_IMAGE_SUFFIXES = ('.png', '.jpg', '.jpeg')


def add_noise(h, sigma: float = 0.2):
    """``h`` plus Gaussian noise of deviation ``sigma`` while training; ``h`` otherwise."""
    if not chainer.config.train:
        return h
    xp = chainer.backend.get_array_module(h)
    return h + sigma * xp.random.randn(*h.shape)


def _n_doublings(size: int, bottom_width: int) -> int:
    n = int(round(numpy.log2(size / bottom_width))) if size >= bottom_width else 0
    if n < 1 or bottom_width << n != size:
        raise ValueError(f'the image side ({size}) must be the bottom width ({bottom_width}) '
                         f'times a power of two (at least 2)')
    return n


def bottom_width_for(size: int) -> int:
    """Side of the generator's first feature map: 4, or 2 for images under 16 pixels."""
    return 4 if size >= 16 else 2


class Generator(chainer.Chain):
    """Noise ``(B, n_hidden[, 1, 1])`` to images ``(B, out_channels, size, size)`` in [0, 1].

    The links are named as in Chainer's example (``l0``, ``bn0``, ``dc1``,
    ``bn1``, ..., the last ``dc`` without normalization), so that 32x32
    generators exchange ``.npz`` files with it.
    """

    def __init__(self, n_hidden: int, bottom_width: int = 4, ch: int = 512,
                 wscale: float = 0.02, size: int = 32, out_channels: int = 3) -> None:
        super().__init__()
        self.n_hidden = n_hidden
        self.ch = ch
        self.bottom_width = bottom_width
        self.n_up = _n_doublings(size, bottom_width)
        if ch >> self.n_up < 1:
            raise ValueError(f'ch ({ch}) must be at least {1 << self.n_up} for {self.n_up} '
                             'doublings')
        w = chainer.initializers.Normal(wscale)
        with self.init_scope():
            self.l0 = L.Linear(n_hidden, bottom_width * bottom_width * ch, initialW=w)
            self.bn0 = L.BatchNormalization(bottom_width * bottom_width * ch)
            for i in range(1, self.n_up + 1):
                setattr(self, f'dc{i}', L.Deconvolution2D(ch >> (i - 1), ch >> i, 4, 2, 1,
                                                          initialW=w))
                setattr(self, f'bn{i}', L.BatchNormalization(ch >> i))
            setattr(self, f'dc{self.n_up + 1}',
                    L.Deconvolution2D(ch >> self.n_up, out_channels, 3, 1, 1, initialW=w))

    def make_hidden(self, batchsize: int) -> numpy.ndarray:
        """``batchsize`` noise vectors, uniform in [-1, 1], shaped ``(B, n_hidden, 1, 1)``."""
        dtype = chainer.get_dtype()
        return numpy.random.uniform(-1, 1, (batchsize, self.n_hidden, 1, 1)).astype(dtype)

    def forward(self, z):
        h = F.relu(self.bn0(self.l0(z)))
        h = F.reshape(h, (len(z), self.ch, self.bottom_width, self.bottom_width))
        for i in range(1, self.n_up + 1):
            h = F.relu(self[f'bn{i}'](self[f'dc{i}'](h)))
        return F.sigmoid(self[f'dc{self.n_up + 1}'](h))


class Discriminator(chainer.Chain):
    """Images ``(B, in_channels, size, size)`` in [0, 1] to logits ``(B, 1)`` of being real.

    Pairs of a 3x3 convolution and a 4x4 stride-2 one (``c0_0``, ``c0_1``,
    ``c1_0``, ...), batch normalization without scale after all but the first,
    a last 3x3 convolution and a linear layer, named as in Chainer's example.
    """

    def __init__(self, bottom_width: int = 4, ch: int = 512, wscale: float = 0.02,
                 size: int = 32, in_channels: int = 3) -> None:
        super().__init__()
        n = self.n_down = _n_doublings(size, bottom_width)
        if ch >> n < 1:
            raise ValueError(f'ch ({ch}) must be at least {1 << n} for {n} halvings')
        w = chainer.initializers.Normal(wscale)
        with self.init_scope():
            self.c0_0 = L.Convolution2D(in_channels, ch >> n, 3, 1, 1, initialW=w)
            for i in range(n):
                width = ch >> (n - i)
                if i > 0:
                    setattr(self, f'c{i}_0', L.Convolution2D(width, width, 3, 1, 1, initialW=w))
                    setattr(self, f'bn{i}_0', L.BatchNormalization(width, use_gamma=False))
                setattr(self, f'c{i}_1', L.Convolution2D(width, width * 2, 4, 2, 1, initialW=w))
                setattr(self, f'bn{i}_1', L.BatchNormalization(width * 2, use_gamma=False))
            setattr(self, f'c{n}_0', L.Convolution2D(ch, ch, 3, 1, 1, initialW=w))
            setattr(self, f'bn{n}_0', L.BatchNormalization(ch, use_gamma=False))
            setattr(self, f'l{n + 1}', L.Linear(bottom_width * bottom_width * ch, 1,
                                                initialW=w))

    def forward(self, x):
        n = self.n_down
        h = F.leaky_relu(add_noise(self.c0_0(add_noise(x))))
        for i in range(n):
            h = F.leaky_relu(add_noise(self[f'bn{i}_1'](self[f'c{i}_1'](h))))
            h = F.leaky_relu(add_noise(self[f'bn{i + 1}_0'](self[f'c{i + 1}_0'](h))))
        return self[f'l{n + 1}'](h)


class DCGANUpdater(training.updaters.StandardUpdater):
    """One discriminator step and one generator step per batch.

    Takes ``models=(gen, dis)`` besides ``StandardUpdater``'s arguments, whose
    ``optimizer`` is ``{'gen': ..., 'dis': ...}``.  Real images come from the
    iterator in [0, 255] and are scaled to [0, 1].
    """

    def __init__(self, *args, **kwargs) -> None:
        self.gen, self.dis = kwargs.pop('models')
        super().__init__(*args, **kwargs)

    def loss_dis(self, dis, y_fake, y_real):
        batchsize = len(y_fake)
        loss = (F.sum(F.softplus(-y_real)) + F.sum(F.softplus(y_fake))) / batchsize
        chainer.report({'loss': loss}, dis)
        return loss

    def loss_gen(self, gen, y_fake):
        loss = F.sum(F.softplus(-y_fake)) / len(y_fake)
        chainer.report({'loss': loss}, gen)
        return loss

    def update_core(self) -> None:
        gen_optimizer = self.get_optimizer('gen')
        dis_optimizer = self.get_optimizer('dis')
        batch = self.get_iterator('main').next()
        device = self.device
        x_real = chainer.Variable(self.converter(batch, device)) / 255.
        gen, dis = self.gen, self.dis
        batchsize = len(batch)

        y_real = dis(x_real)
        z = chainer.Variable(device.xp.asarray(gen.make_hidden(batchsize)))
        x_fake = gen(z)
        y_fake = dis(x_fake)

        # Both losses share the graph of x_fake: the generator's update clears
        # the gradients that the discriminator's backward pass left in it, then
        # backpropagates its own loss through the (just updated) discriminator.
        dis_optimizer.update(self.loss_dis, dis, y_fake, y_real)
        gen_optimizer.update(self.loss_gen, gen, y_fake)


def _tile(x: numpy.ndarray, rows: int, cols: int) -> numpy.ndarray:
    """Images ``(rows * cols, C, H, W)`` in [0, 1] as one uint8 picture (H x W x C, or H x W)."""
    x = numpy.asarray(numpy.clip(x * 255, 0., 255.), numpy.uint8)
    _, channels, height, width = x.shape
    x = x.reshape(rows, cols, channels, height, width).transpose(0, 3, 1, 4, 2)
    x = x.reshape(rows * height, cols * width, channels)
    return x[:, :, 0] if channels == 1 else x


def out_generated_image(gen: Generator, dis: Discriminator, rows: int, cols: int, seed: int,
                        dst: str):
    """An extension writing ``<dst>/preview/image<iteration>.png``: a ``rows`` x ``cols``
    grid of images generated from noise drawn with ``seed`` (the same at every call)."""
    from PIL import Image

    @training.make_extension()
    def make_image(trainer: training.Trainer) -> None:
        state = numpy.random.get_state()  # fixed noise; training draws on undisturbed
        numpy.random.seed(seed)
        try:
            z = chainer.Variable(gen.xp.asarray(gen.make_hidden(rows * cols)))
        finally:
            numpy.random.set_state(state)
        with chainer.using_config('train', False), chainer.no_backprop_mode():
            x = gen(z)
        picture = _tile(chainer.backend.CpuDevice().send(x.array), rows, cols)
        preview_dir = os.path.join(dst, 'preview')
        os.makedirs(preview_dir, exist_ok=True)
        path = os.path.join(preview_dir, f'image{trainer.updater.iteration:0>8}.png')
        image = Image.fromarray(picture)
        image.save(path, format='PNG')

    return make_image


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'must be a positive integer, got {text}')
    return value


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Chainer example: DCGAN')
    parser.add_argument('--batchsize', '-b', type=_positive, default=50,
                        help='Number of images in each mini-batch')
    parser.add_argument('--epoch', '-e', type=_positive, default=None,
                        help=f'Number of sweeps over the dataset to train (default: '
                        f'{_IMAGE_EPOCHS} on images, {_DIGITS_EPOCHS} on the digits)')
    parser.add_argument('--device', '-d', type=str, default='-1',
                        help='Device specifier: -1 or @numpy for the CPU, a GPU id or '
                        '@cupy:N for a GPU')
    parser.add_argument('--dataset', '-i', default='',
                        help='Directory of image files.  Default is cifar-10.')
    parser.add_argument('--out', '-o', default='result',
                        help='Directory to output the result')
    parser.add_argument('--resume', '-r', type=str,
                        help='Resume the training from snapshot')
    parser.add_argument('--n_hidden', '-n', type=_positive, default=100,
                        help='Number of hidden units (z)')
    parser.add_argument('--ch', type=_positive, default=None,
                        help=f'Channels of the generator\'s first feature map (default: '
                        f'{_IMAGE_CH} on images, {_DIGITS_CH} on the digits)')
    parser.add_argument('--seed', type=int, default=0,
                        help='Random seed of the weights, the noise and the preview')
    parser.add_argument('--snapshot_interval', type=_positive, default=1000,
                        help='Interval of snapshot (iterations)')
    parser.add_argument('--display_interval', type=_positive, default=100,
                        help='Interval of displaying log to console (iterations)')
    group = parser.add_argument_group('deprecated arguments')
    group.add_argument('--gpu', '-g', dest='device', type=int, nargs='?', const=0,
                       help='GPU ID (negative value indicates CPU)')
    return parser.parse_args(argv)


def get_digits() -> numpy.ndarray:
    """scikit-learn's 1,797 8x8 digits as ``(N, 1, 8, 8)`` images in [0, 255] of the
    default dtype (``chainer.get_dtype()``, as CIFAR's)."""
    from sklearn.datasets import load_digits
    return (load_digits().images * (255. / 16.)).astype(chainer.get_dtype())[:, None]


def load_dataset(directory: str) -> tuple:
    """``(images, on_digits)``: the images in ``directory``, else CIFAR-10's training
    images from the dataset root (downloading them), else scikit-learn's digits."""
    if directory:
        if not os.path.isdir(directory):
            raise SystemExit(f'--dataset: {directory} is not a directory')
        image_files = sorted(f for f in os.listdir(directory)
                             if f.lower().endswith(_IMAGE_SUFFIXES))
        print(f'{directory} contains {len(image_files)} image files')
        if not image_files:
            raise SystemExit(f'--dataset: {directory} holds no PNG or JPEG images')
        return chainer.datasets.ImageDataset(paths=image_files, root=directory), False
    held = io.StringIO()  # the loader's "Downloading ..." lines, shown only on success
    try:
        with contextlib.redirect_stderr(held):
            train, _ = chainer.datasets.get_cifar10(withlabel=False, scale=255.)
    except OSError:
        where = os.path.join(chainer.dataset.get_dataset_root(), 'pfnet', 'chainer', 'cifar')
        print(f'CIFAR10 is not in {where} and could not be downloaded: training on the 8x8 '
              'digits set of scikit-learn (1-channel images) instead.',
              file=sys.stderr, flush=True)
    except BaseException:
        sys.stderr.write(held.getvalue())
        raise
    else:
        sys.stderr.write(held.getvalue())
        return train, False
    try:
        return get_digits(), True
    except ImportError:
        raise SystemExit('scikit-learn is needed for the digits set: pip install '
                         "scikit-learn (or install this project with the 'examples' "
                         'extra)') from None


def make_optimizer(model: chainer.Link, alpha: float = 0.0002,
                   beta1: float = 0.5) -> chainer.Optimizer:
    optimizer = chainer.optimizers.Adam(alpha=alpha, beta1=beta1)
    optimizer.setup(model)
    optimizer.add_hook(chainer.optimizer_hooks.WeightDecay(0.0001), 'hook_dec')
    return optimizer


def main(argv: Sequence[str] | None = None) -> training.Trainer:
    """Runs the example with command-line arguments ``argv``; returns the trainer."""
    args = parse_args(argv)
    device = chainer.get_device(args.device)
    numpy.random.seed(args.seed)
    if device.xp is not numpy:
        device.xp.random.seed(args.seed)

    train, on_digits = load_dataset(args.dataset)
    channels, height, width = numpy.shape(train[0])
    if height != width:
        raise SystemExit(f'--dataset: the images must be square, got {height}x{width}')
    bottom_width = bottom_width_for(height)
    try:
        _n_doublings(height, bottom_width)
    except ValueError as e:
        raise SystemExit(f'--dataset: {e}') from None
    epoch = args.epoch or (_DIGITS_EPOCHS if on_digits else _IMAGE_EPOCHS)
    ch = args.ch or (_DIGITS_CH if on_digits else _IMAGE_CH)

    print(f'Device: {device}')
    print(f'# Minibatch-size: {args.batchsize}')
    print(f'# n_hidden: {args.n_hidden}')
    print(f'# epoch: {epoch}')
    print(f'# images: {len(train)} of {channels}x{height}x{width}'
          f'{" (digits, offline fallback)" if on_digits else ""}')
    print('')
    sys.stdout.flush()

    device.use()
    gen = Generator(n_hidden=args.n_hidden, bottom_width=bottom_width, ch=ch, size=height,
                    out_channels=channels)
    dis = Discriminator(bottom_width=bottom_width, ch=ch, size=height, in_channels=channels)
    gen.to_device(device)
    dis.to_device(device)

    opt_gen = make_optimizer(gen)
    opt_dis = make_optimizer(dis)

    train_iter = chainer.iterators.SerialIterator(train, args.batchsize)
    updater = DCGANUpdater(models=(gen, dis), iterator=train_iter,
                           optimizer={'gen': opt_gen, 'dis': opt_dis}, device=device)
    trainer = training.Trainer(updater, (epoch, 'epoch'), out=args.out)

    snapshot_interval = (args.snapshot_interval, 'iteration')
    display_interval = (args.display_interval, 'iteration')
    trainer.extend(extensions.snapshot(filename='snapshot_iter_{.updater.iteration}.npz'),
                   trigger=snapshot_interval)
    trainer.extend(extensions.snapshot_object(gen, 'gen_iter_{.updater.iteration}.npz'),
                   trigger=snapshot_interval)
    trainer.extend(extensions.snapshot_object(dis, 'dis_iter_{.updater.iteration}.npz'),
                   trigger=snapshot_interval)
    trainer.extend(extensions.LogReport(trigger=display_interval))
    trainer.extend(extensions.PrintReport(['epoch', 'iteration', 'gen/loss', 'dis/loss']),
                   trigger=display_interval)
    trainer.extend(extensions.ProgressBar(update_interval=10))
    trainer.extend(out_generated_image(gen, dis, 10, 10, args.seed, args.out),
                   trigger=snapshot_interval)

    if args.resume:
        chainer.serializers.load_npz(args.resume, trainer)

    trainer.run()
    return trainer


if __name__ == '__main__':
    main()
