import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import gradient_check
from chainer.functions.noise.zoneout import Zoneout, zoneout
from chainer.utils import type_check


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_forward_mixes_and_backward_uses_the_same_flags(dtype):
    h = chainer.Variable(numpy.zeros((100, 50), dtype))
    x = chainer.Variable(numpy.ones((100, 50), dtype))
    y = zoneout(h, x, ratio=0.3)
    assert y.dtype == dtype
    from_x = y.array == 1
    assert 0.6 < from_x.mean() < 0.8
    F.sum(y).backward()
    numpy.testing.assert_array_equal(x.grad, from_x.astype(dtype))
    numpy.testing.assert_array_equal(h.grad, (~from_x).astype(dtype))


def test_gradient_checks_with_fixed_seed():
    h = numpy.random.rand(3, 4)
    x = numpy.random.rand(3, 4)
    gy = numpy.random.rand(3, 4)

    def f(h_, x_):
        numpy.random.seed(7)
        return zoneout(h_, x_, 0.5) ** 2

    gradient_check.check_backward(f, (h, x), gy)
    gradient_check.check_double_backward(f, (h, x), gy, (numpy.random.rand(3, 4),
                                                        numpy.random.rand(3, 4)))


def test_test_mode_returns_x():
    x = numpy.random.rand(2, 3).astype(numpy.float32)
    with chainer.using_config('train', False):
        y = zoneout(numpy.zeros_like(x), x)
    numpy.testing.assert_array_equal(chainer.as_array(y), x)


def test_bad_inputs():
    a = numpy.zeros((2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        zoneout(a, numpy.zeros((3, 2), numpy.float32))
    with pytest.raises(type_check.InvalidType):
        zoneout(a, a.astype(numpy.int32))
    with pytest.raises(ValueError):
        zoneout(a, a, train=True)


@pytest.mark.parametrize('dtypes', [(numpy.float16, numpy.float64), (numpy.float64, numpy.float32)])
def test_two_float_dtypes(dtypes):
    # Chainer mixed them into NumPy's promotion; the gradients keep each input's dtype.
    h = chainer.Variable(numpy.ones((4, 5), dtypes[0]))
    x = chainer.Variable(numpy.full((4, 5), 2.0, dtypes[1]))
    y = zoneout(h, x, 0.5)
    assert y.dtype == numpy.result_type(*dtypes)
    from_h = y.array == 1
    assert numpy.all(from_h | (y.array == 2))
    gh, gx = chainer.grad([y], [h, x], [chainer.Variable(numpy.full(y.shape, 3.0, y.dtype))])
    assert (gh.dtype, gx.dtype) == dtypes
    numpy.testing.assert_array_equal(gh.array, numpy.where(from_h, 3, 0))
    numpy.testing.assert_array_equal(gx.array, numpy.where(from_h, 0, 3))


def test_node_keeps_only_boolean_masks():
    # Chainer's node keeps the two masks as booleans, not float copies of x's size.
    h = chainer.Variable(numpy.ones((4, 5), numpy.float32))
    x = chainer.Variable(numpy.full((4, 5), 2.0, numpy.float32))
    y = zoneout(h, x, 0.5)
    arrays = [v for v in vars(y.creator).values() if isinstance(v, numpy.ndarray)]
    assert len(arrays) == 2 and all(a.dtype == numpy.bool_ for a in arrays)
    y.grad = numpy.ones_like(y.array)
    y.backward()
    numpy.testing.assert_array_equal(h.grad + x.grad, numpy.ones((4, 5)))


def test_check_messages_are_chainers():
    h = numpy.zeros((2, 3), numpy.float32)
    with pytest.raises(type_check.InvalidType) as e:
        Zoneout(0.5).apply((h, h, h))
    assert str(e.value) == ('\nInvalid operation is performed in: Zoneout (Forward)\n\n'
                            'Expect: in_types.size == 2\nActual: 3 != 2')
    # Shapes Chainer did not check: NumPy's ValueError
    with pytest.raises(ValueError):
        F.zoneout(h, numpy.zeros((2, 4), numpy.float32))


def test_mask_is_drawn_by_xp_random_rand():
    # Chainer draws the masks of zoneout, dropout and simplified dropconnect with
    # xp.random.rand(*shape): a mock of it (or a seeded generator) decides them.
    from unittest import mock
    u = numpy.array([[0.1, 0.9, 0.5], [0.7, 0.2, 0.4]])
    h = numpy.zeros((2, 3), numpy.float32)
    x = numpy.ones((2, 3), numpy.float32)
    with mock.patch('numpy.random.rand', return_value=u) as rand:
        y = zoneout(h, x, 0.45)
        rand.assert_called_once_with(2, 3)
    numpy.testing.assert_array_equal(y.array, u >= 0.45)
    with mock.patch('numpy.random.rand', return_value=u) as rand:
        y = F.dropout(x, 0.45)
        rand.assert_called_once_with(2, 3)
    numpy.testing.assert_allclose(y.array, (u >= 0.45) / numpy.float32(0.55))
    w = numpy.ones((3, 3), numpy.float32)
    with mock.patch('numpy.random.rand', return_value=u[:, :, None] * numpy.ones(3)) as rand:
        F.simplified_dropconnect(x, w, ratio=0.45)
        rand.assert_called_once_with(2, 3, 3)


def test_zero_dim_masks_are_arrays():
    # numpy.random.rand() with no shape returns a float: the masks stay 0-d arrays.
    h = chainer.Variable(numpy.array(1.0, numpy.float32))
    x = chainer.Variable(numpy.array(2.0, numpy.float32))
    for _ in range(4):
        y = zoneout(h, x, 0.5)
        assert isinstance(y.array, numpy.ndarray) and y.shape == ()
        y.backward()
        assert float(h.grad) + float(x.grad) == 1.0
        h.cleargrad()
        x.cleargrad()
        d = F.dropout(x, 0.5)
        assert isinstance(d.creator.mask, numpy.ndarray) and d.creator.mask.shape == ()
