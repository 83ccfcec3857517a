"""Tests of backpropagation: Variable.backward, chainer.grad, chainer.backward,
higher-order derivatives, long chains and memory release."""
from __future__ import annotations

import gc
import sys
import warnings
import weakref

import numpy as np
import pytest

import chainer
import chainer.functions as F
from chainer import FunctionNode, Variable
from tests.chainer_tests._memory import peak_bytes


def _f32(*values):
    return np.array(values, np.float32)


def _scalar(value, dtype=np.float64):
    return Variable(np.array(value, dtype))


class Spy(FunctionNode):
    """Identity whose backward calls are counted (and can observe the grads)."""

    def __init__(self, log=None):
        self.log = log if log is not None else []

    def forward(self, inputs):
        return inputs[0].copy(),

    def backward(self, indexes, grad_outputs):
        self.log.append(self)
        return grad_outputs[0] * 1.0,


def spy(x, log=None):
    f = Spy(log)
    return f.apply((x,))[0], f


# -- Variable.backward ------------------------------------------------------------------


class TestBackward:

    def test_tutorial(self):
        x = Variable(np.array([5], np.float32))
        y = x ** 2 - 2 * x + 1
        np.testing.assert_array_equal(y.array, [16.])
        with pytest.warns(DeprecationWarning):
            y.backward()
        np.testing.assert_array_equal(x.grad, [8.])
        assert x.grad.dtype == np.float32

    def test_tutorial_vector(self):
        x = Variable(np.array([[1, 2, 3], [4, 5, 6]], np.float32))
        y = x ** 2 - 2 * x + 1
        y.grad = np.ones((2, 3), np.float32)
        y.backward()
        np.testing.assert_array_equal(x.grad, 2 * x.array - 2)

    def test_0d_loss_no_warning(self):
        x = _scalar(3.)
        y = x * x
        with warnings.catch_warnings():
            warnings.simplefilter('error')
            y.backward()
        assert x.grad == 6.
        assert type(x.grad) is np.ndarray and x.grad.shape == ()

    def test_several_inputs(self):
        x, w, b = _scalar(2.), _scalar(3.), _scalar(1.)
        y = w * x + b
        z = y * y
        z.backward()
        assert x.grad == 2 * 7 * 3
        assert w.grad == 2 * 7 * 2
        assert b.grad == 2 * 7

    def test_variable_used_twice_mul(self):
        x = _scalar(3.)
        (x * x).backward()
        assert x.grad == 6.
        assert type(x.grad) is np.ndarray

    def test_variable_used_twice_add(self):
        x = _scalar(3.)
        (x + x).backward()
        assert x.grad == 2.
        assert type(x.grad) is np.ndarray

    def test_diamond(self):
        x = _scalar(2.)
        a = x * 3
        b = x * x
        c = a * b  # 3 x^3
        c.backward()
        assert x.grad == pytest.approx(9 * 4)

    def test_accumulates_onto_existing_grad(self):
        x = Variable(_f32(1., 2.))
        F.sum(x * x).backward()
        np.testing.assert_array_equal(x.grad, [2., 4.])
        F.sum(x * x).backward()
        np.testing.assert_array_equal(x.grad, [4., 8.])
        x.cleargrad()
        F.sum(x * x).backward()
        np.testing.assert_array_equal(x.grad, [2., 4.])

    def test_accumulate_does_not_modify_users_grad_array(self):
        x = Variable(_f32(1.))
        g = _f32(10.)
        x.grad = g
        F.sum(x * 2).backward()
        np.testing.assert_array_equal(x.grad, [12.])
        np.testing.assert_array_equal(g, [10.])

    def test_intermediate_grads_freed_by_default(self):
        x = Variable(_f32(1., 2.))
        h = x * 2
        y = F.sum(h * h)
        y.backward()
        assert h.grad is None
        assert y.grad is None
        np.testing.assert_array_equal(x.grad, [8., 16.])

    def test_retain_grad(self):
        x = Variable(_f32(1., 2.))
        h = x * 2
        y = F.sum(h * h)
        y.backward(retain_grad=True)
        np.testing.assert_array_equal(h.grad, [4., 8.])
        assert y.grad == 1.
        np.testing.assert_array_equal(x.grad, [8., 16.])

    def test_output_grad_consumed(self):
        x = Variable(_f32(1., 2.))
        y = x * 2
        y.grad = _f32(1., 1.)
        y.backward()
        assert y.grad is None
        np.testing.assert_array_equal(x.grad, [2., 2.])
        y.grad = _f32(1., 1.)
        y.backward(retain_grad=True)
        np.testing.assert_array_equal(y.grad, [1., 1.])

    def test_requires_grad_false_leaf(self):
        x = Variable(_f32(1.), requires_grad=False)
        w = Variable(_f32(2.))
        F.sum(x * w).backward()
        assert x.grad is None
        np.testing.assert_array_equal(w.grad, [1.])

    def test_leaf_backward_sets_initial_grad(self):
        # As in Chainer: a leaf's gradient becomes the initial gradient.
        x = _scalar(1.)
        x.backward()
        assert x.grad == 1.
        x.backward(loss_scale=3.)
        assert x.grad == 1. and x._loss_scale == 3.
        y = _scalar(1.)
        y.backward(loss_scale=3.)
        assert y.grad == 3.
        with chainer.no_backprop_mode():
            z = Variable(_f32(2.)) * 2
        z.backward()
        np.testing.assert_array_equal(z.grad, [1.])
        v = Variable(_f32(1., 2.))
        v.backward()
        assert v.grad is None

    def test_kept_intermediate_grad_is_not_accumulated(self):
        # As in Chainer, a gradient kept by retain_grad is overwritten by the next
        # backward that reaches the variable; only leaves accumulate.
        x = _scalar(1.)
        h = x * 3
        y = h * 2
        y.backward(retain_grad=True)
        assert (x.grad, h.grad) == (6., 2.)
        y.backward()
        assert (x.grad, h.grad) == (12., 2.)

    def test_kept_grad_of_an_output_not_reached_is_used(self):
        # As in Chainer, an output of a function that the walk does not reach
        # starts from the gradient it kept, and gives it up.
        x = Variable(np.arange(4.))
        p, q = F.split_axis(x, 2, 0)
        (F.sum(p) + F.sum(q * 2)).backward(retain_grad=True)
        x.cleargrad()
        F.sum(p).backward()
        np.testing.assert_array_equal(x.grad, [1., 1., 2., 2.])
        assert q.grad is None
        q.grad = np.array([5., 5.])
        F.sum(p).backward(retain_grad=True)
        np.testing.assert_array_equal(x.grad, [2., 2., 7., 7.])
        np.testing.assert_array_equal(q.grad, [5., 5.])

    def test_retain_grad_skips_functions_without_inputs_to_differentiate(self):
        y = F.sin(np.array(1.))
        y.backward(retain_grad=True)
        assert y.grad is None
        a = _scalar(1.)
        h = F.sin(np.array(1.))
        w = h * a
        w.backward(retain_grad=True)
        assert h.grad is None and w.grad == 1.

    def test_no_grad_for_vector_raises(self):
        x = Variable(_f32(1., 2.))
        y = x * 2
        with pytest.raises(ValueError) as e:
            y.backward()
        msg = str(e.value)
        assert 'grad' in msg and '(2,)' in msg

    def test_empty_output_needs_no_initial_grad(self):
        # An empty output has an empty gradient (ChainerMN's delegate variables, shape
        # (0,), are backpropagated this way); Chainer crashed in the next function.
        x = Variable(np.zeros((0, 3), np.float32))
        y = x * 2
        y.backward()
        assert x.grad.shape == (0, 3) and x.grad.dtype == np.float32

    def test_no_grad_needed_for_vector_that_does_not_require_grad(self):
        y = F.floor(Variable(_f32(1.5, 2.5)))
        assert not y.requires_grad
        y.backward()
        assert y.grad is None

    def test_no_grad_needed_when_the_inputs_stopped_requiring_grad(self):
        # As in Chainer: the output was made while x required grad, but nothing
        # below it needs a gradient now, so backward has nothing to do.
        x = Variable(_f32(1.0, 2.0))
        y = x * 2
        x.node._requires_grad = False
        y.backward()
        assert x.grad is None

    @pytest.mark.parametrize('error', [ValueError, TypeError])
    def test_vector_without_initial_gradient(self, error):
        # A clear message, as a ValueError and as the TypeError Chainer raised.
        y = Variable(_f32(1.0, 2.0)) * 2
        with pytest.raises(error, match='needs an initial gradient'):
            y.backward()

    def test_size_one_non_scalar_warns(self):
        x = Variable(np.array([[3.]], np.float32))
        y = x * x
        with pytest.warns(DeprecationWarning, match='scalar'):
            y.backward()
        np.testing.assert_array_equal(x.grad, [[6.]])

    def test_loss_scale(self):
        x = _scalar(2.)
        y = x * x
        y.backward(loss_scale=8.)
        assert x.grad == 4. * 8.
        assert type(x.grad) is np.ndarray

    def test_loss_scale_with_retain_grad(self):
        x = _scalar(2.)
        h = x * 3
        y = h * h
        y.backward(retain_grad=True, loss_scale=2.)
        assert y.grad == 2.
        assert h.grad == 2 * 6 * 2.
        assert x.grad == 2 * 6 * 3 * 2.

    def test_loss_scale_does_not_scale_given_grad(self):
        # As in Chainer, loss_scale only scales the default (ones) gradient.
        x = Variable(_f32(2.))
        y = x * 3
        y.grad = _f32(1.)
        y.backward(loss_scale=4.)
        np.testing.assert_array_equal(x.grad, [3.])

    def test_without_double_backprop_grad_has_no_graph(self):
        x = _scalar(2.)
        (x * x * x).backward()
        assert x.grad_var.creator is None

    def test_enable_double_backprop(self):
        x = _scalar(2.)
        y = x * x * x
        y.backward(enable_double_backprop=True)
        gx = x.grad_var
        assert gx.creator is not None
        assert gx.array == 12.
        x.cleargrad()
        gx.backward()
        assert x.grad == 12.  # d/dx 3x^2 = 6x

    def test_enable_double_backprop_does_not_leak_config(self):
        x = _scalar(2.)
        with chainer.no_backprop_mode():
            y = x * x
        assert y.creator is None
        y = x * x
        y.backward(enable_double_backprop=True)
        assert chainer.config.enable_backprop

    def test_backward_inside_no_backprop_mode(self):
        x = _scalar(2.)
        y = x * x
        with chainer.no_backprop_mode():
            y.backward()
        assert x.grad == 4.

    def test_unrelated_branch_not_called(self):
        log = []
        x = _scalar(1.)
        s, _ = spy(x, log)
        y = x * 2
        y.backward()
        assert log == []
        assert s is not None

    def test_each_function_called_once(self):
        log = []
        x = _scalar(1.)
        h, f = spy(x, log)
        y = h * h + h * 3 + h
        y.backward()
        assert log == [f]
        assert x.grad == 2 + 3 + 1

    def test_function_hook_sees_backward(self):
        calls = []

        class Hook(chainer.FunctionHook):
            name = 'hook'

            def backward_preprocess(self, function, in_data, out_grad):
                calls.append(function.label)

        x = _scalar(1.)
        y = x * 2
        with Hook():
            y.backward()
        assert calls == [y.creator.label]

    @pytest.mark.parametrize('enable_double_backprop', [False, True])
    def test_function_hooks_see_gradient_sums(self, enable_double_backprop):
        # As in Chainer, a gradient meeting another (fan-in, or a grad the leaf
        # already holds) is summed by an Add node inside the backward window of
        # the function that produced it, which the hooks see.
        events = []

        class Hook(chainer.FunctionHook):
            name = 'hook'

            def forward_preprocess(self, function, in_data):
                events.append(('forward', function.label))

            def backward_preprocess(self, function, in_data, out_grad):
                events.append(('backward', function.label))

            def backward_postprocess(self, function, in_data, out_grad):
                events.append(('end', function.label))

        x = chainer.Variable(np.array([1.0, 2.0]))
        x.grad = np.array([10.0, 20.0])
        h = F.exp(x)
        y = F.sum(h * h + h)
        with Hook():
            y.backward(enable_double_backprop=enable_double_backprop)
        # exp's gradient meets the one x held: summed inside exp's window.
        start = events.index(('backward', 'exp'))
        assert events[start:] == [('backward', 'exp'), ('forward', '_ * _'),
                                  ('forward', '_ + _'), ('end', 'exp')]
        # h's gradient from the sum meets the two from the product (h * h) inside
        # the product's window: one MultiAdd of the three, as in Chainer.
        start = events.index(('backward', '_ * _'))
        end = events.index(('end', '_ * _'))
        assert events[end - 1] == ('forward', 'MultiAdd')
        np.testing.assert_allclose(x.grad, [10.0, 20.0] + (2 * np.exp([1.0, 2.0]) + 1)
                                   * np.exp([1.0, 2.0]))


# -- higher-order derivatives ------------------------------------------------------------------


def _poly(x):
    return x ** 5 + 2 * x ** 3


def _poly_derivatives(x):
    return [5 * x ** 4 + 6 * x ** 2, 20 * x ** 3 + 12 * x, 60 * x ** 2 + 12, 120 * x]


def _tanh_derivatives(x):
    t = np.tanh(x)
    s = 1 - t * t
    return [s, -2 * t * s, -2 * s * s + 4 * t * t * s, 16 * t * s * s - 8 * t ** 3 * s]


class TestHigherOrder:

    @pytest.mark.parametrize('fn, derivatives', [(_poly, _poly_derivatives),
                                                 (F.tanh, _tanh_derivatives)])
    def test_with_grad(self, fn, derivatives):
        xa = np.array([-1.2, -0.3, 0.5, 1.1], np.float64)
        x = Variable(xa)
        g = fn(x)
        expect = derivatives(xa)
        for order in range(4):
            g, = chainer.grad([g], [x], grad_outputs=[Variable(np.ones_like(xa))],
                              enable_double_backprop=True)
            np.testing.assert_allclose(g.array, expect[order], rtol=1e-10, atol=1e-12,
                                       err_msg=f'derivative of order {order + 1}')
            assert g.creator is not None
        assert x.grad is None

    @pytest.mark.parametrize('fn, derivatives', [(_poly, _poly_derivatives),
                                                 (F.tanh, _tanh_derivatives)])
    def test_with_backward_chain(self, fn, derivatives):
        xa = np.array([-0.7, 0.4, 1.3], np.float64)
        x = Variable(xa)
        expect = derivatives(xa)
        g = F.sum(fn(x))
        for order in range(4):
            g.backward(enable_double_backprop=True)
            gx = x.grad_var
            x.cleargrad()
            np.testing.assert_allclose(gx.array, expect[order], rtol=1e-10, atol=1e-12,
                                       err_msg=f'derivative of order {order + 1}')
            g = F.sum(gx)

    def test_scalar_polynomial_values(self):
        x = _scalar(2.)
        g = _poly(x)
        values = []
        for _ in range(4):
            g, = chainer.grad([g], [x], enable_double_backprop=True)
            values.append(float(g.array))
        assert values == [104., 184., 252., 240.]

    def test_mixed_partial(self):
        x, y = _scalar(2.), _scalar(3.)
        z = x * x * y
        gx, = chainer.grad([z], [x], enable_double_backprop=True)  # 2xy
        gxy, = chainer.grad([gx], [y])  # 2x
        assert gxy.array == 4.

    def test_gradient_penalty_pattern(self):
        w = Variable(np.array([1., -2.]))
        x = Variable(np.array([0.5, 0.25]))
        y = F.sum(F.tanh(w * x))
        gx, = chainer.grad([y], [x], enable_double_backprop=True)
        penalty = F.sum(gx * gx)
        penalty.backward()
        # d/dw sum((w (1 - tanh(wx)^2))^2)
        t = np.tanh(w.array * x.array)
        s = 1 - t * t
        dw = 2 * w.array * s * s + w.array ** 2 * 2 * s * (-2 * t * s * x.array)
        np.testing.assert_allclose(w.grad, dw, rtol=1e-10)


# -- long chains and memory ----------------------------------------------------------------


class TestLongChains:

    def test_100000_op_chain(self):
        assert sys.getrecursionlimit() < 100000
        x = Variable(np.array(0., np.float32))
        y = x
        for _ in range(100000):
            y = y + 1
        assert y.array == 100000.
        assert y.rank == 100000
        y.backward()
        assert x.grad == 1.
        y.unchain_backward()
        del y
        gc.collect()

    def test_long_chain_double_backprop(self):
        x = _scalar(1.)
        y = x
        for _ in range(2000):
            y = y * 1.0
        y = y * y
        gx, = chainer.grad([y], [x], enable_double_backprop=True)
        gx.backward()
        assert x.grad == 2.

    def test_intermediate_grads_released_during_walk(self):
        n = 10000
        refs = []
        alive = [0]
        max_alive = [0]

        def dead(_):
            alive[0] -= 1

        def track(obj):
            alive[0] += 1
            refs.append(weakref.ref(obj, dead))

        class Tap(FunctionNode):
            def forward(self, inputs):
                return inputs[0] + 1,

            def backward(self, indexes, grad_outputs):
                gy = grad_outputs[0]
                track(gy)
                track(gy.array)
                max_alive[0] = max(max_alive[0], alive[0])
                return gy * 1.0,

        x = Variable(np.zeros(100, np.float32))
        y = x
        hs = []
        for i in range(n):
            y, = Tap().apply((y,))
            if i % 1000 == 0:
                hs.append(y)
        y.grad = np.ones(100, np.float32)
        y.backward()
        del y
        # only the gradient being processed (and the previous one, whose
        # function is returning) may be alive at a time
        assert max_alive[0] <= 4, max_alive[0]
        assert len(refs) == 2 * n
        assert alive[0] == 0
        assert all(r() is None for r in refs)
        assert all(h.grad is None for h in hs)
        np.testing.assert_array_equal(x.grad, np.ones(100))

    def test_retain_grad_keeps_intermediate_grads(self):
        refs = []

        class Tap(FunctionNode):
            def forward(self, inputs):
                return inputs[0] + 1,

            def backward(self, indexes, grad_outputs):
                refs.append(weakref.ref(grad_outputs[0]))
                return grad_outputs[0] * 1.0,

        x = Variable(np.zeros(3, np.float32))
        y = x
        hs = []
        for _ in range(1000):
            y, = Tap().apply((y,))
            hs.append(y)
        y.grad = np.ones(3, np.float32)
        y.backward(retain_grad=True)
        assert all(r() is not None for r in refs)
        for h in hs:
            np.testing.assert_array_equal(h.grad, np.ones(3))

    def test_tracemalloc_flat_memory(self):
        def run(n):
            x = Variable(np.zeros(10000, np.float32))  # 40 kB per gradient
            y = x
            for _ in range(n):
                y = y * 1.0
            y.grad = np.ones(10000, np.float32)
            return peak_bytes(y.backward)

        peak = run(300)
        # 300 gradients of 40 kB would be 12 MB; only a handful may coexist
        assert peak < 1_000_000, peak


def _mlp_adam_steps():
    import chainer.links as L
    model = L.Classifier(chainer.Sequential(L.Linear(4, 8), F.relu, L.Linear(8, 3)))
    opt = chainer.optimizers.Adam()
    opt.setup(model)
    opt.add_hook(chainer.optimizer_hooks.WeightDecay(1e-4))
    x = np.random.randn(5, 4).astype(np.float32)
    t = np.random.randint(0, 3, 5).astype(np.int32)
    return lambda: opt.update(model, x, t)


def _gradient_penalty_steps():
    import chainer.links as L
    critic = chainer.Sequential(L.Linear(4, 8), F.leaky_relu, L.Linear(8, 1))

    def step():
        x = Variable(np.random.randn(5, 4).astype(np.float32))
        g, = chainer.grad([critic(x)], [x], enable_double_backprop=True)
        loss = F.mean(critic(x)) + F.mean_squared_error(
            F.sqrt(F.batch_l2_norm_squared(g)), np.ones(5, np.float32))
        critic.cleargrads()
        loss.backward()
    return step


def _forget_steps():
    import chainer.links as L
    lin = L.Linear(4, 4)

    def step():
        y = F.forget(lambda a: F.tanh(lin(a)) * 2, np.ones((2, 4), np.float32))
        lin.cleargrads()
        F.sum(y).backward()
    return step


def _bptt_steps():
    import chainer.links as L
    lstm, out = L.LSTM(3, 4), L.Linear(4, 2)

    def step():
        loss = 0
        for _ in range(3):
            loss += F.sum(out(lstm(np.random.randn(2, 3).astype(np.float32))))
        lstm.cleargrads()
        loss.backward()
        loss.unchain_backward()
    return step


class TestNoReferenceCycles:
    """Training steps leave no reference cycles: graphs, gradients and optimizer
    state die by reference counting alone, with the collector off."""

    @pytest.mark.parametrize('make', [_mlp_adam_steps, _gradient_penalty_steps,
                                      _forget_steps, _bptt_steps])
    def test_training_steps(self, make):
        step = make()
        step()  # first call: lazy initialisation, imports
        gc.collect()
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            for _ in range(3):
                step()
            assert gc.collect() == 0
        finally:
            if was_enabled:
                gc.enable()


# -- chainer.grad --------------------------------------------------------------------------


class TestGrad:

    def test_basic(self):
        x = _scalar(3.)
        y = x * x
        gx, = chainer.grad([y], [x])
        assert isinstance(gx, Variable)
        assert gx.array == 6.
        assert x.grad is None  # leaf gradients are untouched
        assert gx.creator is None

    def test_returns_list(self):
        x, w = _scalar(1.), _scalar(2.)
        ret = chainer.grad((x * w,), (x, w))
        assert isinstance(ret, list) and len(ret) == 2
        assert ret[0].array == 2. and ret[1].array == 1.

    def test_leaf_grad_untouched(self):
        x = _scalar(3.)
        x.grad = np.array(100.)
        chainer.grad([x * x], [x])
        assert x.grad == 100.

    def test_set_grad(self):
        x = _scalar(3.)
        x.grad = np.array(100.)
        gx, = chainer.grad([x * x], [x], set_grad=True)
        assert x.grad_var is gx
        assert x.grad == 6.

    def test_only_path_is_traversed(self):
        log = []
        x, w = _scalar(1.), _scalar(2.)
        a, fa = spy(x, log)  # on the path from x to y
        b, fb = spy(w, log)  # off the path: w is not an input of grad()
        y = a * 3 + b * 5
        gx, = chainer.grad([y], [x])
        assert gx.array == 3.
        assert log == [fa]
        assert w.grad is None

    def test_below_intermediate_input_not_traversed(self):
        log = []
        x = _scalar(2.)
        h, f = spy(x, log)
        y = h * h
        gh, = chainer.grad([y], [h])
        assert gh.array == 4.
        assert log == []

    @pytest.mark.parametrize('case', ['every leaf', 'one of two leaves', 'intermediate',
                                      'constant target', 'retain_grad'])
    def test_walk_is_restricted_only_where_other_paths_exist(self, monkeypatch, case):
        # grad() of the only leaves that require a gradient walks the paths of every
        # such node (unrestricted, as backward() does); otherwise only those from the
        # targets, and with retain_grad always (it keeps gradients off the paths)
        from chainer import _backprop
        walks = []
        original = _backprop._mark_relevant

        def mark(walk, seeds, targets):
            original(walk, seeds, targets)
            walks.append(walk.relevant_funcs)
        monkeypatch.setattr(_backprop, '_mark_relevant', mark)
        log = []
        x, w = Variable(_f32(1., 2.)), Variable(_f32(3., 4.))
        c = Variable(_f32(5., 6.), requires_grad=False)
        a, fa = spy(x, log)
        b, fb = spy(w, log)
        h = a * b
        d, fd = spy(c, log)  # a constant branch: never differentiated
        y = F.sum(F.tanh(h) * d + a)
        targets = {'every leaf': [x, w], 'one of two leaves': [x], 'intermediate': [h],
                   'constant target': [x, w, c], 'retain_grad': [x, w]}[case]
        grads = chainer.grad([y], targets, retain_grad=case == 'retain_grad')
        assert (walks[0] is None) == (case == 'every leaf')
        t = np.tanh(x.array * w.array)
        gh = (1 - t * t) * c.array
        expected = {'x': gh * w.array + 1, 'w': gh * x.array, 'h': gh}
        names = {id(x): 'x', id(w): 'w', id(h): 'h', id(c): 'c'}
        for v, g in zip(targets, grads):
            if v is c:  # its path passes d, which does not require a gradient
                assert g is None
                continue
            np.testing.assert_allclose(g.array, expected[names[id(v)]], rtol=1e-6)
        called = {'every leaf': [fa, fb], 'one of two leaves': [fa], 'intermediate': [],
                  'constant target': [fa, fb], 'retain_grad': [fa, fb]}[case]
        assert sorted(map(id, log)) == sorted(map(id, called))

    def test_intermediate_inputs(self):
        x = _scalar(1.)
        h = x * 3
        y = h * h
        gh, gx = chainer.grad([y], [h, x])
        assert gh.array == 6.
        assert gx.array == 18.
        assert h.grad is None and x.grad is None

    def test_unrelated_input(self):
        x, w = _scalar(1.), _scalar(1.)
        assert chainer.grad([x * 3], [w]) == [None]

    def test_inputs_that_do_not_require_grad(self):
        # As in Chainer: an input of grad() gets its gradient whether or not it
        # requires one, but a path goes on only through nodes that require one.
        x = Variable(_f32(1., 2.), requires_grad=False)
        gx, = chainer.grad([F.sum(x)], [x])
        np.testing.assert_array_equal(gx.array, [1., 1.])
        z = x * 2
        assert chainer.grad([F.sum(z)], [x]) == [None]
        gz, = chainer.grad([F.sum(z)], [z])
        np.testing.assert_array_equal(gz.array, [1., 1.])
        w = Variable(_f32(3., 4.))
        gx, gw = chainer.grad([F.sum(x * w)], [x, w])
        np.testing.assert_array_equal(gx.array, [3., 4.])
        np.testing.assert_array_equal(gw.array, [1., 2.])
        # x alone does not carry a path: x * w is not on one
        assert chainer.grad([F.sum(x * w)], [x]) == [None]

    def test_output_is_input(self):
        x = _scalar(1.)
        gx, = chainer.grad([x], [x])
        assert gx.array == 1.

    def test_grad_outputs(self):
        x = Variable(np.array([1., 2.]))
        y = x * 3
        gx, = chainer.grad([y], [x], grad_outputs=[Variable(np.array([1., 10.]))])
        np.testing.assert_array_equal(gx.array, [3., 30.])
        gx, = chainer.grad([y], [x], grad_outputs=[np.array([2., 2.])])
        np.testing.assert_array_equal(gx.array, [6., 6.])

    @pytest.mark.parametrize('given, error, what', [
        (np.ones(1), ValueError, 'Shape'),          # (1,) for a 0-d output
        (np.array(1., np.float32), TypeError, 'Dtype'),
    ])
    def test_grad_outputs_that_do_not_fit_are_named(self, given, error, what):
        # Chainer let these through: they failed in some backward, or gave a
        # gradient of the wrong shape (x * 1 with a (1,) gradient for (3,)).
        x = Variable(np.arange(3.))
        with pytest.raises(error, match=rf'grad_outputs\[0\] does not fit outputs\[0\]: {what}'):
            chainer.grad([F.sum(x) * 2], [x], grad_outputs=[given])

    def test_grad_inputs_that_do_not_fit_are_named(self):
        x = Variable(np.arange(3.))
        with pytest.raises(ValueError, match=r'grad_inputs\[0\] does not fit inputs\[0\]'):
            chainer.grad([F.sum(x * 2)], [x], grad_inputs=[np.ones(2)])

    def test_default_grad_outputs_are_ones(self):
        # chainer.grad seeds missing output gradients with ones (any shape)
        x = Variable(np.array([1., 2.]))
        gx, = chainer.grad([x * x], [x])
        np.testing.assert_array_equal(gx.array, [2., 4.])

    def test_grad_inputs_added(self):
        x = _scalar(1.)
        y = x * 3
        gx, = chainer.grad([y], [x], grad_inputs=[Variable(np.array(10.))])
        assert gx.array == 13.
        gx, = chainer.grad([y], [x], grad_inputs=[None])
        assert gx.array == 3.

    def test_multiple_outputs(self):
        x = _scalar(2.)
        y1 = x * x
        y2 = x * 3
        gx, = chainer.grad([y1, y2], [x])
        assert gx.array == 7.

    def test_output_listed_twice_adds_its_seeds(self):
        # Chainer kept only the last seed of an output listed twice (dy/dx, not 2 dy/dx).
        x = Variable(np.array([1., 2.]))
        y = x * 3
        gx, = chainer.grad([y, y], [x], grad_outputs=[np.ones(2), np.full(2, 10.)])
        np.testing.assert_array_equal(gx.array, [33., 33.])
        gx, = chainer.grad([y, x], [x], grad_outputs=[np.ones(2), np.full(2, 10.)])
        np.testing.assert_array_equal(gx.array, [13., 13.])
        gx, = chainer.grad([x, x], [x], grad_outputs=[np.full(2, 10.), np.ones(2)])
        np.testing.assert_array_equal(gx.array, [11., 11.])  # Chainer: [1., 1.]

    def test_input_listed_twice_adds_its_grad_inputs(self):
        x = _scalar(2.)
        ga, gb = chainer.grad([x * 3], [x, x], grad_inputs=[_scalar(10.), _scalar(100.)])
        assert ga.array == gb.array == 113.  # Chainer: 103 (only the last one)
        ga, gb = chainer.grad([x * 3], [x, x], grad_inputs=[_scalar(10.), None])
        assert ga.array == gb.array == 13.

    def test_retain_grad(self):
        x = _scalar(1.)
        h = x * 3
        y = h * h
        chainer.grad([y], [x], retain_grad=True)
        assert h.grad == 6.
        x2 = _scalar(1.)
        h2 = x2 * 3
        chainer.grad([h2 * h2], [x2])
        assert h2.grad is None

    def test_retain_grad_off_the_paths(self):
        # As in Chainer, retain_grad also keeps the gradients of the outputs of
        # the seeds' creators and of the targets' creators.
        x = _scalar(1.)
        y = x * 2
        z = F.sin(y)
        chainer.grad([z], [y], [_scalar(3.)], retain_grad=True)
        assert z.grad == 3. and y.grad == pytest.approx(3 * np.cos(2.))
        assert x.grad is None
        b = F.swapaxes(np.ones((2, 1)), 0, 1)
        p = chainer.Parameter(np.array([5.]))
        assert chainer.grad([b], [p], [np.full((1, 2), 7.)], retain_grad=True) == [None]
        np.testing.assert_array_equal(b.grad, [[7., 7.]])
        c = F.swapaxes(np.ones((2, 1)), 0, 1)
        chainer.grad([c], [p], [np.full((1, 2), 7.)])
        assert c.grad is None

    def test_default_seed_does_not_require_grad(self):
        x = _scalar(2.)
        gx, = chainer.grad([x * 3], [x], enable_double_backprop=True)
        assert gx.array == 3. and not gx.requires_grad
        gx, = chainer.grad([x * x], [x], enable_double_backprop=True)
        assert gx.requires_grad

    def test_summed_gradient_requires_grad_as_its_terms(self):
        # as F.add's output would: Chainer sums the contributions with F.add
        x = Variable(_f32(1., 2.))
        y = F.sum(x[-1:]) + F.sum(F.moveaxis(x, 0, 0)) + F.sum(x * 2)
        gx, = chainer.grad([y], [x])
        np.testing.assert_array_equal(gx.array, [3., 4.])
        assert not gx.requires_grad
        gx, = chainer.grad([y], [x], [Variable(np.array(1., np.float32))])
        assert gx.requires_grad

    def test_loss_scale(self):
        x = _scalar(2.)
        gx, = chainer.grad([x * x], [x], loss_scale=4.)
        assert gx.array == 16.

    def test_enable_double_backprop(self):
        x = _scalar(2.)
        gx, = chainer.grad([x * x * x], [x], enable_double_backprop=True)
        assert gx.creator is not None
        ggx, = chainer.grad([gx], [x])
        assert ggx.array == 12.

    def test_variable_used_twice(self):
        x = _scalar(3.)
        gx, = chainer.grad([x * x + x], [x])
        assert gx.array == 7.
        assert type(gx.array) is np.ndarray

    @pytest.mark.parametrize('outputs, inputs', [
        (Variable(np.array(1.)), [Variable(np.array(1.))]),
        ([Variable(np.array(1.))], Variable(np.array(1.))),
        ([np.array(1.)], [Variable(np.array(1.))]),
        ([Variable(np.array(1.))], [np.array(1.)]),
    ])
    def test_bad_types(self, outputs, inputs):
        with pytest.raises(TypeError):
            chainer.grad(outputs, inputs)

    def test_bad_grad_outputs(self):
        x = _scalar(1.)
        y = x * 2
        with pytest.raises(TypeError):
            chainer.grad([y], [x], grad_outputs=Variable(np.array(1.)))
        with pytest.raises(ValueError):
            chainer.grad([y], [x], grad_outputs=[None, None])

    def test_bad_grad_inputs(self):
        x = _scalar(1.)
        y = x * 2
        with pytest.raises(TypeError):
            chainer.grad([y], [x], grad_inputs=Variable(np.array(1.)))
        with pytest.raises(ValueError):
            chainer.grad([y], [x], grad_inputs=[None, None])

    def test_bad_lengths_name_both_lengths_as_chainer_did(self):
        x = _scalar(1.)
        y = x * 2
        for call, names in [
                (lambda: chainer.grad([y], [x], grad_outputs=[None, None]),
                 ('outputs', 'grad_outputs')),
                (lambda: chainer.grad([y], [x], grad_inputs=[None, None]),
                 ('inputs', 'grad_inputs')),
                (lambda: chainer.backward([y], grad_outputs=[None, None]),
                 ('outputs', 'grad_outputs'))]:
            with pytest.raises(ValueError) as info:
                call()
            assert str(info.value).endswith(f'len({names[0]}) = 1, len({names[1]}) = 2')


# -- chainer.backward -------------------------------------------------------------------------


class TestChainerBackward:

    def test_multi_output(self):
        x = Variable(_f32(1., 2.))
        y1 = x * 2
        y2 = x * x
        chainer.backward([y1, y2], [Variable(_f32(1., 1.)), Variable(_f32(1., 1.))])
        np.testing.assert_array_equal(x.grad, [4., 6.])

    def test_leaf_output_adds_to_its_grad(self):
        # As in Chainer: a leaf among the outputs gets its gradient output added
        # to the gradient it holds; an intermediate output's own grad is ignored.
        x = Variable(_f32(1., 2.))
        x.grad = _f32(10., 20.)
        w = Variable(_f32(3., 4.))
        chainer.backward([x, x * w], [Variable(_f32(1., 1.)), Variable(_f32(2., 2.))])
        np.testing.assert_array_equal(x.grad, [17., 29.])
        np.testing.assert_array_equal(w.grad, [2., 4.])
        h = x * 2
        h.grad = _f32(100., 100.)
        chainer.backward([h], [Variable(_f32(1., 1.))])
        np.testing.assert_array_equal(h.grad, [100., 100.])
        np.testing.assert_array_equal(x.grad, [19., 31.])

    def test_arrays_as_grad_outputs(self):
        x = Variable(_f32(1., 2.))
        chainer.backward([x * 2, x * 3], [_f32(1., 1.), _f32(1., 1.)])
        np.testing.assert_array_equal(x.grad, [5., 5.])

    def test_uses_and_clears_output_grads(self):
        x = Variable(_f32(1., 2.))
        y1, y2 = x * 2, x * 3
        y1.grad = _f32(1., 1.)
        y2.grad = _f32(2., 2.)
        chainer.backward([y1, y2])
        np.testing.assert_array_equal(x.grad, [8., 8.])
        assert y1.grad is None and y2.grad is None

    def test_missing_grad_warns(self):
        x = _scalar(1.)
        y = x * 2
        with pytest.warns(RuntimeWarning) as record:
            chainer.backward([y])
        assert x.grad is None  # no default gradient
        # Chainer's exact text, which users filter warnings by
        assert [str(w.message) for w in record] == [
            'outputs contains a Variable without grad, or duplicate outputs. '
            'Note that chainer.backward does not set default grad.']

    @pytest.mark.parametrize('name', ['retain_grad', 'loss_scale'])
    def test_variable_only_arguments_refused(self, name):
        # Chainer refused these with ValueError; another name is a TypeError.
        x = _scalar(1.)
        with pytest.raises(ValueError, match=name):
            chainer.backward([x * 2], **{name: 2.})
        with pytest.raises(TypeError):
            chainer.backward([x * 2], foo=1)

    def test_none_grad_output_skipped(self):
        x = _scalar(1.)
        chainer.backward([x * 2, x * 3], [None, Variable(np.array(1.))])
        assert x.grad == 3.

    def test_shared_graph(self):
        x = _scalar(2.)
        h = x * x
        chainer.backward([h * 2, h * 3], [Variable(np.array(1.)), Variable(np.array(1.))])
        assert x.grad == 5 * 4.

    def test_enable_double_backprop(self):
        x = _scalar(2.)
        y = x * x * x
        chainer.backward([y], [Variable(np.array(1.))], enable_double_backprop=True)
        assert x.grad_var.creator is not None

    def test_errors(self):
        x = _scalar(1.)
        y = x * 2
        with pytest.raises(TypeError):
            chainer.backward(y)
        with pytest.raises(TypeError):
            chainer.backward([y.array])
        with pytest.raises(TypeError):
            chainer.backward([y], Variable(np.array(1.)))
        with pytest.raises(ValueError):
            chainer.backward([y], [None, None])
        with pytest.raises(ValueError):
            chainer.backward([y], [Variable(np.array(1.))], retain_grad=True)
        with pytest.raises(TypeError):
            chainer.backward([y], [[1.0]])


@pytest.mark.parametrize('gy, error', [
    (np.ones(2, np.float64), TypeError),
    (np.ones(3, np.float32), ValueError),
])
def test_backward_checks_grad_outputs_before_blaming_a_function(gy, error):
    x = chainer.Variable(np.ones(2, np.float32))
    y = x * 2
    with pytest.raises(error) as info:
        chainer.backward([y], [gy])
    assert 'MulConstant' not in str(info.value)
    assert x.grad is None


class _SumOfInputs(FunctionNode):
    """x0 + x1 + ...; input k gets (k + 1) times the output gradient."""

    def forward(self, inputs):
        return sum(inputs[1:], inputs[0]),

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        return tuple([gy * (k + 1) for k in range(len(self.inputs))])


class TestRepeatedInputSums:
    """An input standing at several places of one node gets its gradients (and the one
    it already holds) in one F.add where sums are nodes, as in Chainer 7.8.1."""

    def test_three_places_sum_in_one_multi_add(self):
        x = Variable(_f32(1., 2.))
        y, = _SumOfInputs().apply((x, x, x))
        F.sum(y).backward(enable_double_backprop=True)
        assert x.grad_var.creator.label == 'MultiAdd'
        np.testing.assert_array_equal(x.grad, [6., 6.])

    def test_two_places_and_a_held_gradient(self):
        x = Variable(_f32(1., 2.))
        x.grad = _f32(10., 10.)
        F.sum(x * x).backward(enable_double_backprop=True)
        assert x.grad_var.creator.label == 'MultiAdd'
        np.testing.assert_array_equal(x.grad, [12., 14.])

    def test_two_places_alone_use_add(self):
        x = Variable(_f32(1., 2.))
        gx, = chainer.grad([F.sum(x * x)], [x], enable_double_backprop=True)
        assert gx.creator.label == '_ + _'
        gx, = chainer.grad([F.sum(x * x)], [x], grad_inputs=[Variable(_f32(1., 1.))],
                           enable_double_backprop=True)
        assert gx.creator.label == 'MultiAdd'
        np.testing.assert_array_equal(gx.array, [3., 5.])

    def test_other_inputs_between_the_places(self):
        x, z = Variable(_f32(1.)), Variable(_f32(1.))
        y, = _SumOfInputs().apply((x, z, x))
        F.sum(y).backward(enable_double_backprop=True)
        assert x.grad_var.creator.label == '_ + _'
        np.testing.assert_array_equal(x.grad, [4.])
        np.testing.assert_array_equal(z.grad, [2.])

    def test_without_node_sums_the_values_are_the_same(self):
        x = Variable(_f32(1., 2.))
        x.grad = _f32(10., 10.)
        y, = _SumOfInputs().apply((x, x, x))
        F.sum(y).backward()
        assert x.grad_var.creator is None
        np.testing.assert_array_equal(x.grad, [16., 16.])


def test_grad_and_backward_argument_type_messages_are_chainers():
    x = chainer.Variable(np.ones(2, np.float32))
    with pytest.raises(TypeError, match=r"^outputs must be a tuple or a list, not "
                                        r"<class 'chainer\.variable\.Variable'>\.$"):
        chainer.grad(x, [x])
    with pytest.raises(TypeError, match=r"^inputs must be a tuple or a list, not "
                                        r"<class 'chainer\.variable\.Variable'>\.$"):
        chainer.grad([x], x)
    with pytest.raises(TypeError, match=r"^outputs must be a tuple or a list, not "):
        chainer.backward(x)


class TestUnchainedOutput:
    """An output of a multi-output function unchained before backprop is a leaf: as in
    Chainer, its gradient stays with it and does not flow into the former creator."""

    def _graph(self):
        x = Variable(np.array([[1., 2.], [3., 4.]]))
        a, b = F.separate(x, axis=1)
        a.unchain()
        return x, a, F.sum(a * b)

    def test_backward(self):
        x, a, y = self._graph()
        y.backward()
        np.testing.assert_array_equal(x.grad, [[0., 1.], [0., 3.]])
        np.testing.assert_array_equal(a.grad, [2., 4.])

    def test_grad(self):
        x, a, y = self._graph()
        gx, ga = chainer.grad([y], [x, a])
        np.testing.assert_array_equal(gx.array, [[0., 1.], [0., 3.]])
        np.testing.assert_array_equal(ga.array, [2., 4.])  # Chainer: None


class _PeekOutputGrad(chainer.FunctionNode):
    """Records its output's ``grad`` during its backward; raises if ``fail``."""

    def __init__(self, fail=False):
        self.fail = fail

    def forward(self, inputs):
        return inputs[0] * 2,

    def backward(self, indexes, grad_outputs):
        self.seen = self.outputs[0]().get_variable_or_none().grad
        if self.fail:
            raise ZeroDivisionError('backward failed')
        return grad_outputs[0] * 2,


def test_retain_grad_sets_output_grads_after_their_backward():
    # As Chainer: the node's backward (and its hooks) still see None.
    x = chainer.Variable(np.ones(2, np.float32))
    node = _PeekOutputGrad()
    y = node.apply((x,))[0]
    chainer.functions.sum(y * 3).backward(retain_grad=True)
    assert node.seen is None
    np.testing.assert_array_equal(y.grad, [3, 3])
    # a failed backward leaves its outputs' gradients unset
    x = chainer.Variable(np.ones(2, np.float32))
    y = _PeekOutputGrad(fail=True).apply((x,))[0]
    with pytest.raises(ZeroDivisionError):
        chainer.functions.sum(y * 3).backward(retain_grad=True)
    assert y.grad is None
