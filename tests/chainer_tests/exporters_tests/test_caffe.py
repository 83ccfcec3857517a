"""Export small networks to Caffe and read them back with CaffeFunction."""
import numpy
import pytest

import chainer
import chainer.functions as F
import chainer.links as L

pytest.importorskip('google.protobuf')

from chainer.exporters import caffe  # NOQA: E402
from chainer.links.caffe import CaffeFunction  # NOQA: E402


class _ConvNet(chainer.Chain):

    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.conv1 = L.Convolution2D(3, 4, 3, pad=1)
            self.bn1 = L.BatchNormalization(4)
            self.conv2 = L.Convolution2D(4, 6, 3, stride=2, groups=2, nobias=True)
            self.deconv = L.Deconvolution2D(6, 2, 2, stride=2)
            self.fc = L.Linear(None, 5)

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = F.max_pooling_2d(h, 2)
        h = F.leaky_relu(self.conv2(h), 0.1)
        d = self.deconv(h)
        h = F.concat([d, F.sigmoid(d) + F.tanh(d)], axis=1)
        h = F.average_pooling_2d(h, 2)
        return F.softmax(self.fc(h))


def _randomize(model):
    rng = numpy.random.RandomState(0)
    for p in model.params():
        p.array[...] = rng.uniform(-1, 1, p.shape)
    model.bn1.avg_mean[...] = rng.randn(4)
    model.bn1.avg_var[...] = rng.rand(4) + 0.5


def test_round_trip(tmp_path):
    model = _ConvNet()
    x = numpy.random.RandomState(1).randn(2, 3, 9, 9).astype(numpy.float32)
    model(x)            # sizes the lazy Linear
    _randomize(model)
    assert caffe.export(model, [x], str(tmp_path), graph_name='small') is None  # as Chainer
    net = caffe._to_net(model, [x], True, 'small')
    assert net.name == 'small'
    assert (tmp_path / 'chainer_model.prototxt').read_text().startswith('name: "small"')
    func = CaffeFunction(str(tmp_path / 'chainer_model.caffemodel'))
    with chainer.using_config('train', False):
        expected = model(x).array
        out_blob = net.layer[-1].top[0]
        y, = func(inputs={'data': x}, outputs=[out_blob])
    numpy.testing.assert_allclose(y.array, expected, rtol=1e-4, atol=1e-5)
    assert isinstance(func[net.layer[0].name.replace('/', '_')], L.Convolution2D)


def test_local_response_normalization_round_trip(tmp_path):
    def model(x):
        return F.local_response_normalization(F.relu(x), n=3, k=1.5, alpha=0.2, beta=0.6)

    x = numpy.random.RandomState(2).randn(2, 5, 3, 3).astype(numpy.float32)
    caffe.export(model, [x], str(tmp_path))
    net = caffe._to_net(model, [x], True, 'Graph')
    p = net.layer[-1].lrn_param
    assert net.layer[-1].type == 'LRN' and p.local_size == 3
    # Caffe divides alpha by the window size.
    assert p.alpha == pytest.approx(0.6) and p.k == pytest.approx(1.5)
    func = CaffeFunction(str(tmp_path / 'chainer_model.caffemodel'))
    y, = func(inputs={'data': x}, outputs=[net.layer[-1].top[0]])
    numpy.testing.assert_allclose(y.array, model(x).array, rtol=1e-5)


def test_export_without_directory_writes_nothing(tmp_path, monkeypatch):
    model = L.Linear(3, 2)
    monkeypatch.chdir(tmp_path)
    assert caffe.export(model, numpy.zeros((1, 3), numpy.float32)) is None
    assert list(tmp_path.iterdir()) == []
    net = caffe._to_net(model, numpy.zeros((1, 3), numpy.float32), False, 'Graph')
    assert [layer.type for layer in net.layer] == ['InnerProduct']
    assert len(net.layer[0].blobs) == 0


def test_unsupported_function_is_a_clear_error():
    with pytest.raises(NotImplementedError, match='cannot be exported'):
        caffe.export(lambda x: F.exp(x), numpy.zeros((1, 3), numpy.float32))


def test_pooling_that_caffe_would_size_differently():
    x = numpy.zeros((1, 1, 5, 5), numpy.float32)
    with pytest.raises(NotImplementedError, match='Caffe'):
        caffe.export(lambda x: F.average_pooling_2d(x, 2), x)
    net = caffe._to_net(lambda x: F.max_pooling_2d(x, 2), x, True, 'Graph')  # rounds up
    assert net.layer[0].pooling_param.kernel_h == 2
