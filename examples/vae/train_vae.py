#!/usr/bin/env python
"""Chainer's VAE example: a variational autoencoder built from ``chainer.distributions``.

Install the project with the ``examples`` extra (scikit-learn, matplotlib,
which brings Pillow) and run it::

    pip install -e '.[examples]'
    python examples/vae/train_vae.py

The model: an encoder gives ``q(z|x)``, a diagonal normal
(``Independent(Normal(mu, log_scale=...))``), a decoder gives ``p(x|z)``, a
product of Bernoullis over the pixels (``Independent(Bernoulli(logit=...))``),
and the prior ``p(z)`` is a standard normal.  Training maximises the evidence
lower bound (ELBO) ``E_q[log p(x|z)] - beta * KL(q(z|x) || p(z))``, estimated
with ``--k`` reparameterised samples of ``z`` and ``chainer.kl_divergence``.

MNIST is read from the dataset root (``$CHAINER_DATASET_ROOT``, by default
``~/.chainer/dataset``) and downloaded there on first use.  When it is not
there and cannot be downloaded (no internet), the example says so in one line
and trains on the 8x8 handwritten-digits set of scikit-learn (1,437 training
and 360 validation images), so it runs anywhere.

The Trainer runs Adam through a ``StandardUpdater`` with an ``Evaluator``,
``LogReport`` (``log``), ``PrintReport``, ``ProgressBar``, a ``snapshot`` of
the trainer every ``--frequency`` epochs (``--resume``/``--autoload``
continue from one), and ``PlotReport`` (``elbo.png``, unless ``--noplot``).
At the end it writes ``train_reconstructed.png`` and
``test_reconstructed.png`` (originals above their reconstructions) and
``sampled.png`` (images decoded from the prior) into ``--out``.

Options: ``--batchsize/-b`` (100), ``--epoch/-e`` (100), ``--device/-d``
(``-1`` or ``@numpy``; ``0`` or ``@cupy:0``), ``--out/-o`` (``result``),
``--dim-z/-z`` (20), ``--dim-h`` (500), ``--beta`` (1.0), ``--k`` (1),
``--frequency/-f``, ``--resume/-r``, ``--autoload``, ``--initmodel/-m``,
``--test`` (a small subset), ``--noplot``, ``--seed`` and the deprecated
``--gpu/-g``.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import random
import sys
from typing import Sequence

import numpy

import chainer
import chainer.datasets  # noqa: F401  (explicit: also works before `import chainer` loads it)
from chainer import distributions as D
import chainer.functions as F
import chainer.iterators  # noqa: F401
import chainer.links as L
from chainer import reporter
from chainer import training
from chainer.training import extensions


class Encoder(chainer.Chain):
    """``q(z|x)``: a diagonal normal over the latent space for each input."""

    def __init__(self, n_in: int, n_latent: int, n_h: int) -> None:
        super().__init__()
        with self.init_scope():
            self.linear = L.Linear(n_in, n_h)
            self.mu = L.Linear(n_h, n_latent)
            self.ln_sigma = L.Linear(n_h, n_latent)

    def forward(self, x):
        h = F.tanh(self.linear(x))
        normal = D.Normal(loc=self.mu(h), log_scale=self.ln_sigma(h))
        return D.Independent(normal, reinterpreted_batch_ndims=1)


class Decoder(chainer.Chain):
    """``p(x|z)``: independent Bernoullis over the pixels, for latents ``(k, B, n_latent)``."""

    def __init__(self, n_in: int, n_latent: int, n_h: int) -> None:
        super().__init__()
        with self.init_scope():
            self.linear = L.Linear(n_latent, n_h)
            self.output = L.Linear(n_h, n_in)

    def forward(self, z):
        h = F.tanh(self.linear(z, n_batch_axes=z.ndim - 1))
        logit = self.output(h, n_batch_axes=z.ndim - 1)
        return D.Independent(D.Bernoulli(logit=logit), reinterpreted_batch_ndims=1)


class Prior(chainer.Link):
    """``p(z)``: the standard normal over the latent space."""

    def __init__(self, n_latent: int) -> None:
        super().__init__()
        self.add_persistent('loc', numpy.zeros(n_latent, numpy.float32))
        self.add_persistent('scale', numpy.ones(n_latent, numpy.float32))

    def forward(self):
        return D.Independent(D.Normal(self.loc, scale=self.scale), reinterpreted_batch_ndims=1)


class AvgELBOLoss(chainer.Chain):
    """The negative ELBO averaged over a batch.

    Reports ``loss``, ``elbo``, ``reconstr`` (``E_q[log p(x|z)]``) and
    ``kl_penalty`` (``KL(q(z|x) || p(z))``).
    """

    def __init__(self, encoder: Encoder, decoder: Decoder, prior: Prior,
                 beta: float = 1.0, k: int = 1) -> None:
        super().__init__()
        self.beta = beta
        self.k = k
        with self.init_scope():
            self.encoder = encoder
            self.decoder = decoder
            self.prior = prior

    def forward(self, x):
        q_z = self.encoder(x)
        z = q_z.sample(self.k)  # reparameterised: gradients reach the encoder
        p_x = self.decoder(z)
        reconstr = F.mean(p_x.log_prob(F.broadcast_to(x, (self.k,) + x.shape)))
        kl_penalty = F.mean(chainer.kl_divergence(q_z, self.prior()))
        elbo = reconstr - self.beta * kl_penalty
        loss = -elbo
        reporter.report({'loss': loss, 'elbo': elbo, 'reconstr': reconstr,
                         'kl_penalty': kl_penalty}, self)
        return loss


def make_model(n_in: int, n_latent: int, n_h: int, beta: float = 1.0, k: int = 1) -> AvgELBOLoss:
    return AvgELBOLoss(Encoder(n_in, n_latent, n_h), Decoder(n_in, n_latent, n_h),
                       Prior(n_latent), beta=beta, k=k)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Chainer example: VAE')
    parser.add_argument('--initmodel', '-m', type=str,
                        help='Initialize the model from given file')
    parser.add_argument('--resume', '-r', type=str,
                        help='Resume the optimization from snapshot')
    parser.add_argument('--autoload', action='store_true',
                        help='Automatically load the newest trainer snapshot in --out')
    parser.add_argument('--device', '-d', type=str, default='-1',
                        help='Device specifier: -1 or @numpy for the CPU, a GPU id or '
                        '@cupy:N for a GPU')
    parser.add_argument('--out', '-o', default='result',
                        help='Directory to output the result')
    parser.add_argument('--epoch', '-e', default=100, type=int,
                        help='Number of epochs to learn')
    parser.add_argument('--dim-z', '-z', default=20, type=int,
                        help='Dimension of the encoded vector')
    parser.add_argument('--dim-h', default=500, type=int,
                        help='Dimension of the hidden layer')
    parser.add_argument('--beta', default=1.0, type=float,
                        help='Regularization coefficient for the second term of ELBO bound')
    parser.add_argument('--k', '-k', default=1, type=int,
                        help='Number of Monte Carlo samples used in encoded vector')
    parser.add_argument('--binary', action='store_true',
                        help='Use binarized images')
    parser.add_argument('--batchsize', '-b', type=int, default=100,
                        help='Learning minibatch size')
    parser.add_argument('--frequency', '-f', type=int, default=-1,
                        help='Frequency of taking a snapshot (-1: at the end only)')
    parser.add_argument('--test', action='store_true',
                        help='Use a small subset of the data (for testing)')
    parser.add_argument('--noplot', dest='plot', action='store_false',
                        help='Disable PlotReport extension')
    parser.add_argument('--seed', type=int, default=None,
                        help='Random seed of the weights, the shuffling and the sampling')
    group = parser.add_argument_group('deprecated arguments')
    group.add_argument('--gpu', '-g', dest='device', type=int, nargs='?', const=0,
                       help='GPU ID (negative value indicates CPU)')
    return parser.parse_args(argv)


def load_images() -> tuple:
    """MNIST images (784 values in [0, 1]) from the dataset root, else scikit-learn's 8x8 digits."""
    held = io.StringIO()  # the loader's "Downloading ..." lines, shown only on success
    try:
        with contextlib.redirect_stderr(held):
            train, test = chainer.datasets.get_mnist(withlabel=False)
    except OSError:
        mnist_dir = os.path.join(chainer.dataset.get_dataset_root(), 'pfnet', 'chainer', 'mnist')
        print(f'MNIST is not in {mnist_dir} and could not be downloaded: training on the 8x8 '
              f'digits set of scikit-learn instead.', file=sys.stderr, flush=True)
    else:
        sys.stderr.write(held.getvalue())
        return numpy.asarray(train), numpy.asarray(test)
    try:
        from sklearn.datasets import load_digits
    except ImportError:
        raise SystemExit(
            'scikit-learn is needed for the digits set: pip install scikit-learn '
            "(or install this project with the 'examples' extra)") from None
    images = (load_digits().data / 16.).astype(numpy.float32)
    order = numpy.random.RandomState(0).permutation(len(images))
    return images[order[:1437]], images[order[1437:]]


def seed_everything(seed: int, device: chainer.backend.Device) -> None:
    random.seed(seed)
    numpy.random.seed(seed)
    if device.xp is not numpy:
        device.xp.random.seed(seed)


def _image_grid(rows: numpy.ndarray) -> numpy.ndarray:
    """Images ``(n_rows, n_cols, side * side)`` in [0, 1] tiled into one uint8 picture."""
    n_rows, n_cols, size = rows.shape
    side = int(round(size ** 0.5))
    tiles = rows.reshape(n_rows, n_cols, side, side)
    grid = numpy.ones((n_rows * (side + 1) + 1, n_cols * (side + 1) + 1), numpy.float32)
    for r in range(n_rows):
        for c in range(n_cols):
            top, left = 1 + r * (side + 1), 1 + c * (side + 1)
            grid[top:top + side, left:left + side] = tiles[r, c]
    return (numpy.clip(grid, 0, 1) * 255).astype(numpy.uint8)


def save_images(rows: numpy.ndarray, path: str, zoom: int = 4) -> None:
    """Writes a grid of images as a PNG file."""
    from PIL import Image
    grid = _image_grid(rows)
    image = Image.fromarray(grid).resize((grid.shape[1] * zoom, grid.shape[0] * zoom),
                                         Image.NEAREST)
    image.save(path, format='PNG')


def reconstruct(model: AvgELBOLoss, x: numpy.ndarray, device) -> numpy.ndarray:
    """The Bernoulli means of ``p(x|z)`` at the posterior means ``z`` of ``x``."""
    with chainer.using_config('train', False), chainer.no_backprop_mode():
        z = model.encoder(device.send(x)).mean
        p_x = model.decoder(F.expand_dims(z, 0))
        return chainer.backend.CpuDevice().send(p_x.mean.array[0])


def write_results(model: AvgELBOLoss, train: numpy.ndarray, test: numpy.ndarray,
                  device, out: str, n: int = 9) -> None:
    """``train_reconstructed.png``, ``test_reconstructed.png`` and ``sampled.png`` in ``out``."""
    for name, images in (('train', train), ('test', test)):
        x = numpy.asarray(images[:n], numpy.float32)
        rows = numpy.stack([x, reconstruct(model, x, device)])
        save_images(rows, os.path.join(out, f'{name}_reconstructed.png'))
    with chainer.using_config('train', False), chainer.no_backprop_mode():
        z = model.prior().sample((1, n))
        sampled = chainer.backend.CpuDevice().send(model.decoder(z).mean.array)
    save_images(sampled, os.path.join(out, 'sampled.png'))


def main(argv: Sequence[str] | None = None) -> training.Trainer:
    """Runs the example with command-line arguments ``argv``; returns the trainer."""
    args = parse_args(argv)
    device = chainer.get_device(args.device)

    print(f'Device: {device}')
    print(f'# dim z: {args.dim_z}')
    print(f'# Minibatch-size: {args.batchsize}')
    print(f'# epoch: {args.epoch}')
    print('')
    sys.stdout.flush()

    if args.seed is not None:
        seed_everything(args.seed, device)

    train, test = load_images()
    if args.binary:
        train = (train >= 0.5).astype(numpy.float32)
        test = (test >= 0.5).astype(numpy.float32)
    if args.test:
        train, test = train[:100], test[:100]
    n_in = train.shape[1]

    model = make_model(n_in, args.dim_z, args.dim_h, beta=args.beta, k=args.k)
    if args.initmodel is not None:
        chainer.serializers.load_npz(args.initmodel, model)
    model.to_device(device)
    device.use()

    optimizer = chainer.optimizers.Adam()
    optimizer.setup(model)

    train_iter = chainer.iterators.SerialIterator(train, args.batchsize)
    test_iter = chainer.iterators.SerialIterator(test, args.batchsize,
                                                 repeat=False, shuffle=False)

    updater = training.updaters.StandardUpdater(train_iter, optimizer, device=device)
    trainer = training.Trainer(updater, (args.epoch, 'epoch'), out=args.out)

    trainer.extend(extensions.Evaluator(test_iter, model, device=device),
                   call_before_training=True)
    frequency = args.epoch if args.frequency == -1 else max(1, args.frequency)
    trainer.extend(extensions.snapshot(n_retains=1, autoload=args.autoload),
                   trigger=(frequency, 'epoch'))
    trainer.extend(extensions.LogReport(), call_before_training=True)
    if args.plot and extensions.PlotReport.available():
        trainer.extend(extensions.PlotReport(['main/elbo', 'validation/main/elbo'], 'epoch',
                                             file_name='elbo.png'),
                       call_before_training=True)
    trainer.extend(extensions.PrintReport(
        ['epoch', 'main/elbo', 'validation/main/elbo', 'main/reconstr', 'main/kl_penalty',
         'elapsed_time']), call_before_training=True)
    trainer.extend(extensions.ProgressBar())

    if args.resume is not None:
        chainer.serializers.load_npz(args.resume, trainer)

    trainer.run()
    write_results(model, train, test, device, args.out)
    return trainer


if __name__ == '__main__':
    main()
