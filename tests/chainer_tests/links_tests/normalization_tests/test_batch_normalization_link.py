import numpy
import pytest

import chainer
import chainer.links as L
from chainer import gradient_check
from chainer import testing
from chainer.utils import type_check


def _expected(x, gamma, beta, mean, var, eps, axis):
    shape = [1 if i in axis else s for i, s in enumerate(x.shape)]
    return (gamma.reshape(shape) * (x - mean.reshape(shape))
            / numpy.sqrt(var.reshape(shape) + eps) + beta.reshape(shape))


@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_train_forward_and_running_stats(dtype):
    link = L.BatchNormalization(3, dtype=dtype)
    link.gamma.array[...] = numpy.random.uniform(0.5, 1.5, 3)
    link.beta.array[...] = numpy.random.uniform(-1, 1, 3)
    x = numpy.random.uniform(-1, 1, (5, 3, 2)).astype(dtype)
    y = link(x)
    assert y.dtype == dtype and link.gamma.dtype == dtype
    x64 = x.astype(numpy.float64)
    expected = _expected(x64, link.gamma.array.astype('d'), link.beta.array.astype('d'),
                         x64.mean(axis=(0, 2)), x64.var(axis=(0, 2)), 2e-5, (0, 2))
    tol = 2e-2 if dtype == numpy.float16 else 1e-5
    numpy.testing.assert_allclose(y.array, expected, atol=tol, rtol=tol)
    numpy.testing.assert_allclose(link.avg_mean, 0.1 * x64.mean(axis=(0, 2)),
                                  atol=tol, rtol=tol)
    numpy.testing.assert_allclose(
        link.avg_var, 0.9 + 0.1 * x64.var(axis=(0, 2)) * 10 / 9, atol=tol, rtol=tol)


def test_test_mode_uses_running_stats():
    link = L.BatchNormalization(3)
    link.avg_mean[...] = [0.5, -1, 2]
    link.avg_var[...] = [1, 4, 0.25]
    x = numpy.random.randn(4, 3).astype(numpy.float32)
    with chainer.using_config('train', False):
        y = link(x)
    expected = _expected(x, link.gamma.array, link.beta.array, link.avg_mean,
                         link.avg_var, 2e-5, (0,))
    numpy.testing.assert_allclose(y.array, expected, rtol=1e-5)
    numpy.testing.assert_array_equal(link.avg_mean, [0.5, -1, 2])


def test_test_mode_gradients_survive_a_later_training_call():
    # The running statistics a test-mode call used are updated in place by a later
    # training call before backward: the test-mode gradients are those of the
    # statistics it used (Chainer's FixedBatchNormalization kept its 1/std).
    link = L.BatchNormalization(2)
    link.avg_var[...] = 2.0
    rng = numpy.random.RandomState(0)
    x1 = chainer.Variable(rng.randn(3, 2).astype(numpy.float32))
    with chainer.using_config('train', False):
        y1 = link(x1)
    link(rng.randn(3, 2).astype(numpy.float32))
    y1.grad = numpy.ones_like(y1.array)
    y1.backward()
    numpy.testing.assert_allclose(x1.grad, numpy.full((3, 2), 2.0 ** -0.5), rtol=1e-4)


def test_finetune_averages_batches():
    link = L.BatchNormalization(2, decay=0.5)
    xs = [numpy.random.randn(6, 2).astype(numpy.float32) for _ in range(3)]
    for x in xs:
        link(x, finetune=True)
    assert link.N == 3
    numpy.testing.assert_allclose(
        link.avg_mean, numpy.mean([x.mean(0) for x in xs], axis=0), rtol=1e-5, atol=1e-6)
    link.start_finetuning()
    assert link.N == 0



@pytest.mark.parametrize('make', [
    lambda: L.BatchNormalization(3),
    lambda: L.BatchRenormalization(3, rmax=2, dmax=1),
], ids=['bn', 'brn'])
def test_an_empty_batch_leaves_the_running_statistics(make):
    # Chainer filled them with NaN, which spoiled every later test-mode call
    link = make()
    link(numpy.random.randn(4, 3).astype(numpy.float32))
    mean, var = link.avg_mean.copy(), link.avg_var.copy()
    x = chainer.Variable(numpy.zeros((0, 3), numpy.float32))
    with pytest.warns(RuntimeWarning):  # NumPy's mean of nothing, as under Chainer
        y = link(x)
    assert y.shape == (0, 3)
    numpy.testing.assert_array_equal(link.avg_mean, mean)
    numpy.testing.assert_array_equal(link.avg_var, var)
    link.cleargrads()
    y.grad = numpy.zeros((0, 3), numpy.float32)
    y.backward()
    assert x.grad.shape == (0, 3)
    numpy.testing.assert_array_equal(link.gamma.grad, numpy.zeros(3))
    numpy.testing.assert_array_equal(link.beta.grad, numpy.zeros(3))
    # fine-tuning does not count it: the average is that of the batches seen
    link.start_finetuning()
    batch = numpy.random.randn(4, 3).astype(numpy.float32)
    with pytest.warns(RuntimeWarning):
        link(numpy.zeros((0, 3), numpy.float32), finetune=True)
    link(batch, finetune=True)
    assert link.N == 1
    numpy.testing.assert_allclose(link.avg_mean, batch.mean(0), rtol=1e-5)


def test_gradients():
    link = L.BatchNormalization(3, dtype=numpy.float64)
    x = numpy.random.randn(4, 3, 2)
    gy = numpy.random.randn(4, 3, 2)

    def f(x, gamma, beta):
        with link.init_scope():
            link.gamma, link.beta = gamma, beta
        return link(x)

    gradient_check.check_backward(
        f, (x, link.gamma.array.copy(), link.beta.array.copy()), gy, atol=1e-4, rtol=1e-4)


def test_lazy_size_and_axis():
    link = L.BatchNormalization(axis=(0, 1, 2))    # NHWC
    assert link.avg_mean is None and link.gamma.array is None
    x = numpy.random.randn(2, 3, 3, 4).astype(numpy.float32)
    y = link(x)
    assert link.gamma.shape == (4,) and link.avg_mean.shape == (4,)
    numpy.testing.assert_allclose(y.array.mean(axis=(0, 1, 2)), 0, atol=1e-5)
    lazy = L.BatchNormalization()
    lazy(numpy.ones((2, 5), numpy.float32))
    assert lazy.gamma.shape == (5,)


def test_use_gamma_beta_and_initializers():
    link = L.BatchNormalization(2, use_gamma=False, use_beta=False,
                                initial_avg_mean=1, initial_avg_var=3)
    assert link.gamma is None and link.beta is None
    assert list(link.params()) == []
    numpy.testing.assert_array_equal(link.avg_var, [3, 3])
    link2 = L.BatchNormalization(2, initial_gamma=2.0, initial_beta=0.5)
    numpy.testing.assert_array_equal(link2.gamma.array, [2, 2])
    numpy.testing.assert_array_equal(link2.beta.array, [0.5, 0.5])
    y = link(numpy.random.randn(3, 2).astype(numpy.float32))
    numpy.testing.assert_allclose(y.array.mean(0), 0, atol=1e-5)


def test_tuple_size():
    link = L.BatchNormalization((3, 2), axis=0)
    y = link(numpy.random.randn(4, 3, 2).astype(numpy.float32))
    assert y.shape == (4, 3, 2) and link.gamma.shape == (3, 2)


def test_tuple_size_without_axis_normalizes_over_the_batch():
    link = L.BatchNormalization((3, 4))
    x = numpy.random.randn(8, 3, 4).astype(numpy.float32)
    y = link(x).array
    numpy.testing.assert_allclose(y.mean(axis=0), numpy.zeros((3, 4)), atol=1e-5)
    assert link.avg_mean.shape == (3, 4)
    with chainer.using_config('train', False):
        y = link(x).array
    expected = _expected(x, link.gamma.array, link.beta.array, link.avg_mean,
                         link.avg_var, link.eps, (0,))
    numpy.testing.assert_allclose(y, expected, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize('size', [numpy.int32(3), numpy.int64(3), numpy.array(3)])
def test_numpy_int_size(size):
    link = L.BatchNormalization(size)
    assert link.gamma.shape == link.avg_mean.shape == (3,)
    assert L.BatchNormalization(3).count_params() == link.count_params()
    with pytest.raises(TypeError):
        L.BatchNormalization(3.0)


def test_save_load_round_trip():
    src = L.BatchNormalization(3)
    src(numpy.random.randn(5, 3).astype(numpy.float32))
    src(numpy.random.randn(5, 3).astype(numpy.float32), finetune=True)
    src.gamma.array[...] = [1, 2, 3]
    for dst in (L.BatchNormalization(3), L.BatchNormalization()):
        testing.save_and_load_npz(src, dst)
        numpy.testing.assert_array_equal(dst.avg_mean, src.avg_mean)
        numpy.testing.assert_array_equal(dst.avg_var, src.avg_var)
        numpy.testing.assert_array_equal(dst.gamma.array, src.gamma.array)
        assert dst.N == src.N == 1


def test_persistents_listed():
    link = L.BatchNormalization(3)
    assert {'avg_mean', 'avg_var', 'N'} <= link._persistent


def test_bad_input():
    link = L.BatchNormalization(3)
    with pytest.raises(type_check.InvalidType):
        link(numpy.zeros((2, 4), numpy.float32))
    with pytest.raises(ValueError):
        link(numpy.zeros((2, 3), numpy.float32), test=True)


@pytest.mark.gpu
def test_gpu_matches_cpu():
    cpu = L.BatchNormalization(3)
    gpu = cpu.copy('copy')
    gpu.to_gpu()
    x = numpy.random.randn(6, 3, 2).astype(numpy.float32)
    y_cpu = cpu(x)
    y_gpu = gpu(gpu.xp.asarray(x))
    numpy.testing.assert_allclose(y_cpu.array, chainer.backends.cuda.to_cpu(y_gpu.array),
                                  atol=1e-5)
    numpy.testing.assert_allclose(cpu.avg_var, chainer.backends.cuda.to_cpu(gpu.avg_var),
                                  atol=1e-5)


def test_hdf5_round_trip_lazy():
    pytest.importorskip('h5py')
    src = L.BatchNormalization()
    src(numpy.random.randn(4, 3).astype(numpy.float32))
    dst = L.BatchNormalization()
    testing.save_and_load_hdf5(src, dst)
    numpy.testing.assert_array_equal(dst.avg_var, src.avg_var)
    # An unsized link saves and loads as unsized.
    empty = L.BatchNormalization()
    testing.save_and_load_hdf5(L.BatchNormalization(), empty)
    assert empty.avg_mean is None


def test_printed_specs():
    # Chainer prints the first axis of the statistics, their dtype, and
    # use_gamma/use_beta as whether the attributes exist (always True).
    assert str(L.BatchNormalization(3)) == (
        'BatchNormalization(size=3, decay=0.9, eps=2e-05, dtype=float32, '
        'use_gamma=True, use_beta=True)')
    assert str(L.BatchNormalization((3, 4), dtype=numpy.float64, eps=1e-3)) == (
        'BatchNormalization(size=3, decay=0.9, eps=0.001, dtype=float64, '
        'use_gamma=True, use_beta=True)')
    assert str(L.BatchNormalization(3, use_gamma=False, use_beta=False)).endswith(
        'use_gamma=True, use_beta=True)')
    assert str(L.BatchNormalization(2, dtype=numpy.float16)).startswith(
        'BatchNormalization(size=2, decay=0.9, eps=2e-05, dtype=float16')
    lazy = L.BatchNormalization(axis=(0, 2))
    assert str(lazy).startswith('BatchNormalization(size=None, decay=0.9')
    lazy(numpy.ones((2, 5, 3), numpy.float32))
    assert str(lazy).startswith('BatchNormalization(size=5, decay=0.9')


def test_printed_form():
    # Chainer's specs: size as the channel count, the statistics' dtype, and
    # use_gamma/use_beta read with hasattr (true for every instance).
    assert str(L.BatchNormalization(3)) == (
        'BatchNormalization(size=3, decay=0.9, eps=2e-05, dtype=float32, '
        'use_gamma=True, use_beta=True)')
    assert str(L.BatchNormalization(4, decay=0.5, eps=1e-5, use_gamma=False)) == (
        'BatchNormalization(size=4, decay=0.5, eps=1e-05, dtype=float32, '
        'use_gamma=True, use_beta=True)')
    assert 'dtype=float64' in str(L.BatchNormalization(2, dtype=numpy.float64))
    lazy = L.BatchNormalization()
    assert str(lazy).startswith('BatchNormalization(size=None, ')
    lazy(numpy.zeros((2, 5), numpy.float32))
    assert str(lazy).startswith('BatchNormalization(size=5, ')
    assert str(L.BatchRenormalization(3)).startswith('BatchRenormalization(size=3, ')


@pytest.mark.parametrize('finetune', [False, True])
def test_recomputed_forward_keeps_statistics(finetune):
    # config.in_recomputing (F.forget's second forward, the ONNX export) updates
    # neither the running statistics nor the fine-tuning count.
    x = numpy.random.RandomState(0).randn(6, 4).astype(numpy.float32)
    link = L.BatchNormalization(4)
    with chainer.using_config('in_recomputing', True):
        y = link(x, finetune=finetune)
    assert link.N == 0 and not link.avg_mean.any()
    numpy.testing.assert_allclose(y.array, L.BatchNormalization(4)(x).array)
    # F.forget: test_other_normalization_links.test_forget_recomputation_updates_statistics_once


def test_recomputed_finetune_forward_passes_the_next_decay():
    # As Chainer: a recomputed fine-tuning forward does not count the batch, but
    # its function gets the decay the batch would have had, 1 - 1/(N + 1).
    x = numpy.random.RandomState(0).randn(6, 4).astype(numpy.float32)
    link = L.BatchNormalization(4)
    link(x, finetune=True)
    decays = []

    class Hook(chainer.FunctionHook):
        def forward_postprocess(self, function, in_data):
            decays.append(function.decay)

    with chainer.using_config('in_recomputing', True), Hook():
        link(x, finetune=True)
    assert link.N == 1
    assert decays == [0.5]


@pytest.mark.parametrize('x', [[[1.0, 2.0]], 'x', numpy.float32(1)])
def test_lazy_refuses_a_non_array_first_input(x):
    # Was AttributeError: 'list' object has no attribute 'ndim'.
    link = L.BatchNormalization()
    with pytest.raises(TypeError, match='function input must be a Variable'):
        link(x)
    assert link.avg_mean is None
