import os
import sys

import numpy
import pytest

import chainer
from chainer import links as L
from chainer import serializers
from chainer import testing


class Net(chainer.Chain):

    def __init__(self, lazy=False):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(None if lazy else 3, 4)
            self.stack = chainer.ChainList(L.Linear(4, 2))
        self.add_persistent('count', 0)
        self.add_persistent('ratio', 0.0)
        self.add_persistent('label', '')
        self.add_persistent('nothing', None)
        self.add_persistent('stats', numpy.zeros(2, numpy.float32))


def _filled(net, seed=0):
    rng = numpy.random.RandomState(seed)
    for _, p in sorted(net.namedparams()):
        if p.array is not None:
            p.array[...] = rng.uniform(-1, 1, p.shape)
    net.count, net.ratio, net.label = 4, 0.5, 'héllo'
    net.stats[...] = [1, 2]
    return net


def _snapshot(net):
    return ({n: None if p.array is None else p.array.copy() for n, p in net.namedparams()},
            (net.count, net.ratio, net.label, net.nothing, net.stats.copy()))


def _assert_same(a, b):
    assert a[0].keys() == b[0].keys()
    for k in a[0]:
        if a[0][k] is None or b[0][k] is None:
            assert a[0][k] is None and b[0][k] is None
        else:
            numpy.testing.assert_array_equal(a[0][k], b[0][k], err_msg=k)
    assert a[1][:4] == b[1][:4]
    numpy.testing.assert_array_equal(a[1][4], b[1][4])


def test_missing_h5py_is_a_clear_error(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, 'h5py', None)
    path = str(tmp_path / 'x.h5')
    with pytest.raises(RuntimeError, match='pip install h5py'):
        serializers.save_hdf5(path, Net())
    with pytest.raises(RuntimeError, match='pip install h5py'):
        serializers.load_hdf5(path, Net())
    with pytest.raises(RuntimeError, match='pip install h5py'):
        serializers.HDF5Serializer(object())
    with pytest.raises(RuntimeError, match='pip install h5py'):
        serializers.HDF5Deserializer(object())
    assert not os.listdir(tmp_path)


@pytest.fixture
def h5py():
    return pytest.importorskip('h5py')


@pytest.fixture
def saved(h5py, tmp_path):
    net = _filled(Net())
    path = str(tmp_path / 'net.h5')
    serializers.save_hdf5(path, net)
    return net, path


def test_round_trip_and_layout(saved, h5py):
    src, path = saved
    with h5py.File(path, 'r') as f:
        assert set(f.keys()) == {'l1', 'stack', 'count', 'ratio', 'label', 'nothing', 'stats'}
        assert set(f['l1'].keys()) == {'W', 'b'}
        assert set(f['stack/0'].keys()) == {'W', 'b'}
        assert f['nothing'].shape is None
        numpy.testing.assert_array_equal(f['l1/W'][()], src.l1.W.array)
    dst = Net()
    serializers.load_hdf5(path, dst)
    _assert_same(_snapshot(src), _snapshot(dst))
    assert type(dst.count) is int and type(dst.label) is str
    assert os.listdir(os.path.dirname(path)) == ['net.h5']


def test_save_a_serialized_dict(h5py, tmp_path):
    # As Chainer's save_hdf5, a dict (what snapshot writers get) is written as it is.
    src = _filled(Net())
    path = str(tmp_path / 'd.h5')
    serializers.save_hdf5(path, serializers.npz.serialize(src))
    with h5py.File(path, 'r') as f:
        assert set(f.keys()) == {'l1', 'stack', 'count', 'ratio', 'label', 'nothing', 'stats'}
        assert f['nothing'].shape is None
    dst = Net()
    serializers.load_hdf5(path, dst)
    _assert_same(_snapshot(src), _snapshot(dst))


def test_testing_helper(h5py):
    src, dst = _filled(Net()), Net()
    testing.save_and_load_hdf5(src, dst)
    _assert_same(_snapshot(src), _snapshot(dst))


def test_uninitialized(saved, h5py, tmp_path):
    src, path = saved
    lazy = Net(lazy=True)
    serializers.load_hdf5(path, lazy)
    numpy.testing.assert_array_equal(lazy.l1.W.array, src.l1.W.array)
    path2 = str(tmp_path / 'lazy.h5')
    serializers.save_hdf5(path2, Net(lazy=True))
    other = Net(lazy=True)
    serializers.load_hdf5(path2, other)
    assert other.l1.W.array is None


def _without(saved, h5py, key):
    """The saved file's path with ``key`` deleted, a filled Net and its snapshot."""
    _, path = saved
    with h5py.File(path, 'r+') as f:
        del f[key]
    net = _filled(Net(), seed=5)
    return path, net, _snapshot(net)


def test_strict_and_non_strict(saved, h5py):
    path, net, before = _without(saved, h5py, 'stack/0/b')
    with pytest.raises(KeyError, match='stack/0/b') as e:
        serializers.load_hdf5(path, net)
    assert 'net.h5' in str(e.value)
    _assert_same(before, _snapshot(net))
    with h5py.File(path, 'r') as f:
        serializers.HDF5Deserializer(f, strict=False).load(net)
    numpy.testing.assert_array_equal(net.stack[0].b.array, before[0]['/stack/0/b'])
    assert net.count == 4


def test_missing_group_is_key_and_value_error(saved, h5py):
    # Chainer raised ValueError for a group the file lacks (KeyError for a missing dataset).
    path, net, before = _without(saved, h5py, 'stack')
    for error in (KeyError, ValueError):
        with pytest.raises(error, match=r"'stack/0/W' is not in .*no group 'stack/0'"):
            serializers.load_hdf5(path, net)
    _assert_same(before, _snapshot(net))


def test_missing_group_non_strict(h5py, tmp_path):
    path = str(tmp_path / 'empty.h5')
    with h5py.File(path, 'w'):
        pass
    net = _filled(Net())
    before = _snapshot(net)
    with h5py.File(path, 'r') as f:
        serializers.HDF5Deserializer(f, strict=False).load(net)
    _assert_same(before, _snapshot(net))


def test_shape_mismatch(saved, h5py):
    _, path = saved
    with h5py.File(path, 'r+') as f:
        del f['stack/0/W']
        f['stack/0/W'] = numpy.zeros((5, 5), numpy.float32)
    net = _filled(Net(), seed=5)
    before = _snapshot(net)
    with pytest.raises(ValueError) as e:
        serializers.load_hdf5(path, net)
    msg = str(e.value)
    assert 'stack/0/W' in msg and '(5, 5)' in msg and '(2, 4)' in msg
    _assert_same(before, _snapshot(net))


def test_missing_file(h5py, tmp_path):
    with pytest.raises(FileNotFoundError, match='nope.h5'):
        serializers.load_hdf5(str(tmp_path / 'nope.h5'), Net())


@pytest.mark.parametrize('kind', ['text', 'truncated'])
def test_bad_files(saved, h5py, kind):
    _, path = saved
    if kind == 'text':
        with open(path, 'wb') as f:
            f.write(b'not hdf5')
    else:
        data = open(path, 'rb').read()
        with open(path, 'wb') as f:
            f.write(data[:len(data) // 2])
    net = _filled(Net(), seed=5)
    before = _snapshot(net)
    with pytest.raises(ValueError, match='net.h5'):
        serializers.load_hdf5(path, net)
    _assert_same(before, _snapshot(net))


def test_unreadable_dataset_is_value_and_os_error(h5py, tmp_path):
    # A file that opens but whose compressed chunk is garbage: h5py raises
    # OSError on the read, as it did under Chainer.
    path = str(tmp_path / 'net.h5')
    net = L.Linear(32, 32)
    serializers.save_hdf5(path, net, compression=4)
    with h5py.File(path, 'r') as f:
        info = f['W'].id.get_chunk_info(0)
    with open(path, 'r+b') as f:
        f.seek(info.byte_offset)
        f.write(b'\xff' * info.size)
    target = L.Linear(32, 32)
    before = target.W.array.copy()
    with pytest.raises(OSError, match="net.h5.*'W'") as e:
        serializers.load_hdf5(path, target)
    assert isinstance(e.value, ValueError)
    numpy.testing.assert_array_equal(target.W.array, before)


def test_crash_during_save_keeps_old_file(saved, h5py):
    _, path = saved
    old = open(path, 'rb').read()

    class Broken:
        def serialize(self, s):
            s('a', numpy.ones(3))
            raise RuntimeError('boom')

    with pytest.raises(RuntimeError, match='boom'):
        serializers.save_hdf5(path, Broken())
    assert open(path, 'rb').read() == old
    assert os.listdir(os.path.dirname(path)) == ['net.h5']


def test_optimizer_round_trip(h5py, tmp_path):
    optimizers = pytest.importorskip('chainer.optimizers')
    net = Net()
    opt = optimizers.MomentumSGD()
    opt.setup(net)
    x = numpy.ones((1, 3), numpy.float32)
    opt.update(lambda: chainer.functions.sum(net.stack[0](net.l1(x))))
    path = str(tmp_path / 'opt.h5')
    serializers.save_hdf5(path, opt)
    net2 = Net()
    opt2 = optimizers.MomentumSGD()
    opt2.setup(net2)
    serializers.load_hdf5(path, opt2)
    assert opt2.t == 1
    numpy.testing.assert_array_equal(net2.l1.W.update_rule.state['v'],
                                     net.l1.W.update_rule.state['v'])
