import numpy
import pytest

from chainer import testing


@pytest.mark.parametrize('shape', [(3, 3), (4, 2), (2, 5), (2, 3, 3), (2, 1, 4, 3)])
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64, numpy.complex64])
def test_singular_values(shape, dtype):
    k = min(shape[-2:])
    sv = numpy.linspace(1, 3, k)
    a = testing.generate_matrix(shape, dtype=dtype, singular_values=sv)
    assert a.shape == shape
    assert a.dtype == dtype
    s = numpy.linalg.svd(a.astype(numpy.complex128), compute_uv=False)
    numpy.testing.assert_allclose(s, numpy.broadcast_to(sv[::-1], s.shape), rtol=1e-5)


def test_scalar_singular_value_and_empty():
    a = testing.generate_matrix((3, 3), singular_values=2)
    numpy.testing.assert_allclose(numpy.linalg.svd(a, compute_uv=False), [2, 2, 2])
    assert testing.generate_matrix((0, 3), singular_values=1).shape == (0, 3)
    assert a.dtype == numpy.float64


@pytest.mark.parametrize('shape, dtype, kwargs, error', [
    ((3,), float, {'singular_values': 1}, ValueError),
    ((3, 3), numpy.int32, {'singular_values': 1}, TypeError),
    ((3, 3), float, {}, TypeError),
    ((3, 3), float, {'singular_values': 1j}, TypeError),
    ((3, 3), float, {'singular_values': -1}, ValueError),
    ((3, 3), float, {'singular_values': [1, 2]}, ValueError),
    ((3, 3), float, {'singular_values': 1, 'foo': 2}, TypeError),
])
def test_bad_arguments(shape, dtype, kwargs, error):
    with pytest.raises(error):
        testing.generate_matrix(shape, dtype, **kwargs)
