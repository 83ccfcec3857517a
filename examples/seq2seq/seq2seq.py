#!/usr/bin/env python
"""Chainer's seq2seq example: an LSTM encoder-decoder that translates sentences.

Run it on a tokenised parallel corpus (one sentence a line, words separated by
spaces; the vocabulary files hold one word a line)::

    python examples/seq2seq/seq2seq.py SOURCE TARGET SOURCE_VOCAB TARGET_VOCAB \\
        --validation-source VALID_SOURCE --validation-target VALID_TARGET

Without the four files it says so in one line on stderr and trains on a
synthetic task generated in the script, so it runs anywhere::

    python examples/seq2seq/seq2seq.py -u 64 -l 1 -e 5 --validation-interval 100

The synthetic task translates digit words into digits, e.g. ``three one
four`` into ``3 1 4`` (sentences of 1 to 8 words; 4,000 training and 200
validation pairs, drawn with a fixed seed).

The model (``Seq2seq``): source and target word embeddings (``L.EmbedID``,
``ignore_label=-1``), a stacked ``L.NStepLSTM`` encoder that reads each
source sentence backwards, a stacked ``L.NStepLSTM`` decoder that starts from
the encoder's final states, and a linear layer to the target vocabulary.
Training uses teacher forcing: the decoder reads ``<EOS> y1 ... yn`` and
predicts ``y1 ... yn <EOS>``; the loss is the summed cross entropy per
sentence, and ``perp`` the perplexity per word.  ``translate`` decodes
greedily until ``<EOS>`` or ``max_length`` words.  Word ids 0 and 1 are
``<UNK>`` and ``<EOS>``; the vocabulary file's words follow from id 2.

The Trainer runs Adam through a ``StandardUpdater`` with the ``convert``
converter (variable-length sentences sent to the device one by one),
``LogReport`` and ``PrintReport`` every ``--log-interval`` iterations, and,
when there is a validation set, every ``--validation-interval`` iterations
the translation of one random validation sentence (source, result,
expected) and ``CalculateBleu``, which translates the whole validation set
and reports ``validation/main/bleu`` (corpus BLEU-4 with brevity penalty,
zero n-gram counts smoothed as ``0.1 / count``).

Options: ``--batchsize/-b`` (64), ``--epoch/-e`` (20), ``--device/-d``
(``-1`` or ``@numpy``; ``0`` or ``@cupy:0``), ``--resume/-r`` (a trainer
snapshot), ``--save/-s`` (write a trainer snapshot there at the end),
``--unit/-u`` (1024), ``--layer/-l`` (3), ``--min-source-sentence`` (1),
``--max-source-sentence`` (50), ``--min-target-sentence`` (1),
``--max-target-sentence`` (50): training pairs outside these lengths are
left out, ``--log-interval`` (200), ``--validation-interval`` (4000),
``--validation-source``, ``--validation-target``, ``--out/-o``
(``result``), ``--seed`` and the deprecated ``--gpu/-g``.
"""
from __future__ import annotations

import argparse
import collections
import math
import os
import random
import sys
from typing import Sequence

import numpy

import chainer
import chainer.functions as F
import chainer.iterators  # noqa: F401
import chainer.links as L
from chainer import training
from chainer.training import extensions

UNK = 0
EOS = 1

SYNTHETIC_SOURCE_WORDS = ('zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven',
                          'eight', 'nine')


def sequence_embed(embed: L.EmbedID, xs):
    """Embeds a list of sentences with one ``embed`` call; returns one Variable per sentence."""
    sections = numpy.cumsum([len(x) for x in xs[:-1]])
    ex = embed(F.concat(xs, axis=0))
    return F.split_axis(ex, sections, 0)


class Seq2seq(chainer.Chain):
    """Encoder-decoder: embeddings, stacked LSTM encoder and decoder, output layer."""

    def __init__(self, n_layers: int, n_source_vocab: int, n_target_vocab: int,
                 n_units: int) -> None:
        super().__init__()
        with self.init_scope():
            self.embed_x = L.EmbedID(n_source_vocab, n_units, ignore_label=-1)
            self.embed_y = L.EmbedID(n_target_vocab, n_units, ignore_label=-1)
            self.encoder = L.NStepLSTM(n_layers, n_units, n_units, 0.1)
            self.decoder = L.NStepLSTM(n_layers, n_units, n_units, 0.1)
            self.W = L.Linear(n_units, n_target_vocab)
        self.n_layers = n_layers
        self.n_units = n_units

    def forward(self, xs, ys):
        """The summed cross entropy per sentence of ``ys`` given ``xs`` (teacher forcing)."""
        xs = [x[::-1] for x in xs]
        eos = self.xp.array([EOS], numpy.int32)
        ys_in = [F.concat([eos, y], axis=0) for y in ys]
        ys_out = [F.concat([y, eos], axis=0) for y in ys]

        exs = sequence_embed(self.embed_x, xs)
        eys = sequence_embed(self.embed_y, ys_in)
        batch = len(xs)
        hx, cx, _ = self.encoder(None, None, exs)
        _, _, os_ = self.decoder(hx, cx, eys)

        concat_os = F.concat(os_, axis=0)
        concat_ys_out = F.concat(ys_out, axis=0)
        loss = F.sum(F.softmax_cross_entropy(
            self.W(concat_os), concat_ys_out, reduce='no')) / batch
        chainer.report({'loss': loss}, self)
        n_words = concat_ys_out.shape[0]
        perp = self.xp.exp(loss.array * batch / n_words)
        chainer.report({'perp': perp}, self)
        return loss

    def translate(self, xs, max_length: int = 100) -> list[numpy.ndarray]:
        """Greedy translations of ``xs``: NumPy id arrays, ``<EOS>`` and what follows cut off.

        Decoding stops after ``max_length`` words or once every sentence has
        produced ``<EOS>``.
        """
        batch = len(xs)
        with chainer.no_backprop_mode(), chainer.using_config('train', False):
            xs = [x[::-1] for x in xs]
            exs = sequence_embed(self.embed_x, xs)
            h, c, _ = self.encoder(None, None, exs)
            ys = self.xp.full(batch, EOS, numpy.int32)
            ended = self.xp.zeros(batch, bool)
            result = []
            for _ in range(max_length):
                eys = F.split_axis(self.embed_y(ys), batch, 0)
                h, c, ys = self.decoder(h, c, eys)
                wy = self.W(F.concat(ys, axis=0))
                ys = self.xp.argmax(wy.array, axis=1).astype(numpy.int32)
                result.append(ys)
                # Words after <EOS> are cut off anyway: stop once every sentence has ended.
                ended |= ys == EOS
                if ended.all():
                    break
        if result:
            ids = self.xp.stack(result, axis=1)
        else:
            ids = self.xp.zeros((batch, 0), numpy.int32)
        ids = chainer.get_device('@numpy').send(ids)
        outs = []
        for y in ids:
            ends = numpy.flatnonzero(y == EOS)
            outs.append(y[:ends[0]] if len(ends) else y)
        return outs


@chainer.dataset.converter()
def convert(batch, device):
    """``{'xs': [...], 'ys': [...]}``: the sentences of a batch of pairs, on ``device``."""
    def to_device_batch(sentences):
        return [chainer.dataset.to_device(device, s) for s in sentences]

    return {'xs': to_device_batch([x for x, _ in batch]),
            'ys': to_device_batch([y for _, y in batch])}


def _ngrams(words: Sequence[int], n: int) -> collections.Counter:
    return collections.Counter(tuple(words[i:i + n]) for i in range(len(words) - n + 1))


def corpus_bleu(references: Sequence[Sequence[Sequence[int]]],
                hypotheses: Sequence[Sequence[int]], max_n: int = 4,
                epsilon: float = 0.1) -> float:
    """Corpus BLEU of ``hypotheses``, each with a list of reference sentences.

    For each n up to ``max_n`` the clipped n-gram matches (an n-gram counts at
    most as often as in the reference that has it most) and the hypothesis
    n-grams are summed over the corpus (each sentence counting at least one
    n-gram); a precision with no match becomes ``epsilon / count``.  The score
    is the geometric mean of the precisions times the brevity penalty
    ``exp(1 - r / c)`` when the total hypothesis length ``c`` is below the
    total length ``r`` of the references closest in length (the shorter one
    on ties).  No unigram match at all scores 0.
    """
    if len(references) != len(hypotheses):
        raise ValueError(f'{len(references)} reference lists for {len(hypotheses)} hypotheses')
    matches = [0] * max_n
    totals = [0] * max_n
    hyp_len = ref_len = 0
    for refs, hyp in zip(references, hypotheses):
        hyp = list(hyp)
        refs = [list(r) for r in refs]
        hyp_len += len(hyp)
        ref_len += min((len(r) for r in refs), key=lambda n: (abs(n - len(hyp)), n))
        for n in range(1, max_n + 1):
            counts = _ngrams(hyp, n)
            most = collections.Counter()
            for r in refs:
                most |= _ngrams(r, n)
            matches[n - 1] += sum(min(c, most[g]) for g, c in counts.items())
            totals[n - 1] += max(1, sum(counts.values()))
    if matches[0] == 0:
        return 0.
    log_p = sum(math.log((m if m else epsilon) / t) for m, t in zip(matches, totals)) / max_n
    brevity = 1. if hyp_len > ref_len else math.exp(1 - ref_len / hyp_len)
    return brevity * math.exp(log_p)


class CalculateBleu(chainer.training.Extension):
    """Translates the validation pairs and reports their corpus BLEU under ``key``."""

    trigger = 1, 'epoch'
    priority = chainer.training.PRIORITY_WRITER

    def __init__(self, model: Seq2seq, test_data, key: str, device, batch: int = 100,
                 max_length: int = 100) -> None:
        self.model = model
        self.test_data = test_data
        self.key = key
        self.device = chainer.get_device(device)
        self.batch = batch
        self.max_length = max_length

    def __call__(self, trainer) -> None:
        references, hypotheses = [], []
        for i in range(0, len(self.test_data), self.batch):
            sources, targets = zip(*self.test_data[i:i + self.batch])
            references.extend([[t.tolist()] for t in targets])
            sources = [self.device.send(x) for x in sources]
            hypotheses.extend(y.tolist() for y in self.model.translate(sources, self.max_length))
        chainer.report({self.key: corpus_bleu(references, hypotheses)})


def load_vocabulary(path: str) -> dict[str, int]:
    """Word ids from a file of one word a line (from id 2; 0 and 1 are ``<UNK>``, ``<EOS>``)."""
    with open(path, encoding='utf-8') as f:
        word_ids = {line.strip(): i + 2 for i, line in enumerate(f)}
    word_ids['<UNK>'] = UNK
    word_ids['<EOS>'] = EOS
    return word_ids


def load_data(vocabulary: dict[str, int], path: str) -> list[numpy.ndarray]:
    """The sentences of a tokenised file as int32 id arrays (unknown words: ``<UNK>``)."""
    print(f'loading...: {path}')
    with open(path, encoding='utf-8') as f:
        return [numpy.array([vocabulary.get(w, UNK) for w in line.split()], numpy.int32)
                for line in f]


def calculate_unknown_ratio(data: Sequence[numpy.ndarray]) -> float:
    unknown = sum(int((s == UNK).sum()) for s in data)
    total = sum(s.size for s in data)
    return unknown / total if total else 0.


def synthetic_data(n_train: int = 4000, n_valid: int = 200, max_words: int = 8,
                   seed: int = 0) -> tuple:
    """Digit words → digits pairs: vocabularies, training and validation id arrays."""
    source_ids = {w: i + 2 for i, w in enumerate(SYNTHETIC_SOURCE_WORDS)}
    target_ids = {str(d): d + 2 for d in range(10)}
    for ids in (source_ids, target_ids):
        ids['<UNK>'] = UNK
        ids['<EOS>'] = EOS
    rng = numpy.random.RandomState(seed)

    def pairs(n):
        out = []
        for _ in range(n):
            digits = rng.randint(0, 10, rng.randint(1, max_words + 1)).astype(numpy.int32)
            out.append((digits + 2, digits + 2))  # both vocabularies put digit d at id d + 2
        return out
    return source_ids, target_ids, pairs(n_train), pairs(n_valid)


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description='Chainer example: seq2seq')
    parser.add_argument('SOURCE', nargs='?', help='source sentence list')
    parser.add_argument('TARGET', nargs='?', help='target sentence list')
    parser.add_argument('SOURCE_VOCAB', nargs='?', help='source vocabulary file')
    parser.add_argument('TARGET_VOCAB', nargs='?', help='target vocabulary file')
    parser.add_argument('--validation-source', help='source sentence list for validation')
    parser.add_argument('--validation-target', help='target sentence list for validation')
    parser.add_argument('--batchsize', '-b', type=int, default=64,
                        help='number of sentence pairs in each mini-batch')
    parser.add_argument('--epoch', '-e', type=int, default=20,
                        help='number of sweeps over the dataset to train')
    parser.add_argument('--device', '-d', type=str, default='-1',
                        help='Device specifier: -1 or @numpy for the CPU, a GPU id or '
                        '@cupy:N for a GPU')
    parser.add_argument('--resume', '-r', type=str,
                        help='resume the training from snapshot')
    parser.add_argument('--save', '-s', type=str,
                        help='save a snapshot of the training')
    parser.add_argument('--unit', '-u', type=int, default=1024,
                        help='number of units')
    parser.add_argument('--layer', '-l', type=int, default=3,
                        help='number of layers')
    parser.add_argument('--min-source-sentence', type=int, default=1,
                        help='minimium length of source sentence')
    parser.add_argument('--max-source-sentence', type=int, default=50,
                        help='maximum length of source sentence')
    parser.add_argument('--min-target-sentence', type=int, default=1,
                        help='minimium length of target sentence')
    parser.add_argument('--max-target-sentence', type=int, default=50,
                        help='maximum length of target sentence')
    parser.add_argument('--log-interval', type=int, default=200,
                        help='number of iteration to show log')
    parser.add_argument('--validation-interval', type=int, default=4000,
                        help='number of iteration to evlauate the model '
                        'with validation dataset')
    parser.add_argument('--out', '-o', default='result',
                        help='directory to output the result')
    parser.add_argument('--seed', type=int, default=None,
                        help='random seed of the weights, the shuffling and the dropout')
    group = parser.add_argument_group('deprecated arguments')
    group.add_argument('--gpu', '-g', dest='device', type=int, nargs='?', const=0,
                       help='GPU ID (negative value indicates CPU)')
    args = parser.parse_args(argv)
    files = [args.SOURCE, args.TARGET, args.SOURCE_VOCAB, args.TARGET_VOCAB]
    if any(files) and not all(files):
        parser.error('give all of SOURCE TARGET SOURCE_VOCAB TARGET_VOCAB, or none of them')
    if (args.validation_source is None) != (args.validation_target is None):
        parser.error('--validation-source and --validation-target go together')
    for name in ('batchsize', 'epoch', 'unit', 'layer', 'log_interval',
                 'validation_interval'):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be positive")
    return args


def seed_everything(seed: int, device: chainer.backend.Device) -> None:
    random.seed(seed)
    numpy.random.seed(seed)
    if device.xp is not numpy:
        device.xp.random.seed(seed)


def main(argv: Sequence[str] | None = None) -> training.Trainer:
    """Runs the example with command-line arguments ``argv``; returns the trainer."""
    args = parse_args(argv)
    device = chainer.get_device(args.device)
    if args.seed is not None:
        seed_everything(args.seed, device)

    if args.SOURCE is None:
        print('No SOURCE TARGET SOURCE_VOCAB TARGET_VOCAB files given: training on a synthetic '
              'task instead (digit words to digits, e.g. "three one four" -> "3 1 4").',
              file=sys.stderr, flush=True)
        source_ids, target_ids, pairs, test_data = synthetic_data()
        train_source = [s for s, _ in pairs]
        train_target = [t for _, t in pairs]
        if args.validation_source is not None:
            test_data = None
    else:
        source_ids = load_vocabulary(args.SOURCE_VOCAB)
        target_ids = load_vocabulary(args.TARGET_VOCAB)
        train_source = load_data(source_ids, args.SOURCE)
        train_target = load_data(target_ids, args.TARGET)
        test_data = None
    if len(train_source) != len(train_target):
        raise SystemExit(f'{args.SOURCE} has {len(train_source)} sentences but '
                         f'{args.TARGET} has {len(train_target)}')
    train_data = [(s, t) for s, t in zip(train_source, train_target)
                  if args.min_source_sentence <= len(s) <= args.max_source_sentence
                  and args.min_target_sentence <= len(t) <= args.max_target_sentence]
    if not train_data:
        raise SystemExit('no training pair is within the sentence length limits')
    if args.validation_source is not None:
        test_source = load_data(source_ids, args.validation_source)
        test_target = load_data(target_ids, args.validation_target)
        if len(test_source) != len(test_target):
            raise SystemExit(f'{args.validation_source} has {len(test_source)} sentences but '
                             f'{args.validation_target} has {len(test_target)}')
        test_data = [(s, t) for s, t in zip(test_source, test_target)
                     if len(s) > 0 and len(t) > 0]

    print(f'Device: {device}')
    print(f'Source vocabulary size: {len(source_ids)}')
    print(f'Target vocabulary size: {len(target_ids)}')
    print(f'Train data size: {len(train_data)}')
    print(f'Train source unknown ratio: '
          f'{calculate_unknown_ratio([s for s, _ in train_data]):.2%}')
    print(f'Train target unknown ratio: '
          f'{calculate_unknown_ratio([t for _, t in train_data]):.2%}')
    sys.stdout.flush()

    source_words = {i: w for w, i in source_ids.items()}
    target_words = {i: w for w, i in target_ids.items()}

    model = Seq2seq(args.layer, len(source_ids), len(target_ids), args.unit)
    model.to_device(device)
    device.use()

    optimizer = chainer.optimizers.Adam()
    optimizer.setup(model)

    train_iter = chainer.iterators.SerialIterator(train_data, args.batchsize)
    updater = training.updaters.StandardUpdater(
        train_iter, optimizer, converter=convert, device=device)
    trainer = training.Trainer(updater, (args.epoch, 'epoch'), out=args.out)
    trainer.extend(extensions.LogReport(trigger=(args.log_interval, 'iteration')))
    trainer.extend(extensions.PrintReport(
        ['epoch', 'iteration', 'main/loss', 'main/perp', 'validation/main/bleu',
         'elapsed_time']), trigger=(args.log_interval, 'iteration'))

    if test_data:
        @chainer.training.make_extension()
        def translate(trainer):
            source, target = test_data[numpy.random.choice(len(test_data))]
            result = model.translate([device.send(source)])[0]
            print('# source : ' + ' '.join(source_words[int(x)] for x in source))
            print('# result : ' + ' '.join(target_words[int(y)] for y in result))
            print('# expect : ' + ' '.join(target_words[int(y)] for y in target))
            sys.stdout.flush()

        trainer.extend(translate, trigger=(args.validation_interval, 'iteration'))
        trainer.extend(CalculateBleu(model, test_data, 'validation/main/bleu', device),
                       trigger=(args.validation_interval, 'iteration'))

    if args.resume is not None:
        chainer.serializers.load_npz(args.resume, trainer)

    trainer.run()

    if args.save is not None:
        os.makedirs(os.path.dirname(os.path.abspath(args.save)), exist_ok=True)
        chainer.serializers.save_npz(args.save, trainer)
    return trainer


if __name__ == '__main__':
    main()
