import numpy as np
import pytest

import chainer
from chainer import initializer


class TestGetFans:

    @pytest.mark.parametrize('shape, expected', [
        ((2, 3), (3, 2)),
        ((4, 3, 5), (15, 20)),
        ((6, 2, 3, 3), (18, 54)),
        ((2, 3, 1, 1, 2), (6, 4)),
        ((5, 0), (0, 5)),
    ])
    def test_fans(self, shape, expected):
        fans = initializer.get_fans(shape)
        assert fans == expected
        assert all(isinstance(f, int) for f in fans)

    @pytest.mark.parametrize('shape', [(), (3,)])
    def test_too_few_dims(self, shape):
        with pytest.raises(ValueError, match=r'^shape must be of length >= 2\. Actual shape: '):
            initializer.get_fans(shape)

    def test_not_tuple(self):
        with pytest.raises(ValueError,
                           match=r"^shape must be tuple\. Actual type: <class 'list'>$"):
            initializer.get_fans([2, 3])


class TestInitializerBase:

    def test_dtype_attribute(self):
        assert initializer.Initializer().dtype is None
        assert initializer.Initializer(np.float16).dtype == np.float16
        assert initializer.Initializer(dtype='float64').dtype == 'float64'

    def test_call_not_implemented(self):
        with pytest.raises(NotImplementedError):
            initializer.Initializer()(np.empty(3, np.float32))

    def test_subclass(self):
        class Twos(initializer.Initializer):
            def __call__(self, array):
                array[...] = 2

        a = chainer.initializers.generate_array(Twos(np.float64), (2, 2), np)
        assert a.dtype == np.float64
        np.testing.assert_array_equal(a, np.full((2, 2), 2.))

    def test_dtype_mismatch_error_is_value_and_assertion_error(self):
        init = chainer.initializers.Zero(np.float32)
        with pytest.raises(ValueError, match='dtype mismatch'):
            init(np.empty(3, np.float64))
        with pytest.raises(AssertionError):
            init(np.empty(3, np.float64))
