"""Fixtures shared by the example tests."""
from __future__ import annotations

import random

import numpy as np
import pytest

from chainer.dataset import download
from tests.examples_tests._example import dataset_root


@pytest.fixture(autouse=True)
def _keep_global_random_state():
    # The examples' --seed seeds the global generators; other tests keep theirs.
    np_state, py_state = np.random.get_state(), random.getstate()
    yield
    np.random.set_state(np_state)
    random.setstate(py_state)


@pytest.fixture
def offline(tmp_path, monkeypatch):
    """An empty dataset root and a network that refuses every download."""
    def refuse(url, path):
        raise OSError('network blocked by the test')
    monkeypatch.setattr(download, '_urlretrieve', refuse)
    with dataset_root(tmp_path / 'empty_root') as root:
        yield root
