import numpy
import pytest

import chainer
import chainer.functions as F
import chainer.links as L


class _Predictor(chainer.Chain):

    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l = L.Linear(3, 4)

    def forward(self, x, scale=1.0):
        return self.l(x) * scale


def _data():
    x = numpy.random.randn(5, 3).astype('f')
    t = numpy.random.randint(0, 4, 5).astype('i')
    return x, t


class TestClassifier:

    def test_defaults(self):
        predictor = L.Linear(3, 4)
        link = L.Classifier(predictor)
        assert link.predictor is predictor
        assert link.lossfun is F.softmax_cross_entropy
        assert link.accfun is F.accuracy
        assert link.label_key == -1
        assert link.compute_accuracy is True
        assert link.y is None and link.loss is None and link.accuracy is None
        assert [n for n, _ in link.namedparams()] == ['/predictor/W', '/predictor/b']

    def test_forward_and_report(self):
        link = L.Classifier(L.Linear(3, 4))
        x, t = _data()
        reporter = chainer.Reporter()
        reporter.add_observer('main', link)
        observation = {}
        with reporter.scope(observation):
            loss = link(x, t)
        y = link.predictor.W.array
        expected_y = x.dot(y.T) + link.predictor.b.array
        numpy.testing.assert_allclose(link.y.array, expected_y, rtol=1e-5, atol=1e-6)
        numpy.testing.assert_allclose(
            loss.array, F.softmax_cross_entropy(expected_y, t).array, rtol=1e-5)
        assert loss is link.loss
        numpy.testing.assert_allclose(
            link.accuracy.array, (expected_y.argmax(1) == t).mean(), rtol=1e-6)
        assert set(observation) == {'main/loss', 'main/accuracy'}
        numpy.testing.assert_array_equal(observation['main/loss'].array, loss.array)

    def test_no_accuracy(self):
        link = L.Classifier(L.Linear(3, 4))
        link.compute_accuracy = False
        reporter = chainer.Reporter()
        reporter.add_observer('main', link)
        observation = {}
        with reporter.scope(observation):
            link(*_data())
        assert link.accuracy is None
        assert set(observation) == {'main/loss'}

    def test_custom_functions(self):
        calls = []

        def lossfun(y, t):
            calls.append('loss')
            return F.sum(y)

        def accfun(y, t):
            calls.append('acc')
            return F.sum(y) * 0

        link = L.Classifier(L.Linear(3, 4), lossfun=lossfun, accfun=accfun)
        link(*_data())
        assert calls == ['loss', 'acc']

    def test_label_key_int(self):
        link = L.Classifier(_Predictor(), label_key=0)
        x, t = _data()
        loss = link(t, x, 2.0)
        expected = F.softmax_cross_entropy(link.predictor.l(x) * 2.0, t)
        numpy.testing.assert_allclose(loss.array, expected.array, rtol=1e-5)

    def test_label_key_negative(self):
        link = L.Classifier(_Predictor(), label_key=-2)
        x, t = _data()
        loss = link(x, t, 2.0)
        expected = F.softmax_cross_entropy(link.predictor.l(x) * 2.0, t)
        numpy.testing.assert_allclose(loss.array, expected.array, rtol=1e-5)

    def test_label_key_str(self):
        link = L.Classifier(_Predictor(), label_key='t')
        x, t = _data()
        loss = link(x, scale=0.5, t=t)
        expected = F.softmax_cross_entropy(link.predictor.l(x) * 0.5, t)
        numpy.testing.assert_allclose(loss.array, expected.array, rtol=1e-5)

    def test_bad_label_key_type(self):
        with pytest.raises(TypeError):
            L.Classifier(L.Linear(3, 4), label_key=1.5)

    def test_label_key_out_of_bounds(self):
        link = L.Classifier(L.Linear(3, 4), label_key=2)
        with pytest.raises(ValueError):
            link(*_data())

    def test_label_key_not_found(self):
        link = L.Classifier(L.Linear(3, 4), label_key='t')
        with pytest.raises(ValueError):
            link(*_data())

    def test_backward(self):
        link = L.Classifier(L.Linear(3, 4))
        link.cleargrads()
        link(*_data()).backward()
        assert link.predictor.W.grad is not None
        assert numpy.isfinite(link.predictor.W.grad).all()
