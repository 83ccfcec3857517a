"""Small stand-ins shared by the training tests: a list iterator and a tiny model."""
from __future__ import annotations

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import reporter
from chainer.dataset import iterator as iterator_module


class ListIterator(iterator_module.Iterator):
    """In-order batches of a list, like SerialIterator(shuffle=False)."""

    def __init__(self, dataset, batch_size, repeat=True):
        self.dataset = dataset
        self.batch_size = batch_size
        self._repeat = repeat
        self.reset()
        self.finalized = False

    def reset(self):
        self.current_position = 0
        self.epoch = 0
        self.is_new_epoch = False
        self._previous_epoch_detail = -1.0

    @property
    def repeat(self):
        return self._repeat

    def __next__(self):
        n = len(self.dataset)
        if not self._repeat and self.epoch > 0:
            raise StopIteration
        self._previous_epoch_detail = self.epoch_detail
        i = self.current_position
        i_end = i + self.batch_size
        batch = self.dataset[i:i_end]
        if i_end >= n:
            if self._repeat:
                rest = i_end - n
                if rest > 0:
                    batch = batch + self.dataset[:rest]
                self.current_position = rest
            else:
                self.current_position = 0
            self.epoch += 1
            self.is_new_epoch = True
        else:
            self.is_new_epoch = False
            self.current_position = i_end
        return batch

    next = __next__

    def __iter__(self):
        return self

    @property
    def epoch_detail(self):
        return self.epoch + self.current_position / len(self.dataset)

    @property
    def previous_epoch_detail(self):
        if self._previous_epoch_detail < 0:
            return None
        return self._previous_epoch_detail

    def serialize(self, serializer):
        self.current_position = int(serializer('current_position', self.current_position))
        self.epoch = int(serializer('epoch', self.epoch))
        self.is_new_epoch = bool(serializer('is_new_epoch', self.is_new_epoch))
        self._previous_epoch_detail = float(
            serializer('previous_epoch_detail', self._previous_epoch_detail))

    def finalize(self):
        self.finalized = True


class Regressor(chainer.Link):
    """y = x W (one weight matrix); reports ``loss`` (squared error)."""

    def __init__(self, n_in=3, n_out=2, seed=0):
        super().__init__()
        rng = numpy.random.RandomState(seed)
        with self.init_scope():
            self.W = chainer.Parameter(rng.uniform(-1, 1, (n_in, n_out)).astype(numpy.float32))

    def forward(self, x, t):
        y = F.matmul(x, self.W)
        loss = F.mean_squared_error(y, t)
        reporter.report({'loss': loss}, self)
        return loss


def make_dataset(n=12, n_in=3, n_out=2, seed=1):
    rng = numpy.random.RandomState(seed)
    true_w = rng.uniform(-1, 1, (n_in, n_out)).astype(numpy.float32)
    xs = rng.uniform(-1, 1, (n, n_in)).astype(numpy.float32)
    ts = (xs @ true_w).astype(numpy.float32)
    return [(xs[i], ts[i]) for i in range(n)]


@pytest.fixture(autouse=True)
def run_in_tmp_dir(tmp_path, monkeypatch):
    """Keeps trainers' default output directory ('result') out of the repository."""
    monkeypatch.chdir(tmp_path)
