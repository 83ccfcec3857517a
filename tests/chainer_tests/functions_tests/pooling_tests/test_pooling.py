import itertools
import warnings

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests.functions_tests.connection_tests import _conv_reference as ref

_backends = [{}, {'use_cuda': True}]


def _outsize(size, k, s, p, cover_all):
    if cover_all:
        return (size + 2 * p - k + s - 1) // s + 1
    return (size + 2 * p - k) // s + 1


def _windows(x, k, s, p, cover_all):
    """Yields ``(out position, list of in-image source positions, window size)``."""
    nd = x.ndim - 2
    out = [_outsize(x.shape[2 + i], k[i], s[i], p[i], cover_all) for i in range(nd)]
    for pos in itertools.product(*(range(o) for o in out)):
        src = []
        for kidx in itertools.product(*(range(v) for v in k)):
            q = tuple(pos[i] * s[i] + kidx[i] - p[i] for i in range(nd))
            if all(0 <= q[i] < x.shape[2 + i] for i in range(nd)):
                src.append(q)
        yield pos, src, out


def max_pool_ref(x, k, s, p, cover_all):
    res = None
    for pos, src, out in _windows(x, k, s, p, cover_all):
        if res is None:
            res = numpy.empty(x.shape[:2] + tuple(out), x.dtype)
        vals = numpy.stack([x[(slice(None), slice(None)) + q] for q in src], axis=-1)
        res[(slice(None), slice(None)) + pos] = vals.max(axis=-1)
    return res


def avg_pool_ref(x, k, s, p, pad_value):
    res = None
    for pos, src, out in _windows(x, k, s, p, False):
        if res is None:
            res = numpy.empty(x.shape[:2] + tuple(out))
        total = sum(x[(slice(None), slice(None)) + q].astype(numpy.float64) for q in src)
        div = len(src) if pad_value is None else int(numpy.prod(k))
        res[(slice(None), slice(None)) + pos] = total / div
    return res


_POOL_CASES = [
    dict(dims=(4, 5), k=(2, 2), s=(2, 2), p=(0, 0), cover_all=True),
    dict(dims=(5, 7), k=(3, 2), s=(2, 3), p=(1, 0), cover_all=True),
    dict(dims=(5, 6), k=(3, 3), s=(2, 2), p=(1, 1), cover_all=False),
    dict(dims=(7, 5), k=(2, 2), s=(3, 3), p=(0, 0), cover_all=False),   # stride > kernel
    dict(dims=(7,), k=(3,), s=(2,), p=(1,), cover_all=True),
    dict(dims=(3, 4, 4), k=(2, 2, 3), s=(1, 2, 2), p=(0, 1, 1), cover_all=False),
]


def _unique_values(shape, dtype):
    # Distinct values far apart: the maximum of every window is unambiguous.
    x = numpy.random.permutation(int(numpy.prod(shape))).reshape(shape)
    return (x * 0.25 / x.size - 0.125).astype(dtype) * 8


@testing.parameterize(*(
    [dict(c, dtype=numpy.float32) for c in _POOL_CASES]
    + [dict(_POOL_CASES[1], dtype=numpy.float16), dict(_POOL_CASES[2], dtype=numpy.float64)]))
@testing.inject_backend_tests(None, _backends)
class TestMaxPoolingND(testing.FunctionTestCase):

    def setUp(self):
        ref.set_tolerances(self, self.dtype)

    def generate_inputs(self):
        return _unique_values((2, 3) + self.dims, self.dtype),

    def forward(self, inputs, device):
        x, = inputs
        fn = {1: F.max_pooling_1d, 2: F.max_pooling_2d, 3: F.max_pooling_3d}[len(self.dims)]
        return fn(x, self.k, self.s, self.p, self.cover_all),

    def forward_expected(self, inputs):
        return max_pool_ref(inputs[0], self.k, self.s, self.p, self.cover_all),


@testing.parameterize(*(
    [dict(c, dtype=numpy.float32, pad_value=0) for c in _POOL_CASES if not c['cover_all']]
    + [dict(_POOL_CASES[2], dtype=numpy.float32, pad_value=None),
       dict(_POOL_CASES[4], dtype=numpy.float16, pad_value=None),
       dict(_POOL_CASES[1], dtype=numpy.float64, pad_value=0)]
    # windows that tile the image (a global pooling; one with padding, where
    # pad_value=None counts the pixels inside)
    + [dict(dims=(7, 7), k=(7, 7), s=(7, 7), p=(0, 0), cover_all=False,
            dtype=numpy.float32, pad_value=0),
       dict(dims=(6, 8), k=(3, 4), s=(3, 4), p=(0, 0), cover_all=False,
            dtype=numpy.float64, pad_value=0),
       dict(dims=(6, 6), k=(4, 4), s=(4, 4), p=(1, 1), cover_all=False,
            dtype=numpy.float64, pad_value=None),
       dict(dims=(9,), k=(9,), s=(9,), p=(0,), cover_all=False,
            dtype=numpy.float16, pad_value=0)]))
@testing.inject_backend_tests(None, _backends)
class TestAveragePoolingND(testing.FunctionTestCase):

    def setUp(self):
        ref.set_tolerances(self, self.dtype)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, (2, 3) + self.dims).astype(self.dtype),

    def forward(self, inputs, device):
        x, = inputs
        if len(self.dims) == 2 and self.pad_value == 0:
            return F.average_pooling_2d(x, self.k, self.s, self.p),
        return F.average_pooling_nd(x, self.k, self.s, self.p, self.pad_value),

    def forward_expected(self, inputs):
        y = avg_pool_ref(inputs[0], self.k, self.s, self.p, self.pad_value)
        return y.astype(self.dtype),


@testing.parameterize(*(
    [dict(dims=(2, 3), k=(2, 2), s=None, p=(0, 0), cover_all=True, outsize=None,
          dtype=numpy.float32),
     dict(dims=(3, 3), k=(3, 2), s=(2, 1), p=(1, 0), cover_all=False, outsize=None,
          dtype=numpy.float64),
     dict(dims=(3, 2), k=(2, 2), s=(2, 2), p=(0, 0), cover_all=True, outsize=(6, 4),
          dtype=numpy.float16),
     dict(dims=(4,), k=(3,), s=(2,), p=(1,), cover_all=True, outsize=None,
          dtype=numpy.float32)]))
@testing.inject_backend_tests(None, _backends)
class TestUnpoolingND(testing.FunctionTestCase):

    def setUp(self):
        ref.set_tolerances(self, self.dtype)
        s = self.s or self.k
        if self.outsize is None:
            self.out = tuple(
                s[i] * (self.dims[i] - 1) + self.k[i] - 2 * self.p[i]
                - (s[i] - 1 if self.cover_all else 0) for i in range(len(self.dims)))
        else:
            self.out = self.outsize

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, (2, 3) + self.dims).astype(self.dtype),

    def forward(self, inputs, device):
        x, = inputs
        if len(self.dims) == 2:
            return F.unpooling_2d(x, self.k, self.s, self.p, self.outsize, self.cover_all),
        return F.unpooling_nd(x, self.k, self.s, self.p, self.outsize, self.cover_all),

    def forward_expected(self, inputs):
        x, = inputs
        s = self.s or self.k
        y = numpy.zeros(x.shape[:2] + self.out)
        for pos in itertools.product(*(range(d) for d in self.dims)):
            for kidx in itertools.product(*(range(v) for v in self.k)):
                q = tuple(pos[i] * s[i] + kidx[i] - self.p[i] for i in range(len(pos)))
                if all(0 <= q[i] < self.out[i] for i in range(len(q))):
                    y[(slice(None), slice(None)) + q] += x[(slice(None), slice(None)) + pos]
        return y.astype(self.dtype),


@testing.parameterize(
    {'dtype': numpy.float32, 'k': 2, 's': None, 'p': 0, 'cover_all': True},
    {'dtype': numpy.float64, 'k': 3, 's': 2, 'p': 1, 'cover_all': False},
    {'dtype': numpy.float16, 'k': (2, 3), 's': (2, 1), 'p': 0, 'cover_all': True},
)
@testing.inject_backend_tests(None, _backends)
class TestUpsampling2D(testing.FunctionTestCase):

    def setUp(self):
        ref.set_tolerances(self, self.dtype)
        p = _unique_values((2, 3, 5, 6), numpy.float32)
        _, indexes = F.max_pooling_2d(p, self.k, self.s, self.p, self.cover_all,
                                      return_indices=True)
        self.indexes = indexes.astype(numpy.int32)  # the GPU's dtype: its fused kernel
        self.pooled_from = p

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.indexes.shape).astype(self.dtype),

    def forward(self, inputs, device):
        x, = inputs
        idx = device.send(self.indexes)
        return F.upsampling_2d(x, idx, self.k, self.s, self.p, (5, 6), self.cover_all),

    def forward_expected(self, inputs):
        # Upsampling puts x where the max pooling found its maxima: equivalently the
        # gradient of that max pooling for output gradient x.
        xv = chainer.Variable(self.pooled_from.astype(numpy.float64))
        y = F.max_pooling_2d(xv, self.k, self.s, self.p, self.cover_all)
        y.grad = inputs[0].astype(numpy.float64)
        y.backward()
        return xv.grad.astype(self.dtype),


@testing.parameterize({'dtype': numpy.float32}, {'dtype': numpy.float64})
@testing.inject_backend_tests(None, _backends)
class TestSpatialPyramidPooling2D(testing.FunctionTestCase):

    def setUp(self):
        ref.set_tolerances(self, self.dtype)

    def generate_inputs(self):
        return _unique_values((2, 3, 6, 8), self.dtype),

    def forward(self, inputs, device):
        return F.spatial_pyramid_pooling_2d(inputs[0], 3, 'max'),

    def forward_expected(self, inputs):
        x, = inputs
        ys = []
        for level in range(3):
            bins = 2 ** level
            kh, kw = -(-6 // bins), -(-8 // bins)
            ph, pw = (kh * bins - 6) // 2, (kw * bins - 8) // 2
            y = max_pool_ref(x, (kh, kw), (kh, kw), (ph, pw), True)
            ys.append(y.reshape(2, -1))
        return numpy.concatenate(ys, axis=1).reshape(2, -1, 1, 1),


def test_return_indices_are_window_offsets():
    x = numpy.array([[[[1, 5, 2, 0], [3, 4, 9, 1]]]], numpy.float32)
    y, idx = F.max_pooling_2d(x, 2, return_indices=True)
    numpy.testing.assert_array_equal(y.array, [[[[5, 9]]]])
    numpy.testing.assert_array_equal(idx, [[[[1, 2]]]])
    assert idx.dtype == numpy.int64  # argmax's dtype, as Chainer gave on the CPU
    up = F.upsampling_2d(y, idx, 2, outsize=(2, 4))
    numpy.testing.assert_array_equal(up.array, [[[[0, 5, 0, 0], [0, 0, 9, 0]]]])


def test_max_pooling_never_picks_padding():
    x = -numpy.ones((1, 1, 2, 2), numpy.float32)
    y = F.max_pooling_2d(x, 3, 1, 1)
    numpy.testing.assert_array_equal(y.array, -numpy.ones((1, 1, 2, 2)))


def test_third_order_gradient_through_pooling():
    x = chainer.Variable(numpy.random.rand(1, 2, 4, 4))
    y = F.sum(F.average_pooling_2d(F.max_pooling_2d(x, 2, 1) ** 3, 2))
    gx, = chainer.grad([y], [x], enable_double_backprop=True)
    ggx, = chainer.grad([F.sum(gx)], [x], enable_double_backprop=True)
    gggx, = chainer.grad([F.sum(ggx)], [x])
    assert numpy.isfinite(gggx.array).all()


def _window_sums(x, k, s, p):
    """Sums of the k x k windows (stride s, zero padding p) of (n, c, h, w) ``x``, in
    ``x``'s dtype, windows added offset by offset as Chainer's col2im does."""
    xp = numpy.pad(x, ((0, 0), (0, 0), (p, p + s - 1), (p, p + s - 1)))
    oh = (x.shape[2] + 2 * p - k) // s + 1
    ow = (x.shape[3] + 2 * p - k) // s + 1
    return numpy.stack([numpy.stack([
        xp[:, :, i * s:i * s + k, j * s:j * s + k].reshape(x.shape[:2] + (-1,))
        for j in range(ow)], -1) for i in range(oh)], -2)


@pytest.mark.parametrize('pooling', [
    F.average_pooling_2d, lambda x, k, s, p: F.average_pooling_nd(x, k, s, p)])
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32])
def test_average_pooling_rounds_as_chainer(pooling, dtype):
    # float16: each window is summed and divided in float32 and rounded once; the
    # gradient spreads gy over the windows and divides the sums by the window size.
    rng = numpy.random.RandomState(0)
    x = rng.uniform(-1, 1, (2, 3, 7, 7)).astype(dtype)
    windows = _window_sums(x.astype(numpy.float32), 3, 2, 1)
    expected = (windows.sum(axis=2) / numpy.float32(9)).astype(dtype)
    xv = chainer.Variable(x)
    y = pooling(xv, 3, 2, 1)
    numpy.testing.assert_allclose(y.array, expected, rtol=0, atol=0 if dtype == numpy.float16
                                  else 1e-6)
    gy = rng.uniform(-1, 1, y.shape).astype(dtype)
    y.grad = gy
    y.backward()
    spread = numpy.zeros((2, 3, 7 + 2 + 1, 7 + 2 + 1), dtype)
    for ky, kx in itertools.product(range(3), repeat=2):
        spread[:, :, ky:ky + 2 * 4:2, kx:kx + 2 * 4:2] += gy
    numpy.testing.assert_array_equal(xv.grad, spread[:, :, 1:8, 1:8] / dtype(9))


@pytest.mark.parametrize('fn', [
    lambda x: F.max_pooling_2d(x, 2), lambda x: F.average_pooling_2d(x, 2),
    lambda x: F.unpooling_2d(x, 2), lambda x: F.max_pooling_nd(x, 2),
    lambda x: F.average_pooling_nd(x, 2)])
def test_pooling_rejects_integer_input(fn):
    with pytest.raises(type_check.InvalidType):
        fn(numpy.zeros((1, 1, 4, 4), numpy.int32))


def test_pooling_bad_shapes_and_args():
    with pytest.raises(ValueError):
        F.max_pooling_2d(numpy.zeros((1, 1, 4), 'f'), 2)
    with pytest.raises(ValueError):
        F.average_pooling_3d(numpy.zeros((1, 1, 4, 4), 'f'), 2)
    with pytest.raises(type_check.InvalidType):
        F.max_pooling_2d(numpy.zeros((1, 1, 2, 2), 'f'), 3, cover_all=False)
    with pytest.raises(ValueError):
        F.average_pooling_nd(numpy.zeros((1, 1, 4, 4), 'f'), 2, pad_value=1)
    with pytest.raises(ValueError):
        F.spatial_pyramid_pooling_2d(numpy.zeros((1, 1, 4, 4), 'f'), 2)
    with pytest.raises(type_check.InvalidType):
        F.unpooling_2d(numpy.zeros((1, 1, 2, 2), 'f'), 2, outsize=(9, 9))
    _, idx = F.max_pooling_2d(numpy.zeros((1, 1, 4, 4), 'f'), 2, return_indices=True)
    with pytest.raises(type_check.InvalidType):
        F.upsampling_2d(numpy.zeros((1, 1, 3, 3), 'f'), idx, 2)
    for bad in (4, -1):  # window offsets of a 2x2 window are 0..3
        with pytest.raises(ValueError, match='max pooling index out of range'):
            F.upsampling_2d(numpy.zeros((1, 1, 2, 2), 'f'), numpy.full_like(idx, bad), 2)


@pytest.mark.gpu
def test_gpu_pooling_matches_cpu():
    cupy = pytest.importorskip('cupy')
    x = _unique_values((2, 3, 7, 6), numpy.float32)
    for fn in (lambda v: F.max_pooling_2d(v, 3, 2, 1),
               lambda v: F.average_pooling_nd(v, 3, 2, 1, pad_value=None),
               lambda v: F.unpooling_2d(v, 2)):
        xc, xg = chainer.Variable(x), chainer.Variable(cupy.asarray(x))
        yc, yg = fn(xc), fn(xg)
        numpy.testing.assert_allclose(cupy.asnumpy(yg.array), yc.array, rtol=1e-5)
        F.sum(yc * yc).backward()
        F.sum(yg * yg).backward()
        numpy.testing.assert_allclose(cupy.asnumpy(xg.grad), xc.grad, rtol=1e-5, atol=1e-6)



@pytest.mark.gpu
@pytest.mark.parametrize('x_on_gpu', [True, False])
def test_upsampling_2d_takes_indexes_from_the_other_device(x_on_gpu):
    """The indexes of a max pooling on the host (int64) upsample a GPU input, as in
    Chainer, whose kernel took them with ``xp.asarray``; GPU indexes upsample a host
    input likewise. Values and gradients are those of the same-device call."""
    cupy = pytest.importorskip('cupy')
    p = _unique_values((2, 3, 5, 6), numpy.float32)
    _, idx = F.max_pooling_2d(p, 2, return_indices=True)
    x = numpy.random.RandomState(1).uniform(-1, 1, idx.shape).astype(numpy.float32)
    gy = numpy.random.RandomState(2).uniform(-1, 1, p.shape).astype(numpy.float32)
    xc = chainer.Variable(x)
    yc = F.upsampling_2d(xc, idx, 2, outsize=(5, 6))
    yc.grad = gy
    yc.backward()
    if x_on_gpu:
        xv, idx_other, to_host = chainer.Variable(cupy.asarray(x)), idx, cupy.asnumpy
    else:
        xv, idx_other, to_host = chainer.Variable(x), cupy.asarray(idx), numpy.asarray
    y = F.upsampling_2d(xv, idx_other, 2, outsize=(5, 6))
    numpy.testing.assert_array_equal(to_host(y.array), yc.array)
    gx, = chainer.grad([y], [xv], [chainer.Variable(xv.xp.asarray(gy))],
                       enable_double_backprop=True)
    numpy.testing.assert_array_equal(to_host(gx.array), xc.grad)


@pytest.mark.parametrize('case', _POOL_CASES + [
    dict(dims=(9, 8), k=(3, 3), s=(2, 2), p=(1, 1), cover_all=False),
    dict(dims=(8, 8), k=(2, 2), s=(2, 2), p=(0, 0), cover_all=False)])
@pytest.mark.parametrize('nan', [False, True])
def test_max_pooling_ties_pick_the_first_offset(case, nan):
    """With many equal values, the gradient of every window goes to its first
    maximal entry (in window offset order), summed where windows overlap; the
    gradient's own gradient picks the same entries. A window holding NaN picks
    its first NaN (Chainer's argmax on the CPU)."""
    dims, k, s, p, cover_all = (case[n] for n in ('dims', 'k', 's', 'p', 'cover_all'))
    rng = numpy.random.default_rng(0)
    x = rng.integers(0, 3, (2, 3) + dims).astype(numpy.float64)
    if nan:
        x.flat[rng.choice(x.size, x.size // 10 + 1, replace=False)] = numpy.nan
    fn = {1: F.max_pooling_1d, 2: F.max_pooling_2d, 3: F.max_pooling_3d}[len(dims)]
    xv = chainer.Variable(x)
    y = fn(xv, k, s, p, cover_all)
    gy = rng.standard_normal(y.shape)
    gyv = chainer.Variable(gy)
    gx, = chainer.grad([y], [xv], [gyv], enable_double_backprop=True)
    expected = numpy.zeros_like(x)
    picked = numpy.zeros(y.shape)
    ggx = rng.standard_normal(x.shape)
    for pos, src, _ in _windows(x, k, s, p, cover_all):
        for n in range(2):
            for c in range(3):
                vals = [x[(n, c) + q] for q in src]
                first = src[int(numpy.argmax(vals))]
                expected[(n, c) + first] += gy[(n, c) + pos]
                picked[(n, c) + pos] = ggx[(n, c) + first]
    numpy.testing.assert_allclose(y.array, max_pool_ref(x, k, s, p, cover_all))
    numpy.testing.assert_allclose(gx.array, expected, rtol=1e-12, atol=1e-12)
    ggy, = chainer.grad([gx], [gyv], [chainer.Variable(ggx)])
    numpy.testing.assert_allclose(ggy.array, picked, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize('shape', [(2, 3), (2, 3, 4), (2, 3, 4, 4, 4)])
def test_pooling_wrong_ndim_error_types(shape):
    # As in Chainer: the 2-D average pooling and unpooling check ndim in their type check,
    # the max poolings and the 1-D/3-D wrappers refuse with a ValueError first.
    x = numpy.ones(shape, numpy.float32)
    for fn in (F.average_pooling_2d, F.unpooling_2d):
        with pytest.raises(type_check.InvalidType, match=r'in_types\[0\]\.ndim == 4'):
            fn(x, 2)
    for fn, n in ((F.max_pooling_2d, 2), (F.max_pooling_1d, 1), (F.average_pooling_1d, 1),
                  (F.unpooling_1d, 1), (F.max_pooling_3d, 3), (F.average_pooling_3d, 3),
                  (F.unpooling_3d, 3)):
        if len(shape) != n + 2:
            with pytest.raises(ValueError, match='dimensions under channel dimension'):
                fn(x, 2)


@pytest.mark.parametrize('fn', [
    lambda x: F.average_pooling_2d(x, 3),
    lambda x: F.average_pooling_nd(x, 3),
    lambda x: F.max_pooling_nd(x, 3, cover_all=False),
])
def test_output_size_below_one_is_also_an_assertion_error(fn):
    # Chainer asserted a positive output size.
    x = numpy.ones((1, 1, 1, 1), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        fn(x)
    with pytest.raises(AssertionError):
        fn(x)


@pytest.mark.parametrize('fn', [F.max_pooling_nd, F.average_pooling_nd, F.unpooling_nd])
@pytest.mark.parametrize('shape', [(2, 3), (3,)])
def test_nd_pooling_needs_a_spatial_axis(fn, shape):
    # As in Chainer: a ValueError, not an identity pooling over no axes.
    with pytest.raises(ValueError):
        fn(numpy.ones(shape, numpy.float32), 1)


@pytest.mark.parametrize('pad_value', [None, 0])
def test_average_pooling_nd_under_a_broadcast_gradient(pad_value):
    # A mean after the pooling hands it a read-only broadcast gradient; Chainer 7.8.1's
    # pad_value=None path divided that gradient in place and failed.
    x = chainer.Variable(numpy.random.RandomState(1).randn(2, 3, 4, 4, 4))
    y = F.mean(F.average_pooling_nd(x, 3, 1, 1, pad_value=pad_value))
    y.backward()
    expected = numpy.zeros_like(x.array)
    for pos in itertools.product(range(4), repeat=3):
        win = tuple(slice(max(q - 1, 0), min(q + 2, 4)) for q in pos)
        n = 27 if pad_value == 0 else int(numpy.prod([s.stop - s.start for s in win]))
        expected[(slice(None), slice(None)) + win] += 1.0 / 384 / n
    numpy.testing.assert_allclose(x.grad, expected, rtol=1e-12)


def test_average_pooling_nd_leaves_a_shared_gradient_alone():
    # The sum of two poolings of one input hands both the same gradient array (NASNet's
    # cells do this); Chainer 7.8.1's pad_value=None path scaled it in place, so the
    # second pooling saw the first one's scaled gradient and x.grad came out wrong.
    x = chainer.Variable(numpy.random.RandomState(2).randn(1, 2, 3, 3).astype(numpy.float32))
    y = (F.average_pooling_nd(x, 3, 1, 1, pad_value=None)
         + F.average_pooling_nd(x, 3, 1, 1, pad_value=None))
    y.grad = numpy.ones_like(y.array)
    y.backward()
    x1 = chainer.Variable(x.array.copy())
    y1 = F.average_pooling_nd(x1, 3, 1, 1, pad_value=None)
    y1.grad = numpy.full_like(y1.array, 2)
    y1.backward()
    numpy.testing.assert_allclose(x.grad, x1.grad, rtol=1e-6)


@pytest.mark.parametrize('shape,k', [((2, 3, 4, 4), 2), ((2, 3, 8, 8), 4), ((2, 5, 7, 7), 7),
                                     ((1, 2, 4, 4, 4), 2)])
def test_average_pooling_tiles_bitwise_as_chainer(shape, k):
    # Chainer's CPU form: im2col's (n, c, k1, k2, ..., o1, o2, ...) array, .mean over
    # the window axes (NumPy's order of additions for that layout)
    x = numpy.random.RandomState(0).uniform(-1, 1, shape).astype(numpy.float32)
    nd = len(shape) - 2
    outs = [s // k for s in shape[2:]]
    tiles = x.reshape(shape[:2] + tuple(v for o in outs for v in (o, k)))
    col = numpy.ascontiguousarray(tiles.transpose(
        (0, 1) + tuple(range(3, 3 + 2 * nd, 2)) + tuple(range(2, 2 + 2 * nd, 2))))
    expected = col.mean(axis=tuple(range(2, 2 + nd)))
    assert numpy.array_equal(F.average_pooling_nd(x, k).array, expected)


@pytest.mark.parametrize('fn', ['average', 'unpool'])
def test_tiled_windows_use_no_deprecated_numpy(fn):
    # disjoint windows no more numerous than their size take the tiled path, which
    # once assigned ``.shape`` on a view (a DeprecationWarning from NumPy 2.5); the
    # input is a strided slice and backward writes through the tiles
    base = numpy.random.RandomState(3).randn(2, 3, 4, 8).astype(numpy.float32)
    x = chainer.Variable(base[:, :, :, ::2])
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        if fn == 'average':
            y = F.average_pooling_2d(x, 4)
        else:
            y = F.unpooling_2d(x, 4, cover_all=False)
        y.grad = numpy.ones_like(y.array)
        y.backward()
    if fn == 'average':
        numpy.testing.assert_allclose(
            y.array, base[:, :, :, ::2].mean(axis=(2, 3), keepdims=True), rtol=1e-6)
        numpy.testing.assert_allclose(x.grad, numpy.full(x.shape, 1 / 16, numpy.float32))
    else:
        assert y.shape == (2, 3, 16, 16)
        numpy.testing.assert_allclose(x.grad, numpy.full(x.shape, 16, numpy.float32))


@pytest.mark.parametrize('dims, k, p, cover_all', [
    ((8, 8), (2, 2), (0, 0), False),
    ((9, 7), (2, 2), (1, 1), True),
    ((9, 9), (3, 3), (1, 0), False),
    ((6, 6), (3, 2), (0, 0), False),
    ((10,), (4,), (1,), True),
    ((4, 5, 6), (2, 2, 2), (0, 1, 0), True),
])
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_tiled_max_pooling_gradient_bitwise_as_positions(monkeypatch, dims, k, p, cover_all,
                                                        dtype):
    # Windows that tile the image (stride == ksize) get their gradient offset by
    # offset: bit for bit what writing through flat positions gives, infinities,
    # NaN and -0.0 in the gradient included, and offsets outside the window (given
    # to upsampling) pick nothing.
    from chainer.functions.pooling import pooling_nd
    rng = numpy.random.RandomState(2)
    x = rng.uniform(-1, 1, (2, 3) + dims).astype(dtype)
    x.flat[::7] = 0
    y, idx = F.max_pooling_nd(x, k, k, p, cover_all, return_indices=True)
    gy = rng.uniform(-1, 1, y.shape).astype(dtype)
    gy.flat[::5] = numpy.inf
    gy.flat[1::6] = numpy.nan
    gy.flat[2::7] = -0.0
    bad = idx.copy()
    bad.flat[::3] = 99
    bad.flat[1::4] = -1
    calls = []
    scatter_tiles = pooling_nd._scatter_tiles
    monkeypatch.setattr(pooling_nd, '_scatter_tiles',
                        lambda *args: calls.append(1) or scatter_tiles(*args))

    def run():
        out = []
        for i in (idx.astype(numpy.int32), idx, bad):
            out.append(pooling_nd.window_scatter(gy, i, k, k, p, dims))
        return out

    got = run()
    assert len(calls) == 3
    monkeypatch.setattr(pooling_nd, '_TILE_SCATTER_MAX_OFFSETS', 0)
    expected = run()
    assert len(calls) == 3
    for a, e in zip(got, expected):
        assert a.dtype == e.dtype == dtype and a.shape == e.shape == (2, 3) + dims
        bits = numpy.dtype(f'u{a.itemsize}')
        numpy.testing.assert_array_equal(a.view(bits), e.view(bits))



@pytest.mark.parametrize('dims, p, cover_all', [
    ((8, 8), (0, 0), False), ((9, 7), (1, 1), True), ((4, 6), (1, 0), True),
    ((384, 382), (0, 1), False)])  # (float32: in two blocks of samples)
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float32, numpy.float64])
def test_two_by_two_max_pooling_gradient_pairs_bitwise_as_slots(monkeypatch, dims, p,
                                                                 cover_all, dtype):
    # 2x2 tiles with int32 offsets (float16 / float32) are written a tile row's two
    # entries at a time: bit for bit what the offset-by-offset slots give, ties (the
    # zeros after a ReLU), infinities, NaN and -0.0 included, and offsets outside
    # the window, negative ones too, pick nothing.
    from chainer.functions.pooling import pooling_nd
    from chainer.utils import array as array_utils
    rng = numpy.random.RandomState(3)
    x = numpy.maximum(rng.uniform(-1, 1, (2, 3) + dims), 0).astype(dtype)
    x.flat[::9] = numpy.nan
    y, idx = pooling_nd.window_max(x, (2, 2), (2, 2), p, pooling_nd.pooling_out_dims(
        dims, (2, 2), (2, 2), p, cover_all))
    assert idx.dtype == numpy.int32
    gy = rng.uniform(-1, 1, y.shape).astype(dtype)
    gy.flat[::5] = numpy.inf
    gy.flat[1::6] = numpy.nan
    gy.flat[2::7] = -0.0
    gy.view(f'u{gy.itemsize}').flat[3::8] |= 1  # NaN payloads, odd last bits
    bad = idx.copy()
    bad.flat[::3] = 4
    bad.flat[1::4] = -1
    bad.flat[2::5] = 7
    if dims[0] > 100 and dtype == numpy.float32:
        assert len(array_utils.sample_blocks(gy, numpy.uint64)) == 2
    calls = []
    pairs = pooling_nd._scatter_pairs
    monkeypatch.setattr(pooling_nd, '_scatter_pairs',
                        lambda *args: calls.append(1) or pairs(*args))

    def run():
        return [pooling_nd.window_scatter(g, i, (2, 2), (2, 2), p, dims)
                for g in (gy, gy[:, ::-1]) for i in (idx, bad)]

    got = run()
    assert len(calls) == (4 if dtype != numpy.float64 and pooling_nd._PAIR_BITS else 0)
    monkeypatch.setattr(pooling_nd, '_PAIR_BITS', {})
    expected = run()
    for a, e in zip(got, expected):
        assert a.dtype == e.dtype == dtype and a.shape == e.shape == (2, 3) + dims
        bits = numpy.dtype(f'u{a.itemsize}')
        numpy.testing.assert_array_equal(a.view(bits), e.view(bits))

@pytest.mark.parametrize('f, x_shape, outsize', [
    # Chainer 7.8.1: InvalidType from its check against the outsize (1-d, N-d), the
    # 2-d form's unpacking ValueError, an AssertionError in some 1-d calls
    (F.unpooling_1d, (2, 3, 8), (3, 3)),
    (F.unpooling_2d, (1, 1, 2, 2), (3, 3, 3)),
    (F.unpooling_2d, (1, 1, 2, 2), numpy.array([4, 4, 4])),
    (F.unpooling_3d, (1, 1, 2, 2, 2), (3, 3, 3, 3)),
    (F.unpooling_nd, (1, 1, 2, 2), (4,)),
])
def test_unpooling_outsize_of_another_length(f, x_shape, outsize):
    with pytest.raises(type_check.InvalidType) as e:
        f(numpy.ones(x_shape, 'f'), 2, outsize=outsize)
    assert isinstance(e.value, ValueError) and isinstance(e.value, AssertionError)
    assert str(e.value).startswith(f'Expect: outsize of {len(x_shape) - 2} lengths\n')


@pytest.mark.parametrize('kwargs', [{'pad': -1}, {'stride': -1}, {'stride': 0}])
def test_upsampling_2d_refuses_negative_pads_and_strides(kwargs):
    # Chainer 7.8.1's scatter failed with ValueError; ours cropped the output for pad=-1
    x = numpy.ones((2, 3, 4, 4), 'f')
    with pytest.raises(ValueError):
        F.upsampling_2d(x, numpy.zeros((2, 3, 4, 4), numpy.int32), 2, **kwargs)


def test_window_sizes_are_python_products(monkeypatch):
    # The window and output sizes the NumPy paths choose by are products of a few
    # Python ints (numpy.prod of a tuple costs several microseconds a call, a
    # sizeable part of pooling a small input).
    def refuse(*args, **kwargs):
        raise AssertionError('numpy.prod called')
    monkeypatch.setattr(numpy, 'prod', refuse)
    x = numpy.random.RandomState(0).uniform(-1, 1, (1, 3, 4, 4)).astype(numpy.float32)
    for f in (lambda v: F.max_pooling_2d(v, 2), lambda v: F.average_pooling_2d(v, 2),
              lambda v: F.unpooling_2d(v, 2, cover_all=False),
              lambda v: F.max_pooling_2d(v, 4), lambda v: F.average_pooling_2d(v, 3, 1, 1)):
        v = chainer.Variable(x)
        y = f(v)
        y.grad = numpy.ones_like(y.array)
        y.backward()


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_unpooling_2d_tile_gradient_bits(dtype):
    # stride == ksize without padding: Chainer sums each tile's rows first, then
    # the rows ((a00 + a01) + (a10 + a11)), not the tile's elements one by one;
    # F.unpooling_nd keeps the element order of its window sums.
    rs = numpy.random.RandomState(3)
    x = chainer.Variable(rs.uniform(-1, 1, (2, 3, 3, 4)).astype(dtype))
    gy = rs.uniform(-1, 1, (2, 3, 6, 8)).astype(dtype)
    y = F.unpooling_2d(x, 2, outsize=(6, 8))
    gx, = chainer.grad([y], [x], grad_outputs=[gy])
    t = gy.reshape(2, 3, 3, 2, 4, 2)
    expected = ((t[:, :, :, 0, :, 0] + t[:, :, :, 0, :, 1])
                + (t[:, :, :, 1, :, 0] + t[:, :, :, 1, :, 1]))
    numpy.testing.assert_array_equal(gx.array, expected)
    y = F.unpooling_nd(x, 2, outsize=(6, 8))
    gx, = chainer.grad([y], [x], grad_outputs=[gy])
    expected = ((t[:, :, :, 0, :, 0] + t[:, :, :, 0, :, 1]) + t[:, :, :, 1, :, 0]
                + t[:, :, :, 1, :, 1])
    numpy.testing.assert_array_equal(gx.array, expected)
