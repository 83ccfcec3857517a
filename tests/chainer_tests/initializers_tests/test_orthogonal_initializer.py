import numpy as np
import pytest

import chainer
from chainer import initializers

TOL = {np.float16: 5e-3, np.float32: 1e-5, np.float64: 1e-12}


def _check_orthogonal(a, scale, tol):
    w = a.reshape(len(a), -1).astype(np.float64)
    out_dim, in_dim = w.shape
    if out_dim <= in_dim:
        gram = w @ w.T  # orthonormal rows
    else:
        gram = w.T @ w  # orthonormal columns
    np.testing.assert_allclose(gram, scale ** 2 * np.eye(len(gram)), atol=tol * scale ** 2 * 4)


class TestOrthogonal:

    @pytest.mark.parametrize('dtype', [np.float16, np.float32, np.float64])
    @pytest.mark.parametrize('shape', [(4, 4), (3, 5), (5, 3), (3, 2, 2), (6, 2, 3, 1),
                                       (1, 7), (7, 1), (1,)])
    @pytest.mark.parametrize('scale', [1.1, 2.0])
    def test_orthogonal(self, dtype, shape, scale):
        a = np.empty(shape, dtype)
        initializers.Orthogonal(scale, dtype, rng=np.random.RandomState(0))(a)
        assert a.dtype == dtype and a.shape == shape
        _check_orthogonal(a, scale, TOL[dtype])

    def test_defaults(self):
        init = initializers.Orthogonal()
        assert init.scale == 1.1 and init.mode == 'auto'
        assert init.dtype is None and init.rng is None
        a = initializers.generate_array(init, (5, 5), np)
        assert a.dtype == np.float32
        _check_orthogonal(a, 1.1, 1e-5)

    def test_default_rng_is_numpy_random(self):
        np.random.seed(1)
        a = np.empty((3, 4))
        initializers.Orthogonal()(a)
        np.random.seed(1)
        b = np.empty((3, 4))
        initializers.Orthogonal()(b)
        np.testing.assert_array_equal(a, b)
        c = np.empty((3, 4))
        initializers.Orthogonal()(c)
        assert not np.array_equal(a, c)

    @pytest.mark.parametrize('rng_factory', [np.random.RandomState, np.random.default_rng])
    def test_rng(self, rng_factory):
        a = np.empty((4, 6), np.float32)
        b = np.empty((4, 6), np.float32)
        initializers.Orthogonal(rng=rng_factory(3))(a)
        initializers.Orthogonal(rng=rng_factory(3))(b)
        np.testing.assert_array_equal(a, b)
        _check_orthogonal(a, 1.1, 1e-5)

    @pytest.mark.parametrize('rng_factory', [np.random.RandomState, np.random.default_rng])
    def test_scalar(self, rng_factory):
        seen = set()
        rng = rng_factory(0)
        for _ in range(20):
            a = np.empty((), np.float32)
            initializers.Orthogonal(scale=2.0, rng=rng)(a)
            seen.add(float(a))
        assert seen == {-2.0, 2.0}

    def test_signs_not_fixed(self):
        # diag(r) sign correction: the first entry is not always positive
        signs = set()
        rng = np.random.RandomState(0)
        for _ in range(20):
            a = np.empty((3, 3))
            initializers.Orthogonal(rng=rng)(a)
            signs.add(bool(a[0, 0] > 0))
        assert signs == {True, False}

    @pytest.mark.parametrize('shape', [(0, 3), (3, 0), (0,), (2, 0, 3)])
    def test_empty(self, shape):
        with pytest.raises(ValueError, match='non-empty'):
            initializers.Orthogonal()(np.empty(shape, np.float32))

    @pytest.mark.parametrize('mode, shape, ok', [
        ('auto', (3, 5), True), ('auto', (5, 3), True),
        ('projection', (3, 5), True), ('projection', (5, 3), False),
        ('projection', (4, 4), True),
        ('embedding', (5, 3), True), ('embedding', (3, 5), False),
        ('embedding', (4, 2, 2), True),
        ('basis', (4, 4), True), ('basis', (4, 2, 2), True),
        ('basis', (3, 5), False), ('basis', (5, 3), False),
    ])
    def test_modes(self, mode, shape, ok):
        init = initializers.Orthogonal(mode=mode, rng=np.random.RandomState(0))
        a = np.empty(shape, np.float64)
        if ok:
            init(a)
            _check_orthogonal(a, 1.1, 1e-12)
        else:
            with pytest.raises(ValueError, match=f'Cannot make orthogonal {mode}'):
                init(a)

    def test_invalid_mode(self):
        with pytest.raises(ValueError, match='Invalid mode'):
            initializers.Orthogonal(mode='square')

    def test_unknown_kwarg(self):
        with pytest.raises(TypeError):
            initializers.Orthogonal(seed=1)
        # Chainer checks the keywords before the mode.
        with pytest.raises(TypeError):
            initializers.Orthogonal(mode='square', seed=1)

    def test_dtype_mismatch(self):
        with pytest.raises(ValueError, match='dtype mismatch'):
            initializers.Orthogonal(dtype=np.float32)(np.empty((3, 3), np.float64))

    def test_parameter(self):
        p = chainer.Parameter(initializers.Orthogonal(1.0), (8, 3))
        _check_orthogonal(p.array, 1.0, 1e-5)


@pytest.mark.gpu
@pytest.mark.parametrize('dtype', [np.float16, np.float32, np.float64])
def test_orthogonal_gpu(dtype):
    import cupy
    for shape in [(4, 4), (3, 5), (5, 3), (3, 2, 2)]:
        a = cupy.empty(shape, dtype)
        initializers.Orthogonal(rng=np.random.RandomState(0))(a)
        _check_orthogonal(a.get(), 1.1, TOL[dtype])
    b = cupy.empty((3, 5), dtype)
    initializers.Orthogonal()(b)
    _check_orthogonal(b.get(), 1.1, TOL[dtype])
    c = cupy.empty((), dtype)
    initializers.Orthogonal()(c)
    assert abs(float(c)) == pytest.approx(1.1, rel=1e-3)
