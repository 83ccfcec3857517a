"""Export small networks to Caffe and read them back with CaffeFunction."""
import os

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
    net = caffe._retrieve(model, [x], True).net
    assert (tmp_path / 'chainer_model.prototxt').read_text().startswith('name: "small"')
    func = CaffeFunction(str(tmp_path / 'chainer_model.caffemodel'))
    with chainer.using_config('train', False):
        expected = model(x).array
        out_blob = net.layer[-1].top[0]
        y, = func(inputs={'data': x}, outputs=[out_blob])
    numpy.testing.assert_allclose(y.array, expected, rtol=1e-4, atol=1e-5)
    assert isinstance(func[net.layer[0].name], L.Convolution2D)


def test_local_response_normalization_round_trip(tmp_path):
    def model(x):
        return F.local_response_normalization(F.relu(x), n=3, k=1.5, alpha=0.2, beta=0.6)

    x = numpy.random.RandomState(2).randn(2, 5, 3, 3).astype(numpy.float32)
    caffe.export(model, [x], str(tmp_path))
    net = caffe._retrieve(model, [x], True).net
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
    net = caffe._retrieve(model, numpy.zeros((1, 3), numpy.float32), False).net
    assert [layer.type for layer in net.layer] == ['InnerProduct']
    assert len(net.layer[0].blobs) == 0


def test_unsupported_function_is_a_clear_error():
    with pytest.raises(NotImplementedError, match='cannot be exported'):
        caffe.export(lambda x: F.exp(x), numpy.zeros((1, 3), numpy.float32))


def test_pooling_that_caffe_would_size_differently():
    x = numpy.zeros((1, 1, 5, 5), numpy.float32)
    with pytest.raises(NotImplementedError, match='Caffe'):
        caffe.export(lambda x: F.average_pooling_2d(x, 2), x)
    net = caffe._retrieve(lambda x: F.max_pooling_2d(x, 2), x, True).net  # rounds up
    assert net.layer[0].pooling_param.kernel_h == 2


class _Tiny(chainer.Chain):

    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.conv = L.Convolution2D(2, 3, 3, stride=1, pad=1, nobias=True)
            self.bn = L.BatchNormalization(3)
            self.fc = L.Linear(12, 4)


_TINY_PROTOTXT = """name: "tiny"
layer {
  name: "data"
  type: "Input"
  top: "data"
  input_param { shape: { dim: 1 dim: 2 dim: 4 dim: 4 } }
}
"""


def _layer_text(typ, name, bottoms, params=''):
    text = f'layer {{\n  type: "{typ}"\n  name: "{name}"\n'
    text += ''.join(f'  bottom: "{b}"\n' for b in bottoms)
    return text + f'  top: "{name}"\n{params}}}\n'


def test_prototxt_is_written_as_chainer_wrote_it(tmp_path):
    # Layers are named <label>-<rank>-<n>, listed with their parameters in a
    # fixed order, numbers as Python prints them (alpha is 1e-4 * 3); a reshape
    # of a reshape reads the first one's input.
    def model(x):
        h = F.relu(tiny.bn(tiny.conv(x)))
        h = F.local_response_normalization(F.max_pooling_2d(h, 2, 2), n=3)
        h = F.reshape(F.reshape(F.leaky_relu(h, 0.2), (1, 3, -1)), (1, -1))
        h = tiny.fc(h)
        return F.softmax(F.concat([h, h], axis=1) + F.concat([h, h], axis=1))

    tiny = _Tiny()
    x = chainer.Variable(numpy.ones((1, 2, 4, 4), numpy.float32))
    caffe.export(model, [x], str(tmp_path), True, 'tiny')
    conv = 'Convolution2DFunction-0-1'
    bn = 'FixedBatchNormalization-1-1'
    pool, lrn, leaky = 'MaxPoolingND-3-1', 'LocalResponseNormalization-4-1', 'LeakyReLU-5-1'
    expected = _TINY_PROTOTXT + ''.join([
        _layer_text('Convolution', conv, ['data'],
                    '  convolution_param {\n    num_output: 3\n    bias_term: false\n'
                    '    pad_w: 1\n    pad_h: 1\n    stride_w: 1\n    stride_h: 1\n'
                    '    kernel_w: 3\n    kernel_h: 3\n    group: 1\n  }\n'),
        _layer_text('BatchNorm', bn + '_bn', [conv],
                    '  batch_norm_param {\n    use_global_stats: true\n    eps: 2e-05\n  }\n'),
        _layer_text('Scale', bn, [bn + '_bn'],
                    '  scale_param {\n    axis: 1\n    bias_term: true\n  }\n'),
        _layer_text('ReLU', 'ReLU-2-1', [bn]),
        _layer_text('Pooling', pool, ['ReLU-2-1'],
                    '  pooling_param {\n    pool: 0\n    pad_w: 0\n    pad_h: 0\n'
                    '    stride_w: 2\n    stride_h: 2\n    kernel_w: 2\n    kernel_h: 2\n  }\n'),
        _layer_text('LRN', lrn, [pool],
                    '  lrn_param {\n    norm_region: 0\n    local_size: 3\n    k: 2\n'
                    '    alpha: 0.00030000000000000003\n    beta: 0.75\n  }\n'),
        _layer_text('ReLU', leaky, [lrn], '  relu_param {\n    negative_slope: 0.2\n  }\n'),
        _layer_text('Reshape', 'Reshape-6-1', [leaky],
                    '  reshape_param {\n    shape {\n      dim: 1\n      dim: 3\n'
                    '      dim: -1\n    }\n  }\n'),
        _layer_text('Reshape', 'Reshape-7-1', [leaky],
                    '  reshape_param {\n    shape {\n      dim: 1\n      dim: -1\n'
                    '    }\n  }\n'),
        _layer_text('InnerProduct', 'LinearFunction-8-1', ['Reshape-7-1'],
                    '  inner_product_param {\n    num_output: 4\n    bias_term: true\n  }\n'),
        _layer_text('Concat', 'Concat-9-1', ['LinearFunction-8-1', 'LinearFunction-8-1'],
                    '  concat_param {\n    axis: 1\n  }\n'),
        _layer_text('Concat', 'Concat-9-2', ['LinearFunction-8-1', 'LinearFunction-8-1'],
                    '  concat_param {\n    axis: 1\n  }\n'),
        _layer_text('Eltwise', '_ + _-10-1', ['Concat-9-1', 'Concat-9-2']),
        _layer_text('Softmax', 'Softmax-11-1', ['_ + _-10-1']),
    ])
    assert (tmp_path / 'chainer_model.prototxt').read_text() == expected
    # The caffemodel has the layers (in test phase) and no name or inputs.
    from chainer.links.caffe.protobuf3 import caffe_pb2
    net = caffe_pb2.NetParameter()
    net.MergeFromString((tmp_path / 'chainer_model.caffemodel').read_bytes())
    assert net.name == '' and list(net.input) == []
    assert {layer.phase for layer in net.layer} == {caffe_pb2.TEST}
    assert [list(b.shape.dim) for b in net.layer[1].blobs] == [[3], [3], [1]]


@pytest.mark.parametrize('blocked', ['chainer_model.prototxt', 'chainer_model.caffemodel'])
def test_failed_export_writes_neither_file(tmp_path, blocked):
    # A directory in the place of either file: IsADirectoryError naming it, and the
    # other file is not written either (nor any temporary left).
    os.makedirs(str(tmp_path / blocked))
    with pytest.raises(IsADirectoryError, match=blocked):
        caffe.export(L.Linear(3, 2), [numpy.zeros((1, 3), numpy.float32)], str(tmp_path))
    assert os.listdir(str(tmp_path)) == [blocked]


class _Branches(chainer.Chain):
    """Three branches from the input: two convolution paths and a pooling one."""

    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.left = L.Convolution2D(3, 4, 1)
            self.right = L.Convolution2D(3, 4, 1)
            self.after = L.Convolution2D(4, 4, 1)
            self.fc = L.Linear(None, 2)

    def forward(self, x):
        a = F.relu(self.left(x))
        b = self.after(F.relu(self.right(x)))
        c = F.relu(F.max_pooling_2d(x, 1))
        return self.fc(F.concat([a + b, F.sigmoid(b), c]))


def test_layers_are_ordered_and_numbered_as_chainer_did(tmp_path):
    # Chainer 7.8.1 wrote the pooling branch first (so its ReLU is ReLU-1-1),
    # then the two convolution paths; names number same-label, same-rank
    # layers in that order.
    x = chainer.Variable(numpy.zeros((1, 3, 4, 4), numpy.float32))
    caffe.export(_Branches(), [x], str(tmp_path))
    text = (tmp_path / 'chainer_model.prototxt').read_text()
    names = [line.split('"')[1] for line in text.splitlines()
             if line.strip().startswith('name:')]
    assert names == [
        'Graph', 'data', 'MaxPoolingND-0-1', 'ReLU-1-1',
        'Convolution2DFunction-0-1', 'ReLU-1-2',
        'Convolution2DFunction-0-2', 'ReLU-1-3', 'Convolution2DFunction-2-1',
        '_ + _-3-1', 'Sigmoid-3-1', 'Concat-4-1', 'Reshape-5-1',
        'LinearFunction-6-1']
