import itertools

import numpy
import pytest

import chainer
from chainer import gradient_check
from chainer import testing
from chainer.functions.loss.ctc import connectionist_temporal_classification as ctc
from chainer.utils import type_check

from tests.chainer_tests.functions_tests.loss_tests._loss_tolerances import set_tolerances

_T, _B, _V = 4, 3, 3
_BLANK = 0


def _collapse(seq, blank):
    out = []
    prev = None
    for s in seq:
        if s != prev and s != blank:
            out.append(s)
        prev = s
    return tuple(out)


def _brute_loss(xs, t, in_len, lab_len, blank):
    x = numpy.stack([a.astype(numpy.float64) for a in xs])
    y = numpy.exp(x - x.max(axis=2, keepdims=True))
    y /= y.sum(axis=2, keepdims=True)
    losses = []
    for b in range(x.shape[1]):
        target = tuple(int(v) for v in t[b, :lab_len[b]])
        p = 0.0
        for path in itertools.product(range(x.shape[2]), repeat=int(in_len[b])):
            if _collapse(path, blank) == target:
                p += numpy.prod([y[i, b, k] for i, k in enumerate(path)])
        losses.append(-numpy.log(p))
    return numpy.array(losses)


@testing.parameterize(*testing.product({
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'reduce': ['mean', 'no'],
    'lengths': [False, True],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestCTC(testing.FunctionTestCase):

    skip_double_backward_test = True

    def setUp(self):
        set_tolerances(self, self.dtype)
        self.t = numpy.array([[1, 2], [1, 1], [2, 1]], numpy.int32)
        if self.lengths:
            self.in_len = numpy.array([4, 3, 2], numpy.int32)
            self.lab_len = numpy.array([2, 2, 1], numpy.int32)
        else:
            self.in_len = numpy.full(_B, _T, numpy.int32)
            self.lab_len = numpy.full(_B, 2, numpy.int32)

    def generate_inputs(self):
        return tuple(numpy.random.uniform(-1, 1, (_B, _V)).astype(self.dtype)
                     for _ in range(_T))

    def forward(self, inputs, device):
        if self.lengths:
            return ctc(list(inputs), device.send(self.t), _BLANK, device.send(self.in_len),
                       device.send(self.lab_len), reduce=self.reduce),
        return ctc(list(inputs), device.send(self.t), _BLANK, reduce=self.reduce),

    def forward_expected(self, inputs):
        loss = _brute_loss(inputs, self.t, self.in_len, self.lab_len, _BLANK)
        if self.reduce == 'mean':
            loss = loss.mean()
        return numpy.asarray(loss, self.dtype),


def test_nonzero_blank_and_empty_label():
    rng = numpy.random.RandomState(0)
    xs = [rng.uniform(-1, 1, (2, 3)) for _ in range(3)]
    t = numpy.array([[0, 1], [1, 0]], numpy.int32)
    lab_len = numpy.array([2, 0], numpy.int32)
    y = ctc(xs, t, 2, label_length=lab_len, reduce='no')
    ref = _brute_loss(xs, t, [3, 3], lab_len, 2)
    numpy.testing.assert_allclose(y.array, ref, rtol=1e-10)
    gradient_check.check_backward(
        lambda *x: ctc(list(x), t, 2, label_length=lab_len), tuple(xs), None)


def test_double_backprop_raises():
    xs = [chainer.Variable(numpy.random.randn(2, 3)) for _ in range(3)]
    y = ctc(xs, numpy.array([[1], [2]], numpy.int32), 0)
    gxs = chainer.grad([y], xs, enable_double_backprop=True)
    # Chainer's CTC was an old-style Function: RuntimeError, as for any of them.
    with pytest.raises(RuntimeError, match='ConnectionistTemporalClassification'):
        chainer.grad([chainer.functions.sum(gxs[0] * gxs[0])], xs)


def test_bad_inputs():
    xs = [numpy.zeros((2, 3), numpy.float32)] * 3
    t = numpy.array([[1], [2]], numpy.int32)
    with pytest.raises(TypeError):
        ctc(numpy.zeros((3, 2, 3), numpy.float32), t, 0)
    with pytest.raises(TypeError):
        ctc(xs, t, 0.0)
    with pytest.raises(ValueError):
        ctc(xs, t, 3)
    with pytest.raises(ValueError, match="only 'mean' and 'no'"):
        ctc(xs, t, 0, reduce='sum')
    with pytest.raises(ValueError):
        ctc(xs, numpy.array([[1], [3]], numpy.int32), 0)
    with pytest.raises(ValueError):
        ctc(xs, t, 0, input_length=numpy.array([4, 3], numpy.int32))
    with pytest.raises(type_check.InvalidType):
        ctc(xs, t.astype(numpy.float32), 0)
    with pytest.raises(type_check.InvalidType):
        ctc(xs, t[:1], 0)


def test_blank_symbol_out_of_range_is_also_an_assertion_error():
    xs = [numpy.zeros((2, 3), numpy.float32)] * 4
    t = numpy.ones((2, 2), numpy.int32)
    with pytest.raises(ValueError) as info:
        ctc(xs, t, 5)
    assert isinstance(info.value, AssertionError)


@pytest.mark.parametrize('debug', [False, True])
def test_too_long_lengths_are_also_assertion_errors(debug):
    # Chainer's debug mode asserted both lengths; without it Chainer read wrapped
    # indices, where we raise ValueError in both modes.
    xs = [numpy.zeros((2, 3), numpy.float32)] * 2
    t = numpy.ones((2, 2), numpy.int32)
    with chainer.using_config('debug', debug):
        for kw in ({'input_length': numpy.array([3, 2], numpy.int32)},
                   {'label_length': numpy.array([2, 3], numpy.int32)}):
            with pytest.raises(ValueError, match='_length must be in') as info:
                ctc(xs, t, 0, **kw)
            assert isinstance(info.value, AssertionError)


def _softmax(x):
    e = numpy.exp(x - x.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


@pytest.mark.parametrize('dtype, zero', [
    (numpy.float16, 1e4), (numpy.float32, 1e10), (numpy.float64, 1e10)])
def test_impossible_alignment_costs_a_finite_log_zero(dtype, zero):
    # two labels cannot be emitted in one step: the state that would end the
    # sequence is reached only through the stand-in for log(0), as in Chainer
    x = numpy.array([[0., 1., 2.], [1., 0., -1.]])
    t = numpy.array([[1, 2], [1, 1]], numpy.int32)
    y = ctc([x.astype(dtype)], t, 0, reduce='no')
    assert y.dtype == dtype
    expected = zero - numpy.log(3) - numpy.log1p(_softmax(x)[:, 0])
    numpy.testing.assert_allclose(y.array.astype(numpy.float64), expected,
                                  rtol=1e-3 if dtype == numpy.float16 else 1e-7)


def test_impossible_alignment_gradient():
    # softmax minus the occupancy of the states nearest to a full alignment
    # (values observed under Chainer 7.8.1)
    x = chainer.Variable(numpy.array([[0., 1., 2.], [1., 0., -1.]]))
    y = ctc([x], numpy.array([[1, 2], [1, 1]], numpy.int32), 0, reduce='no')
    chainer.functions.sum(y * numpy.array([1., 0.5])).backward()
    numpy.testing.assert_allclose(x.grad, [
        [-0.07515836498178063, 0.02021342663406542, 0.05494579031026992],
        [-0.03290887600635789, -0.01210649891479917, 0.04501528658519022]], rtol=1e-12)
    assert numpy.isfinite(x.grad).all()


def test_labels_beyond_label_length_are_padding():
    rng = numpy.random.RandomState(2)
    xs = [rng.uniform(-1, 1, (2, 3)) for _ in range(3)]
    lab_len = numpy.array([1, 0], numpy.int32)
    padded = ctc(xs, numpy.array([[1, -1], [-1, 7]], numpy.int32), 0,
                 label_length=lab_len, reduce='no')
    plain = ctc(xs, numpy.array([[1, 0], [0, 0]], numpy.int32), 0,
                label_length=lab_len, reduce='no')
    numpy.testing.assert_array_equal(padded.array, plain.array)
    numpy.testing.assert_allclose(plain.array, _brute_loss(xs, numpy.array([[1, 0], [0, 0]]),
                                                           [3, 3], lab_len, 0))


def test_empty_label_sequences():
    rng = numpy.random.RandomState(3)
    xs = [rng.uniform(-1, 1, (2, 3)) for _ in range(3)]
    y = ctc(xs, numpy.zeros((2, 0), numpy.int32), 1, reduce='no')
    expected = -sum(numpy.log(_softmax(x)[:, 1]) for x in xs)
    numpy.testing.assert_allclose(y.array, expected)


def test_integer_arguments_are_int32():
    xs = [numpy.zeros((1, 3), numpy.float32)] * 2
    t = numpy.array([[1]], numpy.int32)
    with pytest.raises(type_check.InvalidType):
        ctc(xs, t.astype(numpy.int64), 0)
    with pytest.raises(type_check.InvalidType):
        ctc(xs, t, 0, input_length=numpy.array([2], numpy.int64))
    with pytest.raises(type_check.InvalidType):
        ctc(xs, t, 0, label_length=numpy.array([1], numpy.int64))


def test_batch_mismatch_message_as_in_chainer():
    # Chainer 7.8.1 compared each batch size with x's (the steps' rows)
    xs = [numpy.zeros((2, 4), numpy.float32)] * 5
    with pytest.raises(type_check.InvalidType) as e:
        ctc(xs, numpy.ones((3, 2), numpy.int32), 0)
    assert str(e.value).endswith('Expect: t.shape[0] == x.shape[1]\nActual: 3 != 2')


def test_steps_of_another_ndim_are_also_an_assertion_error():
    # Chainer 7.8.1 asserted on a 3-d step; ours was a ValueError only
    xs = [numpy.zeros((2, 4, 1), numpy.float32)] * 3
    with pytest.raises(ValueError, match='2-dimensional') as e:
        ctc(xs, numpy.ones((2, 1), numpy.int32), 0)
    assert isinstance(e.value, AssertionError)


def test_no_steps_is_an_index_error_too():
    with pytest.raises(ValueError) as info:
        ctc([], numpy.array([[1]], numpy.int32), 0)
    assert isinstance(info.value, IndexError)


def test_zero_probability_counts_as_the_log_zero():
    # a -inf score (or one below the log-zero) is a probability of zero: the
    # label costs the finite log-zero, with Chainer's gradient (values observed
    # under Chainer 7.8.1)
    xs = [chainer.Variable(numpy.array([[0., 1., -numpy.inf]])) for _ in range(2)]
    y = ctc(xs, numpy.array([[2]], numpy.int32), 0, reduce='no')
    assert abs(y.array[0] - 1e10) < 1
    y.grad = numpy.ones(1)
    y.backward()
    numpy.testing.assert_allclose(
        xs[0].grad, [[-0.5143104473514288, 0.7310585786300049, -0.21674832262633212]],
        rtol=1e-9)
    numpy.testing.assert_allclose(
        xs[1].grad, [[-0.5143101137987369, 0.7310585786300049, -0.21674832262633212]],
        rtol=1e-9)
    x32 = [numpy.array([[0., 1., 3e38]], numpy.float32), numpy.array([[0., 1., 2.]], numpy.float32)]
    y = ctc(x32, numpy.array([[1]], numpy.int32), 0)
    numpy.testing.assert_allclose(y.array, 1e10, rtol=1e-6)


@pytest.mark.gpu
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_cupy_branch_types_as_under_cupy_13(cupy_stand_in, monkeypatch, dtype):
    # CuPy 13 types scalars by value (NumPy 1's rule): the stand-in raises where
    # a ufunc call of the CuPy branch would come out otherwise than on CuPy 14.
    monkeypatch.setattr(cupy_stand_in, '_CUPY13_TYPING', True)
    numpy.random.seed(0)
    xs = [chainer.Variable(cupy_stand_in.asarray(
        numpy.random.uniform(-1, 1, (_B, _V)).astype(dtype))) for _ in range(_T)]
    t = cupy_stand_in.asarray(numpy.array([[1, 2], [1, 1], [2, 1]], numpy.int32))
    in_len = cupy_stand_in.asarray(numpy.array([4, 3, 2], numpy.int32))
    lab_len = cupy_stand_in.asarray(numpy.array([2, 2, 1], numpy.int32))
    loss = ctc(xs, t, _BLANK, in_len, lab_len)
    loss.backward()
    assert loss.dtype == dtype and all(x.grad.dtype == dtype for x in xs)


def test_node_takes_the_stacked_steps():
    # As in Chainer, the steps reach the node stacked by a Stack node: inputs
    # (input_length, label_length, t, x) with x of shape (time, batch, unit), all kept.
    from chainer.functions.loss.ctc import ConnectionistTemporalClassification
    rs = numpy.random.RandomState(0)
    xs = [chainer.Variable(rs.uniform(-1, 1, (_B, _V)).astype(numpy.float32)) for _ in range(_T)]
    t = numpy.array([[1, 2], [1, 1], [2, 1]], numpy.int32)
    y = ctc(xs, t, _BLANK)
    node = y.creator
    assert [tuple(v.shape) for v in node.inputs] == [(_B,), (_B,), (_B, 2), (_T, _B, _V)]
    assert type(node.inputs[3].creator).__name__ == 'Stack'
    assert all(v.data is not None for v in node.inputs)
    y.backward()
    x3 = chainer.Variable(numpy.stack([x.array for x in xs]))
    y3 = ConnectionistTemporalClassification(_BLANK).apply(
        (numpy.full(_B, _T, numpy.int32), numpy.full(_B, 2, numpy.int32), t, x3))[0]
    numpy.testing.assert_array_equal(y3.array, y.array)
    y3.backward()
    numpy.testing.assert_array_equal(x3.grad, numpy.stack([x.grad for x in xs]))
