"""Whole models: export, onnx.checker, onnxruntime vs rechainer's forward."""
import numpy
import pytest

import chainer
import chainer.functions as F
import chainer.links as L
from tests.onnx_chainer_tests import _util


class MLP(chainer.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(7, 10)
            self.l2 = L.Linear(10, 10)
            self.l3 = L.Linear(10, 3)

    def forward(self, x):
        h = F.relu(self.l1(x))
        h = F.dropout(F.tanh(self.l2(h)))
        return F.softmax(self.l3(h))


class LeNet(chainer.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.c1 = L.Convolution2D(1, 4, 3, pad=1)
            self.b1 = L.BatchNormalization(4)
            self.c2 = L.Convolution2D(4, 6, 3, stride=1)
            self.b2 = L.BatchNormalization(6)
            self.fc = L.Linear(None, 5)

    def forward(self, x):
        h = F.max_pooling_2d(F.relu(self.b1(self.c1(x))), 2)
        h = F.average_pooling_2d(F.relu(self.b2(self.c2(h))), 2)
        return F.log_softmax(self.fc(F.reshape(h, (h.shape[0], -1))))


class ResBlock(chainer.Chain):
    def __init__(self, ch=4):
        super().__init__()
        with self.init_scope():
            self.c1 = L.Convolution2D(ch, ch, 3, pad=1, nobias=True)
            self.b1 = L.BatchNormalization(ch)
            self.c2 = L.Convolution2D(ch, ch, 3, pad=1, nobias=True)
            self.b2 = L.BatchNormalization(ch)

    def forward(self, x):
        h = F.relu(self.b1(self.c1(x)))
        h = self.b2(self.c2(h))
        return F.relu(h + x)


class LSTMStep(chainer.Chain):
    """One step of an LSTM language model: embed, LSTM cell, output layer."""

    def __init__(self, vocab=11, units=6):
        super().__init__()
        with self.init_scope():
            self.embed = L.EmbedID(vocab, units)
            self.upward = L.Linear(units, 4 * units)
            self.lateral = L.Linear(units, 4 * units, nobias=True)
            self.out = L.Linear(units, vocab)

    def forward(self, word, c, h):
        x = self.embed(word)
        c_new, h_new = F.lstm(c, self.upward(x) + self.lateral(h))
        return F.softmax(self.out(h_new)), c_new, h_new


def _trained_bn(model, x):
    # Give the BatchNormalization layers non-trivial running statistics.
    with chainer.using_config('train', True):
        for _ in range(3):
            model(x)


def test_mlp():
    x = numpy.random.RandomState(0).randn(4, 7).astype(numpy.float32)
    _util.check(MLP(), x)


def test_lenet_with_batch_normalization():
    x = numpy.random.RandomState(1).randn(2, 1, 12, 12).astype(numpy.float32)
    model = LeNet()
    _trained_bn(model, x)
    onnx_model = _util.check(model, x, rtol=1e-4, atol=1e-5)
    ops = {n.op_type for n in onnx_model.graph.node}
    assert {'Conv', 'BatchNormalization', 'MaxPool', 'AveragePool', 'Gemm'} <= ops
    names = {i.name for i in onnx_model.graph.initializer}
    assert 'param_b1_avg_mean' in names and 'param_c1_W' in names


def test_resnet_block():
    x = numpy.random.RandomState(2).randn(2, 4, 6, 6).astype(numpy.float32)
    model = ResBlock()
    _trained_bn(model, x)
    _util.check(model, x, rtol=1e-4, atol=1e-5)


def test_lstm_language_model_step():
    rs = numpy.random.RandomState(3)
    word = numpy.array([1, 5, 10], numpy.int32)
    c = rs.randn(3, 6).astype(numpy.float32)
    h = rs.randn(3, 6).astype(numpy.float32)
    _util.check(LSTMStep(), [word, c, h], rtol=1e-5, atol=1e-6)


def test_gru_step():
    rs = numpy.random.RandomState(4)
    gru = L.StatelessGRU(3, 4)
    h = rs.randn(2, 4).astype(numpy.float32)
    x = rs.randn(2, 3).astype(numpy.float32)
    _util.check(_util.FuncModel(lambda h, x: gru(h, x)), [h, x])


class NStepRNN(chainer.Chain):
    """A one-sequence NStep RNN returning its outputs and final hidden state."""

    def __init__(self, rnn, has_cell):
        super().__init__()
        self.has_cell = has_cell
        with self.init_scope():
            self.rnn = rnn

    def forward(self, x):
        states = (None, None) if self.has_cell else (None,)
        out = self.rnn(*states, [x])
        return out[-1][0], out[0]


@pytest.mark.parametrize('make,has_cell', [
    (lambda: L.NStepLSTM(2, 3, 4, 0.0), True),
    (lambda: L.NStepBiGRU(1, 3, 4, 0.0), False),
], ids=['NStepLSTM', 'NStepBiGRU'])
def test_n_step_rnn_sequence(make, has_cell):
    x = numpy.random.RandomState(5).randn(5, 3).astype(numpy.float32)
    _util.check(NStepRNN(make(), has_cell), x, rtol=1e-5, atol=1e-5)


@pytest.mark.gpu
def test_mlp_exported_from_gpu_matches_cpu_export():
    x = numpy.random.RandomState(0).randn(4, 7).astype(numpy.float32)
    model = MLP()
    cpu_model = _util.onnx_chainer.export(model, x)
    model.to_gpu()
    import cupy
    gpu_model = _util.onnx_chainer.export(model, cupy.asarray(x))
    assert gpu_model.graph.node == cpu_model.graph.node
    numpy.testing.assert_allclose(_util.run_onnx(gpu_model, x)[0],
                                  _util.run_onnx(cpu_model, x)[0], rtol=1e-6)


@pytest.mark.parametrize('opset', [11, 12])
def test_models_at_the_opsets_before_13(opset):
    # Chainer 7.8.1 wrote opsets up to 11: scripts asking for 11 still export.
    rs = numpy.random.RandomState(6)
    _util.check(MLP(), rs.randn(4, 7).astype(numpy.float32), opset_version=opset)
    x = rs.randn(2, 1, 12, 12).astype(numpy.float32)
    model = LeNet()
    _trained_bn(model, x)
    onnx_model = _util.check(model, x, rtol=1e-4, atol=1e-5, opset_version=opset)
    assert onnx_model.opset_import[0].version == opset
    word = numpy.array([1, 5, 10], numpy.int32)
    _util.check(LSTMStep(), [word, rs.randn(3, 6).astype(numpy.float32),
                             rs.randn(3, 6).astype(numpy.float32)], opset_version=opset)
    _util.check(NStepRNN(L.NStepBiGRU(1, 3, 4, 0.0), False),
                rs.randn(5, 3).astype(numpy.float32), rtol=1e-5, atol=1e-5,
                opset_version=opset)


def test_nodes_carry_chainers_attributes():
    # Node by node as Chainer 7.8.1 wrote them: Gemm with its default alpha/beta/transA,
    # BatchNormalization with momentum, MaxPool with ceil_mode where cover_all needs
    # no extra padding, and a Linear over 4-D inputs reshaping to (batch, -1).
    x = numpy.random.RandomState(1).randn(2, 1, 12, 12).astype(numpy.float32)
    model = _util.check(LeNet(), x, rtol=1e-4, atol=1e-5)
    attrs = {}
    for n in model.graph.node:
        attrs.setdefault(n.op_type, {a.name: _util.onnx.helper.get_attribute_value(a)
                                     for a in n.attribute})
    assert attrs['Gemm'] == {'alpha': 1.0, 'beta': 1.0, 'transA': 0, 'transB': 1}
    assert attrs['BatchNormalization']['momentum'] == 0.0
    assert attrs['MaxPool']['ceil_mode'] == 1
    linear = L.Linear(None, 3)
    model = _util.check(_util.FuncModel(lambda v: linear(v)), x)
    reshape, gemm = [n for n in model.graph.node if n.op_type != 'Constant']
    shape = next(_util.onnx.numpy_helper.to_array(n.attribute[0].t)
                 for n in model.graph.node if n.output[0] == reshape.input[1])
    assert (reshape.op_type, gemm.op_type, shape.tolist()) == ('Reshape', 'Gemm', [2, -1])
