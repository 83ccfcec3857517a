import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import gradient_check
from chainer import testing
from chainer.functions.connection.embed_id import embed_id
from chainer.utils import type_check
from tests.chainer_tests._graph import count_grad_into

_backends = [{}, {'use_cuda': True}]


@testing.parameterize(*(
    testing.product({
        'x_data': [[0, 1, 0], [[1, 0, 2], [2, 2, 1]]],
        'ignore_label': [None, 1],
        'dtype': [numpy.float32],
    })
    + [
        {'x_data': [2, -1, 0, 2], 'ignore_label': -1, 'dtype': numpy.float16},
        {'x_data': [[0, 2], [1, 1]], 'ignore_label': None, 'dtype': numpy.float64},
        {'x_data': [[[0, 1]], [[2, 2]]], 'ignore_label': None, 'dtype': numpy.float64},
        {'x_data': [], 'ignore_label': None, 'dtype': numpy.float32},
    ]
))
@testing.inject_backend_tests(None, _backends)
class TestEmbedID(testing.FunctionTestCase):

    def setUp(self):
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 5e-3, 'rtol': 5e-2}
            self.check_backward_options = {'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {'atol': 5e-2, 'rtol': 5e-2}

    def generate_inputs(self):
        x = numpy.array(self.x_data, dtype=numpy.int32)
        W = numpy.random.uniform(-1, 1, (3, 2)).astype(self.dtype)
        return x, W

    def forward(self, inputs, device):
        x, W = inputs
        return embed_id(x, W, ignore_label=self.ignore_label),

    def forward_expected(self, inputs):
        x, W = inputs
        y = numpy.zeros(x.shape + (2,), self.dtype)
        for idx in numpy.ndindex(x.shape):
            if x[idx] != self.ignore_label:
                y[idx] = W[x[idx]]
        return y,


def test_gradient_scatter_adds_and_skips_ignored():
    x = numpy.array([[0, 2, 0], [-1, 2, 0]], numpy.int32)
    W = chainer.Variable(numpy.arange(6, dtype=numpy.float32).reshape(3, 2))
    y = embed_id(x, W, ignore_label=-1)
    numpy.testing.assert_array_equal(y.array[1, 0], [0, 0])
    y.grad = numpy.ones_like(y.array)
    y.backward()
    numpy.testing.assert_array_equal(W.grad, [[3, 3], [0, 0], [2, 2]])


def test_double_backward_wrt_W():
    x = numpy.array([0, 2, 2, 1], numpy.int32)
    W = numpy.random.rand(3, 2)
    gy = numpy.random.rand(4, 2)
    ggW = numpy.random.rand(3, 2)

    def f(W_):
        return embed_id(x, W_) ** 2

    gradient_check.check_double_backward(f, (W,), gy, (ggW,))


def test_x_gets_no_gradient():
    x = chainer.Variable(numpy.array([0, 1], numpy.int32))
    W = chainer.Variable(numpy.random.rand(2, 3).astype(numpy.float32))
    F.sum(embed_id(x, W)).backward()
    assert x.grad is None


def test_debug_mode_checks_range():
    W = numpy.zeros((3, 2), numpy.float32)
    with chainer.using_config('debug', True):
        with pytest.raises(ValueError):
            embed_id(numpy.array([3], numpy.int32), W)
        embed_id(numpy.array([5, 1], numpy.int32), W, ignore_label=5)


def test_bad_inputs():
    W = numpy.zeros((3, 2), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        embed_id(numpy.array([0.0], numpy.float32), W)
    with pytest.raises(type_check.InvalidType):
        embed_id(numpy.array([0], numpy.int32), numpy.zeros(3, numpy.float32))
    with pytest.raises(type_check.InvalidType):
        embed_id(numpy.array([0], numpy.int32), W.astype(numpy.int32))
    with pytest.raises(ValueError, match='Each not ignored `x` value need to satisfy'):
        embed_id(numpy.array([7], numpy.int32), W)
    with pytest.raises(type_check.InvalidType):
        embed_id(numpy.array(1, numpy.int32), W)


@pytest.mark.parametrize('ids, ignore_label', [
    ([0, 3], None), ([-1, 1], None), ([2, -2], -1), ([5], 4)])
def test_out_of_range_ids_raise(ids, ignore_label):
    # Chainer returned W[-1] for -1; every id outside [0, n) is an error here.
    W = numpy.ones((3, 2), numpy.float32)
    with pytest.raises(ValueError, match='Each not ignored `x` value need to satisfy'):
        embed_id(numpy.array(ids, numpy.int32), W, ignore_label=ignore_label)


def test_ignore_label_outside_the_vocabulary_is_allowed():
    W = numpy.arange(6, dtype=numpy.float32).reshape(3, 2)
    y = embed_id(numpy.array([5, 2], numpy.int32), W, ignore_label=5)
    numpy.testing.assert_array_equal(y.array, [[0, 0], [4, 5]])


def test_np_memmap_ids_with_plain_weights(tmp_path):
    # an np.memmap (np.load(mmap_mode='r')) is a NumPy array, as in Chainer
    numpy.save(tmp_path / 'ids.npy', numpy.array([2, 0, 2], numpy.int32))
    ids = numpy.load(tmp_path / 'ids.npy', mmap_mode='r')
    W = chainer.Variable(numpy.arange(6, dtype=numpy.float32).reshape(3, 2))
    y = F.embed_id(ids, W)
    numpy.testing.assert_array_equal(y.array, [[4, 5], [0, 1], [4, 5]])
    F.sum(y).backward()
    numpy.testing.assert_array_equal(W.grad, [[1, 1], [0, 0], [2, 2]])


@pytest.mark.gpu
@pytest.mark.parametrize('type_check_on', [True, False])
@pytest.mark.parametrize('ids_on_gpu', [True, False])
def test_numpy_and_cupy_mixed_raise_type_error(type_check_on, ids_on_gpu):
    # TypeError whether or not the type check runs (CuPy raised it in Chainer)
    import cupy
    ids = numpy.array([0, 1], numpy.int32)
    W = numpy.ones((2, 3), numpy.float32)
    if ids_on_gpu:
        ids = cupy.asarray(ids)
    else:
        W = cupy.asarray(W)
    with chainer.using_config('type_check', type_check_on):
        with pytest.raises(TypeError, match='incompatible array types'):
            embed_id(ids, W)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('ignore_label', [None, 2])
def test_gradient_is_zeros_and_add_at_bit_for_bit(dtype, ignore_label):
    """The weight gradient (one sparse product on NumPy) has the bits of a zero
    array into which numpy.add.at adds the output gradient rows in id order."""
    rng = numpy.random.RandomState(11)
    ids = rng.randint(0, 30, (40, 9)).astype(numpy.int32)
    W = chainer.Variable(rng.uniform(-1, 1, (30, 33)).astype(dtype))
    gy = rng.uniform(-1, 1, (40, 9, 33)).astype(dtype)
    y = embed_id(ids, W, ignore_label=ignore_label)
    y.grad = gy
    y.backward()
    keep = ids.ravel() != ignore_label
    expected = numpy.zeros((30, 33), dtype)
    numpy.add.at(expected, ids.ravel()[keep], gy.reshape(-1, 33)[keep])
    assert W.grad.dtype == dtype
    numpy.testing.assert_array_equal(W.grad.view(numpy.uint8), expected.view(numpy.uint8))


# The table's gradient of each step after the first is added straight into the
# backprop walk's sum (EmbedIDFunction._add_grad_into): the same values as the
# common sum of whole-table gradients, and never into an array somebody else holds.

def _embed_loop(W, ids, ignore_label=None):
    """sum over steps of the looked-up rows, weighted, each step with its own ids."""
    total = 0
    for k, x in enumerate(ids):
        y = F.embed_id(x, W, ignore_label=ignore_label)
        total = total + F.sum(F.tanh(y) * (k + 1))
    return total


def _embed_into_calls(monkeypatch):
    from chainer.functions.connection.embed_id import EmbedIDFunction
    return count_grad_into(monkeypatch, EmbedIDFunction)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('ignore_label', [None, 3])
@pytest.mark.parametrize('batch', [0, 1, 7])
def test_embed_id_table_gradient_added_in_place_is_the_common_sum(
        monkeypatch, dtype, ignore_label, batch):
    from chainer.functions.connection.embed_id import EmbedIDFunction
    rng = numpy.random.RandomState(batch)
    W0 = rng.uniform(-1, 1, (6, 5)).astype(dtype)
    # repeated ids within and across steps, the ignored one among them
    ids = [rng.randint(0, 6, (batch, 2)).astype(numpy.int32) for _ in range(5)]

    def grad():
        W = chainer.Variable(W0.copy())
        _embed_loop(W, ids, ignore_label).backward()
        return W.grad

    with monkeypatch.context() as m:
        calls = _embed_into_calls(m)
        fast = grad()
        # from the second step on (the first gradient is kept as it came; the second
        # add makes the walk's own sum, in a copy)
        assert calls == [(1, True, True)] + [(1, True, False)] * 3
    monkeypatch.setattr(EmbedIDFunction, '_grad_into_inputs', ())
    expected = grad()
    assert fast.dtype == expected.dtype
    numpy.testing.assert_array_equal(fast, expected)


def test_embed_id_table_gradient_held_by_the_user_is_not_mutated(monkeypatch):
    W = chainer.Variable(numpy.random.RandomState(0).uniform(-1, 1, (5, 3)).astype(
        numpy.float32))
    ids = [numpy.array([0, 1, 1]), numpy.array([4, 1]), numpy.array([2])]
    _embed_loop(W, ids).backward()
    held = W.grad
    kept = held.copy()
    calls = _embed_into_calls(monkeypatch)
    _embed_loop(W, ids).backward()  # adds to the gradient W holds: a new sum
    numpy.testing.assert_array_equal(held, kept)
    assert W.grad is not held
    numpy.testing.assert_allclose(W.grad, 2 * kept, rtol=1e-6)
    assert [taken for _, taken, _ in calls] == [True, True]


def test_embed_id_table_gradient_not_added_in_place_under_double_backprop(monkeypatch):
    W = chainer.Variable(numpy.ones((4, 3), numpy.float32))
    calls = _embed_into_calls(monkeypatch)
    _embed_loop(W, [numpy.array([0, 1]), numpy.array([1, 2])]).backward(
        enable_double_backprop=True)
    assert calls == []
    assert W.grad_var.creator is not None
