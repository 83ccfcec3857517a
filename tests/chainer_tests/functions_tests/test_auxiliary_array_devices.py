"""Auxiliary arrays (weights, labels, masks, indexes: arguments that are not the
function's inputs) given on the other device than the inputs.

Where such an array is only read, it moves to the inputs' device once, and the
call gives the values and gradients of the same call all on the host (Chainer's
GPU code took some of them with ``xp.asarray``; where it failed, it failed with
CuPy's or NumPy's conversion error). Running statistics, updated in place,
cannot move: a clear ``TypeError`` names them and the devices.
"""
import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import backend

pytestmark = pytest.mark.gpu


def _rand(shape, seed: int, dtype=numpy.float32):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape).astype(dtype)


def _same_as_on_host(fn, inputs, aux, x_on_gpu: bool, rtol: float = 1e-6):
    """``fn(variables, aux)`` with the ``inputs`` on the GPU and the ``aux`` dict's
    arrays on the host (or the reverse) gives the outputs and input gradients
    (and their gradients' graph) of the call with everything on the host."""
    cupy = pytest.importorskip('cupy')
    to_host = backend.CpuDevice().send
    xs = [chainer.Variable(a) for a in inputs]
    y = fn(xs, aux)
    gy = _rand(y.shape, 9)
    expected = chainer.grad([y], xs, [chainer.Variable(gy)])
    if x_on_gpu:
        xs_other = [chainer.Variable(cupy.asarray(a)) for a in inputs]
        aux_other = aux
    else:
        xs_other = [chainer.Variable(a) for a in inputs]
        aux_other = {k: cupy.asarray(a) if isinstance(a, numpy.ndarray) else a
                     for k, a in aux.items()}
    y_other = fn(xs_other, aux_other)
    numpy.testing.assert_allclose(to_host(y_other.array), y.array, rtol=rtol)
    gxs = chainer.grad([y_other], xs_other, [chainer.Variable(xs_other[0].xp.asarray(gy))],
                       enable_double_backprop=True)
    for gx, e in zip(gxs, expected):
        numpy.testing.assert_allclose(to_host(gx.array), e.array, rtol=rtol, atol=1e-7)


_X_ON_GPU = pytest.mark.parametrize('x_on_gpu', [True, False])


@_X_ON_GPU
@pytest.mark.parametrize('double_backprop', [False, True])
@pytest.mark.parametrize('reduce', ['mean', 'no'])
def test_softmax_cross_entropy_class_weight(x_on_gpu, double_backprop, reduce):
    """A class weight on the other device than ``x`` and ``t`` (Chainer's GPU
    forward failed on a host one)."""
    t = numpy.array([0, 2, 1, 2, 0], numpy.int32)

    def fn(xs, aux):
        return F.softmax_cross_entropy(xs[0], xs[0].xp.asarray(t), reduce=reduce,
                                       class_weight=aux['class_weight'],
                                       enable_double_backprop=double_backprop)
    _same_as_on_host(fn, [_rand((5, 3), 0)],
                     {'class_weight': numpy.array([0.5, 2, 1.5], numpy.float32)}, x_on_gpu)


@_X_ON_GPU
def test_black_out_labels_and_samples(x_on_gpu):
    """Label and sample ids on the other device than ``x`` and ``W`` (Chainer
    refused host ones, through its embed_id)."""
    def fn(xs, aux):
        return F.black_out(xs[0], aux['t'], xs[1], aux['samples'])
    _same_as_on_host(fn, [_rand((3, 4), 0), _rand((6, 4), 1)],
                     {'t': numpy.array([0, 5, 2], numpy.int32),
                      'samples': numpy.array([[1, 2], [3, 4], [0, 5]], numpy.int32)}, x_on_gpu)


@_X_ON_GPU
def test_discriminative_loss_labels(x_on_gpu):
    """Instance labels on the other device than the embeddings (Chainer failed
    multiplying by a host mask)."""
    labels = numpy.random.RandomState(3).randint(0, 3, (2, 4, 5)).astype(numpy.int32)

    def fn(xs, aux):
        terms = F.discriminative_margin_based_clustering_loss(
            xs[0], aux['labels'], 0.5, 1.5, 2)
        return terms[0] + terms[1] + terms[2]
    _same_as_on_host(fn, [_rand((2, 3, 4, 5), 0)], {'labels': labels}, x_on_gpu, rtol=1e-5)


@_X_ON_GPU
def test_dropout_mask(x_on_gpu):
    """A given dropout mask on the other device than ``x`` (Chainer's GPU forward
    failed multiplying by a host one)."""
    mask = numpy.array([[2, 0, 2], [0, 2, 2]], numpy.float32)
    _same_as_on_host(lambda xs, aux: F.dropout(xs[0], mask=aux['mask']),
                     [_rand((2, 3), 0)], {'mask': mask}, x_on_gpu)


@_X_ON_GPU
@pytest.mark.parametrize('batchwise', [True, False])
def test_simplified_dropconnect_mask(x_on_gpu, batchwise):
    """A given DropConnect mask on the other device than the inputs."""
    shape = (2, 4, 3) if batchwise else (4, 3)
    mask = numpy.random.RandomState(5).rand(*shape) >= 0.5

    def fn(xs, aux):
        return F.simplified_dropconnect(xs[0], xs[1], xs[2], 0.5, mask=aux['mask'],
                                        use_batchwise_mask=batchwise)
    _same_as_on_host(fn, [_rand((2, 3), 0), _rand((4, 3), 1), _rand((4,), 2)],
                     {'mask': mask}, x_on_gpu, rtol=1e-5)


@_X_ON_GPU
def test_gaussian_eps(x_on_gpu):
    """A given noise ``eps`` on the other device than the mean and log variance."""
    _same_as_on_host(lambda xs, aux: F.gaussian(xs[0], xs[1], eps=aux['eps']),
                     [_rand((2, 3), 0), _rand((2, 3), 1)], {'eps': _rand((2, 3), 2)},
                     x_on_gpu, rtol=1e-5)


@_X_ON_GPU
def test_rrelu_slopes(x_on_gpu):
    """Given slopes ``r`` on the other device than ``x``."""
    r = numpy.random.RandomState(4).uniform(0.1, 0.3, (2, 3)).astype(numpy.float32)
    _same_as_on_host(lambda xs, aux: F.rrelu(xs[0], r=aux['r']),
                     [_rand((2, 3), 0)], {'r': r}, x_on_gpu)


@_X_ON_GPU
def test_where_condition(x_on_gpu):
    """A condition on the other device than ``x`` and ``y`` (Chainer's forward
    failed on it)."""
    cond = numpy.random.RandomState(3).rand(4, 3) >= 0.5
    _same_as_on_host(lambda xs, aux: F.where(aux['cond'], xs[0], xs[1]),
                     [_rand((4, 3), 0), _rand((4, 3), 1)], {'cond': cond}, x_on_gpu)


@_X_ON_GPU
@pytest.mark.parametrize('index', ['int', 'mask', 'pair'])
def test_get_item_index_arrays(x_on_gpu, index):
    """Index arrays on the other device than ``x`` (NumPy cannot index with GPU
    ones; CuPy takes host ones itself)."""
    idx = {'int': numpy.array([3, 0, 0, 2]),
           'mask': numpy.array([True, False, True, True]),
           'pair': numpy.array([1, 2, 1])}[index]

    def fn(xs, aux):
        key = (aux['idx'], slice(None)) if index != 'pair' else (aux['idx'], aux['idx'])
        return F.get_item(xs[0], key)
    _same_as_on_host(fn, [_rand((4, 3), 0)], {'idx': idx}, x_on_gpu)


@_X_ON_GPU
def test_scatter_add_index_arrays(x_on_gpu):
    """Index arrays on the other device than ``a`` and ``b`` (repeats add up)."""
    def fn(xs, aux):
        return F.scatter_add(xs[0], (aux['idx'], slice(1, None)), xs[1])
    _same_as_on_host(fn, [_rand((4, 3), 0), _rand((3, 2), 1)],
                     {'idx': numpy.array([2, 0, 2])}, x_on_gpu)


@_X_ON_GPU
@pytest.mark.parametrize('inv', [False, True])
def test_permutate_indices(x_on_gpu, inv):
    """A permutation on the other device than ``x``."""
    _same_as_on_host(lambda xs, aux: F.permutate(xs[0], aux['p'], axis=1, inv=inv),
                     [_rand((2, 4), 0)], {'p': numpy.array([2, 0, 3, 1], numpy.int32)},
                     x_on_gpu)


def test_permutate_indices_as_a_list():
    cupy = pytest.importorskip('cupy')
    x = _rand((3, 2), 0)
    y = F.permutate(cupy.asarray(x), [2, 0, 1], inv=True)
    assert isinstance(y.array, cupy.ndarray)
    numpy.testing.assert_array_equal(backend.CpuDevice().send(y.array), x[[1, 2, 0]])


def _normalizations(xp):
    """(name, host array, call) for each running statistic left on the host for a
    GPU ``x``."""
    x = xp.asarray(_rand((5, 4), 0))
    gamma, beta = xp.ones(4, numpy.float32), xp.zeros(4, numpy.float32)
    host = numpy.full(4, 0.5, numpy.float32)
    mean, var = xp.zeros(4, numpy.float32), xp.ones(4, numpy.float32)
    host_mean, host_projection = host.reshape(1, 4), numpy.eye(4, dtype=numpy.float32)[None]
    return [
        ('running_mean', host, lambda: F.batch_normalization(
            x, gamma, beta, running_mean=host, running_var=var)),
        ('running_var', host, lambda: F.batch_normalization(
            x, gamma, beta, running_mean=mean, running_var=host)),
        ('running_mean', host, lambda: F.batch_renormalization(
            x, gamma, beta, 2.0, 5.0, running_mean=host, running_var=var)),
        ('running_var', host, lambda: F.batch_renormalization(
            x, gamma, beta, 2.0, 5.0, running_mean=mean, running_var=host)),
        ('running_mean', host_mean, lambda: F.decorrelated_batch_normalization(
            x, groups=1, running_mean=host_mean)),
        ('running_projection', host_projection, lambda: F.decorrelated_batch_normalization(
            x, groups=1, running_projection=host_projection)),
    ]


@pytest.mark.parametrize('case', range(6))
def test_running_statistics_on_another_device_raise(case):
    """Running statistics on the host for a GPU ``x`` raise a ``TypeError`` naming
    them and both devices, and are left as they were (they are updated in place:
    a moved copy would not be; Chainer failed with CuPy's conversion error)."""
    cupy = pytest.importorskip('cupy')
    name, host, call = _normalizations(cupy)[case]
    before = host.copy()
    with pytest.raises(TypeError, match=rf'^{name} is on @numpy but x is on @cupy:0'):
        call()
    numpy.testing.assert_array_equal(host, before)
