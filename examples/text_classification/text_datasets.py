"""Datasets of the text classification example.

``get_dbpedia``, ``get_imdb`` and ``get_other_text_dataset`` download their
corpus once with ``chainer.dataset.cached_download`` (into the dataset root's
download cache) and parse it; without a network they raise ``OSError``.
``get_synthetic`` generates a small labelled corpus offline.  Each returns
``(train, test, vocab)``: lists of ``(int32 ids, int32 [label])`` pairs and
the word-to-id dictionary.
"""
from __future__ import annotations

import csv
import glob
import io
import os
import shutil
import tarfile
import tempfile

import numpy

import chainer
from nlp_utils import make_vocab
from nlp_utils import normalize_text
from nlp_utils import split_text
from nlp_utils import transform_to_array

URL_DBPEDIA = 'https://github.com/le-scientifique/torchDatasets/raw/master/dbpedia_csv.tar.gz'
URL_IMDB = 'https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz'
URL_OTHER_BASE = 'https://raw.githubusercontent.com/harvardnlp/sent-conv-torch/master/data/'

# Files of the smaller datasets: a separate test file, or one file split 9:1.
OTHER_DATASETS = {
    'TREC': ('TREC.train.all', 'TREC.test.all'),
    'stsa.binary': ('stsa.binary.train', 'stsa.binary.test'),
    'stsa.fine': ('stsa.fine.train', 'stsa.fine.test'),
    'custrev': ('custrev.all',),
    'mpqa': ('mpqa.all',),
    'rt-polarity': ('rt-polarity.all',),
    'subj': ('subj.all',),
}

# IMDB reviews are rated 1-4 (negative) or 7-10 (positive): four grades when fine-grained.
IMDB_FINE_LABELS = {'1': 0, '2': 0, '3': 1, '4': 1, '7': 2, '8': 2, '9': 3, '10': 3}


def _tokens(text: str, char_based: bool) -> list[str]:
    return split_text(normalize_text(text), char_based)


def _finish(train: list, test: list, vocab: dict | None) -> tuple:
    if vocab is None:
        print('constructing vocabulary based on frequency')
        vocab = make_vocab(train)
    return transform_to_array(train, vocab), transform_to_array(test, vocab), vocab


# --- DBpedia ontology classification (14 classes) -------------------------------------------

def download_dbpedia() -> tarfile.TarFile:
    return tarfile.open(chainer.dataset.cached_download(URL_DBPEDIA), 'r')


def read_dbpedia(tf: tarfile.TarFile, split: str, shrink: int = 1,
                 char_based: bool = False) -> list:
    """``(tokens, label)`` of every ``shrink``-th row of ``dbpedia_csv/<split>.csv``."""
    dataset = []
    member = tf.extractfile(f'dbpedia_csv/{split}.csv')
    with io.TextIOWrapper(member, encoding='utf-8') as f:
        for i, (label, _title, text) in enumerate(csv.reader(f)):
            if i % shrink == 0:
                dataset.append((_tokens(text, char_based), int(label) - 1))  # labels from 1
    return dataset


def get_dbpedia(vocab: dict | None = None, shrink: int = 1, char_based: bool = False) -> tuple:
    with download_dbpedia() as tf:
        print('read dbpedia')
        train = read_dbpedia(tf, 'train', shrink=shrink, char_based=char_based)
        test = read_dbpedia(tf, 'test', shrink=shrink, char_based=char_based)
    return _finish(train, test, vocab)


# --- IMDB movie reviews (positive / negative, or four grades) -------------------------------

def download_imdb() -> str:
    """The directory holding ``aclImdb`` (extracted once into the dataset root)."""
    root = chainer.dataset.get_dataset_directory(os.path.join('pfnet', 'chainer', 'imdb'))
    if not os.path.isdir(os.path.join(root, 'aclImdb')):
        archive = chainer.dataset.cached_download(URL_IMDB)
        # Extract beside the target and rename, so that a broken run leaves no half tree.
        work = tempfile.mkdtemp(dir=root)
        try:
            with tarfile.open(archive, 'r') as tf:
                if hasattr(tarfile, 'data_filter'):  # no member may leave ``work``
                    tf.extractall(work, filter='data')
                else:
                    tf.extractall(work)
            os.replace(os.path.join(work, 'aclImdb'), os.path.join(root, 'aclImdb'))
        finally:
            shutil.rmtree(work, ignore_errors=True)
    return root


def read_imdb(path: str, split: str, shrink: int = 1, fine_grained: bool = False,
              char_based: bool = False) -> list:
    """Reviews of ``aclImdb/<split>``: label 0 positive, 1 negative (or the four grades)."""
    def read_and_label(posneg: str, label: int) -> list:
        dataset = []
        files = sorted(glob.glob(os.path.join(path, 'aclImdb', split, posneg, '*.txt')))
        for i, file_path in enumerate(files):
            if i % shrink != 0:
                continue
            with open(file_path, encoding='utf-8', errors='ignore') as f:
                tokens = _tokens(f.read(), char_based)
            if fine_grained:  # e.g. pos/200_8.txt is rated 8
                rating = os.path.splitext(os.path.basename(file_path))[0].rsplit('_', 1)[1]
                dataset.append((tokens, IMDB_FINE_LABELS[rating]))
            else:
                dataset.append((tokens, label))
        return dataset

    return read_and_label('pos', 0) + read_and_label('neg', 1)


def get_imdb(vocab: dict | None = None, shrink: int = 1, fine_grained: bool = False,
             char_based: bool = False) -> tuple:
    path = download_imdb()
    print('read imdb')
    train = read_imdb(path, 'train', shrink=shrink, fine_grained=fine_grained,
                      char_based=char_based)
    test = read_imdb(path, 'test', shrink=shrink, fine_grained=fine_grained,
                     char_based=char_based)
    return _finish(train, test, vocab)


# --- TREC, SST, customer reviews, MPQA, movie reviews, subjectivity -------------------------

def read_other_dataset(path: str, shrink: int = 1, char_based: bool = False) -> list:
    """Lines ``<label> <text>`` as ``(tokens, label)`` pairs."""
    dataset = []
    with open(path, encoding='utf-8', errors='ignore') as f:
        for i, line in enumerate(f):
            if i % shrink != 0 or not line.strip():
                continue
            label, text = line.strip().split(None, 1)
            dataset.append((_tokens(text, char_based), int(label)))
    return dataset


def get_other_text_dataset(name: str, vocab: dict | None = None, shrink: int = 1,
                           char_based: bool = False, seed: int = 777) -> tuple:
    if name not in OTHER_DATASETS:
        raise ValueError(f'unknown dataset {name!r}: one of {", ".join(OTHER_DATASETS)}')
    paths = [chainer.dataset.cached_download(URL_OTHER_BASE + file_name)
             for file_name in OTHER_DATASETS[name]]
    if len(paths) == 2:
        train = read_other_dataset(paths[0], shrink=shrink, char_based=char_based)
        test = read_other_dataset(paths[1], shrink=shrink, char_based=char_based)
    else:
        dataset = read_other_dataset(paths[0], shrink=shrink, char_based=char_based)
        train, test = chainer.datasets.split_dataset_random(
            dataset, len(dataset) - len(dataset) // 10, seed=seed)
        train, test = list(train), list(test)
    return _finish(train, test, vocab)


# --- offline: sentences drawn from class-specific word distributions ------------------------

_SYLLABLES = ('ka', 'lo', 'mi', 'ne', 'ru', 'so', 'ta', 'vi', 'ze', 'po', 'da', 'gu')


def _synthetic_words(rng: numpy.random.RandomState, n_class: int) -> tuple:
    words = sorted({''.join(rng.choice(_SYLLABLES, 3)) for _ in range(2000)})
    words = list(rng.permutation(words))
    return words[:200], [words[200 + 12 * c:200 + 12 * (c + 1)] for c in range(n_class)]


def synthetic_topic_words(n_class: int = 4, seed: int = 0) -> list[list[str]]:
    """The 12 topic words of each class of the synthetic corpus."""
    return _synthetic_words(numpy.random.RandomState(seed), n_class)[1]


def synthetic_texts(n_train: int = 1200, n_test: int = 300, n_class: int = 4,
                    seed: int = 0) -> tuple:
    """Labelled sentences (text, label) of made-up words, for training and testing.

    A sentence has 3 to 20 words.  Each word is, with probability 0.3, one of
    the 12 topic words of its class, else one of 200 common words; common
    words follow a Zipf-like distribution, and one word in 50 is a rare word
    seen nowhere else.
    """
    rng = numpy.random.RandomState(seed)
    common, topics = _synthetic_words(rng, n_class)
    weights = 1. / numpy.arange(1, len(common) + 1)
    weights /= weights.sum()

    def sentence(label: int) -> str:
        out = []
        for _ in range(rng.randint(3, 21)):
            u = rng.rand()
            if u < 0.3:
                out.append(topics[label][rng.randint(12)])
            elif u < 0.32:
                out.append(f'rare{rng.randint(10 ** 6)}')
            else:
                out.append(common[rng.choice(len(common), p=weights)])
        return ' '.join(out)

    def split(n: int) -> list:
        labels = rng.randint(0, n_class, n)
        return [(sentence(int(label)), int(label)) for label in labels]

    return split(n_train), split(n_test)


def get_synthetic(vocab: dict | None = None, char_based: bool = False, seed: int = 0) -> tuple:
    train, test = synthetic_texts(seed=seed)
    train = [(_tokens(text, char_based), label) for text, label in train]
    test = [(_tokens(text, char_based), label) for text, label in test]
    return _finish(train, test, vocab)
