"""The chainerx stand-in package (ChainerX is not part of rechainer)."""
import subprocess
import sys

import numpy
import pytest

import chainer
import chainerx


def test_is_available():
    assert chainerx.is_available() is False


@pytest.mark.parametrize('cls', ['ndarray', 'Device', 'DeviceScope', 'Backend', 'Context'])
def test_placeholder_classes(cls):
    klass = getattr(chainerx, cls)
    assert isinstance(klass, type)
    assert not isinstance(numpy.ones(1), klass)
    with pytest.raises(RuntimeError, match='ChainerX is not available'):
        klass()


@pytest.mark.parametrize('fn, args', [
    ('get_device', ('native:0',)), ('get_default_device', ()), ('set_default_device', (None,)),
    ('using_device', ('native',)), ('get_backend', ('native',)), ('get_default_context', ()),
])
def test_functions_raise(fn, args):
    with pytest.raises(RuntimeError, match='ChainerX is not available'):
        getattr(chainerx, fn)(*args)


def test_unknown_attribute():
    with pytest.raises(AttributeError, match='no_such_name'):
        chainerx.no_such_name
    assert not hasattr(chainerx, 'float32')
    with pytest.raises(ImportError):
        from chainerx import no_such_name  # NOQA: F401


def test_import_is_cheap_and_standalone():
    code = 'import sys, chainerx; assert chainerx.is_available() is False; ' \
           "assert 'numpy' not in sys.modules"
    subprocess.run([sys.executable, '-c', code], check=True)


@pytest.mark.parametrize('call', [
    lambda: chainerx.get_device('native:0'),
    lambda: chainerx.using_device('native'),
    lambda: chainer.backend.ChainerxDevice('native:0'),
    lambda: chainer.backend.ChainerxDevice.from_fallback_device(chainer.backend.CpuDevice()),
])
def test_not_available_is_also_attribute_error(call):
    # Chainer's stand-in lacked these names, so calling them raised AttributeError.
    with pytest.raises(AttributeError, match='ChainerX is not available'):
        call()
    with pytest.raises(RuntimeError, match='ChainerX is not available'):
        call()
