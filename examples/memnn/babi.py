"""Reading the bAbI tasks (Weston et al. 2015) for the memory network example.

A bAbI file is a series of numbered lines.  Numbering restarts at 1 with
each new story; a line is either a statement (``1 Mary moved to the
bathroom.``) or a question followed by a tab, the answer and the ids of the
supporting facts (``3 Where is Mary?\\tbathroom\\t1``).  The supporting facts
are not used here: the network finds them itself.

``read_data`` turns a file into stories (lists of word-id lists and
``Query`` objects), ``convert_data`` turns the stories into examples for the
Trainer: dicts of ``sentences`` (``max_memory`` x sentence length, the most
recent sentence last), ``question`` and ``answer``; word id 0 is padding.
"""
from __future__ import annotations

import collections
import random
import re
from typing import NamedTuple

import numpy as np

_WORD = re.compile(r"[a-z0-9']+|[?.]")


class Query(NamedTuple):
    """A question of a story: its word ids and the id of its answer."""
    sentence: list[int]
    answer: int


def make_vocab() -> collections.defaultdict:
    """A word-to-id map that adds new words; id 0 is the padding ``<pad>``."""
    vocab: collections.defaultdict = collections.defaultdict(lambda: len(vocab))
    vocab['<pad>'] = 0
    return vocab


def split(sentence: str) -> list[str]:
    """Lower-cased words of a bAbI sentence, without its ``.``/``?``."""
    return [w for w in _WORD.findall(sentence.lower()) if w not in '?.']


def parse_line(vocab, line: str):
    """``(line id, word ids or Query)`` of one line of a bAbI file."""
    number, _, text = line.strip().partition(' ')
    if '\t' in text:
        question, answer = text.split('\t')[:2]
        return int(number), Query([vocab[w] for w in split(question)], vocab[answer.strip()])
    return int(number), [vocab[w] for w in split(text)]


def parse_data(vocab, lines) -> list[list]:
    """The stories of the lines of a bAbI file."""
    stories: list[list] = []
    for line in lines:
        if not line.strip():
            continue
        number, item = parse_line(vocab, line)
        if number == 1 or not stories:
            stories.append([])
        stories[-1].append(item)
    return stories


def read_data(vocab, path: str) -> list[list]:
    """The stories of the bAbI file at ``path``; new words are added to ``vocab``."""
    with open(path, encoding='utf-8') as f:
        return parse_data(vocab, f)


def convert_data(stories: list[list], max_memory: int, sentence_len: int | None = None) -> list:
    """One example per question: the last ``max_memory`` statements before it,
    the question and the answer, as int32 arrays padded with 0."""
    if sentence_len is None:
        sentence_len = max((len(s if isinstance(s, list) else s.sentence)
                            for story in stories for s in story), default=1)
    data = []
    for story in stories:
        memory: list[list[int]] = []
        for item in story:
            if isinstance(item, Query):
                sentences = np.zeros((max_memory, sentence_len), np.int32)
                recent = memory[-max_memory:]
                for row, words in zip(range(max_memory - len(recent), max_memory), recent):
                    sentences[row, :len(words)] = words[:sentence_len]
                question = np.zeros(sentence_len, np.int32)
                question[:len(item.sentence)] = item.sentence[:sentence_len]
                data.append({'sentences': sentences, 'question': question,
                             'answer': np.int32(item.answer)})
            else:
                memory.append(item)
    return data


PEOPLE = ('mary', 'john', 'sandra', 'daniel')
PLACES = ('bathroom', 'hallway', 'kitchen', 'office', 'garden', 'bedroom')
VERBS = ('moved to', 'went to', 'travelled to', 'journeyed to', 'went back to')


def generate_task1(n_stories: int, seed: int = 0) -> str:
    """bAbI task 1 ("single supporting fact") in bAbI's text format: people move
    between places and every third line asks where one of them is."""
    rng = random.Random(seed)
    lines = []
    for _ in range(n_stories):
        where: dict[str, str] = {}
        number = 0
        last_fact: dict[str, int] = {}
        for _ in range(5):
            for _ in range(2):
                person, place = rng.choice(PEOPLE), rng.choice(PLACES)
                number += 1
                lines.append(f'{number} {person.capitalize()} {rng.choice(VERBS)} the {place}.')
                where[person], last_fact[person] = place, number
            person = rng.choice(sorted(where))
            number += 1
            lines.append(f'{number} Where is {person.capitalize()}?\t{where[person]}\t'
                         f'{last_fact[person]}')
    return '\n'.join(lines) + '\n'
