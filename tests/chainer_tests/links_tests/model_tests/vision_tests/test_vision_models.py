"""The model zoo's architectures, layer access, image preparation and weight loading.

Random initialisation of the large models is slow, so most tests build them
with zero weights through the same path a pretrained load takes.
"""
import os
import urllib.error

import numpy
import pytest

import chainer
import chainer.links as L
import chainer.functions as F
from chainer import initializers
from chainer import serializers
from chainer.dataset import download
from chainer.links.model.vision import _common
from chainer.links.model.vision import googlenet
from chainer.links.model.vision import resnet
from chainer.links.model.vision import vgg


@pytest.fixture
def zero_init(monkeypatch):
    """Builds models with zero weights instead of random ones."""
    monkeypatch.setattr(_common, 'init_kwargs',
                        lambda pretrained, init: {'initialW': initializers.Zero()})


@pytest.fixture
def dataset_root(tmp_path, monkeypatch):
    old = download.get_dataset_root()
    download.set_dataset_root(str(tmp_path))

    def offline(url):
        raise OSError(f'cannot reach {url}')

    monkeypatch.setattr(download, 'cached_download', offline)
    yield tmp_path
    download.set_dataset_root(old)


def _image(h=40, w=30):
    return numpy.random.RandomState(0).randint(0, 255, (h, w, 3)).astype(numpy.uint8)


class TestVGG:

    @pytest.mark.parametrize('cls,n_conv', [(L.VGG16Layers, 13), (L.VGG19Layers, 16)])
    def test_layers(self, zero_init, cls, n_conv):
        model = cls(pretrained_model=None)
        convs = [name for name in model.available_layers if name.startswith('conv')]
        assert len(convs) == n_conv
        assert model.available_layers[-4:] == ['fc6', 'fc7', 'fc8', 'prob']
        assert model.fc6.W.shape == (4096, 512 * 7 * 7)
        x = numpy.random.randn(2, 3, 32, 32).astype(numpy.float32)
        out = model(x, layers=['conv1_1', 'pool2'])
        assert set(out) == {'conv1_1', 'pool2'}
        assert out['pool2'].shape == (2, 128, 8, 8)

    def test_random_init_values(self):
        # Small stand-in for the initial weights: one conv built as VGG does.
        kwargs = _common.init_kwargs(None, initializers.Normal(0.01))
        assert isinstance(kwargs['initialW'], initializers.Normal)
        assert isinstance(kwargs['initial_bias'], initializers.Zero)

    def test_vgg19_creates_its_weights_in_chainers_order(self, monkeypatch):
        # Seeded initial weights are drawn in creation order: Chainer's VGG19 makes
        # the fourth convolutions of stages 3 to 5 after fc8.
        shapes = []

        class Recording(initializers.Zero):
            def __call__(self, array):
                shapes.append(array.shape)
                super().__call__(array)

        monkeypatch.setattr(_common, 'init_kwargs',
                            lambda pretrained, init: {'initialW': Recording()})
        L.VGG19Layers(pretrained_model=None)
        assert len(shapes) == 19
        assert shapes[13:] == [(4096, 512 * 7 * 7), (4096, 4096), (1000, 4096),
                               (256, 256, 3, 3), (512, 512, 3, 3), (512, 512, 3, 3)]

    def test_unknown_layer(self, zero_init):
        model = L.VGG16Layers(pretrained_model=None)
        with pytest.raises(ValueError, match='unknown layers'):
            model(numpy.zeros((1, 3, 32, 32), numpy.float32), layers=['conv9'])

    def test_bare_string_layer(self, zero_init):
        # A string is not read as its characters ("unknown layers ['1', '_', 'c', ...]").
        model = L.VGG16Layers(pretrained_model=None)
        message = r"not the string 'conv1_1'; write layers=\['conv1_1'\]"
        with pytest.raises(ValueError, match=message):
            model(numpy.zeros((1, 3, 32, 32), numpy.float32), layers='conv1_1')

    def test_bad_n_layers(self):
        with pytest.raises(ValueError):
            vgg.VGGLayers(None, n_layers=11)

    def test_prepare(self):
        img = _image()
        x = vgg.prepare(img)
        assert x.shape == (3, 224, 224) and x.dtype == numpy.float32
        x = vgg.prepare(img, size=None)
        expected = img[:, :, ::-1].astype(numpy.float32) - numpy.array(
            [103.939, 116.779, 123.68], numpy.float32)
        numpy.testing.assert_allclose(x, expected.transpose(2, 0, 1))
        chw = vgg.prepare(img.transpose(2, 0, 1), size=None)
        numpy.testing.assert_array_equal(chw, x)
        # As Chainer, size goes to Pillow as (width, height), with bicubic resampling.
        gray = vgg.prepare(img[:, :, 0], size=(8, 6))
        assert gray.shape == (3, 6, 8)
        from PIL import Image
        pil = Image.fromarray(img.astype(numpy.uint8)).resize((5, 7), Image.BICUBIC)
        expected = numpy.asarray(pil, numpy.float32)[:, :, ::-1] - numpy.array(
            [103.939, 116.779, 123.68], numpy.float32)
        numpy.testing.assert_allclose(vgg.prepare(img, size=(5, 7)),
                                      expected.transpose(2, 0, 1))

    @pytest.mark.parametrize('size,error', [
        ((2.5, 3.0), TypeError), ([21], TypeError), ('abc', TypeError), (3, TypeError),
        ((0, 5), ValueError)])
    def test_prepare_bad_size_is_pillows_error(self, size, error):
        with pytest.raises(error):
            vgg.prepare(_image(), size=size)

    def test_prepare_takes_config_dtype(self):
        img = _image()
        with chainer.using_config('dtype', numpy.float16):
            x = resnet.prepare(img, size=None)
        assert x.dtype == numpy.float16
        expected = img[:, :, ::-1].astype(numpy.float16) - numpy.array(
            resnet._MEAN_BGR, numpy.float16)
        numpy.testing.assert_array_equal(x, expected.transpose(2, 0, 1))
        with chainer.using_config('dtype', numpy.float64):
            assert googlenet.prepare(img).dtype == numpy.float64

    def test_forward_refuses_test_keyword(self, zero_init):
        model = L.VGG16Layers(pretrained_model=None)
        x = numpy.zeros((1, 3, 8, 8), numpy.float32)
        with pytest.raises(ValueError, match='test argument'):
            model(x, layers=['conv1_1'], test=False)
        with pytest.raises(TypeError):
            model(x, layers=['conv1_1'], train=False)


class TestResNet:

    def test_forward_all_layers(self, zero_init):
        model = L.ResNet50Layers(pretrained_model=None)
        assert model.available_layers == [
            'conv1', 'pool1', 'res2', 'res3', 'res4', 'res5', 'pool5', 'fc6', 'prob']
        assert len(model.res4._forward) == 6
        x = numpy.random.randn(1, 3, 64, 64).astype(numpy.float32)
        with chainer.using_config('train', False):
            out = model(x, layers=['res2', 'pool5', 'prob'])
        assert out['res2'].shape == (1, 256, 16, 16)
        assert out['pool5'].shape == (1, 2048)
        numpy.testing.assert_allclose(out['prob'].array.sum(), 1, rtol=1e-5)

    def test_fc6_keeps_linear_defaults(self, zero_init):
        # Chainer builds fc6 as a plain Linear(2048, 1000): LeCunNormal weights
        # and zero bias, drawn even when pretrained weights are then loaded.
        numpy.random.seed(3)
        model = L.ResNet50Layers(pretrained_model=None)
        numpy.random.seed(3)
        want = numpy.empty((1000, 2048), numpy.float32)
        initializers.LeCunNormal()(want)
        numpy.testing.assert_array_equal(model.fc6.W.array, want)
        assert not model.fc6.b.array.any()

    def test_random_init_and_gradients(self):
        block = resnet.BuildingBlock(2, 8, 4, 16, 2, initialW=initializers.HeNormal())
        x = chainer.Variable(numpy.random.randn(2, 8, 6, 6).astype(numpy.float32))
        y = block(x)
        assert y.shape == (2, 16, 3, 3)
        y.grad = numpy.ones_like(y.array)
        y.backward()
        assert x.grad.shape == x.shape
        assert block.b1.conv2.W.grad is not None

    def test_downsample_fb(self):
        a = resnet.BottleneckA(8, 4, 16, stride=2, downsample_fb=True)
        x = numpy.zeros((1, 8, 6, 6), numpy.float32)
        assert a.conv1(x).shape[2:] == (6, 6) and a(x).shape == (1, 16, 3, 3)
        b = resnet.BottleneckA(8, 4, 16, stride=2)
        assert b.conv1(x).shape[2:] == (3, 3) and b(x).shape == (1, 16, 3, 3)

    @pytest.mark.parametrize('cls,blocks', [(L.ResNet101Layers, 23), (L.ResNet152Layers, 36)])
    def test_deep_variants(self, zero_init, cls, blocks):
        model = cls(pretrained_model=None)
        assert len(model.res4._forward) == blocks

    def test_caffe_names(self):
        assert resnet._caffe_block_names(2, 3, 101) == ['2a', '2b', '2c']
        assert resnet._caffe_block_names(4, 3, 101) == ['4a', '4b1', '4b2']
        assert resnet._caffe_block_names(4, 3, 50) == ['4a', '4b', '4c']

    def test_predict(self, zero_init):
        model = L.ResNet50Layers(pretrained_model=None)
        y = model.predict([_image(), _image(50, 60)], oversample=False)
        assert y.shape == (2, 1000)
        numpy.testing.assert_allclose(y.array, 1e-3, rtol=1e-4)


class TestGoogLeNet:

    def test_layers_and_extract(self, monkeypatch):
        model = L.GoogLeNet(pretrained_model=None)
        assert model.available_layers[:5] == ['conv1', 'pool1', 'conv2_reduce', 'conv2',
                                              'pool2']
        assert model.available_layers[-5:] == ['pool5', 'loss3_fc', 'prob',
                                               'loss1_fc2', 'loss2_fc2']
        out = model.extract([_image()], layers=['inception_3a'], size=(64, 64))
        assert out['inception_3a'].shape == (1, 256, 8, 8)
        assert list(model.functions)[-3:] == ['prob', 'loss1_fc2', 'loss2_fc2']
        # As in Chainer, extract leaves the configuration alone: test mode and
        # no graph are the caller's choice.
        seen = []

        def relu(h):
            seen.append(chainer.config.train)
            return F.relu(h)

        monkeypatch.setattr(googlenet, 'relu', relu)
        train = model.extract([_image()], layers=['conv1'], size=(32, 32))
        assert train['conv1'].creator is not None
        with chainer.using_config('train', False), chainer.no_backprop_mode():
            test = model.extract([_image()], layers=['conv1'], size=(32, 32))
        assert test['conv1'].creator is None
        assert seen == [True, False]

    def test_forward_refuses_train_keyword(self):
        # GoogLeNet's forward names the removed ``train`` argument (ValueError);
        # any other keyword, ``test`` included, is a TypeError, as in Chainer.
        model = L.GoogLeNet(pretrained_model=None)
        x = numpy.zeros((1, 3, 32, 32), numpy.float32)
        with pytest.raises(ValueError, match='train argument'):
            model(x, layers=['conv1'], train=False)
        with pytest.raises(TypeError):
            model(x, layers=['conv1'], test=False)
        with pytest.raises(ValueError, match='volatile argument'):
            model.extract([_image()], layers=['conv1'], volatile=True)

    def test_auxiliary_classifiers(self):
        # As in Chainer: pooled 5/3 from inception_4a (4d), conv, relu, fc1,
        # relu, fc2, with no dropout even in training.
        model = L.GoogLeNet(pretrained_model=None)
        x = numpy.random.RandomState(0).rand(1, 3, 224, 224).astype(numpy.float32)
        out = model(x, layers=['loss1_fc2', 'loss2_fc2', 'inception_4d'])
        assert sorted(out) == ['inception_4d', 'loss1_fc2', 'loss2_fc2']
        h = model(x, layers=['inception_4a'])['inception_4a']
        for name, src, prefix in (('loss1_fc2', h, 'loss1'),
                                  ('loss2_fc2', out['inception_4d'], 'loss2')):
            y = F.average_pooling_2d(src, 5, stride=3)
            y = F.relu(getattr(model, prefix + '_conv')(y))
            y = getattr(model, prefix + '_fc2')(F.relu(getattr(model, prefix + '_fc1')(y)))
            assert out[name].shape == (1, 1000)
            numpy.testing.assert_allclose(out[name].array, y.array, rtol=1e-5, atol=1e-6)

    def test_inception_blocks_keep_their_default_initializers(self):
        # Chainer passes GoogLeNet's LeCunUniform to its own convolutions only.
        numpy.random.seed(0)
        model = L.GoogLeNet(pretrained_model=None)
        numpy.random.seed(0)
        L.Convolution2D(3, 64, 7, initialW=initializers.LeCunUniform(scale=1.0))
        L.Convolution2D(64, 64, 1, initialW=initializers.LeCunUniform(scale=1.0))
        L.Convolution2D(64, 192, 3, initialW=initializers.LeCunUniform(scale=1.0))
        first = L.Convolution2D(192, 64, 1)  # inception_3a's conv1, default initializer
        numpy.testing.assert_array_equal(model.inc3a.conv1.W.array, first.W.array)

    def test_save_load_and_auto(self, dataset_root):
        src = L.GoogLeNet(pretrained_model=None)
        directory = os.path.join(str(dataset_root), 'pfnet', 'chainer', 'models')
        os.makedirs(directory, exist_ok=True)
        path = os.path.join(directory, 'bvlc_googlenet.npz')
        serializers.save_npz(path, src)
        for dst in (L.GoogLeNet(pretrained_model=path), L.GoogLeNet()):
            numpy.testing.assert_array_equal(dst.inc4a.conv3.W.array, src.inc4a.conv3.W.array)
            numpy.testing.assert_array_equal(dst.loss2_fc2.b.array, src.loss2_fc2.b.array)


@pytest.mark.parametrize('cls,name,error', [
    (L.GoogLeNet, 'bvlc_googlenet.npz', FileNotFoundError),
    (L.ResNet50Layers, 'ResNet-50-model.npz', OSError),
])
def test_auto_without_weights_says_what_to_put_where(dataset_root, cls, name, error):
    with pytest.raises(error) as info:
        cls()
    message = str(info.value)
    assert name in message
    assert os.path.join(str(dataset_root), 'pfnet', 'chainer', 'models') in message
    assert 'pretrained_model=None' in message


def test_failed_download_is_still_chainers_urlerror(dataset_root, monkeypatch):
    # Chainer let the URLError of the failed download through: code catching
    # it still does, and the download's reason is kept.
    def unreachable(url):
        raise download.DownloadError(f'could not download {url}', 'no network')

    monkeypatch.setattr(download, 'cached_download', unreachable)
    with pytest.raises(urllib.error.URLError) as info:
        L.GoogLeNet()
    assert isinstance(info.value, FileNotFoundError)
    assert info.value.reason == 'no network'
    assert 'pretrained_model=None' in str(info.value)


def test_resnet_without_caffemodel_raises_chainers_oserror(dataset_root):
    # ResNet's Caffe model is not downloadable: as in Chainer, a plain OSError
    # that starts with the sentence Chainer's CNN guide shows and names the page
    # and the path to put the model at.
    with pytest.raises(OSError) as info:
        L.ResNet101Layers()
    assert type(info.value) is OSError
    message = str(info.value)
    path = os.path.join(str(dataset_root), 'pfnet', 'chainer', 'models',
                        'ResNet-101-model.caffemodel')
    assert message.startswith(
        "The pre-trained caffemodel does not exist. Please download it from "
        f"'https://github.com/KaimingHe/deep-residual-networks', and place it on {path}")


def test_first_use_conversion_says_so_on_stderr(dataset_root, monkeypatch, capsys):
    src = L.GoogLeNet(pretrained_model=None)
    directory = os.path.join(str(dataset_root), 'pfnet', 'chainer', 'models')
    os.makedirs(directory, exist_ok=True)
    open(os.path.join(directory, 'bvlc_googlenet.caffemodel'), 'wb').close()
    monkeypatch.setattr(L.GoogLeNet, 'convert_caffemodel_to_npz', classmethod(
        lambda cls, caffemodel, npz: serializers.save_npz(npz, src)))
    L.GoogLeNet()
    captured = capsys.readouterr()
    assert captured.err == 'Now loading caffemodel (usually it may take few minutes)\n'
    assert captured.out == ''
    L.GoogLeNet()  # the converted weights are found: nothing printed
    assert capsys.readouterr().err == ''


def test_oversample_crops():
    x = numpy.arange(2 * 1 * 4 * 5, dtype=numpy.float32).reshape(2, 1, 4, 5)
    crops = _common.oversample_crops(x, (2, 3))
    assert crops.shape == (20, 1, 2, 3)
    numpy.testing.assert_array_equal(crops[0], x[0, :, :2, :3])
    numpy.testing.assert_array_equal(crops[3], x[0, :, 2:, 2:])
    numpy.testing.assert_array_equal(crops[4], x[0, :, 1:3, 1:4])
    numpy.testing.assert_array_equal(crops[5], x[0, :, :2, :3][:, :, ::-1])
    numpy.testing.assert_array_equal(crops[10], x[1, :, :2, :3])


def test_googlenet_prepare_mean():
    x = googlenet.prepare(numpy.zeros((4, 4, 3), numpy.uint8), size=None)
    numpy.testing.assert_allclose(x[:, 0, 0], [-104, -117, -123])


class _FakeCaffe:
    """Stands in for a CaffeFunction: records the layer names asked for."""

    def __init__(self, path):
        self.names = []
        _FakeCaffe.last = self

    def __getitem__(self, name):
        self.names.append(name)
        return _FakeLayer(name)

    def __contains__(self, name):
        return True


class _FakeLayer:

    def __init__(self, name):
        self.name = name
        self.W = ('W', name)
        self.b = ('b', name)
        self.avg_mean = ('avg_mean', name)
        self.avg_var = ('avg_var', name)
        self.bias = type('Bias', (), {'b': ('bias', name)})()


@pytest.mark.parametrize('cls,expected', [
    (L.ResNet101Layers, {'conv1', 'bn_conv1', 'scale_conv1', 'res2c_branch2c',
                         'res4b22_branch2a', 'bn3b3_branch2b', 'scale5a_branch1', 'fc1000'}),
    (L.GoogLeNet, {'conv1/7x7_s2', 'inception_4e/pool_proj', 'loss2/classifier',
                   'loss3/classifier'}),
])
def test_caffe_conversion_covers_every_weight(zero_init, monkeypatch, tmp_path, cls, expected):
    import chainer.links.caffe.caffe_function as caffe_function
    monkeypatch.setattr(caffe_function, 'CaffeFunction', _FakeCaffe)
    written = {}

    def record(dst, src):
        key = id(dst.array if hasattr(dst, 'array') else dst)
        assert key not in written, 'a weight is written twice'
        written[key] = src

    monkeypatch.setattr(_common, 'copy_param', record)
    saved = []
    monkeypatch.setattr(serializers, 'save_npz',
                        lambda path, model, compression=True: saved.append(model))
    cls.convert_caffemodel_to_npz('model.caffemodel', str(tmp_path / 'out.npz'))
    model, = saved
    targets = {id(p.array) for p in model.params()}
    for link in model.links():
        if isinstance(link, L.BatchNormalization):
            targets |= {id(link.avg_mean), id(link.avg_var)}
    assert set(written) == targets
    assert expected <= set(_FakeCaffe.last.names)


def test_building_block_takes_chainers_arguments():
    block = resnet.BuildingBlock(n_layers=2, in_channels=4, mid_channels=2, out_channels=4,
                                 stride=1)
    assert [name for name, _ in block.namedlinks(skipself=True) if '/' not in name[1:]] \
        == ['/a', '/b1']
    with pytest.warns(DeprecationWarning, match='Argument .n_layer. is deprecated'):
        old = resnet.BuildingBlock(n_layer=3, in_channels=4, mid_channels=2, out_channels=4,
                                   stride=1)
    assert hasattr(old, 'b2') and not hasattr(old, 'b3')
    with pytest.raises(TypeError):
        resnet.BuildingBlock(2, 4, 2, 4, 1, n_blocks=2)


def _fake_finetuned_vgg(path):
    """Stands in for the CaffeFunction of a VGG fine-tuned to 21 classes."""
    net = chainer.Chain()
    with net.init_scope():
        net.conv1_1 = L.Convolution2D(3, 4, 3, 1, 1)
        net.fc8 = L.Linear(5, 21)
    return net


def test_vgg_conversion_saves_the_caffe_model_as_is(monkeypatch, tmp_path):
    # As in Chainer: every layer of the Caffe model is saved under its name,
    # whatever its shape (Chainer's users convert fine-tuned models this way).
    import chainer.links.caffe.caffe_function as caffe_function
    monkeypatch.setattr(caffe_function, 'CaffeFunction', _fake_finetuned_vgg)
    path = str(tmp_path / 'vgg.npz')
    L.VGG16Layers.convert_caffemodel_to_npz('finetuned.caffemodel', path)
    with numpy.load(path) as npz:
        assert {k: npz[k].shape for k in npz.files} == {
            'conv1_1/W': (4, 3, 3, 3), 'conv1_1/b': (4,), 'fc8/W': (21, 5), 'fc8/b': (21,)}


def test_resnet_takes_the_name_of_a_caffemodel(zero_init, dataset_root, monkeypatch):
    # As in Chainer, pretrained_model='<name>.caffemodel' converts that file of the
    # models directory (or that path) into ResNet-<n>-model.npz there, once.
    directory = os.path.join(str(dataset_root), 'pfnet', 'chainer', 'models')
    os.makedirs(directory)
    open(os.path.join(directory, 'mine.caffemodel'), 'wb').close()
    src = L.ResNet50Layers(pretrained_model=None)
    src.bn1.avg_mean[...] = 3
    calls = []

    def convert(cls, caffemodel, npz, n_layers=None):
        calls.append((cls, caffemodel, npz, n_layers))
        if n_layers != 50:
            raise RuntimeError('stop')
        serializers.save_npz(npz, src)

    monkeypatch.setattr(resnet.ResNetLayers, 'convert_caffemodel_to_npz', classmethod(convert))
    model = L.ResNet50Layers(pretrained_model='mine.caffemodel')
    assert calls == [(L.ResNet50Layers, os.path.join(directory, 'mine.caffemodel'),
                      os.path.join(directory, 'ResNet-50-model.npz'), 50)]
    assert (model.bn1.avg_mean == 3).all()
    L.ResNet50Layers(pretrained_model='/elsewhere/other.caffemodel')  # the .npz is found
    assert len(calls) == 1
    caffemodel = os.path.join(directory, 'mine.caffemodel')
    with pytest.raises(RuntimeError, match='stop'):
        resnet.ResNetLayers(caffemodel, 101)
    assert calls[1] == (resnet.ResNetLayers, caffemodel,
                        os.path.join(directory, 'ResNet-101-model.npz'), 101)


class _FakeCaffeWithoutConv1Bias(_FakeCaffe):
    """ResNet-101's and -152's Caffe models have no bias on conv1."""

    def __getitem__(self, name):
        layer = super().__getitem__(name)
        if name == 'conv1':
            layer.b = None
        return layer


def test_resnet_conversion_without_conv1_bias(zero_init, monkeypatch, tmp_path):
    import chainer.links.caffe.caffe_function as caffe_function
    monkeypatch.setattr(caffe_function, 'CaffeFunction', _FakeCaffeWithoutConv1Bias)
    sources = []
    monkeypatch.setattr(_common, 'copy_param', lambda dst, src: sources.append(src))
    saved = []
    monkeypatch.setattr(serializers, 'save_npz',
                        lambda path, model, compression=True: saved.append(model))
    L.ResNet101Layers.convert_caffemodel_to_npz('model.caffemodel', str(tmp_path / 'out.npz'))
    model, = saved
    assert None not in sources
    assert ('W', 'conv1') in sources
    assert (model.conv1.b.array == 0).all()
