"""Objects pickled by Chainer 7.8.1 load and behave as they did under Chainer.

The files in ``data/chainer_pickles`` were written by Chainer 7.8.1 (NumPy 1.26):
each holds ``{'objects': <pickle of the objects>, 'expected': {...}}``, where
``expected`` is what Chainer computed from the objects after loading that same
pickle (forward values, parameters after further updates, iterator batches).
"""
from __future__ import annotations

import collections
import copy
import copyreg
import importlib
import os
import pickle

import numpy as np
import pytest

import chainer
import chainer.links as L
from chainer import optimizer_hooks
from chainer.backends import cuda
from chainer.backends import intel64

_DATA = os.path.join(os.path.dirname(__file__), 'data', 'chainer_pickles')


def _load(name):
    with open(os.path.join(_DATA, name), 'rb') as f:
        data = pickle.load(f)
    return pickle.loads(data['objects']), data['expected']


def _close(actual, expected):
    np.testing.assert_allclose(actual, expected, rtol=1e-5, atol=1e-6)


class TestBasic:

    def setup_method(self):
        self.objs, self.expected = _load('basic.pkl')

    def test_linear(self):
        lin = self.objs['linear']
        assert type(lin) is L.Linear
        assert [n for n, _ in lin.namedparams()] == ['/W', '/b']
        # backward() without cleargrads() added to the NaN gradient the parameter
        # was created with, under Chainer as here; the file holds that NaN.
        assert np.isnan(self.expected['linear_W_grad']).all()
        assert np.isnan(lin.W.grad).all()
        _close(lin(self.objs['x']).array, self.expected['linear_y'])

    def test_lazy_link_initialises_as_in_chainer(self):
        lazy = self.objs['lazy']
        assert lazy.W.array is None
        np.random.seed(1)
        _close(lazy(self.objs['x']).array, self.expected['lazy_y'])
        _close(lazy.W.array, self.expected['lazy_W'])

    def test_variables(self):
        v = self.objs['variable']
        assert type(v) is chainer.Variable
        assert v.name == 'v'
        assert v.requires_grad
        np.testing.assert_array_equal(v.array, np.arange(3, dtype='f'))
        np.testing.assert_array_equal(v.grad, np.ones(3, 'f'))
        c = self.objs['constant']
        assert not c.requires_grad
        assert c.grad is None

    def test_parameters(self):
        p = self.objs['param']
        assert type(p) is chainer.Parameter
        assert p.name == 'p'
        assert p.update_rule is None
        np.testing.assert_array_equal(p.array, np.arange(3, dtype='f'))
        lazy = self.objs['lazy_param']
        assert not lazy.is_initialized
        assert isinstance(lazy.initializer, chainer.initializers.Normal)
        assert lazy.initializer.scale == 0.5
        lazy.initialize((2, 2))
        assert lazy.shape == (2, 2)


class TestTraining:

    def setup_method(self):
        self.objs, self.expected = _load('training.pkl')

    @pytest.mark.parametrize('name', ['adam', 'momentum', 'adabound'])
    def test_continued_training_equals_chainers(self, name):
        opt = self.objs[name]
        model = opt.target
        assert isinstance(model, L.Classifier)
        for _ in range(2):
            opt.update(model, *self.objs['data'])
        assert opt.t == self.expected[name + '_t']
        params = dict(model.namedparams())
        assert sorted(params) == sorted(self.expected[name])
        for path, value in self.expected[name].items():
            _close(params[path].array, value)
        _close(model.predictor[1].avg_mean, self.expected[name + '_avg_mean'])

    def test_optimizer_hooks(self):
        adam = self.objs['adam']
        assert list(adam._pre_update_hooks) == ['WeightDecay']
        assert list(adam._post_update_hooks) == ['GradientClipping']
        assert isinstance(adam._pre_update_hooks, collections.OrderedDict)
        with pytest.raises(KeyError):
            adam.add_hook(optimizer_hooks.WeightDecay(0.1))
        adam.remove_hook('GradientClipping')
        assert not adam._post_update_hooks

    def test_update_rules(self):
        model = self.objs['momentum'].target
        rule = model.predictor[0].W.update_rule
        assert list(rule._pre_update_hooks) == ['GradientHardClipping']
        assert not model.predictor[3].b.update_rule.enabled
        assert rule.hyperparam.lr == 0.05
        assert sorted(rule.state) == ['v']


class TestLinksAndOthers:

    def setup_method(self):
        self.objs, self.expected = _load('links.pkl')
        self.x = np.random.RandomState(0).randn(2, 3).astype('f')
        self.x4 = np.random.RandomState(5).randn(1, 2, 3, 3).astype('f')

    def test_hierarchical_softmax(self):
        out = self.objs['bhsm'](self.x, np.array([0, 3], 'i'))
        _close(out.array, self.expected['bhsm'])

    def test_negative_sampling(self):
        np.random.seed(6)
        out = self.objs['negsampling'](self.x, np.array([0, 3], 'i'))
        _close(out.array, self.expected['negsampling'])

    def test_n_step_rnn(self):
        ys = self.objs['nsteplstm'](None, [self.x])[1]
        _close(ys[0].array, self.expected['nsteplstm'])

    def test_convolutions(self):
        _close(self.objs['conv'](self.x4).array, self.expected['conv'])
        _close(self.objs['deconvnd'](self.x4[:, :, 0]).array, self.expected['deconvnd'])

    def test_batch_renormalization(self):
        brn = self.objs['brn']
        _close(brn(self.x).array, self.expected['brn'])
        _close(brn.avg_mean, self.expected['brn_avg_mean'])

    def test_link_hook(self):
        _close(self.objs['spectral'](self.x).array, self.expected['spectral'])

    def test_initializers(self):
        np.random.seed(7)
        for name in ('zero', 'orthogonal'):
            a = np.empty((3, 3), 'f')
            self.objs[name](a)
            _close(a, self.expected[name])

    def test_iterator_continues_mid_epoch(self):
        it = self.objs['iterator']
        for expected in self.expected['iterator']:
            batch = it.next()
            assert len(batch) == len(expected)
            for got, want in zip(batch, expected):
                _close(np.array(got), np.array(want))
        assert it.epoch_detail == self.expected['iterator_epoch']

    def test_dataset(self):
        ds = self.objs['dataset']
        assert [tuple(map(float, e)) for e in ds] == [
            tuple(map(float, e)) for e in self.expected['dataset']]


class TestDistributionsAndTabular:

    def setup_method(self):
        self.objs, self.expected = _load('distributions.pkl')

    @pytest.mark.parametrize('name', ['normal', 'normal_log', 'uniform', 'bernoulli', 'mvn'])
    def test_distribution(self, name):
        d = self.objs[name]
        x, log_prob, mean = self.expected[name]
        np.random.seed(8)
        _close(d.sample(2).array, x)
        _close(d.log_prob(x).array, log_prob)
        _close(d.mean.array, mean)

    @pytest.mark.parametrize('name', ['slice', 'dict', 'transform', 'transform_batch', 'converter'])
    def test_tabular(self, name):
        ds = self.objs[name]
        length, keys, fetched, example = self.expected[name]
        assert len(ds) == length
        assert ds.keys == keys
        if isinstance(fetched, dict):
            assert sorted(ds.fetch()) == sorted(fetched)
            for key in fetched:
                _close(ds.fetch()[key], fetched[key])
                assert ds[1][key] == example[key]
        else:
            _close(np.array(ds.fetch()), np.array(fetched))
            assert ds[1] == example
        if name == 'converter':
            _close(ds.convert(ds.fetch()), np.maximum(*fetched))


def _square(i):
    return i * i


def _chainer_format(cls, state):
    """An object that pickles as Chainer wrote ``cls`` objects: no __init__, its __dict__."""

    class Reduced:
        def __reduce__(self):
            return copyreg._reconstructor, (cls, object, None), state

    return Reduced()


class TestBuiltFromChainersLayout:
    """Objects whose Chainer layout is written here, as observed in Chainer's pickles."""

    def test_text_dataset(self, tmp_path):
        path = tmp_path / 'a.txt'
        path.write_text('ab\ncde\nf\n')
        state = {'_paths': [str(path), str(path)], '_encoding': ['utf-8', None],
                 '_errors': [None, None], '_newline': [None, None],
                 '_bounds': ([0, 3, 7, 9], [0, 3, 7, 9]), '_lines': [0, 2]}
        ds = pickle.loads(pickle.dumps(_chainer_format(chainer.datasets.TextDataset, state)))
        assert len(ds) == 2
        assert ds[0] == ('ab\n', 'ab\n')
        assert ds[1] == ('f\n', 'f\n')
        again = pickle.loads(pickle.dumps(ds))
        assert again[1] == ('f\n', 'f\n')

    def test_tabular_from_callable(self):
        # from_data with a callable: Chainer's row-number dataset kept its size as _len.
        from_data = importlib.import_module('chainer.dataset.tabular.from_data')
        index = _chainer_format(from_data._Index, {'_len': 3})
        ds = pickle.loads(pickle.dumps(index))
        assert len(ds) == 3 and list(ds) == [0, 1, 2]
        assert ds.transform('sq', _square).fetch() == [0, 1, 4]

    def test_trainer_extension_entry(self):
        from chainer.training import trainer
        hook = chainer.training.extensions.LogReport()
        state = {'extension': hook, 'trigger': None, 'priority': 100,
                 'call_before_training': False}
        entry = pickle.loads(pickle.dumps(_chainer_format(trainer._ExtensionEntry, state)))
        assert entry.priority == 100
        assert type(entry.extension) is type(hook)
        again = pickle.loads(pickle.dumps(entry))
        assert again.priority == 100 and not again.call_before_training


@pytest.mark.parametrize('cls, upsampling', [
    (chainer.initializers.UpsamplingDeconvFilter, True),
    (chainer.initializers.DownsamplingConvFilter, False)])
def test_sampling_filters(cls, upsampling):
    # Chainer kept the filter function and the direction; an FCN model pickled by
    # Chainer holds such an initializer in its deconvolution's parameter.
    from chainer.initializers import sampling
    state = {'_upsampling': upsampling, '_get_filter_func': sampling._get_linear_filter,
             'dtype': None}
    init = pickle.loads(pickle.dumps(_chainer_format(cls, state)))
    assert type(init) is cls and init.interpolation == 'linear'
    got, want = np.empty((2, 2, 4, 4), 'f'), np.empty((2, 2, 4, 4), 'f')
    init(got)
    cls()(want)
    np.testing.assert_array_equal(got, want)
    assert pickle.loads(pickle.dumps(init)).__dict__ == init.__dict__
    # written with Chainer's attributes, so that Chainer loads it too
    assert init.__getstate__()['_upsampling'] is upsampling
    assert init.__getstate__()['_get_filter_func'] is sampling._get_linear_filter


def test_concat_with_async_transfer():
    # Chainer's converter kept its conveyors in a defaultdict of a bound method.
    from chainer.dataset import convert
    other = convert.ConcatWithAsyncTransfer()
    state = {'_stream': None, 'compute_stream': None, '_device': None, '_sync_get': True,
             '_conveyor': collections.defaultdict(other._get_conveyor)}
    conv = pickle.loads(pickle.dumps(_chainer_format(convert.ConcatWithAsyncTransfer, state)))
    assert vars(conv) == {'_stream': None, 'compute_stream': None}
    x, t = conv([(np.ones(2, 'f'), 1), (np.zeros(2, 'f'), 2)])
    np.testing.assert_array_equal(x, [[1, 1], [0, 0]])
    np.testing.assert_array_equal(t, [1, 2])


def test_zipped_image_datasets(tmp_path):
    image = pytest.importorskip('PIL.Image')
    import zipfile
    from chainer.datasets import image_dataset
    png = tmp_path / 'a.png'
    image.fromarray(np.arange(12, dtype=np.uint8).reshape(2, 2, 3)).save(png)
    archive = str(tmp_path / 'images.zip')
    with zipfile.ZipFile(archive, 'w') as z:
        z.write(png, 'a.png')
    dtype = np.dtype(np.float32)
    zipped = _chainer_format(image_dataset.ZippedImageDataset, {
        '_zipfilename': archive, '_zf': None, '_zf_pid': 1, '_dtype': dtype,
        '_paths': ['a.png'], '_lock': None})
    multi = _chainer_format(image_dataset.MultiZippedImageDataset, {
        '_zfs': [zipped, zipped], '_zpaths_accumlens': [0, 1, 2]})
    labeled = _chainer_format(image_dataset.LabeledZippedImageDataset, {
        '_pairs': [('a.png', 3)], '_label_dtype': np.int32, '_zipfile': zipped})
    zipped, multi, labeled = pickle.loads(pickle.dumps((zipped, multi, labeled)))
    expected = np.arange(12, dtype=np.float32).reshape(2, 2, 3).transpose(2, 0, 1)
    np.testing.assert_array_equal(zipped[0], expected)
    assert len(multi) == 2
    np.testing.assert_array_equal(multi[1], expected)
    x, t = labeled[0]
    np.testing.assert_array_equal(x, expected)
    assert t == 3 and t.dtype == np.int32
    np.testing.assert_array_equal(pickle.loads(pickle.dumps(labeled))[0][0], expected)


class TestRefused:

    def test_memory_layout(self):
        conv = L.Convolution2D(2, 3, 3)
        state = dict(vars(conv), _overridden_to_methods=(), _Link__init_done=True,
                     x_layout='NHWC', cudnn_fast=False)
        data = pickle.dumps(_chainer_format(L.Convolution2D, state))
        with pytest.raises(ValueError, match='memory layouts'):
            pickle.loads(data)

    def test_unknown_device(self):
        with pytest.raises(TypeError, match='no such device'):
            chainer.variable._recover_parameter(
                np.ones(2, 'f'), 'p', None, True, np.ones(2, 'f'), None, 'tpu')

    def test_intel64_device(self):
        device = intel64.Intel64Device.__new__(intel64.Intel64Device)
        with pytest.raises(RuntimeError):
            chainer.variable._recover_parameter(
                np.ones(2, 'f'), 'p', None, True, np.ones(2, 'f'), None, device)

    @pytest.mark.parametrize('module', ['chainerx', 'cupy'])
    def test_missing_module_is_named(self, module):
        try:
            __import__(module)
        except ImportError:
            pass
        else:
            pytest.skip(f'{module} is installed')
        # What a pickle of a ChainerX or CuPy array starts with.
        data = b'\x80\x04c' + module.encode() + b'\nndarray\n.'
        with pytest.raises(ModuleNotFoundError, match=module):
            pickle.loads(data)


class _ChainerParameter:
    """Pickles as Chainer 7.8.1 pickled a Parameter."""

    def __init__(self, data, name, device):
        self.args = (data, name, None, True, data, None, device)

    def __reduce__(self):
        return chainer.variable._recover_parameter, self.args


@pytest.mark.gpu
def test_link_on_gpu(cupy):
    device = _chainer_format(cuda.GpuDevice, {'device': cupy.cuda.Device(0)})
    W = np.arange(6, dtype='f').reshape(2, 3) / 6
    b = np.array([0.5, -1], 'f')
    state = {'_overridden_to_methods': (), '_Link__init_done': True, '_params': {'W', 'b'},
             '_persistent': set(), '_within_init_scope': False, 'name': None,
             'in_size': 3, 'out_size': 2,
             'W': _ChainerParameter(cupy.asarray(W), 'W', device),
             'b': _ChainerParameter(cupy.asarray(b), 'b', device)}
    link = pickle.loads(pickle.dumps(_chainer_format(L.Linear, state)))
    assert isinstance(link.device, cuda.GpuDevice)
    assert isinstance(link.W.device, cuda.GpuDevice)
    x = np.ones((1, 3), 'f')
    y = link(cupy.asarray(x))
    assert isinstance(y.array, cupy.ndarray)
    _close(cupy.asnumpy(y.array), x @ W.T + b)


class _Slotted(chainer.Chain):
    __slots__ = ('extra',)


class TestOwnFormat:

    def test_slotted_subclass_round_trips(self):
        m = _Slotted()
        with m.init_scope():
            m.l = L.Linear(2, 2)
        m.extra = 3
        for copied in (pickle.loads(pickle.dumps(m)), copy.deepcopy(m)):
            assert copied.extra == 3
            np.testing.assert_array_equal(copied.l.W.array, m.l.W.array)
            assert [n for n, _ in copied.namedparams()] == ['/l/W', '/l/b']

    def test_older_parameter_pickles_load(self):
        # Before it wrote Chainer's seven arguments, rechainer wrote five, or six
        # with the gradient's validity.
        p = chainer.variable._recover_parameter(
            np.ones(2, 'f'), 'p', np.zeros(2, 'f'), chainer.initializers.One(), None)
        assert p.name == 'p'
        np.testing.assert_array_equal(p.grad, [0, 0])
        lazy = chainer.variable._recover_parameter(
            None, 'q', None, chainer.initializers.One(), None, False)
        with pytest.raises(RuntimeError):
            lazy.grad
        lazy.initialize((2,))
        np.testing.assert_array_equal(lazy.array, [1, 1])

    def test_hookable_names_resolve(self):
        from chainer import optimizer
        assert optimizer._Hookable.__qualname__ == '_Hookable'
        assert issubclass(optimizer._OptimizerHookable, optimizer._Hookable)


class TestWrittenAsChainer:
    """Variables, Parameters and links are pickled in Chainer 7.8.1's form, so that
    Chainer loads a model rechainer pickled (checked against Chainer itself when
    this was written; here against the form)."""

    def test_variable(self):
        v = chainer.Variable(np.arange(2, dtype='f'), name='v', grad=np.ones(2, 'f'))
        fn, args = v.__reduce__()
        assert fn is chainer.variable._create_variable
        assert len(args) == 5 and args[1:2] == ('v',) and args[3] is True
        assert isinstance(args[4], chainer.backend.CpuDevice)
        w = pickle.loads(pickle.dumps(v))
        assert type(w) is chainer.Variable and w.name == 'v'
        np.testing.assert_array_equal(w.grad, [1, 1])

    def test_parameter(self):
        p = chainer.Parameter(np.ones(2, 'f'), name='p')
        fn, args = p.__reduce__()
        assert fn is chainer.variable._recover_parameter and len(args) == 7
        assert args[3] is True and isinstance(args[6], chainer.backend.CpuDevice)
        lazy_args = chainer.Parameter(chainer.initializers.One()).__reduce__()[1]
        assert lazy_args[0] is None and lazy_args[3] is False

    def test_link_state(self):
        conv = L.Convolution2D(2, 3, 3)
        state = conv.__getstate__()
        assert state['_overridden_to_methods'] == ()
        assert state['_Link__init_done'] is True
        assert state['x_layout'] is None and state['cudnn_fast'] is False
        assert '_overridden_to_methods' not in vars(conv)
        again = pickle.loads(pickle.dumps(conv))
        assert not {'_overridden_to_methods', '_Link__init_done', 'x_layout',
                    'cudnn_fast'} & set(vars(again))
        x = np.ones((1, 2, 3, 3), 'f')
        np.testing.assert_array_equal(again(x).array, conv(x).array)

    def test_n_step_rnn_weights(self):
        rnn = L.NStepGRU(1, 2, 2, 0.0)
        state = rnn.__getstate__()
        assert state['ws'][0][0] is rnn[0].w0 and state['bs'][0][5] is rnn[0].b5
        again = pickle.loads(pickle.dumps(rnn))
        assert 'ws' not in vars(again) and again.ws[0][0] is again[0].w0

    def test_overridden_transfer_method_is_named(self):
        with pytest.warns(DeprecationWarning):
            class Own(chainer.Link):
                def to_cpu(self):
                    return super().to_cpu()
        assert Own().__getstate__()['_overridden_to_methods'] == ('to_cpu',)

    def test_optimizer_and_update_rules(self):
        model = L.Classifier(L.Linear(3, 2))
        opt = chainer.optimizers.MSVAG(0.05).setup(model)
        opt.add_hook(optimizer_hooks.WeightDecay(1e-3))
        x, t = np.ones((2, 3), 'f'), np.array([0, 1], 'i')
        opt.update(model, x, t)
        rule = model.predictor.W.update_rule
        rule.add_hook(optimizer_hooks.GradientHardClipping(-0.1, 0.1))
        state = opt.__getstate__()
        hookable = state['_hookable']
        assert type(hookable).__module__ == 'chainer.optimizer'
        assert type(hookable).__qualname__ == '_OptimizerHookable'
        assert hookable.optimizer is opt and hookable._invalid_timing_fallback
        assert list(hookable._pre_update_hooks) == ['WeightDecay']
        assert '_pre_update_hooks' not in state
        rule_state = rule.__getstate__()
        assert type(rule_state['_hookable']).__qualname__ == '_Hookable'
        assert list(rule_state['_hookable']._pre_update_hooks) == ['GradientHardClipping']
        assert rule_state['beta_power'] == rule.beta_power and '_derived' not in rule_state
        again = pickle.loads(pickle.dumps(opt))
        opt.update(model, x, t)
        again.update(again.target, x, t)
        np.testing.assert_array_equal(again.target.predictor.W.array, model.predictor.W.array)
        assert list(again._pre_update_hooks) == ['WeightDecay']
        assert list(again.target.predictor.W.update_rule._pre_update_hooks) == [
            'GradientHardClipping']
        assert '_hookable' not in vars(again)
