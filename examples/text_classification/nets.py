"""Models of the text classification example: sentence encoders and the classifier."""
from __future__ import annotations

import numpy

import chainer
import chainer.functions as F
import chainer.links as L
from chainer import reporter

embed_init = chainer.initializers.Uniform(.25)


def sequence_embed(embed: L.EmbedID, xs, dropout: float = 0.):
    """Embeds a list of id sequences with one ``embed`` call; one Variable per sequence."""
    sections = numpy.cumsum([len(x) for x in xs[:-1]])
    ex = embed(F.concat(xs, axis=0))
    ex = F.dropout(ex, ratio=dropout)
    return F.split_axis(ex, sections, 0)


def block_embed(embed: L.EmbedID, x, dropout: float = 0.):
    """Embeds a padded id block ``(B, L)`` as an image ``(B, n_units, L, 1)``.

    Padding ids (-1, ``embed``'s ``ignore_label``) embed to zero vectors.
    """
    e = embed(x)
    e = F.dropout(e, ratio=dropout)
    e = F.transpose(e, (0, 2, 1))
    return e[:, :, :, None]


class TextClassifier(chainer.Chain):
    """An encoder followed by a linear layer to ``n_class`` scores.

    Called with sentences ``xs`` and labels ``ys`` (one-element arrays) it
    returns the softmax cross entropy and reports ``loss`` and ``accuracy``.
    """

    def __init__(self, encoder: chainer.Link, n_class: int, dropout: float = 0.1) -> None:
        super().__init__()
        with self.init_scope():
            self.encoder = encoder
            self.output = L.Linear(encoder.out_units, n_class)
        self.dropout = dropout

    def forward(self, xs, ys):
        concat_outputs = self.predict(xs)
        concat_truths = F.concat(ys, axis=0)
        loss = F.softmax_cross_entropy(concat_outputs, concat_truths)
        accuracy = F.accuracy(concat_outputs, concat_truths)
        reporter.report({'loss': loss, 'accuracy': accuracy}, self)
        return loss

    def predict(self, xs, softmax: bool = False, argmax: bool = False):
        """Class scores of ``xs`` (a Variable); or softmax probabilities / labels (arrays)."""
        encodings = F.dropout(self.encoder(xs), ratio=self.dropout)
        outputs = self.output(encodings)
        if softmax:
            return F.softmax(outputs).array
        if argmax:
            return self.xp.argmax(outputs.array, axis=1)
        return outputs


class RNNEncoder(chainer.Chain):
    """A stacked LSTM over the word embeddings; the encoding is its last hidden state."""

    def __init__(self, n_layers: int, n_vocab: int, n_units: int, dropout: float = 0.1) -> None:
        super().__init__()
        with self.init_scope():
            self.embed = L.EmbedID(n_vocab, n_units, ignore_label=-1, initialW=embed_init)
            self.encoder = L.NStepLSTM(n_layers, n_units, n_units, dropout)
        self.n_layers = n_layers
        self.out_units = n_units
        self.dropout = dropout

    def forward(self, xs):
        exs = sequence_embed(self.embed, xs, self.dropout)
        last_h, _, _ = self.encoder(None, None, exs)
        return last_h[-1]


class CNNEncoder(chainer.Chain):
    """Convolutions over windows of 3, 4 and 5 words, max over time, then an MLP.

    Each of the three convolutions gives ``n_units // 3`` channels.
    """

    def __init__(self, n_layers: int, n_vocab: int, n_units: int, dropout: float = 0.1) -> None:
        super().__init__()
        out_units = n_units // 3
        with self.init_scope():
            self.embed = L.EmbedID(n_vocab, n_units, ignore_label=-1, initialW=embed_init)
            self.cnn_w3 = L.Convolution2D(n_units, out_units, ksize=(3, 1), stride=1,
                                          pad=(2, 0), nobias=True)
            self.cnn_w4 = L.Convolution2D(n_units, out_units, ksize=(4, 1), stride=1,
                                          pad=(3, 0), nobias=True)
            self.cnn_w5 = L.Convolution2D(n_units, out_units, ksize=(5, 1), stride=1,
                                          pad=(4, 0), nobias=True)
            self.mlp = MLP(n_layers, out_units * 3, dropout)
        self.out_units = out_units * 3
        self.dropout = dropout

    def forward(self, xs):
        x_block = F.pad_sequence(xs, padding=-1)
        ex_block = block_embed(self.embed, x_block, self.dropout)
        h_w3 = F.max(self.cnn_w3(ex_block), axis=2)
        h_w4 = F.max(self.cnn_w4(ex_block), axis=2)
        h_w5 = F.max(self.cnn_w5(ex_block), axis=2)
        h = F.concat([h_w3, h_w4, h_w5], axis=1)
        h = F.relu(h)
        h = F.dropout(h, ratio=self.dropout)
        return self.mlp(h)


class MLP(chainer.ChainList):
    """``n_layers`` of dropout, linear and ReLU, each with ``n_units`` outputs."""

    def __init__(self, n_layers: int, n_units: int, dropout: float = 0.1) -> None:
        super().__init__()
        for _ in range(n_layers):
            self.add_link(L.Linear(None, n_units))
        self.dropout = dropout
        self.out_units = n_units

    def forward(self, x):
        for link in self.children():
            x = F.dropout(x, ratio=self.dropout)
            x = F.relu(link(x))
        return x


class BOWEncoder(chainer.Chain):
    """The mean of the word embeddings of each sentence (a bag of words)."""

    def __init__(self, n_vocab: int, n_units: int, dropout: float = 0.1) -> None:
        super().__init__()
        with self.init_scope():
            self.embed = L.EmbedID(n_vocab, n_units, ignore_label=-1, initialW=embed_init)
        self.out_units = n_units
        self.dropout = dropout

    def forward(self, xs):
        x_block = F.pad_sequence(xs, padding=-1)
        ex_block = block_embed(self.embed, x_block)
        # The padding embeds to zeros: the sum over time divided by the true length is the mean.
        lengths = self.xp.array([len(x) for x in xs], ex_block.dtype)[:, None, None]
        h = F.sum(ex_block, axis=2) / lengths
        return h[:, :, 0]


class BOWMLPEncoder(chainer.Chain):
    """A bag of words followed by an MLP."""

    def __init__(self, n_layers: int, n_vocab: int, n_units: int, dropout: float = 0.1) -> None:
        super().__init__()
        with self.init_scope():
            self.bow_encoder = BOWEncoder(n_vocab, n_units, dropout)
            self.mlp_encoder = MLP(n_layers, n_units, dropout)
        self.out_units = n_units

    def forward(self, xs):
        return self.mlp_encoder(self.bow_encoder(xs))
