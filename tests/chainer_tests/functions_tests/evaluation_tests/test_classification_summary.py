import numpy
import pytest

import chainer
import chainer.functions as F
from chainer.utils import type_check


def _reference(x, t, label_num, beta, ignore_label):
    pred = x.argmax(axis=1).ravel()
    t = t.ravel()
    keep = t != ignore_label
    pred, t = pred[keep], t[keep]
    p, r, f, s = [], [], [], []
    with numpy.errstate(divide='ignore', invalid='ignore'):
        for c in range(label_num):
            tp = numpy.sum((pred == c) & (t == c))
            p.append(tp / numpy.float64(numpy.sum(pred == c)))
            r.append(tp / numpy.float64(numpy.sum(t == c)))
            b2 = beta ** 2
            f.append((1 + b2) * p[-1] * r[-1] / (b2 * p[-1] + r[-1]))
            s.append(numpy.sum(t == c))
    return numpy.array(p), numpy.array(r), numpy.array(f), numpy.array(s)


@pytest.mark.parametrize('x_shape, t_shape', [((30, 3), (30,)), ((10, 3, 4), (10, 4))])
@pytest.mark.parametrize('label_num', [None, 4])
@pytest.mark.parametrize('beta', [1.0, 2.0])
def test_classification_summary(x_shape, t_shape, label_num, beta):
    rng = numpy.random.RandomState(0)
    x = rng.uniform(-1, 1, x_shape).astype(numpy.float32)
    t = rng.randint(-1, 3, t_shape).astype(numpy.int32)
    n = label_num if label_num is not None else int(t.max()) + 1
    outs = F.classification_summary(x, t, label_num=label_num, beta=beta)
    assert len(outs) == 4 and all(isinstance(o, chainer.Variable) for o in outs)
    for actual, expected in zip(outs, _reference(x, t, n, beta, -1)):
        assert actual.shape == (n,)
        numpy.testing.assert_allclose(actual.array, expected, rtol=1e-6)


def test_precision_recall_f1_pairs():
    x = numpy.array([[0.9, 0.1], [0.2, 0.8], [0.7, 0.3], [0.4, 0.6]], numpy.float32)
    t = numpy.array([0, 1, 1, 1], numpy.int32)
    p, s = F.precision(x, t)
    numpy.testing.assert_allclose(p.array, [0.5, 1.0])
    numpy.testing.assert_array_equal(s.array, [1, 3])
    r, _ = F.recall(x, t)
    numpy.testing.assert_allclose(r.array, [1.0, 2 / 3])
    f, _ = F.f1_score(x, t)
    numpy.testing.assert_allclose(f.array, [2 / 3, 0.8])


def test_ignore_label_and_bad_inputs():
    x = numpy.array([[0.9, 0.1], [0.2, 0.8]], numpy.float32)
    t = numpy.array([0, 5], numpy.int32)
    _, s = F.precision(x, t, label_num=2, ignore_label=5)
    numpy.testing.assert_array_equal(s.array, [1, 0])
    with pytest.raises(type_check.InvalidType):
        F.classification_summary(x, t.astype(numpy.float32))
    with pytest.raises(type_check.InvalidType):
        F.classification_summary(x, numpy.zeros(3, numpy.int32))


def test_debug_mode_checks_labels_against_label_num():
    x = numpy.eye(3, dtype=numpy.float32)[:2]
    t = numpy.array([0, 5], numpy.int32)
    F.classification_summary(x, t, label_num=3)  # unchecked outside debug mode
    with chainer.using_config('debug', True):
        # Chainer's check was an assert: the error is also an AssertionError.
        for error in (ValueError, AssertionError):
            with pytest.raises(error, match='label_num=3'):
                F.classification_summary(x, t, label_num=3)


def test_node_keeps_its_inputs():
    # Chainer's ClassificationSummary was an old-style Function, whose node kept every
    # input; graph readers (WebDNN's converter) read array inputs from the node.
    y = numpy.eye(3, dtype=numpy.float32)
    t = numpy.array([0, 1, 1], numpy.int32)
    node = F.classification_summary(y, t)[0].creator
    assert [n.data is not None for n in node.inputs] == [True, True]
    numpy.testing.assert_array_equal(node.inputs[1].data, t)
