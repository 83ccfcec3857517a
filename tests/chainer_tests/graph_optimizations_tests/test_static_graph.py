import warnings

import numpy
import pytest

import chainer
import chainer.functions as F
import chainer.links as L
from chainer import optimizers
from chainer.graph_optimizations import static_graph_utilities
from chainer.graph_optimizations.static_graph import static_code, static_graph


class _MLP(chainer.Chain):

    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(7, 5)
            self.l2 = L.Linear(5, 3)

    def forward(self, x):
        return self.l2(F.relu(self.l1(x)))


class _StaticMLP(_MLP):

    @static_graph
    def forward(self, x):
        return self.l2(F.relu(self.l1(x)))


class _Switchable(chainer.Chain):
    """Calls ``_forward`` through ``@static_graph`` when built with ``static``."""

    def __init__(self, static):
        super().__init__()
        self.static = static

    @static_graph
    def _static_forward(self, x):
        return self._forward(x)

    def forward(self, x):
        return self._static_forward(x) if self.static else self._forward(x)


class _TwoOutputs(_Switchable):
    """Tanh and sigmoid heads sharing a layer; a parameter used twice."""

    def __init__(self, static):
        super().__init__(static)
        with self.init_scope():
            self.l1 = L.Linear(4, 4)

    def _forward(self, x):
        h = self.l1(x)
        return F.tanh(h), F.sigmoid(self.l1(h)) * 2.0


def _train(model, xs, ts, steps=10, lossfun=None):
    opt = optimizers.MomentumSGD(lr=0.1).setup(model)
    for i in range(steps):
        x, t = xs[i % len(xs)], ts[i % len(ts)]
        opt.update(lambda: F.softmax_cross_entropy(model(x), t))
    return [p.array.copy() for _, p in sorted(model.namedparams())]


def _adam_train(state):
    """A train function: Adam steps, then the parameters and ``state(model)``'s arrays."""
    def train(model, xs, ts, steps=5):
        opt = optimizers.Adam().setup(model)
        for i in range(steps):
            x, t = xs[i % len(xs)], ts[i % len(ts)]
            opt.update(lambda: F.softmax_cross_entropy(model(x), t))
        return [p.array.copy() for _, p in sorted(model.namedparams())] + [
            a.copy() for a in state(model)]
    return train


def _data(n=3, batch=6, seed=0):
    rng = numpy.random.RandomState(seed)
    xs = [rng.uniform(-1, 1, (batch, 7)).astype(numpy.float32) for _ in range(n)]
    ts = [rng.randint(0, 3, batch).astype(numpy.int32) for _ in range(n)]
    return xs, ts


def _assert_trains_the_same(ref, model, train=_train, **kwargs):
    """``model`` (static) ends training with parameters bit-identical to ``ref``'s."""
    xs, ts = _data()
    model.copyparams(ref)
    for a, b in zip(train(ref, xs, ts, **kwargs), train(model, xs, ts, **kwargs)):
        numpy.testing.assert_array_equal(a, b)


def test_mlp_bit_identical_to_define_by_run():
    _assert_trains_the_same(_MLP(), _StaticMLP())


class _BNNet(_Switchable):

    def __init__(self, static):
        super().__init__(static)
        with self.init_scope():
            self.l1 = L.Linear(7, 8)
            self.bn = L.BatchNormalization(8)
            self.l2 = L.Linear(8, 3)

    def _forward(self, x):
        return self.l2(F.relu(self.bn(self.l1(x))))


def test_batch_normalization_with_adam_bit_identical():
    # Chainer 7.8.1's replays of such a model drifted from the third step.
    train = _adam_train(lambda m: (m.bn.avg_mean, m.bn.avg_var))
    _assert_trains_the_same(_BNNet(False), _BNNet(True), train=train, steps=6)


class _SNNet(_Switchable):
    """A convolution and a linear layer under spectral normalization."""

    def __init__(self, static):
        super().__init__(static)
        with self.init_scope():
            self.c = L.Convolution2D(1, 2, 2)
            self.l = L.Linear(8, 3)
        self.c.add_hook(chainer.link_hooks.SpectralNormalization(n_power_iteration=2))
        self.l.add_hook(chainer.link_hooks.SpectralNormalization(use_gamma=True))

    def _forward(self, x):
        h = F.reshape(F.concat([x, x[:, :2]], axis=1), (-1, 1, 3, 3))
        return self.l(F.relu(self.c(h)))


def test_spectral_normalization_bit_identical():
    # The hook's power iteration is static code: replays update u from the
    # current weight, as every define-by-run call does.
    train = _adam_train(lambda m: (m.c.W_u, m.l.W_u))
    ref, model = _SNNet(False), _SNNet(True)
    model.c.W_u[...] = ref.c.W_u
    model.l.W_u[...] = ref.l.W_u
    _assert_trains_the_same(ref, model, train=train)


class _BRNNet(_Switchable):

    def __init__(self, static):
        super().__init__(static)
        with self.init_scope():
            self.l1 = L.Linear(7, 8)
            self.brn = L.BatchRenormalization(8, rmax=1.5, dmax=0.5)
            self.l2 = L.Linear(8, 3)

    def _forward(self, x):
        return self.l2(F.relu(self.brn(self.l1(x))))


def test_batch_renormalization_bit_identical():
    # r, d and the running statistics are static code: replays compute them from
    # that call's batch.
    train = _adam_train(lambda m: (m.brn.avg_mean, m.brn.avg_var))
    _assert_trains_the_same(_BRNNet(False), _BRNNet(True), train=train)


class _DBNNet(_Switchable):

    def __init__(self, static):
        super().__init__(static)
        with self.init_scope():
            # no bias: its gradient is rounding noise, which Adam would amplify
            self.l1 = L.Linear(7, 4, nobias=True)
            self.dbn = L.DecorrelatedBatchNormalization(4, groups=2)
            self.l2 = L.Linear(4, 3)

    def _forward(self, x):
        return self.l2(F.relu(self.dbn(self.l1(x))))


def test_decorrelated_batch_normalization_follows_define_by_run():
    # Replays decompose that call's covariance (not the recorded one), to
    # rounding as define-by-run does, and update the running statistics.
    train = _adam_train(lambda m: (m.dbn.avg_mean, m.dbn.avg_projection))
    xs, ts = _data()
    ref, model = _DBNNet(False), _DBNNet(True)
    model.copyparams(ref)
    for a, b in zip(train(ref, xs, ts), train(model, xs, ts)):
        numpy.testing.assert_allclose(a, b, rtol=1e-5, atol=1e-6)


def test_replay_skips_graph_construction():
    xs, _ = _data()
    model = _StaticMLP()
    model(xs[0])
    y = model(xs[1])
    assert type(y.creator_node).__name__ == 'StaticScheduleFunction'
    numpy.testing.assert_allclose(
        y.array, _MLP.forward(model, xs[1]).array, rtol=1e-6, atol=1e-6)


def test_two_outputs_and_shared_parameter():
    rng = numpy.random.RandomState(1)
    x = [rng.uniform(-1, 1, (3, 4)).astype(numpy.float32) for _ in range(4)]
    ref, model = _TwoOutputs(False), _TwoOutputs(True)
    model.copyparams(ref)
    for m in (ref, model):
        for xi in x:
            m.cleargrads()
            a, b = m(xi)
            F.sum(a * a + b).backward()
    for (_, p), (_, q) in zip(sorted(ref.namedparams()), sorted(model.namedparams())):
        numpy.testing.assert_allclose(p.grad, q.grad, rtol=1e-6, atol=1e-7)


def test_input_gradient():
    model = _StaticMLP()
    rng = numpy.random.RandomState(2)
    for _ in range(3):
        x = chainer.Variable(rng.uniform(-1, 1, (2, 7)).astype(numpy.float32))
        y = F.sum(model(x) ** 2)
        y.backward()
        x_ref = chainer.Variable(x.array.copy())
        F.sum(_MLP.forward(model, x_ref) ** 2).backward()
        numpy.testing.assert_allclose(x.grad, x_ref.grad, rtol=1e-5, atol=1e-6)


def test_shape_change_records_a_schedule_per_shape():
    # As in Chainer: each batch size gets its own schedule, without a warning.
    model = _StaticMLP()
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        for n in (4, 2, 4, 2):
            x = numpy.full((n, 7), n, numpy.float32)
            y = model(x)
            assert y.shape == (n, 3)
            numpy.testing.assert_allclose(
                y.array, _MLP.forward(model, x).array, rtol=1e-6, atol=1e-6)
            del y
    assert len(_schedules(model)) == 2
    y = model(numpy.ones((2, 7), numpy.float32))
    assert type(y.creator_node).__name__ == 'StaticScheduleFunction'


class _Noisy(chainer.Chain):

    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(3, 2)
        self.calls = 0
        self.noise = numpy.zeros((2, 3), numpy.float32)

    @static_code
    def _fill(self):
        self.calls += 1
        self.noise[...] = self.calls  # in place: the schedule reads this array
        return self.noise

    @static_code
    def _fresh(self):
        return numpy.full((2, 2), float(self.calls), numpy.float32)

    @static_graph
    def forward(self, x):
        noise = self._fill()
        return self.l1(F.add(x, noise)) + self._fresh()


def test_static_code_runs_every_iteration():
    model = _Noisy()
    x = numpy.zeros((2, 3), numpy.float32)
    for i in range(1, 5):
        y = model(x)
        assert model.calls == i
        expected = model.l1(x + numpy.full((2, 3), i, numpy.float32)).array + i
        numpy.testing.assert_allclose(y.array, expected, rtol=1e-6)


def test_test_mode_and_no_backprop():
    model = _StaticMLP()
    xs, _ = _data()
    with chainer.using_config('train', False), chainer.no_backprop_mode():
        for x in xs:
            y = model(x)
            assert y.creator_node is None
            numpy.testing.assert_allclose(
                y.array, _MLP.forward(model, x).array, rtol=1e-6, atol=1e-6)


def test_force_test_define_by_run_and_verbosity(capsys):
    class M(_MLP):
        @static_graph(force_test_define_by_run=True)
        def forward(self, x):
            return self.l1(x)

    class V(_MLP):
        @static_graph(verbosity_level=1)
        def forward(self, x):
            return self.l1(x)

    x = numpy.ones((1, 7), numpy.float32)
    m = M()
    # As in Chainer, only test mode runs define-by-run.
    with chainer.using_config('train', False):
        for _ in range(2):
            assert type(m(x).creator_node).__name__ != 'StaticScheduleFunction'
    m(x)
    assert type(m(x).creator_node).__name__ == 'StaticScheduleFunction'
    v = V()
    v(x)
    v(x)
    assert 'recording a schedule' in capsys.readouterr().out


def test_utilities_module():
    assert static_graph_utilities.static_code is static_code
    assert chainer.static_graph is static_graph
    assert static_graph_utilities.static_forward_optimizations(None, None) is None


def test_no_warning_on_replay():
    model = _StaticMLP()
    x = numpy.ones((2, 7), numpy.float32)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        for _ in range(3):
            F.sum(model(x)).backward()


@pytest.mark.parametrize('minimize', [True, False])
def test_minimize_cache_size(minimize):
    class M(_MLP):
        @static_graph(minimize_cache_size=minimize)
        def forward(self, x):
            return self.l2(F.relu(self.l1(x)))

    _assert_trains_the_same(_MLP(), M(), steps=4)


def _schedules(model, train=True):
    return model.schedule_manager.schedules[train]


class _Loss(chainer.Chain):
    """MLP and loss in one chain: the loss node is replayed too."""

    def __init__(self, static):
        super().__init__()
        with self.init_scope():
            self.mlp = _MLP()
        self.static = static

    def _forward(self, x, t):
        return F.softmax_cross_entropy(self.mlp(x), t)

    @static_graph
    def _static_forward(self, x, t):
        return self._forward(x, t)

    def forward(self, x, t):
        return self._static_forward(x, t) if self.static else self._forward(x, t)


def _train_loss(model, xs, ts, steps=10):
    opt = optimizers.SGD(lr=0.1).setup(model)
    for i in range(steps):
        opt.update(model, xs[i % len(xs)], ts[i % len(ts)])
    return [p.array.copy() for _, p in sorted(model.namedparams())]


def test_loss_inside_bit_identical():
    _assert_trains_the_same(_Loss(False), _Loss(True), train=_train_loss)


class _Arith(_Switchable):
    """Every node with an array-level backward, and one without (sigmoid)."""

    def __init__(self, static):
        super().__init__(static)
        with self.init_scope():
            self.l1 = L.Linear(7, 4)
            self.l2 = L.Linear(4, 3)

    def _forward(self, x):
        h = F.tanh(self.l1(x))
        h = (h * 0.5 + 1.0) * h - (-h) + F.sigmoid(h)
        return self.l2(F.relu(h + self.l1.b))


def test_arithmetic_bit_identical():
    _assert_trains_the_same(_Arith(False), _Arith(True))


def test_replay_runs_array_kernels_and_falls_back_per_node():
    model = _Arith(True)
    x = numpy.ones((2, 7), numpy.float32)
    model(x)
    manager = _Switchable._static_forward._static_graph_managers[model]
    schedule, = manager.schedules[True]
    kinds = {type(s.func).__name__: s.array_backward is not None for s in schedule.func_steps}
    assert kinds['LinearFunction'] and kinds['ReLU'] and kinds['Tanh'] and kinds['Mul']
    assert not kinds['Sigmoid']
    F.sum(model(x)).backward()
    assert model.l1.W.grad is not None


def test_overlapping_calls_share_one_schedule():
    rng = numpy.random.RandomState(7)
    x1, x2 = (rng.uniform(-1, 1, (3, 7)).astype(numpy.float32) for _ in range(2))
    ref, model = _MLP(), _StaticMLP()
    model.copyparams(ref)
    for m in (ref, model):
        for _ in range(3):
            m.cleargrads()
            a, b = m(x1), m(x2)  # both forward before one backward
            F.sum(a * b).backward()
    assert len(_schedules(model)) == 1
    for (_, p), (_, q) in zip(sorted(ref.namedparams()), sorted(model.namedparams())):
        numpy.testing.assert_allclose(p.grad, q.grad, rtol=1e-6, atol=1e-7)


class _Stateful(_Switchable):
    """Nodes whose forward leaves state for backward: BN, dropout, the loss."""

    def __init__(self, static):
        super().__init__(static)
        with self.init_scope():
            self.l1 = L.Linear(7, 6)
            self.bn = L.BatchNormalization(6)
            self.l2 = L.Linear(6, 3)

    def _forward(self, x):
        return self.l2(F.dropout(self.bn(self.l1(x)), 0.3))


def test_calls_backpropagated_out_of_order_keep_their_own_state():
    # Each call's backward uses the state its own forward left on the nodes
    # (BN statistics, the dropout mask, the softmax), whatever ran in between.
    rng = numpy.random.RandomState(8)
    xs = [rng.uniform(-1, 1, (4, 7)).astype(numpy.float32) for _ in range(3)]
    t = numpy.array([0, 1, 2, 1], numpy.int32)
    ref, model = _Stateful(False), _Stateful(True)
    model.copyparams(ref)
    grads = []
    for m in (ref, model):
        numpy.random.seed(9)
        m(xs[0])
        for _ in range(2):
            m.cleargrads()
            a = F.softmax_cross_entropy(m(xs[0]), t)
            b = F.softmax_cross_entropy(m(xs[1]), t)
            with chainer.no_backprop_mode():
                m(xs[2])
            a.backward()
            b.backward()
            a.backward()  # a second backward adds the same gradients again
        grads.append([p.grad.copy() for _, p in sorted(m.namedparams())])
    for g, h in zip(*grads):
        numpy.testing.assert_allclose(g, h, rtol=1e-5, atol=1e-6)


def test_schedule_freed_when_outputs_dropped_without_backward():
    model = _StaticMLP()
    x = numpy.ones((2, 7), numpy.float32)
    for _ in range(4):
        y = model(x)
        del y
    assert len(_schedules(model)) == 1


def test_two_losses_backpropagated_through_one_call():
    # As define-by-run (Chainer 7.8.1's replays gave other gradients).
    x = numpy.random.RandomState(4).uniform(-1, 1, (2, 7)).astype(numpy.float32)
    ref, model = _MLP(), _StaticMLP()
    model.copyparams(ref)
    for m in (ref, model):
        for _ in range(3):
            y = m(x)
            m.cleargrads()
            F.sum(y).backward()
            F.sum(y * y).backward()
    for (_, p), (_, q) in zip(sorted(ref.namedparams()), sorted(model.namedparams())):
        numpy.testing.assert_allclose(p.grad, q.grad, rtol=1e-6, atol=1e-6)


def test_unneeded_intermediates_are_not_kept():
    model = _StaticMLP()
    x = numpy.ones((2, 7), numpy.float32)
    model(x)
    schedule, = _schedules(model)
    # l1's output feeds only ReLU, which keeps its own output instead.
    assert len(schedule.dropped) == 1


def test_unreplayable_chain_warns_once_then_runs_define_by_run():
    class M(_MLP):
        @static_graph
        def forward(self, x):
            return {'y': self.l1(x)}

    m = M()
    x = numpy.ones((2, 7), numpy.float32)
    with pytest.warns(RuntimeWarning, match='must return'):
        m(x)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        for _ in range(2):
            y = m(x)['y']
            assert type(y.creator_node).__name__ == 'LinearFunction'


class _Twice(chainer.FunctionNode):
    """A node with only ``backward_accumulate`` (no ``backward``)."""

    def forward(self, inputs):
        return inputs[0] * 2,

    def backward_accumulate(self, indexes, grad_outputs, grad_inputs):
        gx = grad_outputs[0] * 2
        return (gx if grad_inputs[0] is None else gx + grad_inputs[0]),


def test_node_with_backward_accumulate_only():
    class M(_MLP):
        @static_graph
        def forward(self, x):
            return _Twice().apply((self.l1(x),))[0]

    m = M()
    x = numpy.ones((2, 7), numpy.float32)
    for _ in range(3):
        m.cleargrads()
        F.sum(m(x)).backward()
        numpy.testing.assert_allclose(m.l1.b.grad, numpy.full(5, 4, numpy.float32))


class _Pair(_Switchable):
    """Takes a list ``[x, x2]``; returns nested outputs ``((y,), y + 1)``."""

    def __init__(self, static):
        super().__init__(static)
        with self.init_scope():
            self.l1 = L.Linear(3, 4)

    def _forward(self, xs):
        y = self.l1(xs[0] + xs[1] * 0.5)
        return (y,), [F.sum(y)]


def test_nested_arguments_and_outputs():
    ref, model = _Pair(False), _Pair(True)
    model.copyparams(ref)
    for m in (ref, model):
        rng = numpy.random.RandomState(3)
        m.outs = []
        for _ in range(3):
            xs = [chainer.Variable(rng.uniform(-1, 1, (2, 3)).astype(numpy.float32)),
                  rng.uniform(-1, 1, (2, 3)).astype(numpy.float32)]
            m.cleargrads()
            (y,), (s,) = out = m(xs)
            assert type(out) is tuple and type(out[0]) is tuple and type(out[1]) is list
            (F.sum(y * y) + s).backward()
            m.outs.append((y.array, m.l1.W.grad.copy(), xs[0].grad))
    for a, b in zip(ref.outs, model.outs):
        for u, v in zip(a, b):
            numpy.testing.assert_allclose(u, v, rtol=1e-6, atol=1e-6)


def test_array_arguments_are_not_frozen():
    # An array argument reaches forward as a Variable: what forward computes
    # from it (here with NumPy-style operators) is replayed, not frozen.
    class M(_MLP):
        @static_graph
        def forward(self, x):
            assert isinstance(x, chainer.Variable)
            return self.l1(x * 2.0 + numpy.ones(7, numpy.float32))

    m = M()
    for i in range(3):
        x = numpy.full((2, 7), i, numpy.float32)
        numpy.testing.assert_allclose(
            m(x).array, m.l1(x * 2.0 + 1.0).array, rtol=1e-6, atol=1e-6)


def test_dropout_draws_a_new_mask_on_every_replay():
    # Chainer 7.8.1's replays kept the first call's mask.
    class Drop(_Switchable):
        def __init__(self, static):
            super().__init__(static)
            with self.init_scope():
                self.l1 = L.Linear(7, 6)

        def _forward(self, x):
            return F.dropout(self.l1(x), 0.5)

    x = numpy.ones((4, 7), numpy.float32)
    ref, model = Drop(False), Drop(True)
    model.copyparams(ref)
    outs = []
    for m in (ref, model):
        numpy.random.seed(5)
        with chainer.no_backprop_mode():
            m(x)
        ys = []
        for _ in range(3):
            y = m(x)
            F.sum(y).backward()
            ys.append(y.array)
        outs.append(ys)
    assert not numpy.array_equal(outs[1][0], outs[1][1])
    for a, b in zip(*outs):
        numpy.testing.assert_array_equal(a, b)


def test_multi_output_node_backward():
    class M(_MLP):
        @static_graph
        def forward(self, x):
            a, b = F.split_axis(self.l1(x), [2], axis=1)
            return F.concat((b, a), axis=1)

    m = M()
    x = numpy.ones((2, 7), numpy.float32)
    for _ in range(3):
        m.cleargrads()
        F.sum(m(x) * numpy.arange(5, dtype=numpy.float32)).backward()
        numpy.testing.assert_allclose(m.l1.b.grad, [6, 8, 0, 2, 4])


def test_no_backprop_outputs_require_grad_as_define_by_run():
    model = _StaticMLP()
    x = numpy.ones((2, 7), numpy.float32)
    for _ in range(3):
        with chainer.no_backprop_mode():
            y = model(x)
        assert y.requires_grad and y.creator_node is None
    with chainer.no_backprop_mode():
        (y,), _ = _Pair(True)([x[:, :3], x[:, :3]])
    assert y.creator_node is None


def test_static_schedule_attribute_names_the_schedule_in_use():
    # Chainer's chain gets ``static_schedule`` at its first call, next to
    # ``schedule_manager``; a pickled or copied chain records its own.
    import copy
    import pickle

    model = _StaticMLP()
    assert not hasattr(model, 'static_schedule')
    x = numpy.ones((2, 7), numpy.float32)
    model(x)
    first = model.static_schedule
    assert first is not None
    model(x)
    assert model.static_schedule is first
    model(numpy.ones((3, 7), numpy.float32))
    assert model.static_schedule is not first
    for clone in (pickle.loads(pickle.dumps(model)), copy.deepcopy(model)):
        assert clone.static_schedule is None
        clone(x)
        assert clone.static_schedule is not None and clone.static_schedule is not first


def test_schedule_manager_attribute_pickle_and_deepcopy():
    import copy
    import pickle

    model = _StaticMLP()
    x = numpy.ones((2, 7), numpy.float32)
    model(x)
    model.schedule_manager.end_forward()  # Chainer's API for forward-only iterations
    y = model(x)
    for clone in (pickle.loads(pickle.dumps(model)), copy.deepcopy(model)):
        assert clone.schedule_manager is not model.schedule_manager
        for _ in range(2):
            numpy.testing.assert_array_equal(clone(x).array, y.array)
        assert len(_schedules(clone)) == 1


@pytest.mark.parametrize('arg', ['abc', 1.5, None, [numpy.ones((2, 7), numpy.float32), 3]])
def test_argument_other_than_arrays_raises_type_error(arg):
    # As in Chainer, which made a Variable of each argument.
    with pytest.raises(TypeError, match='Variables or arrays'):
        _StaticMLP()(arg)


def test_differentiating_a_replayed_gradient_again_raises():
    model = _StaticMLP()
    x = chainer.Variable(numpy.ones((2, 7), numpy.float32))
    model(x)
    gx, = chainer.grad([F.sum(model(x) ** 2)], [x], enable_double_backprop=True)
    ref = chainer.Variable(x.array.copy())
    g_ref, = chainer.grad([F.sum(_MLP.forward(model, ref) ** 2)], [ref])
    numpy.testing.assert_allclose(gx.array, g_ref.array, rtol=1e-6)
    with pytest.raises(NotImplementedError, match='enable_double_backprop=True'):
        F.sum(gx * gx).backward()


def test_static_code_gets_this_call_s_arrays():
    # Chainer's protocol: arrays of the schedule passed to a static_code function
    # (its ``inputs=``, here also a parameter) are this call's on every replay;
    # other arrays (a buffer filled in place through ``outputs=``) stay as given.
    class M(_MLP):
        def __init__(self):
            super().__init__()
            self.buf = numpy.zeros((2, 5), numpy.float32)

        @static_code
        def _double(self, inputs):
            return inputs[0] * 2 + inputs[1],

        @static_code
        def _fill(self, inputs, outputs):
            outputs[0][...] = inputs[0] + 1

        @static_graph
        def forward(self, x):
            h = self.l1(x)
            d, = self._double(inputs=[h.array, self.l1.b.array])
            self._fill(inputs=[h.array], outputs=[self.buf])
            return h + d + self.buf

    m = M()
    for i in range(3):
        x = numpy.full((2, 7), i, numpy.float32)
        m.l1.b.array[...] = i
        h = m.l1(x).array
        numpy.testing.assert_allclose(m(x).array, h * 4 + i + 1, rtol=1e-6)


class _OldStyleNoise(chainer.Function):
    """An old-style Function that draws its mask in forward and keeps it."""

    def forward(self, inputs):
        self.mask = (numpy.random.rand(*inputs[0].shape) > 0.5).astype(inputs[0].dtype)
        return inputs[0] * self.mask,

    def backward(self, inputs, grad_outputs):
        return grad_outputs[0] * self.mask,


def test_old_style_function_state_is_per_call():
    class Old(_Switchable):
        def __init__(self, static):
            super().__init__(static)
            with self.init_scope():
                self.l1 = L.Linear(7, 5)

        def _forward(self, x):
            return F.tanh(_OldStyleNoise()(self.l1(x)))

    x = numpy.random.RandomState(6).uniform(-1, 1, (3, 7)).astype(numpy.float32)
    ref, model = Old(False), Old(True)
    model.copyparams(ref)
    grads = []
    for m in (ref, model):
        numpy.random.seed(11)
        out = []
        for _ in range(3):
            m.cleargrads()
            a, b = m(x), m(x)
            F.sum(a * a + b).backward()
            out += [a.array, b.array, m.l1.W.grad.copy()]
        grads.append(out)
    for u, v in zip(*grads):
        numpy.testing.assert_allclose(u, v, rtol=1e-6, atol=1e-7)


def test_chains_recorded_at_once_in_two_threads_keep_their_own_schedules():
    import threading
    first_inside = threading.Event()
    second_done = threading.Event()
    calls = []

    @static_code
    def mark(tag, x):
        calls.append((threading.current_thread().name, tag))

    class Net(chainer.Chain):
        def __init__(self, tag, wait):
            super().__init__()
            self.tag = tag
            self.wait = wait
            with self.init_scope():
                self.l = L.Linear(3, 2)

        @static_graph
        def forward(self, x):
            h = self.l(x)
            mark(self.tag, h.array)
            if self.wait and not first_inside.is_set():
                first_inside.set()  # recording; the other thread records meanwhile
                second_done.wait(10)
            return F.tanh(h)

    nets = {'A': Net('A', True), 'B': Net('B', False)}
    x = numpy.ones((2, 3), numpy.float32)
    errors = []

    def run(tag):
        try:
            for _ in range(3):
                nets[tag](x)
                if tag == 'B':
                    second_done.set()
        except Exception as e:
            errors.append(e)
            second_done.set()

    a = threading.Thread(target=run, args=('A',), name='A')
    a.start()
    assert first_inside.wait(10)
    b = threading.Thread(target=run, args=('B',), name='B')
    b.start()
    b.join(10)
    a.join(10)
    assert not a.is_alive() and not b.is_alive()
    assert not errors
    assert all(thread == tag for thread, tag in calls)
    assert [tag for _, tag in calls].count('A') == 3
    assert [tag for _, tag in calls].count('B') == 3
