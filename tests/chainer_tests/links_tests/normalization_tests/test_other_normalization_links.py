import warnings

import numpy
import pytest

import chainer
import chainer.functions as F
import chainer.links as L
from chainer import testing
from chainer.utils import type_check


class TestBatchRenormalization:

    def test_attributes(self):
        link = L.BatchRenormalization(3, rmax=2, dmax=0.5)
        assert (link.rmax, link.dmax, link.r, link.d) == (2, 0.5, None, None)

    def test_train_matches_function_and_updates(self):
        link = L.BatchRenormalization(3, rmax=2, dmax=0.5)
        x = numpy.random.randn(6, 3).astype(numpy.float32)
        mean, var = link.avg_mean.copy(), link.avg_var.copy()
        y = link(x)
        expected = F.batch_renormalization(x, link.gamma.array, link.beta.array, 2, 0.5,
                                           running_mean=mean, running_var=var)
        numpy.testing.assert_allclose(y.array, expected.array, rtol=1e-5, atol=1e-6)
        numpy.testing.assert_allclose(link.avg_mean, 0.1 * x.mean(0), rtol=1e-5)

    def test_test_mode_and_save_load(self):
        src = L.BatchRenormalization(3)
        src(numpy.random.randn(6, 3).astype(numpy.float32), finetune=True)
        dst = L.BatchRenormalization(3)
        testing.save_and_load_npz(src, dst)
        numpy.testing.assert_array_equal(dst.avg_var, src.avg_var)
        assert dst.N == 1
        x = numpy.random.randn(2, 3).astype(numpy.float32)
        with chainer.using_config('train', False):
            numpy.testing.assert_allclose(dst(x).array, src(x).array)

    def test_bad_input(self):
        with pytest.raises(type_check.InvalidType):
            L.BatchRenormalization(3)(numpy.zeros((2, 4), numpy.float32))

    def test_forward_takes_finetune_only(self):
        # Chainer's forward(x, finetune=False): positional finetune, no test=.
        link = L.BatchRenormalization(3)
        x = numpy.ones((2, 3), numpy.float32)
        assert link(x, True).shape == (2, 3)
        for kw in ('test', 'bogus'):
            with pytest.raises(TypeError):
                link(x, **{kw: True})


def test_batch_renormalization_recomputed_without_a_first_forward():
    # As in the ONNX export with train=True: the current statistics, left alone
    # (F.forget: test_forget_recomputation_updates_statistics_once).
    x = numpy.random.RandomState(0).randn(6, 4).astype(numpy.float32)
    link = L.BatchRenormalization(4, rmax=2, dmax=1)
    with chainer.using_config('in_recomputing', True):
        y = link(x)
    assert link.N == 0 and not link.avg_mean.any() and (link.avg_var == 1).all()
    numpy.testing.assert_array_equal(y.array, L.BatchRenormalization(4, rmax=2, dmax=1)(x).array)


class TestDecorrelatedBatchNormalization:

    def test_train_whitens_and_test_uses_running(self):
        link = L.DecorrelatedBatchNormalization(4, groups=2)
        x = numpy.random.randn(20, 4).astype(numpy.float32)
        y = link(x, finetune=True)
        for g in range(2):
            block = y.array[:, 2 * g:2 * g + 2].astype(numpy.float64)
            numpy.testing.assert_allclose(block.T @ block / 20, numpy.eye(2), atol=1e-3)
        # finetune with one batch: the running statistics are the batch's own, the
        # projection scaled by m / (m - 1) as in Chainer.
        with chainer.using_config('train', False):
            y2 = link(x)
        numpy.testing.assert_allclose(y2.array, y.array * 20 / 19, atol=1e-3)

    def test_recomputed_forward_keeps_statistics(self):
        link = L.DecorrelatedBatchNormalization(4, groups=2)
        x = numpy.random.RandomState(0).randn(6, 4).astype(numpy.float32)
        with chainer.using_config('in_recomputing', True):
            link(x, finetune=True)
        assert link.N == 0 and not link.avg_mean.any()
        numpy.testing.assert_array_equal(link.avg_projection, numpy.stack([numpy.eye(2)] * 2))

    def test_empty_batch_raises_without_counting_it(self):
        link = L.DecorrelatedBatchNormalization(4, groups=2)
        with pytest.raises(ValueError, match='non-empty batch'):
            link(numpy.zeros((0, 4), numpy.float32), finetune=True)
        assert link.N == 0

    def test_save_load(self):
        src = L.DecorrelatedBatchNormalization(4, groups=2)
        src(numpy.random.randn(10, 4).astype(numpy.float32))
        dst = L.DecorrelatedBatchNormalization(4, groups=2)
        testing.save_and_load_npz(src, dst)
        numpy.testing.assert_array_equal(dst.avg_projection, src.avg_projection)
        numpy.testing.assert_array_equal(dst.avg_mean, src.avg_mean)

    def test_load_shared_statistics_layout(self):
        # Statistics of the older layout: one mean / projection for all groups.
        mean = numpy.array([0.5, -1.0], numpy.float32)
        proj = numpy.array([[2.0, 0.5], [0.5, 3.0]], numpy.float32)
        src = chainer.Link()
        for name, value in (('avg_mean', mean), ('avg_projection', proj), ('N', 0)):
            setattr(src, name, value)
            src.register_persistent(name)
        dst = L.DecorrelatedBatchNormalization(4, groups=2)
        # As in Chainer: one warning for each statistic of the old layout per load.
        with pytest.warns(UserWarning, match='old DecorrelatedBatchNormalization') as ws:
            testing.save_and_load_npz(src, dst)
        assert len(ws) == 2
        numpy.testing.assert_array_equal(dst.avg_mean, numpy.stack([mean, mean]))
        numpy.testing.assert_array_equal(dst.avg_projection, numpy.stack([proj, proj]))

    def test_fix_functions(self):
        from chainer.links.normalization import decorrelated_batch_normalization as m
        mean = numpy.zeros((3, 2), numpy.float32)
        assert m.fix_avg_mean(mean, 3) is mean
        with warnings.catch_warnings():
            warnings.simplefilter('error')  # one group: the layouts agree
            assert m.fix_avg_mean(numpy.ones(2), 1).shape == (1, 2)
        with pytest.warns(UserWarning):
            assert m.fix_avg_mean(numpy.ones(2), 3).shape == (3, 2)
        with pytest.warns(UserWarning):
            assert m.fix_avg_projection(numpy.eye(2), 3).shape == (3, 2, 2)
        with pytest.raises(ValueError):
            m.fix_avg_projection(numpy.ones(2), 3)

    def test_bad_input(self):
        # As in Chainer: groups that do not divide size are refused at the first call.
        link = L.DecorrelatedBatchNormalization(5, groups=2)
        assert link.avg_mean.shape == (2, 2)
        with pytest.raises(type_check.InvalidType):
            link(numpy.zeros((3, 5), numpy.float32))
        assert L.DecorrelatedBatchNormalization(3).avg_projection.shape == (16, 0, 0)
        with pytest.raises(TypeError):
            L.DecorrelatedBatchNormalization(32.0)
        with pytest.raises(type_check.InvalidType):
            L.DecorrelatedBatchNormalization(4, groups=2)(numpy.zeros((3, 4), numpy.int32))


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_group_normalization_link(dtype):
    link = L.GroupNormalization(2, initial_gamma=initializer(dtype, 2.0),
                                initial_beta=initializer(dtype, 0.5))
    x = numpy.random.randn(3, 4, 5).astype(dtype)
    y = link(x)
    assert link.gamma.shape == (4,) and y.dtype == dtype
    expected = F.group_normalization(x, 2, numpy.full(4, 2, dtype), numpy.full(4, 0.5, dtype))
    numpy.testing.assert_allclose(y.array, expected.array, rtol=1e-5)
    y.grad = numpy.ones_like(y.array)
    y.backward()
    assert link.gamma.grad.shape == (4,)
    dst = L.GroupNormalization(2)
    testing.save_and_load_npz(link, dst)
    numpy.testing.assert_array_equal(dst.gamma.array, link.gamma.array)
    with pytest.raises(ValueError):
        L.GroupNormalization(3, 4)(x)


@pytest.mark.parametrize('config_dtype,param_dtype', [
    (numpy.float32, numpy.float32), (numpy.float16, numpy.float16),
    (chainer.mixed16, numpy.float32)])
@pytest.mark.parametrize('size', [4, None])
def test_group_normalization_parameters_take_the_default_dtype(config_dtype, param_dtype, size):
    x_dtype = chainer.get_dtype(config_dtype)
    with chainer.using_config('dtype', config_dtype):
        link = L.GroupNormalization(2, size, initial_gamma=initializer(numpy.float64, 2.0))
    y = link(numpy.random.randn(3, 4, 5).astype(x_dtype))
    assert link.gamma.dtype == link.beta.dtype == param_dtype
    assert y.dtype == x_dtype
    link.cleargrads()
    chainer.functions.sum(y).backward()
    assert link.gamma.grad.dtype == link.beta.grad.dtype == param_dtype


def initializer(dtype, value):
    return chainer.initializers.Constant(value, dtype)


def test_layer_normalization_link():
    link = L.LayerNormalization()
    x = numpy.random.randn(3, 2, 3).astype(numpy.float32)
    y = link(x)
    assert link.gamma.shape == (6,) and y.shape == x.shape
    rows = y.array.reshape(3, 6)
    numpy.testing.assert_allclose(rows.mean(1), 0, atol=1e-5)
    numpy.testing.assert_allclose(rows.var(1), 1, rtol=1e-3)
    link2 = L.LayerNormalization(4, initial_gamma=2)
    y2 = link2(numpy.random.randn(5, 4).astype(numpy.float32))
    numpy.testing.assert_allclose(y2.array.std(1), 2, rtol=1e-3)
    dst = L.LayerNormalization()
    testing.save_and_load_npz(link2, dst)
    numpy.testing.assert_array_equal(dst.gamma.array, link2.gamma.array)
    with pytest.raises(type_check.InvalidType):
        link2(numpy.zeros((2, 5), numpy.float32))


@pytest.mark.parametrize('size', [None, 3])
def test_layer_normalization_takes_initial_arrays_as_the_parameters(size):
    # as Chainer: an initial array is the parameter from the start, in its own
    # dtype, whatever config.dtype says (float16 here, float32 arrays and input)
    gamma = numpy.arange(1, 4, dtype=numpy.float32)
    beta = numpy.full(3, 0.5, numpy.float32)
    with chainer.using_config('dtype', numpy.float16):
        link = L.LayerNormalization(size, initial_gamma=gamma, initial_beta=beta)
        assert link.gamma.array is gamma and link.beta.array is beta
        y = link(numpy.array([[0.0, 1.0, 2.0]], numpy.float32))
    assert link.gamma.dtype == link.beta.dtype == y.dtype == numpy.float32
    numpy.testing.assert_allclose(y.array[0, [0, 1]], [0.5 - 1.2247, 0.5], rtol=1e-3)


def test_layer_normalization_refuses_an_initial_array_of_another_size():
    with pytest.raises(ValueError, match='initial_beta'):
        L.LayerNormalization(4, initial_beta=numpy.zeros(3, numpy.float32))


def test_layer_normalization_sizes_a_default_beta_beside_an_initial_gamma():
    link = L.LayerNormalization(initial_gamma=numpy.ones(2, numpy.float32))
    assert link.beta.array is None
    link(numpy.zeros((1, 2), numpy.float32))
    numpy.testing.assert_array_equal(link.beta.array, [0, 0])


@pytest.mark.parametrize('size', [None, 3])
@pytest.mark.parametrize('shape', [(), (3,)])
def test_layer_normalization_refuses_fewer_than_two_axes(size, shape):
    # as Chainer: InvalidType (a 0-d input raised IndexError, a 1-d one was taken)
    with pytest.raises(type_check.InvalidType):
        L.LayerNormalization(size)(numpy.ones(shape, numpy.float32))


@pytest.mark.parametrize('size', [None, 2])
def test_layer_normalization_refuses_a_list_with_type_error(size):
    with pytest.raises(TypeError):
        L.LayerNormalization(size)([[1.0, 2.0]])


def _statistics(link):
    names = ('avg_mean', 'avg_var', 'avg_projection', 'N')
    return {n: numpy.copy(getattr(link, n)) for n in names if hasattr(link, n)}


@pytest.mark.parametrize('make, finetune', [
    (lambda: L.BatchNormalization(4), False),
    (lambda: L.BatchNormalization(4), True),
    (lambda: L.BatchRenormalization(4, rmax=1.5, dmax=0.5), False),
    (lambda: L.BatchRenormalization(4, rmax=1.5, dmax=0.5), True),
    (lambda: L.DecorrelatedBatchNormalization(4, groups=2), False),
])
def test_forget_recomputation_updates_statistics_once(make, finetune):
    # F.forget runs the forward again in backward (config.in_recomputing): the
    # statistics must end as after one plain step, and the gradients agree.
    rng = numpy.random.RandomState(0)
    x = rng.randn(6, 4).astype(numpy.float32)
    warmup = rng.randn(6, 4).astype(numpy.float32) * 2 + 1
    plain, forgetting = make(), make()
    kwargs = {'finetune': True} if finetune else {}
    for link in (plain, forgetting):
        link(warmup, **kwargs)  # nonzero statistics, so that BatchRenormalization corrects

    def loss(link, a):
        return F.sum(link(a, **kwargs) * numpy.arange(4, dtype=numpy.float32))

    xp, xf = chainer.Variable(x), chainer.Variable(x)
    loss(plain, xp).backward()
    y = F.forget(lambda a: loss(forgetting, a), xf)
    y.backward()
    expected = _statistics(plain)
    for name, value in _statistics(forgetting).items():
        numpy.testing.assert_allclose(value, expected[name], rtol=1e-6, err_msg=name)
    numpy.testing.assert_allclose(xf.grad, xp.grad, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize('make', [
    lambda: L.LayerNormalization((4,)), lambda: L.GroupNormalization(2, (4,)),
    lambda: L.LayerNormalization([4])])
def test_normalization_size_given_as_a_shape_tuple(make):
    # Chainer takes a one-element shape as size; was a ValueError.
    link = make()
    assert link.gamma.shape == (4,) and link.beta.shape == (4,)
    x = numpy.ones((3, 4), numpy.float32)
    assert link(x).shape == (3, 4)


def test_batch_renormalization_sized_by_the_first_input():
    # size=None passed the constructor (as for BatchNormalization) but the forward
    # failed with AttributeError: 'NoneType' object has no attribute 'shape'.
    x = numpy.random.RandomState(0).randn(5, 3, 2).astype(numpy.float32)
    lazy, sized = L.BatchRenormalization(None), L.BatchRenormalization(3)
    y = lazy(x)
    numpy.testing.assert_array_equal(y.array, sized(x).array)
    numpy.testing.assert_array_equal(lazy.avg_mean, sized.avg_mean)
    assert lazy.gamma.shape == (3,)
    with pytest.raises(TypeError, match='function input must be a Variable'):
        L.BatchRenormalization(None)([[1.0, 2.0]])
