"""Every onnx_chainer module of Chainer 7.8.1 imports and holds its names."""
import importlib
import os

import pytest

pytest.importorskip('onnx', reason="needs the 'onnx' extra")

_SPEC = os.path.join(os.path.dirname(__file__), '..', 'chainer-7.8.1-modules.txt')


def _spec():
    spec = {}
    with open(_SPEC, encoding='utf-8') as f:
        for line in f:
            if line.startswith('onnx_chainer'):
                module, _, names = line.partition(':')
                spec[module.strip()] = [n.rstrip('/') for n in names.split()]
    return spec


SPEC = _spec()


def test_spec_lists_onnx_chainer():
    assert len(SPEC) >= 25


@pytest.mark.parametrize('module', sorted(SPEC))
def test_module_has_names(module):
    mod = importlib.import_module(module)
    missing = [n for n in SPEC[module] if not hasattr(mod, n)]
    assert not missing, f'{module} lacks {missing}'
