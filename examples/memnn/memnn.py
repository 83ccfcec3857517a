"""End-to-end memory network (Sukhbaatar et al. 2015) for the bAbI tasks.

``MemNN`` reads a story (``max_memory`` sentences of word ids, 0 padding),
embeds each sentence as a memory (bag of words, ``bow``, or the paper's
position encoding, ``pe``, plus a learnt temporal vector per memory slot),
and answers a question in ``n_hops`` hops: attention ``softmax(m_i . u)``
over the input memories, the weighted sum ``o`` of the output memories,
``u <- u + o``.  The weights are tied as in the paper's "adjacent" scheme:
``n_hops + 1`` embeddings, hop ``k`` reads with embeddings ``k`` (input) and
``k + 1`` (output); the first also embeds the question and the last, used as
a linear map, gives the answer's scores over the vocabulary.
"""
from __future__ import annotations

import json
import os

import numpy as np

import chainer
import chainer.functions as F
import chainer.links as L
from chainer import initializers


def bow_encode(embed: L.EmbedID, sentences) -> chainer.Variable:
    """Sum of the word vectors of each sentence (the last axis holds the words)."""
    return F.sum(embed(sentences), axis=-2)


def position_encode(embed: L.EmbedID, sentences) -> chainer.Variable:
    """Sum of the word vectors weighted by the paper's position encoding
    ``l_kj = (1 - j/J) - (k/d)(1 - 2j/J)`` (word ``j`` of ``J``, unit ``k`` of ``d``)."""
    xp = chainer.backend.get_array_module(sentences)
    e = embed(sentences)
    n_words, n_units = e.shape[-2:]
    # Padded words embed to zero; max(J, 1) keeps empty sentences finite.
    length = xp.maximum((sentences != 0).sum(axis=-1), 1).astype(e.dtype)[..., None, None]
    j = xp.arange(1, n_words + 1, dtype=e.dtype)[:, None]
    k = xp.arange(1, n_units + 1, dtype=e.dtype) / e.dtype.type(n_units)
    coeff = (1 - j / length) - k * (1 - 2 * j / length)
    return F.sum(e * coeff.astype(e.dtype), axis=-2)


ENCODERS = {'bow': bow_encode, 'pe': position_encode}


class MemNN(chainer.Chain):
    """An end-to-end memory network with adjacent weight tying."""

    def __init__(self, n_units: int, n_vocab: int, encoder: str = 'bow',
                 max_memory: int = 50, hops: int = 3) -> None:
        super().__init__()
        if encoder not in ENCODERS:
            raise ValueError(f'unknown sentence representation {encoder!r}; '
                             f'choose from {sorted(ENCODERS)}')
        self.encoder = ENCODERS[encoder]
        self.hops = hops
        self.max_memory = max_memory
        normal = initializers.Normal(0.1)
        with self.init_scope():
            self.embeds = chainer.ChainList(*[
                L.EmbedID(n_vocab, n_units, initialW=normal, ignore_label=0)
                for _ in range(hops + 1)])
            self.temporals = chainer.ChainList(*[
                L.EmbedID(max_memory, n_units, initialW=normal) for _ in range(hops + 1)])

    def _memory(self, k: int, sentences, slots) -> chainer.Variable:
        return self.encoder(self.embeds[k], sentences) + self.temporals[k](slots)

    def forward(self, sentences, question) -> chainer.Variable:
        """Scores of every vocabulary word as the answer, ``(batch, n_vocab)``."""
        xp = self.xp
        batch, n_memory = sentences.shape[:2]
        if n_memory > self.max_memory:
            raise ValueError(f'{n_memory} memories given; the model holds {self.max_memory}')
        slots = xp.broadcast_to(xp.arange(n_memory, dtype=np.int32), (batch, n_memory))
        empty = (sentences == 0).all(axis=-1)[:, :, None]  # (batch, memory, 1)
        u = self.encoder(self.embeds[0], question)  # (batch, units)
        for k in range(self.hops):
            m = self._memory(k, sentences, slots)  # input memories (batch, memory, units)
            c = self._memory(k + 1, sentences, slots)  # output memories
            scores = F.matmul(m, F.expand_dims(u, 2))  # (batch, memory, 1)
            scores = F.where(empty, xp.full(scores.shape, -1e4, scores.dtype), scores)
            p = F.softmax(scores, axis=1)
            o = F.matmul(p, c, transa=True)  # (batch, 1, units)
            u = u + F.squeeze(o, 1)
        return F.linear(u, self.embeds[self.hops].W)


def save_model(directory: str, model: L.Classifier, vocab, config: dict) -> None:
    """Writes ``model.npz`` and ``vocab.json`` (vocabulary and model sizes) under ``directory``."""
    os.makedirs(directory, exist_ok=True)
    chainer.serializers.save_npz(os.path.join(directory, 'model.npz'), model)
    with open(os.path.join(directory, 'vocab.json'), 'w', encoding='utf-8') as f:
        json.dump({'vocab': dict(vocab), **config}, f)


def load_model(directory: str) -> tuple[L.Classifier, dict, dict]:
    """``(model, vocab, config)`` saved by :func:`save_model`."""
    with open(os.path.join(directory, 'vocab.json'), encoding='utf-8') as f:
        setup = json.load(f)
    vocab = setup.pop('vocab')
    model = L.Classifier(MemNN(setup['unit'], len(vocab), setup['sentence_repr'],
                               setup['max_memory'], setup['hop']), label_key='answer')
    chainer.serializers.load_npz(os.path.join(directory, 'model.npz'), model)
    return model, vocab, setup
