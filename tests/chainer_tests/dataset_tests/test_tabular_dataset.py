import copy
import pickle

import numpy
import pytest

from chainer import dataset
from chainer.dataset import tabular


class MyTable(dataset.TabularDataset):
    """A hand-written tuple-mode table with columns a (array) and b (list)."""

    def __init__(self, n=6):
        self.a = numpy.arange(n)
        self.b = [f'b{i}' for i in range(n)]
        self.requests = []

    def __len__(self):
        return len(self.a)

    @property
    def keys(self):
        return ('a', 'b')

    @property
    def mode(self):
        return tuple

    def get_examples(self, indices, key_indices):
        self.requests.append((indices, key_indices))
        if key_indices is None:
            key_indices = (0, 1)
        if indices is None:
            idx = list(range(len(self)))
        elif isinstance(indices, slice):
            idx = list(range(len(self)))[indices]
        else:
            idx = list(indices)
        cols = (self.a[idx], [self.b[i] for i in idx])
        return tuple(cols[k] for k in key_indices)


def test_subclass_basics():
    t = MyTable()
    assert isinstance(t, dataset.TabularDataset)
    assert len(t) == 6
    assert t[2] == (2, 'b2')
    assert t[1:3] == [(1, 'b1'), (2, 'b2')]
    a, b = t.fetch()
    numpy.testing.assert_array_equal(a, numpy.arange(6))
    assert b == [f'b{i}' for i in range(6)]  # fetch leaves columns as they are
    a, b = t.convert(t.fetch())
    assert isinstance(b, numpy.ndarray) and b[3] == 'b3'
    assert list(t)[5] == (5, 'b5')


def test_asdict_astuple():
    t = MyTable()
    d = t.asdict()
    assert d.mode is dict and d.keys == ('a', 'b')
    assert d[0] == {'a': 0, 'b': 'b0'}
    assert set(d.fetch()) == {'a', 'b'}
    assert d.astuple()[1] == (1, 'b1')


def test_slice_rows_and_keys():
    t = MyTable()
    s = t.slice[1:5]
    assert len(s) == 4 and s[0] == (1, 'b1')
    s = t.slice[[4, 0, -1]]
    assert [s[i] for i in range(3)] == [(4, 'b4'), (0, 'b0'), (5, 'b5')]
    s = t.slice[[True, False] * 3]
    assert len(s) == 3 and s[2] == (4, 'b4')
    s = t.slice[:, 'b']
    assert s.mode is None and s.keys == ('b',) and s[2] == 'b2'
    s = t.slice[::2, ('b', 'a')]
    assert s.mode is tuple and s[1] == ('b2', 2)
    s = t.slice[:, [1]]
    assert s.keys == ('b',) and s.mode is tuple and s[0] == ('b0',)
    # slice of slice
    s = t.slice[1:][::-2]
    assert [x[0] for x in s] == [5, 3, 1]
    numpy.testing.assert_array_equal(t.slice[2:4, 'a'].fetch(), [2, 3])


def test_slice_errors():
    t = MyTable()
    with pytest.raises(KeyError, match="'zz'"):
        t.slice[:, 'zz']
    with pytest.raises(IndexError):
        t.slice[:, 5]
    with pytest.raises(IndexError):
        t.slice[[10]]
    with pytest.raises(ValueError, match='mask'):
        t.slice[[True, False]]
    with pytest.raises(TypeError):
        t.slice[3]
    with pytest.raises(ValueError):
        t.slice[1, 2, 3]


def test_from_data_array_list_callable():
    u = tabular.from_data(numpy.arange(5) * 2)
    assert u.mode is None and len(u) == 5 and u[3] == 6
    u = tabular.from_data(['x', 'y'])
    assert u[1] == 'y'
    t = tabular.from_data((numpy.arange(4), ('sq', lambda i: i * i)))
    assert t.mode is tuple and t.keys[1] == 'sq' and t[3] == (3, 9)
    d = tabular.from_data({'a': [1, 2, 3], 'b': numpy.arange(3)})
    assert d.mode is dict and d[2] == {'a': 3, 'b': 2}
    c = tabular.from_data(('c', lambda i: -i), size=3)
    assert c.mode is None and c.keys == ('c',) and list(c) == [0, -1, -2]
    m = tabular.from_data((('x', 'y'), lambda i: (i, i + 1)), size=2)
    assert m.keys == ('x', 'y') and m[1] == (1, 2)


def test_from_data_tuple_key_with_an_array_names_one_column():
    # As in Chainer: ((key, ...), array) is a unary dataset keyed by the tuple.
    u = tabular.from_data((('x', 'y'), numpy.arange(3)))
    assert u.keys == (('x', 'y'),) and u.mode is None and u[2] == 2


def test_from_data_errors():
    # Chainer's messages
    with pytest.raises(ValueError, match='^size must be specified for callable$'):
        tabular.from_data(('k', lambda i: i))
    with pytest.raises(ValueError, match=r'^key\(s\) must be specified for callable$'):
        tabular.from_data((numpy.arange(2), lambda i: i))
    with pytest.raises(TypeError):
        tabular.from_data(42)


def test_concat():
    a = tabular.from_data({'x': numpy.arange(3), 'y': ['a', 'b', 'c']})
    b = tabular.from_data({'x': numpy.arange(10, 12), 'y': ['d', 'e']})
    c = a.concat(b)
    assert len(c) == 5 and c.mode is dict and c[3] == {'x': 10, 'y': 'd'}
    x = c.slice[[4, 0, 3], 'x'].fetch()
    numpy.testing.assert_array_equal(x, [11, 0, 10])
    assert c.slice[[4, 1], 'y'].fetch() == ['e', 'b']
    numpy.testing.assert_array_equal(c.fetch()['x'], [0, 1, 2, 10, 11])
    with pytest.raises(ValueError, match='same keys'):
        a.concat(tabular.from_data({'z': numpy.arange(2)}))
    # Fetched whole, a concatenation of one dataset gives lists too (as Chainer);
    # a slice within one dataset gives what that dataset gives.
    alone = a.concat().fetch()
    assert isinstance(alone['x'], list) and [int(v) for v in alone['x']] == [0, 1, 2]
    assert isinstance(c.slice[0:2].fetch()['x'], numpy.ndarray)
    # Negative indices count from the end (Chainer raised IndexError).
    assert c[-1] == {'x': 11, 'y': 'e'}
    assert [int(v) for v in c.slice[[-1, -5], 'x'].fetch()] == [11, 0]


def test_join():
    a = tabular.from_data({'x': numpy.arange(3)})
    b = tabular.from_data({'y': numpy.arange(3) * 10, 'z': [7, 8, 9]})
    j = a.join(b)
    assert j.keys == ('x', 'y', 'z') and j.mode is dict
    assert j[1] == {'x': 1, 'y': 10, 'z': 8}
    assert j.slice[:, ('z', 'x')][2] == {'z': 9, 'x': 2}
    with pytest.raises(ValueError, match='same length'):
        a.join(tabular.from_data({'w': numpy.arange(4)}))
    with pytest.raises(ValueError, match="'x'"):
        a.join(tabular.from_data({'x': numpy.arange(3)}))


def test_transform_modes():
    t = MyTable(4)
    tr = t.transform(('s', 'l'), lambda a, b: (a * 2, len(b)))
    assert tr.mode is tuple and tr[3] == (6, 2)
    tr = t.asdict().transform(('s',), lambda a, b: {'s': b + '!'})
    assert tr.mode is dict and tr[0] == {'s': 'b0!'}
    tr = t.slice[:, 'a'].transform('neg', lambda a: -a)
    assert tr.mode is None and tr[2] == -2
    numpy.testing.assert_array_equal(tr.fetch(), [0, -1, -2, -3])


def test_transform_mode_of_an_empty_dataset():
    # As in Chainer, the function is asked for row 0 even when there are no
    # rows: a callable answers, so its return type is the mode.
    d = tabular.from_data((('p', 'q'), lambda i: {'p': i, 'q': -i}), size=0)
    assert d.mode is dict and d.fetch() == {'p': [], 'q': []}
    b = tabular.from_data(('i', lambda i: i), size=0).transform_batch(
        ('x',), lambda i: (numpy.asarray(i),))
    assert b.mode is tuple
    # An array cannot answer: a single key makes a unary dataset, several a tuple.
    e = tabular.from_data(numpy.zeros(0)).transform(('a', 'b'), lambda x: {'a': x, 'b': x})
    assert e.mode is tuple
    assert tabular.from_data(numpy.zeros(0)).transform('a', lambda x: x).mode is None
    # Nor can a concatenation of empty datasets, which reads no row at all.
    empty = tabular.from_data(('x', numpy.zeros(0)))
    empty = empty.concat(empty)
    assert empty.transform(('y', 'z'), lambda x: (x, x)).mode is tuple
    assert empty.transform('y', lambda x: x).fetch() == []
    assert empty.transform_batch('y', lambda x: x).mode is None
    # A read that fails is no answer: a single value for two keys is not unary.
    assert empty.transform_batch(('y', 'z'), lambda x: x).mode is tuple



def _double(x):
    return x * 2


@pytest.mark.parametrize('copier', [copy.copy, copy.deepcopy,
                                    lambda d: pickle.loads(pickle.dumps(d))])
@pytest.mark.parametrize('method', ['transform', 'transform_batch'])
def test_transform_copied_before_its_mode_is_known(copier, method):
    # As MultiprocessIterator's workers get it: the copy finds the mode itself.
    d = getattr(tabular.from_data(numpy.arange(3)), method)('t', _double)
    c = copier(d)
    assert c.mode is None and c[2] == 4
    numpy.testing.assert_array_equal(c.fetch(), [0, 2, 4])

def test_transform_bad_output():
    # Chainer's error types: a missing entry is an IndexError (tuple, or a
    # single value for several keys) or a KeyError (dict).
    t = MyTable(3)
    with pytest.raises(IndexError, match='2 keys'):
        t.transform(('p', 'q'), lambda a, b: (a,))[0]
    with pytest.raises(IndexError, match='single value'):
        t.transform(('p', 'q'), lambda a, b: a)[0]
    with pytest.raises(KeyError, match="'q'"):
        t.transform(('p', 'q'), lambda a, b: {'p': a})[0]


@pytest.mark.parametrize('batch', [False, True])
def test_transform_missing_entries_matter_only_when_requested(batch):
    # As in Chainer: the keys whose entries the function did return can be read.
    t = MyTable(3)
    make = t.transform_batch if batch else t.transform
    single = make(('p', 'q', 'r'), lambda a, b: a)
    short = make(('p', 'q', 'r'), lambda a, b: (a, b))
    assert list(single.slice[:, 'p'].fetch()) == [0, 1, 2]
    assert list(short.slice[:, ('p', 'q')].fetch()[1]) == list(t.fetch()[1])
    with pytest.raises(IndexError, match='single value'):
        single.slice[:, 'q'].fetch()
    with pytest.raises(IndexError, match='3 keys'):
        short.slice[:, 'r'].fetch()


def test_transform_ignores_entries_beyond_the_keys():
    t = MyTable(3)
    u = t.transform('p', lambda a, b: (a, b, 'extra'))
    assert u.mode is tuple and u.keys == ('p',) and u[2] == (2,)
    v = t.transform_batch(('p',), lambda a, b: (a, b))
    assert v[1] == (1,)


def test_convert_makes_arrays_of_every_column():
    # The columns of a join or concat of from_data datasets come out as arrays.
    a = numpy.arange(3, dtype=numpy.float32)
    t = tabular.from_data((('a', a), ('b', ['x', 'y', 'z'])))
    x, y = t.convert(t.fetch())
    assert x.dtype == numpy.float32 and y.dtype.kind == 'U'
    u = t.concat(t)
    x, y = u.convert(u.fetch())
    assert isinstance(x, numpy.ndarray) and x.dtype == numpy.float32 and len(x) == 6
    assert isinstance(y, numpy.ndarray) and list(y[2:4]) == ['z', 'x']
    (z,) = t.convert(([numpy.ones(2, numpy.float32)] * 3,))
    assert z.shape == (3, 2) and z.dtype == numpy.float32


def test_transform_batch():
    t = MyTable(5)
    tb = t.transform_batch(('double',), lambda a, b: (a * 2,))
    assert tb.mode is tuple and tb[4] == (8,)
    numpy.testing.assert_array_equal(tb.slice[1:3].fetch()[0], [2, 4])
    bad = t.transform_batch('x', lambda a, b: a[:1])
    with pytest.raises(ValueError, match='rows'):
        bad.fetch()
    # One column of the wrong length for two keys: the length is checked
    # first (ValueError, as Chainer), one of the right length is one too few.
    two = t.transform_batch(('x', 'y'), lambda a, b: [a[0], a[1]])
    with pytest.raises(ValueError, match='rows'):
        two.fetch()
    with pytest.raises(IndexError, match='single value'):
        two.slice[:2].fetch()
    # The return type is known even when the length check failed.
    one = t.transform_batch('x', lambda a, b: numpy.zeros(len(a) + 1))
    with pytest.raises(ValueError, match='rows'):
        one.mode
    assert one.mode is None


def test_with_converter():
    t = MyTable(3).with_converter(lambda a, b: {'sum': int(numpy.sum(a)), 'n': len(b)})
    assert t.convert(t.fetch()) == {'sum': 3, 'n': 3}
    assert t.mode is tuple and t[0] == (0, 'b0')
    u = tabular.from_data(numpy.arange(3)).with_converter(lambda x: x.tolist())
    assert u.convert(u.fetch()) == [0, 1, 2]
    d = tabular.from_data({'k': numpy.arange(2)}).with_converter(lambda k: k + 1)
    numpy.testing.assert_array_equal(d.convert(d.fetch()), [1, 2])


def test_get_examples_is_lazy():
    t = MyTable(6)
    t.slice[2:5, 'b'].slice[[0, 2]].fetch()
    assert t.requests[-1] == ([2, 4], (1,))


def test_delegate_dataset():
    t = MyTable(3)
    d = tabular.DelegateDataset(t)
    assert d.keys == t.keys and d[1] == t[1] and len(d) == 3


def test_delegate_dataset_converts_as_tabular_dataset_does():
    # As in Chainer: a DelegateDataset does not take over the wrapped dataset's
    # converter (astuple/asdict views do).
    base = tabular.from_data((('a', numpy.arange(3)), ('b', [1, 2, 3])))
    conv = base.with_converter(lambda a, b: 'converted')
    d = tabular.DelegateDataset(conv)
    a, b = d.convert(d.fetch())
    numpy.testing.assert_array_equal(b, [1, 2, 3])
    assert conv.astuple().convert(conv.fetch()) == 'converted'
    assert conv.asdict().convert(conv.asdict().fetch()) == 'converted'


def test_abstract():
    t = dataset.TabularDataset()
    with pytest.raises(NotImplementedError):
        len(t)
    with pytest.raises(NotImplementedError):
        t.keys
