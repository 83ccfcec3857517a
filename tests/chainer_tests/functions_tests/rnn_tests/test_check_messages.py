"""InvalidType messages of the rnn functions: Chainer's texts (its check
expressions, inputs named or not as its checks named them)."""
import numpy
import pytest

import chainer.functions as F
from chainer.utils import type_check


def z(*s, dtype=numpy.float32):
    return numpy.zeros(s, dtype)


def i(*s):
    return numpy.zeros(s, numpy.int32)


# tree_lstm unnamed
@pytest.mark.parametrize('f, label, expect, actual', [
    (lambda: F.tree_lstm(z(2, 3), i(2, 15)),
     'TreeLSTM', 'in_types[1].dtype == in_types[0].dtype', 'int32 != float32'),
])
def test_check_messages_are_chainers(f, label, expect, actual):
    with pytest.raises(type_check.InvalidType) as e:
        f()
    assert str(e.value) == (f'\nInvalid operation is performed in: {label} (Forward)\n\n'
                            f'Expect: {expect}\nActual: {actual}')
