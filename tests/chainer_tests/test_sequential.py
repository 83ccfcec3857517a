"""chainer.Sequential."""
import copy
import functools
import pickle

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer.link import Chain, ChainList, Link
from chainer.sequential import Sequential


class Affine(Link):
    """y = a * x + c with scalar-like parameters of shape (1,)."""

    def __init__(self, a=2.0, c=0.0):
        super().__init__()
        with self.init_scope():
            self.a = chainer.Parameter(numpy.full((1,), a, numpy.float32))
            self.c = chainer.Parameter(numpy.full((1,), c, numpy.float32))

    def forward(self, x):
        return x * F.broadcast_to(self.a, x.shape) + F.broadcast_to(self.c, x.shape)


class Split(Link):
    def forward(self, x):
        return x, x * 2


def double(x):
    return x * 2


def _x():
    return numpy.array([1., 2.], numpy.float32)


def test_forward_chains_links_and_functions():
    l1, l2 = Affine(2.0, 1.0), Affine(3.0)
    seq = Sequential(l1, F.tanh, l2)
    x = _x()
    y = seq(x)
    expected = numpy.tanh(x * 2 + 1) * 3
    numpy.testing.assert_allclose(y.array, expected, rtol=1e-6)
    F.sum(y).backward()
    assert l1.a.grad is not None and l2.a.grad is not None


def test_forward_unpacks_tuples():
    seq = Sequential(Split(), lambda a, b: a + b)
    numpy.testing.assert_array_equal(seq(_x()), [3., 6.])
    seq2 = Sequential(lambda a, b: a * b)
    assert seq2(3, 4) == 12


def test_forward_empty():
    with pytest.raises(RuntimeError, match='does not have any layer'):
        Sequential()(_x())


def test_children_are_links_named_by_link_position():
    l1, l2 = Affine(), Affine()
    seq = Sequential(l1, F.tanh, l2)
    assert len(seq) == 3
    assert list(seq.children()) == [l1, l2]
    assert l1.name == '0' and l2.name == '1'
    assert [n for n, _ in seq.namedparams()] == ['/0/a', '/0/c', '/1/a', '/1/c']
    assert [n for n, _ in seq.namedlinks()] == ['/', '/0', '/1']
    assert list(seq) == [l1, F.tanh, l2]
    assert seq[1] is F.tanh and seq[-1] is l2
    assert seq[0:2] == [l1, F.tanh]
    assert F.tanh in seq and l1 in seq and double not in seq


def test_not_callable_rejected():
    with pytest.raises(ValueError, match='callable'):
        Sequential(1)
    seq = Sequential(Affine())
    with pytest.raises(ValueError, match='callable'):
        seq.append('abc')
    with pytest.raises(ValueError, match='callable'):
        seq[0] = 3
    assert len(seq) == 1


def test_append_extend_insert():
    l1, l2, l3 = Affine(), Affine(), Affine()
    seq = Sequential(l1)
    seq.append(double)
    seq.extend([l2])
    seq.insert(0, l3)
    assert list(seq) == [l3, l1, double, l2]
    assert [c.name for c in seq.children()] == ['0', '1', '2']
    assert list(seq.children()) == [l3, l1, l2]
    seq.insert(-1, F.tanh)
    assert list(seq) == [l3, l1, double, F.tanh, l2]
    seq.add_link(Affine())
    assert len(seq) == 6
    with pytest.raises(IndexError):
        seq.insert(100, double)
    with pytest.raises(IndexError):
        seq.insert(-100, double)


def test_delete_pop_remove_clear():
    l1, l2, l3 = Affine(), Affine(), Affine()
    seq = Sequential(l1, double, l2, l3)
    del seq[0]
    assert list(seq) == [double, l2, l3]
    # l3 was placed before l2 among the children (see test_children_order_as_chainer)
    assert list(seq.children()) == [l3, l2] and l2.name == '1'
    assert seq.pop() is l3
    assert list(seq.children()) == [l2]
    seq.remove(double)
    assert list(seq) == [l2]
    with pytest.raises(ValueError):
        seq.remove(double)
    seq.clear()
    assert len(seq) == 0 and list(seq.children()) == []


def test_setitem():
    l1, l2 = Affine(), Affine()
    seq = Sequential(l1, double)
    seq[1] = l2
    assert list(seq.children()) == [l1, l2] and l2.name == '1'
    seq[0] = F.tanh
    assert list(seq.children()) == [l2] and l2.name == '0'
    with pytest.raises(ValueError):
        seq[5] = double


def test_index_count_reverse():
    l1 = Affine()
    seq = Sequential(double, l1, double)
    assert seq.index(l1) == 1
    assert seq.index(double, 1) == 1  # relative to start, as Chainer
    assert seq.count(double) == 2
    seq.reverse()
    assert list(seq) == [double, l1, double]
    seq2 = Sequential(l1, double)
    seq2.reverse()
    assert list(seq2) == [double, l1] and list(reversed(seq2)) == [l1, double]


def test_by_layer_type():
    seq = Sequential(Affine(), double, Affine(), F.tanh)
    assert seq.count_by_layer_type('Affine') == 2
    assert seq.count_by_layer_type('double') == 1
    seq.remove_by_layer_type('Affine')
    assert list(seq) == [double, F.tanh]
    assert list(seq.children()) == []


def test_add_and_iadd():
    l1, l2 = Affine(), Affine()
    a = Sequential(l1)
    b = Sequential(double, l2)
    c = a + b
    assert isinstance(c, Sequential) and list(c) == [l1, double, l2]
    a += b
    assert list(a) == [l1, double, l2]
    with pytest.raises(ValueError):
        a + [double]
    with pytest.raises(ValueError):
        a += [double]


def test_flatten():
    l1, l2, l3 = Affine(), Affine(), Affine()
    seq = Sequential(l1, Sequential(double, Sequential(l2)), l3)
    flat = seq.flatten()
    assert list(flat) == [l1, double, l2, l3]
    assert [n for n, _ in flat.namedlinks(skipself=True)] == ['/0', '/1', '/2']


def test_nested_namedparams():
    seq = Sequential(Sequential(Affine()), Affine())
    assert [n for n, _ in seq.namedparams()] == ['/0/0/a', '/0/0/c', '/1/a', '/1/c']


def test_copy_modes():
    l1 = Affine()
    seq = Sequential(l1, double)
    shared = seq.copy()
    assert isinstance(shared, Sequential)
    assert shared[0] is not l1 and shared[0].a.array is l1.a.array
    assert shared[1] is double
    copied = seq.copy('copy')
    assert copied[0].a.array is not l1.a.array
    with pytest.raises(ValueError):
        seq.copy('bad')


def test_copyparams():
    a = Sequential(Affine(1.0), double, Affine(1.0))
    b = Sequential(Affine(5.0), double, Affine(7.0))
    a.copyparams(b)
    assert a[0].a.array[0] == 5 and a[2].a.array[0] == 7
    with pytest.raises(ValueError):
        a.copyparams(ChainList(Affine()))


def test_repeat():
    seq = Sequential(Affine(), double)
    rep = seq.repeat(2, mode='copy')
    assert len(rep) == 2 and all(isinstance(s, Sequential) for s in rep)
    assert [n for n, _ in rep.namedparams()] == ['/0/0/a', '/0/0/c', '/1/0/a', '/1/0/c']


def test_str():
    assert str(Sequential()) == 'Sequential()'
    seq = Sequential(Chain(x=Link()), double)
    s = str(seq)
    assert s.startswith(
        'Sequential(\n  (0): Chain(\n    (x): Link(),\n  ),\n  (1): <function double')
    assert s.endswith('>,\n)')
    lam = Sequential(lambda x: x + 1)  # lambdas print their source line
    assert 'lambda x: x + 1' in str(lam)


def test_partial_layer():
    seq = Sequential(functools.partial(F.sum, axis=0))
    assert seq(numpy.ones((2, 3), numpy.float32)).shape == (3,)
    assert seq.count_by_layer_type('partial') == 1


def test_partial_layer_str_prints_numpy_scalars_as_numpy1():
    seq = Sequential(functools.partial(F.leaky_relu, slope=numpy.float32(0.2)),
                     functools.partial(F.reshape, shape=(numpy.int64(-1), 3)))
    s = str(seq)
    assert 'slope=0.2)' in s and 'shape=(-1, 3))' in s and 'np.' not in s


def test_serialize_by_link_position():
    store = {}

    class Ser:
        def __init__(self, path=''):
            self.path = path

        def __getitem__(self, name):
            return Ser(self.path + name + '/')

        def __call__(self, key, value):
            store[self.path + key] = value
            return value

    Sequential(Affine(), double, Affine()).serialize(Ser())
    assert sorted(store) == ['0/a', '0/c', '1/a', '1/c']


def _names(seq):
    return [(c.name, c.a.array[0]) for c in seq.children()]


def test_children_order_as_chainer():
    # Chainer 7.8.1 puts a link inserted at layer i > 0 right after child
    # position k, k being the layer index of the first link before it; the
    # children's names (the .npz keys) follow that order, not the layer order.
    seq = Sequential(Affine(1), F.relu, Affine(2), F.relu, Affine(3))
    assert _names(seq) == [('0', 1), ('1', 3), ('2', 2)]
    assert [n for n, _ in seq.namedparams()] == ['/0/a', '/0/c', '/1/a', '/1/c', '/2/a', '/2/c']
    assert seq.namedlinks(skipself=True).__next__()[1] is seq[0]
    only_links = Sequential(Affine(1), Affine(2), Affine(3), Affine(4))
    assert _names(only_links) == [('0', 1), ('1', 4), ('2', 3), ('3', 2)]
    # No link before the new one: after child position 0 (layer 0 is a function).
    lead = Sequential(F.relu, Affine(1), F.relu, Affine(2), Affine(3))
    assert _names(lead) == [('0', 1), ('1', 2), ('2', 3)]
    # The evaluation order stays the layer order.
    x = numpy.array([1., -1.], numpy.float32)
    numpy.testing.assert_array_equal(seq(x).array, numpy.maximum(numpy.maximum(x, 0) * 2, 0) * 3)


def test_children_order_after_edits_as_chainer():
    seq = Sequential(Affine(4), Affine(5), Affine(6), Affine(7))
    seq.insert(2, Affine(9))
    assert _names(seq) == [('0', 4), ('1', 9), ('2', 7), ('3', 6), ('4', 5)]
    del seq[1]
    assert _names(seq) == [('0', 4), ('1', 9), ('2', 7), ('3', 6)]
    seq[0] = Affine(8)  # delete, then insert at the same position
    assert _names(seq) == [('0', 8), ('1', 9), ('2', 7), ('3', 6)]
    seq.append(double)
    seq.insert(0, Affine(1))
    assert _names(seq) == [('0', 1), ('1', 8), ('2', 9), ('3', 7), ('4', 6)]
    seq.pop()
    assert _names(seq) == [('0', 1), ('1', 8), ('2', 9), ('3', 7), ('4', 6)]
    added = Sequential(Affine(1), F.relu, Affine(2), F.relu, Affine(3)) + Sequential(Affine(4))
    assert _names(added) == [('0', 1), ('1', 4), ('2', 3), ('3', 2)]
    nested = Sequential(Affine(1), Sequential(Affine(2), F.relu, Affine(3)), Affine(4))
    assert [c.name for c in nested.children()] == ['0', '1', '2']
    assert nested[2].name == '1' and nested[1].name == '2'
    assert _names(nested.flatten()) == [('0', 1), ('1', 4), ('2', 3), ('3', 2)]
    assert _names(Sequential(Affine(1), F.relu, Affine(2), F.relu, Affine(3)).copy()) == [
        ('0', 1), ('1', 3), ('2', 2)]


def test_npz_keys_follow_children_order(tmp_path):
    seq = Sequential(chainer.links.Linear(3, 4), F.relu, chainer.links.Linear(4, 5),
                     F.relu, chainer.links.Linear(5, 6))
    path = tmp_path / 'seq.npz'
    chainer.serializers.save_npz(str(path), seq)
    with numpy.load(str(path)) as f:
        shapes = {k: f[k].shape for k in f.files}
    assert shapes == {'0/W': (4, 3), '0/b': (4,), '1/W': (6, 5), '1/b': (6,),
                      '2/W': (5, 4), '2/b': (5,)}
    other = Sequential(chainer.links.Linear(3, 4), F.relu, chainer.links.Linear(4, 5),
                       F.relu, chainer.links.Linear(5, 6))
    chainer.serializers.load_npz(str(path), other)
    for a, b in zip(seq, other):
        if isinstance(a, Link):
            numpy.testing.assert_array_equal(a.W.array, b.W.array)


def test_lambda_layer_not_picklable():
    seq = Sequential(Affine(), lambda x: x * 2)
    with pytest.raises(ValueError, match='lambda'):
        pickle.dumps(seq)
    with pytest.raises(ValueError, match='lambda'):
        copy.deepcopy(seq)
    assert seq.copy()[1] is seq[1]  # Sequential.copy keeps working
    fine = Sequential(Affine(3.0), functools.partial(F.sum, axis=0), double)
    back = pickle.loads(pickle.dumps(fine))
    assert back[0].a.array[0] == 3 and back[2] is double
    assert copy.deepcopy(fine)[0].a.array is not fine[0].a.array


def test_iadd_itself_ends():
    l1 = Affine()
    seq = Sequential(l1, double)
    seq += seq
    assert list(seq) == [l1, double, l1, double]


def test_delete_a_link_that_another_sequential_also_holds():
    # Chainer found the child to remove by name, and a link held by two containers
    # carries the name the last one gave it, so it removed another child.
    kept, shared = Affine(), Affine()
    seq = Sequential(kept, shared)
    Sequential(shared, Affine())
    del seq[1]
    assert list(seq) == [kept]
    assert [link for _, link in seq.namedlinks(skipself=True)] == [kept]
