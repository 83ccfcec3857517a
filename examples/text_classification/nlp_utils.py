"""Text helpers of the text classification example: tokens, vocabularies, id arrays, batches."""
from __future__ import annotations

import collections
from typing import Iterable, Sequence

import numpy

import chainer

EOS = '<eos>'
UNK = '<unk>'


def split_text(text: str, char_based: bool = False) -> list[str]:
    """The tokens of ``text``: its characters, or its whitespace-separated words."""
    if char_based:
        return list(text)
    return text.split()


def normalize_text(text: str) -> str:
    """``text`` without surrounding whitespace, in lower case."""
    return text.strip().lower()


def make_vocab(dataset: Iterable, max_vocab_size: int = 20000,
               min_freq: int = 2) -> dict[str, int]:
    """A word-to-id dictionary from ``(tokens, label)`` pairs.

    ``<eos>`` is 0 and ``<unk>`` is 1; the other tokens follow from the most
    frequent (ties in alphabetical order), as long as they occur at least
    ``min_freq`` times and the vocabulary holds fewer than ``max_vocab_size``
    entries.
    """
    counts = collections.Counter()
    for tokens, _ in dataset:
        counts.update(tokens)
    vocab = {EOS: 0, UNK: 1}
    for word, count in sorted(counts.items(), key=lambda item: (-item[1], item[0])):
        if len(vocab) >= max_vocab_size or count < min_freq:
            break
        vocab.setdefault(word, len(vocab))
    return vocab


def read_vocab_list(path: str, max_vocab_size: int = 20000) -> dict[str, int]:
    """A vocabulary from a file of one word a line (after ``<eos>`` and ``<unk>``)."""
    vocab = {EOS: 0, UNK: 1}
    with open(path, encoding='utf-8', errors='ignore') as f:
        for line in f:
            if len(vocab) >= max_vocab_size:
                break
            word = line.strip()
            if word:
                vocab.setdefault(word, len(vocab))
    return vocab


def make_array(tokens: Sequence[str], vocab: dict[str, int],
               add_eos: bool = True) -> numpy.ndarray:
    """The int32 ids of ``tokens`` (unknown ones: ``<unk>``), ``<eos>`` appended if asked."""
    unk_id = vocab[UNK]
    ids = [vocab.get(token, unk_id) for token in tokens]
    if add_eos:
        ids.append(vocab[EOS])
    return numpy.array(ids, numpy.int32)


def transform_to_array(dataset: Iterable, vocab: dict[str, int],
                       with_label: bool = True) -> list:
    """Id arrays of token lists; with labels, ``(ids, array([label]))`` pairs."""
    if with_label:
        return [(make_array(tokens, vocab), numpy.array([label], numpy.int32))
                for tokens, label in dataset]
    return [make_array(tokens, vocab) for tokens in dataset]


@chainer.dataset.converter()
def convert_seq(batch, device=None, with_label: bool = True):
    """A batch of variable-length sequences on ``device``, kept as a list of arrays.

    With labels: ``{'xs': [...], 'ys': [...]}`` from ``(ids, label)`` pairs;
    without: the list of id arrays.  ``device=None`` leaves them where they are.
    """
    def to_device_batch(arrays):
        if device is None:
            return list(arrays)
        return [chainer.dataset.to_device(device, x) for x in arrays]

    if with_label:
        return {'xs': to_device_batch([x for x, _ in batch]),
                'ys': to_device_batch([y for _, y in batch])}
    return to_device_batch(batch)
