#!/usr/bin/env python
"""The mean image of an image list, for Chainer's ImageNet example.

Run it on the training list (lines of ``<path> <label>``, paths relative to
``--root``; every image of the same size, e.g. ImageNet resized to 256x256)::

    python examples/imagenet/compute_mean.py train.txt --root IMAGES -o mean.npy

It reads each image with ``chainer.datasets.LabeledImageDataset`` as a
``(channels, height, width)`` array of the default dtype (float32), averages
them and saves the mean with ``numpy.save`` to ``--output/-o`` (``mean.npy``),
which ``train_imagenet.py --mean`` reads.  Options: ``--root/-R`` (``.``) and
``--output/-o``.  Nothing is downloaded.
"""
from __future__ import annotations

import argparse
import sys
from typing import Sequence

import numpy

import chainer
import chainer.datasets  # noqa: F401


def compute_mean(dataset) -> numpy.ndarray:
    """The mean of the images of a dataset of ``(image, label)`` pairs; progress
    goes to stderr."""
    n = len(dataset)
    if n == 0:
        raise ValueError('cannot compute the mean of an empty image list')
    print('compute mean image')
    total = None
    for i in range(n):
        image, _ = dataset[i]
        if total is None:
            total = image.copy()
        elif image.shape != total.shape:
            raise ValueError(f'image {i} has shape {image.shape}, the first one '
                             f'{total.shape}: all images must be of the same size')
        else:
            total += image
        sys.stderr.write(f'{i + 1} / {n}\r')
        sys.stderr.flush()
    sys.stderr.write('\n')
    return total / total.dtype.type(n)


def main(argv: Sequence[str] | None = None) -> numpy.ndarray:
    """Runs the script with command-line arguments ``argv``; returns the mean."""
    parser = argparse.ArgumentParser(description='Compute images mean array')
    parser.add_argument('dataset', help='Path to training image-label list file')
    parser.add_argument('--root', '-R', default='.',
                        help='Root directory path of image files')
    parser.add_argument('--output', '-o', default='mean.npy',
                        help='path to output mean array')
    args = parser.parse_args(argv)

    dataset = chainer.datasets.LabeledImageDataset(args.dataset, args.root)
    mean = compute_mean(dataset)
    numpy.save(args.output, mean)
    return mean


if __name__ == '__main__':
    main()
