import numpy
import pytest

import chainer.functions as F
from chainer.utils import type_check


def _reference(pred, true):
    ss_res = ((pred - true) ** 2).sum(axis=0)
    ss_tot = ((true - true.mean(axis=0)) ** 2).sum(axis=0)
    return numpy.where(ss_tot == 0, 0.0, 1 - ss_res / numpy.where(ss_tot == 0, 1, ss_tot))


@pytest.mark.parametrize('shape', [(10,), (10, 3), (5, 2, 2)])
@pytest.mark.parametrize('multioutput', ['uniform_average', 'raw_values'])
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_r2_score(shape, multioutput, dtype):
    rng = numpy.random.RandomState(0)
    true = rng.uniform(-1, 1, shape).astype(dtype)
    pred = (true + rng.uniform(-0.3, 0.3, shape)).astype(dtype)
    y = F.r2_score(pred, true, multioutput=multioutput)
    expected = _reference(pred.astype(numpy.float64), true.astype(numpy.float64))
    if multioutput == 'uniform_average':
        expected = expected.mean()
    assert y.dtype == dtype and y.shape == numpy.shape(expected)
    assert isinstance(y.array, numpy.ndarray)
    tol = 1e-2 if dtype == numpy.float16 else 1e-5
    numpy.testing.assert_allclose(y.array, expected, rtol=tol, atol=tol)


def test_constant_true_column_scores_zero():
    true = numpy.array([[1.0, 0.0], [1.0, 1.0]], numpy.float32)
    y = F.r2_score(true * 0.5, true, multioutput='raw_values')
    assert float(y.array[0]) == 0.0


def test_bad_arguments():
    a = numpy.zeros((3, 2), numpy.float32)
    with pytest.raises(NotImplementedError):
        F.r2_score(a, a, sample_weight=numpy.ones(3, numpy.float32))
    with pytest.raises(ValueError):
        F.r2_score(a, a, multioutput='variance_weighted')
    with pytest.raises(type_check.InvalidType):
        F.r2_score(a, numpy.zeros((3, 1), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.r2_score(a, a.astype(numpy.int32))
    with pytest.raises(type_check.InvalidType):
        F.r2_score(a.astype(numpy.int32), a.astype(numpy.int32))


@pytest.mark.parametrize('pdt, tdt', [(numpy.float32, numpy.float64),
                                      (numpy.float64, numpy.float16)])
def test_mixed_float_dtypes_score_in_pred_dtype(pdt, tdt):
    # Chainer accepted any float ``true``, e.g. float64 targets of a float32 model.
    rng = numpy.random.RandomState(3)
    true = rng.uniform(-1, 1, (6, 2))
    pred = true + rng.uniform(-0.2, 0.2, (6, 2))
    y = F.r2_score(pred.astype(pdt), true.astype(tdt))
    assert y.dtype == pdt
    p, t = pred.astype(pdt).astype(numpy.float64), true.astype(tdt).astype(numpy.float64)
    expected = (1 - ((p - t) ** 2).sum(0) / ((t - t.mean(0)) ** 2).sum(0)).mean()
    numpy.testing.assert_allclose(y.array, expected, rtol=1e-3)


def test_node_keeps_its_inputs():
    # Chainer's R2_score was an old-style Function, whose node kept every input; a
    # graph reader (WebDNN's converter) reads the data of array inputs from the node.
    pred, true = numpy.ones((3, 2), numpy.float32), numpy.zeros((3, 2), numpy.float32)
    node = F.r2_score(pred, true).creator
    assert [n.data is not None for n in node.inputs] == [True, True]
    numpy.testing.assert_array_equal(node.inputs[1].data, true)
