#!/usr/bin/env python
"""Nearest words in the embeddings written by ``train_word2vec.py``.

Run::

    python examples/word2vec/search.py                     # reads result/word2vec.model
    python examples/word2vec/search.py -m other/word2vec.model --query king queen

It reads the text model (a ``<n_vocab> <n_units>`` line, then ``<word> <v1>
<v2> ...`` per word), scales every vector to unit length and, for each query
word, prints ``query: <word>`` and the five other words with the highest cosine
similarity, one ``<word>: <similarity>`` line each, most similar first (words
whose vector is zero are skipped).  A word that is not in the model gets
``"<word>" is not found``.  The queries are the ``--query`` words, or else the
lines read from standard input after a ``>> `` prompt, until end of input.

Options: ``--model/-m`` (``result/word2vec.model``), ``--query`` (words to
look up instead of reading standard input).
"""
from __future__ import annotations

import argparse
import sys
from typing import Iterable, Sequence, TextIO

import numpy

N_RESULT = 5  # words shown per query


def load_model(path: str) -> tuple:
    """``(word2index, index2word, w)`` of a text model, ``w`` float32 ``(n_vocab, n_units)``."""
    with open(path, encoding='utf-8') as f:
        header = f.readline().split()
        if len(header) != 2:
            raise ValueError(f'{path}: the first line must be "<n_vocab> <n_units>"')
        n_vocab, n_units = int(header[0]), int(header[1])
        word2index = {}
        index2word = {}
        w = numpy.empty((n_vocab, n_units), dtype=numpy.float32)
        i = -1
        for i, line in enumerate(f):
            fields = line.split()
            if i >= n_vocab or len(fields) != n_units + 1:
                raise ValueError(f'{path}, line {i + 2}: expected {n_vocab} lines of a word '
                                 f'and {n_units} numbers after the header')
            word = fields[0]
            word2index[word] = i
            index2word[i] = word
            w[i] = numpy.array(fields[1:], dtype=numpy.float32)
        if i + 1 != n_vocab:
            raise ValueError(f'{path}: {i + 1} words, the header says {n_vocab}')
    return word2index, index2word, w


def normalize(w: numpy.ndarray) -> numpy.ndarray:
    """The rows of ``w`` scaled to unit length (a zero row becomes NaN)."""
    with numpy.errstate(invalid='ignore', divide='ignore'):
        return w / numpy.sqrt((w * w).sum(axis=1, keepdims=True))


def search(query: str, word2index: dict, index2word: dict, w: numpy.ndarray,
           out: TextIO | None = None) -> list:
    """Prints the words most similar to ``query`` (to ``out``, by default standard output);
    returns them as ``(word, similarity)`` pairs."""
    out = sys.stdout if out is None else out
    if query not in word2index:
        print(f'"{query}" is not found', file=out)
        return []
    similarity = w.dot(w[word2index[query]])
    print(f'query: {query}', file=out)
    found = []
    for i in (-similarity).argsort():
        if numpy.isnan(similarity[i]) or index2word[i] == query:
            continue
        print(f'{index2word[i]}: {similarity[i]}', file=out)
        found.append((index2word[i], float(similarity[i])))
        if len(found) == N_RESULT:
            break
    return found


def _prompted_lines() -> Iterable[str]:
    while True:
        try:
            yield input('>> ').strip()
        except EOFError:
            return


def main(argv: Sequence[str] | None = None) -> list:
    """Runs the search with command-line arguments ``argv``; returns one result list per query."""
    parser = argparse.ArgumentParser(description='Chainer example: word2vec search')
    parser.add_argument('--model', '-m', default='result/word2vec.model',
                        help='Trained model (text, as written by train_word2vec.py)')
    parser.add_argument('--query', nargs='+',
                        help='Words to search for (default: read them from standard input)')
    args = parser.parse_args(argv)

    word2index, index2word, w = load_model(args.model)
    w = normalize(w)
    queries = args.query if args.query is not None else _prompted_lines()
    return [search(q, word2index, index2word, w) for q in queries]


if __name__ == '__main__':
    main()
