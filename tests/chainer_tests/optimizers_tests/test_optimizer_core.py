"""Tests of chainer.optimizer: Hyperparameter, UpdateRule, Optimizer, GradientMethod."""
import copy
import pickle
import warnings

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import optimizer
from chainer import optimizers

from tests.chainer_tests.optimizers_tests._optim_core_util import (
    DictDeserializer, DictSerializer, Leaf, Model, param_arrays, set_grads)


# -- Hyperparameter ---------------------------------------------------------

def test_hyperparameter_parent_chain():
    root = optimizer.Hyperparameter()
    root.lr = 0.1
    root.momentum = 0.9
    mid = optimizer.Hyperparameter(root)
    mid.lr = 0.2
    leaf = optimizer.Hyperparameter(mid)
    assert leaf.lr == 0.2
    assert leaf.momentum == 0.9
    assert leaf.parent is mid
    root.momentum = 0.5
    assert leaf.momentum == 0.5
    leaf.momentum = 0.1
    assert root.momentum == 0.5
    assert leaf.get_dict() == {'lr': 0.2, 'momentum': 0.1}
    assert repr(leaf) == 'Hyperparameter(lr=0.2, momentum=0.1)'


def test_hyperparameter_missing_attribute():
    hp = optimizer.Hyperparameter(optimizer.Hyperparameter())
    with pytest.raises(AttributeError, match='foo'):
        hp.foo
    assert not hasattr(hp, 'bar')


def test_hyperparameter_copy_and_pickle():
    root = optimizer.Hyperparameter()
    root.lr = 0.3
    hp = optimizer.Hyperparameter(root)
    hp.eps = 1e-3
    for other in (copy.deepcopy(hp), pickle.loads(pickle.dumps(hp)), copy.copy(hp)):
        assert other.lr == 0.3
        assert other.eps == 1e-3


def test_hyperparameter_proxy():
    opt = optimizers.SGD(lr=0.5)
    assert isinstance(optimizers.SGD.lr, optimizer.HyperparameterProxy)
    assert opt.lr == 0.5
    opt.lr = 0.25
    assert opt.hyperparam.lr == 0.25


def test_unknown_hyperparameter_reaches_rules():
    model = Leaf()
    opt = optimizers.SGD().setup(model)
    opt.hyperparam.my_value = 3
    assert model.W.update_rule.hyperparam.my_value == 3
    model.W.update_rule.hyperparam.lr = 1.0
    assert opt.lr == 0.01
    assert model.b.update_rule.hyperparam.lr == 0.01


# -- UpdateRule --------------------------------------------------------------

class CountingRule(optimizer.UpdateRule):
    """Adds grad * lr to the param and counts calls; state 'acc' accumulates the grads."""

    def __init__(self, parent_hyperparam=None):
        super().__init__(parent_hyperparam)
        self.calls = []

    def init_state(self, param):
        self.state['acc'] = param.xp.zeros_like(param.array)

    def update_core_cpu(self, param):
        self.calls.append(param.array.dtype)
        self.state['acc'] += param.grad
        param.array -= param.grad


def _param(dtype=numpy.float32, grad=True):
    p = chainer.Parameter(numpy.arange(6, dtype=dtype).reshape(2, 3))
    if grad:
        p.grad = numpy.ones((2, 3), dtype=dtype)
    return p


def test_update_rule_basic():
    rule = CountingRule()
    p = _param()
    assert rule.state is None
    rule.update(p)
    assert rule.t == 1
    numpy.testing.assert_array_equal(p.array, numpy.arange(6).reshape(2, 3) - 1)
    numpy.testing.assert_array_equal(rule.state['acc'], numpy.ones((2, 3)))


def test_library_rule_skips_none_grad_and_uninitialized_params():
    rule = optimizers.SGD(lr=0.1).create_update_rule()
    hook_calls = []
    rule.add_hook(lambda r, p: hook_calls.append(p), name='h')
    p = _param(grad=False)
    before = p.array.copy()
    rule.update(p)
    rule.update(chainer.Parameter())
    numpy.testing.assert_array_equal(p.array, before)
    assert hook_calls == [] and rule.t == 2


class _RecordingRule(optimizer.UpdateRule):
    def __init__(self):
        super().__init__()
        self.calls = []

    def init_state(self, param):
        self.state['n'] = 0

    def update_core_cpu(self, param):
        self.calls.append((param, param.grad_var))


@pytest.mark.parametrize('with_state', [False, True])
def test_user_rule_and_hooks_see_params_without_grad(with_state):
    # As in Chainer: a rule written by the user (and its hooks) is called for every
    # parameter; the state is created for an initialized one.
    rule = _RecordingRule()
    hooked = []
    rule.add_hook(lambda r, p: hooked.append(p), name='h')
    p = _param(grad=False)
    if with_state:
        rule.update(_param())
        del rule.calls[:], hooked[:]
    rule.update(p)
    assert rule.calls == [(p, None)] and hooked == [p]
    assert rule.state == {'n': 0}


def test_subclass_of_a_library_rule_keeping_its_steps_skips_like_it():
    # Only update methods written by the user are called for such parameters.
    from chainer.optimizers.adam import AdamRule

    class Tagged(AdamRule):
        pass

    class Own(AdamRule):
        def update_core_cpu(self, param):
            calls.append(param)

    calls = []
    hp = optimizers.Adam().hyperparam
    p = chainer.Parameter()
    Tagged(hp).update(p)
    assert p.array is None
    Own(hp).update(p)
    assert calls == [p]


def test_user_update_core_sees_uninitialized_params():
    calls = []
    rule = optimizer.UpdateRule()
    rule.update_core = lambda param: calls.append(param)
    p = chainer.Parameter()
    rule.update(p)
    assert calls == [p] and rule.state is None and p.array is None


def test_user_update_core_sees_an_uninitialized_float16_param_as_float32():
    # As in Chainer: with fp32 updates it gets an uninitialized float32 stand-in.
    calls = []
    rule = optimizer.UpdateRule()
    rule.update_core = lambda param: calls.append(param)
    rule.use_fp32_update()
    p = chainer.Parameter(chainer.initializers.Zero(numpy.float16))
    rule.update(p)
    assert len(calls) == 1 and calls[0] is not p
    assert calls[0].array is None and calls[0].dtype == numpy.float32
    assert p.array is None and p.dtype == numpy.float16
    p.initialize((2,))
    p.grad = numpy.ones(2, numpy.float16)
    rule.update(p)
    assert calls[1].array.dtype == numpy.float32 and calls[1].array.shape == (2,)


def test_deserialize_runs_an_init_state_that_writes_to_the_rule_itself():
    # Chainer's loader lets init_state fill this very rule's state (its copy shares
    # the dict), so an init_state set on the instance that closes over it loads too.
    rule = optimizer.UpdateRule()

    def init_state(param):
        rule.state['m'] = param.xp.zeros_like(param.array)

    rule.init_state = init_state
    stored = {'t': 3, 'm': numpy.array([1., 2.], numpy.float32)}

    class Loader(chainer.serializer.Deserializer):
        def __getitem__(self, key):
            return self

        def __call__(self, key, value):
            return stored[key]

    rule.serialize(Loader())
    assert rule.t == 3
    numpy.testing.assert_array_equal(rule.state['m'], [1., 2.])


def test_update_rule_disabled():
    rule = CountingRule()
    rule.enabled = False
    p = _param()
    rule.update(p)
    assert rule.t == 0
    assert rule.calls == []


def test_update_rule_hooks_order():
    rule = CountingRule()
    log = []

    def pre(r, param):
        log.append(('pre', float(param.array[0, 0])))

    def post(r, param):
        log.append(('post', float(param.array[0, 0])))

    rule.add_hook(pre, timing='pre')
    rule.add_hook(post, timing='post')
    rule.update(_param())
    assert log == [('pre', 0.0), ('post', -1.0)]
    rule.remove_hook('pre')
    rule.remove_hook('post')
    with pytest.raises(KeyError):
        rule.remove_hook('pre')


def test_update_rule_hook_errors():
    rule = CountingRule()
    with pytest.raises(TypeError):
        rule.add_hook(3)
    with pytest.raises(ValueError, match='timing'):
        rule.add_hook(lambda r, p: None, name='x', timing='middle')
    rule.add_hook(lambda r, p: None, name='x')
    with pytest.raises(KeyError, match='already exists'):  # as Chainer
        rule.add_hook(lambda r, p: None, name='x')


def test_update_rule_unscales_loss_scale():
    rule = CountingRule()
    p = _param()
    p.grad = numpy.full((2, 3), 8.0, dtype=numpy.float32)
    p._loss_scale = 8.0
    rule.update(p)
    numpy.testing.assert_array_equal(p.array, numpy.arange(6).reshape(2, 3) - 1)
    # The factor is consumed so a second update does not unscale again.
    assert p._loss_scale is None


def _add_one_hook(opt):
    for param in opt.target.params():
        param.grad += 1.0


def _two_params_with_static_scale(use_cleargrads):
    link = chainer.Link()
    with link.init_scope():
        link.a = chainer.Parameter(numpy.array([1.0, 2.0]))
        link.b = chainer.Parameter(numpy.array([3.0, 4.0]))
    opt = optimizers.SGD(lr=1.0)
    opt.setup(link)
    opt.loss_scaling(scale=8.0)
    opt.add_hook(_add_one_hook, name='add_one')
    if not use_cleargrads:
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', DeprecationWarning)
            opt.use_cleargrads(False)
    return link, opt


@pytest.mark.parametrize('use_cleargrads', [True, False])
def test_param_missed_by_backward_counts_as_scaled_by_its_last_scale(use_cleargrads):
    # As in Chainer: a parameter the backward pass did not reach keeps the loss
    # scale of its last backward pass, so what hooks add to its (zero) gradient is
    # divided by it like everyone else's.
    link, opt = _two_params_with_static_scale(use_cleargrads)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore', DeprecationWarning)
        opt.update(lambda: F.sum(link.a * link.a) + F.sum(link.b * link.b))
        numpy.testing.assert_array_equal(link.b.array, [-3.125, -4.125])
        opt.update(lambda: F.sum(link.a * link.a))
    numpy.testing.assert_array_equal(link.b.array, [-3.25, -4.25])
    numpy.testing.assert_array_equal(link.b.grad, [0.125, 0.125])
    # A gradient assigned after the update counts as scaled too (Chainer's stale
    # scale); the unscaled gradient itself is not divided again.
    link.b.grad = numpy.array([8.0, 16.0])
    link.b.update()
    numpy.testing.assert_array_equal(link.b.array, [-4.25, -6.25])
    link.b.update()
    numpy.testing.assert_array_equal(link.b.array, [-5.25, -8.25])


def test_update_rule_fp32_update():
    rule = CountingRule()
    rule.use_fp32_update()
    p = _param(numpy.float16)
    p.grad = numpy.full((2, 3), 1e-4, dtype=numpy.float16)
    for _ in range(10):
        rule.update(p)
    assert rule.calls == [numpy.dtype(numpy.float32)] * 10
    assert rule.state['acc'].dtype == numpy.float32
    assert p.dtype == numpy.float16
    # 2 - 10 * 1e-4 is representable in float16 only through the float32 master copy.
    expected = (numpy.arange(6, dtype=numpy.float32).reshape(2, 3)
                - 10 * numpy.float32(numpy.float16(1e-4))).astype(numpy.float16)
    numpy.testing.assert_array_equal(p.array, expected)


def test_update_rule_without_fp32_update_float16_state():
    rule = CountingRule()
    p = _param(numpy.float16)
    rule.update(p)
    assert rule.calls == [numpy.dtype(numpy.float16)]
    assert rule.state['acc'].dtype == numpy.float16


def test_update_rule_not_implemented():
    rule = optimizer.UpdateRule()
    with pytest.raises(NotImplementedError):
        rule.update(_param())


def test_update_rule_serialize_roundtrip():
    rule = CountingRule()
    p = _param()
    rule.update(p)
    rule.update(p)
    target = {}
    DictSerializer(target).save(rule)
    assert target['t'] == 2
    numpy.testing.assert_array_equal(target['acc'], numpy.full((2, 3), 2.0))
    # into a fresh rule (state None): state entries are discovered via init_state
    fresh = CountingRule()
    DictDeserializer(target).load(fresh)
    assert fresh.t == 2
    numpy.testing.assert_array_equal(fresh.state['acc'], numpy.full((2, 3), 2.0))
    # into a rule with state: arrays are filled in place
    other = CountingRule()
    other.update(_param())
    acc = other.state['acc']
    DictDeserializer(target).load(other)
    assert other.state['acc'] is acc
    numpy.testing.assert_array_equal(acc, numpy.full((2, 3), 2.0))


def test_update_rule_deserialize_missing_state():
    target = {'t': 4}
    rule = CountingRule()
    with pytest.raises(KeyError):
        DictDeserializer(target).load(rule)
    # A disabled rule tolerates the missing state and creates it lazily.
    rule = CountingRule()
    rule.enabled = False
    DictDeserializer(target).load(rule)
    assert rule.t == 4
    assert rule.state is None


def test_update_rule_saved_before_its_first_step_loads():
    # A rule that never stepped saves only t == 0; loading that into a fresh
    # rule leaves its state to be created at the first update (Chainer raised
    # KeyError on its own snapshot). A partial state is still an error.
    target = {}
    DictSerializer(target).save(CountingRule())
    rule = CountingRule()
    DictDeserializer(target).load(rule)
    assert rule.t == 0 and rule.state is None
    rule.update(_param())
    assert rule.t == 1
    model = Model()
    opt = optimizers.MomentumSGD().setup(model)
    saved = {}
    DictSerializer(saved).save(opt)
    fresh = optimizers.MomentumSGD().setup(Model())
    DictDeserializer(saved).load(fresh)
    assert all(p.update_rule.state is None for p in fresh.target.params())


def test_update_rule_serialize_without_state_writes_only_t():
    target = {}
    DictSerializer(target).save(CountingRule())
    assert target == {'t': 0}


# -- Optimizer / GradientMethod --------------------------------------------

def test_setup_returns_self_and_creates_rules():
    model = Model()
    opt = optimizers.SGD()
    assert opt.setup(model) is opt
    assert opt.target is model
    rules = [p.update_rule for p in model.params()]
    assert all(isinstance(r, optimizers.sgd.SGDRule) for r in rules)
    assert len({id(r) for r in rules}) == 4
    assert rules[0].hyperparam.parent is opt.hyperparam


def test_setup_rejects_non_link():
    with pytest.raises(TypeError, match='link'):
        optimizers.SGD().setup(numpy.zeros(3))


def test_update_before_setup():
    with pytest.raises(RuntimeError, match='setup'):
        optimizers.SGD().update()
    with pytest.raises(RuntimeError, match='setup'):
        optimizers.SGD().add_hook(lambda opt: None, name='h')
    with pytest.raises(RuntimeError, match='setup'):
        optimizers.SGD().serialize(DictSerializer())


def test_base_classes_not_implemented():
    with pytest.raises(NotImplementedError):
        optimizer.Optimizer().update()
    with pytest.raises(NotImplementedError):
        optimizer.GradientMethod().setup(Leaf())


def test_update_with_lossfun():
    model = Leaf()
    opt = optimizers.SGD(lr=0.5).setup(model)
    x = numpy.random.RandomState(3).uniform(-1, 1, (5, 4)).astype(numpy.float32)
    W0 = model.W.array.copy()
    b0 = model.b.array.copy()
    model.W.grad = numpy.full((3, 4), 100, dtype=numpy.float32)  # stale: must be cleared

    def lossfun(x_, scale=1.0):
        return F.sum(F.linear(x_, model.W, model.b)) * scale

    opt.update(lossfun, x, scale=2.0)
    assert opt.t == 1
    gW = numpy.tile(x.sum(axis=0), (3, 1)) * 2
    numpy.testing.assert_allclose(model.W.array, W0 - 0.5 * gW, rtol=1e-6)
    numpy.testing.assert_allclose(model.b.array, b0 - 0.5 * 10, rtol=1e-6)


def test_update_counts_t_and_reallocates_grads():
    model = Model()
    opt = optimizers.SGD().setup(model)
    for _ in range(3):
        opt.update()
    assert opt.t == 3
    for p in model.params():
        assert p.update_rule.t == 3
        numpy.testing.assert_array_equal(p.grad, numpy.zeros(p.shape))


def test_disabled_rules_keep_params():
    model = Model()
    opt = optimizers.SGD(lr=1.0).setup(model)
    model.l1.disable_update()
    before = param_arrays(model)
    set_grads(model, 0)
    opt.update()
    after = param_arrays(model)
    numpy.testing.assert_array_equal(after['/l1/W'], before['/l1/W'])
    assert not numpy.array_equal(after['/l2/W'], before['/l2/W'])


class _Hook:
    def __init__(self, name, timing, log, model):
        self.name = name
        self.timing = timing
        self.log = log
        self.model = model

    def __call__(self, opt):
        self.log.append((self.name, opt.t, float(self.model.W.array[0, 0])))


def test_hook_timing():
    model = Leaf()
    opt = optimizers.SGD(lr=1.0).setup(model)
    log = []
    opt.add_hook(_Hook('after', 'post', log, model))
    opt.add_hook(_Hook('before', 'pre', log, model))
    opt.add_hook(_Hook('forced', 'pre', log, model), timing='post')
    model.W.array[0, 0] = 2.0
    w0 = 2.0
    model.W.grad = numpy.ones((3, 4), dtype=numpy.float32)
    opt.update()
    assert log == [('before', 0, w0), ('after', 1, w0 - 1), ('forced', 1, w0 - 1)]
    opt.remove_hook('forced')
    opt.remove_hook('before')
    log.clear()
    opt.update()
    assert [e[0] for e in log] == ['after']
    with pytest.raises(KeyError):
        opt.remove_hook('nothing')


def test_hook_errors_and_defaults():
    opt = optimizers.SGD().setup(Leaf())
    with pytest.raises(TypeError):
        opt.add_hook('not callable')
    with pytest.raises(ValueError, match='timing'):
        opt.add_hook(lambda o: None, name='x', timing='later')
    opt.add_hook(lambda o: None, name='x', timing='pre')
    with pytest.raises(KeyError, match='already exists'):
        opt.add_hook(lambda o: None, name='x', timing='post')
    with pytest.raises(ValueError, match='timing'):
        opt.call_hooks('later')

    def plain(o):
        pass

    # No timing attribute: 'pre', silently; the name falls back to __name__.
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        opt.add_hook(plain)
    assert 'plain' in opt._pre_update_hooks

    # A timing attribute other than 'pre' or 'post': 'pre', with a warning.
    def odd(o):
        pass
    odd.timing = 'middle'
    with pytest.warns(UserWarning, match="defaulting timing to 'pre'"):
        opt.add_hook(odd)
    assert 'odd' in opt._pre_update_hooks


def test_per_param_hook():
    model = Model()
    opt = optimizers.SGD().setup(model)
    seen = []

    class PerParam:
        name = 'per_param'
        timing = 'pre'
        call_for_each_param = True

        def __call__(self, rule, param):
            seen.append((rule is param.update_rule, param.shape))

    opt.add_hook(PerParam())
    opt.update()
    assert seen == [(True, (3, 4)), (True, (3,))] * 2


def test_hook_may_clear_grads():
    model = Leaf()
    opt = optimizers.SGD().setup(model)
    opt.add_hook(lambda o: o.target.cleargrads(), name='clear', timing='pre')
    set_grads(model, 0)
    before = param_arrays(model)
    opt.update()  # grads cleared by the hook are reallocated as zeros
    numpy.testing.assert_array_equal(model.W.array, before['/W'])


def test_new_epoch():
    opt = optimizers.SGD().setup(Leaf())
    opt.new_epoch()
    assert opt.epoch == 1
    with pytest.raises(RuntimeError):
        opt.new_epoch(auto=True)
    opt.use_auto_new_epoch = True
    opt.new_epoch(auto=True)
    assert opt.epoch == 2
    with pytest.raises(RuntimeError):
        opt.new_epoch()


def test_setup_resets_t_epoch_and_hooks():
    opt = optimizers.SGD().setup(Leaf())
    opt.add_hook(lambda o: None, name='h', timing='pre')
    opt.update()
    opt.new_epoch()
    opt.setup(Leaf())
    assert (opt.t, opt.epoch) == (0, 0)
    opt.add_hook(lambda o: None, name='h', timing='pre')


def test_optimizer_serialize_roundtrip():
    model = Model()
    opt = optimizers.MomentumSGD().setup(model)
    for i in range(3):
        set_grads(model, i)
        opt.update()
    opt.new_epoch()
    target = {}
    DictSerializer(target).save(opt)
    assert target['t'] == 3
    assert target['epoch'] == 1
    assert target['l1/W/t'] == 3
    assert sorted(k for k in target if k.endswith('/v')) == [
        'l1/W/v', 'l1/b/v', 'l2/W/v', 'l2/b/v']

    model2 = Model()
    model2.copyparams(model)
    opt2 = optimizers.MomentumSGD().setup(model2)
    DictDeserializer(target).load(opt2)
    assert (opt2.t, opt2.epoch) == (3, 1)
    for (name, p), p2 in zip(model.namedparams(), model2.params()):
        assert p2.update_rule.t == 3
        numpy.testing.assert_array_equal(p2.update_rule.state['v'], p.update_rule.state['v'])
    # Both continue identically.
    set_grads(model, 10)
    set_grads(model2, 10)
    opt.update()
    opt2.update()
    for p, p2 in zip(model.params(), model2.params()):
        numpy.testing.assert_array_equal(p.array, p2.array)


def test_optimizer_deserialize_missing_key():
    target = {}
    DictSerializer(target).save(optimizers.SGD().setup(Model()))
    del target['epoch']
    with pytest.raises(KeyError):
        DictDeserializer(target).load(optimizers.SGD().setup(Model()))


def test_static_loss_scale():
    model = Leaf()
    ref = Leaf()
    opt = optimizers.SGD(lr=0.1).setup(model)
    opt.set_loss_scale(128.0)
    ref_opt = optimizers.SGD(lr=0.1).setup(ref)
    x = numpy.random.RandomState(1).uniform(-1, 1, (2, 4)).astype(numpy.float32)

    def make_loss(m):
        return lambda: F.sum(F.linear(x, m.W, m.b) ** 2)

    opt.update(make_loss(model))
    ref_opt.update(make_loss(ref))
    numpy.testing.assert_allclose(model.W.array, ref.W.array, rtol=1e-6)
    numpy.testing.assert_allclose(model.b.array, ref.b.array, rtol=1e-6)
    with pytest.raises(ValueError):
        opt.set_loss_scale(-1)


def _step(opt, model, bad):
    for p in model.params():
        p.grad = numpy.full_like(p.array, numpy.inf if bad else 0.5)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        opt.update()
    return caught


def test_dynamic_loss_scaling_follows_chainer():
    # Dynamic scaling starts at 1 and doubles each step until a first overflow; then it
    # halves on each bad step (skipped, but counted in t with its hooks run) and grows by
    # 2 ** (1 / interval) on good ones.
    model = Leaf()
    opt = optimizers.SGD(lr=0.1).setup(model)
    calls = []
    opt.add_hook(lambda o: calls.append('pre'), name='pre')
    opt.add_hook(lambda o: calls.append('post'), name='post', timing='post')
    opt.loss_scaling(interval=2)
    assert opt._loss_scale == 1.0 and opt._loss_scaling_is_dynamic
    scales = []
    for bad in (0, 0, 1, 0, 0, 1, 1):
        before = param_arrays(model)
        caught = _step(opt, model, bad)
        scales.append(opt._loss_scale)
        changed = any(not numpy.array_equal(before[k], v)
                      for k, v in param_arrays(model).items())
        assert changed != bool(bad)
        assert bool(caught) == bool(bad)
    message = str(caught[0].message)
    assert 'Non finite number found in param.grad of' in message and 'iteration: 6' in message
    root2 = 2 ** 0.5
    numpy.testing.assert_allclose(scales, [2, 4, 2, 2 * root2, 4, 2, 1])
    assert opt.t == 7 and calls == ['pre', 'post'] * 7
    for _ in range(40):
        _step(opt, model, 0)
    assert opt._loss_scale == 65504
    with pytest.raises(ValueError):
        opt.loss_scaling(interval=0)


def test_dynamic_loss_scale_is_saved_and_loaded():
    # A resumed run goes on with the scale it had (Chainer saved none and
    # restarted at 1); a snapshot without it, as Chainer's, keeps the scale.
    model = Leaf()
    opt = optimizers.SGD(lr=0.1).setup(model)
    opt.loss_scaling(interval=2)
    for bad in (0, 0, 1, 0):
        _step(opt, model, bad)
    target = {}
    DictSerializer(target).save(opt)
    model2 = Leaf()
    opt2 = optimizers.SGD(lr=0.1).setup(model2)
    opt2.loss_scaling(interval=2)
    DictDeserializer(target).load(opt2)
    assert opt2._loss_scale == opt._loss_scale == 2 * 2 ** 0.5
    assert opt2._loss_scaling_isnan_ever
    _step(opt, model, 0)
    _step(opt2, model2, 0)
    assert opt2._loss_scale == opt._loss_scale == pytest.approx(4)
    del target['_loss_scale'], target['_loss_scaling_isnan_ever']
    opt3 = optimizers.SGD(lr=0.1).setup(Leaf())
    opt3.loss_scaling(interval=2)
    DictDeserializer(target).load(opt3)
    assert opt3._loss_scale == 1.0 and opt3.t == 4
    static = {}
    DictSerializer(static).save(optimizers.SGD().setup(Leaf()))
    assert '_loss_scale' not in static


def test_loss_scaling_with_a_scale_is_static():
    model = Leaf()
    opt = optimizers.SGD(lr=0.1).setup(model)
    opt.loss_scaling(interval=2, scale=64.0)
    assert opt._loss_scale == 64.0 and not opt._loss_scaling_is_dynamic
    for p in model.params():
        p.grad = numpy.full_like(p.array, 0.5)
    opt.update()
    assert opt._loss_scale == 64.0 and opt.t == 1
    with pytest.raises(ValueError):
        opt.loss_scaling(scale=0)


def test_dynamic_loss_scaling_nan_with_lossfun():
    model = Leaf()
    opt = optimizers.SGD().setup(model)
    opt.loss_scaling()
    assert opt._loss_scale == 1.0
    x = numpy.array([[numpy.nan, 0, 0, 0]], dtype=numpy.float32)
    before = param_arrays(model)
    with warnings.catch_warnings():
        warnings.simplefilter('ignore')
        opt.update(lambda: F.sum(F.linear(x, model.W, model.b)))
    assert opt._loss_scale == 1 and opt.t == 1
    numpy.testing.assert_array_equal(model.W.array, before['/W'])


def test_use_fp32_update_optimizer():
    model = Leaf(numpy.float16)
    opt = optimizers.MomentumSGD(lr=0.1)
    opt.use_fp32_update()
    opt.setup(model)
    set_grads(model, 0)
    opt.update()
    rule = model.W.update_rule
    assert rule.state['v'].dtype == numpy.float32
    assert model.W.dtype == numpy.float16
    # enabling after setup reaches existing rules too
    opt2 = optimizers.SGD().setup(Leaf(numpy.float16))
    opt2.use_fp32_update()
    assert opt2.target.W.update_rule._use_fp32_update


def test_use_cleargrads_deprecated():
    opt = optimizers.SGD().setup(Leaf())
    with pytest.warns(DeprecationWarning):
        opt.use_cleargrads(False)


def test_copy_of_link_keeps_rules_working():
    model = Leaf()
    opt = optimizers.MomentumSGD().setup(model)
    set_grads(model, 0)
    opt.update()
    clone = copy.deepcopy(model)
    assert clone.W.update_rule.hyperparam.lr == 0.01
    clone.W.update()


# -- deprecated aliases ------------------------------------------------------

def test_make_deprecation_message():
    assert optimizer.make_deprecation_message('WeightDecay') == (
        'chainer.optimizer.WeightDecay is deprecated from v4. '
        'Use chainer.optimizer_hooks.WeightDecay instead.')


@pytest.mark.parametrize('name, args', [
    ('WeightDecay', (0.1,)), ('Lasso', (0.1,)), ('GradientClipping', (1.0,)),
    ('GradientHardClipping', (-1.0, 1.0)), ('GradientNoise', (0.1,))])
def test_deprecated_aliases(name, args):
    from chainer import optimizer_hooks
    alias = getattr(optimizer, name)
    assert getattr(optimizer, name) is alias
    with pytest.warns(DeprecationWarning, match=f'optimizer_hooks.{name}'):
        hook = alias(*args)
    assert isinstance(hook, getattr(optimizer_hooks, name))
    assert name in dir(optimizer)


def test_unknown_module_attribute():
    with pytest.raises(AttributeError):
        optimizer.NoSuchThing


def test_loaded_state_of_wrong_shape():
    model = Model()
    opt = optimizers.MomentumSGD().setup(model)
    set_grads(model, 0)
    opt.update()
    snap = {}
    DictSerializer(snap).save(opt)
    snap['l2/b/v'] = numpy.zeros((1,), dtype=numpy.float32)
    model2 = Model()
    opt2 = optimizers.MomentumSGD().setup(model2)
    DictDeserializer(snap).load(opt2)
    before = param_arrays(model2)
    set_grads(model2, 1)
    with pytest.raises(ValueError, match="'v' has shape"):
        opt2.update()
    # Nothing was updated (the bad state is the last parameter's).
    for k, v in param_arrays(model2).items():
        numpy.testing.assert_array_equal(v, before[k])


def test_save_load_npz_roundtrip(tmp_path):
    serializers = pytest.importorskip('chainer.serializers')
    if not hasattr(serializers, 'save_npz'):
        pytest.skip('chainer.serializers.save_npz is not available yet')
    model = Model()
    opt = optimizers.Adam(amsgrad=True).setup(model)
    for i in range(2):
        set_grads(model, i)
        opt.update()
    path = str(tmp_path / 'opt.npz')
    serializers.save_npz(path, opt)
    with numpy.load(path) as f:
        assert 'l2/b/vhat' in f.files and 't' in f.files and 'epoch' in f.files
    model2 = Model()
    model2.copyparams(model)
    opt2 = optimizers.Adam(amsgrad=True).setup(model2)
    serializers.load_npz(path, opt2)
    assert opt2.t == 2
    for m, o in ((model, opt), (model2, opt2)):
        set_grads(m, 5)
        o.update()
    for p, q in zip(model.params(), model2.params()):
        numpy.testing.assert_array_equal(p.array, q.array)


def test_set_loss_scale_none_starts_dynamic_scaling():
    opt = optimizers.SGD(lr=0.1).setup(Leaf())
    opt.set_loss_scale(8.0)
    opt.set_loss_scale(None)
    assert opt._loss_scale == 1.0
    assert opt._loss_scaling_is_dynamic
    assert opt._loss_scaling_multiplier == 2.0 ** (1 / 1000)


@pytest.mark.parametrize('set_scale', [lambda o: o.set_loss_scale(8.0),
                                       lambda o: o.loss_scaling(interval=5, scale=8.0)])
def test_a_scale_given_after_dynamic_scaling_keeps_it_dynamic(set_scale):
    # As in Chainer: a scale sets the current scale only, so dynamic scaling goes on
    # from it (with the interval it was switched on with) and doubles on good steps.
    model = Leaf()
    opt = optimizers.SGD(lr=0.1).setup(model)
    opt.loss_scaling(interval=2)
    set_scale(opt)
    assert opt._loss_scale == 8.0 and opt._loss_scaling_is_dynamic
    assert opt._loss_scaling_multiplier == 2.0 ** 0.5
    scales = []
    for bad in (0, 0, 1, 0):
        _step(opt, model, bad)
        scales.append(opt._loss_scale)
    numpy.testing.assert_allclose(scales, [16, 32, 16, 16 * 2 ** 0.5])


@pytest.mark.parametrize('call', [lambda o: o.remove_hook('h'), lambda o: o.call_hooks('pre')])
def test_hooks_before_setup_raise_runtime_error(call):
    with pytest.raises(RuntimeError, match='before setup'):
        call(optimizers.SGD())


def test_hyperparameter_repr_prints_numpy_values_with_str_as_chainer_did():
    # Chainer's '%s' gave 0.1 for numpy.float32(0.1); format() would give 0.10000000149011612.
    assert repr(optimizers.SGD(lr=numpy.float32(0.1)).hyperparam) == 'Hyperparameter(lr=0.1)'


@pytest.mark.gpu
@pytest.mark.parametrize('moves', [('@cupy:0',), ('@cupy:0', '@numpy')])
def test_fp32_update_after_the_model_moved_to_another_device(moves):
    # The float32 master copy follows the parameter to its new device (Chainer's
    # stayed behind, so the next update failed on a grad of another array type).
    cupy = pytest.importorskip('cupy')

    def make():
        link = chainer.Link()
        with link.init_scope():
            link.W = chainer.Parameter(numpy.linspace(-1, 1, 6, dtype=numpy.float16))
        opt = optimizers.MomentumSGD(0.1).setup(link)
        opt.use_fp32_update()
        return link, opt

    def step(link, opt, k):
        link.W.grad = link.xp.asarray(numpy.linspace(0.5, 1, 6, dtype=numpy.float16) * k)
        opt.update()

    ref, ref_opt = make()
    moved, opt = make()
    for k, device in enumerate(('@numpy',) + moves):
        moved.to_device(device)
        for _ in range(2):
            step(ref, ref_opt, k + 1)
            step(moved, opt, k + 1)
    master = moved.W.update_rule._fp32_param
    assert master.device == moved.W.device
    assert type(moved.W.update_rule.state['v']) is type(moved.W.array)
    numpy.testing.assert_array_equal(cupy.asnumpy(moved.W.array), ref.W.array)
    numpy.testing.assert_array_equal(cupy.asnumpy(master.array),
                                     ref.W.update_rule._fp32_param.array)


@pytest.mark.gpu
def test_states_made_on_the_host_move_to_a_gpu_parameter(cupy):
    # As Chainer: whatever device init_state made its arrays on, the update
    # sees them on the parameter's device (plain values stay as they are).
    seen = {}

    class Rule(optimizer.UpdateRule):
        def init_state(self, param):
            self.state['count'] = 0
            self.state['v'] = numpy.zeros(3, numpy.float32)

        def update_core(self, param):
            seen.update(self.state)

    param = chainer.Parameter(cupy.ones(3, numpy.float32))
    param.grad = cupy.ones(3, numpy.float32)
    Rule().update(param)
    assert seen['count'] == 0
    assert isinstance(seen['v'], cupy.ndarray)
