"""CaffeFunction on small networks written here (and by the Caffe exporter)."""
import numpy
import pytest

import chainer
import chainer.functions as F
import chainer.links as L

pytest.importorskip('google.protobuf')

from chainer.links.caffe import CaffeFunction  # NOQA: E402
from chainer.links.caffe.protobuf3 import caffe_pb2  # NOQA: E402


def _blob(layer, array):
    blob = layer.blobs.add()
    blob.shape.dim.extend(array.shape)
    blob.data.extend(numpy.asarray(array, numpy.float32).ravel().tolist())


def _write(tmp_path, net):
    path = tmp_path / 'net.caffemodel'
    path.write_bytes(net.SerializeToString())
    return str(path)


def test_hand_written_network(tmp_path):
    rng = numpy.random.RandomState(0)
    net = caffe_pb2.NetParameter(name='small')
    ip = net.layer.add(name='fc/1', type='InnerProduct', bottom=['data'], top=['fc1'])
    ip.inner_product_param.num_output = 4
    W1, b1 = rng.randn(4, 6), rng.randn(4)
    _blob(ip, W1)
    _blob(ip, b1)
    net.layer.add(name='relu', type='ReLU', bottom=['fc1'], top=['fc1'])
    split = net.layer.add(name='split', type='Split', bottom=['fc1'], top=['a', 'b'])
    assert split
    net.layer.add(name='sig', type='Sigmoid', bottom=['a'], top=['s'])
    net.layer.add(name='tanh', type='TanH', bottom=['b'], top=['t'])
    el = net.layer.add(name='sum', type='Eltwise', bottom=['s', 't'], top=['e'])
    el.eltwise_param.coeff.extend([2.0, -1.0])
    cat = net.layer.add(name='cat', type='Concat', bottom=['e', 's'], top=['c'])
    cat.concat_param.axis = 1
    sm = net.layer.add(name='prob', type='Softmax', bottom=['c'], top=['prob'])
    assert sm
    net.layer.add(name='unknown', type='Python', bottom=['prob'], top=['z'])
    with pytest.warns(UserWarning, match='Skip the layer "unknown"'):
        func = CaffeFunction(_write(tmp_path, net))
    # As in Chainer, a child is named after its layer, '/' included.
    assert isinstance(func['fc/1'], L.Linear)
    assert sorted(name for name, _ in func.namedparams()) == ['/fc/1/W', '/fc/1/b']
    x = rng.randn(3, 6).astype(numpy.float32)
    prob, = func(inputs={'data': x}, outputs=['prob'])
    h = numpy.maximum(x @ W1.T + b1, 0)
    s = 1 / (1 + numpy.exp(-h))
    c = numpy.concatenate([2 * s - numpy.tanh(h), s], axis=1)
    e = numpy.exp(c - c.max(axis=1, keepdims=True))
    numpy.testing.assert_allclose(prob.array, e / e.sum(axis=1, keepdims=True),
                                  rtol=1e-5, atol=1e-6)
    # disable: skipping a layer leaves its outputs undefined.
    with pytest.raises(KeyError):
        func(inputs={'data': x}, outputs=['prob'], disable=['cat'])


def test_lrn_batchnorm_scale_slice_reshape(tmp_path):
    rng = numpy.random.RandomState(1)
    net = caffe_pb2.NetParameter()
    lrn = net.layer.add(name='lrn', type='LRN', bottom=['data'], top=['n'])
    lrn.lrn_param.local_size = 3
    lrn.lrn_param.alpha = 0.3
    bn = net.layer.add(name='bn', type='BatchNorm', bottom=['n'], top=['bn'])
    mean, var = rng.randn(4), rng.rand(4) + 0.5
    _blob(bn, mean * 2)
    _blob(bn, var * 2)
    _blob(bn, numpy.array([2.0]))
    sc = net.layer.add(name='scale', type='Scale', bottom=['bn'], top=['sc'])
    sc.scale_param.bias_term = True
    gamma, beta = rng.rand(4), rng.randn(4)
    _blob(sc, gamma)
    _blob(sc, beta)
    sl = net.layer.add(name='slice', type='Slice', bottom=['sc'], top=['p', 'q'])
    sl.slice_param.slice_point.append(1)
    rs = net.layer.add(name='flat', type='Reshape', bottom=['q'], top=['r'])
    rs.reshape_param.shape.dim.extend([0, -1])
    func = CaffeFunction(_write(tmp_path, net))
    x = rng.randn(2, 4, 3, 3).astype(numpy.float32)
    with chainer.using_config('train', False):
        p, r = func(inputs={'data': x}, outputs=['p', 'r'])
    n = F.local_response_normalization(x, 3, 1, 0.1, 0.75).array
    shape = (1, 4, 1, 1)
    y = (n - mean.reshape(shape)) / numpy.sqrt(var.reshape(shape) + 1e-5)
    y = y * gamma.reshape(shape) + beta.reshape(shape)
    numpy.testing.assert_allclose(p.array, y[:, :1], rtol=1e-4, atol=1e-5)
    numpy.testing.assert_allclose(r.array, y[:, 1:].reshape(2, -1), rtol=1e-4, atol=1e-5)


def test_corrupt_file_raises(tmp_path):
    path = tmp_path / 'broken.caffemodel'
    path.write_bytes(b'\xff\xff\xff')
    with pytest.raises(Exception):
        CaffeFunction(str(path))


def test_convolution_pooling_eltwise_loss(tmp_path):
    rng = numpy.random.RandomState(2)
    net = caffe_pb2.NetParameter()
    conv = net.layer.add(name='conv', type='Convolution', bottom=['data'], top=['c'])
    p = conv.convolution_param
    p.num_output = 4
    p.kernel_size.append(3)
    p.pad.append(1)
    p.group = 2
    W, b = rng.randn(4, 1, 3, 3), rng.randn(4)
    _blob(conv, W)
    _blob(conv, b)
    net.layer.add(name='drop', type='Dropout', bottom=['c'], top=['c'])
    mx = net.layer.add(name='max', type='Eltwise', bottom=['c', 'c'], top=['m'])
    mx.eltwise_param.operation = caffe_pb2.EltwiseParameter.MAX
    pr = net.layer.add(name='prod', type='Eltwise', bottom=['m', 'c'], top=['p'])
    pr.eltwise_param.operation = caffe_pb2.EltwiseParameter.PROD
    gp = net.layer.add(name='gap', type='Pooling', bottom=['p'], top=['g'])
    gp.pooling_param.pool = caffe_pb2.PoolingParameter.AVE
    gp.pooling_param.global_pooling = True
    mp = net.layer.add(name='mp', type='Pooling', bottom=['p'], top=['mp'])
    mp.pooling_param.kernel_size = 2
    mp.pooling_param.stride = 2
    flat = net.layer.add(name='flat', type='Reshape', bottom=['g'], top=['f'])
    flat.reshape_param.shape.dim.extend([0, -1])
    net.layer.add(name='loss', type='SoftmaxWithLoss', bottom=['f', 'label'], top=['loss'])
    func = CaffeFunction(_write(tmp_path, net))
    # As in Chainer, the two groups become one convolution whose weight is
    # zero outside the diagonal blocks (so its .npz files load both ways).
    full = func['conv'].W.array
    assert full.shape == (4, 2, 3, 3)
    numpy.testing.assert_array_equal(full[:2, :1], W[:2].astype(numpy.float32))
    numpy.testing.assert_array_equal(full[2:, 1:], W[2:].astype(numpy.float32))
    assert not full[:2, 1:].any() and not full[2:, :1].any()
    x = rng.randn(2, 2, 4, 4).astype(numpy.float32)
    t = numpy.array([1, 3], numpy.int32)
    with chainer.using_config('train', False):
        loss, pooled = func(inputs={'data': x, 'label': t}, outputs=['loss', 'mp'])
    c = F.convolution_2d(x, W.astype(numpy.float32), b.astype(numpy.float32), pad=1,
                         groups=2).array
    g = (c * c).mean(axis=(2, 3))
    expected = F.softmax_cross_entropy(g, t).array
    numpy.testing.assert_allclose(loss.array, expected, rtol=1e-5)
    assert pooled.shape == (2, 4, 2, 2)


def test_file_without_layers_gives_an_empty_network(tmp_path):
    func = CaffeFunction(_write(tmp_path, caffe_pb2.NetParameter(name='empty')))
    assert func.layers == [] and func.forwards == {}
    x = numpy.zeros((1, 2), numpy.float32)
    assert func(inputs={'data': x}, outputs=['data'])[0] is x


def test_pre_2015_format(tmp_path):
    # Models written before 2015 (VGG's among them) keep V1 layers, typed by
    # an enum, in NetParameter.layers.
    rng = numpy.random.RandomState(3)
    net = caffe_pb2.NetParameter(name='v1')
    V1 = caffe_pb2.V1LayerParameter
    conv = net.layers.add(name='conv1', type=V1.CONVOLUTION, bottom=['data'], top=['c'])
    conv.convolution_param.num_output = 3
    conv.convolution_param.kernel_size.append(1)
    W, b = rng.randn(3, 2, 1, 1), rng.randn(3)
    _blob(conv, W)
    _blob(conv, b)
    net.layers.add(name='relu1', type=V1.RELU, bottom=['c'], top=['c'])
    pool = net.layers.add(name='pool1', type=V1.POOLING, bottom=['c'], top=['p'])
    pool.pooling_param.kernel_size = 2
    pool.pooling_param.stride = 2
    net.layers.add(name='flat', type=V1.FLATTEN, bottom=['p'], top=['f'])
    net.layers.add(name='prob', type=V1.SOFTMAX, bottom=['p'], top=['prob'])
    with pytest.warns(UserWarning, match='Skip the layer "flat"'):
        func = CaffeFunction(_write(tmp_path, net))
    assert [name for name, _, _ in func.layers] == ['conv1', 'relu1', 'pool1', 'prob']
    x = rng.randn(1, 2, 4, 4).astype(numpy.float32)
    prob, = func(inputs={'data': x}, outputs=['prob'])
    c = numpy.maximum(numpy.einsum('oc,nchw->nohw', W[:, :, 0, 0], x) + b[:, None, None], 0)
    p = c.reshape(1, 3, 2, 2, 2, 2).max(axis=(3, 5))
    e = numpy.exp(p - p.max(axis=1, keepdims=True))
    numpy.testing.assert_allclose(prob.array, e / e.sum(axis=1, keepdims=True), rtol=1e-5)


def test_input_layer_is_skipped_with_a_warning(tmp_path):
    net = caffe_pb2.NetParameter()
    net.layer.add(name='input', type='Input', top=['data'])
    net.layer.add(name='relu', type='ReLU', bottom=['data'], top=['r'])
    with pytest.warns(UserWarning, match='Skip the layer "input"'):
        func = CaffeFunction(_write(tmp_path, net))
    assert [name for name, _, _ in func.layers] == ['relu']


@pytest.mark.parametrize('global_stats', [True, False])
def test_batch_norm_global_stats_runs_in_test_mode(tmp_path, global_stats):
    net = caffe_pb2.NetParameter()
    bn = net.layer.add(name='bn', type='BatchNorm', bottom=['data'], top=['y'])
    bn.batch_norm_param.use_global_stats = global_stats
    _blob(bn, numpy.array([1.0, -1.0]))
    _blob(bn, numpy.array([4.0, 0.25]))
    func = CaffeFunction(_write(tmp_path, net))
    x = numpy.arange(8, dtype=numpy.float32).reshape(2, 2, 2)
    with chainer.using_config('train', True):
        y, = func(inputs={'data': x}, outputs=['y'])
    if global_stats:
        expected = (x - numpy.array([1.0, -1.0])[:, None]) / numpy.sqrt(
            numpy.array([4.0, 0.25])[:, None] + 1e-5)
    else:  # batch statistics, as BatchNormalization does in training
        expected = (x - x.mean(axis=(0, 2), keepdims=True)) / numpy.sqrt(
            x.var(axis=(0, 2), keepdims=True) + 1e-5)
    numpy.testing.assert_allclose(y.array, expected, rtol=1e-4, atol=1e-5)


def test_scale_with_two_bottoms_is_a_scale_link(tmp_path):
    net = caffe_pb2.NetParameter()
    sc = net.layer.add(name='sc', type='Scale', bottom=['x', 'w'], top=['y'])
    sc.scale_param.bias_term = True
    _blob(sc, numpy.array([0.5, -1.0, 2.0]))
    func = CaffeFunction(_write(tmp_path, net))
    assert isinstance(func['sc'], L.Scale)
    assert [name for name, _ in func.namedparams()] == ['/sc/bias/b']
    x = numpy.ones((2, 3), numpy.float32)
    w = numpy.array([1.0, 2.0, 3.0], numpy.float32)
    y, = func(inputs={'x': x, 'w': w}, outputs=['y'])
    numpy.testing.assert_allclose(y.array, x * w + numpy.array([0.5, -1.0, 2.0]))


def test_message_classes_without_get_message_class(monkeypatch):
    # protobuf before 4.22 has no message_factory.GetMessageClass: the classes come from
    # MessageFactory(pool).GetPrototype(descriptor) instead.
    descriptor = caffe_pb2._pool.FindMessageTypeByName('caffe.BlobShape')
    asked = []

    class Factory:
        def __init__(self, pool):
            asked.append(pool)

        def GetPrototype(self, d):
            asked.append(d)
            return caffe_pb2.BlobShape

    fake = type('message_factory', (), {'MessageFactory': Factory})
    monkeypatch.setattr(caffe_pb2, 'message_factory', fake)
    assert caffe_pb2._class_for(descriptor) is caffe_pb2.BlobShape
    assert asked == [caffe_pb2._pool, descriptor]
