#!/usr/bin/env python
"""Chainer's ImageNet example: a convolutional network trained on image lists.

Prepare two lists of ``<path> <label>`` lines (paths relative to ``--root``,
labels from 0; every image of the same size, e.g. ImageNet resized to 256x256)
and the mean image of the training list, then train::

    python examples/imagenet/compute_mean.py train.txt --root IMAGES -o mean.npy
    python examples/imagenet/train_imagenet.py train.txt val.txt --root IMAGES \\
        --mean mean.npy --arch alex -j 4

Nothing is downloaded: ImageNet has no download function, so the lists and
images are the user's (any image set of one size works; the tests use a
generated one).

Networks (``--arch/-a``; the model files sit next to this script):
``alex`` (AlexNet, 227x227 crops), ``nin`` (Network in Network, 227x227,
the default), ``googlenet`` (GoogLeNet with its two auxiliary classifiers,
224x224), ``googlenetbn`` (the same with batch normalization, 224x224) and
``resnet50`` (ResNet-50, 224x224).  Each has ``--n_class`` outputs
(ImageNet's 1,000 by default), an ``insize`` and ``forward(x, t)`` reporting
``loss`` and ``accuracy``.  ``--insize`` trains on smaller crops (from 39 for
alex and nin, 79 for googlenet, 59 for googlenetbn): the classifiers pool or
infer over whatever map the crop gives.

Data: ``PreprocessedDataset`` reads ``LabeledImageDataset(list, root)``,
subtracts the mean image and scales by 1/255; training images are cropped
at a random place and flipped at random, validation images are cropped at the
centre.  ``MultiprocessIterator`` loads batches in ``--loaderjob/-j``
processes (all CPUs by default); ``--loaderjob 0`` or ``--iterator serial``
loads them in the main process with ``SerialIterator``.

Training: MomentumSGD (lr 0.01, momentum 0.9) with weight decay 5e-4,
``StandardUpdater`` and the Trainer's extensions: ``Evaluator`` on
``--val_batchsize`` batches, ``DumpGraph``, ``snapshot`` (``snapshot_iter_<i>``,
for ``--resume``) and ``snapshot_object`` of the model (``model_iter_<i>``, for
``--initmodel``) every 100,000 iterations, ``LogReport``, ``observe_lr`` and
``PrintReport`` (epoch, iteration, losses, accuracies, lr) every 1,000,
and ``ProgressBar``.  ``--test`` validates and logs every iteration and
snapshots at the end of the run, for a quick check on a small list.

Options: ``train`` and ``val`` (the lists), ``--arch/-a``, ``--batchsize/-B``
(32), ``--val_batchsize/-b`` (250), ``--epoch/-E`` (10), ``--dtype`` (float16,
float32 or float64; the default dtype otherwise), ``--device/-d`` (``-1``/``@numpy``,
``0``/``@cupy:0``), ``--initmodel``, ``--loaderjob/-j``, ``--iterator``
(``multiprocess`` or ``serial``), ``--mean/-m`` (``mean.npy``), ``--resume/-r``,
``--out/-o`` (``result``), ``--root/-R`` (``.``), ``--insize``, ``--n_class``, ``--seed``,
``--test`` and the deprecated ``--gpu/-g``.
"""
from __future__ import annotations

import argparse
import os
import random
import sys
from typing import Sequence

import numpy

import chainer
import chainer.datasets  # noqa: F401
import chainer.iterators  # noqa: F401
from chainer import training
from chainer.training import extensions

# The model files sit next to this script (also when it is imported from elsewhere).
_HERE = os.path.dirname(os.path.abspath(__file__))
if _HERE not in sys.path:
    sys.path.insert(0, _HERE)
import alex  # noqa: E402
import googlenet  # noqa: E402
import googlenetbn  # noqa: E402
import nin  # noqa: E402
import resnet50  # noqa: E402

ARCHS = {
    'alex': alex.Alex,
    'googlenet': googlenet.GoogLeNet,
    'googlenetbn': googlenetbn.GoogLeNetBN,
    'nin': nin.NIN,
    'resnet50': resnet50.ResNet50,
}
DTYPES = {'float16': numpy.float16, 'float32': numpy.float32, 'float64': numpy.float64}


class PreprocessedDataset(chainer.dataset.DatasetMixin):
    """The images of a ``"<path> <label>"`` list, mean-subtracted, cropped to
    ``crop_size`` (at a random place and flipped at random when ``random``,
    at the centre otherwise) and scaled by 1/255."""

    def __init__(self, path: str, root: str, mean: numpy.ndarray, crop_size: int,
                 random: bool = True) -> None:
        self.base = chainer.datasets.LabeledImageDataset(path, root)
        self.mean = mean.astype(chainer.get_dtype())
        self.crop_size = crop_size
        self.random = random

    def __len__(self) -> int:
        return len(self.base)

    def get_example(self, i: int) -> tuple:
        crop = self.crop_size
        image, label = self.base[i]
        _, h, w = image.shape
        if image.shape != self.mean.shape:
            raise ValueError(f'image {i} has shape {image.shape}, the mean image '
                             f'{self.mean.shape}')
        if h < crop or w < crop:
            raise ValueError(f'image {i} is {h}x{w}, smaller than the crop size {crop}')
        if self.random:
            top = random.randint(0, h - crop)
            left = random.randint(0, w - crop)
            if random.randint(0, 1):
                image = image[:, :, ::-1]
        else:
            top = (h - crop) // 2
            left = (w - crop) // 2
        image = image[:, top:top + crop, left:left + crop]
        image -= self.mean[:, top:top + crop, left:left + crop]
        image *= image.dtype.type(1 / 255)
        return image, label


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f'must be a positive integer, got {text}')
    return value


def _non_negative(text: str) -> int:
    value = int(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f'must be 0 or more, got {text}')
    return value


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Learning convnet from ILSVRC2012 dataset')
    parser.add_argument('train', help='Path to training image-label list file')
    parser.add_argument('val', help='Path to validation image-label list file')
    parser.add_argument('--arch', '-a', choices=sorted(ARCHS), default='nin',
                        help='Convnet architecture')
    parser.add_argument('--batchsize', '-B', type=_positive, default=32,
                        help='Learning minibatch size')
    parser.add_argument('--dtype', choices=sorted(DTYPES),
                        help='Specify the dtype used. If not supplied, the default '
                        'dtype is used')
    parser.add_argument('--epoch', '-E', type=_positive, default=10,
                        help='Number of epochs to train')
    parser.add_argument('--device', '-d', type=str, default='-1',
                        help='Device specifier. Either ChainerX device specifier or an '
                        'integer. If non-negative integer, CuPy arrays with specified '
                        'device id are used. If negative integer, NumPy arrays are used')
    parser.add_argument('--initmodel', help='Initialize the model from given file')
    parser.add_argument('--loaderjob', '-j', type=_non_negative,
                        help='Number of parallel data loading processes (0: load in '
                        'the main process)')
    parser.add_argument('--iterator', choices=('multiprocess', 'serial'),
                        default='multiprocess',
                        help='MultiprocessIterator, or SerialIterator in the main process')
    parser.add_argument('--mean', '-m', default='mean.npy',
                        help='Mean file (computed by compute_mean.py)')
    parser.add_argument('--resume', '-r', default='',
                        help='Initialize the trainer from given file')
    parser.add_argument('--out', '-o', default='result', help='Output directory')
    parser.add_argument('--root', '-R', default='.',
                        help='Root directory path of image files')
    parser.add_argument('--val_batchsize', '-b', type=_positive, default=250,
                        help='Validation minibatch size')
    parser.add_argument('--insize', type=_positive,
                        help="Side of the crops (default: the architecture's insize)")
    parser.add_argument('--n_class', type=_positive, default=1000,
                        help='Number of classes (outputs of the network)')
    parser.add_argument('--seed', type=int,
                        help='Random seed of the weights, the crops and the shuffling')
    parser.add_argument('--test', action='store_true',
                        help='Validate and log every iteration, snapshot every epoch')
    group = parser.add_argument_group('deprecated arguments')
    group.add_argument('--gpu', '-g', dest='device', type=int, nargs='?', const=0,
                       help='GPU ID (negative value indicates CPU)')
    return parser.parse_args(argv)


def make_iterators(train, val, args: argparse.Namespace) -> tuple:
    if args.iterator == 'serial' or args.loaderjob == 0:
        return (chainer.iterators.SerialIterator(train, args.batchsize),
                chainer.iterators.SerialIterator(val, args.val_batchsize, repeat=False))
    # These load the images in worker processes while the model trains.
    return (chainer.iterators.MultiprocessIterator(train, args.batchsize,
                                                   n_processes=args.loaderjob),
            chainer.iterators.MultiprocessIterator(val, args.val_batchsize, repeat=False,
                                                   n_processes=args.loaderjob))


def main(argv: Sequence[str] | None = None) -> training.Trainer:
    """Runs the example with command-line arguments ``argv``; returns the trainer."""
    args = parse_args(argv)
    device = chainer.get_device(args.device)
    if args.dtype is not None:
        chainer.config.dtype = DTYPES[args.dtype]
    if args.seed is not None:
        random.seed(args.seed)
        numpy.random.seed(args.seed)
        if device.xp is not numpy and hasattr(device.xp, 'random'):
            device.xp.random.seed(args.seed)

    print(f'Device: {device}')
    print(f'Dtype: {chainer.config.dtype}')
    print(f'# Minibatch-size: {args.batchsize}')
    print(f'# epoch: {args.epoch}')
    print('')
    sys.stdout.flush()

    model = ARCHS[args.arch](n_class=args.n_class, insize=args.insize)
    if args.initmodel:
        print(f'Load model from {args.initmodel}')
        chainer.serializers.load_npz(args.initmodel, model)
    model.to_device(device)
    device.use()

    if not os.path.exists(args.mean):
        raise SystemExit(f'mean file {args.mean} not found: compute it with '
                         'compute_mean.py from the training list')
    mean = numpy.load(args.mean)
    train = PreprocessedDataset(args.train, args.root, mean, model.insize)
    val = PreprocessedDataset(args.val, args.root, mean, model.insize, False)
    train_iter, val_iter = make_iterators(train, val, args)

    optimizer = chainer.optimizers.MomentumSGD(lr=0.01, momentum=0.9)
    optimizer.setup(model)
    optimizer.add_hook(chainer.optimizer_hooks.WeightDecay(0.0005))

    updater = training.updaters.StandardUpdater(train_iter, optimizer, device=device)
    trainer = training.Trainer(updater, (args.epoch, 'epoch'), args.out)

    val_interval = (1 if args.test else 100000), 'iteration'
    log_interval = (1 if args.test else 1000), 'iteration'
    # A snapshot holds the whole model and its momenta: a test run writes one, at its end.
    snapshot_interval = (args.epoch, 'epoch') if args.test else val_interval

    trainer.extend(extensions.Evaluator(val_iter, model, device=device),
                   trigger=val_interval)
    trainer.extend(extensions.DumpGraph('main/loss'))
    trainer.extend(extensions.snapshot(), trigger=snapshot_interval)
    trainer.extend(extensions.snapshot_object(model, 'model_iter_{.updater.iteration}'),
                   trigger=snapshot_interval)
    # LogReport's trigger says when it writes the log (it reads every iteration).
    trainer.extend(extensions.LogReport(trigger=log_interval))
    trainer.extend(extensions.observe_lr(), trigger=log_interval)
    trainer.extend(extensions.PrintReport(
        ['epoch', 'iteration', 'main/loss', 'validation/main/loss',
         'main/accuracy', 'validation/main/accuracy', 'lr']), trigger=log_interval)
    trainer.extend(extensions.ProgressBar(update_interval=10))

    if args.resume:
        chainer.serializers.load_npz(args.resume, trainer)

    trainer.run()
    return trainer


if __name__ == '__main__':
    main()
