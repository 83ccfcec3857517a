"""onnx_chainer.testing.input_generator: the values of Chainer's generators."""
import numpy
import pytest

from onnx_chainer.testing import input_generator as ig


def test_increasing_steps_by_a_half_around_the_middle():
    numpy.testing.assert_array_equal(ig.increasing(2, 3),
                                     [[-1.5, -1.0, -0.5], [0.0, 0.5, 1.0]])
    assert ig.increasing(2, 3).dtype == numpy.float32
    numpy.testing.assert_array_equal(ig.increasing(5, dtype=numpy.float64),
                                     [-1.0, -0.5, 0.0, 0.5, 1.0])
    # Other dtypes (float16 too, as Chainer's) step by one.
    for dtype in (numpy.int32, numpy.float16):
        x = ig.increasing(2, 3, dtype=dtype)
        assert x.dtype == dtype
        numpy.testing.assert_array_equal(x, [[-3, -2, -1], [0, 1, 2]])
    assert ig.increasing().shape == () and ig.increasing(2, 0).shape == (2, 0)


def test_nonzero_and_positive_add_the_bias_in_float64():
    x = ig.nonzero_increasing(5, bias=0.3)
    numpy.testing.assert_array_equal(
        x, numpy.array([-0.7, -0.2, 0.3, 0.8, 1.3]).astype(numpy.float32))
    numpy.testing.assert_array_equal(ig.positive_increasing(3, dtype=numpy.float64),
                                     [1e-7, 0.5 + 1e-7, 1.0 + 1e-7])
    with pytest.raises(AssertionError):
        ig.nonzero_increasing(3, dtype=numpy.int32)
    with pytest.raises(TypeError):
        ig.positive_increasing(3, dtype=numpy.float16)


def test_shaped_range_takes_the_dtype():
    # Chainer's returned int64 whatever the dtype.
    x = ig.shaped_range(2, 3)
    assert x.dtype == numpy.float32
    numpy.testing.assert_array_equal(x, numpy.arange(6).reshape(2, 3))
