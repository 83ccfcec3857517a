import numpy
import pytest

from chainer import dataset
from chainer import datasets


class SimpleDataset(dataset.DatasetMixin):

    def __init__(self, values):
        self.values = values

    def __len__(self):
        return len(self.values)

    def get_example(self, i):
        return self.values[i]


def test_getitem_int_slice_list_array():
    ds = SimpleDataset([10, 11, 12, 13, 14])
    assert ds[0] == 10
    assert ds[-1] == 14
    assert ds[1:4] == [11, 12, 13]
    assert ds[::-2] == [14, 12, 10]
    assert ds[10:] == []
    assert ds[[3, 0]] == [13, 10]
    assert ds[numpy.array([4, 1])] == [14, 11]
    assert len(ds) == 5


def test_abstract_methods():
    ds = dataset.DatasetMixin()
    with pytest.raises(NotImplementedError):
        len(ds)
    with pytest.raises(NotImplementedError):
        ds.get_example(0)


def test_out_of_range():
    ds = SimpleDataset([1, 2])
    with pytest.raises(IndexError):
        ds[2]


class CountingIterator(dataset.Iterator):

    def __init__(self):
        self.finalized = 0
        self.n = 0

    def __next__(self):
        self.n += 1
        if self.n > 3:
            raise StopIteration
        return [self.n]


def test_iterator_base_protocol():
    it = CountingIterator()
    assert iter(it) is it
    assert it.next() == [1]
    assert next(it) == [2]
    assert list(it) == [[3]]
    with it as same:
        assert same is it
    assert it.finalized == 0  # base finalize is a no-op we did not override
    it.serialize(None)


def test_iterator_context_manager_finalizes_on_error():
    calls = []

    class It(CountingIterator):
        def finalize(self):
            calls.append(1)

    with pytest.raises(RuntimeError):
        with It():
            raise RuntimeError('boom')
    assert calls == [1]


def test_iterator_base_abstract():
    it = dataset.Iterator()
    with pytest.raises(NotImplementedError):
        next(it)
    assert not hasattr(it, 'epoch_detail')  # as in Chainer: left to subclasses


def test_subclass_may_assign_epoch_attributes():
    class It(dataset.Iterator):
        def __init__(self):
            self.epoch = 0
            self.epoch_detail = 0.0
            self.previous_epoch_detail = None

    it = It()
    it.epoch_detail = 1.5
    assert it.epoch_detail == 1.5


@pytest.mark.parametrize('index', [
    True, numpy.True_, [True, False, True], numpy.array([True, False, True]), [0, True]])
def test_boolean_indices_are_refused(index):
    # Chainer read booleans as the indices 0 and 1 (a mask gave the wrong examples)
    concatenated = datasets.ConcatenatedDataset(numpy.arange(2), numpy.arange(2, 3))
    with pytest.raises(TypeError, match='flatnonzero'):
        concatenated[index]
    assert concatenated[[0, 2]] == [0, 2]
