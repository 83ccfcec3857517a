"""CIFAR-10 and CIFAR-100, read from the official *binary* archives (no pickle)."""
from __future__ import annotations

import tarfile
from typing import TYPE_CHECKING, Any

import numpy

import chainer
from chainer.datasets import _retrieve
from chainer.datasets import tuple_dataset

if TYPE_CHECKING:
    from chainer.types import DTypeSpec

_CIFAR10_URL = 'https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz'
_CIFAR100_URL = 'https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz'
_IMAGE_BYTES = 3072


# Examples per member of the official archives.
_MEMBER_EXAMPLES = {'data_batch': 10000, 'test_batch': 10000, 'train.bin': 50000,
                    'test.bin': 10000}


def _read_records(archive: tarfile.TarFile, member: str, label_bytes: int,
                  label_offset: int, path: str) -> tuple:
    def fail(message: str) -> None:
        raise _retrieve.CorruptSourceError(f'member {member} of {path} {message}')

    try:
        info = archive.getmember(member)
    except KeyError:
        raise _retrieve.CorruptSourceError(
            f'{path} does not contain {member}: not a CIFAR binary archive') from None
    if not info.isfile():
        fail('is not a regular file')
    record = label_bytes + _IMAGE_BYTES
    limit = next(n for k, n in _MEMBER_EXAMPLES.items() if k in member) * record
    if info.size > limit:
        fail(f'has {info.size} bytes, more than the {limit} of the whole CIFAR part')
    if info.size % record:
        fail(f'has {info.size} bytes, not a multiple of the {record}-byte CIFAR record')
    f = archive.extractfile(info)
    payload = f.read(info.size)
    if len(payload) != info.size:
        fail(f'is truncated ({len(payload)} of {info.size} bytes)')
    data = numpy.frombuffer(payload, dtype=numpy.uint8).reshape(-1, record)
    return data[:, label_bytes:].copy(), data[:, label_offset].copy()


def _make_npz(path: str, url: str, n_classes: int) -> dict:
    archive_path = _retrieve.download_first([url])

    def read() -> tuple:
        with tarfile.open(archive_path, 'r:gz') as archive:
            if n_classes == 10:
                members = [f'cifar-10-batches-bin/data_batch_{i}.bin' for i in range(1, 6)]
                parts = [_read_records(archive, m, 1, 0, archive_path) for m in members]
                train_x = numpy.concatenate([p[0] for p in parts])
                train_y = numpy.concatenate([p[1] for p in parts])
                test_x, test_y = _read_records(
                    archive, 'cifar-10-batches-bin/test_batch.bin', 1, 0, archive_path)
            else:
                # CIFAR-100 records: coarse label, fine label, image; use the fine one.
                train_x, train_y = _read_records(
                    archive, 'cifar-100-binary/train.bin', 2, 1, archive_path)
                test_x, test_y = _read_records(
                    archive, 'cifar-100-binary/test.bin', 2, 1, archive_path)
        return train_x, train_y, test_x, test_y

    train_x, train_y, test_x, test_y = _retrieve.read_source(
        archive_path, f'The CIFAR-{n_classes} archive', read)
    numpy.savez_compressed(path, train_x=train_x, train_y=train_y,
                           test_x=test_x, test_y=test_y)
    return {'train_x': train_x, 'train_y': train_y, 'test_x': test_x, 'test_y': test_y}


def _preprocess_cifar(images: numpy.ndarray, labels: numpy.ndarray, withlabel: bool,
                      ndim: int, scale: float, dtype: Any) -> Any:
    if ndim == 1:
        images = images.reshape(-1, _IMAGE_BYTES)
    elif ndim == 3:
        images = images.reshape(-1, 3, 32, 32)
    else:
        raise ValueError(f'invalid ndim for CIFAR dataset: {ndim} (must be 1 or 3)')
    images = _retrieve.scaled_images(images, scale, chainer.get_dtype(dtype))
    if withlabel:
        return tuple_dataset.TupleDataset(images, labels.astype(numpy.int32))
    return images


def _get_cifar(name: str, url: str, n_classes: int, withlabel: bool, ndim: int,
               scale: float, dtype: Any) -> tuple:
    # A bad ndim or dtype is refused after the archive is cached, as in Chainer.
    raw = _retrieve.retrieve(
        'pfnet/chainer/cifar', f'{name}.npz',
        lambda path: _make_npz(path, url, n_classes), _retrieve.load_npz,
        f'The {name.upper()} dataset')
    train = _preprocess_cifar(raw['train_x'], raw['train_y'], withlabel, ndim, scale, dtype)
    test = _preprocess_cifar(raw['test_x'], raw['test_y'], withlabel, ndim, scale, dtype)
    return train, test


def get_cifar10(withlabel: bool = True, ndim: int = 3, scale: float = 1.,
                dtype: DTypeSpec | None = None) -> tuple:
    """Returns the CIFAR-10 ``(train, test)`` datasets (50000 and 10000 images).

    Built once from the binary archive into
    ``<dataset root>/pfnet/chainer/cifar/cifar-10.npz``.  Images are
    ``(3, 32, 32)`` (``ndim=3``) or 3072-vectors (``ndim=1``) in ``[0, scale]``;
    labels are int32.
    """
    return _get_cifar('cifar-10', _CIFAR10_URL, 10, withlabel, ndim, scale, dtype)


def get_cifar100(withlabel: bool = True, ndim: int = 3, scale: float = 1.,
                 dtype: DTypeSpec | None = None) -> tuple:
    """Returns the CIFAR-100 ``(train, test)`` datasets with the 100 fine labels.

    Built once into ``<dataset root>/pfnet/chainer/cifar/cifar-100.npz``.
    """
    return _get_cifar('cifar-100', _CIFAR100_URL, 100, withlabel, ndim, scale, dtype)
