"""A failed load leaves the target exactly as it was, and its error names the file and key."""
import io
import json
import os
import pickle
import struct
import signal
import time
import zipfile

import numpy
import pytest

import chainer
from chainer import links as L
from chainer import optimizers
from chainer import serializers
from chainer import training
from chainer.training import extensions
from tests.chainer_tests.training_tests import training_stubs as S

def _has_h5py():
    try:
        import h5py  # NOQA: F401
    except ImportError:
        return False
    return True


FORMATS = ['npz'] + (['hdf5'] if _has_h5py() else [])


def _save(fmt, path, obj):
    (serializers.save_npz if fmt == 'npz' else serializers.save_hdf5)(path, obj)


def _load(fmt, path, obj):
    (serializers.load_npz if fmt == 'npz' else serializers.load_hdf5)(path, obj)


def _state(obj):
    """Everything loading can touch, as bytes (lazily initialised parameters included)."""
    s = serializers.DictionarySerializer()
    s.save(obj)
    return {k: (v.dtype.str, v.shape, v.tobytes()) for k, v in s.target.items()}


def _arrays(obj):
    s = serializers.DictionarySerializer()
    s.save(obj)
    return s.target


def _rewrite_npz(path, drop=(), replace=None):
    with numpy.load(path, allow_pickle=False) as f:
        arrays = {k: f[k] for k in f.files if k not in drop}
    arrays.update(replace or {})
    numpy.savez(path, **arrays)


def _stepped_adam(amsgrad=False, step=True):
    model = L.Linear(3, 2)
    opt = optimizers.Adam(amsgrad=amsgrad)
    opt.setup(model)
    if step:
        model.cleargrads()
        model.W.grad = numpy.ones_like(model.W.array)
        model.b.grad = numpy.ones_like(model.b.array)
        opt.update()
    return model, opt


class _ModelAndOptimizer(chainer.Chain):
    """Saves a model and its optimizer together, model last (as the updater does)."""

    def __init__(self, model, opt):
        super().__init__()
        self.model_ = model
        self.opt = opt

    def serialize(self, serializer):
        self.opt.serialize(serializer['optimizer'])
        self.model_.serialize(serializer['model'])


@pytest.mark.parametrize('fmt', FORMATS)
@pytest.mark.parametrize('missing', ['vhat', 'v'])
@pytest.mark.parametrize('fresh_target', [True, False])
def test_missing_optimizer_state_changes_nothing(tmp_path, fmt, missing, fresh_target):
    path = str(tmp_path / f'snap.{fmt}')
    _save(fmt, path, _ModelAndOptimizer(*_stepped_adam()))
    if missing == 'v':
        if fmt == 'npz':
            _rewrite_npz(path, drop=['optimizer/W/v', 'optimizer/b/v'])
        else:
            with h5py_file(path) as f:
                del f['optimizer/W/v']
                del f['optimizer/b/v']

    target_model, target_opt = _stepped_adam(amsgrad=True, step=not fresh_target)
    target = _ModelAndOptimizer(target_model, target_opt)
    before = _state(target)
    t_before = target_opt.t
    with pytest.raises(KeyError, match=f"W/{missing}|b/{missing}"):
        _load(fmt, path, target)
    assert _state(target) == before
    assert target_opt.t == t_before
    # The optimizer still works.
    target_model.cleargrads()
    target_model.W.grad = numpy.ones_like(target_model.W.array)
    target_model.b.grad = numpy.ones_like(target_model.b.array)
    target_opt.update()


def h5py_file(path):
    import h5py
    return h5py.File(path, 'a')


class _TwoLazy(chainer.Chain):

    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.a = L.Linear(None, 2)
            self.b = L.Linear(None, 2)

    def forward(self, x):
        return self.b(self.a(x))


@pytest.mark.parametrize('fmt', FORMATS)
def test_lazy_parameter_from_strings_changes_nothing(tmp_path, fmt):
    source = _TwoLazy()
    source(numpy.ones((1, 3), numpy.float32))
    path = str(tmp_path / f'm.{fmt}')
    if fmt == 'npz':
        serializers.save_npz(path, source)
        _rewrite_npz(path, replace={'b/W': numpy.array([['x', 'y', 'z']] * 2)})
    else:
        serializers.save_hdf5(path, source)
        with h5py_file(path) as f:
            del f['b/W']
            import h5py
            f.create_dataset('b/W', data=numpy.array([['x'] * 3] * 2, dtype=object),
                             dtype=h5py.string_dtype())
    target = _TwoLazy()
    with pytest.raises(ValueError, match=r"b/W.*" + os.path.basename(path)):
        _load(fmt, path, target)
    assert target.a.W.array is None and target.b.W.array is None
    assert target.a.b.array is not None  # biases were initialised eagerly, not loaded
    numpy.testing.assert_array_equal(target.a.b.array, numpy.zeros(2, numpy.float32))


def _trainer(out):
    model = S.Regressor(seed=0)
    opt = optimizers.SGD(lr=0.05)
    opt.setup(model)
    updater = training.StandardUpdater(S.ListIterator(S.make_dataset(10), 3), opt)
    trainer = training.Trainer(updater, (2, 'epoch'), out=out)
    trainer.extend(extensions.LogReport(trigger=(1, 'iteration')))
    return trainer


def _log_state(trainer):
    log_report = trainer.get_extension('LogReport')
    summary = {k: (s._x, s._x2, s._n) for k, s in log_report._summary._summaries.items()}
    return json.dumps(log_report.log), summary


def _drop_elapsed_time(fmt, path):
    """Takes the trainer's last key out of a saved snapshot, so that loading it fails
    after every extension has been read."""
    if fmt == 'npz':
        _rewrite_npz(path, drop=['_snapshot_elapsed_time'])
    else:
        with h5py_file(path) as f:
            del f['_snapshot_elapsed_time']


@pytest.mark.parametrize('fmt', FORMATS)
def test_trainer_snapshot_errors_change_nothing(tmp_path, fmt):
    source = _trainer(str(tmp_path / 'a'))
    source.run()
    path = str(tmp_path / f'snap.{fmt}')
    _save(fmt, path, source)
    _drop_elapsed_time(fmt, path)

    target = _trainer(str(tmp_path / 'b'))
    target.get_extension('LogReport')._log = [{'main/loss': 1.0}, {'main/loss': 2.0}]
    target.get_extension('LogReport')._summary.add({'main/loss': 3.0})
    before = _state(target), _log_state(target)
    with pytest.raises(KeyError, match='_snapshot_elapsed_time'):
        _load(fmt, path, target)
    assert (_state(target), _log_state(target)) == before


def _counting_trainer(out):
    trainer = _trainer(out)

    def count(t):
        chainer.reporter.report({'n': t.updater.iteration % 3, 'd': 2})
    trainer.extend(count, name='count', priority=extensions.MicroAverage.priority + 1)
    trainer.extend(extensions.MicroAverage('n', 'd', 'ratio', trigger=(5, 'iteration')))
    trainer.extend(extensions.ExponentialShift('lr', 0.5), trigger=(2, 'iteration'))
    return trainer


@pytest.mark.parametrize('fmt', FORMATS)
def test_failed_trainer_load_gives_back_what_follows_micro_average(tmp_path, fmt):
    # The restoring pass reads MicroAverage's sums as they were (none given) and
    # goes on to undo what the checking pass assigned to the extensions after it.
    source = _counting_trainer(str(tmp_path / 'a'))
    source.run()
    path = str(tmp_path / f'snap.{fmt}')
    _save(fmt, path, source)
    _drop_elapsed_time(fmt, path)

    target = _counting_trainer(str(tmp_path / 'b'))
    before = _state(target)
    with pytest.raises(KeyError, match='_snapshot_elapsed_time') as info:
        _load(fmt, path, target)
    assert _state(target) == before
    assert not getattr(info.value, '__notes__', None)
    assert target.get_extension('ExponentialShift')._t == 0

def test_non_json_log_names_key_and_file(tmp_path):
    source = _trainer(str(tmp_path / 'a'))
    source.run()
    path = str(tmp_path / 'snap.npz')
    serializers.save_npz(path, source)
    _rewrite_npz(path, replace={'extensions/LogReport/_log': numpy.array('{not json')})
    target = _trainer(str(tmp_path / 'b'))
    before = _state(target)
    with pytest.raises(ValueError, match=r"extensions/LogReport/_log.*snap\.npz.*JSON"):
        serializers.load_npz(path, target)
    assert _state(target) == before


def test_string_scalar_names_key_and_file(tmp_path):
    model, opt = _stepped_adam()
    path = str(tmp_path / 'o.npz')
    serializers.save_npz(path, opt)
    _rewrite_npz(path, replace={'t': numpy.array('abc')})
    target_model, target_opt = _stepped_adam()
    before = _state(target_opt)
    with pytest.raises(ValueError, match=r"'t'.*o\.npz"):
        serializers.load_npz(path, target_opt)
    assert _state(target_opt) == before


# -- damaged archives -------------------------------------------------------

def _linear_file(tmp_path):
    link = L.Linear(3, 2)
    path = str(tmp_path / 'l.npz')
    serializers.save_npz(path, link)
    return path


def _patch_headers(path, signature, offset, fmt, update):
    """Rewrites a field (``offset`` from ``signature``) of every zip header of that kind."""
    data = bytearray(open(path, 'rb').read())
    i = data.find(signature)
    while i >= 0:
        old = struct.unpack_from(fmt, data, i + offset)[0]
        struct.pack_into(fmt, data, i + offset, update(old))
        i = data.find(signature, i + 4)
    open(path, 'wb').write(bytes(data))


LOCAL, CENTRAL = b'PK\x03\x04', b'PK\x01\x02'


@pytest.mark.parametrize('field', ['method', 'encrypted'])
def test_damaged_zip_header_names_file(tmp_path, field):
    path = _linear_file(tmp_path)
    if field == 'method':  # an unknown compression method
        _patch_headers(path, LOCAL, 8, '<H', lambda v: 99)
        _patch_headers(path, CENTRAL, 10, '<H', lambda v: 99)
    else:
        _patch_headers(path, CENTRAL, 8, '<H', lambda v: v | 1)
    link = L.Linear(3, 2)
    before = _state(link)
    with pytest.raises(ValueError, match=r"l\.npz"):
        serializers.load_npz(path, link)
    assert _state(link) == before


def _npy_header(shape, dtype='<f4'):
    buf = io.BytesIO()
    numpy.lib.format.write_array_header_1_0(
        buf, {'descr': dtype, 'fortran_order': False, 'shape': shape})
    return buf.getvalue()


def test_unrequested_members_are_not_read(tmp_path):
    link = L.Linear(3, 2)
    arrays = _arrays(link)
    path = str(tmp_path / 'extra.npz')
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as zf:
        for key, value in arrays.items():
            buf = io.BytesIO()
            numpy.lib.format.write_array(buf, value)
            zf.writestr(key + '.npy', buf.getvalue())
        # A member nobody asks for, claiming 4 TiB: never inflated.
        zf.writestr('unused.npy', _npy_header((1 << 40,)) + b'\0' * 16)
    target = L.Linear(3, 2)
    serializers.load_npz(path, target)
    numpy.testing.assert_array_equal(target.W.array, link.W.array)


@pytest.mark.parametrize('compress', [zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED])
def test_member_claiming_more_than_it_holds_is_refused(tmp_path, compress):
    path = str(tmp_path / 'bomb.npz')
    with zipfile.ZipFile(path, 'w', compress) as zf:
        zf.writestr('W.npy', _npy_header((1 << 40, 3)) + b'\0' * 64)
        buf = io.BytesIO()
        numpy.lib.format.write_array(buf, numpy.zeros(2, numpy.float32))
        zf.writestr('b.npy', buf.getvalue())
    target = L.Linear(3, 2)
    before = _state(target)
    with pytest.raises(ValueError, match=r"'W'.*bomb\.npz|bomb\.npz.*'W'"):
        serializers.load_npz(path, target)
    assert _state(target) == before


def test_zip_entry_claiming_impossible_size_is_refused(tmp_path):
    path = str(tmp_path / 'l.npz')
    with zipfile.ZipFile(path, 'w', zipfile.ZIP_DEFLATED) as zf:
        for key, value in _arrays(L.Linear(3, 2)).items():
            buf = io.BytesIO()
            numpy.lib.format.write_array(buf, value)
            zf.writestr(key + '.npy', buf.getvalue())
    # The uncompressed size in the central directory: far beyond deflate's ratio.
    _patch_headers(path, CENTRAL, 24, '<I', lambda v: 0xFFFFFFF0)
    target = L.Linear(3, 2)
    before = _state(target)
    with pytest.raises(ValueError, match=r"l\.npz.*claims"):
        serializers.load_npz(path, target)
    assert _state(target) == before


# -- files that are not regular files ---------------------------------------

def _in_child(func, timeout):
    """Runs ``func()`` in a forked child; returns its exit status or None if it hung."""
    pid = os.fork()
    if pid == 0:
        try:
            code = func()
        except BaseException:
            code = 99
        os._exit(code)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            return os.waitstatus_to_exitcode(status)
        time.sleep(0.02)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return None


@pytest.mark.skipif(not hasattr(os, 'mkfifo'), reason='needs FIFOs')
@pytest.mark.parametrize('fmt', FORMATS)
def test_fifo_is_refused(tmp_path, fmt):
    path = str(tmp_path / 'pipe')
    os.mkfifo(path)

    def load():
        try:
            _load(fmt, path, L.Linear(3, 2))
        except ValueError as e:
            return 0 if 'pipe' in str(e) and 'regular' in str(e) else 1
        return 2

    # A blocking open() would hang (h5py's even holding the GIL): use a child.
    assert _in_child(load, 30) == 0


# -- what can be saved ------------------------------------------------------

@pytest.mark.parametrize('save', [serializers.save_npz]
                         + ([serializers.save_hdf5] if _has_h5py() else []))
def test_saving_a_plain_object_is_a_type_error(tmp_path, save):
    path = str(tmp_path / 'x')
    with pytest.raises(TypeError, match='serialize'):
        save(path, object())
    with pytest.raises(AttributeError):  # what Chainer raised
        save(path, object())
    assert os.listdir(str(tmp_path)) == []


def test_loading_into_a_plain_object_is_a_type_error(tmp_path):
    path = _linear_file(tmp_path)
    with pytest.raises(TypeError, match='serialize'):
        serializers.load_npz(path, object())
    with pytest.raises(AttributeError):  # what Chainer raised
        serializers.load_npz(path, object())
    if _has_h5py():
        h5 = str(tmp_path / 'l.h5')
        serializers.save_hdf5(h5, chainer.links.Linear(2, 3))
        with pytest.raises(AttributeError, match='serialize'):
            serializers.load_hdf5(h5, object())


class _Plain:
    """A user object written without knowing about the checking pass."""

    def __init__(self):
        self.table = None
        self.count = 0
        self.name = ''

    def serialize(self, serializer):
        self.table = serializer('table', self.table)
        self.count = serializer('count', self.count)
        self.name = serializer('name', self.name)


@pytest.mark.parametrize('fmt', FORMATS)
def test_objects_unaware_of_the_checking_pass_still_load(tmp_path, fmt):
    source = _Plain()
    source.table = numpy.arange(6.).reshape(2, 3)
    source.count = 7
    source.name = 'abc'
    path = str(tmp_path / f'p.{fmt}')
    _save(fmt, path, source)
    target = _Plain()
    _load(fmt, path, target)
    numpy.testing.assert_array_equal(target.table, source.table)
    assert target.table.flags.writeable
    assert (target.count, target.name) == (7, 'abc')


class _Sized:
    """A user object that sizes its array from a number it loads first (as Chainer allowed)."""

    def __init__(self, n=2, extra=False):
        self.n = n
        self.w = numpy.zeros(n, numpy.float32)
        self.extra = extra
        self.tag = 'old'

    def serialize(self, serializer):
        self.n = serializer('n', self.n)
        self.tag = serializer('tag', self.tag)
        if len(self.w) != self.n:
            self.w = numpy.zeros(self.n, numpy.float32)
        self.w = serializer('w', self.w)
        if self.extra:
            serializer('missing', 0)


@pytest.mark.parametrize('fmt', FORMATS)
def test_a_serialize_may_size_an_array_from_a_loaded_number(tmp_path, fmt):
    source = _Sized(5)
    source.w[:] = numpy.arange(5)
    source.tag = 'new'
    path = str(tmp_path / f's.{fmt}')
    _save(fmt, path, source)
    target = _Sized(2)
    _load(fmt, path, target)
    assert (target.n, target.tag) == (5, 'new')
    numpy.testing.assert_array_equal(target.w, numpy.arange(5))


@pytest.mark.parametrize('fmt', FORMATS)
def test_numbers_a_failed_load_assigned_are_given_back(tmp_path, fmt):
    source = _Sized(5)
    source.tag = 'new'
    path = str(tmp_path / f's.{fmt}')
    _save(fmt, path, source)
    target = _Sized(2, extra=True)
    w = target.w
    with pytest.raises(KeyError, match='missing'):
        _load(fmt, path, target)
    assert (target.n, target.tag) == (2, 'old')
    assert target.w.shape == (2,) and (w == 0).all()


class _OptimizerAndLink:
    def __init__(self, opt, link):
        self.opt, self.link = opt, link

    def serialize(self, serializer):
        self.opt.serialize(serializer['opt'])
        self.link.serialize(serializer['link'])


def _sgd(link, t):
    opt = optimizers.SGD()
    opt.setup(link)
    opt.t = t
    return opt


@pytest.mark.parametrize('fmt', FORMATS)
def test_optimizer_t_is_given_back_after_a_failed_load(tmp_path, fmt):
    model = L.Linear(3, 2)
    path = str(tmp_path / f'o.{fmt}')
    _save(fmt, path, _OptimizerAndLink(_sgd(model, 9), model))
    other = L.Linear(3, 4)  # W of another shape: the load fails after t was read
    opt = _sgd(other, 1)
    with pytest.raises(ValueError, match='shape'):
        _load(fmt, path, _OptimizerAndLink(opt, other))
    assert opt.t == 1


def test_a_failing_restoring_pass_is_noted_on_the_first_error(tmp_path):
    class Fragile:
        calls = 0

        def serialize(self, serializer):
            self.calls += 1
            if self.calls > 1:
                raise RuntimeError('second call')
            serializer('absent', 0)

    path = str(tmp_path / 'f.npz')
    serializers.save_npz(path, {'present': numpy.zeros(1)})
    with pytest.raises(KeyError) as info:
        serializers.load_npz(path, Fragile())
    assert 'second call' in ''.join(getattr(info.value, '__notes__', []))


@pytest.mark.skipif(not _has_h5py(), reason='needs h5py')
def test_restoring_pass_of_a_deserializer_on_an_hdf5_group(tmp_path):
    import h5py
    path = str(tmp_path / 'g.h5')
    with h5py.File(path, 'w') as f:
        serializers.HDF5Serializer(f.create_group('inner')).save(_Sized(4))
    target = _Sized(2, extra=True)
    with h5py.File(path, 'r') as f:
        with pytest.raises(KeyError):
            serializers.HDF5Deserializer(f['inner']).load(target)
    assert (target.n, target.tag) == (2, 'old')


@pytest.mark.parametrize('content, chainer_error', [
    (b'', EOFError),                    # empty
    (b'not an archive' * 4, pickle.UnpicklingError),
    (None, zipfile.BadZipFile),         # the first half of a real archive
])
def test_unreadable_npz_is_also_chainer_error(tmp_path, content, chainer_error):
    # Chainer let NumPy's reader raise these; ours are ValueErrors that are also them.
    path = str(tmp_path / 'f.npz')
    if content is None:
        serializers.save_npz(path, L.Linear(3, 2))
        with open(path, 'rb') as f:
            content = f.read()[:100]
    with open(path, 'wb') as f:
        f.write(content)
    link = L.Linear(3, 2)
    before = _state(link)
    with pytest.raises(ValueError) as info:
        serializers.load_npz(path, link)
    assert isinstance(info.value, chainer_error)
    assert _state(link) == before


@pytest.mark.skipif(not _has_h5py(), reason='h5py is not installed')
def test_unreadable_hdf5_is_also_os_error(tmp_path):
    path = str(tmp_path / 'f.h5')
    serializers.save_hdf5(path, L.Linear(3, 2))
    with open(path, 'rb') as f:
        half = f.read()
    with open(path, 'wb') as f:
        f.write(half[:len(half) // 2])
    with pytest.raises(ValueError) as info:
        serializers.load_hdf5(path, L.Linear(3, 2))
    assert isinstance(info.value, OSError)


@pytest.mark.parametrize('fmt', FORMATS)
def test_shape_mismatch_is_value_and_type_error(tmp_path, fmt):
    # Chainer: NumPy's ValueError for NPZ, h5py's TypeError for HDF5; ours is both.
    path = str(tmp_path / 'f')
    _save(fmt, path, L.Linear(3, 2))
    link = L.Linear(4, 2)
    before = _state(link)
    with pytest.raises(ValueError) as info:
        _load(fmt, path, link)
    assert isinstance(info.value, TypeError)
    assert _state(link) == before


@pytest.mark.parametrize('stored', [numpy.array(1.5), numpy.array([1.5])])
def test_stored_array_is_not_broadcast_into_a_larger_target(stored):
    # Chainer's numpy.copyto filled the whole array from one value; a shape
    # mismatch is an error here (docs/saving_and_loading.md).
    link = chainer.Link()
    link.add_persistent('p', numpy.zeros((2, 3), numpy.float32))
    with pytest.raises(ValueError):
        serializers.NpzDeserializer({'p': stored}).load(link)
    assert not link.p.any()


def _initialised_and_lazy(a):
    """A chain with the parameter ``a`` (of the array ``a``) and a lazy one, ``c``."""
    chain = chainer.Chain()
    with chain.init_scope():
        chain.a = chainer.Parameter(a)
        chain.c = chainer.Parameter(chainer.initializers.Zero())
    return chain


@pytest.mark.parametrize('fmt', FORMATS)
def test_missing_state_of_a_stepped_rule_fails_before_anything_changes(tmp_path, fmt):
    # The rule of a parameter that stayed uninitialised steps (t == 2) without
    # state; loading it into a fresh optimizer fails (as in Chainer), and the
    # checking pass must see the stored t to fail before the copying pass.
    model = _initialised_and_lazy(numpy.ones(3, numpy.float32))
    opt = optimizers.Adam()
    opt.setup(model)
    for _ in range(2):
        model.cleargrads()
        model.a.grad = numpy.ones(3, numpy.float32)
        opt.update()
    path = str(tmp_path / 'f')
    _save(fmt, path, opt)
    target = _initialised_and_lazy(numpy.zeros(3, numpy.float32))
    opt2 = optimizers.Adam()
    opt2.setup(target)
    with pytest.raises(KeyError):
        _load(fmt, path, opt2)
    assert opt2.t == 0
    assert target.a.update_rule.t == 0 and target.a.update_rule.state is None


@pytest.mark.parametrize('fmt', FORMATS)
@pytest.mark.parametrize('read_only', ['a', 'c', 'z'])
def test_read_only_target_changes_nothing(tmp_path, fmt, read_only):
    # a parameter or persistent on a read-only array (np.load(mmap_mode='r'),
    # np.broadcast_to, flags.writeable = False) is found while checking
    def link(value):
        m = chainer.Link()
        with m.init_scope():
            for name in 'abc':
                setattr(m, name, chainer.Parameter(numpy.full(3, value, numpy.float32)))
        m.add_persistent('z', numpy.full(2, value, numpy.float32))
        return m

    path = str(tmp_path / 'm')
    _save(fmt, path, link(1))
    target = link(0)
    value = getattr(target, read_only)
    (value if read_only == 'z' else value.array).flags.writeable = False
    with pytest.raises(ValueError, match=f"'{read_only}'.*read-only"):
        _load(fmt, path, target)
    for name in 'abc':
        numpy.testing.assert_array_equal(getattr(target, name).array, 0)
    numpy.testing.assert_array_equal(target.z, 0)


@pytest.mark.parametrize('file', [3.5, None, object()])
def test_npz_file_that_is_neither_path_nor_file_object(file):
    # TypeError, as Chainer's NumPy raised (was AttributeError for save_npz and
    # ValueError for load_npz).
    with pytest.raises(TypeError, match='neither|not (float|NoneType|object)'):
        serializers.save_npz(file, L.Linear(2, 2))
    with pytest.raises(TypeError, match='not (float|NoneType|object)'):
        serializers.load_npz(file, L.Linear(2, 2))
