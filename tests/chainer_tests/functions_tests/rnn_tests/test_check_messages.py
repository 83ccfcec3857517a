"""InvalidType messages of the rnn functions: Chainer's texts (its check
expressions, inputs named or not as its checks named them)."""
import pytest

import chainer.functions as F
from tests.chainer_tests.functions_tests._check_messages import assert_invalid, i, z


# tree_lstm unnamed
@pytest.mark.parametrize('f, label, expect, actual', [
    (lambda: F.tree_lstm(z(2, 3), i(2, 15)),
     'TreeLSTM', 'in_types[1].dtype == in_types[0].dtype', 'int32 != float32'),
])
def test_check_messages_are_chainers(f, label, expect, actual):
    assert_invalid(f, label, expect, actual)
