#!/usr/bin/env python
"""Evaluates a memory network saved by ``train_memnn.py`` on a bAbI file.

Run::

    python examples/memnn/test_memnn.py MODEL DATA [--device -1]

``MODEL`` is the directory given to ``train_memnn.py --model`` (it holds
``model.npz`` and ``vocab.json``); ``DATA`` a bAbI file.  Words the model has
not seen count as padding.  Prints the accuracy over the questions.
"""
from __future__ import annotations

import argparse
import os
import sys
from typing import Sequence

import chainer
from chainer.dataset import concat_examples

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import babi  # noqa: E402
import memnn  # noqa: E402


class _KnownWords(dict):
    """A frozen vocabulary: unknown words map to the padding id 0."""

    def __missing__(self, key):
        return 0


def main(argv: Sequence[str] | None = None) -> float:
    parser = argparse.ArgumentParser(description='Chainer example: evaluate a memory network')
    parser.add_argument('MODEL', help='Directory of the trained model')
    parser.add_argument('DATA', help='Test data in bAbI format')
    parser.add_argument('--device', '-d', type=str, default='-1',
                        help='Device specifier: -1 or @numpy for the CPU, a GPU id or '
                        '@cupy:N for a GPU')
    parser.add_argument('--batchsize', '-b', type=int, default=100,
                        help='Number of questions in each mini-batch')
    group = parser.add_argument_group('deprecated arguments')
    group.add_argument('--gpu', '-g', dest='device', type=int, nargs='?', const=0,
                       help='GPU ID (negative value indicates CPU)')
    args = parser.parse_args(argv)
    device = chainer.get_device(args.device)

    model, vocab, config = memnn.load_model(args.MODEL)
    model.to_device(device)
    stories = babi.read_data(_KnownWords(vocab), args.DATA)
    data = babi.convert_data(stories, config['max_memory'], config['sentence_len'])
    correct = 0
    with chainer.using_config('train', False), chainer.no_backprop_mode():
        for start in range(0, len(data), args.batchsize):
            batch = concat_examples(data[start:start + args.batchsize], device)
            y = model.predictor(batch['sentences'], batch['question'])
            correct += int((y.array.argmax(axis=1) == batch['answer']).sum())
    accuracy = correct / len(data)
    print(f'Accuracy: {accuracy:.4f} ({correct}/{len(data)})')
    return accuracy


if __name__ == '__main__':
    main()
