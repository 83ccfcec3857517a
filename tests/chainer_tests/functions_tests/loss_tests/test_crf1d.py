import itertools

import numpy
import pytest

import chainer
from chainer import gradient_check
from chainer import testing
from chainer.utils import type_check
from chainer.functions.loss.crf1d import argmax_crf1d, crf1d

from tests.chainer_tests.functions_tests.loss_tests._loss_tolerances import set_tolerances

_LENGTHS = [3, 2, 2]  # sequences sorted by decreasing length
_K = 3


def _batch_sizes(lengths):
    return [sum(1 for n in lengths if n > t) for t in range(max(lengths))]


def _seq(xs, b, n):
    return numpy.stack([xs[t][b] for t in range(n)])


def _path_score(cost, e, path):
    s = sum(e[t, p] for t, p in enumerate(path))
    return s + sum(cost[a, b] for a, b in zip(path[:-1], path[1:]))


def _brute(cost, xs, lengths):
    """logZ and the best path per sequence by enumeration."""
    out = []
    for b, n in enumerate(lengths):
        e = _seq(xs, b, n)
        scores = {p: _path_score(cost, e, p)
                  for p in itertools.product(range(cost.shape[0]), repeat=n)}
        vals = numpy.array(list(scores.values()))
        logz = numpy.log(numpy.exp(vals - vals.max()).sum()) + vals.max()
        best = max(scores, key=scores.get)
        out.append((logz, best, scores[best], scores))
    return out


@testing.parameterize(*testing.product({
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'reduce': ['mean', 'no'],
    'lengths': [_LENGTHS, [2, 2]],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestCRF1d(testing.FunctionTestCase):

    def setUp(self):
        set_tolerances(self, self.dtype)
        rng = numpy.random.RandomState(0)
        self.ys = [rng.randint(0, _K, n).astype(numpy.int32)
                   for n in _batch_sizes(self.lengths)]

    def generate_inputs(self):
        cost = numpy.random.uniform(-1, 1, (_K, _K)).astype(self.dtype)
        xs = [numpy.random.uniform(-1, 1, (n, _K)).astype(self.dtype)
              for n in _batch_sizes(self.lengths)]
        return (cost,) + tuple(xs)

    def forward(self, inputs, device):
        return crf1d(inputs[0], list(inputs[1:]), [device.send(y) for y in self.ys],
                     reduce=self.reduce),

    def forward_expected(self, inputs):
        cost = inputs[0].astype(numpy.float64)
        xs = [x.astype(numpy.float64) for x in inputs[1:]]
        ref = _brute(cost, xs, self.lengths)
        losses = []
        for b, n in enumerate(self.lengths):
            path = tuple(int(self.ys[t][b]) for t in range(n))
            losses.append(ref[b][0] - ref[b][3][path])
        losses = numpy.array(losses)
        if self.reduce == 'mean':
            losses = losses.mean()
        return numpy.asarray(losses, self.dtype),


@pytest.mark.parametrize('lengths', [_LENGTHS, [1, 1], [3]])
def test_argmax_crf1d(lengths):
    rng = numpy.random.RandomState(3)
    cost = rng.uniform(-1, 1, (_K, _K))
    xs = [rng.uniform(-1, 1, (n, _K)) for n in _batch_sizes(lengths)]
    score, path = argmax_crf1d(cost, xs)
    ref = _brute(cost, xs, lengths)
    assert len(path) == len(xs)
    for t, p in enumerate(path):
        assert p.shape == (xs[t].shape[0],) and p.dtype == numpy.int32
    for b, n in enumerate(lengths):
        assert tuple(int(path[t][b]) for t in range(n)) == ref[b][1]
    numpy.testing.assert_allclose(score.array, [r[2] for r in ref], rtol=1e-10)
    # the score is differentiable
    gradient_check.check_backward(
        lambda c, *x: argmax_crf1d(c, list(x))[0], (cost,) + tuple(xs),
        rng.uniform(-1, 1, len(lengths)))


def test_crf1d_double_backward():
    rng = numpy.random.RandomState(4)
    cost = rng.uniform(-1, 1, (_K, _K))
    xs = [rng.uniform(-1, 1, (n, _K)) for n in _batch_sizes(_LENGTHS)]
    ys = [rng.randint(0, _K, n).astype(numpy.int32) for n in _batch_sizes(_LENGTHS)]
    gradient_check.check_double_backward(
        lambda c, *x: crf1d(c, list(x), ys), (cost,) + tuple(xs), None,
        (rng.uniform(-1, 1, cost.shape),) + tuple(rng.uniform(-1, 1, x.shape) for x in xs))


def test_bad_inputs():
    cost = numpy.zeros((3, 3), numpy.float32)
    xs = [numpy.zeros((2, 3), numpy.float32)] * 2
    ys = [numpy.zeros(2, numpy.int32)] * 2
    with pytest.raises(ValueError, match="only 'mean' and 'no'"):
        crf1d(cost, xs, ys, reduce='sum')
    with pytest.raises(ValueError):
        crf1d(numpy.zeros((2, 2), numpy.float32), xs, ys)
    with pytest.raises(ValueError):
        crf1d(cost, [xs[0][:1], xs[0]], [ys[0][:1], ys[0]])
    with pytest.raises(ValueError):
        crf1d(cost, xs, [ys[0], numpy.array([0, 3], numpy.int32)])
    # Chainer's type checks: InvalidType for bad label arrays and mixed dtypes
    with pytest.raises(type_check.InvalidType):
        crf1d(cost, xs, [ys[0], ys[1].astype(numpy.float32)])
    with pytest.raises(type_check.InvalidType):
        crf1d(cost, xs, [ys[0], ys[1][:1]])
    with pytest.raises(type_check.InvalidType):
        crf1d(cost.astype(numpy.float16), xs, ys)
    for bad in (xs[1][:, :2], xs[1][0], xs[1][:, :, None]):
        with pytest.raises(type_check.InvalidType):
            crf1d(cost, [xs[0], bad], ys)
    with pytest.raises(ValueError):
        crf1d(cost, xs, ys[:1])
    with pytest.raises(type_check.InvalidType):
        crf1d(cost, [x.astype(numpy.float64) for x in xs], ys)
    with pytest.raises(ValueError):
        argmax_crf1d(cost, [])
    assert isinstance(crf1d(cost, xs, ys), chainer.Variable)


@pytest.mark.parametrize('f', ['crf1d', 'argmax_crf1d'])
@pytest.mark.parametrize('cost, also', [
    # Chainer 7.8.1's inner type checks raised InvalidType for these costs; ours are
    # also the ValueError / TypeError they were
    (numpy.zeros((3, 4), numpy.float32), ValueError),
    (numpy.zeros((3, 3, 2), numpy.float32), ValueError),
    (numpy.zeros((3, 3), numpy.int32), TypeError),
])
def test_bad_cost_is_invalid_type(f, cost, also):
    xs = [numpy.zeros((2, 3), numpy.float32)] * 2
    ys = [numpy.zeros(2, numpy.int32)] * 2
    with pytest.raises(type_check.InvalidType) as info:
        crf1d(cost, xs, ys) if f == 'crf1d' else argmax_crf1d(cost, xs)
    assert isinstance(info.value, also)


def test_growing_batch_is_invalid_type():
    cost = numpy.zeros((3, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType) as info:
        argmax_crf1d(cost, [numpy.zeros((0, 3), numpy.float32), numpy.zeros((2, 3), numpy.float32)])
    assert isinstance(info.value, ValueError)


def test_argmax_crf1d_score_gradient_reaches_every_tied_maximum():
    cost = chainer.Variable(numpy.zeros((2, 2)))
    xs = [chainer.Variable(numpy.array([[1., 1.], [0., 2.]])),
          chainer.Variable(numpy.array([[0., 0.]]))]
    score, path = argmax_crf1d(cost, xs)
    numpy.testing.assert_array_equal(score.array, [1., 2.])
    assert [p.tolist() for p in path] == [[0, 1], [0]]
    chainer.functions.sum(score * numpy.array([1., 0.5])).backward()
    numpy.testing.assert_array_equal(cost.grad, [[1., 1.], [1., 1.]])
    numpy.testing.assert_array_equal(xs[0].grad, [[2., 2.], [0., 0.5]])
    numpy.testing.assert_array_equal(xs[1].grad, [[1., 1.]])


def test_argmax_crf1d_score_gradient_without_ties():
    rng = numpy.random.RandomState(5)
    cost = rng.uniform(-1, 1, (_K, _K))
    xs = [rng.uniform(-1, 1, (n, _K)) for n in _batch_sizes(_LENGTHS)]
    gradient_check.check_backward(
        lambda c, *x: argmax_crf1d(c, list(x))[0], (cost,) + tuple(xs), rng.uniform(-1, 1, 3))


def test_one_step_mixes_dtypes():
    # a single step uses no transition score, so Chainer mixed the dtypes there
    cost = numpy.zeros((2, 2), numpy.float32)
    x = numpy.array([[0., 1.], [2., 0.]])
    y = numpy.array([1, 0], numpy.int32)
    loss = crf1d(cost, [x], [y], reduce='no')
    assert loss.dtype == numpy.float64
    numpy.testing.assert_allclose(loss.array, numpy.log1p(numpy.exp(-numpy.array([1., 2.]))))
    assert argmax_crf1d(cost, [x])[0].dtype == numpy.float64


def test_no_steps_is_an_index_error_too():
    cost = numpy.zeros((2, 2), numpy.float32)
    for call in (lambda: crf1d(cost, [], []), lambda: argmax_crf1d(cost, [])):
        with pytest.raises(ValueError) as info:
            call()
        assert isinstance(info.value, IndexError)


def test_argmax_later_arrays_are_cast_to_the_cost_dtype():
    # Chainer added each later step's array onto the running scores as a constant,
    # cast to their dtype; a Variable of another dtype is still refused
    rs = numpy.random.RandomState(0)
    cost = rs.rand(3, 3).astype(numpy.float32)
    xs = [rs.rand(2, 3).astype(numpy.float32), rs.rand(2, 3),
          rs.randint(0, 3, (1, 3)).astype(numpy.int32), numpy.ones((1, 3), bool)]
    score, path = argmax_crf1d(cost, xs)
    expect_score, expect_path = argmax_crf1d(cost, [x.astype(numpy.float32) for x in xs])
    assert score.dtype == numpy.float32
    numpy.testing.assert_array_equal(score.array, expect_score.array)
    for p, e in zip(path, expect_path):
        numpy.testing.assert_array_equal(p, e)
    with pytest.raises(type_check.InvalidType):
        argmax_crf1d(cost, [xs[0], chainer.Variable(xs[1])])



@pytest.mark.parametrize('bad', [numpy.nan, numpy.inf])
def test_a_non_finite_short_sequence_leaves_the_other_gradients_finite(bad):
    # Each sequence is computed on its own rows (as Chainer shrank the batch when
    # sequences ended): a NaN or infinity in sequence 1 (length 1, no transition)
    # reaches neither the cost gradient nor sequence 0's.
    rng = numpy.random.RandomState(3)
    xs = [chainer.Variable(rng.standard_normal((b, _K))) for b in (2, 1, 1)]
    ys = [numpy.zeros(b, numpy.int32) for b in (2, 1, 1)]
    xs[0].array[1, 2] = bad
    cost = chainer.Variable(rng.standard_normal((_K, _K)))
    crf1d(cost, xs, ys).backward()
    assert numpy.isfinite(cost.grad).all()
    for g in (xs[0].grad[0], xs[1].grad, xs[2].grad):
        assert numpy.isfinite(g).all()


def test_a_nan_in_a_long_sequence_leaves_the_shorter_losses_alone():
    rng = numpy.random.RandomState(4)
    xs = [rng.standard_normal((b, _K)) for b in (2, 1, 1)]
    ys = [numpy.zeros(b, numpy.int32) for b in (2, 1, 1)]
    cost = rng.standard_normal((_K, _K))
    clean = crf1d(cost, xs, ys, reduce='no').array
    xs[1][0, 0] = numpy.nan  # sequence 0 at its second step, on its path
    loss = crf1d(cost, xs, ys, reduce='no').array
    assert numpy.isnan(loss[0])
    numpy.testing.assert_array_equal(loss[1], clean[1])
