"""Tests of the old-style chainer.Function (array-level forward/backward)."""
from __future__ import annotations

import gc
import weakref

import numpy as np
import pytest

import chainer
import chainer.functions as F
from chainer import Function, FunctionAdapter, FunctionHook, Variable
from chainer.utils import type_check


class Mul(Function):
    def forward(self, inputs):
        x, y = inputs
        return x * y,

    def backward(self, inputs, grad_outputs):
        x, y = inputs
        gz, = grad_outputs
        return gz * y, gz * x


class SplitCpu(Function):
    """Two outputs, with CPU-specific implementations."""

    def forward_cpu(self, inputs):
        x, = inputs
        return x * 2, x * 3

    def backward_cpu(self, inputs, grad_outputs):
        g0, g1 = grad_outputs
        gx = np.zeros_like(inputs[0])
        if g0 is not None:
            gx += 2 * g0
        if g1 is not None:
            gx += 3 * g1
        return gx,


class Scale(Function):
    """Keeps no input; backward must receive None for it."""

    def __init__(self, c):
        self.c = c
        self.seen_inputs = None

    def forward(self, inputs):
        self.retain_inputs(())
        return inputs[0] * self.c,

    def backward(self, inputs, grad_outputs):
        self.seen_inputs = inputs
        return grad_outputs[0] * self.c,


class ExpOld(Function):
    """Keeps its output only."""

    def forward(self, inputs):
        self.retain_inputs(())
        self.retain_outputs((0,))
        return np.exp(inputs[0]),

    def backward(self, inputs, grad_outputs):
        y, = self.output_data
        return grad_outputs[0] * y,


def _f(*values):
    return np.array(values, np.float64)


class TestForwardBackward:

    def test_forward(self):
        x, y = Variable(_f(2., 3.)), Variable(_f(4., 5.))
        f = Mul()
        z = f(x, y)
        assert isinstance(z, Variable)
        np.testing.assert_array_equal(z.array, [8., 15.])
        assert z.creator is f
        assert isinstance(z.creator_node, FunctionAdapter)
        assert z.creator_node.function is f
        assert f.node is z.creator_node

    def test_backward_may_leave_out_unneeded_gradients(self):
        # A loss written as Function(x, t) with an integer label often returns (gx,) only.
        class Loss(Function):
            def forward(self, inputs):
                return inputs[0] * inputs[1],

            def backward(self, inputs, grad_outputs):
                return grad_outputs[0] * inputs[1],

        x = Variable(_f(2., 3.))
        z = Loss()(x, np.array([4., 5.], np.float32))
        F.sum(z).backward()
        np.testing.assert_array_equal(x.grad, [4., 5.])

        x, t = Variable(_f(2., 3.)), Variable(_f(4., 5.))
        with pytest.raises(ValueError, match=r'returned 1 gradient\(s\), but input 1 needs one'):
            F.sum(Loss()(x, t)).backward()

    def test_backward_extra_gradients_are_ignored(self):
        class Extra(Function):
            def forward(self, inputs):
                return inputs[0] * 2,

            def backward(self, inputs, grad_outputs):
                return grad_outputs[0] * 2, grad_outputs[0]

        x = Variable(_f(2., 3.))
        F.sum(Extra()(x)).backward()
        np.testing.assert_array_equal(x.grad, [2., 2.])

    def test_accepts_arrays(self):
        z = Mul()(_f(2.), _f(3.))
        np.testing.assert_array_equal(z.array, [6.])

    def test_backward(self):
        x, y = Variable(_f(2., 3.)), Variable(_f(4., 5.))
        z = Mul()(x, y)
        z.grad = _f(1., 1.)
        z.backward()
        np.testing.assert_array_equal(x.grad, [4., 5.])
        np.testing.assert_array_equal(y.grad, [2., 3.])

    def test_in_larger_graph(self):
        x = Variable(_f(2.))
        z = F.sum(Mul()(x * 3, x) + x)
        z.backward()
        np.testing.assert_allclose(x.grad, [2 * 3 * 2 + 1])

    def test_same_input_twice(self):
        x = Variable(np.array(3.))
        z = Mul()(x, x)
        z.backward()
        assert x.grad == 6.0 and type(x.grad) is np.ndarray

    def test_multi_output_cpu(self):
        x = Variable(_f(1.))
        a, b = SplitCpu()(x)
        np.testing.assert_array_equal(a.array, [2.])
        np.testing.assert_array_equal(b.array, [3.])
        b.grad = _f(1.)
        b.backward()
        np.testing.assert_array_equal(x.grad, [3.])

    def test_gradient_of_both_outputs(self):
        x = Variable(_f(1.))
        a, b = SplitCpu()(x)
        F.sum(a + b).backward()
        np.testing.assert_array_equal(x.grad, [5.])

    def test_attributes(self):
        x, y = Variable(_f(2.)), Variable(_f(4.)) * 1
        f = Mul()
        z = f(x, y)
        assert f.label == 'Mul'
        assert f.rank == 1 and z.rank == 2
        assert f.inputs == (x.node, y.node)
        assert len(f.outputs) == 1 and f.outputs[0]() is z.node

    def test_retain_inputs_none_passed(self):
        x = Variable(_f(2.))
        f = Scale(3.)
        z = f(x)
        z.grad = _f(1.)
        z.backward()
        assert f.seen_inputs == (None,)
        np.testing.assert_array_equal(x.grad, [3.])

    def test_unretained_input_is_none_even_if_kept_elsewhere(self):
        # Mul keeps x's array in its node; Scale did not retain it, so its
        # backward still gets None (by index, as in Chainer).
        x = Variable(_f(2.))
        f = Scale(3.)
        F.sum(f(x) + Mul()(x, x)).backward()
        assert f.seen_inputs == (None,)
        np.testing.assert_array_equal(x.grad, [7.])

    def test_retain_inputs_by_index(self):
        seen = []

        class KeepSecond(Function):
            def forward(self, inputs):
                self.retain_inputs((1,))
                return inputs[0] * inputs[1],

            def backward(self, inputs, grad_outputs):
                seen.append(inputs)
                x1 = inputs[1]
                return grad_outputs[0] * x1, grad_outputs[0] * x1

        x = Variable(_f(2.))
        KeepSecond()(x, x).backward()
        assert seen[0][0] is None
        np.testing.assert_array_equal(seen[0][1], [2.])
        np.testing.assert_array_equal(x.grad, [4.])

    def test_retain_outputs(self):
        x = Variable(_f(0., 1.))
        f = ExpOld()
        z = f(x)
        assert f.output_data[0] is z.array
        F.sum(z).backward()
        np.testing.assert_allclose(x.grad, np.exp([0., 1.]))

    def test_retain_after_backward_deprecated(self):
        class R(Function):
            def forward(self, inputs):
                self.retain_outputs((0,), retain_after_backward=True)
                return inputs[0] * 1,

        with pytest.warns(DeprecationWarning):
            R()(_f(1.))

    def test_backward_wrong_shape(self):
        class Bad(Function):
            def forward(self, inputs):
                return inputs[0] * 1,

            def backward(self, inputs, grad_outputs):
                return np.ones(5),

        x = Variable(_f(1.))
        z = Bad()(x)
        z.grad = _f(1.)
        with pytest.raises(ValueError, match='Function `Bad`'):
            z.backward()

    def test_backward_none(self):
        class NoGrad(Function):
            def forward(self, inputs):
                return inputs[0] * 1,

            def backward(self, inputs, grad_outputs):
                return None,

        x = Variable(_f(1.))
        z = NoGrad()(x)
        z.grad = _f(1.)
        z.backward()
        assert x.grad is None

    def test_default_backward(self):
        class NoBackward(Function):
            def forward(self, inputs):
                return inputs[0] * 1,

        x = Variable(_f(1.))
        z = NoBackward()(x)
        z.grad = _f(1.)
        z.backward()
        assert x.grad is None

    def test_forward_not_implemented(self):
        with pytest.raises(NotImplementedError):
            Function()(_f(1.))

    def test_check_type_forward(self):
        class Typed(Function):
            def check_type_forward(self, in_types):
                type_check._argname(in_types, ('x',))
                type_check.expect(in_types[0].dtype == np.float32)

            def forward(self, inputs):
                return inputs[0] * 1,

        Typed()(np.ones(1, np.float32))
        with pytest.raises(type_check.InvalidType) as e:
            Typed()(np.ones(1, np.float64))
        assert 'Invalid operation is performed in: Typed (Forward)' in str(e.value)

    def test_no_backprop_mode(self):
        x = Variable(_f(1.))
        with chainer.no_backprop_mode():
            z = Mul()(x, x)
        assert z.creator is None


class _ReturnsGrad(Function):
    def __init__(self, make_grad):
        self.make_grad = make_grad

    def forward(self, inputs):
        return inputs[0] * 2,

    def backward(self, inputs, grad_outputs):
        return self.make_grad(grad_outputs[0]),


@pytest.mark.parametrize('make_grad', [
    lambda g: Variable(g * 2),
    lambda g: (g * 2).tolist(),
    lambda g: 2.0,
    lambda g: np.float64(2.0),  # a NumPy scalar for an input that is not 0-d
])
def test_backward_returning_a_non_array_is_a_type_error(make_grad):
    # As in Chainer; a Variable was taken as the gradient itself before.
    x = Variable(_f(1., 2.))
    with pytest.raises(TypeError, match='_ReturnsGrad'):
        F.sum(_ReturnsGrad(make_grad)(x)).backward()
    assert x.grad is None


class _ReturnsBareGrad(Function):
    def forward(self, inputs):
        return inputs[0] * 2,

    def backward(self, inputs, grad_outputs):
        return grad_outputs[0] * 2  # not in a tuple


@pytest.mark.parametrize('error', [TypeError, ValueError])
def test_backward_returning_a_bare_array_is_a_type_and_value_error(error):
    # Chainer indexed the array as the tuple of gradients: its checks then failed
    # with a ValueError (rows of the wrong shape) or a TypeError.
    x = Variable(_f(1., 2.))
    with pytest.raises(error, match='must return a tuple of arrays'):
        F.sum(_ReturnsBareGrad()(x)).backward()


def test_backward_numpy_scalar_for_a_0d_input():
    x = Variable(np.array(1.))
    _ReturnsGrad(lambda g: np.float64(2.0))(x).backward()
    assert type(x.grad) is np.ndarray and x.grad == 2.


class _Doubles0d(Function):
    def forward(self, inputs):
        return inputs[0] * 2,  # a NumPy scalar for a 0-d input

    def backward(self, inputs, grad_outputs):
        return grad_outputs[0] * 2,


def test_forward_numpy_scalar_of_a_0d_input_is_a_0d_array():
    x = Variable(np.array(1.5, np.float32))
    y = _Doubles0d()(x)
    assert type(y.array) is np.ndarray and y.shape == () and y.dtype == np.float32
    y.backward()
    assert type(x.grad) is np.ndarray and x.grad == 2.


class _SecondGrad(Function):
    """x * w whose backward returns ``make_grad(gz)`` as the gradient of ``w``."""

    def __init__(self, make_grad):
        self.make_grad = make_grad

    def forward(self, inputs):
        return inputs[0] * inputs[1],

    def backward(self, inputs, grad_outputs):
        return grad_outputs[0] * inputs[1], self.make_grad(grad_outputs[0])


@pytest.mark.parametrize('make_grad, error', [
    (lambda g: np.ones(5), ValueError),  # wrong shape
    (lambda g: g.astype(np.float32), TypeError),  # wrong dtype
    (lambda g: 3.0, TypeError),  # not an array
])
@pytest.mark.parametrize('w_kind', ['constant', 'array', 'not_a_target'])
def test_wrong_gradient_of_an_input_needing_none_raises(make_grad, error, w_kind):
    # As in Chainer, every gradient backward returns is checked, also that of an input
    # that needs none (a constant, a bare array, or one off the path chainer.grad takes).
    x = Variable(_f(1., 2., 3.))
    w = _f(4., 5., 6.)
    if w_kind != 'array':
        w = Variable(w, requires_grad=w_kind == 'not_a_target')
    y = F.sum(_SecondGrad(make_grad)(x, w))
    with pytest.raises(error, match='_SecondGrad'):
        if w_kind == 'not_a_target':
            chainer.grad([y], [x])
        else:
            y.backward()


def test_right_gradient_of_an_input_needing_none_is_dropped():
    x, w = Variable(_f(1., 2.)), Variable(_f(3., 4.), requires_grad=False)
    F.sum(_SecondGrad(lambda g: g * 2)(x, w)).backward()
    np.testing.assert_array_equal(x.grad, [3., 4.])
    assert w.grad is None


class _TooFewGrads(Function):
    def forward(self, inputs):
        return inputs[0] + inputs[1],

    def backward(self, inputs, grad_outputs):
        return grad_outputs[0],


def test_backward_with_too_few_gradients_names_the_input():
    x, y = Variable(_f(1., 2.)), Variable(_f(3., 4.))
    with pytest.raises(ValueError, match=r'_TooFewGrads returned 1 gradient.*input 1'):
        F.sum(_TooFewGrads()(x, y)).backward()


class TestCalledAgain:
    """One Function instance called more than once (its node goes to the latest call)."""

    def test_backward_of_the_latest_call(self):
        f = Mul()
        x = Variable(_f(1., 2.))
        for _ in range(2):
            x.cleargrad()
            y = f(x, x)
            F.sum(y).backward()
            np.testing.assert_array_equal(x.grad, [2., 4.])
            assert y.creator is f

    def test_backward_through_an_earlier_call_raises(self):
        # Chainer crashed (TypeError or AssertionError); the gradient of the
        # earlier call was silently lost before.
        f = Mul()
        a, b = Variable(_f(1.)), Variable(_f(2.))
        ya = f(a, a)
        yb = f(b, b)
        assert ya.creator is f and yb.creator is f
        with pytest.raises(RuntimeError, match='called again'):
            F.sum(ya + yb).backward()
        np.testing.assert_array_equal(ya.array, [1.])

    def test_call_without_graph_keeps_the_earlier_one(self):
        f = Mul()
        a = Variable(_f(3.))
        y = f(a, a)
        with chainer.no_backprop_mode():
            f(_f(1.), _f(1.))
        y.backward()
        np.testing.assert_array_equal(a.grad, [6.])


class TestDoubleBackprop:

    def test_grad_of_grad_raises(self):
        x = Variable(np.array(2.))
        z = Mul()(x, x)
        gx, = chainer.grad([z], [x], enable_double_backprop=True)
        np.testing.assert_allclose(gx.array, 4.)
        with pytest.raises(RuntimeError, match='Mul'):
            gx.backward()

    def test_backward_of_grad_var_raises(self):
        x = Variable(np.array(2.))
        y = Variable(np.array(3.))
        z = Mul()(x, y)
        z.backward(enable_double_backprop=True)
        with pytest.raises(RuntimeError, match='Mul'):
            x.grad_var.backward()

    @pytest.mark.parametrize('old_first', [True, False])
    def test_raises_before_leaves_met_later_give_up_their_gradients(self, old_first):
        # As in Chainer: the gradient of a leaf reached before the old-style one is gone
        # (it was taken into the backprop run), later leaves keep theirs untouched.
        x, w = Variable(_f(1., 2.)), Variable(_f(3., 4.))
        F.sum(Mul()(x, w)).backward()
        w.grad = _f(7., 8.)
        gx = x.grad_var
        with pytest.raises(RuntimeError, match='Mul'):
            F.sum(gx * w if old_first else w * gx).backward()
        if old_first:
            np.testing.assert_array_equal(w.grad, [7., 8.])
        else:
            assert w.grad is None  # never the sum of the old and a new gradient

    def test_backward_through_new_style_after_old_style_raises(self):
        x = Variable(np.array(2.))
        h = x * x  # new-style
        z = ExpOld()(h)  # old-style
        gx, = chainer.grad([z], [x], enable_double_backprop=True)
        with pytest.raises(RuntimeError, match='ExpOld'):
            gx.backward()

    def test_grad_wrt_old_style_gradient_raises(self):
        x = Variable(np.array(2.))
        z = Mul()(x, x)
        gx, = chainer.grad([z], [x], enable_double_backprop=True)
        with pytest.raises(RuntimeError):
            chainer.grad([gx], [x])

    def test_old_style_gradient_is_refused_before_the_inputs_are_checked(self):
        # After backward, z's gradient is gone (None); Chainer reports the old-style
        # gradient among the outputs before it looks at such an input.
        x = Variable(np.array(2.))
        z = Mul()(x, Variable(np.array(3.)))
        z.backward(enable_double_backprop=True)
        assert z.grad_var is None
        with pytest.raises(RuntimeError, match='Mul'):
            chainer.grad([x.grad_var], [z.grad_var])
        with pytest.raises(TypeError, match='NoneType'):
            chainer.grad([z], [None])  # a new-style output: the input is refused

    def test_single_backward_is_fine(self):
        x = Variable(np.array(2.))
        z = Mul()(x, x)
        z.backward(enable_double_backprop=True)
        assert x.grad == 4.0


class Recorder(FunctionHook):
    name = 'rec'

    def __init__(self):
        self.log = []

    def forward_preprocess(self, function, in_data):
        self.log.append('fpre')

    def forward_postprocess(self, function, in_data):
        self.log.append('fpost')

    def backward_preprocess(self, function, in_data, out_grad):
        self.log.append('bpre')

    def backward_postprocess(self, function, in_data, out_grad):
        self.log.append('bpost')


class TestHooksAndLifetime:

    def test_local_hook_added_before_call(self):
        hook = Recorder()
        f = Mul()
        f.add_hook(hook)
        assert f.local_function_hooks['rec'] is hook
        x = Variable(_f(1.))
        z = f(x, x)
        z.grad = _f(1.)
        z.backward()
        assert hook.log == ['fpre', 'fpost', 'bpre', 'bpost']
        f.delete_hook('rec')
        assert 'rec' not in f.local_function_hooks

    def test_delete_missing_hook(self):
        with pytest.raises(KeyError):
            Mul().delete_hook('missing')

    def test_global_hook(self):
        hook = Recorder()
        x = Variable(_f(1.))
        with hook:
            z = Mul()(x, x)
            z.grad = _f(1.)
            z.backward()
        assert hook.log[:2] == ['fpre', 'fpost']
        assert 'bpre' in hook.log and 'bpost' in hook.log

    def test_function_freed_with_graph_without_gc(self):
        gc.collect()
        gc.disable()
        try:
            f = Mul()
            ref = weakref.ref(f)
            x = Variable(_f(1.))
            z = f(x, x)
            del f
            assert ref() is not None  # the graph keeps it alive
            del z
            assert ref() is None  # no reference cycle
            g = Mul()
            ref = weakref.ref(g)
            node_ref = weakref.ref(g.node)
            del g
            assert ref() is None and node_ref() is None
        finally:
            gc.enable()

    def test_unchain(self):
        x = Variable(_f(1.))
        f = Mul()
        z = f(x, x)
        f.unchain()
        assert z.creator is None
