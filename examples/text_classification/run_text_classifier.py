#!/usr/bin/env python
"""Classifies text read from stdin with a model trained by ``train_text_classifier.py``.

    python examples/text_classification/run_text_classifier.py --model-setup result/args.json \\
        < sentences.txt

``--model-setup`` is the ``args.json`` the training wrote: the encoder type
and sizes, ``n_class`` and the paths of ``vocab.json`` and
``best_model.npz`` (looked up beside ``args.json`` when the recorded path,
relative to where the training ran, does not exist).  Each non-blank input
line is normalised and tokenised as in training and printed as
``<label>\\t<probability>\\t<tokens>``; a blank line prints ``# blank line``.
Lines are classified in batches of 64.  Options: ``--model-setup``
(required), ``--device/-d`` (``-1`` or ``@numpy``; ``0`` or ``@cupy:0``) and
the deprecated ``--gpu/-g``.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from typing import Sequence, TextIO

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import chainer  # noqa: E402

import nets  # noqa: E402
import nlp_utils  # noqa: E402

ENCODERS = {'rnn': nets.RNNEncoder, 'cnn': nets.CNNEncoder, 'bow': nets.BOWMLPEncoder}


def _beside(path: str, setup_path: str) -> str:
    """``path`` if it exists, else the file of that name beside the setup file."""
    if os.path.exists(path):
        return path
    return os.path.join(os.path.dirname(os.path.abspath(setup_path)), os.path.basename(path))


def setup_model(device: chainer.backend.Device, model_setup: str) -> tuple:
    """The trained classifier (on ``device``), its vocabulary and its training options."""
    with open(model_setup, encoding='utf-8') as f:
        setup = json.load(f)
    with open(_beside(setup['vocab_path'], model_setup), encoding='utf-8') as f:
        vocab = json.load(f)
    encoder = ENCODERS[setup['model']](n_layers=setup['layer'], n_vocab=len(vocab),
                                       n_units=setup['unit'], dropout=setup['dropout'])
    model = nets.TextClassifier(encoder, setup['n_class'])
    chainer.serializers.load_npz(_beside(setup['model_path'], model_setup), model)
    model.to_device(device)
    device.use()
    return model, vocab, setup


def run_batch(model: nets.TextClassifier, vocab: dict, setup: dict, device,
              lines: TextIO, out: TextIO, batchsize: int = 64) -> None:
    """Prints the label and probability of each line of ``lines``, batch by batch."""
    def predict_batch(words_batch):
        xs = nlp_utils.transform_to_array(words_batch, vocab, with_label=False)
        xs = nlp_utils.convert_seq(xs, device=device, with_label=False)
        with chainer.using_config('train', False), chainer.no_backprop_mode():
            probs = model.predict(xs, softmax=True)
        probs = chainer.backend.CpuDevice().send(probs)
        answers = probs.argmax(axis=1)
        scores = probs[range(len(answers)), answers]
        for words, answer, score in zip(words_batch, answers, scores):
            print(f'{int(answer)}\t{float(score):.4f}\t{" ".join(words)}', file=out)

    batch = []
    for line in lines:
        text = nlp_utils.normalize_text(line)
        if not text:
            if batch:
                predict_batch(batch)
                batch = []
            print('# blank line', file=out)
            continue
        batch.append(nlp_utils.split_text(text, char_based=setup['char_based']))
        if len(batch) >= batchsize:
            predict_batch(batch)
            batch = []
    if batch:
        predict_batch(batch)
    out.flush()


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description='Chainer example: Text Classification')
    parser.add_argument('--device', '-d', type=str, default='-1',
                        help='Device specifier: -1 or @numpy for the CPU, a GPU id or '
                        '@cupy:N for a GPU')
    parser.add_argument('--model-setup', required=True,
                        help='Model setup dictionary (args.json written by the training)')
    group = parser.add_argument_group('deprecated arguments')
    group.add_argument('--gpu', '-g', dest='device', type=int, nargs='?', const=0,
                       help='GPU ID (negative value indicates CPU)')
    args = parser.parse_args(argv)
    device = chainer.get_device(args.device)
    model, vocab, setup = setup_model(device, args.model_setup)
    run_batch(model, vocab, setup, device, sys.stdin, sys.stdout)


if __name__ == '__main__':
    main()
