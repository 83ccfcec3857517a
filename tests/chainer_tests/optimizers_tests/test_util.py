"""The constants update rules derive from hyperparameters (``optimizers._util.constants``).

Each rule keeps them until a hyperparameter changes; every test compares a rule
that keeps them with a twin that computes them anew at every step.
"""
from __future__ import annotations

import copy
import pickle

import numpy
import pytest

import chainer
from chainer import optimizer, optimizers
from chainer.optimizers import _util
from tests.chainer_tests import _host_kernels
from tests.chainer_tests.optimizers_tests import _optim_core_util as util

# Each optimizer with a hyperparameter whose change shows in the next step.
_CASES = [
    ('SGD', 'lr', 0.05),
    ('MomentumSGD', 'momentum', 0.5),
    ('NesterovAG', 'lr', 0.05),
    ('CorrectedMomentumSGD', 'lr', 0.05),
    ('AdaGrad', 'eps', 1e-2),
    ('AdaDelta', 'rho', 0.5),
    ('RMSprop', 'eps_inside_sqrt', True),
    ('RMSpropGraves', 'momentum', 0.5),
    ('SMORMS3', 'lr', 0.01),
    ('MSVAG', 'beta', 0.5),
    ('Adam', 'alpha', 0.01),
    ('Adam', 'eps', 0.1),
    ('Adam', 'weight_decay_rate', 0.1),
    ('AdaBound', 'gamma', 10.0),
]


def _ids(case):
    return f'{case[0]}-{case[1]}'


def _setup(name):
    model = util.Model()
    opt = getattr(optimizers, name)().setup(model)
    return model, opt


def _forgetful(opt):
    """Makes every rule of ``opt`` compute its constants anew at each step."""
    for param in opt.target.params():
        param.update_rule.add_hook(_forget, name='forget')


def _forget(rule, param):
    rule._derived = None


def _assert_same(a, b):
    for (name, p), (_, q) in zip(sorted(a.namedparams()), sorted(b.namedparams())):
        numpy.testing.assert_array_equal(p.array, q.array, err_msg=name)


def _steps(pairs, seeds):
    for seed in seeds:
        for model, opt in pairs:
            util.set_grads(model, seed)
            opt.update()


@pytest.mark.parametrize('case', _CASES, ids=_ids)
@pytest.mark.parametrize('how', ['optimizer', 'rule', 'deleted'])
def test_hyperparameter_change_shows_in_the_next_step(case, how):
    name, attr, value = case
    kept, fresh = _setup(name), _setup(name)
    _forgetful(fresh[1])
    pairs = (kept, fresh)
    if how == 'deleted':  # an override on each rule, removed later
        for model, _ in pairs:
            for param in model.params():
                setattr(param.update_rule.hyperparam, attr, value)
    _steps(pairs, range(2))
    for model, opt in pairs:
        if how == 'optimizer':
            setattr(opt, attr, value)
        elif how == 'rule':
            setattr(model.l1.W.update_rule.hyperparam, attr, value)
        else:
            for param in model.params():
                delattr(param.update_rule.hyperparam, attr)
    _steps(pairs, range(2, 4))
    _assert_same(kept[0], fresh[0])
    if how == 'optimizer':
        # The change reached every parameter, not just the first one updated.
        reference = _setup(name)
        _forgetful(reference[1])
        setattr(reference[1], attr, value)
        _steps([reference], range(2))
        unchanged = _setup(name)
        _steps([unchanged], range(2))
        assert not numpy.array_equal(reference[0].l2.b.array, unchanged[0].l2.b.array)


def test_constants_are_computed_once_while_nothing_changes(monkeypatch):
    model, opt = _setup('Adam')
    calls = []
    compute = optimizers.adam.AdamRule._cpu_constants
    monkeypatch.setattr(optimizers.adam.AdamRule, '_cpu_constants',
                        lambda self, dtype: calls.append(1) or compute(self, dtype))
    _steps([(model, opt)], range(3))
    assert len(calls) == 4  # once per parameter
    opt.alpha = 0.01
    _steps([(model, opt)], range(3, 5))
    assert len(calls) == 8


def test_replaced_hyperparameter_object_is_read():
    model, opt = _setup('SGD')
    _steps([(model, opt)], range(1))
    rule = model.l1.W.update_rule
    rule.hyperparam = copy.copy(rule.hyperparam)  # same values, no setattr
    rule.hyperparam.__dict__['lr'] = 0.5  # a write that bypasses __setattr__
    before = model.l1.W.array.copy()
    grads = util.set_grads(model, 1)
    opt.update()
    numpy.testing.assert_array_equal(
        model.l1.W.array, before - grads['/l1/W'] * numpy.float32(0.5))


def test_failed_check_is_not_kept():
    model, opt = _setup('RMSprop')
    opt.eps = 1e-50  # underflows in float32
    util.set_grads(model, 0)
    for _ in range(2):
        with pytest.raises(ValueError, match='eps of RMSprop optimizer is too small'):
            opt.update()
    opt.eps = 1e-3
    util.set_grads(model, 0)
    opt.update()


@pytest.mark.parametrize('clone', [copy.deepcopy, lambda o: pickle.loads(pickle.dumps(o))],
                         ids=['deepcopy', 'pickle'])
def test_copied_optimizer_keeps_its_own_constants(clone):
    model, opt = _setup('MomentumSGD')
    _steps([(model, opt)], range(2))
    twin_model, twin = clone((model, opt))
    twin.lr = 0.5
    _steps([(twin_model, twin), (model, opt)], range(2, 3))
    reference_model, reference = _setup('MomentumSGD')
    _steps([(reference_model, reference)], range(3))
    _assert_same(model, reference_model)
    assert not numpy.array_equal(twin_model.l1.W.array, model.l1.W.array)


def test_rule_moved_between_devices_computes_the_other_constants(monkeypatch):
    """The CPU and the GPU step of one rule keep different constants under one key."""
    _host_kernels.route(monkeypatch)
    model, opt = _setup('RMSprop')
    fresh_model, fresh = _setup('RMSprop')
    _forgetful(fresh)
    for seed in range(4):
        core = 'update_core_cpu' if seed % 2 == 0 else 'update_core_gpu'
        for m, o in ((model, opt), (fresh_model, fresh)):
            util.set_grads(m, seed)
            o.t += 1
            for param in m.params():
                rule = param.update_rule
                rule.t += 1
                rule._prepare(param)
                getattr(rule, core)(param)
                if o is fresh:
                    rule._derived = None
    for (name, p), (_, q) in zip(sorted(model.namedparams()),
                                 sorted(fresh_model.namedparams())):
        numpy.testing.assert_allclose(p.array, q.array, rtol=1e-6, err_msg=name)


def test_hyperparameter_generation_changes_on_set_and_delete():
    hp = optimizer.Hyperparameter()
    before = optimizer._generation
    hp.lr = 0.1
    after_set = optimizer._generation
    del hp.lr
    assert before is not after_set and after_set is not optimizer._generation


def test_constants_of_a_rule_without_parent():
    rule = chainer.optimizers.sgd.SGDRule(lr=0.25)

    def compute(rule, key):
        return object()
    first = _util.constants(rule, compute, 'k')
    assert _util.constants(rule, compute, 'k') is first
    assert _util.constants(rule, compute, 'other key') is not first
    second = _util.constants(rule, compute, 'k')
    rule.hyperparam.lr = 0.5
    assert _util.constants(rule, compute, 'k') is not second


def test_adam_rule_subclass_alpha_t_is_used():
    """A subclass that redefines AdamRule.alpha_t (a schedule of its own) still sets
    the step size, as the property did in Chainer."""
    class Halved(optimizers.adam.AdamRule):
        @property
        def alpha_t(self):
            return 0.5 * super().alpha_t

    results = []
    for rule_class in (optimizers.adam.AdamRule, Halved):
        model = util.Model()
        opt = optimizers.Adam().setup(model)
        for param in model.params():
            param.update_rule = rule_class(opt.hyperparam)
        before = model.l1.W.array.copy()
        _steps([(model, opt)], range(1))
        results.append(model.l1.W.array - before)
    numpy.testing.assert_allclose(results[1], 0.5 * results[0], rtol=0, atol=1e-7)


def test_amsgrad_turned_on_after_the_state_exists_is_a_clear_error():
    model, opt = _setup('Adam')
    _steps([(model, opt)], range(1))
    opt.amsgrad = True
    util.set_grads(model, 1)
    before = util.param_arrays(model)
    with pytest.raises(RuntimeError, match="amsgrad was turned on after the Adam state"):
        opt.update()
    after = util.param_arrays(model)
    for key in before:  # the error comes before any parameter changes
        numpy.testing.assert_array_equal(before[key], after[key], err_msg=key)
    opt.amsgrad = False
    opt.update()
    assert not numpy.array_equal(util.param_arrays(model)['/l1/W'], before['/l1/W'])


_ALL_OPTIMIZERS = ['SGD', 'MomentumSGD', 'NesterovAG', 'CorrectedMomentumSGD', 'AdaGrad',
                   'AdaDelta', 'RMSprop', 'RMSpropGraves', 'SMORMS3', 'MSVAG', 'Adam',
                   'AMSGrad', 'AdaBound', 'AMSBound', 'AdamW']


@pytest.mark.parametrize('name', _ALL_OPTIMIZERS)
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_0d_parameter_steps_as_a_1_element_one(name, dtype):
    """NumPy's arithmetic on 0-d arrays gives scalars; the CPU steps still update a
    0-d parameter in place, exactly as a (1,) one, and keep its state 0-d."""
    results = []
    for shape in ((), (1,)):
        link = chainer.Link()
        with link.init_scope():
            link.w = chainer.Parameter(numpy.full(shape, 0.5, dtype))
        opt = getattr(optimizers, name)().setup(link)
        if dtype == numpy.float16 and hasattr(opt, 'eps'):
            opt.eps = 1e-3  # the defaults underflow in float16 for some optimizers
        for step in range(3):
            link.w.grad = numpy.full(shape, 0.1 * (step + 1), dtype)
            opt.update()
        assert link.w.array.shape == shape
        assert all(a.shape == shape for a in link.w.update_rule.state.values())
        results.append(link.w.array)
    numpy.testing.assert_array_equal(results[0].reshape(1), results[1])


@pytest.mark.parametrize('make_rule', [
    lambda: chainer.optimizers.SGD(lr=0.1).create_update_rule(),
    lambda: chainer.optimizers.MomentumSGD(lr=0.1).create_update_rule(),
    lambda: chainer.optimizers.AdaGrad(lr=0.1).create_update_rule(),
    lambda: chainer.optimizers.RMSprop(lr=0.1).create_update_rule(),
    lambda: chainer.optimizers.RMSprop(lr=0.1, eps_inside_sqrt=True).create_update_rule(),
])
@pytest.mark.parametrize('fortran_grad', [False, True])
def test_blocked_cpu_step_matches_whole_array_step(make_rule, fortran_grad):
    # A parameter of 2.5 blocks goes block by block; its pieces (under two blocks
    # each) go at once: every element ends with the same bits either way.
    rng = numpy.random.RandomState(4)
    n = _util.CPU_BLOCK * 5 // 14 + 1  # rows of 7
    big = chainer.Parameter(rng.uniform(-1, 1, (n, 7)).astype(numpy.float32))
    big.update_rule = make_rule()
    cut = [0, _util.CPU_BLOCK // 7, 2 * _util.CPU_BLOCK // 7, n]
    rows = [slice(a, b) for a, b in zip(cut[:-1], cut[1:])]
    pieces = []
    for r in rows:
        p = chainer.Parameter(big.array[r].copy())
        p.update_rule = make_rule()
        pieces.append(p)
    for _ in range(3):
        g = rng.uniform(-1, 1, big.shape).astype(numpy.float32)
        big.grad = numpy.asfortranarray(g) if fortran_grad else g
        big.update()
        for r, p in zip(rows, pieces):
            p.grad = g[r].copy()
            p.update()
    whole = numpy.concatenate([p.array for p in pieces])
    numpy.testing.assert_array_equal(big.array.view(numpy.uint32), whole.view(numpy.uint32))
    for name, state in big.update_rule.state.items():
        parts = numpy.concatenate([p.update_rule.state[name] for p in pieces])
        numpy.testing.assert_array_equal(state, parts)


@pytest.mark.parametrize('make', [
    lambda v: chainer.optimizers.SGD(lr=v),
    lambda v: chainer.optimizers.MomentumSGD(momentum=v),
    lambda v: chainer.optimizers.RMSprop(lr=v),
    lambda v: chainer.optimizers.Adam(alpha=v),
    lambda v: chainer.optimizers.Adam(eta=v),
    lambda v: chainer.optimizers.Adam(weight_decay_rate=v),
    lambda v: chainer.optimizers.AdaDelta(rho=v),
])
@pytest.mark.parametrize('value', [None, 'x'])
def test_non_numeric_hyperparameter_fails_at_update(make, value):
    # A None learning rate made every parameter NaN; Chainer failed with a TypeError.
    link = chainer.links.Linear(3, 2)
    before = link.W.array.copy()
    opt = make(value)
    opt.setup(link)
    with pytest.raises(TypeError):
        opt.update(lambda: chainer.functions.sum(link(numpy.ones((2, 3), numpy.float32))))
    numpy.testing.assert_array_equal(link.W.array, before)
