"""Loading an example script as a module, and the dataset roots of the example tests."""
import contextlib
import importlib.util

import numpy as np

import chainer


def load_example(path, name):
    """The example script at ``path``, run as a fresh module called ``name``."""
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@contextlib.contextmanager
def dataset_root(root):
    """Chainer's dataset root set to ``root`` inside the block, restored after it."""
    old_root = chainer.dataset.get_dataset_root()
    chainer.dataset.set_dataset_root(str(root))
    try:
        yield root
    finally:
        chainer.dataset.set_dataset_root(old_root)


def make_cifar_root(root, n_train, n_test):
    """A dataset root holding a tiny random CIFAR-10 file where the loader keeps it;
    returns its arrays (``train_x``, ``train_y``, ``test_x``, ``test_y``)."""
    directory = root / 'pfnet' / 'chainer' / 'cifar'
    directory.mkdir(parents=True)
    rng = np.random.RandomState(0)
    arrays = {}
    for kind, n in (('train', n_train), ('test', n_test)):
        arrays[f'{kind}_x'] = rng.randint(0, 256, (n, 3072)).astype(np.uint8)
        arrays[f'{kind}_y'] = rng.randint(0, 10, n).astype(np.uint8)
    np.savez(directory / 'cifar-10.npz', **arrays)
    return arrays
