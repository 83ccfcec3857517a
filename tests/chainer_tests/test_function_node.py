"""Tests of chainer.FunctionNode: apply, retention, backward contract, type
checks, hooks, backprop modes and debug mode."""
from __future__ import annotations

import collections
import gc
import re
import sys
import threading
import weakref

import numpy as np
import pytest

import chainer
import chainer.functions as F
from chainer import FunctionHook, FunctionNode, Variable
from chainer.utils import type_check


class Square(FunctionNode):
    """y = x ** 2, written on arrays with a Variable-level backward."""

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))
        x_type, = in_types
        type_check.expect(x_type.dtype.kind == 'f')

    def forward_cpu(self, inputs):
        self.retain_inputs((0,))
        x, = inputs
        return x * x,

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return 2 * x * grad_outputs[0],


class MulAdd(FunctionNode):
    """(a * b, a + b): two inputs, two outputs."""

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        a, b = inputs
        return a * b, a + b

    def backward(self, indexes, grad_outputs):
        a, b = self.get_retained_inputs()
        gp, gs = grad_outputs
        ga = gb = None
        if gp is not None:
            ga, gb = gp * b, gp * a
        if gs is not None:
            ga = gs if ga is None else ga + gs
            gb = gs if gb is None else gb + gs
        return ga, gb


class Exp(FunctionNode):
    """Retains its output."""

    def forward(self, inputs):
        self.retain_outputs((0,))
        return np.exp(inputs[0]),

    def backward(self, indexes, grad_outputs):
        y, = self.get_retained_outputs()
        return y * grad_outputs[0],


class Returning(FunctionNode):
    """Identity on any number of inputs whose backward returns ``make(self, indexes, gys)``."""

    def __init__(self, make):
        self.make = make
        self.calls = []

    def forward(self, inputs):
        return tuple(x.copy() for x in inputs)

    def backward(self, indexes, grad_outputs):
        self.calls.append(indexes)
        return self.make(self, indexes, grad_outputs)


def _f32(*values):
    return np.array(values, np.float32)


def _backprop_through(make, n_inputs=1, requires_grad=None):
    requires_grad = requires_grad or [True] * n_inputs
    xs = [Variable(_f32(1., 2.), requires_grad=r) for r in requires_grad]
    f = Returning(make)
    ys = f.apply(xs)
    loss = F.sum(ys[0])
    for y in ys[1:]:
        loss = loss + F.sum(y)
    loss.backward()
    return f, xs


class TestApply:

    def test_returns_tuple_of_variables(self):
        x = Variable(_f32(1., 2., 3.))
        ys = Square().apply((x,))
        assert type(ys) is tuple and len(ys) == 1
        y, = ys
        assert isinstance(y, Variable)
        np.testing.assert_array_equal(y.array, [1., 4., 9.])
        assert y.requires_grad

    def test_apply_with_arrays(self):
        y, = Square().apply((_f32(2.),))
        assert isinstance(y, Variable)
        np.testing.assert_array_equal(y.array, [4.])
        assert not y.requires_grad  # arrays are constants

    def test_apply_with_list(self):
        y, = Square().apply([Variable(_f32(3.))])
        np.testing.assert_array_equal(y.array, [9.])

    def test_mixed_arrays_and_variables(self):
        a = Variable(_f32(2.))
        p, s = MulAdd().apply((a, _f32(3.)))
        np.testing.assert_array_equal(p.array, [6.])
        np.testing.assert_array_equal(s.array, [5.])
        assert p.requires_grad
        F.sum(p).backward()
        np.testing.assert_array_equal(a.grad, [3.])

    def test_requires_grad_false_inputs(self):
        a = Variable(_f32(2.), requires_grad=False)
        y, = Square().apply((a,))
        assert not y.requires_grad

    @pytest.mark.parametrize('bad', [1.0, 3, [1.0], 'x'])
    def test_bad_input(self, bad):
        with pytest.raises(TypeError):
            Square().apply((bad,))

    def test_non_array_input_message_names_the_function_as_chainers_did(self):
        with pytest.raises(TypeError, match=r'got builtins\.list \(in the forward input of '
                                            r'Square\)$'):
            Square().apply(([1.0],))

    def test_numpy_scalar_input_message_prints_it_as_chainer_did(self):
        # NumPy 2's repr (np.float32(1.5)) does not leak into the message.
        with pytest.raises(TypeError, match=r'got the scalar 1\.5 \(float32\)'):
            Square().apply((np.float32(1.5),))

    def test_none_input_fails_in_the_check(self):
        # As in Chainer: the check reads x.dtype of None.
        with pytest.raises(AttributeError):
            Square().apply((None,))

    def test_forward_dispatches_to_cpu(self):
        calls = []

        class F2(FunctionNode):
            def forward_cpu(self, inputs):
                calls.append('cpu')
                return inputs[0] + 1,

            def forward_gpu(self, inputs):
                calls.append('gpu')
                return inputs[0] + 1,

        F2().apply((_f32(1.),))
        assert calls == ['cpu']

    def test_forward_not_implemented(self):
        class NoForward(FunctionNode):
            pass

        with pytest.raises(NotImplementedError):
            NoForward().apply((_f32(1.),))

    def test_forward_must_return_tuple(self):
        class ReturnsArray(FunctionNode):
            def forward(self, inputs):
                return inputs[0]

        with pytest.raises(TypeError, match='ReturnsArray'):
            ReturnsArray().apply((_f32(1.),))

    def test_forward_numpy_scalar_output_becomes_array(self):
        class Sum(FunctionNode):
            def forward(self, inputs):
                return inputs[0].sum(),

        y, = Sum().apply((_f32(1., 2.),))
        assert type(y.array) is np.ndarray and y.shape == ()

    def test_forward_bad_output(self):
        class ReturnsList(FunctionNode):
            def forward(self, inputs):
                return [1, 2],

        with pytest.raises(TypeError):
            ReturnsList().apply((_f32(1.),))

    def test_call_raises(self):
        with pytest.raises(RuntimeError, match='apply'):
            Square()(_f32(1.))

    def test_inputs_outputs_rank_label(self):
        x = Variable(_f32(1.))
        h = x * 2
        f = Square()
        y, = f.apply((h,))
        assert f.inputs == (h.node,)
        assert len(f.outputs) == 1 and f.outputs[0]() is y.node
        assert f.rank == h.rank == 1
        assert y.rank == 2
        assert f.label == 'Square'
        assert y.creator is f and y.creator_node is f

    def test_multi_output_rank(self):
        a = Variable(_f32(1.))
        b = Variable(_f32(2.)) * 3
        f = MulAdd()
        p, s = f.apply((a, b))
        assert f.rank == 1 and p.rank == s.rank == 2

    def test_unchain(self):
        x = Variable(_f32(1.))
        f = Square()
        y, = f.apply((x,))
        f.unchain()
        assert y.creator is None
        assert f.inputs is None and f.outputs is None

    def test_default_attributes(self):
        f = Square()
        assert f.inputs is None and f.outputs is None
        assert f.rank == 0
        assert f.stack is None
        assert not f.lazy_grad_sum
        assert len(f.local_function_hooks) == 0


class TestRetention:

    def test_retained_inputs(self):
        x = Variable(_f32(3.))
        f = Square()
        f.apply((x,))
        r, = f.get_retained_inputs()
        assert r is x

    def test_retained_inputs_after_input_gc(self):
        x = Variable(_f32(3.))
        f = Square()
        y, = f.apply((x,))
        del x
        gc.collect()
        r, = f.get_retained_inputs()
        np.testing.assert_array_equal(r.array, [3.])
        y.grad = _f32(1.)
        y.backward()  # the backward must still work

    def test_not_retained_input_has_no_data(self):
        x = Variable(_f32(3.))
        f = Exp()
        f.apply((x,))
        assert f.inputs[0].data is None
        assert f.get_retained_inputs() == ()

    def test_retained_outputs(self):
        x = Variable(_f32(0.))
        f = Exp()
        y, = f.apply((x,))
        r, = f.get_retained_outputs()
        assert r is y
        assert f.output_data[0] is y.array

    def test_retained_outputs_after_output_gc(self):
        x = Variable(_f32(0., 1.))
        f = Exp()
        y, = f.apply((x,))
        data = y.array
        del y
        gc.collect()
        r, = f.get_retained_outputs()
        assert r.array is data
        assert r.creator_node is f
        assert f.outputs[0]() is r.node
        assert f.output_data[0] is data

    def test_retained_output_backward_after_output_gc(self):
        x = Variable(_f32(0., 1.))
        f = Exp()
        y, = f.apply((x,))
        z = y * 2
        del y
        gc.collect()
        F.sum(z).backward()
        np.testing.assert_allclose(x.grad, 2 * np.exp([0., 1.]), rtol=1e-6)

    def test_bare_array_inputs_get_nodes_of_their_own(self):
        # A bare array gets a node whose variable is gone from the start; a
        # retained one comes back as a fresh Variable holding the same array.
        a = _f32(2., 3.)
        b = Variable(_f32(4., 5.))
        f = MulAdd()
        p, s = f.apply((a, b))
        a_node, b_node = f.inputs
        assert a_node.get_variable_or_none() is None
        assert not a_node.requires_grad
        assert a_node.data is a and a_node.shape == (2,) and a_node.dtype == np.float32
        assert a_node.creator_node is None and a_node.rank == 0
        ra, rb = f.get_retained_inputs()
        assert ra.array is a and not ra.requires_grad and ra.node is a_node
        assert rb is b
        F.sum(p + s).backward()
        np.testing.assert_array_equal(b.grad, a + 1)

    def test_bare_array_inputs_without_backprop_make_no_nodes(self):
        with chainer.no_backprop_mode():
            y, = Square().apply((_f32(3.),))
        assert y.creator_node is None and not y.requires_grad
        np.testing.assert_array_equal(y.array, [9.])

    def test_output_data_without_retention(self):
        f = Square()
        f.apply((Variable(_f32(1.)),))
        with pytest.raises(RuntimeError):
            f.output_data


class TestBackwardContract:

    def test_full_length_result(self):
        f, xs = _backprop_through(lambda f, idx, gys: gys, 2)
        np.testing.assert_array_equal(xs[0].grad, [1., 1.])
        np.testing.assert_array_equal(xs[1].grad, [1., 1.])

    def test_full_length_with_partial_targets(self):
        def make(f, idx, gys):
            return gys[0], gys[1]
        f, xs = _backprop_through(make, 2, [False, True])
        assert f.calls == [(1,)]
        assert xs[0].grad is None
        np.testing.assert_array_equal(xs[1].grad, [1., 1.])

    def test_target_length_result(self):
        def make(f, idx, gys):
            return tuple(gys[i] for i in idx)
        f, xs = _backprop_through(make, 3, [True, False, True])
        assert f.calls == [(0, 2)]
        np.testing.assert_array_equal(xs[2].grad, [1., 1.])
        assert xs[1].grad is None

    def test_list_result_is_accepted(self):
        f, xs = _backprop_through(lambda f, idx, gys: list(gys), 1)
        np.testing.assert_array_equal(xs[0].grad, [1., 1.])

    def test_none_gradients(self):
        f, xs = _backprop_through(lambda f, idx, gys: (None, gys[1]), 2)
        assert xs[0].grad is None
        np.testing.assert_array_equal(xs[1].grad, [1., 1.])

    def test_wrong_length(self):
        with pytest.raises(ValueError) as e:
            _backprop_through(lambda f, idx, gys: gys + gys, 1)
        assert 'Returning' in str(e.value)

    def test_wrong_length_partial(self):
        with pytest.raises(ValueError):
            _backprop_through(lambda f, idx, gys: (gys[0],) * 2, 3, [True, False, False])

    def test_arrays_instead_of_variables(self):
        with pytest.raises(TypeError) as e:
            _backprop_through(lambda f, idx, gys: (gys[0].array,), 1)
        assert 'Returning' in str(e.value) and 'Variable' in str(e.value)

    def test_single_variable_instead_of_tuple(self):
        with pytest.raises(TypeError):
            _backprop_through(lambda f, idx, gys: gys[0], 1)

    def test_wrong_shape(self):
        with pytest.raises(ValueError) as e:
            _backprop_through(lambda f, idx, gys: (Variable(np.ones(3, np.float32)),), 1)
        msg = str(e.value)
        assert 'Returning' in msg and '(3,)' in msg and '(2,)' in msg

    def test_wrong_dtype(self):
        with pytest.raises(TypeError) as e:
            _backprop_through(lambda f, idx, gys: (Variable(np.ones(2, np.float64)),), 1)
        msg = str(e.value)
        assert 'Returning' in msg and 'float64' in msg and 'float32' in msg

    def test_grad_outputs_none_for_unused_output(self):
        seen = []

        class Two(FunctionNode):
            def forward(self, inputs):
                return inputs[0] * 2, inputs[0] * 3

            def backward(self, indexes, grad_outputs):
                seen.append(grad_outputs)
                g0, g1 = grad_outputs
                return (g0 * 2 if g0 is not None else g1 * 3),

        x = Variable(_f32(1.))
        a, b = Two().apply((x,))
        F.sum(b).backward()
        assert seen[0][0] is None and isinstance(seen[0][1], Variable)
        np.testing.assert_array_equal(x.grad, [3.])

    def test_backward_skipped_without_output_grad(self):
        calls = []

        class Spy(FunctionNode):
            def forward(self, inputs):
                return inputs[0] * 1,

            def backward(self, indexes, grad_outputs):
                calls.append(1)
                return grad_outputs

        x = Variable(_f32(1.))
        Spy().apply((x,))  # output dropped
        y = x * 2
        F.sum(y).backward()
        assert calls == []

    def test_default_backward_returns_none(self):
        class NoBackward(FunctionNode):
            def forward(self, inputs):
                return inputs[0] * 1,

        x = Variable(_f32(1.))
        y, = NoBackward().apply((x,))
        F.sum(y).backward()
        assert x.grad is None

    def test_backward_accumulate_override(self):
        calls = []

        class Acc(FunctionNode):
            def forward(self, inputs):
                return inputs[0] * 2,

            def backward_accumulate(self, indexes, grad_outputs, grad_inputs):
                calls.append(grad_inputs)
                g = grad_outputs[0] * 2
                return tuple([g if gx is None else g + gx for gx in grad_inputs])

        x = Variable(np.array(1., np.float32))
        y, = Acc().apply((x,))
        z = x * 3 + y
        z.backward()
        assert x.grad == 5.0
        assert type(x.grad) is np.ndarray
        # the gradient already accumulated for x was handed to backward_accumulate
        assert len(calls) == 1 and len(calls[0]) == 1

    def test_backward_accumulate_with_existing_leaf_grad(self):
        class Acc(FunctionNode):
            def forward(self, inputs):
                return inputs[0] * 2,

            def backward_accumulate(self, indexes, grad_outputs, grad_inputs):
                g = grad_outputs[0] * 2
                return tuple([g if gx is None else g + gx for gx in grad_inputs])

        x = Variable(np.array(1., np.float32))
        x.grad = np.array(10., np.float32)
        y, = Acc().apply((x,))
        y.backward()
        assert x.grad == 12.0

    def test_backward_accumulate_default_uses_backward(self):
        x = Variable(_f32(2.))
        f = Square()
        f.apply((x,))
        gy = Variable(_f32(1.))
        gx, = f.backward_accumulate((0,), (gy,), (None,))
        np.testing.assert_array_equal(gx.array, [4.])
        gx, = f.backward_accumulate((0,), (gy,), (Variable(_f32(1.)),))
        np.testing.assert_array_equal(gx.array, [5.])


class TestTypeCheck:

    @pytest.fixture(autouse=True)
    def _checks_of_the_package(self, monkeypatch):
        # The nodes defined here stand for the library's own, whose passed checks
        # are skipped (a check of user code runs every time: see below the class).
        from chainer import function_node
        monkeypatch.setattr(function_node, '_PACKAGES', function_node._PACKAGES | {'tests'})

    def test_passes(self):
        Square().apply((_f32(1.),))

    def test_message_format(self):
        with pytest.raises(type_check.InvalidType) as e:
            Square().apply((np.array([1, 2], np.int32),))
        msg = str(e.value)
        assert 'Invalid operation is performed in: Square (Forward)' in msg
        assert re.search(r'^Expect: x\.dtype\.kind == f$', msg, re.M), msg
        assert re.search(r'^Actual: i != f$', msg, re.M), msg

    def test_size_message(self):
        class One(FunctionNode):
            def check_type_forward(self, in_types):
                type_check.expect(in_types.size() == 1)

            def forward(self, inputs):
                return inputs[0],

        with pytest.raises(type_check.InvalidType) as e:
            One().apply((_f32(1.), _f32(1.)))
        msg = str(e.value)
        assert 'Invalid operation is performed in: One (Forward)' in msg
        assert 'Expect: in_types.size == 1' in msg
        assert 'Actual: 2 != 1' in msg

    def test_disabled_by_config(self):
        with chainer.using_config('type_check', False):
            y, = Square().apply((np.array([2], np.int32),))
        np.testing.assert_array_equal(y.array, [4])

    def test_invalid_type_is_exception(self):
        assert issubclass(type_check.InvalidType, Exception)

    def test_passed_check_is_skipped_for_the_same_types_only(self):
        calls = []

        class Counted(FunctionNode):
            def __init__(self, limit):
                self.limit = limit

            def check_type_forward(self, in_types):
                calls.append(1)
                type_check.expect(in_types[0].shape[0] <= self.limit)

            def forward(self, inputs):
                return inputs[0] * 2,

        x = _f32(1., 2.)
        Counted(3).apply((x,))
        Counted(3).apply((_f32(5., 6.),))
        assert len(calls) == 1  # same class, input types and arguments
        Counted(3).apply((x.astype(np.float64),))
        assert len(calls) == 2
        with pytest.raises(type_check.InvalidType):
            Counted(1).apply((x,))  # another argument: checked again, and fails
        with pytest.raises(type_check.InvalidType):
            Counted(1).apply((x,))  # a failed check is never skipped

    @pytest.mark.parametrize('arg,cached', [
        ((2, 3), True), (np.dtype(np.float32), True), ((None, 'a', 1.5), True),
        ([2, 3], False), (object(), False), ((2, [3]), False), ((np.int64(2),), False),
    ])
    def test_only_plain_arguments_let_a_check_be_skipped(self, arg, cached):
        calls = []

        class WithArg(FunctionNode):
            def __init__(self, arg):
                self.arg = arg

            def check_type_forward(self, in_types):
                calls.append(self.arg)

            def forward(self, inputs):
                return inputs[0] * 2,

        for _ in range(3):
            WithArg(arg).apply((_f32(1.),))
        assert len(calls) == (1 if cached else 3)

    def test_check_reading_no_attribute_is_skipped_whatever_the_node_holds(self):
        calls = []

        class Free(FunctionNode):
            def __init__(self, arg):
                self.arg = arg

            def check_type_forward(self, in_types):
                calls.append(1)
                type_check.expect(in_types[0].dtype.kind == 'f')

            def forward(self, inputs):
                return inputs[0] * 2,

        for arg in (object(), [1], 3):
            Free(arg).apply((_f32(1.),))
        assert len(calls) == 1
        with pytest.raises(type_check.InvalidType):
            Free(object()).apply((np.array([1], np.int32),))

    def test_check_is_keyed_on_the_attributes_it_reads(self):
        calls = []

        class Some(FunctionNode):
            def __init__(self, limit, other):
                self.limit = limit
                self.other = other

            def check_type_forward(self, in_types):
                calls.append(1)
                type_check.expect(in_types[0].shape[0] <= self.limit)

            def forward(self, inputs):
                return inputs[0],

        x = _f32(1., 2.)
        Some(2, object()).apply((x,))
        Some(2, [3]).apply((x,))
        assert len(calls) == 1  # other is not read by the check
        with pytest.raises(type_check.InvalidType):
            Some(1, object()).apply((x,))

    @pytest.mark.parametrize('body', [
        'self.helper(in_types)',                 # a method of the node
        'inspect_node(self, in_types)',          # the node passed on
        'super().check_type_forward(in_types)',  # the parent's check sees the node
        'self.seen = in_types',                  # stores on it
        '(lambda: self.limit)()',                # a closure over it
    ])
    def test_check_doing_more_with_the_node_is_keyed_on_all_its_attributes(self, body):
        calls = []
        namespace = {'calls': calls, 'FunctionNode': FunctionNode, '__name__': __name__,
                     'inspect_node': lambda node, in_types: calls.append(node.limit)}
        exec('class Base(FunctionNode):\n'
             '    def check_type_forward(self, in_types):\n'
             '        calls.append(self.limit)\n'
             'class Node(Base):\n'
             '    def __init__(self, limit):\n'
             '        self.limit = limit\n'
             '    def helper(self, in_types):\n'
             '        calls.append(self.limit)\n'
             '    def check_type_forward(self, in_types):\n'
             '        calls.append(0)\n'
             f'        {body}\n'
             '    def forward(self, inputs):\n'
             '        return inputs[0],\n', namespace)
        from chainer import function_node
        node_class = namespace['Node']
        assert function_node._attributes_read(node_class.check_type_forward) is None
        for _ in range(2):
            node_class([1]).apply((_f32(1.),))  # a list: never skipped
        assert len(calls) >= 2

    def test_attributes_read(self):
        from chainer import function_node

        def reads(self, in_types):
            type_check.expect(in_types[0].ndim == self.ndim, in_types.size() == self.n)
            return self.ndim

        def reads_none(self, in_types):
            type_check.expect(in_types.size() == 1)

        def reads_beside_a_local(self, in_types):
            # (Python 3.13+ loads in_types and self in one instruction here)
            type_check.expect(in_types.size() == 1)
            pair = (in_types, self.axis)
            return pair

        def passes_it_beside_a_local(self, in_types):
            return (self, in_types[0].ndim)

        def names_it_otherwise(self, in_types):
            return in_types.self

        assert function_node._attributes_read(reads) == ('ndim', 'n')
        assert function_node._attributes_read(reads_none) == ()
        assert function_node._attributes_read(reads_beside_a_local) == ('axis',)
        assert function_node._attributes_read(passes_it_beside_a_local) is None
        assert function_node._attributes_read(names_it_otherwise) is None
        assert function_node._attributes_read(lambda *a: None) is None
        assert function_node._attributes_read(print) is None

    @pytest.mark.skipif(sys.version_info < (3, 11), reason='instance values from 3.11')
    def test_apply_leaves_the_node_dict_unread(self):
        # On CPython 3.11+ an object whose __dict__ was asked for reads every attribute
        # more slowly: applying a node (checked or not, with or without arguments) does
        # not ask for it once its check is known.
        def has_dict(obj):
            return any(type(r) is dict for r in gc.get_referents(obj))

        x = chainer.Variable(_f32(1., 2.))
        F = chainer.functions
        for cls, args, n_inputs in ((F.math.sum.Sum, (0,), 1), (Square, (), 1),
                                    (F.math.basic_math.Mul, (), 2),
                                    (F.math.basic_math.MulConstant, (2.0,), 1),
                                    (F.array.broadcast.BroadcastTo, ((2,),), 1)):
            # A subclass of its own: CPython gives every instance of a class a dict
            # once its instances have held too many different attributes (as nodes
            # of other tests may), whatever apply does.
            cls = type(cls.__name__, (cls,), {})
            cls(*args).apply((x,) * n_inputs)
            node = cls(*args)
            node.apply((x,) * n_inputs)
            assert not has_dict(node), node

    def test_check_set_on_a_node_whose_check_comes_from_a_mixin_runs_every_time(self):
        class Mixin:
            def check_type_forward(self, in_types):
                type_check.expect(in_types.size() == 1)

        class Node(Mixin, FunctionNode):
            def forward(self, inputs):
                return inputs[0],

        calls = []
        Node().apply((_f32(1.),))
        node = Node()
        node.check_type_forward = calls.append
        node.apply((_f32(1.),))
        assert len(calls) == 1
        with pytest.raises(type_check.InvalidType):
            Node().apply((_f32(1.), _f32(1.)))

    def test_check_set_on_a_node_of_a_checked_class_runs_every_time(self):
        calls = []
        x = _f32(1.)
        Square().apply((x,))  # the class's check passes and is kept
        for _ in range(2):
            node = Square()
            node.check_type_forward = calls.append
            node.apply((x,))
        assert len(calls) == 2
        node = Square()
        node.check_type_forward = calls.append
        assert node.check_type_forward == calls.append
        del node.check_type_forward
        assert node.check_type_forward.__func__ is Square.check_type_forward
        with pytest.raises(AttributeError):
            del node.check_type_forward
        node.apply((x,))
        assert len(calls) == 2

    def test_check_with_side_effects_runs_every_time(self):
        calls = []

        class Storing(FunctionNode):
            def check_type_forward(self, in_types):
                calls.append(1)
                self.seen = in_types[0].shape

            def forward(self, inputs):
                return inputs[0],

        for _ in range(2):
            Storing().apply((_f32(1.),))
        assert len(calls) == 2


class Recorder(FunctionHook):
    name = 'Recorder'

    def __init__(self, name=None):
        if name is not None:
            self.name = name
        self.log = []

    def added(self, function):
        self.log.append(('added', function))

    def deleted(self, function):
        self.log.append(('deleted', function))

    def forward_preprocess(self, function, in_data):
        self.log.append(('forward_pre', function.label, len(in_data)))

    def forward_postprocess(self, function, in_data):
        self.log.append(('forward_post', function.label, len(in_data)))

    def backward_preprocess(self, function, in_data, out_grad):
        self.log.append(('backward_pre', function.label, len(in_data), len(out_grad)))

    def backward_postprocess(self, function, in_data, out_grad):
        self.log.append(('backward_post', function.label, len(in_data), len(out_grad)))


class TestHooks:

    def test_local_hook(self):
        hook = Recorder()
        f = Square()
        f.add_hook(hook)
        assert f.local_function_hooks['Recorder'] is hook
        assert hook.log == [('added', f)]
        x = Variable(_f32(2.))
        y, = f.apply((x,))
        y.grad = _f32(1.)
        y.backward()
        events = [e[0] for e in hook.log]
        assert events == ['added', 'forward_pre', 'forward_post', 'backward_pre',
                          'backward_post']
        assert hook.log[1] == ('forward_pre', 'Square', 1)
        assert hook.log[3] == ('backward_pre', 'Square', 1, 1)
        f.delete_hook('Recorder')
        assert hook.log[-1] == ('deleted', f)
        assert 'Recorder' not in f.local_function_hooks

    def test_local_hook_only_on_its_node(self):
        hook = Recorder()
        f = Square()
        f.add_hook(hook, name='mine')
        assert 'mine' in f.local_function_hooks
        Square().apply((_f32(1.),))
        assert len(hook.log) == 1

    def test_add_hook_errors(self):
        f = Square()
        f.add_hook(Recorder())
        with pytest.raises(KeyError):
            f.add_hook(Recorder())
        with pytest.raises(TypeError):
            f.add_hook(object())
        with pytest.raises(KeyError):
            f.delete_hook('missing')

    def test_hook_whose_added_raises_stays_registered_and_runs(self):
        class Failing(Recorder):
            def added(self, function=None):
                super().added(function)
                raise RuntimeError('added')

        hook = Failing()
        f = Square()
        with pytest.raises(RuntimeError):
            f.add_hook(hook)
        assert f.local_function_hooks['Recorder'] is hook
        f.apply((_f32(1.),))
        assert ('forward_pre', 'Square', 1) in hook.log
        f.delete_hook('Recorder')
        with pytest.raises(KeyError, match='does not exist'):
            f.delete_hook('Recorder')

    def test_global_hook_context_manager(self):
        hook = Recorder()
        with hook as h:
            assert h is hook
            assert chainer.get_function_hooks()['Recorder'] is hook
            assert isinstance(chainer.get_function_hooks(), collections.OrderedDict)
            expected = collections.OrderedDict(Recorder=hook)
            assert repr(chainer.get_function_hooks()) == repr(expected)
            x = Variable(_f32(2.))
            y, = Square().apply((x,))
            y.grad = _f32(1.)
            y.backward()
        assert 'Recorder' not in chainer.get_function_hooks()
        assert hook.log[0] == ('added', None)
        assert hook.log[-1] == ('deleted', None)
        labels = [(e[0], e[1]) for e in hook.log[1:-1]]
        assert ('forward_pre', 'Square') in labels
        assert ('backward_pre', 'Square') in labels
        assert ('backward_post', 'Square') in labels
        # after the block the hook is not called any more
        n = len(hook.log)
        Square().apply((_f32(1.),))
        assert len(hook.log) == n

    def test_global_hook_duplicate_name(self):
        with Recorder():
            with pytest.raises(KeyError):
                with Recorder():
                    pass

    def test_global_hook_is_thread_local(self):
        hook = Recorder()
        seen = {}

        def other():
            seen['hooks'] = dict(chainer.get_function_hooks())
            Square().apply((_f32(1.),))

        with hook:
            t = threading.Thread(target=other)
            t.start()
            t.join(timeout=60)
            assert not t.is_alive()
        assert seen['hooks'] == {}
        assert [e for e in hook.log if e[0] == 'forward_pre'] == []

    def test_local_and_global_hooks_together(self):
        g, loc = Recorder('g'), Recorder('l')
        f = Square()
        f.add_hook(loc)
        with g:
            f.apply((_f32(1.),))
        assert ('forward_pre', 'Square', 1) in g.log
        assert ('forward_pre', 'Square', 1) in loc.log


class TestBackpropModes:

    def test_no_backprop_mode(self):
        x = Variable(_f32(1.))
        with chainer.no_backprop_mode():
            assert not chainer.config.enable_backprop
            y, = Square().apply((x,))
            z = x * 2
        assert chainer.config.enable_backprop
        assert y.creator is None and z.creator is None
        # As in Chainer, requires_grad follows the inputs whatever the mode.
        assert y.requires_grad

    def test_force_backprop_mode(self):
        x = Variable(_f32(3.))
        with chainer.no_backprop_mode():
            with chainer.force_backprop_mode():
                assert chainer.config.enable_backprop
                y, = Square().apply((x,))
            z, = Square().apply((x,))
        assert y.creator is not None
        assert z.creator is None
        y.grad = _f32(1.)
        y.backward()
        np.testing.assert_array_equal(x.grad, [6.])

    def test_requires_grad_under_no_backprop_mode(self):
        # Chainer computes requires_grad whatever enable_backprop is, so a variable
        # computed in no_backprop_mode and reused as a leaf receives a gradient.
        x = Variable(_f32(1.))
        with chainer.no_backprop_mode():
            h = x * 2
        assert h.requires_grad
        y = h * 3
        F.sum(y).backward()
        np.testing.assert_array_equal(h.grad, [3.])

    def test_enable_backprop_config(self):
        with chainer.using_config('enable_backprop', False):
            y, = Square().apply((Variable(_f32(1.)),))
        assert y.creator is None


class TestDebugMode:

    def test_nan_in_forward(self):
        class MakeNaN(FunctionNode):
            def forward(self, inputs):
                return np.full_like(inputs[0], np.nan),

        with chainer.using_config('debug', True):
            with pytest.raises(RuntimeError) as e:
                MakeNaN().apply((_f32(1.),))
        assert 'NaN' in str(e.value) and 'forward' in str(e.value)
        assert 'MakeNaN' in str(e.value)

    def test_nan_in_backward(self):
        class NaNGrad(FunctionNode):
            def forward(self, inputs):
                return inputs[0] * 1,

            def backward(self, indexes, grad_outputs):
                return Variable(np.full((1,), np.nan, np.float32)),

        x = Variable(_f32(1.))
        with chainer.using_config('debug', True):
            y, = NaNGrad().apply((x,))
            y.grad = _f32(1.)
            with pytest.raises(RuntimeError) as e:
                y.backward()
        assert 'NaN' in str(e.value) and 'backward' in str(e.value)
        assert 'NaNGrad' in str(e.value)

    @pytest.mark.parametrize('dtype', [np.float16, np.complex64])
    def test_nan_in_forward_of_any_inexact_dtype(self, dtype):
        class MakeNaN(FunctionNode):
            def forward(self, inputs):
                return inputs[0].astype(dtype) * np.nan,

        with chainer.using_config('debug', True):
            with pytest.raises(RuntimeError, match='NaN is detected on forward'):
                MakeNaN().apply((_f32(1.),))

    def test_no_check_without_debug(self):
        class MakeNaN(FunctionNode):
            def forward(self, inputs):
                return np.full_like(inputs[0], np.nan),

        y, = MakeNaN().apply((_f32(1.),))
        assert np.isnan(y.array).all()

    def test_stack_recorded_in_debug(self):
        f = Square()
        with chainer.using_config('debug', True):
            f.apply((_f32(1.),))
        assert f.stack is not None

    def test_none_input_in_debug(self):
        with chainer.using_config('debug', True):
            with pytest.raises(AttributeError):
                Square().apply((Variable(),))

    def test_is_debug(self):
        with chainer.using_config('debug', True):
            assert chainer.is_debug()
        assert not chainer.is_debug()


def test_check_type_forward_set_on_the_instance_is_called_every_time():
    # A node class without a check gets one on the instance: apply must call it.
    node = chainer.FunctionNode()
    calls = []
    node.check_type_forward = calls.append
    node.forward = lambda inputs: (inputs[0] * 2,)
    x = np.arange(3, dtype=np.float32)
    node.apply((x,))
    assert len(calls) == 1
    node2 = chainer.FunctionNode()
    node2.check_type_forward = calls.append
    node2.forward = lambda inputs: (inputs[0] * 2,)
    node2.apply((x,))
    assert len(calls) == 2


def _ones32(*shape):
    return np.ones(shape, np.float32)


def _batch_matmul_first(x):
    return F.batch_matmul(x, _ones32(2, 4, 5))


@pytest.mark.parametrize('call', [
    _batch_matmul_first,
    lambda x: F.tensordot(x, _ones32(3, 4), axes=1),
    lambda x: F.einsum('ij,jk->ik', x, _ones32(3, 4)),
    lambda x: F.batch_renormalization(x, _ones32(3), _ones32(3), 1.0, 0.0,
                                      running_mean=_ones32(3), running_var=_ones32(3)),
    lambda x: F.decorrelated_batch_normalization(x, groups=1),
    lambda x: F.black_out(_ones32(2, 3), x, _ones32(5, 3), np.zeros((2, 2), np.int32)),
    lambda x: F.roi_pooling_2d(x, np.zeros((1, 5), np.float32), 2, 2, 1.0),
    lambda x: F.roi_average_align_2d(_ones32(1, 1, 4, 4), x, np.zeros(1, np.int32), 2, 1.0),
    lambda x: F.bernoulli_nll(_ones32(2, 3), x),
])
@pytest.mark.parametrize('bad', [[[1.0, 2.0, 3.0]], 1.5, None])
def test_functions_reading_an_input_first_raise_type_error(call, bad):
    # Chainer's apply refused these with TypeError; reading .ndim or .dtype of a list
    # first must not turn that into an AttributeError. None is Chainer's AttributeError
    # ('NoneType' object has no attribute 'dtype'), from its check or its reads.
    with pytest.raises(AttributeError if bad is None else TypeError):
        call(bad)


class RetainsAll(FunctionNode):
    """(None, 2 * x): retains both inputs (the second may be None) and both outputs."""

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        self.retain_outputs((0, 1))
        return None, inputs[0] * 2


class TestMissingArrays:
    """Inputs and outputs that are None, as Chainer 7.8.1 treats them."""

    def test_retained_missing_input_and_output_are_none(self):
        x = Variable(_f32(1., 2.))
        f = RetainsAll()
        ys = f.apply((x, None))
        rx, rnone = f.get_retained_inputs()
        assert rx is x and rnone is None
        ry0, ry1 = f.get_retained_outputs()
        assert ry0 is None and ry1 is ys[1]
        del ys
        gc.collect()
        ry0, ry1 = f.get_retained_outputs()
        assert ry0 is None
        np.testing.assert_array_equal(ry1.array, [2., 4.])

    def test_retain_outputs_outside_forward(self):
        f = Exp()
        f.apply((Variable(_f32(0.)),))
        g = Square()
        g.apply((Variable(_f32(1.)),))
        g.retain_outputs((0,))
        with pytest.raises(ValueError, match='retain_outputs is not called in forward'):
            g.get_retained_outputs()

    def test_debug_mode_passes_a_none_input_to_forward(self):
        class FirstOnly(FunctionNode):
            def forward(self, inputs):
                return inputs[0] * 2,

        with chainer.using_config('debug', True):
            y, = FirstOnly().apply((_f32(1.), None))
        np.testing.assert_array_equal(y.array, [2.])


class TestAppliedTwice:

    def test_backward_through_the_earlier_outputs_raises(self):
        f = Square()
        a = Variable(_f32(1.))
        b = Variable(_f32(2.))
        y1, = f.apply((a,))
        y2, = f.apply((b,))
        with pytest.raises(RuntimeError, match='Square was applied again'):
            F.sum(y1).backward()
        with pytest.raises(RuntimeError, match='Square was applied again'):
            F.sum(y1 + y2).backward()

    def test_a_variable_given_the_node_as_creator_by_hand_raises_the_same(self):
        # (Chainer ran backward with a None output gradient: a TypeError in it)
        a = Variable(_f32(1.))
        f = Square()
        f.apply((a,))
        b = Variable(_f32(3.))
        b.creator_node = f
        with pytest.raises(RuntimeError, match='applied again.*creator by hand'):
            F.sum(b).backward()

    def test_backward_through_the_last_outputs_works(self):
        f = Square()
        f.apply((Variable(_f32(1.)),))
        b = Variable(_f32(2.))
        y2, = f.apply((b,))
        F.sum(y2).backward()
        np.testing.assert_array_equal(b.grad, [4.])


class TestWrongGradients:

    def test_array_gradient_is_type_and_value_error(self):
        # Chainer 7.8.1 raised ValueError in debug mode (an AttributeError without).
        for debug in (False, True):
            with chainer.using_config('debug', debug):
                with pytest.raises(TypeError) as e:
                    _backprop_through(lambda f, idx, gys: (gys[0].array,))
            assert isinstance(e.value, ValueError)
            assert 'Returning' in str(e.value)

    @pytest.mark.parametrize('bad, error', [
        (lambda g: F.expand_dims(g, 0), ValueError),
        (lambda g: F.cast(g, np.float64), TypeError),
    ])
    def test_debug_mode_names_where_the_node_was_applied(self, bad, error):
        def apply_here():
            return _backprop_through(lambda f, idx, gys: (bad(gys[0]),))

        with chainer.using_config('debug', True):
            with pytest.raises(error) as e:
                apply_here()
        text = str(e.value)
        assert 'Stacktrace of the function is below' in text and 'apply_here' in text
        with pytest.raises(error) as e:
            apply_here()
        assert 'Stacktrace' not in str(e.value)


class TestApplyArguments:

    @pytest.mark.parametrize('inputs', [
        Variable(_f32(1., 2.)), _f32(1., 2.), _f32(1.)])
    def test_a_single_variable_or_array_is_refused(self, inputs):
        # Chainer 7.8.1: TypeError for a Variable or one element, ValueError for more.
        with pytest.raises(TypeError) as e:
            Square().apply(inputs)
        assert isinstance(e.value, ValueError)

    def test_a_one_shot_iterator_links_its_inputs(self):
        # Chainer read the iterator twice and recorded no inputs.
        x = Variable(_f32(3.))
        f = Square()
        y, = f.apply(iter([x]))
        assert len(f.inputs) == 1
        y.backward()
        np.testing.assert_array_equal(x.grad, [6.])


def test_output_data_after_unchain():
    class TwoOut(FunctionNode):
        def forward(self, inputs):
            self.retain_outputs((1,))
            return inputs[0] * 2, inputs[0] * 3

    f = TwoOut()
    y0, y1 = f.apply((Variable(_f32(1.)),))
    f.unchain()
    none, kept = f.output_data
    assert none is None and kept is y1.array
    assert f.inputs is None and f.outputs is None and y0.creator is None


def test_gradient_of_wrong_shape_and_dtype():
    # Chainer 7.8.1 reported the dtype (TypeError), but the shape first in debug mode.
    def bad(f, idx, gys):
        return F.cast(F.expand_dims(gys[0], 0), np.float64),

    with pytest.raises(TypeError):
        _backprop_through(bad)
    with chainer.using_config('debug', True):
        with pytest.raises(ValueError, match='^shape of gradients returned from backward is '
                                             r'incorrect: input-index=0, actual'):
            _backprop_through(bad)


def test_debug_mode_wrong_dtype_meeting_a_held_gradient():
    # Chainer 7.8.1's debug mode compared the dtype with the gradient already there
    # (ValueError); alone, or without debug mode, it is the dtype TypeError.
    def run(debug, held):
        x = Variable(np.ones((2,), np.float32))
        if held:
            x.grad = np.ones((2,), np.float32)
        f = Returning(lambda f, idx, gys: (F.cast(gys[0], np.float64),))
        y, = f.apply((x,))
        with chainer.using_config('debug', debug):
            F.sum(y).backward()

    with pytest.raises(ValueError, match='^dtype of gradients returned from backward is '
                                         'incorrect: input-index=0, actual float64 != '
                                         'expected float32'):
        run(True, True)
    for debug, held in [(True, False), (False, True), (False, False)]:
        with pytest.raises(TypeError, match='Dtype of data and grad mismatch'):
            run(debug, held)


def test_debug_mode_checks_every_returned_gradient_is_a_variable():
    # Chainer 7.8.1's debug mode looked at all of them, the non-targets' too.
    def make(f, idx, gys):
        return gys[0], gys[0].array

    xs = [Variable(_f32(1.)), Variable(_f32(1.), requires_grad=False)]
    y, = Returning(make).apply(xs)[:1]
    F.sum(y).backward()  # the array is for an input that needs no gradient
    np.testing.assert_array_equal(xs[0].grad, [1.])
    xs[0].cleargrad()
    y, = Returning(make).apply(xs)[:1]
    with chainer.using_config('debug', True):
        with pytest.raises(ValueError, match='^type of gradients returned from backward is '
                                             'incorrect: '):
            F.sum(y).backward()


@pytest.mark.parametrize('debug', [False, True])
def test_backward_returning_a_bare_array_instead_of_a_tuple(debug):
    # Chainer's debug mode named it a wrong gradient type (ValueError); a TypeError too.
    x = Variable(_f32(1., 2.))
    y, = Returning(lambda f, idx, gys: gys[0].array).apply((x,))
    with chainer.using_config('debug', debug):
        for error in (TypeError, ValueError):
            match = 'type of gradients returned from backward is incorrect' if debug \
                else 'Returning must return a tuple'
            with pytest.raises(error, match=match):
                F.sum(y).backward()


@pytest.mark.parametrize('grad,error', [
    (lambda: Variable(np.ones(1, np.float32)), ValueError),
    (lambda: Variable(np.ones(2, np.float16)), TypeError),
    (lambda: np.ones(2, np.float32), TypeError),
])
def test_grad_checks_what_backward_returns(grad, error):
    # Chainer's chainer.grad returned a wrong shape or dtype as the gradient, and
    # crashed with an AttributeError on an array; backward() checked the first two.
    x = Variable(_f32(1., 2.))
    y, = Returning(lambda f, idx, gys: (grad(),)).apply((x,))
    with pytest.raises(error, match='Returning'):
        chainer.grad([F.sum(y)], [x])


@pytest.mark.parametrize('w_shape', [(2, 4), (2, 3, 1)])
def test_failed_check_inside_user_light_mode_raises_invalid_type(w_shape):
    # The explaining re-run of a failed check builds full expressions even when the
    # caller had entered light mode itself.
    x = np.ones((2, 3), np.float32)
    w = np.ones(w_shape, np.float32)
    with type_check.light_mode:
        with pytest.raises(type_check.InvalidType, match='W'):
            F.linear(x, w)
        assert type_check.in_light_mode()
    assert not type_check.in_light_mode()


class _UserChecked(FunctionNode):
    # check_type_forward written for full expressions only: shape[3] of a 2-d
    # input, and .eval() on in_types.size() (an int in the quick first pass).
    def check_type_forward(self, in_types):
        n_in = in_types.size()
        x_type, = in_types
        type_check.expect(x_type.ndim == 4, x_type.shape[3] == 5)
        assert n_in.eval() == 1

    def forward(self, inputs):
        return inputs[0] * 2,


def test_a_check_failing_otherwise_in_the_quick_pass_runs_on_full_expressions():
    # Chainer let the quick pass's IndexError / AttributeError through; the check
    # on full expressions names the failed condition, or passes.
    with pytest.raises(type_check.InvalidType, match='ndim == 4'):
        _UserChecked().apply((np.ones((2, 3), np.float32),))
    y, = _UserChecked().apply((np.ones((1, 1, 1, 5), np.float32),))
    np.testing.assert_array_equal(y.array, np.full((1, 1, 1, 5), 2, np.float32))


class _StoresInCheck(FunctionNode):
    def __init__(self):
        self.n = None

    def check_type_forward(self, in_types):
        self.n = in_types[0].shape[1]  # forward reads it

    def forward(self, inputs):
        return inputs[0] * self.n,


_LIMIT = [4]


class _ReadsGlobals(FunctionNode):
    def check_type_forward(self, in_types):
        _ReadsGlobals.calls += 1
        type_check.expect(in_types[0].shape[1] <= _LIMIT[0])
        if chainer.config.train:
            type_check.expect(in_types[0].shape[0] == 2)

    def forward(self, inputs):
        return inputs[0] * 1,


def test_a_check_of_user_code_runs_at_every_apply():
    # As in Chainer: a check may set what forward reads, read the configuration or
    # a global, or count its calls; none of that is skipped once it passed.
    x = np.ones((2, 3), np.float32)
    for _ in range(2):
        y, = _StoresInCheck().apply((x,))
        np.testing.assert_array_equal(y.array, x * 3)
    _ReadsGlobals.calls = 0
    _ReadsGlobals().apply((x,))
    _LIMIT[0] = 2
    try:
        with pytest.raises(type_check.InvalidType, match='<= 2'):
            _ReadsGlobals().apply((x,))
    finally:
        _LIMIT[0] = 4
    x3 = np.ones((3, 3), np.float32)
    with chainer.using_config('train', False):
        _ReadsGlobals().apply((x3,))
    with pytest.raises(type_check.InvalidType, match='shape\\[0\\] == 2'):
        _ReadsGlobals().apply((x3,))
    assert _ReadsGlobals.calls == 6  # (a failed check runs again on full expressions)
    # a user class deriving a check of the library keeps it skipped once passed
    assert _StoresInCheck._has_type_check == 'user'
    assert type('MyLinear', (F.connection.linear.LinearFunction,), {})._has_type_check is True


class _PlainValueChecked(FunctionNode):
    # check_type_forward written for plain values: Python control flow on a shape
    # and errors of its own, which cannot run on full expressions.
    def __init__(self, kind):
        self.kind = kind

    def check_type_forward(self, in_types):
        x_type, = in_types
        if self.kind == 'assert':
            assert x_type.ndim == 3, 'needs 3 axes'
        elif x_type.shape[-1] != 5:
            raise self.kind('last axis must be 5')

    def forward(self, inputs):
        return inputs[0] * 2,


class _PlainValueCheckedOld(chainer.Function):
    def check_type_forward(self, in_types):
        if in_types[0].shape[-1] != 5:
            raise ValueError('last axis must be 5')

    def forward(self, inputs):
        return inputs[0] * 2,


@pytest.mark.parametrize('kind, error', [
    ('assert', AssertionError), (ValueError, ValueError), (TypeError, TypeError)])
def test_a_check_on_plain_values_raises_its_own_error(kind, error):
    # As in Chainer: not the RuntimeError of an expression taken as a bool when
    # the check is run again on full expressions.
    x = np.ones((2, 3), np.float32)
    with pytest.raises(error, match='needs 3 axes|last axis must be 5'):
        _PlainValueChecked(kind).apply((x,))
    with pytest.raises(ValueError, match='last axis must be 5'):
        _PlainValueCheckedOld()(x)
    ok = np.ones((1, 2, 5), np.float32)
    y, = _PlainValueChecked(kind).apply((ok,))
    np.testing.assert_array_equal(y.array, ok * 2)
    np.testing.assert_array_equal(_PlainValueCheckedOld()(ok).array, ok * 2)


def test_a_replaced_variable_node_init_makes_output_nodes(monkeypatch):
    # Chainer made every output node through VariableNode.__init__; tools that wrap
    # it (tensorboard-chainer's name scopes) see the outputs of functions too.
    original = chainer.variable.VariableNode.__init__
    seen = []

    def init(self, variable, name, **kwargs):
        seen.append(variable)
        self.scope = 'block'
        original(self, variable, name, **kwargs)

    monkeypatch.setattr(chainer.variable.VariableNode, '__init__', init)
    x = Variable(np.arange(3, dtype=np.float32))
    y = F.sin(x * 2)
    assert len(seen) == 3 and seen[-1] is y
    assert y.node.scope == 'block' and y.creator.label == 'sin'
    assert y.node.rank == 2 and y.creator.inputs[0].creator.label == '_ * 2'
    y.grad = np.ones(3, np.float32)
    y.backward()
    np.testing.assert_allclose(x.grad, 2 * np.cos(2 * x.array), rtol=1e-6)



class _HalfMissing(FunctionNode):
    """Two outputs from a Variable and a bare array, the first retained; with
    ``missing`` the second output is absent."""

    def __init__(self, missing):
        self.missing = missing

    def forward(self, inputs):
        self.retain_outputs((0,))
        x, c = inputs
        return x * c, (None if self.missing else (x + c).astype(np.float16))


def _graph_state(missing, requires_grad):
    # Every slot of the output nodes and of the bare array's input node.
    x = Variable(np.arange(3, dtype=np.float32), requires_grad=requires_grad)
    x.node.rank = 2
    f = _HalfMissing(missing)
    ys = f.apply((x, np.full(3, 2, np.float32)))
    names = [s for s in chainer.variable.VariableNode.__slots__
             if s not in ('__weakref__', '__dict__', '_variable', '_creator_node')]
    state = []
    for node, var in [(y.node, y) for y in ys] + [(f.inputs[1], None)]:
        assert node._variable() is var and isinstance(node._variable, weakref.ref)
        assert node._creator_node is (None if var is None else f)
        state.append({n: (getattr(node, n) if n != 'data' else repr(node.data))
                      for n in names})
    assert f.inputs[0] is x.node and f.rank == 2
    return state


@pytest.mark.parametrize('missing', [False, True])
@pytest.mark.parametrize('requires_grad', [False, True])
def test_nodes_made_through_a_replaced_init_equal_the_inline_ones(monkeypatch, missing,
                                                                  requires_grad):
    inline = _graph_state(missing, requires_grad)
    original = chainer.variable.VariableNode.__init__
    made = []

    def init(self, variable, name, **kwargs):
        made.append(self)
        original(self, variable, name, **kwargs)

    monkeypatch.setattr(chainer.variable.VariableNode, '__init__', init)
    assert _graph_state(missing, requires_grad) == inline
    assert len(made) == 4  # x's node, the bare array's, both outputs'


def test_float64_gradient_of_a_float32_input_names_numpy2_promotion():
    # User FunctionNodes written for NumPy 1 that scale by a NumPy float64 scalar
    # now give float64: the error keeps Chainer's lines and adds the likely cause.
    class Scale(FunctionNode):
        def forward(self, xs):
            return xs[0] * np.float64(0.5),

        def backward(self, indexes, gys):
            return Variable(gys[0].array * np.float64(0.5)),

    x = Variable(np.ones(3, np.float32))
    y, = Scale().apply((x,))
    assert y.dtype == np.float64
    y.grad = np.ones(3, np.float64)
    with pytest.raises(TypeError) as e:
        y.backward()
    lines = str(e.value).splitlines()
    assert lines[1:3] == ['Dtype of data and grad mismatch', 'grad: float64 != data: float32']
    assert 'NumPy 2' in lines[3] and 'x.dtype.type(c)' in lines[3]
    # A mismatch NumPy's promotion cannot explain has no such line.
    f = Returning(lambda f, idx, gys: (F.cast(gys[0], np.float16),))
    z, = f.apply((Variable(np.ones(2, np.float32)),))
    with pytest.raises(TypeError) as e:
        F.sum(z).backward()
    assert 'NumPy 2' not in str(e.value)


def test_forward_outputs_may_mix_numpy_array_subclasses(tmp_path):
    # np.load(mmap_mode='r') gives an np.memmap: a NumPy array, as in Chainer,
    # so it goes along with plain arrays (here through HuberLossGrad's outputs)
    np.save(tmp_path / 'x.npy', _f32(0.5, -3.))
    x = Variable(np.load(tmp_path / 'x.npy', mmap_mode='r'))
    t = Variable(_f32(0., 0.))
    gx, gt = chainer.grad([F.huber_loss(x, t, 1.0, reduce='no')], [x, t],
                          grad_outputs=[Variable(_f32(1., 1.))])
    np.testing.assert_array_equal(gx.array, [0.5, -1.])
    np.testing.assert_array_equal(gt.array, [-0.5, 1.])


@pytest.mark.gpu
def test_mixed_numpy_and_cupy_inputs_raise_chainers_type_error(cupy):
    # Chainer checks the array types of the inputs before the type check, so the
    # mix is reported (TypeError) even where the shapes do not match either.
    x = Variable(np.ones(2, np.float32))
    for rhs in (cupy.ones(2, np.float32), cupy.ones(3, np.float32)):
        with pytest.raises(TypeError, match=re.escape(
                'incompatible array types are mixed in the forward input (_ + _).')):
            x + rhs
        with pytest.raises(TypeError, match='mixed in the forward input'):
            F.concat((Variable(rhs), x), axis=0)
