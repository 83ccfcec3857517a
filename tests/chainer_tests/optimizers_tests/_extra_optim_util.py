"""Helpers for the tests of the optimizers beyond SGD/MomentumSGD/Adam.

Each optimizer is run for several steps on a small model with fixed random gradients and
compared with a hand-written NumPy reference computed in float64.
"""
import inspect

import numpy
import pytest

from tests.chainer_tests.optimizers_tests import _optim_core_util
from tests.chainer_tests.optimizers_tests._optim_core_util import DictDeserializer, DictSerializer  # noqa: F401 (shared stand-ins)


def Model(dtype=numpy.float32):
    """The shared two-leaf model, with (5,) biases (a shape unlike the weights')."""
    return _optim_core_util.Model(dtype, b_size=5)


def make_grads(model, steps, seed=0):
    """Fixed float64 gradients per step and parameter name."""
    rng = numpy.random.RandomState(seed)
    return [{name: rng.uniform(-1, 1, p.shape) for name, p in model.namedparams()}
            for _ in range(steps)]


def run(opt, dtype=numpy.float32, steps=5, seed=0, model=None, on_step=None):
    """Runs ``opt`` for ``steps`` updates; returns (initial params, grads, final params)."""
    model = Model(dtype) if model is None else model
    opt.setup(model)
    init = {name: p.array.astype(numpy.float64) for name, p in model.namedparams()}
    grads = make_grads(model, steps, seed)
    for i, g in enumerate(grads):
        if on_step is not None:
            on_step(i, opt)
        for name, p in model.namedparams():
            p.grad = g[name].astype(dtype)
        opt.update()
    final = {name: p.array.copy() for name, p in model.namedparams()}
    return init, grads, final, model


def reference(init, grads, init_state, step, hp_at=None):
    """Applies ``step(p, g, state, t, hp_index)`` in float64 per parameter."""
    out = {}
    for name, p in init.items():
        p = p.copy()
        state = init_state(p)
        for t, g in enumerate(grads, start=1):
            p = step(p, g[name], state, t, t - 1)
        out[name] = p
    return out


TOL = {numpy.float64: dict(rtol=1e-10, atol=1e-12),
       numpy.float32: dict(rtol=1e-4, atol=1e-5),
       numpy.float16: dict(rtol=2e-2, atol=2e-2)}


def check_against_reference(make_opt, init_state, step, dtype, steps=5, seed=0, tol=None):
    opt = make_opt()
    init, grads, final, model = run(opt, dtype, steps, seed)
    expected = reference(init, grads, init_state, step)
    for name, p in model.namedparams():
        assert p.array.dtype == dtype, name
        assert p.update_rule.t == steps
        for value in p.update_rule.state.values():
            assert value.dtype == dtype
        numpy.testing.assert_allclose(final[name], expected[name],
                                      **(tol or TOL[dtype]), err_msg=name)


def check_signature(cls, expected):
    params = inspect.signature(cls).parameters
    assert list(params) == list(expected)
    for key, value in expected.items():
        assert params[key].default == value, key
        assert getattr(cls(), key) == value, key


def check_in_place(make_opt, dtype=numpy.float32):
    """State and parameter arrays are updated in place (their objects never change)."""
    model = Model(dtype)
    opt = make_opt()
    opt.setup(model)
    grads = make_grads(model, 3)
    ids = None
    for g in grads:
        for name, p in model.namedparams():
            p.grad = g[name].astype(dtype)
        opt.update()
        now = {name: (id(p.array), {k: id(v) for k, v in p.update_rule.state.items()})
               for name, p in model.namedparams()}
        if ids is not None:
            assert now == ids
        ids = now


def check_serialize_resume(make_opt, state_keys, dtype=numpy.float32, steps=4):
    """Saving after 2 steps and resuming in a fresh optimizer matches an unbroken run."""
    _, _, expected, _ = run(make_opt(), dtype, steps)

    model = Model(dtype)
    opt = make_opt()
    opt.setup(model)
    grads = make_grads(model, steps)
    for g in grads[:2]:
        for name, p in model.namedparams():
            p.grad = g[name].astype(dtype)
        opt.update()
    saved = DictSerializer()
    opt.serialize(saved)
    for name, _ in model.namedparams():
        prefix = name.lstrip('/') + '/'
        keys = sorted(k[len(prefix):] for k in saved.target if k.startswith(prefix))
        assert keys == sorted(['t', *state_keys])
        assert saved.target[prefix + 't'] == 2
    params = {name: p.array.copy() for name, p in model.namedparams()}

    model2 = Model(dtype)
    for name, p in model2.namedparams():
        p.array[...] = params[name]
    opt2 = make_opt()
    opt2.setup(model2)
    opt2.serialize(DictDeserializer(saved.target))
    assert opt2.t == 2
    for g in grads[2:]:
        for name, p in model2.namedparams():
            p.grad = g[name].astype(dtype)
        opt2.update()
    for name, p in model2.namedparams():
        numpy.testing.assert_allclose(p.array, expected[name], rtol=1e-6, atol=1e-7)


def check_none_grad_skipped(make_opt):
    model = Model()
    opt = make_opt()
    opt.setup(model)
    before = {name: p.array.copy() for name, p in model.namedparams()}
    for p in model.params():
        rule = p.update_rule
        p.cleargrad()
        rule.update(p)
        assert p.grad is None
    for name, p in model.namedparams():
        numpy.testing.assert_array_equal(p.array, before[name])


def check_gpu_matches_cpu(make_opt, dtype=numpy.float32, steps=4):
    cupy = pytest.importorskip('cupy')
    _, _, expected, _ = run(make_opt(), dtype, steps)
    model = Model(dtype)
    model.to_device('@cupy:0')
    opt = make_opt()
    opt.setup(model)
    for g in make_grads(model, steps):
        for name, p in model.namedparams():
            p.grad = cupy.asarray(g[name].astype(dtype))
        opt.update()
    for name, p in model.namedparams():
        assert isinstance(p.array, cupy.ndarray)
        numpy.testing.assert_allclose(cupy.asnumpy(p.array), expected[name],
                                      **TOL[numpy.float32])
