"""Tests of how the backward walk sums the gradients of a variable used several times.

Without double backprop, a sum the walk allocated itself takes later
contributions in place; an array that anybody else may hold (a user's ``.grad``,
an array a backward returned or received, a retained gradient, what a hook saw)
must never change.
"""
from __future__ import annotations

import numpy as np
import pytest

import chainer
import chainer.functions as F
from chainer import FunctionHook, FunctionNode, Variable
from chainer import _backprop
from tests.chainer_tests._graph import count_grad_into

_DTYPES = [np.float16, np.float32, np.float64]


def _leaf(shape=(3, 2), dtype=np.float32, seed=0):
    rng = np.random.RandomState(seed)
    return Variable(rng.uniform(-1, 1, shape).astype(dtype))


class Share(FunctionNode):
    """``a + b`` whose backward hands the very same gradient Variable to both inputs."""

    def __init__(self):
        self.seen = []

    def forward(self, inputs):
        a, b = inputs
        return a + b,

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        self.seen.append((gy.array, gy.array.copy()))
        return tuple([gy for _ in indexes])


class PassThrough(FunctionNode):
    """Identity whose backward returns its grad_output unchanged (not a copy)."""

    def __init__(self):
        self.seen = []

    def forward(self, inputs):
        return inputs[0].copy(),

    def backward(self, indexes, grad_outputs):
        gy, = grad_outputs
        self.seen.append((gy.array, gy.array.copy()))
        return gy,


def _assert_unchanged(seen):
    assert seen
    for array, copy in seen:
        np.testing.assert_array_equal(array, copy)


@pytest.mark.parametrize('dtype', _DTYPES)
def test_same_gradient_returned_for_two_inputs(dtype):
    a = _leaf(dtype=dtype)
    b = _leaf(dtype=dtype, seed=1)
    share = Share()
    y = share.apply((a, b))[0]
    loss = F.sum(y) + F.sum(a * 2.0) + F.sum(a * 3.0) + F.sum(a * 4.0)
    loss.backward()
    np.testing.assert_array_equal(a.grad, np.full(a.shape, 10, dtype))
    np.testing.assert_array_equal(b.grad, np.ones(b.shape, dtype))
    assert a.grad is not b.grad
    _assert_unchanged(share.seen)


def test_same_input_twice_in_one_node():
    a = _leaf()
    loss = F.sum(Share().apply((a, a))[0]) + F.sum(a * 2.0) + F.sum(a * 5.0)
    loss.backward()
    np.testing.assert_array_equal(a.grad, np.full(a.shape, 9, np.float32))


def test_identity_like_backward_shares_upstream_gradient():
    a = _leaf()
    node = PassThrough()
    t = node.apply((a,))[0]
    # t's gradient is a sum of three; it is handed on unchanged as a gradient of a,
    # which then gets two more contributions.
    loss = (F.sum(t * 2.0) + F.sum(t * 3.0) + F.sum(t * 4.0)
            + F.sum(a * 5.0) + F.sum(a * 6.0))
    loss.backward(retain_grad=True)
    np.testing.assert_array_equal(t.grad, np.full(a.shape, 9, np.float32))
    np.testing.assert_array_equal(a.grad, np.full(a.shape, 20, np.float32))
    assert t.grad is not a.grad
    _assert_unchanged(node.seen)


def test_retain_grad_keeps_every_intermediate_gradient():
    x = _leaf()
    h = x * 1.0
    hs = [h * float(k) for k in range(1, 5)]
    loss = F.sum(hs[0] + hs[1]) + F.sum(hs[2]) + F.sum(hs[3] + hs[0])
    loss.backward(retain_grad=True)
    ones = np.ones(x.shape, np.float32)
    np.testing.assert_array_equal(hs[0].grad, 2 * ones)
    np.testing.assert_array_equal(hs[1].grad, ones)
    np.testing.assert_array_equal(h.grad, 11 * ones)
    np.testing.assert_array_equal(x.grad, 11 * ones)
    assert x.grad is not h.grad


@pytest.mark.parametrize('dtype', _DTYPES)
def test_existing_grad_held_by_the_user_is_not_mutated(dtype):
    w = _leaf(dtype=dtype)
    held = np.full(w.shape, 0.5, dtype)
    w.grad = held
    grad_var = w.grad_var
    x = _leaf(dtype=dtype, seed=2)
    loss = sum(F.sum(w * x * float(k)) for k in range(1, 5))
    loss.backward()
    np.testing.assert_array_equal(held, np.full(w.shape, 0.5, dtype))
    assert w.grad is not held
    assert grad_var.array is held
    np.testing.assert_allclose(w.grad, 0.5 + 10 * x.array, rtol=1e-2 if dtype == np.float16
                               else 1e-6)
    # A second backward accumulates on top, again without touching the first result.
    first = w.grad
    first_copy = first.copy()
    loss = sum(F.sum(w * x * float(k)) for k in range(1, 4))
    loss.backward()
    np.testing.assert_array_equal(first, first_copy)
    np.testing.assert_allclose(w.grad, first_copy + 6 * x.array,
                               rtol=1e-2 if dtype == np.float16 else 1e-6)


def test_output_gradient_set_by_the_user_is_not_mutated():
    x = _leaf()
    y = x * 1.0
    z = y * 2.0 + y * 3.0 + y * 4.0
    seed = np.ones(z.shape, np.float32)
    z.grad = seed
    z.backward()
    np.testing.assert_array_equal(seed, np.ones(z.shape, np.float32))
    np.testing.assert_array_equal(x.grad, np.full(x.shape, 9, np.float32))


class RecordingHook(FunctionHook):
    name = 'recording'

    def __init__(self):
        self.seen = []

    def backward_preprocess(self, function, in_data, out_grad):
        self.seen.extend((g, g.copy()) for g in out_grad if g is not None)

    def backward_postprocess(self, function, in_data, out_grad):
        self.seen.extend((g, g.copy()) for g in out_grad if g is not None)


def test_arrays_seen_by_function_hooks_are_not_mutated():
    x = _leaf()
    hook = RecordingHook()
    with hook:
        h = x * 1.0
        loss = F.sum(h * 2.0) + F.sum(h * 3.0) + F.sum(h * 4.0) + F.sum(x * 5.0)
        loss.backward()
    np.testing.assert_array_equal(x.grad, np.full(x.shape, 14, np.float32))
    _assert_unchanged(hook.seen)


def test_local_hook_on_a_node():
    x = _leaf()
    node = PassThrough()
    hook = RecordingHook()
    node.add_hook(hook)
    t = node.apply((x,))[0]
    loss = F.sum(t * 2.0) + F.sum(t * 3.0) + F.sum(t * 4.0) + F.sum(x * 1.0)
    loss.backward()
    np.testing.assert_array_equal(x.grad, np.full(x.shape, 10, np.float32))
    _assert_unchanged(hook.seen)
    _assert_unchanged(node.seen)


def test_loss_scale():
    w = _leaf()
    x = _leaf(seed=3)
    loss = F.sum(w * x) + F.sum(w * x * 2.0) + F.sum(w * x * 3.0)
    loss.backward(loss_scale=8.0)
    np.testing.assert_allclose(w.grad, 48 * x.array, rtol=1e-6)
    assert w._loss_scale == 8.0


class KeepsGradInputs(FunctionNode):
    """``x * 1`` with a custom backward_accumulate that keeps the grads it is handed."""

    def __init__(self):
        self.seen = []

    def forward(self, inputs):
        return inputs[0].copy(),

    def backward_accumulate(self, target_input_indexes, grad_outputs, grad_inputs):
        gy, = grad_outputs
        g, = grad_inputs
        if g is None:
            return gy,
        self.seen.append((g.array, g.array.copy()))
        gx = g + gy
        self.seen.append((gx.array, gx.array.copy()))  # later sums must not write here
        return gx,


def test_gradient_handed_to_backward_accumulate_is_not_mutated():
    x = _leaf()
    deep = x
    for _ in range(5):
        deep = deep * 1.0
    high = x * deep  # processed first: its rank is highest
    node = KeepsGradInputs()
    mid = node.apply((x,))[0]
    loss = F.sum(high) + F.sum(x * deep) + F.sum(mid) + F.sum(x * 2.0) + F.sum(x * 3.0)
    loss.backward()
    expected = 4 * x.array + 1 + 5
    np.testing.assert_allclose(x.grad, expected, rtol=1e-5)
    _assert_unchanged(node.seen)


def test_grad_targets_are_not_mutated_after_being_read():
    x = _leaf()
    h = x * 1.0
    y = F.sum(h * 2.0) + F.sum(h * 3.0) + F.sum(h * 4.0)
    gh, gx = chainer.grad([y], [h, x])
    np.testing.assert_array_equal(gh.array, np.full(x.shape, 9, np.float32))
    np.testing.assert_array_equal(gx.array, np.full(x.shape, 9, np.float32))
    assert gh.array is not gx.array or gh is gx


def test_double_backprop_sums_are_graphs():
    x = Variable(np.array([0.5, -1.5, 2.0]))
    y = F.sum(x * x * x) + F.sum(x * x * 2.0) + F.sum(x * 3.0)
    gx, = chainer.grad([y], [x], enable_double_backprop=True)
    np.testing.assert_allclose(gx.array, 3 * x.array ** 2 + 4 * x.array + 3)
    F.sum(gx).backward()
    np.testing.assert_allclose(x.grad, 6 * x.array + 4)


@pytest.mark.parametrize('shape', [(), (1,), (1, 1), (4,)])
def test_scalars_and_single_elements(shape):
    x = Variable(np.full(shape, 2.0, np.float32))
    loss = sum(F.sum(x * float(k)) for k in range(1, 6))
    loss.backward()
    np.testing.assert_array_equal(x.grad, np.full(shape, 15, np.float32))
    assert x.grad.shape == shape and isinstance(x.grad, np.ndarray)


def test_walk_adds_into_its_own_sum_in_place():
    node = Variable(np.zeros(4, np.float32)).node
    gs = [Variable(np.full(4, float(k), np.float32)) for k in range(1, 5)]
    with chainer.using_config('enable_backprop', False):
        walk = _backprop._Walk(False, False, None)
    walk.accumulate(node, gs[0])
    assert walk.grads[node] is gs[0]  # a handed-in gradient is kept as is
    walk.accumulate(node, gs[1])
    total = walk.grads[node]
    assert total is not gs[0] and total is not gs[1]
    walk.accumulate(node, gs[2])
    walk.accumulate(node, gs[3])
    assert walk.grads[node] is total  # later ones went into the walk's own sum
    np.testing.assert_array_equal(total.array, np.full(4, 10, np.float32))
    for k, g in enumerate(gs, 1):
        np.testing.assert_array_equal(g.array, np.full(4, k, np.float32))
    # Once handed out, the sum is never written again.
    handed = walk.current(node)
    walk.accumulate(node, gs[0])
    assert walk.grads[node] is not handed
    np.testing.assert_array_equal(handed.array, np.full(4, 10, np.float32))
    np.testing.assert_array_equal(walk.grads[node].array, np.full(4, 11, np.float32))


def test_walk_does_not_add_in_place_under_double_backprop():
    node = Variable(np.zeros(4, np.float32)).node
    gs = [Variable(np.full(4, float(k), np.float32)) for k in range(1, 4)]
    with chainer.using_config('enable_backprop', True):
        walk = _backprop._Walk(False, False, None)
        for g in gs:
            walk.accumulate(node, g)
        total = walk.grads[node]
    assert total.creator is not None
    np.testing.assert_array_equal(total.array, np.full(4, 6, np.float32))


def test_repeated_parameter_in_a_loop_matches_unrolled_sum():
    # The pattern of a recurrent layer: one weight used at every step.
    rng = np.random.RandomState(0)
    w = Variable(rng.uniform(-1, 1, (3, 3)).astype(np.float32))
    h = Variable(rng.uniform(-1, 1, (2, 3)).astype(np.float32))
    hs = [h]
    for _ in range(6):
        hs.append(F.tanh(F.matmul(hs[-1], w)))
    F.sum(hs[-1]).backward()
    got = w.grad.copy()
    # Same graph, gradients summed by double backprop (no in-place path).
    w2 = Variable(w.array.copy())
    hs2 = [Variable(h.array.copy())]
    for _ in range(6):
        hs2.append(F.tanh(F.matmul(hs2[-1], w2)))
    gw, = chainer.grad([F.sum(hs2[-1])], [w2], enable_double_backprop=True)
    np.testing.assert_allclose(got, gw.array, rtol=1e-5, atol=1e-6)


def test_grad_inputs_and_outputs_given_by_the_user_are_not_mutated():
    x = _leaf()
    y = x * 2.0 + x * 3.0 + x * 4.0
    gy = np.ones(x.shape, np.float32)
    gx0 = np.full(x.shape, 0.5, np.float32)
    gx, = chainer.grad([y], [x], grad_outputs=[gy], grad_inputs=[gx0])
    np.testing.assert_array_equal(gx.array, np.full(x.shape, 9.5, np.float32))
    np.testing.assert_array_equal(gy, np.ones(x.shape, np.float32))
    np.testing.assert_array_equal(gx0, np.full(x.shape, 0.5, np.float32))


@pytest.mark.gpu
def test_repeated_parameter_in_place_sum_on_cupy_matches_numpy():
    # The in-place add of repeated gradients on CuPy arrays gives NumPy's sum.
    from chainer.backends import cuda

    def run(xp):
        rng = np.random.RandomState(0)
        w = Variable(xp.asarray(rng.uniform(-1, 1, (3, 3)).astype(np.float32)))
        h = Variable(xp.asarray(rng.uniform(-1, 1, (2, 3)).astype(np.float32)))
        for _ in range(6):
            h = F.tanh(F.matmul(h, w))
        F.sum(h).backward()
        return cuda.to_cpu(w.grad)

    np.testing.assert_allclose(run(cuda.cupy), run(np), rtol=1e-4, atol=1e-5)


def _grad_graph_labels(v):
    labels = []
    node = v.creator_node
    while node is not None:
        labels.append(f'{node.label}/{len(node.inputs)}')
        node = node.inputs[0].creator_node
    return labels


@pytest.mark.parametrize('lazy', [False, True])
def test_lazy_grad_sum_sums_once_with_multi_add(lazy):
    # Chainer's config.lazy_grad_sum: the nodes applied under it hand their
    # gradients on unsummed, and the reader sums them in one F.add (MultiAdd).
    x = Variable(np.array([1.0, 2.0, 0.5], np.float32))
    with chainer.using_config('lazy_grad_sum', lazy):
        y = F.sum(x * 2 + x * 3 + F.sin(x) + x)
    assert y.creator_node.lazy_grad_sum is lazy
    gx, = chainer.grad([y], [x], enable_double_backprop=True)
    np.testing.assert_allclose(gx.array, 6 + np.cos(x.array), rtol=1e-6)
    if lazy:
        assert _grad_graph_labels(gx) == ['MultiAdd/4', 'BroadcastTo/1']
    else:
        assert _grad_graph_labels(gx) == ['_ + _/2'] * 3 + ['BroadcastTo/1']
    gg, = chainer.grad([F.sum(gx * gx)], [x])
    np.testing.assert_allclose(gg.array, -2 * (6 + np.cos(x.array)) * np.sin(x.array),
                               rtol=1e-5)


def test_lazy_grad_sum_includes_the_gradient_a_leaf_holds():
    x = Variable(np.array([1.0, 2.0], np.float32))
    x.grad = np.array([10.0, 10.0], np.float32)
    with chainer.using_config('lazy_grad_sum', True):
        y = F.sum(x * 2 + x * x)
    y.backward(enable_double_backprop=True)
    np.testing.assert_array_equal(x.grad, [14, 16])
    assert x.grad_var.creator_node.label == 'MultiAdd'
    assert len(x.grad_var.creator_node.inputs) == 4


def test_lazy_grad_sum_without_double_backprop_gives_the_same_values():
    rng = np.random.RandomState(0)
    data = rng.randn(5, 4).astype(np.float32)
    grads = []
    for lazy in (False, True):
        x = Variable(data.copy())
        with chainer.using_config('lazy_grad_sum', lazy):
            y = F.sum(F.tanh(x) * x + F.exp(x) + x * x)
        y.backward()
        grads.append(x.grad)
    np.testing.assert_array_equal(grads[0], grads[1])


def test_backward_accumulate_may_return_a_generator():
    # Chainer zipped whatever iterable backward_accumulate returned with the targets.
    class SumOf2(FunctionNode):
        def forward(self, inputs):
            return inputs[0] + inputs[1],

        def backward_accumulate(self, target_input_indexes, grad_outputs, grad_inputs):
            gy, = grad_outputs
            return (gy * (i + 1) if g is None else g + gy * (i + 1)
                    for i, g in zip(target_input_indexes, grad_inputs))

    a = Variable(np.ones(2, np.float32))
    b = Variable(np.ones(2, np.float32))
    y, = SumOf2().apply((a, b))
    F.sum(y).backward()
    np.testing.assert_array_equal(a.grad, [1., 1.])
    np.testing.assert_array_equal(b.grad, [2., 2.])


@pytest.mark.parametrize('double', [False, True])
def test_gradient_of_another_dtype_is_not_added_silently(double):
    # A parameter recast to float64 still holds its float32 gradient: as in
    # Chainer, adding the new float64 gradient to it fails F.add's type check
    # (Chainer raised InvalidType; NumPy promotion must not hide the mismatch).
    p = chainer.Parameter(np.ones(3, np.float32))
    p.grad = np.zeros(3, np.float32)
    p.array = np.ones(3, np.float64)
    loss = F.sum(p * 2.0)
    with pytest.raises(chainer.utils.type_check.InvalidType, match='float32 != float64'):
        loss.backward(enable_double_backprop=double)
    assert p.grad is None  # given up to the failed walk, as in Chainer


def test_gradients_of_one_dtype_from_two_uses_still_sum():
    x = _leaf(dtype=np.float64)
    x.grad = np.ones_like(x.array)
    F.sum(x * x + x).backward()
    np.testing.assert_allclose(x.grad, 1 + 2 * x.array + 1)


# F.linear adds its weight's gradient straight into the walk's own sum (one BLAS
# call, LinearFunction._add_grad_into): the same values, and never into an array
# somebody else holds.

def _linear_loop(W, x, steps, b=None, seed_scale=1.0):
    h = x
    ys = []
    for _ in range(steps):
        h = F.tanh(F.linear(h, W, b))
        ys.append(h)
    return F.sum(F.concat(ys, axis=0) * seed_scale)


def _count_into(monkeypatch):
    """Records ``(input index, taken, fresh)`` for each of F.linear's adds."""
    from chainer.functions.connection.linear import LinearFunction
    return count_grad_into(monkeypatch, LinearFunction)


def _without_into(monkeypatch):
    from chainer.functions.connection.linear import LinearFunction
    monkeypatch.setattr(LinearFunction, '_grad_into_inputs', ())


@pytest.mark.parametrize('dtype', _DTYPES)
@pytest.mark.parametrize('batch', [0, 1, 5, 40])
def test_linear_weight_gradient_added_in_place_is_the_common_sum(monkeypatch, dtype, batch):
    rng = np.random.RandomState(batch)
    W0 = rng.uniform(-0.5, 0.5, (6, 6)).astype(dtype)
    b0 = rng.uniform(-0.5, 0.5, 6).astype(dtype)
    x0 = rng.uniform(-1, 1, (batch, 6)).astype(dtype)

    def grads():
        W, b, x = Variable(W0.copy()), Variable(b0.copy()), Variable(x0.copy())
        _linear_loop(W, x, 6, b).backward()
        return W.grad, b.grad, x.grad

    with monkeypatch.context() as m:
        calls = _count_into(m)
        fast = grads()
        # from the second use on (the first is kept as it came, the second makes
        # the walk's own sum, in a copy); BLAS takes no float16 and no empty batch
        w_taken = dtype != np.float16 and batch > 0
        assert calls == ([(1, w_taken, True), (2, True, True)]
                         + [(1, w_taken, False), (2, True, False)] * 4)
    _without_into(monkeypatch)
    for got, expect in zip(fast, grads()):
        np.testing.assert_array_equal(got, expect)


def test_linear_weight_gradient_held_by_the_user_is_not_mutated(monkeypatch):
    W = _leaf((4, 4))
    x = _leaf((3, 4), seed=1)
    _linear_loop(W, x, 4).backward()
    held = W.grad
    kept = held.copy()
    calls = _count_into(monkeypatch)
    _linear_loop(W, x, 4).backward()  # adds to the gradient W holds: a new sum
    np.testing.assert_array_equal(held, kept)
    assert W.grad is not held
    assert calls == [(1, True, False)] * 3  # after the first add (the walk's own sum)
    W2 = Variable(W.array.copy())
    W2.grad = kept.copy()
    _without_into(monkeypatch)
    _linear_loop(W2, x, 4).backward()
    np.testing.assert_array_equal(W.grad, W2.grad)


def test_linear_weight_gradient_kept_by_retain_grad_is_not_mutated():
    W0 = _leaf((4, 4))
    x = _leaf((3, 4), seed=1)
    W = F.identity(W0)  # not a leaf: its gradient retained below
    y = _linear_loop(W, x, 5)
    y.backward(retain_grad=True)
    # the sum of the five contributions reaches W0 through identity
    np.testing.assert_array_equal(W.grad, W0.grad)


def test_linear_weight_gradient_not_added_in_place_under_double_backprop(monkeypatch):
    W = _leaf((4, 4))
    x = _leaf((3, 4), seed=1)
    calls = _count_into(monkeypatch)
    _linear_loop(W, x, 4).backward(enable_double_backprop=True)
    assert calls == []
    assert W.grad_var.creator is not None  # the sum is a graph


def test_linear_weight_gradient_not_added_in_place_for_the_same_node_twice(monkeypatch):
    # W at x's place too: W's gradients from one node are summed in their order
    W0 = _leaf((4, 4))
    calls = _count_into(monkeypatch)
    W = Variable(W0.array.copy())
    F.sum(F.linear(W, W) + F.linear(W, W) + F.linear(W, W)).backward()
    assert calls == []
    W1 = Variable(W0.array.copy())
    _without_into(monkeypatch)
    F.sum(F.linear(W1, W1) + F.linear(W1, W1) + F.linear(W1, W1)).backward()
    np.testing.assert_array_equal(W.grad, W1.grad)


def test_linear_subclass_with_its_own_backward_is_not_shortcut():
    from chainer.functions.connection.linear import LinearFunction

    class Doubled(LinearFunction):
        def backward(self, indexes, grad_outputs):
            return tuple([g * 2 for g in super().backward(indexes, grad_outputs)])

    assert Doubled._grad_into_inputs == ()
    W = _leaf((4, 4))
    x = _leaf((3, 4), seed=1)
    ys = [Doubled().apply((x, W))[0] for _ in range(4)]
    F.sum(F.concat(ys, axis=0)).backward()
    expect = 2 * 4 * np.ones((3, 4), np.float32).T.dot(x.array)
    np.testing.assert_allclose(W.grad, expect, rtol=1e-6)


class _PassW(FunctionNode):
    """``(w, h) -> w * 2``, taking ``h`` only to be backpropagated before the
    linears that made ``h``; its gradient for ``w`` is a new array it remembers."""

    def forward(self, inputs):
        return inputs[0] * 2,

    def backward(self, indexes, grad_outputs):
        gw = grad_outputs[0] * 2
        self.given = (gw.array, gw.array.copy())
        return gw, None


def test_first_weight_gradient_returned_by_a_backward_is_not_mutated(monkeypatch):
    W0 = _leaf((4, 4))
    x = _leaf((3, 4), seed=1)

    def run(W):
        h = x
        for _ in range(3):
            h = F.tanh(F.linear(h, W))
        node = _PassW()
        F.sum(node.apply((W, h))[0] * 3 + F.sum(h)).backward()
        return node

    W = Variable(W0.array.copy())
    calls = _count_into(monkeypatch)
    node = run(W)  # _PassW's gradient comes first: the linears' add to a copy
    np.testing.assert_array_equal(node.given[0], node.given[1])
    assert W.grad is not node.given[0]
    assert calls[0] == (1, True, True)
    W1 = Variable(W0.array.copy())
    _without_into(monkeypatch)
    run(W1)
    np.testing.assert_array_equal(W.grad, W1.grad)
