"""The ``env`` fixture of the dataset loader tests: a temporary root and local "downloads"."""
import shutil
import urllib.error

import pytest

from chainer import dataset
from chainer.dataset import download


@pytest.fixture
def env(tmp_path, monkeypatch):
    root = tmp_path / 'root'
    original = dataset.get_dataset_root()
    dataset.set_dataset_root(str(root))
    sources = {}
    fetched = []

    def fake_urlretrieve(url, path):
        fetched.append(url)
        if url not in sources:
            raise urllib.error.URLError('offline (test)')
        shutil.copy(sources[url], path)

    monkeypatch.setattr(download, '_urlretrieve', fake_urlretrieve)

    class Env:
        pass

    e = Env()
    e.root, e.sources, e.fetched, e.tmp = root, sources, fetched, tmp_path
    yield e
    dataset.set_dataset_root(original)
