import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import gradient_check
from chainer.utils import type_check


def _to_groups(x, groups):
    c = x.shape[1]
    return numpy.moveaxis(x, 1, 0).reshape(groups, c // groups, -1)


def _reference(x, groups, eps):
    """ZCA whitening per group, with the inverse square root by eigendecomposition."""
    xg = _to_groups(x.astype(numpy.float64), groups)
    out = numpy.empty_like(xg)
    for g in range(groups):
        xc = xg[g] - xg[g].mean(axis=1, keepdims=True)
        cov = xc @ xc.T / xc.shape[1] + eps * numpy.eye(len(xc))
        w, v = numpy.linalg.eigh(cov)
        out[g] = v @ numpy.diag(w ** -0.5) @ v.T @ xc
    c = x.shape[1]
    rest = (x.shape[0],) + x.shape[2:]
    return numpy.moveaxis(out.reshape((c,) + rest), 0, 1)


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape,groups', [((6, 4), 2), ((5, 4, 2, 3), 1), ((4, 6, 3), 3)])
def test_forward(dtype, shape, groups):
    x = numpy.random.uniform(-1, 1, shape).astype(dtype)
    y = F.decorrelated_batch_normalization(x, groups=groups)
    assert y.dtype == dtype and y.shape == shape
    tol = 5e-2 if dtype == numpy.float16 else 1e-4
    numpy.testing.assert_allclose(y.array, _reference(x, groups, 2e-5), atol=tol, rtol=tol)


@pytest.mark.parametrize('shape,groups', [((7, 4, 3), 2), ((9, 3), 1)])
def test_backward(shape, groups):
    x = numpy.random.randn(*shape)
    gradient_check.check_backward(
        lambda x: F.decorrelated_batch_normalization(x, groups=groups, eps=1e-2),
        (x,), numpy.random.randn(*shape), atol=1e-5, rtol=1e-4)


@pytest.mark.parametrize('shape,groups', [((6, 4), 2), ((5, 2, 2), 1)])
def test_double_backward(shape, groups):
    x = numpy.random.randn(*shape)
    gradient_check.check_double_backward(
        lambda x: F.decorrelated_batch_normalization(x, groups=groups, eps=1e-2),
        (x,), numpy.random.randn(*shape), numpy.random.randn(*shape),
        atol=1e-4, rtol=1e-3)


def test_matrix_square_root_and_lyapunov_solve():
    from chainer.functions.normalization import decorrelated_batch_normalization as dbn
    rng = numpy.random.RandomState(0)
    a = rng.randn(2, 3, 3)
    spd = a @ a.transpose(0, 2, 1) + numpy.eye(3)
    s, = dbn.SymmetricSqrt().apply((spd,))
    numpy.testing.assert_allclose(s.array @ s.array, spd, rtol=1e-10)
    c = rng.randn(2, 3, 3)
    y, = dbn.LyapunovSolve().apply((s.array, c))
    numpy.testing.assert_allclose(s.array @ y.array + y.array @ s.array, c, atol=1e-10)

    def sqrt(m):
        return dbn.SymmetricSqrt().apply(((m + chainer.functions.swapaxes(m, 1, 2)) / 2,))[0]

    gradient_check.check_double_backward(sqrt, (spd,), rng.randn(2, 3, 3), rng.randn(2, 3, 3),
                                         atol=1e-5, rtol=1e-4)


def test_running_statistics():
    x = numpy.random.randn(8, 4).astype(numpy.float32)
    mean = numpy.zeros((2, 2), numpy.float32)
    proj = numpy.broadcast_to(numpy.eye(2, dtype=numpy.float32), (2, 2, 2)).copy()
    y = F.decorrelated_batch_normalization(x, groups=2, running_mean=mean,
                                           running_projection=proj, decay=0.5)
    numpy.testing.assert_allclose(mean, 0.5 * x.mean(0).reshape(2, 2), rtol=1e-5)
    # The projection is averaged in times m / (m - 1) (m = 8 values per channel), as
    # Chainer does; undone, the batch's own statistics reproduce the output.
    full_mean = x.mean(0).reshape(2, 2)
    full_proj = (proj - 0.5 * numpy.eye(2, dtype=numpy.float32)) * 2 * 7 / 8
    y2 = F.fixed_decorrelated_batch_normalization(x, full_mean, full_proj, groups=2)
    numpy.testing.assert_allclose(y2.array, y.array, atol=1e-4)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_fixed_gradients(dtype):
    x = numpy.random.randn(3, 4, 2).astype(dtype)
    mean = numpy.random.randn(2, 2).astype(dtype)
    proj = numpy.random.randn(2, 2, 2).astype(dtype)
    gy = numpy.random.randn(3, 4, 2).astype(dtype)

    def f(*a):
        return F.fixed_decorrelated_batch_normalization(*a, groups=2)

    gradient_check.check_double_backward(
        f, (x, mean, proj), gy, (gy * 0.5, mean, proj), dtype=numpy.float64,
        atol=1e-3, rtol=1e-3)


def test_bad_inputs():
    with pytest.raises(type_check.InvalidType):
        F.decorrelated_batch_normalization(numpy.zeros((4, 3), 'f'), groups=2)
    with pytest.raises(type_check.InvalidType):
        F.decorrelated_batch_normalization(numpy.zeros((4, 4), 'i'), groups=2)
    with pytest.raises(type_check.InvalidType):
        F.fixed_decorrelated_batch_normalization(
            numpy.zeros((4, 4), 'f'), numpy.zeros((2, 3), 'f'), numpy.zeros((2, 2, 2), 'f'),
            groups=2)


def test_running_projection_of_a_single_sample_is_not_scaled():
    x = numpy.array([[0.5, -1.0]])
    proj = numpy.zeros((1, 2, 2))
    F.decorrelated_batch_normalization(x, groups=1, running_projection=proj, decay=0.0)
    numpy.testing.assert_allclose(proj[0], numpy.eye(2) / numpy.sqrt(2e-5))


def test_running_projection_unbiased_factor():
    # Chainer 7.8.1 gives these values (3 x 2 x 2 = 12 elements per channel).
    x = numpy.random.RandomState(1).randn(3, 4, 2, 2).astype(numpy.float32)
    mean = numpy.zeros((2, 2), numpy.float32)
    proj = numpy.broadcast_to(numpy.eye(2, dtype=numpy.float32), (2, 2, 2)).copy()
    F.decorrelated_batch_normalization(x, groups=2, running_mean=mean, running_projection=proj)
    numpy.testing.assert_allclose(
        proj.ravel(), [1.053275, -0.013053, -0.013053, 0.992194,
                       1.041024, -0.070079, -0.070079, 1.078822], atol=2e-6)


def test_check_messages_are_chainers():
    with pytest.raises(type_check.InvalidType) as e:
        F.decorrelated_batch_normalization(numpy.zeros((5, 5), numpy.float32), groups=2)
    assert str(e.value) == (
        '\nInvalid operation is performed in: DecorrelatedBatchNormalization (Forward)\n\n'
        'Expect: in_types[0].shape[1] % 2 == 0\nActual: 1 != 0')


@pytest.mark.parametrize('x_shape, mean_shape, also', [
    # Chainer 7.8.1 failed in NumPy: its reshape (ValueError) for groups that do not
    # divide the channels, a reduction over the mean's missing axis (AxisError) else
    ((8, 5), (2, 2), ValueError),
    ((8, 4), (4,), numpy.exceptions.AxisError),
])
def test_fixed_form_shape_errors_are_also_chainers(x_shape, mean_shape, also):
    rng = numpy.random.RandomState(0)
    with pytest.raises(type_check.InvalidType) as e:
        F.fixed_decorrelated_batch_normalization(
            rng.randn(*x_shape).astype('f'), rng.randn(*mean_shape).astype('f'),
            rng.randn(2, 2, 2).astype('f'), groups=2)
    assert isinstance(e.value, also)


def test_forward_is_one_node_and_its_gradient_another():
    from chainer.functions.normalization import decorrelated_batch_normalization as dbn
    x = chainer.Variable(numpy.random.randn(6, 4, 3).astype(numpy.float32))
    y = F.decorrelated_batch_normalization(x, groups=2)
    assert isinstance(y.creator, dbn.DecorrelatedBatchNormalization)
    assert y.creator.inputs[0] is x.node
    gx, = chainer.grad([y], [x], [chainer.Variable(numpy.ones_like(y.array))],
                       enable_double_backprop=True)
    assert isinstance(gx.creator, dbn._DecorrelationGrad)
    assert gx.creator.inputs[0] is x.node


@pytest.mark.parametrize('dtype, tol', [
    (numpy.float16, 5e-2), (numpy.float32, 2e-3), (numpy.float64, 1e-4)])
def test_gradients_in_every_dtype(dtype, tol):
    shape = (8, 4, 2)
    x = numpy.random.randn(*shape).astype(dtype)
    gy = numpy.random.randn(*shape).astype(dtype)
    ggx = numpy.random.randn(*shape).astype(dtype)

    def f(x):
        return F.decorrelated_batch_normalization(x, groups=2, eps=1e-1)

    gradient_check.check_backward(f, (x,), gy, dtype=numpy.float64, atol=tol, rtol=tol)
    gradient_check.check_double_backward(f, (x,), gy, ggx, dtype=numpy.float64,
                                         atol=tol, rtol=tol)


def test_third_order():
    # the gradient of the gradient node is itself differentiable (in x and gy)
    shape = (7, 4)
    x = numpy.random.randn(*shape)

    def first(x, gy):
        y = F.decorrelated_batch_normalization(x, groups=2, eps=1e-2)
        return chainer.grad([y], [x], [gy], enable_double_backprop=True)[0]

    gradient_check.check_double_backward(
        first, (x, numpy.random.randn(*shape)), numpy.random.randn(*shape),
        (numpy.random.randn(*shape), numpy.random.randn(*shape)), atol=1e-4, rtol=1e-3)


def test_gradient_is_the_composition_s():
    from chainer.functions.normalization import decorrelated_batch_normalization as dbn
    x = chainer.Variable(numpy.random.randn(9, 6, 2))
    gy = numpy.random.randn(9, 6, 2)
    y = F.decorrelated_batch_normalization(x, groups=3)
    gx, = chainer.grad([y], [x], [chainer.Variable(gy)])
    xc = chainer.Variable(x.array)
    yc = dbn._compose(xc, 3, 2e-5)
    numpy.testing.assert_array_equal(y.array, yc.array)
    ref, = chainer.grad([yc], [xc], [chainer.Variable(gy)])
    numpy.testing.assert_allclose(gx.array, ref.array, rtol=1e-9, atol=1e-10)
