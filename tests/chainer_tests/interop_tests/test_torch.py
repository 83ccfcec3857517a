"""chainer.interop.torch: mixed models train like pure ones; parameter copies."""
import numpy
import pytest

import chainer
import chainer.functions as F
import chainer.links as L

torch = pytest.importorskip(
    'torch', reason="needs PyTorch (pip install torch; not part of the 'test' extra)")

from chainer.interop import torch as bridge  # noqa: E402

nn = torch.nn


def _data(seed=0):
    rs = numpy.random.RandomState(seed)
    x = rs.randn(8, 5).astype(numpy.float32)
    t = rs.randint(0, 3, 8).astype(numpy.int32)
    return x, t


class ChainerNet(chainer.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(5, 6)
            self.l2 = L.Linear(6, 3)

    def forward(self, x):
        return self.l2(F.tanh(self.l1(x)))


class TorchNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.l1 = nn.Linear(5, 6)
        self.l2 = nn.Linear(6, 3)

    def forward(self, x):
        return self.l2(torch.tanh(self.l1(x)))


class MixedChain(chainer.Chain):
    """Chainer l1, torch l2."""

    def __init__(self, torch_l2):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(5, 6)
            self.l2 = bridge.TorchModule(torch_l2)

    def forward(self, x):
        return self.l2(F.tanh(self.l1(x)))


class MixedTorch(nn.Module):
    """Torch l1, chainer l2."""

    def __init__(self, chainer_l2):
        super().__init__()
        self.l1 = nn.Linear(5, 6)
        self.l2 = bridge.ChainerModule(chainer_l2)

    def forward(self, x):
        return self.l2(torch.tanh(self.l1(x)))


def _train_chainer(model, steps=3):
    x, t = _data()
    opt = chainer.optimizers.SGD(lr=0.1)
    opt.setup(model)
    losses = []
    for _ in range(steps):
        loss = F.softmax_cross_entropy(model(x), t)
        model.cleargrads()
        loss.backward()
        opt.update()
        losses.append(float(loss.array))
    return losses


def _train_torch(model, steps=3):
    x, t = _data()
    opt = torch.optim.SGD(model.parameters(), lr=0.1)
    losses = []
    for _ in range(steps):
        out = model(torch.from_numpy(x))
        loss = nn.functional.cross_entropy(out, torch.from_numpy(t).long())
        opt.zero_grad()
        loss.backward()
        opt.step()
        losses.append(float(loss.detach()))
    return losses


def test_torch_block_inside_chain_trains_like_pure_models():
    ref = ChainerNet()
    tnet = TorchNet()
    bridge.copy_params_to_torch(ref, tnet)
    mixed = MixedChain(nn.Linear(6, 3))
    mixed.l1.copyparams(ref.l1)
    with torch.no_grad():
        mixed.l2.module.weight.copy_(tnet.l2.weight)
        mixed.l2.module.bias.copy_(tnet.l2.bias)
    mixed.l2.weight.array[...] = ref.l2.W.array
    mixed.l2.bias.array[...] = ref.l2.b.array
    want = _train_chainer(ref)
    got = _train_chainer(mixed)
    want_torch = _train_torch(tnet)
    numpy.testing.assert_allclose(got, want, rtol=1e-5)
    numpy.testing.assert_allclose(want_torch, want, rtol=1e-5)
    numpy.testing.assert_allclose(mixed.l2.weight.array, ref.l2.W.array, rtol=1e-5, atol=1e-6)
    assert mixed.l2.weight.grad is not None and mixed.l1.W.grad is not None


def test_chainer_link_inside_torch_module_trains_like_pure_torch():
    ref = TorchNet()
    l2 = L.Linear(6, 3)
    mixed = MixedTorch(l2)
    with torch.no_grad():
        mixed.l1.weight.copy_(ref.l1.weight)
        mixed.l1.bias.copy_(ref.l1.bias)
    l2.W.array[...] = ref.l2.weight.detach().numpy()
    l2.b.array[...] = ref.l2.bias.detach().numpy()
    want = _train_torch(ref)
    got = _train_torch(mixed)
    numpy.testing.assert_allclose(got, want, rtol=1e-5)
    # the torch optimizer updated the Link's arrays in place (shared memory)
    numpy.testing.assert_allclose(l2.W.array, ref.l2.weight.detach().numpy(), rtol=1e-5,
                                  atol=1e-6)


def test_torch_module_in_eval_and_no_backprop():
    mod = bridge.TorchModule(nn.Sequential(nn.Linear(3, 2), nn.Dropout(0.5)))
    x = numpy.ones((4, 3), numpy.float32)
    with chainer.using_config('train', False), chainer.no_backprop_mode():
        y = mod(x)
    w, b = getattr(mod, '0__weight'), getattr(mod, '0__bias')
    numpy.testing.assert_allclose(y.array, x @ w.array.T + b.array, rtol=1e-6)


class ConvBN(chainer.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.conv = L.Convolution2D(2, 3, 3, pad=1)
            self.bn = L.BatchNormalization(3)
            self.deconv = L.Deconvolution2D(3, 2, 2, stride=2)
            self.fc = L.Linear(2 * 8 * 8, 4)

    def forward(self, x):
        h = self.deconv(F.relu(self.bn(self.conv(x))))
        return self.fc(h)


class TorchConvBN(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 3, padding=1)
        self.bn = nn.BatchNorm2d(3)
        self.deconv = nn.ConvTranspose2d(3, 2, 2, stride=2)
        self.fc = nn.Linear(2 * 8 * 8, 4)

    def forward(self, x):
        h = self.deconv(torch.relu(self.bn(self.conv(x))))
        return self.fc(h.reshape(h.shape[0], -1))


def _chainer_eval(model, *xs):
    with chainer.using_config('train', False):
        return model(*xs)


def test_copy_conv_bn_deconv_linear_both_ways():
    x = numpy.random.RandomState(0).randn(2, 2, 4, 4).astype(numpy.float32)
    c = ConvBN()
    with chainer.using_config('train', True):
        c(x)  # non-trivial running statistics
    t = TorchConvBN().eval()
    copied = bridge.copy_params_to_torch(c, t)
    assert sorted(copied) == ['/bn', '/conv', '/deconv', '/fc']
    with torch.no_grad():
        got = t(torch.from_numpy(x)).numpy()
    numpy.testing.assert_allclose(got, _chainer_eval(c, x).array, rtol=1e-5, atol=1e-5)
    c2 = ConvBN()
    bridge.copy_params_from_torch(t, c2)
    numpy.testing.assert_allclose(_chainer_eval(c2, x).array, got, rtol=1e-5, atol=1e-5)


class LSTMNet(chainer.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.lstm = L.LSTM(3, 4)


class TorchLSTMNet(nn.Module):
    def __init__(self, cell=True):
        super().__init__()
        self.lstm = nn.LSTMCell(3, 4) if cell else nn.LSTM(3, 4, batch_first=True)


def test_copy_lstm_both_ways():
    rs = numpy.random.RandomState(1)
    x = rs.randn(2, 3).astype(numpy.float32)
    c = LSTMNet()
    c.lstm.upward.b.array[...] = rs.randn(16)
    t = TorchLSTMNet()
    bridge.copy_params_to_torch(c, t)
    with torch.no_grad():
        h, _ = t.lstm(torch.from_numpy(x))
    numpy.testing.assert_allclose(h.numpy(), c.lstm(x).array, rtol=1e-5, atol=1e-6)
    # a sequence LSTM with both biases set copies back into a rechainer LSTM
    ts = TorchLSTMNet(cell=False)
    with torch.no_grad():
        ys, _ = ts.lstm(torch.from_numpy(x[:, None]))
    c2 = LSTMNet()
    bridge.copy_params_from_torch(ts, c2)
    numpy.testing.assert_allclose(c2.lstm(x).array, ys[:, 0].numpy(), rtol=1e-5, atol=1e-6)


def test_copy_without_matching_layers_raises():
    with pytest.raises(ValueError, match='no layers'):
        bridge.copy_params_to_torch(ChainerNet(), nn.Sequential(nn.Linear(5, 6)))


def test_torch_block_trains_in_trainer_and_serializes(tmp_path):
    from chainer import iterators, training
    x, t = _data()
    model = L.Classifier(MixedChain(nn.Linear(6, 3)))
    before = model.predictor.l2.weight.array.copy()
    opt = chainer.optimizers.SGD(lr=0.1)
    opt.setup(model)
    it = iterators.SerialIterator(list(zip(x, t)), 4, shuffle=False)
    trainer = training.Trainer(training.updaters.StandardUpdater(it, opt), (2, 'iteration'),
                               out=str(tmp_path))
    trainer.run()
    assert not numpy.allclose(model.predictor.l2.weight.array, before)
    path = str(tmp_path / 'm.npz')
    chainer.serializers.save_npz(path, model)
    other = L.Classifier(MixedChain(nn.Linear(6, 3)))
    chainer.serializers.load_npz(path, other)
    numpy.testing.assert_array_equal(other.predictor.l2.weight.array,
                                     model.predictor.l2.weight.array)
