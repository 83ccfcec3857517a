"""What the families' ``test_check_messages.py`` share: small inputs and
Chainer's ``InvalidType`` text."""
import numpy
import pytest

from chainer.utils import type_check


def z(*shape, dtype=numpy.float32):
    return numpy.zeros(shape, dtype)


def i(*shape):
    return numpy.zeros(shape, numpy.int32)


def text(label: str, expect: str, actual: str) -> str:
    """``str()`` of the InvalidType a forward check of ``label`` raises."""
    return (f'\nInvalid operation is performed in: {label} (Forward)\n\n'
            f'Expect: {expect}\nActual: {actual}')


def assert_invalid(f, label: str, expect: str, actual: str) -> None:
    """``f()`` raises the InvalidType of :func:`text`."""
    with pytest.raises(type_check.InvalidType) as e:
        f()
    assert str(e.value) == text(label, expect, actual)
