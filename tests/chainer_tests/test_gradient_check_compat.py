"""check_backward's non-differentiable point detection follows its tolerance."""
from __future__ import annotations

import numpy
import pytest

import chainer.functions as F
from chainer import gradient_check


def _slight_kink(x):
    # Differentiable everywhere but at 0, where the slope jumps by 2 %.
    return x + 0.01 * F.absolute(x)


def test_kink_is_reported_under_tight_tolerance():
    x = numpy.zeros(3)
    with pytest.raises(gradient_check.NondifferentiableError):
        gradient_check.check_backward(_slight_kink, x, numpy.ones(3), atol=1e-4,
                                      rtol=1e-4, detect_nondifferentiable=True)


def test_kink_within_loose_tolerance_is_accepted():
    x = numpy.zeros(3)
    gradient_check.check_backward(_slight_kink, x, numpy.ones(3), atol=1e-4,
                                  rtol=1e-2, detect_nondifferentiable=True)


def test_smooth_function_passes_with_default_tolerance():
    x = numpy.random.RandomState(0).uniform(-1, 1, (4,))
    gradient_check.check_backward(F.tanh, x, numpy.ones(4), detect_nondifferentiable=True)


def test_check_backward_class_name():
    assert gradient_check._CheckBackward.__name__ == '_CheckBackward'
