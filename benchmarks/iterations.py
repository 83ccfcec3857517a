"""Whole training iterations (forward, loss, backward, optimizer update), vs PyTorch CPU.

Run:  python benchmarks/iterations.py [--repeat N] [--timer wall|cpu] [--only NAMES] [--quick]

One iteration of each workload on data already in memory as arrays (no iterator,
no Trainer), float32:
  mlp       MNIST MLP 784-1000-1000-10, ReLU, batch 100, softmax cross entropy, Adam
  lenet     batch 64 of 1x28x28: conv 5x5 (20) - relu - max pool 2 - conv 5x5 (50) -
            relu - max pool 2 - linear 500 - relu - linear 10, MomentumSGD(0.01, 0.9)
  vgg       batch 16 of 3x32x32: [64, 64, pool, 128, 128, pool, 256, 256, pool], each
            a 3x3 convolution (pad 1, no bias), batch normalization (training mode)
            and ReLU, pool = max 2x2 stride 2; linear 4096-512, ReLU, linear 512-10;
            MomentumSGD(0.01, 0.9)
  lstm_lm   language model: EmbedID(10000, 200) - L.LSTM - L.LSTM - Linear(200,
            10000), batch 20, 35 steps called one by one (truncated backprop through
            time: the state is carried to the next iteration, its history cut),
            softmax cross entropy summed over the steps, SGD(lr=1); PyTorch: an
            Embedding and two LSTMCells called step by step.  A second row runs the
            same model over the whole sequence at once: L.NStepLSTM against nn.LSTM.
  seq2seq   the encoder-decoder of examples/seq2seq (EmbedIDs, a 1-layer L.NStepLSTM
            encoder reading the source backwards, a decoder started from its final
            states, Linear to the vocabulary, summed cross entropy / batch; dropout
            0), vocabulary 5000, 256 units, batch 64, source and target lengths drawn
            from 10-30, Adam; PyTorch: nn.LSTM on packed sequences
  word2vec  skip-gram with L.NegativeSampling (vocabulary 10000, 100 units, window 5,
            so 10 context words per centre word, batch 1000 centre words, 5 negative
            samples, counts of a Zipf law), Adam; PyTorch: nn.Embedding tables and a
            hand-written negative-sampling loss.  The negatives are drawn by each
            framework's own sampler (Chainer's Walker alias table, torch.multinomial)
            in the timed iterations; the check feeds PyTorch Chainer's samples
            (``return_samples=True``).

Both frameworks start from the same weights and data. Before timing, two
iterations are checked to give the same losses (rtol 1e-4; PyTorch's Adam gets
the eps that makes its first step Chainer's). Each row prints the best mean time
per iteration of ``--repeat`` rounds (the frameworks take turns in every round)
and the ratio to PyTorch eager (below 1 is faster). PyTorch is optional (its
columns show '-' without it); it runs on as many threads as ``OMP_NUM_THREADS``
allows.  On a busy machine use ``OPENBLAS_NUM_THREADS=1 OMP_NUM_THREADS=1`` and
``--timer cpu``.  ``--only mlp,vgg`` runs some workloads; ``--quick`` runs tiny
sizes once (a smoke test).

Like the other scripts, this one puts the checkout first on ``sys.path``.  To
time an installed Chainer instead (real Chainer 7.8.1 runs the script too: it
uses only Chainer's public API), set ``RECHAINER_BENCH_INSTALLED=1`` and run it
from outside the checkout:

    cd /tmp && RECHAINER_BENCH_INSTALLED=1 python /path/to/benchmarks/iterations.py
"""
from __future__ import annotations

import argparse
import math
import time

import numpy as np

import _timing  # (this folder is on sys.path) puts the checkout first unless told not to
import chainer
import chainer.functions as F
import chainer.initializers as I
import chainer.links as L
from chainer import optimizers

try:
    import torch
except ImportError:  # PyTorch is optional
    torch = None

NAMES = ('mlp', 'lenet', 'vgg', 'lstm_lm', 'seq2seq', 'word2vec')
FRAMEWORK = _timing.framework()

# Sizes of each workload: the full ones, and the tiny ones of --quick.
SIZES = {
    'mlp': ({'units': (784, 1000, 1000, 10), 'batch': 100},
            {'units': (784, 16, 16, 10), 'batch': 4}),
    'lenet': ({'batch': 64}, {'batch': 2}),
    'vgg': ({'batch': 16, 'widths': (64, 128, 256), 'hidden': 512},
            {'batch': 2, 'widths': (4, 4, 4), 'hidden': 8}),
    'lstm_lm': ({'vocab': 10000, 'units': 200, 'batch': 20, 'steps': 35},
                {'vocab': 30, 'units': 8, 'batch': 2, 'steps': 3}),
    'seq2seq': ({'vocab': 5000, 'units': 256, 'batch': 64, 'lengths': (10, 30)},
                {'vocab': 30, 'units': 8, 'batch': 3, 'lengths': (2, 4)}),
    'word2vec': ({'vocab': 10000, 'units': 100, 'window': 5, 'batch': 1000, 'samples': 5},
                 {'vocab': 30, 'units': 8, 'window': 2, 'batch': 6, 'samples': 2}),
}
# Iterations per timing round (0.1-0.3 s a round for rechainer on one thread).
NUMBER = {'mlp': 10, 'lenet': 10, 'vgg': 2, 'lstm_lm': 1, 'seq2seq': 2, 'word2vec': 5}


# -- shared pieces ----------------------------------------------------------------

def _set(tensor, array) -> None:
    """Copies a NumPy array into a PyTorch parameter."""
    with torch.no_grad():
        tensor.copy_(torch.from_numpy(np.ascontiguousarray(array)))


def _torch_linear(link):
    lin = torch.nn.Linear(link.W.shape[1], link.W.shape[0], bias=link.b is not None)
    _set(lin.weight, link.W.array)
    if link.b is not None:
        _set(lin.bias, link.b.array)
    return lin


def _torch_adam(params):
    # PyTorch adds eps after the bias correction of sqrt(v), Chainer before; this
    # eps makes the first steps the same (the checked iterations).
    return torch.optim.Adam(params, lr=1e-3, eps=1e-8 / math.sqrt(1 - 0.999))


def _torch_lstm_from_nstep(link, n_units):
    """nn.LSTM with the weights of an L.NStepLSTM.

    Chainer computes its gates from ws[0..3] in the order input, forget, cell,
    output (its docstring's equations swap the last two), PyTorch's order too.
    """
    lstm = torch.nn.LSTM(n_units, n_units, len(link))
    for k, (ws, bs) in enumerate(zip(link.ws, link.bs)):
        for name, first in (('ih', 0), ('hh', 4)):
            _set(getattr(lstm, f'weight_{name}_l{k}'),
                 np.concatenate([w.array for w in ws[first:first + 4]]))
            _set(getattr(lstm, f'bias_{name}_l{k}'),
                 np.concatenate([b.array for b in bs[first:first + 4]]))
    return lstm


def _torch_cell_from_lstm(link):
    """nn.LSTMCell with the weights of an L.LSTM (gates interleaved a, i, f, o per unit)."""
    n = link.state_size
    cell = torch.nn.LSTMCell(link.upward.W.shape[1], n)

    def blocks(a):
        return a.reshape((n, 4) + a.shape[1:])[:, [1, 2, 0, 3]].swapaxes(0, 1).reshape(a.shape)
    _set(cell.weight_ih, blocks(link.upward.W.array))
    _set(cell.weight_hh, blocks(link.lateral.W.array))
    _set(cell.bias_ih, blocks(link.upward.b.array))
    _set(cell.bias_hh, np.zeros(4 * n, np.float32))
    cell.bias_hh.requires_grad_(False)  # L.LSTM has one bias, in its upward link
    return cell


class Workload:
    """A model and optimizer in the framework under test and, optionally, PyTorch.

    Subclasses build both in ``__init__`` and write ``step`` and ``torch_step``,
    each one training iteration returning the loss (a Variable, a tensor).
    """

    label = ''
    extra = ()  # more (label, step, torch_step) rows of the same workload
    check_rtol = 1e-4

    def check(self) -> None:
        """Two iterations from the same weights give the same losses in both frameworks."""
        for i in range(2):
            ours = float(self.step().array)
            theirs = float(self.torch_step().detach())
            np.testing.assert_allclose(ours, theirs, rtol=self.check_rtol,
                                       err_msg=f'{self.label}: loss of iteration {i + 1}')


# -- mlp --------------------------------------------------------------------------

class Classifier(Workload):
    """Softmax cross entropy of ``predict(x)`` against labels ``t`` (``tmodel`` in PyTorch)."""

    def step(self):
        self.model.cleargrads()
        loss = F.softmax_cross_entropy(self.predict(self.x), self.t)
        loss.backward()
        self.opt.update()
        return loss

    def torch_step(self):
        self.topt.zero_grad(set_to_none=True)
        loss = torch.nn.functional.cross_entropy(self.tmodel(self.tx), self.tt)
        loss.backward()
        self.topt.step()
        return loss


class MLP(Classifier):
    def __init__(self, units, batch):
        rng = np.random.RandomState(0)
        self.label = f'mlp: MLP {"-".join(map(str, units))}, Adam, batch {batch}'
        self.x = rng.uniform(0, 1, (batch, units[0])).astype(np.float32)
        self.t = rng.randint(0, units[-1], batch).astype(np.int32)
        np.random.seed(0)
        self.model = chainer.ChainList(*[L.Linear(i, o) for i, o in zip(units, units[1:])])
        self.opt = optimizers.Adam()
        self.opt.setup(self.model)
        if torch is not None:
            layers = []
            for link in self.model:
                layers += [_torch_linear(link), torch.nn.ReLU()]
            self.tmodel = torch.nn.Sequential(*layers[:-1])
            self.topt = _torch_adam(self.tmodel.parameters())
            self.tx, self.tt = torch.from_numpy(self.x), torch.from_numpy(self.t.astype(np.int64))

    def predict(self, x):
        h = x
        for i, link in enumerate(self.model):
            h = link(h) if i == len(self.model) - 1 else F.relu(link(h))
        return h


# -- lenet and vgg ----------------------------------------------------------------

class CNN(Classifier):
    """A convolutional classifier of images, MomentumSGD(0.01, 0.9)."""

    def _setup(self, shape, batch):
        rng = np.random.RandomState(0)
        self.x = rng.uniform(0, 1, (batch,) + shape).astype(np.float32)
        self.t = rng.randint(0, 10, batch).astype(np.int32)
        self.opt = optimizers.MomentumSGD(lr=0.01, momentum=0.9)
        self.opt.setup(self.model)
        if torch is not None:
            self.tmodel = self.torch_model()
            self.topt = torch.optim.SGD(self.tmodel.parameters(), lr=0.01, momentum=0.9)
            self.tx, self.tt = torch.from_numpy(self.x), torch.from_numpy(self.t.astype(np.int64))

    def predict(self, x):
        return self.model(x)


class LeNetModel(chainer.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.conv1 = L.Convolution2D(1, 20, 5)
            self.conv2 = L.Convolution2D(20, 50, 5)
            self.fc1 = L.Linear(800, 500)
            self.fc2 = L.Linear(500, 10)

    def forward(self, x):
        h = F.max_pooling_2d(F.relu(self.conv1(x)), 2)
        h = F.max_pooling_2d(F.relu(self.conv2(h)), 2)
        return self.fc2(F.relu(self.fc1(h)))


class LeNet(CNN):
    def __init__(self, batch):
        self.label = f'lenet: LeNet, MomentumSGD, batch {batch}'
        np.random.seed(0)
        self.model = LeNetModel()
        self._setup((1, 28, 28), batch)

    def torch_model(self):
        m = self.model
        conv1, conv2 = torch.nn.Conv2d(1, 20, 5), torch.nn.Conv2d(20, 50, 5)
        for c, link in ((conv1, m.conv1), (conv2, m.conv2)):
            _set(c.weight, link.W.array)
            _set(c.bias, link.b.array)
        nn = torch.nn
        return nn.Sequential(conv1, nn.ReLU(), nn.MaxPool2d(2), conv2, nn.ReLU(), nn.MaxPool2d(2),
                             nn.Flatten(), _torch_linear(m.fc1), nn.ReLU(), _torch_linear(m.fc2))


class VGGModel(chainer.Chain):
    def __init__(self, widths, hidden):
        super().__init__()
        self.plan = [widths[0], widths[0], 'pool', widths[1], widths[1], 'pool',
                     widths[2], widths[2], 'pool']
        with self.init_scope():
            self.convs = chainer.ChainList()
            self.bns = chainer.ChainList()
            in_ch = 3
            for w in self.plan:
                if w != 'pool':
                    self.convs.add_link(L.Convolution2D(in_ch, w, 3, pad=1, nobias=True))
                    self.bns.add_link(L.BatchNormalization(w))
                    in_ch = w
            self.fc1 = L.Linear(in_ch * 16, hidden)
            self.fc2 = L.Linear(hidden, 10)

    def forward(self, x):
        h, k = x, 0
        for w in self.plan:
            if w == 'pool':
                h = F.max_pooling_2d(h, 2, 2)
            else:
                h = F.relu(self.bns[k](self.convs[k](h)))
                k += 1
        return self.fc2(F.relu(self.fc1(h)))


class VGG(CNN):
    # A ReLU of a value within rounding of zero after batch normalization goes either
    # way with another convolution algorithm, and moves the second loss by up to about
    # 1e-4 (PyTorch's and Winograd's float32 each lie ~5e-5 from a float64 run's).
    check_rtol = 5e-4

    def __init__(self, batch, widths, hidden):
        self.label = f'vgg: VGG-style CNN with BN, MomentumSGD, batch {batch}'
        np.random.seed(0)
        self.model = VGGModel(widths, hidden)
        self._setup((3, 32, 32), batch)

    def torch_model(self):
        nn = torch.nn
        layers, k = [], 0
        for w in self.model.plan:
            if w == 'pool':
                layers.append(nn.MaxPool2d(2, 2))
                continue
            conv, bn = self.model.convs[k], self.model.bns[k]
            tconv = nn.Conv2d(conv.W.shape[1], w, 3, padding=1, bias=False)
            _set(tconv.weight, conv.W.array)
            tbn = nn.BatchNorm2d(w, eps=bn.eps, momentum=1 - bn.decay)
            _set(tbn.weight, bn.gamma.array)
            _set(tbn.bias, bn.beta.array)
            layers += [tconv, tbn, nn.ReLU()]
            k += 1
        return nn.Sequential(*layers, nn.Flatten(), _torch_linear(self.model.fc1), nn.ReLU(),
                             _torch_linear(self.model.fc2))


# -- lstm_lm ----------------------------------------------------------------------

class RNNLM(chainer.Chain):
    def __init__(self, vocab, units):
        super().__init__()
        with self.init_scope():
            self.embed = L.EmbedID(vocab, units)
            self.l1 = L.LSTM(units, units)
            self.l2 = L.LSTM(units, units)
            self.out = L.Linear(units, vocab)
        for param in self.params():  # as examples/ptb initialises its model
            param.array[...] = np.random.uniform(-0.1, 0.1, param.shape)

    def forward(self, x):
        return self.out(self.l2(self.l1(self.embed(x))))


class NStepRNNLM(chainer.Chain):
    """The same language model over the whole sequence at once."""

    def __init__(self, vocab, units):
        super().__init__()
        with self.init_scope():
            self.embed = L.EmbedID(vocab, units)
            self.rnn = L.NStepLSTM(2, units, units, 0.0)
            self.out = L.Linear(units, vocab)
        for param in self.params():
            param.array[...] = np.random.uniform(-0.1, 0.1, param.shape)
        self.h = self.c = None

    def forward(self, xs, ts):
        """Summed over the steps of the mean cross entropy of each step; xs, ts (batch, steps)."""
        batch, steps = xs.shape
        es = F.separate(self.embed(xs), axis=0)
        h, c, ys = self.rnn(self.h, self.c, list(es))
        self.h, self.c = h.array, c.array  # the next iteration starts from the values
        y = self.out(F.concat(ys, axis=0))
        return F.softmax_cross_entropy(y, ts.reshape(-1)) * float(steps)


class LSTMLM(Workload):
    def __init__(self, vocab, units, batch, steps):
        self.label = f'lstm_lm: 2 x L.LSTM loop, {units} units, {steps} steps, batch {batch}'
        rng = np.random.RandomState(0)
        words = rng.randint(0, vocab, (steps + 1, batch)).astype(np.int32)
        self.xs, self.ts = words[:-1], words[1:]
        np.random.seed(0)
        self.model = RNNLM(vocab, units)
        self.opt = optimizers.SGD(lr=1.0)
        self.opt.setup(self.model)
        self.nmodel = NStepRNNLM(vocab, units)
        self.nopt = optimizers.SGD(lr=1.0)
        self.nopt.setup(self.nmodel)
        self.xs_bm = np.ascontiguousarray(self.xs.T)
        self.ts_bm = np.ascontiguousarray(self.ts.T)
        self.extra = [('lstm_lm: whole sequence, L.NStepLSTM vs nn.LSTM',
                       self.step_nstep, self.torch_step_nstep if torch else None)]
        if torch is None:
            return
        m = self.model
        self.temb = torch.nn.Embedding(vocab, units)
        _set(self.temb.weight, m.embed.W.array)
        self.tcells = [_torch_cell_from_lstm(m.l1), _torch_cell_from_lstm(m.l2)]
        self.tout = _torch_linear(m.out)
        self.tparams = [self.temb.weight, self.tout.weight, self.tout.bias]
        for cell in self.tcells:
            self.tparams += [cell.weight_ih, cell.weight_hh, cell.bias_ih]
        self.topt = torch.optim.SGD(self.tparams, lr=1.0)
        self.tstate = [None, None]
        self.txs = torch.from_numpy(self.xs.astype(np.int64))
        self.tts = torch.from_numpy(self.ts.astype(np.int64))
        n = self.nmodel
        self.nemb = torch.nn.Embedding(vocab, units)
        _set(self.nemb.weight, n.embed.W.array)
        self.nlstm = _torch_lstm_from_nstep(n.rnn, units)
        self.nout = _torch_linear(n.out)
        self.nparams = ([self.nemb.weight] + list(self.nlstm.parameters())
                        + list(self.nout.parameters()))
        self.nopt_t = torch.optim.SGD(self.nparams, lr=1.0)
        self.nstate = None
        self.tts_flat = torch.from_numpy(self.ts_bm.reshape(-1).astype(np.int64))

    def step(self):
        loss = 0
        for x, t in zip(self.xs, self.ts):
            loss += F.softmax_cross_entropy(self.model(x), t)
        self.model.cleargrads()
        loss.backward()
        loss.unchain_backward()  # the states keep their values, not their history
        self.opt.update()
        return loss

    def torch_step(self):
        states = [None if s is None else tuple(v.detach() for v in s) for s in self.tstate]
        loss = 0
        for x, t in zip(self.txs, self.tts):
            h = self.temb(x)
            for k, cell in enumerate(self.tcells):
                states[k] = cell(h, states[k])
                h = states[k][0]
            loss = loss + torch.nn.functional.cross_entropy(self.tout(h), t)
        self.tstate = states
        self.topt.zero_grad(set_to_none=True)
        loss.backward()
        self.topt.step()
        return loss

    def step_nstep(self):
        loss = self.nmodel(self.xs_bm, self.ts_bm)
        self.nmodel.cleargrads()
        loss.backward()
        self.nopt.update()
        return loss

    def torch_step_nstep(self):
        state = None if self.nstate is None else tuple(v.detach() for v in self.nstate)
        ys, self.nstate = self.nlstm(self.nemb(self.txs), state)  # time-major
        # (steps, batch, units) -> batch-major rows, as the targets
        y = self.nout(ys.transpose(0, 1).reshape(-1, ys.shape[2]))
        loss = torch.nn.functional.cross_entropy(y, self.tts_flat) * float(len(self.txs))
        self.nopt_t.zero_grad(set_to_none=True)
        loss.backward()
        self.nopt_t.step()
        return loss

    def check(self) -> None:
        super().check()
        for i in range(2):
            ours = float(self.step_nstep().array)
            theirs = float(self.torch_step_nstep().detach())
            np.testing.assert_allclose(ours, theirs, rtol=1e-4,
                                       err_msg=f'{self.extra[0][0]}: iteration {i + 1}')


# -- seq2seq ----------------------------------------------------------------------

EOS = 1


class Seq2seqModel(chainer.Chain):
    """The encoder-decoder of examples/seq2seq, without dropout."""

    def __init__(self, vocab, units):
        super().__init__()
        with self.init_scope():
            self.embed_x = L.EmbedID(vocab, units, ignore_label=-1)
            self.embed_y = L.EmbedID(vocab, units, ignore_label=-1)
            self.encoder = L.NStepLSTM(1, units, units, 0.0)
            self.decoder = L.NStepLSTM(1, units, units, 0.0)
            self.W = L.Linear(units, vocab)

    def forward(self, xs, ys):
        xs = [x[::-1] for x in xs]
        eos = np.array([EOS], np.int32)
        ys_in = [F.concat([eos, y], axis=0) for y in ys]
        ys_out = [F.concat([y, eos], axis=0) for y in ys]
        exs = _sequence_embed(self.embed_x, xs)
        eys = _sequence_embed(self.embed_y, ys_in)
        hx, cx, _ = self.encoder(None, None, exs)
        _, _, os_ = self.decoder(hx, cx, eys)
        loss = F.sum(F.softmax_cross_entropy(self.W(F.concat(os_, axis=0)),
                                             F.concat(ys_out, axis=0), reduce='no'))
        return loss / len(xs)


def _sequence_embed(embed, xs):
    sections = np.cumsum([len(x) for x in xs[:-1]])
    return F.split_axis(embed(F.concat(xs, axis=0)), sections, 0)


class Seq2seq(Workload):
    def __init__(self, vocab, units, batch, lengths):
        lo, hi = lengths
        self.label = f'seq2seq: L.NStepLSTM encoder-decoder, {units} units, batch {batch}'
        rng = np.random.RandomState(0)
        self.xs = [rng.randint(2, vocab, rng.randint(lo, hi + 1)).astype(np.int32)
                   for _ in range(batch)]
        self.ys = [rng.randint(2, vocab, rng.randint(lo, hi + 1)).astype(np.int32)
                   for _ in range(batch)]
        np.random.seed(0)
        self.model = Seq2seqModel(vocab, units)
        self.opt = optimizers.Adam()
        self.opt.setup(self.model)
        if torch is None:
            return
        m = self.model
        self.temb_x = torch.nn.Embedding(vocab, units)
        self.temb_y = torch.nn.Embedding(vocab, units)
        _set(self.temb_x.weight, m.embed_x.W.array)
        _set(self.temb_y.weight, m.embed_y.W.array)
        self.tenc = _torch_lstm_from_nstep(m.encoder, units)
        self.tdec = _torch_lstm_from_nstep(m.decoder, units)
        self.tW = _torch_linear(m.W)
        self.tmodel = torch.nn.ModuleList([self.temb_x, self.temb_y, self.tenc, self.tdec,
                                           self.tW])
        self.topt = _torch_adam(self.tmodel.parameters())
        self.txs = [torch.from_numpy(x.astype(np.int64)) for x in self.xs]
        self.tys = [torch.from_numpy(y.astype(np.int64)) for y in self.ys]

    def step(self):
        self.model.cleargrads()
        loss = self.model(self.xs, self.ys)
        loss.backward()
        self.opt.update()
        return loss

    def torch_step(self):
        pack = torch.nn.utils.rnn.pack_sequence
        eos = torch.tensor([EOS])
        xs = [x.flip(0) for x in self.txs]
        ys_in = [torch.cat([eos, y]) for y in self.tys]
        ys_out = pack([torch.cat([y, eos]) for y in self.tys], enforce_sorted=False)
        exs = pack([self.temb_x(x) for x in xs], enforce_sorted=False)
        eys = pack([self.temb_y(y) for y in ys_in], enforce_sorted=False)
        _, state = self.tenc(exs)
        os_, _ = self.tdec(eys, state)
        loss = torch.nn.functional.cross_entropy(self.tW(os_.data), ys_out.data,
                                                 reduction='sum') / len(xs)
        self.topt.zero_grad(set_to_none=True)
        loss.backward()
        self.topt.step()
        return loss


# -- word2vec ---------------------------------------------------------------------

class SkipGramModel(chainer.Chain):
    """Skip-gram as in examples/word2vec: each context word predicts the centre word."""

    def __init__(self, vocab, units, counts, samples):
        super().__init__()
        with self.init_scope():
            self.embed = L.EmbedID(vocab, units, initialW=I.Uniform(1. / units))
            self.loss_func = L.NegativeSampling(units, counts, samples)
        self.loss_func.W.array[...] = 0

    def forward(self, x, contexts, return_samples=False):
        e = self.embed(contexts)
        batch, n_context, n_units = e.shape
        x = F.broadcast_to(x[:, None], (batch, n_context))
        return self.loss_func(F.reshape(e, (batch * n_context, n_units)),
                              F.reshape(x, (batch * n_context,)),
                              return_samples=return_samples)


class Word2vec(Workload):
    def __init__(self, vocab, units, window, batch, samples):
        self.label = (f'word2vec: skip-gram, L.NegativeSampling, vocab {vocab}, '
                      f'batch {batch}')
        rng = np.random.RandomState(0)
        counts = np.maximum(1, 1e6 / np.arange(1, vocab + 1)).astype(np.int64)
        self.x = rng.randint(0, vocab, batch).astype(np.int32)
        self.contexts = rng.randint(0, vocab, (batch, 2 * window)).astype(np.int32)
        np.random.seed(0)
        self.model = SkipGramModel(vocab, units, list(counts), samples)
        self.opt = optimizers.Adam()
        self.opt.setup(self.model)
        self.samples = samples
        if torch is None:
            return
        self.tembed = torch.nn.Embedding(vocab, units)
        self.tout = torch.nn.Embedding(vocab, units)
        _set(self.tembed.weight, self.model.embed.W.array)
        _set(self.tout.weight, self.model.loss_func.W.array)
        self.topt = _torch_adam(list(self.tembed.parameters()) + list(self.tout.parameters()))
        p = counts.astype(np.float64) ** 0.75
        self.tprob = torch.from_numpy(p / p.sum())
        self.tcontexts = torch.from_numpy(self.contexts.astype(np.int64))
        self.tcentre = torch.from_numpy(
            np.repeat(self.x, 2 * window).astype(np.int64))
        sign = -np.ones(samples + 1, np.float32)
        sign[0] = 1
        self.tsign = torch.from_numpy(sign)

    def step(self, return_samples=False):
        self.model.cleargrads()
        if return_samples:
            loss, self.last_samples = self.model(self.x, self.contexts, return_samples=True)
        else:
            loss = self.model(self.x, self.contexts)
        loss.backward()
        self.opt.update()
        return loss

    def torch_step(self, samples=None):
        e = self.tembed(self.tcontexts).reshape(-1, self.tembed.embedding_dim)
        n = e.shape[0]
        if samples is None:
            negatives = torch.multinomial(self.tprob, n * self.samples, replacement=True)
            samples = torch.cat([self.tcentre[:, None], negatives.view(n, self.samples)], 1)
        scores = torch.bmm(self.tout(samples), e[:, :, None])[:, :, 0]
        loss = -torch.nn.functional.logsigmoid(scores * self.tsign).sum()
        self.topt.zero_grad(set_to_none=True)
        loss.backward()
        self.topt.step()
        return loss

    def check(self) -> None:
        for i in range(2):
            ours = float(self.step(return_samples=True).array)
            samples = torch.from_numpy(np.asarray(self.last_samples).astype(np.int64))
            theirs = float(self.torch_step(samples).detach())
            np.testing.assert_allclose(ours, theirs, rtol=1e-4,
                                       err_msg=f'{self.label}: loss of iteration {i + 1}')


# -- main -------------------------------------------------------------------------

BUILDERS = {'mlp': MLP, 'lenet': LeNet, 'vgg': VGG, 'lstm_lm': LSTMLM, 'seq2seq': Seq2seq,
            'word2vec': Word2vec}


def main(argv=None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeat', type=int, default=5)
    parser.add_argument('--timer', choices=('wall', 'cpu'), default='wall')
    parser.add_argument('--only', default=','.join(NAMES),
                        help='comma-separated workloads (default: all): ' + ', '.join(NAMES))
    parser.add_argument('--quick', action='store_true',
                        help='tiny sizes, one round of one iteration (a smoke test)')
    args = parser.parse_args(argv)
    names = [n for n in args.only.split(',') if n]
    unknown = sorted(set(names) - set(NAMES))
    if unknown:
        parser.error(f'unknown workloads: {", ".join(unknown)} (choose from {", ".join(NAMES)})')
    timer = time.perf_counter if args.timer == 'wall' else time.process_time
    repeat = 1 if args.quick else args.repeat

    print(f'{FRAMEWORK}, numpy {np.__version__}'
          + (f', torch {torch.__version__} ({torch.get_num_threads()} threads)'
             if torch else ', torch not installed')
          + f'; {args.timer} time, ms per iteration, best of {repeat}')
    width = 66
    print(f'{"workload":{width}s} {FRAMEWORK:>15s} {"torch":>9s} {"x torch":>8s}')
    for name in names:
        w = BUILDERS[name](**SIZES[name][1 if args.quick else 0])
        if torch is not None:
            w.check()
        number = 1 if args.quick else NUMBER[name]
        for label, step, torch_step in [(w.label, w.step, w.torch_step)] + list(w.extra):
            fns = [step] + ([torch_step] if torch else [])
            times = _timing.best_times(fns, number, repeat, timer)
            ours = times[0] * 1e3
            cells = (f'{times[1] * 1e3:9.2f} {times[0] / times[1]:7.2f}x' if torch
                     else f'{"-":>9s} {"-":>8s}')
            print(f'{label:{width}s} {ours:15.2f} {cells}', flush=True)


if __name__ == '__main__':
    main()
