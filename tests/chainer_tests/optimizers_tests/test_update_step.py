"""The CPU update step: bit-exact against plain NumPy updates, and the same as the general path.

``GradientMethod.update`` and ``UpdateRule.update`` take a short path when
nothing needs more (no hook, no loss scaling, no fp32 update, state on the CPU);
these tests pin its results to hand-written NumPy updates and to the general
path, and check the bookkeeping Chainer defines around it.
"""
import math

import numpy
import pytest

import chainer
from chainer import optimizers
from tests.chainer_tests.optimizers_tests import _optim_core_util as util

DTYPES = [numpy.float16, numpy.float32, numpy.float64]
STEPS = 4


def _grads(model, seed):
    return util.set_grads(model, seed)


def _run(opt, model, lrs, lr_name, with_hook=False):
    """Steps ``opt`` with fixed random gradients, setting the learning rate before each."""
    opt.setup(model)
    if with_hook:
        # Any optimizer hook sends the update through the general path.
        opt.add_hook(lambda o: None, name='noop', timing='pre')
    for step, lr in enumerate(lrs):
        setattr(opt, lr_name, lr)
        _grads(model, seed=step)
        opt.update()
    return util.param_arrays(model)


def _reference(model_dtype, lrs, step_fn, state_names):
    """Applies ``step_fn(data, grad, state, lr, t)`` per parameter, NumPy only."""
    model = util.Model(model_dtype)
    params = util.param_arrays(model)
    states = {name: {k: numpy.zeros_like(a) for k in state_names}
              for name, a in params.items()}
    for step, lr in enumerate(lrs):
        grads = _grads(model, seed=step)
        for name, data in params.items():
            step_fn(data, grads[name], states[name], lr, step + 1)
    return params


def _sgd_step(data, grad, state, lr, t):
    data -= grad * data.dtype.type(lr)


def _momentum_step(momentum):
    def step(data, grad, state, lr, t):
        s = data.dtype.type
        v = state['v']
        v *= s(momentum)
        v -= grad * s(lr)
        data += v
    return step


def _adam_step(beta1=0.9, beta2=0.999, eps=1e-8, amsgrad=False, weight_decay_rate=0.0):
    def step(data, grad, state, alpha, t):
        dtype = numpy.float32 if data.dtype == numpy.float16 else data.dtype
        s = numpy.dtype(dtype).type
        g = grad.astype(dtype)
        m, v = state['m'], state['v']
        m += (g - m) * s(1 - beta1)
        v += (g * g - v) * s(1 - beta2)
        if amsgrad:
            numpy.maximum(state['vhat'], v, out=state['vhat'])
            vhat = state['vhat']
        else:
            vhat = v
        alpha_t = alpha * math.sqrt(1 - beta2 ** t) / (1 - beta1 ** t)
        # The square root is taken in the compute dtype (float32 for float16 parameters,
        # whose state is float16), as in Chainer.
        update = s(alpha_t) / (numpy.sqrt(vhat.astype(dtype)) + s(eps))
        update *= m
        if weight_decay_rate != 0:
            data *= data.dtype.type(1 - weight_decay_rate)
        data -= update
    return step


CASES = [
    ('sgd', lambda: optimizers.SGD(), 'lr', _sgd_step, ()),
    ('momentum', lambda: optimizers.MomentumSGD(momentum=0.8), 'lr',
     _momentum_step(0.8), ('v',)),
    ('adam', lambda: optimizers.Adam(), 'alpha', _adam_step(), ('m', 'v')),
    ('amsgrad', lambda: optimizers.AMSGrad(), 'alpha', _adam_step(amsgrad=True),
     ('m', 'v', 'vhat')),
    ('adamw', lambda: optimizers.AdamW(weight_decay_rate=0.01), 'alpha',
     _adam_step(weight_decay_rate=0.01), ('m', 'v')),
]


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('name,make,lr_name,step_fn,state_names', CASES,
                         ids=[c[0] for c in CASES])
def test_matches_numpy_reference(dtype, name, make, lr_name, step_fn, state_names):
    # The learning rate changes between steps and must take effect at once.
    lrs = [0.1, 0.1, 0.03, 0.5][:STEPS]
    got = _run(make(), util.Model(dtype), lrs, lr_name)
    want = _reference(dtype, lrs, step_fn, state_names)
    for key in want:
        numpy.testing.assert_array_equal(got[key], want[key], err_msg=f'{name} {key}')


ALL_OPTIMIZERS = [
    (optimizers.SGD, 'lr'), (optimizers.MomentumSGD, 'lr'), (optimizers.NesterovAG, 'lr'),
    (optimizers.CorrectedMomentumSGD, 'lr'), (optimizers.Adam, 'alpha'),
    (optimizers.AMSBound, 'alpha'), (optimizers.AdaGrad, 'lr'), (optimizers.RMSprop, 'lr'),
    (optimizers.AdaDelta, None), (optimizers.MSVAG, 'lr'), (optimizers.SMORMS3, 'lr'),
]


# float16 where the default eps is representable in float16.
_FP16 = {optimizers.SGD, optimizers.MomentumSGD, optimizers.NesterovAG,
         optimizers.CorrectedMomentumSGD, optimizers.Adam, optimizers.AMSBound,
         optimizers.AdaDelta, optimizers.MSVAG}


@pytest.mark.parametrize('dtype', DTYPES)
@pytest.mark.parametrize('cls,lr_name', ALL_OPTIMIZERS,
                         ids=[c[0].__name__ for c in ALL_OPTIMIZERS])
def test_same_as_general_path(dtype, cls, lr_name):
    if dtype == numpy.float16 and cls not in _FP16:
        pytest.skip('eps underflows in float16')
    lrs = [0.01, 0.01, 0.002]
    name = lr_name or 'rho'
    values = lrs if lr_name else [0.95, 0.95, 0.9]
    fast = _run(cls(), util.Model(dtype), values, name)
    general = _run(cls(), util.Model(dtype), values, name, with_hook=True)
    for key in fast:
        numpy.testing.assert_array_equal(fast[key], general[key], err_msg=key)


def test_counts_and_skips():
    model = util.Model()
    opt = optimizers.MomentumSGD(lr=0.1).setup(model)
    util.set_grads(model, 0)
    opt.update()
    model.l1.W.update_rule.enabled = False
    frozen = model.l1.W.array.copy()
    model.l2.b.cleargrad()
    before_b = model.l2.b.array.copy()
    util.set_grads(model.l1, 1)
    opt.update()
    assert opt.t == 2
    assert model.l1.W.update_rule.t == 1
    assert model.l1.b.update_rule.t == 2
    numpy.testing.assert_array_equal(model.l1.W.array, frozen)
    # A cleared gradient becomes zeros: the velocity alone moves the parameter.
    numpy.testing.assert_array_equal(model.l2.b.grad, numpy.zeros_like(before_b))
    v = model.l2.b.update_rule.state['v']
    numpy.testing.assert_array_equal(model.l2.b.array, before_b + v)
    assert model.l2.b.update_rule.t == 2


def test_uninitialized_parameter_is_skipped_then_updated():
    model = chainer.Chain()
    with model.init_scope():
        model.l = chainer.links.Linear(None, 2)
    opt = optimizers.SGD(lr=0.5).setup(model)
    opt.update()
    assert model.l.W.array is None
    assert model.l.W.update_rule.t == 1
    x = numpy.ones((1, 3), numpy.float32)
    opt.update(lambda: chainer.functions.sum(model.l(x)))
    assert model.l.W.update_rule.t == 2
    assert model.l.W.update_rule.state == {}


def test_link_added_by_the_loss_function_is_updated():
    model = chainer.Chain()
    with model.init_scope():
        model.a = chainer.links.Linear(3, 2)
    opt = optimizers.SGD(lr=0.5).setup(model)
    x = numpy.ones((1, 3), numpy.float32)

    def lossfun():
        if not hasattr(model, 'b'):
            with model.init_scope():
                model.b = chainer.links.Linear(2, 1)
            model.b.W.update_rule = opt.create_update_rule()
            model.b.b.update_rule = opt.create_update_rule()
        return chainer.functions.sum(model.b(model.a(x)))

    old = model.a.W.array.copy()
    opt.update(lossfun)
    assert model.b.W.update_rule.t == 1
    assert model.b.W.grad is not None
    assert not numpy.array_equal(model.a.W.array, old)


def test_overridden_step_methods_are_called(monkeypatch):
    calls = []

    class Counting(optimizers.SGD):
        def reallocate_cleared_grads(self):
            calls.append('subclass')
            super().reallocate_cleared_grads()

    model = util.Model()
    opt = Counting().setup(model)
    util.set_grads(model, 0)
    opt.update()
    assert calls == ['subclass']

    # Replaced on the instance, and on the class after its definition.
    opt = optimizers.SGD().setup(model)
    opt.check_nan_in_grads = lambda: calls.append('instance')
    opt.update()
    assert calls[-1] == 'instance'
    opt = optimizers.SGD().setup(model)
    original = optimizers.SGD.update_loss_scale

    def update_loss_scale(self):
        calls.append('class')
        original(self)

    monkeypatch.setattr(optimizers.SGD, 'update_loss_scale', update_loss_scale)
    opt.update()
    assert calls[-1] == 'class'


def test_rule_hook_added_between_steps():
    model = util.Model()
    opt = optimizers.SGD().setup(model)
    util.set_grads(model, 0)
    opt.update()
    seen = []
    model.l1.W.update_rule.add_hook(lambda rule, param: seen.append(rule.t), name='h')
    opt.update()
    assert seen == [2]


class _Sub(numpy.ndarray):
    """An ndarray subclass, standing in for a state array of another type."""


def test_state_of_another_array_type_takes_the_general_path():
    models = [util.Model(), util.Model()]
    for i, model in enumerate(models):
        opt = optimizers.MomentumSGD().setup(model)
        util.set_grads(model, 0)
        opt.update()
        if i:
            rule = model.l1.W.update_rule
            rule.state['v'] = rule.state['v'].view(_Sub)
        util.set_grads(model, 1)
        opt.update()
    assert models[1].l1.W.update_rule.t == 2
    numpy.testing.assert_array_equal(models[0].l1.W.array, models[1].l1.W.array)


def test_common_step_needs_no_preparation(monkeypatch):
    model = util.Model()
    opt = optimizers.MomentumSGD().setup(model)
    util.set_grads(model, 0)
    opt.update()  # creates the state

    def fail(self, param):
        raise AssertionError('general path taken')

    monkeypatch.setattr(chainer.optimizer.UpdateRule, '_update_general', fail)
    opt.update()
    model.l1.W.update_rule.add_hook(lambda rule, param: None, name='h')
    with pytest.raises(AssertionError, match='general path'):
        opt.update()


def test_hyperparameter_subclass_properties_are_read():
    class Scheduled(chainer.optimizer.Hyperparameter):
        @property
        def lr(self):
            return 0.5

    model = util.Model()
    opt = optimizers.SGD(lr=0.1).setup(model)
    rule = model.l1.W.update_rule
    rule.hyperparam = Scheduled(opt.hyperparam)
    before = model.l1.W.array.copy()
    grads = util.set_grads(model, 0)
    opt.update()
    want = before - grads['/l1/W'] * numpy.float32(0.5)
    numpy.testing.assert_array_equal(model.l1.W.array, want)
    # A plain chain still sees a learning rate set between steps.
    opt.lr = 0.25
    before = model.l1.b.array.copy()
    grads = util.set_grads(model, 1)
    opt.update()
    want = before - grads['/l1/b'] * numpy.float32(0.25)
    numpy.testing.assert_array_equal(model.l1.b.array, want)


@pytest.mark.parametrize('cls', [optimizers.MomentumSGD, optimizers.Adam])
def test_resume_from_serialized_state_is_exact(cls):
    straight = util.Model()
    opt = cls().setup(straight)
    for step in range(4):
        util.set_grads(straight, step)
        opt.update()

    first = util.Model()
    opt = cls().setup(first)
    for step in range(2):
        util.set_grads(first, step)
        opt.update()
    saved = {}
    opt.serialize(util.DictSerializer(saved))
    resumed = util.Model()
    resumed.copyparams(first)
    opt = cls().setup(resumed)
    opt.serialize(util.DictDeserializer(saved))
    for step in range(2, 4):
        util.set_grads(resumed, step)
        opt.update()
    assert opt.t == 4 and resumed.l2.W.update_rule.t == 4
    want, got = util.param_arrays(straight), util.param_arrays(resumed)
    for key in want:
        numpy.testing.assert_array_equal(got[key], want[key], err_msg=key)


def test_overridden_update_core_is_called_on_the_short_path():
    # The short path calls update_core_cpu directly only while update_core is the
    # base one: a subclass or an instance that replaces it is still called.
    calls = []

    class Rule(optimizers.sgd.SGDRule):
        def update_core(self, param):
            calls.append('class')
            super().update_core(param)

    model = util.Model()
    opt = optimizers.SGD(lr=0.1).setup(model)
    model.l1.W.update_rule = Rule(opt.hyperparam)
    b_rule = model.l1.b.update_rule
    b_rule.update_core = lambda param: calls.append('instance')
    for _ in range(2):
        before = model.l1.b.array.copy()
        util.set_grads(model, 0)
        opt.update()
        numpy.testing.assert_array_equal(model.l1.b.array, before)  # replaced entirely
    assert calls == ['class', 'instance'] * 2


class _CountingParameter(chainer.Parameter):
    calls = 0

    def update(self):
        type(self).calls += 1
        super().update()


def test_overridden_parameter_update_is_called():
    model = util.Model()
    with model.l2.init_scope():
        model.l2.W = _CountingParameter(numpy.zeros((3, 4), numpy.float32))
    opt = optimizers.SGD(lr=1.0).setup(model)
    util.set_grads(model, 0)
    opt.update()
    assert _CountingParameter.calls == 1
    assert model.l2.W.array.any()


class _GpuArray(numpy.ndarray):
    """Plays CuPy's array type: ``data.device_id`` names its device."""

    device_id = 0

    @property
    def data(self):
        return self


def _on_gpu(a, device_id=0):
    a = a.view(_GpuArray)
    a.device_id = device_id
    return a


@pytest.mark.parametrize('current, state_device, expected', [
    (0, 0, 'update_core_gpu'),   # the common step: straight to the kernel
    (1, 0, 'update_core'),       # another current device: through update_core's context
    (0, 1, '_update_general'),   # state on another device: prepared (moved) first
])
def test_gpu_common_step(monkeypatch, current, state_device, expected):
    """The parameter is on device 0; ``current`` is the current device."""
    from chainer.backends import cuda
    from tests.chainer_tests import _host_kernels
    xp = _host_kernels.host_xp()
    xp.cuda.runtime.getDevice = lambda: current
    monkeypatch.setattr(cuda, 'cupy', xp)
    monkeypatch.setattr(chainer.optimizer, '_gpu_ndarray', _GpuArray)
    param = chainer.Parameter(_on_gpu(numpy.ones(3, numpy.float32)))
    param.grad = numpy.ones(3, numpy.float32)
    rule = optimizers.MomentumSGD().create_update_rule()
    rule._state = {'v': _on_gpu(numpy.zeros(3, numpy.float32), state_device)}
    calls = []
    for name in ('update_core_gpu', 'update_core', '_update_general'):
        monkeypatch.setattr(type(rule), name,
                            (lambda n: lambda self, p: calls.append(n))(name))
    rule.update(param)
    assert calls == [expected] and rule.t == 1
    rule.add_hook(lambda rule, param: None, name='h')
    calls.clear()
    rule.update(param)
    assert calls == ['_update_general']


def _per_parameter_hooks():
    from chainer import optimizer_hooks as H
    return {
        'WeightDecay': lambda: H.WeightDecay(0.1),
        'Lasso': lambda: H.Lasso(0.05),
        'GradientHardClipping': lambda: H.GradientHardClipping(-0.3, 0.4),
        'GradientLARS': lambda: H.GradientLARS(threshold=1e-3, weight_decay=0.01),
    }


@pytest.mark.parametrize('names', [
    ('WeightDecay',), ('Lasso',), ('GradientHardClipping',), ('GradientLARS',),
    ('WeightDecay', 'GradientHardClipping'), ('GradientHardClipping', 'WeightDecay'),
    ('Lasso', 'GradientLARS', 'WeightDecay'),
])
@pytest.mark.parametrize('cls', [optimizers.SGD, optimizers.MomentumSGD, optimizers.Adam])
def test_per_parameter_hooks_in_the_single_pass_match_the_general_path(cls, names):
    """Built-in hooks that touch one gradient run just before that parameter's update;
    the result is that of all hooks on all parameters first (the general path, which
    a subclass of the same hook takes)."""
    makers = _per_parameter_hooks()
    results = []
    for general in (False, True):
        model = util.Model()
        opt = cls().setup(model)
        for name in names:
            hook = makers[name]()
            if general:
                hook.__class__ = type(name, (type(hook),), {})
            opt.add_hook(hook, name=name)
        for step in range(STEPS):
            _grads(model, seed=step)
            model.l2.b.grad = None  # a cleared gradient: zeros, then the hooks
            opt.update()
        results.append(util.param_arrays(model))
    for key in results[0]:
        numpy.testing.assert_array_equal(results[0][key], results[1][key], err_msg=key)


def test_per_parameter_hooks_take_the_single_pass(monkeypatch):
    from chainer import optimizer_hooks as H
    model = util.Model()
    opt = optimizers.MomentumSGD().setup(model)
    opt.add_hook(H.WeightDecay(1e-4))
    opt.add_hook(H.GradientHardClipping(-1, 1))

    def fail(self, hook):
        raise AssertionError('general path taken')

    monkeypatch.setattr(chainer.optimizer.GradientMethod, 'call_hook', fail)
    _grads(model, 0)
    opt.update()
    opt.add_hook(H.GradientClipping(1.0))  # needs every gradient before any update
    _grads(model, 1)
    with pytest.raises(AssertionError, match='general path'):
        opt.update()


@pytest.mark.parametrize('tie', ['grads', 'grad_views', 'arrays'])
@pytest.mark.parametrize('names', [('WeightDecay',), ('Lasso',), ('GradientLARS',)])
def test_per_parameter_hooks_on_shared_memory_run_before_every_update(tie, names):
    """As in Chainer, the hooks change every gradient before any parameter is
    updated, also where gradients share memory (``a.grad is b.grad`` after
    ``a + b``) or parameters do (tied weights)."""
    _check_hooks_on_shared_memory(tie, names, numpy)


@pytest.mark.gpu
@pytest.mark.parametrize('tie', ['grads', 'grad_views', 'arrays'])
def test_per_parameter_hooks_on_shared_device_memory_run_before_every_update(cupy, tie):
    # The views' ``base`` is the array owning their memory, on CuPy as on NumPy.
    _check_hooks_on_shared_memory(tie, ('WeightDecay',), cupy)


def _check_hooks_on_shared_memory(tie, names, xp):
    makers = _per_parameter_hooks()
    results = []
    for general in (False, True):
        model = chainer.Link()
        w = xp.arange(6, dtype=numpy.float32).reshape(2, 3) / 10
        with model.init_scope():
            model.a = chainer.Parameter(w)
            model.b = chainer.Parameter(w if tie == 'arrays' else w + 1)
        opt = optimizers.SGD(0.5).setup(model)
        for name in names:
            hook = makers[name]()
            if general:
                hook.__class__ = type(name, (type(hook),), {})
            opt.add_hook(hook, name=name)
        for step in range(2):
            model.cleargrads()
            if tie == 'grad_views':
                y = chainer.functions.reshape(model.a, (3, 2)) + \
                    chainer.functions.reshape(model.b, (3, 2))
            else:
                y = model.a + model.b * (1 if tie == 'grads' else 2)
            y.grad = xp.full(y.shape, step + 1, numpy.float32)
            y.backward()
            opt.update()
        results.append((chainer.backend.CpuDevice().send(model.a.array).copy(),
                        chainer.backend.CpuDevice().send(model.b.array).copy()))
    numpy.testing.assert_array_equal(results[0][0], results[1][0])
    numpy.testing.assert_array_equal(results[0][1], results[1][1])
