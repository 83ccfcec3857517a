import io
import os
import pickle
import stat
import sys
import zipfile
import zlib

import numpy
import pytest

import chainer
from chainer import links as L
from chainer import serializers
from chainer import testing
from chainer.serializers import _pickle_none
from chainer.serializers import npz as npz_module
from tests.chainer_tests._threads import run_in_threads


class Block(chainer.Chain):

    def __init__(self, n_in=3, n_out=4, lazy=False):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(None if lazy else n_in, n_out)
            self.l2 = L.Linear(n_out, 2)
        self.add_persistent('count', 0)
        self.add_persistent('ratio', 0.5)
        self.add_persistent('flag', False)
        self.add_persistent('stats', numpy.zeros(3, dtype=numpy.float32))
        self.add_persistent('nothing', None)
        self.add_persistent('label', 'none')

    def forward(self, x):
        return self.l2(self.l1(x))


class Model(chainer.Chain):

    def __init__(self, lazy=False):
        super().__init__()
        with self.init_scope():
            self.block = Block(lazy=lazy)
            self.stack = chainer.ChainList(L.Linear(2, 2), L.Linear(2, 3))

    def forward(self, x):
        h = self.block(x)
        for link in self.stack:
            h = link(h)
        return h


EXPECTED_KEYS = {
    'block/l1/W', 'block/l1/b', 'block/l2/W', 'block/l2/b',
    'block/count', 'block/ratio', 'block/flag', 'block/stats', 'block/nothing',
    'block/label',
    'stack/0/W', 'stack/0/b', 'stack/1/W', 'stack/1/b',
}


def _filled(model, seed=0):
    rng = numpy.random.RandomState(seed)
    for _, param in sorted(model.namedparams()):
        if param.array is not None:
            param.array[...] = rng.uniform(-1, 1, param.shape)
    model.block.count = 5
    model.block.ratio = 0.25
    model.block.flag = True
    model.block.stats[...] = [1, 2, 3]
    model.block.label = 'trained'
    return model


def _state(model):
    params = {name: None if p.array is None else p.array.copy()
              for name, p in model.namedparams()}
    b = model.block
    return params, (b.count, b.ratio, b.flag, b.stats.copy(), b.nothing, b.label)


def _assert_same_state(a, b):
    pa, sa = a
    pb, sb = b
    assert pa.keys() == pb.keys()
    for k in pa:
        if pa[k] is None or pb[k] is None:
            assert pa[k] is None and pb[k] is None, k
        else:
            numpy.testing.assert_array_equal(pa[k], pb[k], err_msg=k)
    assert sa[:3] == sb[:3]
    numpy.testing.assert_array_equal(sa[3], sb[3])
    assert sa[4:] == sb[4:]


def _saved_arrays(path):
    with numpy.load(path, allow_pickle=True) as f:  # our file: Chainer's pickled None
        return dict(f)


def _failed_load(path, exc, match=None):
    """Loads ``path`` into a trained model, expecting ``exc``; asserts that the model
    is unchanged and returns the exception."""
    model = _filled(Model(), seed=3)
    before = _state(model)
    with pytest.raises(exc, match=match) as info:
        serializers.load_npz(path, model)
    _assert_same_state(before, _state(model))
    return info.value


@pytest.fixture
def saved(tmp_path):
    model = _filled(Model())
    path = str(tmp_path / 'model.npz')
    serializers.save_npz(path, model)
    return model, path


# -- round trips ---------------------------------------------------------------

@pytest.mark.parametrize('compression', [True, False])
def test_round_trip(tmp_path, compression):
    src = _filled(Model())
    path = tmp_path / 'm.npz'
    serializers.save_npz(path, src, compression=compression)
    with numpy.load(path, allow_pickle=False) as f:
        assert set(f.files) == EXPECTED_KEYS
        numpy.testing.assert_array_equal(f['block/l1/W'], src.block.l1.W.array)
        numpy.testing.assert_array_equal(f['stack/1/b'], src.stack[1].b.array)
        info = zipfile.ZipFile(path).getinfo('block/l1/W.npy')
        assert info.compress_type == (zipfile.ZIP_DEFLATED if compression
                                      else zipfile.ZIP_STORED)
    dst = Model()
    serializers.load_npz(path, dst)
    _assert_same_state(_state(src), _state(dst))
    # Scalar persistents keep their Python types.
    assert type(dst.block.count) is int and dst.block.count == 5
    assert type(dst.block.ratio) is float
    assert dst.block.flag is True
    assert dst.block.label == 'trained' and type(dst.block.label) is str
    assert dst.block.nothing is None
    assert not [n for n in os.listdir(tmp_path) if n != 'm.npz']


def test_save_a_serialized_dict(tmp_path):
    # As Chainer's save_npz, a dict (what snapshot writers get) is written as it is.
    src = _filled(Model())
    path = tmp_path / 'd.npz'
    serializers.save_npz(path, serializers.npz.serialize(src))
    with numpy.load(path, allow_pickle=False) as f:
        assert set(f.files) == EXPECTED_KEYS
    dst = Model()
    serializers.load_npz(path, dst)
    _assert_same_state(_state(src), _state(dst))
    serializers.save_npz(path, {'a/b': numpy.arange(3), 'n': 7, 'none': None})
    with numpy.load(path, allow_pickle=False) as f:
        assert sorted(f.files) == ['a/b', 'n', 'none']
        assert f['n'] == 7
    with pytest.raises(TypeError):
        serializers.save_npz(path, {'o': object()})


def test_testing_helper_round_trip():
    src = _filled(Model())
    dst = Model()
    testing.save_and_load_npz(src, dst)
    _assert_same_state(_state(src), _state(dst))


def test_file_objects():
    src = _filled(Model())
    buf = io.BytesIO()
    serializers.save_npz(buf, src)
    buf.seek(0)
    dst = Model()
    serializers.load_npz(buf, dst)
    _assert_same_state(_state(src), _state(dst))


def test_uninitialized_params_get_initialized(saved):
    src, path = saved
    dst = Model(lazy=True)
    assert dst.block.l1.W.array is None
    serializers.load_npz(path, dst)
    assert dst.block.l1.W.shape == (4, 3)
    assert dst.block.l1.W.dtype == numpy.float32
    numpy.testing.assert_array_equal(dst.block.l1.W.array, src.block.l1.W.array)
    # The loaded parameter owns its array.
    src.block.l1.W.array[...] = 0
    assert dst.block.l1.W.array.any()


def test_saving_uninitialized_params(tmp_path):
    src = Model(lazy=True)
    path = tmp_path / 'lazy.npz'
    serializers.save_npz(path, src)
    with zipfile.ZipFile(path) as z:
        member = z.read('block/l1/W.npy')
    # Chainer's bytes for None (a pickled 0-d object array), which Chainer loads
    # and our reader recognises without unpickling
    assert member == npz_module._CHAINER_NONE_NPY
    assert member.startswith(b"\x93NUMPY\x01\x00v\x00{'descr': '|O'")
    assert _pickle_none.is_pickled_none_array(member[128:])
    with numpy.load(path, allow_pickle=False) as f, pytest.raises(ValueError):
        f['block/l1/W']  # noqa: B018  (NumPy itself refuses to unpickle it)
    lazy = Model(lazy=True)
    serializers.load_npz(path, lazy)
    assert lazy.block.l1.W.array is None
    # An initialized target keeps its values for a stored None (as Chainer).
    init = _filled(Model())
    before = init.block.l1.W.array.copy()
    serializers.load_npz(path, init)
    numpy.testing.assert_array_equal(init.block.l1.W.array, before)


def test_dtype_casting(tmp_path):
    path = tmp_path / 'f64.npz'
    w = numpy.arange(12, dtype=numpy.float64).reshape(4, 3)
    numpy.savez(path, W=w, b=numpy.zeros(4))
    link = L.Linear(3, 4)
    serializers.load_npz(path, link)
    assert link.W.dtype == numpy.float32
    numpy.testing.assert_array_equal(link.W.array, w.astype(numpy.float32))


def test_scalar_types(tmp_path):
    class Obj:
        def __init__(self):
            self.i, self.f, self.b = 0, 0.0, False
            self.f32, self.i64, self.s = numpy.float32(0), numpy.int64(0), ''

        def serialize(self, s):
            for name in ('i', 'f', 'b', 'f32', 'i64', 's'):
                setattr(self, name, s(name, getattr(self, name)))

    src = Obj()
    src.i, src.f, src.b = 3, 1.5, True
    src.f32, src.i64, src.s = numpy.float32(2.5), numpy.int64(-7), 'héllo'
    path = tmp_path / 's.npz'
    serializers.save_npz(path, src)
    dst = Obj()
    serializers.load_npz(path, dst)
    assert (dst.i, dst.f, dst.b, dst.s) == (3, 1.5, True, 'héllo')
    assert type(dst.i) is int and type(dst.f) is float and type(dst.b) is bool
    assert type(dst.f32) is numpy.float32 and dst.f32 == 2.5
    assert type(dst.i64) is numpy.int64 and dst.i64 == -7


def test_float_into_int_scalar_is_type_error(tmp_path):
    path = tmp_path / 'f.npz'
    numpy.savez(path, count=numpy.asarray(1.5))

    class Obj:
        count = 0

        def serialize(self, s):
            self.count = s('count', self.count)

    with pytest.raises(TypeError, match='count'):
        serializers.load_npz(path, Obj())


def test_reporter_summaries(tmp_path):
    summary = chainer.reporter.DictSummary()
    summary.add({'loss': 1.0, 'acc': numpy.float32(0.5)})
    summary.add({'loss': 3.0, 'acc': numpy.float32(1.0)})
    path = tmp_path / 'summary.npz'
    serializers.save_npz(path, summary)
    loaded = chainer.reporter.DictSummary()
    loaded.add({'other': 1.0})
    serializers.load_npz(path, loaded)
    mean = loaded.compute_mean()
    assert set(mean) == {'loss', 'acc'}
    assert float(mean['loss']) == 2.0
    assert float(mean['acc']) == 0.75


def test_optimizer_round_trip(tmp_path):
    optimizers = pytest.importorskip('chainer.optimizers')
    model = Model()
    opt = optimizers.Adam()
    opt.setup(model)
    x = numpy.ones((2, 3), numpy.float32)
    opt.update(lambda: chainer.functions.sum(model(x)))
    opt.update(lambda: chainer.functions.sum(model(x)))
    path = tmp_path / 'opt.npz'
    serializers.save_npz(path, opt)
    with numpy.load(path, allow_pickle=False) as f:
        assert {'t', 'epoch', 'block/l1/W/t', 'block/l1/W/m', 'block/l1/W/v'} <= set(f.files)
    model2 = Model()
    opt2 = optimizers.Adam()
    opt2.setup(model2)
    serializers.load_npz(path, opt2)
    assert opt2.t == 2
    rule, rule2 = model.block.l1.W.update_rule, model2.block.l1.W.update_rule
    assert rule2.t == 2
    numpy.testing.assert_array_equal(rule2.state['m'], rule.state['m'])
    numpy.testing.assert_array_equal(rule2.state['v'], rule.state['v'])


# -- strict, ignore_names, path ------------------------------------------------

def test_missing_key_strict(tmp_path):
    path = str(tmp_path / 'partial.npz')
    numpy.savez(path, W=numpy.zeros((4, 3), numpy.float32))
    link = L.Linear(3, 4)
    before = link.W.array.copy()
    with pytest.raises(KeyError) as e:
        serializers.load_npz(path, link)
    assert "'b'" in str(e.value) and 'partial.npz' in str(e.value)
    numpy.testing.assert_array_equal(link.W.array, before)


def test_missing_key_non_strict(tmp_path):
    path = str(tmp_path / 'partial.npz')
    w = numpy.ones((4, 3), numpy.float32)
    numpy.savez(path, W=w)
    link = L.Linear(3, 4)
    b = link.b.array.copy()
    serializers.load_npz(path, link, strict=False)
    numpy.testing.assert_array_equal(link.W.array, w)
    numpy.testing.assert_array_equal(link.b.array, b)


@pytest.mark.parametrize('ignore', [
    'block/l1/W',
    ['block/l1/W'],
    ('block/l1/W', 'nonexistent'),
    lambda key: key.endswith('l1/W'),
    [lambda key: False, lambda key: key == 'block/l1/W'],
])
def test_ignore_names(saved, ignore):
    src, path = saved
    dst = Model()
    w = dst.block.l1.W.array.copy()
    serializers.load_npz(path, dst, ignore_names=ignore)
    numpy.testing.assert_array_equal(dst.block.l1.W.array, w)
    numpy.testing.assert_array_equal(dst.block.l1.b.array, src.block.l1.b.array)


def test_ignore_names_skips_missing_keys(tmp_path):
    path = tmp_path / 'w.npz'
    numpy.savez(path, W=numpy.ones((4, 3)))
    link = L.Linear(3, 4)
    serializers.load_npz(path, link, ignore_names='b')
    assert (link.W.array == 1).all()


@pytest.mark.parametrize('bad', [1, [None], ['ok', 3.5]])
def test_ignore_names_invalid(saved, bad):
    _, path = saved
    with pytest.raises(ValueError, match='ignore_names'):
        serializers.load_npz(path, Model(), ignore_names=bad)


def test_path(saved, tmp_path):
    src, _ = saved
    wrapper = chainer.Chain()
    with wrapper.init_scope():
        wrapper.predictor = src
    path = tmp_path / 'wrapped.npz'
    serializers.save_npz(path, wrapper)
    dst = Model()
    serializers.load_npz(path, dst, path='predictor/')
    _assert_same_state(_state(src), _state(dst))
    with pytest.raises(KeyError, match='predictor/nope/block'):
        serializers.load_npz(path, Model(), path='predictor/nope/')


def test_chainer_layout_written_by_hand(tmp_path):
    rng = numpy.random.RandomState(1)
    w1 = rng.randn(5, 3).astype(numpy.float32)
    b1 = rng.randn(5).astype(numpy.float32)
    w2 = rng.randn(2, 5).astype(numpy.float32)
    b2 = rng.randn(2).astype(numpy.float32)
    path = tmp_path / 'chainer.npz'
    numpy.savez(path, **{'predictor/l1/W': w1, 'predictor/l1/b': b1,
                         'predictor/l2/W': w2, 'predictor/l2/b': b2})

    class MLP(chainer.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.l1 = L.Linear(None, 5)
                self.l2 = L.Linear(None, 2)

        def forward(self, x):
            return self.l2(chainer.functions.relu(self.l1(x)))

    model = L.Classifier(MLP())
    serializers.load_npz(path, model)
    numpy.testing.assert_array_equal(model.predictor.l1.W.array, w1)
    numpy.testing.assert_array_equal(model.predictor.l2.b.array, b2)
    mlp = MLP()
    serializers.load_npz(path, mlp, path='predictor/')
    numpy.testing.assert_array_equal(mlp.l2.W.array, w2)


def test_dictionary_serializer_and_npz_deserializer():
    src = _filled(Model())
    target = {}
    s = serializers.DictionarySerializer(target)
    s.save(src)
    assert set(target) == EXPECTED_KEYS
    assert all(isinstance(v, numpy.ndarray) for v in target.values())
    assert target['block/count'].shape == () and target['block/label'] == 'trained'
    sub = serializers.DictionarySerializer()['a/']['b']
    assert sub.path == 'a/b/'
    dst = Model()
    serializers.NpzDeserializer(target).load(dst)
    _assert_same_state(_state(src), _state(dst))
    # Loaded arrays for None targets are not shared with the dictionary.
    lazy = Model(lazy=True)
    serializers.NpzDeserializer(target).load(lazy)
    lazy.block.l1.W.array[...] = 0
    assert target['block/l1/W'].any()


def test_dictionary_serializer_rejects_objects():
    s = serializers.DictionarySerializer()
    with pytest.raises(TypeError, match='odd'):
        s('odd', {'a': 1})
    with pytest.raises(TypeError, match='big'):
        s('big', 2 ** 80)


def test_npz_deserializer_on_npzfile(saved):
    src, path = saved
    dst = Model()
    with numpy.load(path) as f:
        serializers.NpzDeserializer(f, path='block/').load(dst.block)
        dst.stack.serialize(serializers.NpzDeserializer(f)['stack'])
    _assert_same_state(_state(src), _state(dst))


def test_npz_deserializer_returns_value_for_missing_non_strict():
    d = serializers.NpzDeserializer({'a': numpy.ones(2)}, strict=False)
    marker = object()
    assert d('b', marker) is marker
    assert d['x']('a', 3) == 3


# -- Chainer's pickled None, never unpickled -------------------------------------

def _chainer_none_npy(protocol, module):
    data = pickle.dumps(numpy.asarray(None), protocol=protocol)
    for name in (b'numpy._core.multiarray', b'numpy.core.multiarray'):
        if protocol < 4:
            data = data.replace(name, module)
    buf = io.BytesIO()
    numpy.lib.format.write_array_header_1_0(
        buf, {'descr': '|O', 'fortran_order': False, 'shape': ()})
    return buf.getvalue() + data


def _write_zip(path, members):
    with zipfile.ZipFile(path, 'w') as zf:
        for name, data in members.items():
            zf.writestr(name, data)


def _npy_bytes(array):
    buf = io.BytesIO()
    numpy.lib.format.write_array(buf, array)
    return buf.getvalue()


@pytest.fixture
def no_unpickling(monkeypatch):
    def refuse(*args, **kwargs):
        raise AssertionError('unpickling attempted')
    monkeypatch.setattr(pickle, 'load', refuse)
    monkeypatch.setattr(pickle, 'loads', refuse)
    monkeypatch.setattr(pickle, 'Unpickler', refuse)


def test_chainer_written_none_numpy2(tmp_path, no_unpickling):
    path = tmp_path / 'chainer_none.npz'
    # numpy.savez pickles the object array, as Chainer did.
    with open(path, 'wb') as f:
        numpy.savez(f, W=numpy.ones((4, 3), numpy.float32), b=numpy.asarray(None))
    link = L.Linear(3, 4)
    b = link.b.array.copy()
    serializers.load_npz(path, link)
    assert (link.W.array == 1).all()
    numpy.testing.assert_array_equal(link.b.array, b)


@pytest.mark.parametrize('protocol', [3, 4])
@pytest.mark.parametrize('module', [b'numpy.core.multiarray', b'numpy._core.multiarray'])
def test_chainer_written_none_variants(tmp_path, no_unpickling, protocol, module):
    path = tmp_path / 'n.npz'
    _write_zip(path, {'W.npy': _npy_bytes(numpy.ones((4, 3), numpy.float32)),
                      'b.npy': _chainer_none_npy(protocol, module)})
    link = L.Linear(None, 4)
    serializers.load_npz(path, link)
    assert link.W.shape == (4, 3)
    d = serializers.NpzDeserializer(numpy.load(path))
    assert d('b', numpy.zeros(4)) is None


class _Evil:
    def __reduce__(self):
        return (os.system, ('echo pwned',))


@pytest.mark.parametrize('value', [
    numpy.asarray(_Evil()),
    numpy.array([None, None], dtype=object),
    numpy.asarray({'a': 1}),
])
def test_object_arrays_refused(tmp_path, no_unpickling, value):
    path = tmp_path / 'obj.npz'
    buf = io.BytesIO()
    numpy.lib.format.write_array(buf, value, allow_pickle=True)
    _write_zip(path, {'W.npy': _npy_bytes(numpy.ones((4, 3), numpy.float32)),
                      'b.npy': buf.getvalue()})
    link = L.Linear(3, 4)
    before = link.W.array.copy()
    with pytest.raises(ValueError, match=r"'b'.*object"):
        serializers.load_npz(path, link)
    with pytest.raises(TypeError):  # Chainer's failed cast of an object array
        serializers.load_npz(path, link)
    numpy.testing.assert_array_equal(link.W.array, before)
    # An ignored object array does not matter.
    serializers.load_npz(path, link, ignore_names='b')
    assert (link.W.array == 1).all()


def test_pickled_none_recognizer_rejects_lookalikes():
    good = pickle.dumps(numpy.asarray(None), protocol=4)
    assert _pickle_none.is_pickled_none_array(good)
    assert not _pickle_none.is_pickled_none_array(pickle.dumps(numpy.asarray(0, dtype=object)))
    assert not _pickle_none.is_pickled_none_array(pickle.dumps(numpy.asarray(_Evil())))
    assert not _pickle_none.is_pickled_none_array(pickle.dumps(None))
    assert not _pickle_none.is_pickled_none_array(good[:-5])
    assert not _pickle_none.is_pickled_none_array(b'garbage')


def test_saved_files_hold_no_pickles_but_chainers_none(tmp_path):
    path = tmp_path / 'm.npz'
    serializers.save_npz(path, Model(lazy=True))
    with zipfile.ZipFile(path) as z:
        members = {name: z.read(name) for name in z.namelist()}
    for name, member in members.items():
        if member == npz_module._CHAINER_NONE_NPY:
            continue
        assert not numpy.load(io.BytesIO(member), allow_pickle=False).dtype.hasobject, name
    assert any(m == npz_module._CHAINER_NONE_NPY for m in members.values())


# -- bad files -------------------------------------------------------------------

def test_missing_file(tmp_path):
    path = str(tmp_path / 'nope.npz')
    with pytest.raises(FileNotFoundError, match='nope.npz'):
        serializers.load_npz(path, Model())


@pytest.mark.parametrize('content, pattern', [
    (b'', 'empty'),
    (b'this is not a zip file at all', 'not an NPZ'),
    (None, 'single .npy'),
])
def test_not_npz(tmp_path, content, pattern):
    path = tmp_path / 'bad.npz'
    if content is None:
        numpy.save(open(path, 'wb'), numpy.ones(3))
    else:
        path.write_bytes(content)
    model = _filled(Model())
    before = _state(model)
    with pytest.raises(ValueError, match=pattern) as e:
        serializers.load_npz(str(path), model)
    assert 'bad.npz' in str(e.value)
    _assert_same_state(before, _state(model))


@pytest.mark.parametrize('cut', [0.3, 0.6, 0.95])
def test_truncated(saved, cut):
    _, path = saved
    data = open(path, 'rb').read()
    with open(path, 'wb') as f:
        f.write(data[:int(len(data) * cut)])
    _failed_load(path, ValueError, 'model.npz')


@pytest.mark.parametrize('compression', [True, False])
def test_corrupt_member(tmp_path, compression):
    path = tmp_path / 'c.npz'
    serializers.save_npz(path, _filled(Model()), compression=compression)
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo('stack/1/W.npy')
    # Flip bytes in the member's data (past its local header).
    offset = info.header_offset + 30 + len(info.filename) + 20 + info.compress_size // 2
    for i in range(offset, offset + 4):
        data[i] ^= 0xFF
    path.write_bytes(bytes(data))
    error = _failed_load(path, ValueError, 'c.npz')
    # Under Chainer zlib failed to inflate the compressed member (zlib.error),
    # and zipfile's CRC check failed on the stored one (BadZipFile).
    assert isinstance(error, zlib.error if compression else zipfile.BadZipFile)


def test_shape_mismatch_leaves_target_unchanged(saved, tmp_path):
    _, path = saved
    arrays = _saved_arrays(path)
    # The bad key is the last one visited, so everything before it was checked.
    arrays['stack/1/b'] = numpy.zeros(7, numpy.float32)
    bad = tmp_path / 'shape.npz'
    numpy.savez(bad, **arrays)
    msg = str(_failed_load(bad, ValueError))
    assert 'stack/1/b' in msg and '(7,)' in msg and '(3,)' in msg and 'shape.npz' in msg


def test_missing_last_key_leaves_target_unchanged(saved, tmp_path):
    _, path = saved
    arrays = _saved_arrays(path)
    del arrays['stack/1/b']
    bad = tmp_path / 'missing.npz'
    numpy.savez(bad, **arrays)
    _failed_load(bad, KeyError, 'stack/1/b')


def test_uncastable_dtype(saved, tmp_path):
    _, path = saved
    arrays = _saved_arrays(path)
    arrays['block/l1/W'] = arrays['block/l1/W'].astype(numpy.complex64)
    bad = tmp_path / 'dtype.npz'
    numpy.savez(bad, **arrays)
    _failed_load(bad, TypeError, 'block/l1/W')


def test_lazy_target_unchanged_after_failed_load(saved, tmp_path):
    _, path = saved
    arrays = _saved_arrays(path)
    del arrays['stack/1/W']
    bad = tmp_path / 'missing.npz'
    numpy.savez(bad, **arrays)
    model = Model(lazy=True)
    with pytest.raises(KeyError):
        serializers.load_npz(bad, model)
    assert model.block.l1.W.array is None


# -- crash safety ------------------------------------------------------------------

def _other_files(directory, keep):
    return sorted(n for n in os.listdir(directory) if n != keep)


def test_crash_while_writing_keeps_old_file(saved, monkeypatch):
    _, path = saved
    directory, name = os.path.split(path)
    old = open(path, 'rb').read()
    real_write = numpy.lib.format.write_array
    calls = []

    def failing_write(fp, array, *args, **kwargs):
        calls.append(1)
        if len(calls) == 3:
            raise OSError('disk full')
        return real_write(fp, array, *args, **kwargs)

    monkeypatch.setattr(numpy.lib.format, 'write_array', failing_write)
    with pytest.raises(OSError, match='disk full'):
        serializers.save_npz(path, _filled(Model(), seed=9))
    assert open(path, 'rb').read() == old
    assert _other_files(directory, name) == []


def test_crash_while_serializing_keeps_old_file(saved):
    _, path = saved
    directory, name = os.path.split(path)
    old = open(path, 'rb').read()

    class Broken:
        def serialize(self, s):
            s('a', numpy.ones(3))
            raise RuntimeError('boom')

    with pytest.raises(RuntimeError, match='boom'):
        serializers.save_npz(path, Broken())
    assert open(path, 'rb').read() == old
    assert _other_files(directory, name) == []


def test_keyboard_interrupt_cleans_up(tmp_path, monkeypatch):
    path = str(tmp_path / 'new.npz')

    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(numpy.lib.format, 'write_array', interrupt)
    with pytest.raises(KeyboardInterrupt):
        serializers.save_npz(path, Model())
    assert os.listdir(tmp_path) == []


def test_save_into_missing_directory(tmp_path):
    path = str(tmp_path / 'no' / 'such' / 'm.npz')
    with pytest.raises(FileNotFoundError):
        serializers.save_npz(path, Model())


@pytest.mark.skipif(sys.platform == 'win32', reason='POSIX permissions and links')
def test_overwrite_keeps_mode_and_symlink(saved, tmp_path):
    _, path = saved
    os.chmod(path, 0o640)
    link = tmp_path / 'link.npz'
    os.symlink(path, link)
    src = _filled(Model(), seed=4)
    serializers.save_npz(str(link), src)
    assert os.path.islink(link)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o640
    dst = Model()
    serializers.load_npz(path, dst)
    _assert_same_state(_state(src), _state(dst))


# -- GPU ---------------------------------------------------------------------------

@pytest.mark.gpu
def test_gpu_round_trip(tmp_path):
    cupy = pytest.importorskip('cupy')
    src = _filled(Model())
    src.to_device('@cupy:0')
    path = tmp_path / 'gpu.npz'
    serializers.save_npz(path, src)
    dst = Model()
    dst.to_device('@cupy:0')
    serializers.load_npz(path, dst)
    assert isinstance(dst.block.l1.W.array, cupy.ndarray)
    cupy.testing.assert_array_equal(dst.block.l1.W.array, src.block.l1.W.array)
    lazy = Model(lazy=True)
    lazy.to_device('@cupy:0')
    serializers.load_npz(path, lazy)
    assert isinstance(lazy.block.l1.W.array, cupy.ndarray)
    cupy.testing.assert_array_equal(lazy.block.l1.W.array, src.block.l1.W.array)


def test_warnings_from_load_are_issued_once(tmp_path):
    path = tmp_path / 'empty.npz'
    serializers.save_npz(path, chainer.reporter.Summary())
    with numpy.load(path) as f:
        assert set(f.files) == {'_x', '_x2', '_n'}
    numpy.savez(path, other=numpy.zeros(1))
    with pytest.warns(UserWarning) as record:
        serializers.load_npz(path, chainer.reporter.Summary())
    assert len(record) == 1


def test_log_report_round_trip(tmp_path):
    extensions = pytest.importorskip('chainer.training.extensions')
    report = extensions.LogReport()
    report._log = [{'epoch': 1, 'main/loss': 0.5}]
    path = tmp_path / 'log.npz'
    serializers.save_npz(path, report)
    loaded = extensions.LogReport()
    serializers.load_npz(path, loaded)
    assert loaded._log == [{'epoch': 1, 'main/loss': 0.5}]


def test_files_with_rechainers_old_none_marker_still_load(tmp_path):
    path = tmp_path / 'old.npz'
    numpy.savez(path, p=numpy.empty((0,), dtype=npz_module.NONE_MARKER_DTYPE))
    link = chainer.Link()
    link.add_persistent('p', 3)
    serializers.load_npz(path, link)
    assert link.p is None


@pytest.mark.parametrize('stored, target, expected', [
    (numpy.array([1, 2], numpy.int32), numpy.int64(0), numpy.array([1, 2], numpy.int64)),
    (numpy.zeros((2, 0), numpy.int64), numpy.float64(0), numpy.zeros((2, 0))),
    (numpy.array([3], numpy.int16), numpy.int64(0), numpy.array([3], numpy.int64)),
    # float64 is a Python float too: one element gives a scalar, as in Chainer
    (numpy.array([1.5]), numpy.float64(0), numpy.float64(1.5)),
    (numpy.array(3, numpy.int16), numpy.float32(0), numpy.float32(3)),
])
def test_numpy_scalar_persistent_takes_a_stored_array(stored, target, expected, tmp_path):
    # Chainer converted with ``type(value)(array)``: a NumPy scalar type gives an
    # array for an array that is not 0-d.
    link = chainer.Link()
    link.add_persistent('p', target)
    path = str(tmp_path / 'p.npz')
    numpy.savez(path, p=stored)
    serializers.load_npz(path, link)
    assert type(link.p) is type(expected)
    assert link.p.dtype == expected.dtype
    numpy.testing.assert_array_equal(link.p, expected)


def test_numpy_scalar_persistent_refuses_an_unsafe_array_cast(tmp_path):
    link = chainer.Link()
    link.add_persistent('p', numpy.int64(0))
    path = str(tmp_path / 'p.npz')
    numpy.savez(path, p=numpy.array([1.5, 2.0]))
    with pytest.raises(TypeError):
        serializers.load_npz(path, link)
    assert type(link.p) is numpy.int64


@pytest.mark.parametrize('stored, target', [
    (numpy.array(1.5), [0]),  # list(0-d array)
    (numpy.array(2), (0,)),
    (numpy.array('abc'), 0j),
])
def test_conversion_error_is_also_chainers_type_error(stored, target):
    # Chainer's type(value)(array) raised TypeError here; ours is a ValueError too.
    d = serializers.NpzDeserializer({'k': stored})
    with pytest.raises(TypeError) as info:
        d('k', target)
    assert isinstance(info.value, ValueError)
    assert "'k'" in str(info.value)


@pytest.mark.parametrize('stored, expected', [
    (numpy.array(7), 7), (numpy.array(2 ** 40), 0), (numpy.array(200, numpy.int16), 200),
])
def test_zero_dim_integer_is_cast_by_its_value_into_unsigned(stored, expected, tmp_path):
    # NumPy 1's copyto (Chainer) took a non-negative 0-d int64 into a uint8 array.
    link = chainer.Link()
    link.add_persistent('p', numpy.zeros((), numpy.uint8))
    path = str(tmp_path / 'p.npz')
    numpy.savez(path, p=stored)
    serializers.load_npz(path, link)
    assert link.p.dtype == numpy.uint8 and link.p == expected


@pytest.mark.parametrize('stored', [numpy.array(-1), numpy.array([1], numpy.int64)])
def test_negative_or_nonscalar_signed_into_unsigned_is_refused(stored, tmp_path):
    link = chainer.Link()
    link.add_persistent('p', numpy.zeros(stored.shape, numpy.uint8))
    path = str(tmp_path / 'p.npz')
    numpy.savez(path, p=stored)
    with pytest.raises(TypeError):
        serializers.load_npz(path, link)
    assert not link.p.any()


@pytest.mark.parametrize('stored, expected', [('1', True), ('0', False), ('abc', None),
                                              ('True', None)])
def test_string_into_numpy_bool_reads_an_integer(stored, expected):
    # numpy.bool_(array('1')) under NumPy 1 (Chainer); 'abc' and 'True' raised ValueError.
    d = serializers.NpzDeserializer({'k': numpy.array(stored)})
    if expected is None:
        with pytest.raises(ValueError):
            d('k', numpy.bool_(False))
    else:
        r = d('k', numpy.bool_(False))
        assert type(r) is numpy.bool_ and r == expected


def test_loads_of_threads_leave_the_warning_filters_as_they_were(tmp_path):
    # The checking pass ignores warnings by switching the process's warning
    # filters: two threads loading at once restored each other's switched filters
    # and left every warning of the process ignored for good.
    import warnings

    path = str(tmp_path / 'm.npz')
    model = chainer.Sequential(L.Linear(3, 4), L.BatchNormalization(4))
    serializers.save_npz(path, model)
    before = list(warnings.filters)

    def load():
        for _ in range(200):
            serializers.load_npz(path, model)

    run_in_threads(load, 4, switch_interval=1e-6)
    assert warnings.filters == before
