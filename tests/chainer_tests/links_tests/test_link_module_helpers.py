"""Helpers that Chainer's link modules exposed under public names."""
from __future__ import annotations

import numpy

from chainer.link_hooks import spectral_normalization
from chainer.links.activation import simplified_dropconnect
import chainer.links as L
from chainer.links.loss import crf1d


def test_crf1d_list_helpers():
    xs = [[1], [1, 2, 3], [1, 2]]
    order = crf1d.argsort_list_descent(xs)
    assert list(order) == [1, 2, 0]
    permuted = crf1d.permutate_list(xs, order, inv=False)
    assert permuted == [[1, 2, 3], [1, 2], [1]]
    assert crf1d.permutate_list(permuted, order, inv=True) == xs


def test_l2normalize():
    v = numpy.array([3., 4.], numpy.float32)
    out = spectral_normalization.l2normalize(numpy, v, 1e-12)
    numpy.testing.assert_allclose(out, [0.6, 0.8], rtol=1e-6)


def test_link_classes_live_in_chainers_modules():
    # The module shows in repr(link) and in pickles.
    assert simplified_dropconnect.SimplifiedDropconnect is L.SimplifiedDropconnect
    assert L.SimplifiedDropconnect.__module__ == 'chainer.links.activation.simplified_dropconnect'
    assert L.Bias.__module__ == 'chainer.links.connection.bias'
    assert L.Scale.__module__ == 'chainer.links.connection.scale'
