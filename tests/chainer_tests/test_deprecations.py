"""Warnings of Chainer's deprecated and legacy idioms: their categories, and that
they are issued from the library, as Chainer's were (no ``stacklevel``), so that
Python's default filters hide a DeprecationWarning in user scripts alike."""
import os
import warnings

import numpy
import pytest

import chainer
import chainer.functions as F
import chainer.gradient_check
from chainer.backends import cuda
from chainer.links.model.vision import resnet

_PACKAGE = os.path.dirname(chainer.__file__)


def _one_warning(call, category):
    with warnings.catch_warnings(record=True) as w:
        warnings.simplefilter('always')
        call()
    w = [x for x in w if issubclass(x.category, category)]
    assert len(w) == 1, [str(x.message) for x in w]
    return w[0]


_x = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)
_ones = numpy.ones(3, numpy.float32)
_zeros = numpy.zeros(3, numpy.float32)


@pytest.mark.parametrize('call,category', [
    (lambda: cuda.get_device(None), DeprecationWarning),
    (lambda: resnet.BuildingBlock(n_layer=1, in_channels=2, mid_channels=2,
                                  out_channels=2, stride=1), DeprecationWarning),
    (lambda: chainer.gradient_check.assert_allclose(_x, _x), DeprecationWarning),
    (lambda: F.fixed_batch_renormalization(_x, _ones, _zeros, _zeros, _ones),
     DeprecationWarning),
    (lambda: chainer.links.Linear(2, 3)._device_id, DeprecationWarning),
    (lambda: F.batch_normalization(_x[:1], _ones, _zeros), UserWarning),
])
def test_warned_from_the_library(call, category):
    w = _one_warning(call, category)
    assert os.path.dirname(os.path.abspath(w.filename)).startswith(_PACKAGE), w.filename


def test_overriding_a_transfer_method_warns_from_the_library():
    def define():
        class Moved(chainer.Link):
            def to_cpu(self):
                return super().to_cpu()
        return Moved
    w = _one_warning(define, DeprecationWarning)
    assert os.path.abspath(w.filename).startswith(_PACKAGE), w.filename
