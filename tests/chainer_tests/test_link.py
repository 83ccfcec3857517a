"""chainer.Link, chainer.Chain and chainer.ChainList."""
import collections.abc
import copy
import pickle
import warnings

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import backend
from chainer.backends import cuda
from chainer.link import Chain, ChainList, Link
from chainer.link_hook import LinkHook
from chainer.sequential import Sequential


class Scale(Link):
    """y = x * W + b with W, b of shape (n,); b may be lazy."""

    def __init__(self, n=None, lazy_b=False):
        super().__init__()
        with self.init_scope():
            self.W = chainer.Parameter(numpy.arange(1, (n or 1) + 1, dtype=numpy.float32)
                                       if n else None)
            self.b = chainer.Parameter(numpy.zeros(n, numpy.float32)
                                       if n and not lazy_b else None)
        self.n = n

    @property
    def printable_specs(self):
        yield 'n', self.n

    def forward(self, x):
        if self.W.array is None:
            self.W.initialize(x.shape[1:])
            self.W.array[...] = 1
        if self.b.array is None:
            self.b.initialize(x.shape[1:])
            self.b.array[...] = 0
        return x * F.broadcast_to(self.W, x.shape) + F.broadcast_to(self.b, x.shape)


class Net(Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l2 = Scale(2)
            self.l1 = Scale(2)
            self.p = chainer.Parameter(numpy.ones((1,), numpy.float32))
        self.add_persistent('count', 0)
        self.add_persistent('buf', numpy.zeros(3, numpy.float32))

    def forward(self, x):
        return self.l2(self.l1(x))


class FakeSerializer:
    """Records every call; returns stored values when loading."""

    def __init__(self, store=None, path=''):
        self.store = {} if store is None else store
        self.path = path
        self.loading = False

    def __getitem__(self, name):
        child = FakeSerializer(self.store, self.path + name + '/')
        child.loading = self.loading
        return child

    def __call__(self, key, value):
        full = self.path + key
        if self.loading:
            loaded = self.store[full]
            if value is None:
                return loaded
            if isinstance(value, numpy.ndarray):
                value[...] = loaded
                return value
            return loaded
        self.store[full] = copy.deepcopy(value)
        return value


# -- Link basics -----------------------------------------------------------

def test_init_scope_registers_params():
    link = Scale(3)
    assert link._params == {'W', 'b'}
    assert link.W.name == 'W'
    assert not link.within_init_scope
    with link.init_scope():
        assert link.within_init_scope
    assert not link.within_init_scope


def test_param_outside_init_scope_is_not_registered():
    link = Link()
    link.p = chainer.Parameter(numpy.ones(2, numpy.float32))
    assert list(link.params()) == []


def test_init_scope_restores_flag_on_error():
    link = Link()
    with pytest.raises(RuntimeError):
        with link.init_scope():
            raise RuntimeError
    assert not link.within_init_scope


def test_params_sorted_and_namedparams():
    link = Scale(2)
    assert [p.name for p in link.params()] == ['W', 'b']
    assert [n for n, _ in link.namedparams()] == ['/W', '/b']


def test_params_include_uninit():
    link = Scale(2, lazy_b=True)
    assert [p.name for p in link.params(include_uninit=False)] == ['W']
    assert [n for n, _ in link.namedparams(include_uninit=False)] == ['/W']
    assert len(list(link.params())) == 2


def test_links_and_children_of_plain_link():
    link = Link()
    assert list(link.links()) == [link]
    assert list(link.links(skipself=True)) == []
    assert list(link.namedlinks()) == [('/', link)]
    assert list(link.children()) == []


def test_kwargs_params_deprecated_style():
    link = Link(x=(2, 3), y=((4,), numpy.float16), z=None)
    assert link.x.shape == (2, 3) and link.x.dtype == numpy.float32
    assert numpy.isnan(link.x.array).all()
    assert link.y.dtype == numpy.float16
    assert link.z.array is None
    with pytest.raises(TypeError):
        Link(x='abc')


def test_add_param():
    link = Link()
    link.add_param('w', (2,))
    assert link.w.shape == (2,) and link.w.dtype == numpy.float32
    assert numpy.isnan(link.w.array).all()
    link.add_param('h', 3, dtype=numpy.float64)
    assert link.h.dtype == numpy.float64
    link.add_param('c', (2,), initializer=5)
    numpy.testing.assert_array_equal(link.c.array, [5, 5])
    link.add_param('u')
    assert link.u.array is None
    assert {p.name for p in link.params()} == {'w', 'h', 'c', 'u'}
    with pytest.raises(AttributeError):
        link.add_param('w', (2,))


def test_add_param_of_an_integer_dtype():
    # Chainer fills it with what NaN casts to (NumPy's minimum), gradient too.
    link = Link()
    with pytest.warns(RuntimeWarning):
        link.add_param('n', 3, dtype=numpy.int32)
    low = numpy.iinfo(numpy.int32).min
    numpy.testing.assert_array_equal(link.n.array, [low] * 3)
    numpy.testing.assert_array_equal(link.n.grad, [low] * 3)


def test_add_persistent_and_register_persistent():
    link = Link()
    link.add_persistent('a', 1)
    assert link.a == 1 and 'a' in link._persistent
    with pytest.raises(AttributeError):
        link.add_persistent('a', 2)
    link.b = numpy.zeros(2)
    link.register_persistent('b')
    assert 'b' in link._persistent
    with pytest.raises(AttributeError):
        link.register_persistent('nonexistent')


def test_persistent_then_param_moves_registration():
    link = Link()
    link.add_persistent('x', 1)
    del link.x
    with link.init_scope():
        link.x = chainer.Parameter(numpy.ones(1, numpy.float32))
    assert 'x' in link._params and 'x' not in link._persistent


def test_delattr_unregisters():
    link = Scale(2)
    link.add_persistent('c', 3)
    del link.W
    del link.c
    assert link._params == {'b'}
    assert link._persistent == set()
    assert not hasattr(link, 'W')


def test_overwrite_param_with_non_param_unregisters():
    link = Scale(2)
    link.W = None
    assert [p.name for p in link.params()] == ['b']


def test_overwrite_param_with_variable_keeps_it_registered():
    # Chainer's BatchNormalization docs do `bn.gamma *= 5.0`: the Variable stays a parameter.
    link = Scale(2)
    link.W *= 2.0
    assert type(link.W) is chainer.Variable
    assert [name for name, _ in link.namedparams()] == ['/W', '/b']
    numpy.testing.assert_array_equal(link(numpy.ones((1, 2), numpy.float32)).array, [[2.0, 4.0]])
    link.enable_update()
    link.disable_update()
    assert not link.update_enabled
    with pytest.raises(TypeError, match='/W is a Variable, not a Parameter'):
        chainer.optimizers.SGD().setup(link)
    link.W = numpy.zeros(2, numpy.float32)
    assert [name for name, _ in link.namedparams()] == ['/b']


def test_count_params():
    assert Scale(3).count_params() == 6
    link = Scale(3, lazy_b=True)
    with pytest.warns(UserWarning, match="'/b' has not been initialized"):
        assert link.count_params() == 3


@pytest.mark.filterwarnings('ignore:Variable.zerograd is deprecated')
def test_cleargrads_zerograds_addgrads():
    a, b = Scale(2), Scale(2)
    for p in a.params():
        p.grad = numpy.ones(2, numpy.float32)
    for p in b.params():
        p.grad = numpy.full(2, 2, numpy.float32)
    a.addgrads(b)
    numpy.testing.assert_array_equal(a.W.grad, [3, 3])
    a.cleargrads()
    assert all(p.grad is None for p in a.params())
    with pytest.warns(DeprecationWarning, match='cleargrads'):
        a.zerograds()
    numpy.testing.assert_array_equal(a.W.grad, [0, 0])


def test_zerograds_on_lazy_param():
    link = Scale(None)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)
        link.zerograds()
    link(numpy.ones((2, 3), numpy.float32))
    numpy.testing.assert_array_equal(link.W.grad, numpy.zeros(3))


class _Rule:
    def __init__(self):
        self.enabled = True


def test_enable_disable_update():
    link = Net()
    assert not link.update_enabled  # no update rules yet
    for p in link.params():
        p.update_rule = _Rule()
    assert link.update_enabled
    link.disable_update()
    assert not link.update_enabled
    assert all(not p.update_rule.enabled for p in link.params())
    link.l1.enable_update()
    assert link.update_enabled
    assert link.l1.W.update_rule.enabled and not link.l2.W.update_rule.enabled


def test_call_dispatches_to_forward_and_backprops():
    link = Scale(2)
    x = chainer.Variable(numpy.array([[1., 2.]], numpy.float32))
    y = link(x)
    numpy.testing.assert_array_equal(y.array, [[1., 4.]])
    F.sum(y).backward()
    numpy.testing.assert_array_equal(link.W.grad, [1., 2.])
    numpy.testing.assert_array_equal(link.b.grad, [1., 1.])


def test_call_without_forward():
    with pytest.raises(AttributeError, match='forward'):
        Link()(1)


def test_call_uses_mixin_call():
    class Mixin:
        def __call__(self, x):
            return x + 1

    class M(Link, Mixin):
        pass

    assert M()(1) == 2


def test_lazy_param_initialized_in_forward():
    link = Scale(None)
    assert link.W.array is None
    link(numpy.ones((2, 3), numpy.float32))
    assert link.W.shape == (3,)
    assert link.count_params() == 6


def test_from_params_not_implemented():
    with pytest.raises(NotImplementedError):
        Link.from_params(numpy.zeros(2))


# -- copies ------------------------------------------------------------

def test_copy_share():
    net = Net()
    net.l1.W.grad = numpy.ones(2, numpy.float32)
    c = net.copy()
    assert c is not net and c.name is None
    assert c.l1 is not net.l1 and c.l1.name == 'l1'
    assert c.l1.W is not net.l1.W
    assert c.l1.W.array is net.l1.W.array
    assert c.l1.W.grad is None
    assert net.l1.W.grad is not None
    assert c.buf is net.buf
    c.add_persistent('new', 1)  # registration sets are not shared
    assert 'new' not in net._persistent


def test_copy_copy():
    net = Net()
    c = net.copy(mode='copy')
    assert c.l1.W.array is not net.l1.W.array
    numpy.testing.assert_array_equal(c.l1.W.array, net.l1.W.array)
    assert c.buf is not net.buf
    assert c.l1.name == 'l1'


def test_copy_init_reinitializes():
    link = Link()
    link.add_param('w', (3,), initializer=2.0)
    link.w.array[...] = 7
    link.add_param('u')
    c = link.copy(mode='init')
    numpy.testing.assert_array_equal(c.w.array, [2, 2, 2])
    numpy.testing.assert_array_equal(link.w.array, [7, 7, 7])
    assert c.u.array is None


def test_share_copy_of_a_lazy_link_shares_the_array_initialized_later():
    # Chainer's shallow copies of a Parameter share its array: whichever of the
    # link and its share-mode copy initializes a lazy parameter first, both hold it.
    import copy as copy_module
    x = numpy.ones((1, 2), numpy.float32)
    for first in ('original', 'copy'):
        link = chainer.links.Linear(None, 3)
        shared = link.copy()
        again = shared.copy()
        (link if first == 'original' else shared)(x)
        assert shared.W.array is link.W.array and again.W.array is link.W.array
    link = chainer.links.Linear(None, 3)
    copied = link.copy(mode='copy')
    deep = copy_module.deepcopy(link)
    link(x)
    assert copied.W.array is None and deep.W.array is None


def test_share_copy_shares_array_slots_after_initialization():
    # Chainer's share-mode copy keeps sharing: an array assigned, loaded or moved on
    # one side later is the other's as well.
    link = chainer.links.Linear(2, 3)
    shared = link.copy()
    link.W.array = numpy.ones((3, 2), numpy.float32)
    assert shared.W.array is link.W.array
    shared.b.data = numpy.full(3, 2, numpy.float32)
    assert link.b.array is shared.b.array
    link.to_device('@numpy')
    assert shared.W.array is link.W.array
    assert copy.deepcopy(link).W.array is not link.W.array


def test_copy_keeps_the_name_except_when_sharing():
    link = Link()
    link.name = 'foo'
    assert link.copy().name is None
    assert link.copy(mode='copy').name == 'foo'
    assert link.copy(mode='init').name == 'foo'


@pytest.mark.parametrize('mode', ['share', 'copy', 'init'])
def test_chainlist_copy_has_no_name_in_every_mode(mode):
    # Unlike a Link's copy, as in Chainer; the children keep theirs.
    cl = ChainList(chainer.links.Linear(2, 2))
    cl.name = 'foo'
    c = cl.copy(mode)
    assert c.name is None and c[0].name == '0'


def test_copy_bad_mode():
    with pytest.raises(ValueError, match="'mode' argument"):
        Link().copy(mode='deep')


def test_copyparams():
    a, b = Net(), Net()
    for p in b.params():
        p.array[...] = 9
    b.count = 5
    b.buf[...] = 4
    buf = a.buf
    a.copyparams(b)
    assert all((p.array == 9).all() for p in a.params())
    assert a.count == 5
    assert a.buf is buf
    numpy.testing.assert_array_equal(a.buf, [4, 4, 4])
    c = Net()
    c.copyparams(b, copy_persistent=False)
    assert c.count == 0


def test_repeat():
    link = Link()
    link.add_param('W', (2,), initializer=1.0)
    seq = link.repeat(3)
    assert isinstance(seq, Sequential) and len(seq) == 3
    assert all(layer.W.array is not link.W.array for layer in seq)
    shared = link.repeat(2, mode='share')
    assert shared[0].W.array is link.W.array
    assert len(link.repeat(0)) == 0
    with pytest.raises(ValueError):
        link.repeat(2, mode='foo')


def test_pickle_roundtrip():
    net = Net()
    net2 = pickle.loads(pickle.dumps(net))
    assert [n for n, _ in net2.namedparams()] == [n for n, _ in net.namedparams()]
    numpy.testing.assert_array_equal(net2.l1.W.array, net.l1.W.array)
    assert net2.l1.name == 'l1'


class _SlottedChain(chainer.Chain):
    __slots__ = ('extra',)

    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l1 = chainer.links.Linear(2, 3)


@pytest.mark.parametrize('set_slot', [True, False])
def test_pickle_state_without_object_getstate(set_slot):
    # Python 3.10's object has no __getstate__: a link's state is then built the
    # way Python 3.11's object.__getstate__ builds it (dict, plus set __slots__).
    from chainer import device_resident
    net = _SlottedChain()
    if set_slot:
        net.extra = 7
    state = device_resident._default_state(net)
    if hasattr(object, '__getstate__'):
        assert state == object.__getstate__(net)
    if set_slot:
        assert state == (net.__dict__, {'extra': 7})
    else:
        assert state == net.__dict__
    net2 = pickle.loads(pickle.dumps(net))
    numpy.testing.assert_array_equal(net2.l1.W.array, net.l1.W.array)
    assert getattr(net2, 'extra', None) == (7 if set_slot else None)


# -- Chain -------------------------------------------------------------

def test_chain_children_sorted_by_name():
    net = Net()
    assert [c.name for c in net.children()] == ['l1', 'l2']
    assert [n for n, _ in net.namedparams()] == ['/p', '/l1/W', '/l1/b', '/l2/W', '/l2/b']
    assert [n for n, _ in net.namedlinks()] == ['/', '/l1', '/l2']
    assert [n for n, _ in net.namedlinks(skipself=True)] == ['/l1', '/l2']
    assert list(net.links()) == [net, net.l1, net.l2]
    assert list(net.links(skipself=True)) == [net.l1, net.l2]
    assert len(list(net.params())) == 5


def test_chain_nested_names():
    outer = Chain(inner=Chain(a=Scale(1)))
    assert [n for n, _ in outer.namedlinks()] == ['/', '/inner', '/inner/a']
    assert [n for n, _ in outer.namedparams()] == ['/inner/a/W', '/inner/a/b']


def test_chain_kwargs_and_add_link_and_getitem():
    a = Scale(1)
    c = Chain(a=a)
    assert c['a'] is a and a.name == 'a'
    b = Scale(1)
    c.add_link('b', b)
    assert c['b'] is b
    with pytest.raises(AttributeError, match='attribute exists'):
        c.add_link('b', Scale(1))
    with pytest.raises(TypeError):
        c.add_link('d', 1)
    with pytest.raises(TypeError):
        Chain(x=3)


def test_chain_link_outside_init_scope_not_registered():
    c = Chain()
    c.x = Scale(1)
    assert list(c.children()) == []


def test_chain_register_existing_name_fails():
    c = Chain(a=Scale(1))
    with pytest.raises(AttributeError):
        with c.init_scope():
            c.a = Scale(1)


def test_chain_delattr_unregisters_child():
    net = Net()
    del net.l1
    assert [c.name for c in net.children()] == ['l2']


def test_chain_call():
    net = Net()
    y = net(numpy.array([[1., 1.]], numpy.float32))
    numpy.testing.assert_array_equal(y.array, [[1., 4.]])


def test_chain_serialize_roundtrip():
    net = Net()
    net.count = 3
    net.l1.W.array[...] = 5
    ser = FakeSerializer()
    net.serialize(ser)
    assert set(ser.store) == {'p', 'count', 'buf', 'l1/W', 'l1/b', 'l2/W', 'l2/b'}
    other = Net()
    ser.loading = True
    other.serialize(ser)
    assert other.count == 3
    numpy.testing.assert_array_equal(other.l1.W.array, [5, 5])


def test_serialize_initializes_lazy_params():
    link = Scale(None)
    ser = FakeSerializer({'W': numpy.array([1., 2.], numpy.float32),
                          'b': numpy.array([3., 4.], numpy.float32)})
    ser.loading = True
    link.serialize(ser)
    numpy.testing.assert_array_equal(link.W.array, [1., 2.])
    numpy.testing.assert_array_equal(link.b.array, [3., 4.])


def test_serialize_with_a_mock_serializer_initializes_lazy_params():
    # A unittest.mock serializer answers every attribute (a 'checking' one too):
    # it is still an ordinary serializer whose values are loaded.
    from unittest import mock
    link = Scale(None)
    ser = mock.MagicMock(return_value=numpy.array([1., 2.], numpy.float32))
    link.serialize(ser)
    numpy.testing.assert_array_equal(link.W.array, [1., 2.])
    numpy.testing.assert_array_equal(link.b.array, [1., 2.])


def test_chain_str_and_repr():
    assert str(Chain()) == 'Chain()'
    assert str(Scale(2)) == 'Scale(n=2)'
    assert str(Link()) == 'Link()'
    net = Net()
    assert str(net) == 'Net(\n  (l1): Scale(n=2),\n  (l2): Scale(n=2),\n)'
    nested = Chain(inner=Chain(a=Scale(1)))
    assert str(nested) == (
        'Chain(\n  (inner): Chain(\n    (a): Scale(n=1),\n  ),\n)')
    # repr is object's default, as in Chainer
    assert repr(net).startswith('<') and 'Net object at' in repr(net)


def test_str_numpy_scalars_print_as_numpy1():
    # Chainer printed specs under NumPy 1: ksize=(3, 2), not (np.int64(3), np.int64(2)).
    class Spec(Link):
        printable_specs = property(lambda self: iter([
            ('ksize', (numpy.int64(3), numpy.int64(2))), ('eps', numpy.float32(0.5))]))

    assert str(Spec()) == 'Spec(ksize=(3, 2), eps=0.5)'
    assert str(Chain(c=Spec())) == 'Chain(\n  (c): Spec(ksize=(3, 2), eps=0.5),\n)'
    # NumPy 2's own legacy modes print scalars as np.int64(3): NumPy 1 had none of them.
    if numpy.lib.NumpyVersion(numpy.__version__) >= '2.3.0':
        with numpy.printoptions(legacy='2.2'):
            assert str(Spec()) == 'Spec(ksize=(3, 2), eps=0.5)'


# -- ChainList ---------------------------------------------------------

def test_chainlist_basics():
    a, b = Scale(1), Scale(2)
    cl = ChainList(a, b)
    assert isinstance(cl, collections.abc.MutableSequence)
    assert len(cl) == 2 and cl[0] is a and cl[-1] is b and list(cl) == [a, b]
    assert cl[0:1] == [a]
    assert a.name == '0' and b.name == '1'
    assert a in cl and cl.index(b) == 1 and cl.count(a) == 1
    assert [n for n, _ in cl.namedparams()] == ['/0/W', '/0/b', '/1/W', '/1/b']
    assert [n for n, _ in cl.namedlinks()] == ['/', '/0', '/1']
    assert list(cl.links(skipself=True)) == [a, b]
    assert list(cl.children()) == [a, b]


def test_chainlist_mutation_renames():
    a, b, c = Scale(1), Scale(1), Scale(1)
    cl = ChainList(a, b)
    cl.insert(0, c)
    assert list(cl) == [c, a, b] and [x.name for x in cl] == ['0', '1', '2']
    del cl[0]
    assert [x.name for x in cl] == ['0', '1']
    cl.append(c)
    cl.add_link(Scale(1))
    assert len(cl) == 4
    assert cl.pop() is not c
    cl.remove(a)
    assert list(cl) == [b, c] and b.name == '0'
    cl.reverse()
    assert list(cl) == [c, b] and c.name == '0'
    d = Scale(1)
    cl[1] = d
    assert list(cl) == [c, d] and d.name == '1'
    cl[-1] = b
    assert b.name == '1'
    cl[0:1] = [a, d]
    assert list(cl) == [a, d, b] and [x.name for x in cl] == ['0', '1', '2']
    cl.extend([Scale(1)])
    cl += [Scale(1)]
    assert len(cl) == 5
    cl.clear()
    assert len(cl) == 0


def test_chainlist_bad_input():
    cl = ChainList()
    with pytest.raises(TypeError):
        cl.append(1)
    with pytest.raises(TypeError):
        ChainList(Scale(1), 'x')
    cl.append(Scale(1))
    with pytest.raises(TypeError):
        cl[0] = 3
    with pytest.raises(TypeError):
        cl['a'] = Scale(1)
    with pytest.raises(TypeError, match='init_scope'):
        with cl.init_scope():
            cl.x = Scale(1)


def test_chainlist_params_on_self():
    cl = ChainList(Scale(1))
    with cl.init_scope():
        cl.p = chainer.Parameter(numpy.zeros(2, numpy.float32))
    assert [n for n, _ in cl.namedparams()] == ['/p', '/0/W', '/0/b']


def test_chainlist_copy_copyparams_addgrads_serialize():
    cl = ChainList(Scale(2), Chain(x=Scale(1)))
    c = cl.copy()
    assert c[0] is not cl[0] and c[0].W.array is cl[0].W.array and c[1].name == '1'
    assert c[1].x is not cl[1].x
    d = cl.copy('copy')
    d[0].W.array[...] = 8
    cl.copyparams(d)
    numpy.testing.assert_array_equal(cl[0].W.array, [8, 8])
    for p in cl.params():
        p.grad = numpy.ones_like(p.array)
    for p in d.params():
        p.grad = numpy.ones_like(p.array)
    cl.addgrads(d)
    numpy.testing.assert_array_equal(cl[0].W.grad, [2, 2])
    ser = FakeSerializer()
    cl.serialize(ser)
    assert set(ser.store) == {'0/W', '0/b', '1/x/W', '1/x/b'}


def test_chainlist_copy_init_draws_each_child_once():
    # As in Chainer, a ChainList's copy re-initializes each child once, in order,
    # so seeded draws continue where the children's stop; its own parameters are
    # shared with the original, not drawn again.
    cl = ChainList(chainer.links.Linear(1, 2), chainer.links.Linear(1, 2))
    with cl.init_scope():
        cl.p = chainer.Parameter(chainer.initializers.Normal(1.0), (2,))
    numpy.random.seed(0)
    c = cl.copy(mode='init')
    after = numpy.random.normal()
    numpy.random.seed(0)
    draws = numpy.random.normal(size=5)
    assert c.p.array is cl.p.array
    numpy.testing.assert_allclose(c[0].W.array.ravel(), draws[:2], rtol=1e-6)
    numpy.testing.assert_allclose(c[1].W.array.ravel(), draws[2:4], rtol=1e-6)
    assert after == draws[4]


def test_chain_copy_init_draws_children_in_name_order():
    # Chainer walked a set of child names, so a seeded copy('init') drew
    # different values from one process (hash seed) to the next; rechainer
    # walks them in name order: every parameter of the hierarchy once, then
    # each child again, as Chainer's copy does.
    names = ['c%d' % i for i in range(8)]
    chain = chainer.Chain()
    with chain.init_scope():
        for name in names:
            setattr(chain, name, chainer.links.Linear(1, 2))
    numpy.random.seed(0)
    copied = chain.copy(mode='init')
    numpy.random.seed(0)
    for param in chain.params():
        param.initialize(param.shape)
    expected = {}
    for name in sorted(names):
        child = getattr(chain, name)
        child.W.initialize(child.W.shape)
        expected[name] = child.W.array.copy()
    for name in names:
        numpy.testing.assert_array_equal(getattr(copied, name).W.array, expected[name])


@pytest.mark.parametrize('mode', ['share', 'copy', 'init'])
def test_chainlist_copy_shares_its_own_parameters(mode):
    # Chainer copies only the children with ``mode``; the list's own parameters are
    # shallow copies sharing the array slot with the original's.
    cl = ChainList(chainer.links.Linear(1, 2))
    with cl.init_scope():
        cl.p = chainer.Parameter(numpy.arange(3, dtype=numpy.float32))
    c = cl.copy(mode)
    assert c.p is not cl.p and c.p.array is cl.p.array
    cl.p.array = numpy.zeros(3, numpy.float32)
    numpy.testing.assert_array_equal(c.p.array, [0, 0, 0])
    assert (c[0].W.array is cl[0].W.array) == (mode == 'share')
    cl.name = 'foo'
    assert cl.copy(mode).name is None


def test_chainlist_str():
    assert str(ChainList()) == 'ChainList()'
    cl = ChainList(Scale(1), ChainList(Scale(2)))
    assert str(cl) == ('ChainList(\n  (0): Scale(n=1),\n  (1): ChainList(\n'
                       '    (0): Scale(n=2),\n  ),\n)')


# -- devices -------------------------------------------------------------

def test_to_cpu_and_device_properties():
    net = Net()
    assert net.xp is numpy and net.device == backend.CpuDevice()
    with pytest.warns(DeprecationWarning, match=r"to_cpu is deprecated. Please use to_device"):
        assert net.to_cpu() is net
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert net.to_device('@numpy') is net
    assert isinstance(net.buf, numpy.ndarray)


def test_visitor_reaches_everything():
    visited = []

    class Visitor(chainer.device_resident.DeviceResidentsVisitor):
        def visit_device_resident(self, r):
            visited.append(('link', r.name))

        def visit_array(self, arr):
            visited.append(('array', arr.shape))
            return arr

        def visit_variable(self, v):
            visited.append(('var', v.name))

    net = Net()
    net.device_resident_accept(Visitor())
    assert visited == [('link', None), ('var', 'p'), ('array', (3,)),
                       ('link', 'l1'), ('var', 'W'), ('var', 'b'),
                       ('link', 'l2'), ('var', 'W'), ('var', 'b')]


@pytest.mark.skipif(cuda.available, reason='CuPy is installed')
def test_to_gpu_without_cupy():
    with pytest.raises(RuntimeError):
        Net().to_gpu()


@pytest.mark.gpu
def test_share_copy_moved_to_another_device_stops_sharing():
    # Chainer gives a parameter sent to another device an array of its own; its
    # shallow copies keep theirs (a lazy one stops sharing the later allocation).
    link = chainer.links.Linear(2, 3)
    lazy = chainer.links.Linear(None, 3)
    shared, lazy_shared = link.copy(), lazy.copy()
    shared.to_device('@cupy:0')
    lazy_shared.to_device('@cupy:0')
    assert isinstance(shared.W.array, cuda.ndarray)
    assert isinstance(link.W.array, numpy.ndarray)
    link.W.array = numpy.ones((3, 2), numpy.float32)
    assert isinstance(shared.W.array, cuda.ndarray)
    lazy(numpy.ones((1, 2), numpy.float32))
    assert lazy_shared.W.array is None


@pytest.mark.gpu
def test_to_gpu_and_back():
    net = Net()
    lazy = Scale(None)
    net2 = ChainList(net, lazy)
    net2.to_gpu()
    assert net.xp is cuda.cupy and lazy.xp is cuda.cupy
    assert isinstance(net.l1.W.array, cuda.ndarray)
    assert isinstance(net.buf, cuda.ndarray)
    lazy(cuda.cupy.ones((2, 3), numpy.float32))
    assert isinstance(lazy.W.array, cuda.ndarray)
    ser = FakeSerializer()
    net2.to_cpu()
    assert isinstance(net.l1.W.array, numpy.ndarray)
    assert isinstance(net.buf, numpy.ndarray)
    net2.serialize(ser)


# -- hooks -----------------------------------------------------------------

class RecordingHook(LinkHook):
    name = 'Recording'

    def __init__(self):
        self.events = []

    def added(self, link):
        self.events.append(('added', link))

    def deleted(self, link):
        self.events.append(('deleted', link))

    def forward_preprocess(self, args):
        self.events.append(('pre', args.link, args.forward_name, args.args, args.kwargs))

    def forward_postprocess(self, args):
        self.events.append(('post', args.link, args.out))


def test_local_hook():
    link = Scale(2)
    hook = RecordingHook()
    assert link.add_hook(hook) is link
    assert link.local_link_hooks['Recording'] is hook
    x = numpy.ones((1, 2), numpy.float32)
    y = link(x)
    assert hook.events[0] == ('added', link)
    assert hook.events[1][:3] == ('pre', link, 'forward') and hook.events[1][3][0] is x
    assert hook.events[2] == ('post', link, y)
    with pytest.raises(KeyError):
        link.add_hook(hook)
    link.add_hook(RecordingHook(), name='other')
    link.delete_hook('Recording')
    assert hook.events[-1] == ('deleted', link)
    assert list(link.local_link_hooks) == ['other']
    with pytest.raises(KeyError):
        link.delete_hook('Recording')
    with pytest.raises(TypeError):
        link.add_hook(object())


def test_local_hook_only_on_its_link():
    net = Net()
    hook = RecordingHook()
    net.l1.add_hook(hook)
    net(numpy.ones((1, 2), numpy.float32))
    assert [e[1] for e in hook.events if e[0] == 'pre'] == [net.l1]


@pytest.mark.parametrize('register', [
    lambda: chainer.ChainList(3), lambda: chainer.ChainList().append(None),
    lambda: chainer.ChainList().add_link('x'), lambda: chainer.ChainList().insert(0, 3),
    lambda: chainer.ChainList(chainer.Link()).__setitem__(0, 3)])
def test_chainlist_refuses_a_non_link_child_with_chainers_attribute_error(register):
    # Chainer raised AttributeError (reading the object's name); ours says what is
    # wrong and stays a TypeError too.
    with pytest.raises(AttributeError, match='non-link object') as info:
        register()
    assert isinstance(info.value, TypeError)
