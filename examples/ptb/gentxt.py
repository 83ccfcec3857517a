#!/usr/bin/env python
"""Samples text from a language model trained by ``train_ptb.py``.

Run::

    python examples/ptb/gentxt.py -m model.npz -p the --vocab result/vocab.txt

The model is read from ``--model`` (its ``--unit`` must match the training
run's) and fed the words of ``--primetext``; then ``--length`` words are
drawn one at a time from its softmax (or the most likely word each time with
``--sample 0`` or less) and printed, ``<eos>`` as a full stop.  The
vocabulary is ``--vocab`` (the ``vocab.txt`` that ``train_ptb.py`` writes),
else the PTB vocabulary, else (offline) the fallback corpus of
``train_ptb.py``.
"""
from __future__ import annotations

import argparse
import contextlib
import io
import os
import sys
from typing import Sequence

import numpy as np

import chainer
import chainer.functions as F
import chainer.links as L

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import train_ptb  # noqa: E402


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Sample text from a PTB language model')
    parser.add_argument('--model', '-m', type=str, required=True,
                        help='model data, saved by train_ptb.py')
    parser.add_argument('--primetext', '-p', type=str, required=True, default='',
                        help='base text data, used for text generation')
    parser.add_argument('--seed', '-s', type=int, default=123,
                        help='random seeds for text generation')
    parser.add_argument('--unit', '-u', type=int, default=650,
                        help='number of units')
    parser.add_argument('--sample', type=int, default=1,
                        help='negative value indicates NOT use random choice')
    parser.add_argument('--length', type=int, default=20,
                        help='length of the generated text')
    parser.add_argument('--vocab', type=str, default=None,
                        help='vocabulary file (one word per line), as train_ptb.py '
                        'writes it')
    parser.add_argument('--device', '-d', type=str, default='-1',
                        help='Device specifier. Either ChainerX device specifier or an '
                        'integer. If non-negative integer, CuPy arrays with specified '
                        'device id are used. If negative integer, NumPy arrays are used')
    group = parser.add_argument_group('deprecated arguments')
    group.add_argument('--gpu', '-g', dest='device', type=int, nargs='?', const=0,
                       help='GPU ID (negative value indicates CPU)')
    return parser.parse_args(argv)


def load_vocabulary(path: str | None) -> dict:
    """Word-to-id dictionary: from ``path``, PTB's, or the fallback corpus's."""
    if path is not None:
        with open(path, encoding='utf-8') as f:
            return {line.rstrip('\n'): i for i, line in enumerate(f)}
    try:
        with contextlib.redirect_stderr(io.StringIO()):
            return chainer.datasets.get_ptb_words_vocabulary()
    except OSError:
        print('The PTB vocabulary could not be downloaded: using the vocabulary of the '
              'pydoc_data.topics corpus instead.', file=sys.stderr, flush=True)
        return train_ptb.fallback_corpus()[3]


def main(argv: Sequence[str] | None = None) -> str:
    """Runs the sampler with command-line arguments ``argv``; returns the text."""
    args = parse_args(argv)
    np.random.seed(args.seed)
    device = chainer.get_device(args.device)
    xp = device.xp
    device.use()
    if xp is not np:
        xp.random.seed(args.seed)

    vocab = load_vocabulary(args.vocab)
    ivocab = {i: w for w, i in vocab.items()}

    lm = train_ptb.RNNForLM(len(vocab), args.unit)
    model = L.Classifier(lm)
    chainer.serializers.load_npz(args.model, model)
    model.to_device(device)
    model.predictor.reset_state()

    words = args.primetext.split()
    unknown = [w for w in words if w not in vocab]
    if not words or unknown:
        raise SystemExit(f'primetext words not in the vocabulary: {unknown or "(none given)"}')

    out = [w if w != '<eos>' else '.' for w in words]
    with chainer.using_config('train', False), chainer.no_backprop_mode():
        for w in words:
            prob = F.softmax(model.predictor(xp.array([vocab[w]], xp.int32)))
        for _ in range(args.length):
            p = chainer.backends.cuda.to_cpu(prob.array)[0].astype(np.float64)
            if args.sample > 0:
                index = int(np.random.choice(len(p), p=p / p.sum()))
            else:
                index = int(np.argmax(p))
            out.append('.' if ivocab[index] == '<eos>' else ivocab[index])
            prob = F.softmax(model.predictor(xp.array([index], xp.int32)))
    text = ' '.join(out)
    print(text)
    return text


if __name__ == '__main__':
    main()
