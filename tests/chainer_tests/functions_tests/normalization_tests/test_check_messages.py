"""InvalidType messages of the normalization functions: Chainer's texts (its check
expressions, inputs named or not as its checks named them)."""
import numpy
import pytest

import chainer.functions as F
from chainer.functions.normalization.decorrelated_batch_normalization import (
    DecorrelatedBatchNormalization)
from tests.chainer_tests.functions_tests._check_messages import assert_invalid, i, z


# the normalizations unnamed, in Chainer's order of checks
@pytest.mark.parametrize('f, label, expect, actual', [
    (lambda: F.normalize(i(2, 3)),
     'NormalizeL2', 'in_types[0].dtype.kind == f', 'i != f'),
    (lambda: F.local_response_normalization(z(3)),
     'LocalResponseNormalization', 'in_types[0].ndim >= 2', '1 < 2'),
    (lambda: F.batch_normalization(z(4, 3), z(4), z(3)),
     'BatchNormalization', 'in_types[1].shape == in_types[2].shape', '(4,) != (3,)'),
    (lambda: F.fixed_batch_normalization(z(4, 3), z(3), z(3), z(3, dtype=numpy.float64), z(3)),
     'FixedBatchNormalization', 'in_types[3].dtype == in_types[1].dtype', 'float64 != float32'),
    (lambda: F.group_normalization(z(2, 4, 3), 2, z(5), z(4)),
     'GroupNormalization', 'in_types[0].shape[1] == in_types[1].shape[0]', '4 != 5'),
    (lambda: F.layer_normalization(z(2, 3), z(3), z()),
     'LayerNormalization', 'in_types[2].ndim == 1', '0 != 1'),
    (lambda: F.decorrelated_batch_normalization(z(5, 5), groups=2),
     'DecorrelatedBatchNormalization', 'in_types[0].shape[1] % 2 == 0', '1 != 0'),
    (lambda: F.decorrelated_batch_normalization(i(4, 4), groups=2),
     'DecorrelatedBatchNormalization', 'in_types[0].dtype.kind == f', 'i != f'),
])
def test_check_messages_are_chainers(f, label, expect, actual):
    assert_invalid(f, label, expect, actual)


def test_decorrelated_batch_normalization_node_takes_one_input():
    assert_invalid(lambda: DecorrelatedBatchNormalization(2).apply((z(4, 4), z(4, 4))),
                   'DecorrelatedBatchNormalization', 'in_types.size == 1', '2 != 1')


_X = numpy.random.RandomState(0).randn(4, 6).astype(numpy.float32)
_G, _B = numpy.ones(6, numpy.float32), numpy.zeros(6, numpy.float32)


@pytest.mark.parametrize('call', [
    lambda eps: F.batch_normalization(_X, _G, _B, eps=eps),
    lambda eps: F.fixed_batch_normalization(_X, _G, _B, _B, _G, eps=eps),
    lambda eps: F.batch_renormalization(_X, _G, _B, 1.0, 0.0, eps=eps, running_mean=_B.copy(),
                                        running_var=_G.copy()),
    lambda eps: F.layer_normalization(_X, _G, _B, eps=eps),
    lambda eps: F.group_normalization(_X, 2, _G, _B, eps=eps),
    lambda eps: F.normalize(_X, eps=eps),
    lambda eps: F.decorrelated_batch_normalization(_X, groups=2, eps=eps),
    lambda eps: F.local_response_normalization(_X[:, :, None, None], k=eps),
    lambda eps: F.local_response_normalization(_X[:, :, None, None], alpha=eps),
])
@pytest.mark.parametrize('eps', [None, 'a', (1e-5, 1e-5, 1e-5)])
def test_constants_that_are_no_numbers_are_refused(call, eps):
    # Chainer 7.8.1's arithmetic failed on them (TypeError, or ValueError for a tuple
    # that did not broadcast); NumPy turned None into NaN and ours returned NaN
    with pytest.raises(TypeError, match='must be a real number') as e:
        call(eps)
    assert isinstance(e.value, ValueError)


@pytest.mark.parametrize('eps', [1e-5, 1, numpy.float32(1e-5), numpy.array(1e-5)])
def test_numeric_constants_are_taken(eps):
    y = F.layer_normalization(_X, _G, _B, eps=eps)
    assert numpy.isfinite(y.array).all()


@pytest.mark.parametrize('f', [
    lambda x, g, b, axis: F.batch_normalization(x, g, b, axis=axis),
    lambda x, g, b, axis: F.fixed_batch_normalization(x, g, b, b, g, axis=axis),
])
def test_batch_normalization_axis_of_another_type(f):
    # Chainer 7.8.1's RuntimeError; ours failed inside ('float' object is not iterable),
    # and on a NumPy integer axis, which is taken now
    x, g, b = numpy.ones((3, 4, 2), 'f'), numpy.ones(4, 'f'), numpy.zeros(4, 'f')
    for axis in (2.5, 'foo'):
        with pytest.raises(RuntimeError, match='axis must be int, tuple of int or None'):
            f(x, g, b, axis)
    y = f(x, numpy.ones((4, 2), 'f'), numpy.zeros((4, 2), 'f'), numpy.int64(0))
    assert y.shape == (3, 4, 2)


def test_an_array_constant_broadcasts_as_in_chainer():
    # Chainer's arithmetic took an eps array that broadcasts (F.normalize per row)
    eps = numpy.full((4, 1), 1e-5, numpy.float32)
    y = F.normalize(_X, eps=eps)
    numpy.testing.assert_allclose(y.array, F.normalize(_X).array, rtol=1e-6)
