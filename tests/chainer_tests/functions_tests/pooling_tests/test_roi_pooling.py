import math

import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import testing
from chainer.utils import type_check
from tests.chainer_tests.functions_tests.connection_tests import _conv_reference as ref

_backends = [{}, {'use_cuda': True}]

ROIS5 = numpy.array([[0, 1, 1, 6, 5], [1, 0, 2, 8, 7], [0, 3, 3, 3, 3]], numpy.float32)
ROIS4 = numpy.array([[1, 1, 6, 5], [0, 2, 8, 7.5], [3.2, 3, 3.5, 3], [-2, -1, 4, 12]],
                    numpy.float32)
ROI_IDX = numpy.array([0, 1, 0, 1], numpy.int32)


def _bins(start, end, n, size, plus_one):
    length = max(end - start + (1 if plus_one else 0), 1)
    step = length / n
    out = []
    for p in range(n):
        lo = min(max(int(math.floor(p * step)) + start, 0), size)
        hi = min(max(int(math.ceil((p + 1) * step)) + start, 0), size)
        out.append((lo, hi))
    return out


def pool_reference(x, boxes, batch, outh, outw, scale, plus_one, reduce):
    y = numpy.zeros((len(boxes), x.shape[1], outh, outw))
    for r, (y0, x0, y1, x1) in enumerate(boxes):
        y0, x0, y1, x1 = (int(round(v * scale)) for v in (y0, x0, y1, x1))
        for p, (hs, he) in enumerate(_bins(y0, y1, outh, x.shape[2], plus_one)):
            for q, (ws, we) in enumerate(_bins(x0, x1, outw, x.shape[3], plus_one)):
                if he > hs and we > ws:
                    patch = x[batch[r], :, hs:he, ws:we].reshape(x.shape[1], -1)
                    y[r, :, p, q] = reduce(patch, axis=1)
    return y


def _bilinear(img, yy, xx):
    h, w = img.shape[1:]
    if yy < -1 or yy > h or xx < -1 or xx > w:
        return None
    yy, xx = max(yy, 0.0), max(xx, 0.0)
    y0, x0 = int(yy), int(xx)
    if y0 >= h - 1:
        y0 = y1 = h - 1
        yy = float(y0)
    else:
        y1 = y0 + 1
    if x0 >= w - 1:
        x0 = x1 = w - 1
        xx = float(x0)
    else:
        x1 = x0 + 1
    ly, lx = yy - y0, xx - x0
    return ((1 - ly) * (1 - lx) * img[:, y0, x0] + (1 - ly) * lx * img[:, y0, x1]
            + ly * (1 - lx) * img[:, y1, x0] + ly * lx * img[:, y1, x1])


def align_reference(x, boxes, batch, outh, outw, scale, ratio, use_max):
    y = numpy.zeros((len(boxes), x.shape[1], outh, outw))
    for r, (y0, x0, y1, x1) in enumerate(boxes):
        y0, x0, y1, x1 = y0 * scale, x0 * scale, y1 * scale, x1 * scale
        rh, rw = max(y1 - y0, 1.0), max(x1 - x0, 1.0)
        bh, bw = rh / outh, rw / outw
        ratio_h, ratio_w = ratio if isinstance(ratio, tuple) else (ratio, ratio)
        gh = ratio_h or int(math.ceil(rh / outh))
        gw = ratio_w or int(math.ceil(rw / outw))
        for p in range(outh):
            for q in range(outw):
                vals = []
                for iy in range(gh):
                    for ix in range(gw):
                        v = _bilinear(x[batch[r]], y0 + p * bh + (iy + .5) * bh / gh,
                                      x0 + q * bw + (ix + .5) * bw / gw)
                        if v is not None:
                            vals.append(v)
                        elif not use_max:
                            vals.append(numpy.zeros(x.shape[1]))
                if vals and use_max:
                    y[r, :, p, q] = numpy.max(vals, axis=0)
                elif vals:
                    y[r, :, p, q] = numpy.sum(vals, axis=0) / (gh * gw)
    return y


@testing.parameterize(*testing.product({
    'kind': ['roi_pooling_2d', 'roi_max_pooling_2d', 'roi_average_pooling_2d',
             'roi_average_align_2d', 'roi_max_align_2d'],
    'dtype': [numpy.float32],
}) + [{'kind': 'roi_average_align_2d', 'dtype': numpy.float64},
      {'kind': 'roi_max_pooling_2d', 'dtype': numpy.float16}])
@testing.inject_backend_tests(None, _backends)
class TestROIPoolings(testing.FunctionTestCase):

    def setUp(self):
        ref.set_tolerances(self, self.dtype)

    def generate_inputs(self):
        # Distinct values, fixed: the maxima (also of interpolated samples) stay
        # clear of the numerical gradient's steps on every run.
        x = numpy.random.RandomState(1).permutation(2 * 3 * 8 * 9).reshape(2, 3, 8, 9) / 50.0
        return x.astype(self.dtype),

    def forward(self, inputs, device):
        x, = inputs
        if self.kind == 'roi_pooling_2d':
            return F.roi_pooling_2d(x, device.send(ROIS5), 3, 2, 0.9),
        fn = getattr(F, self.kind)
        y = fn(x, device.send(ROIS4), device.send(ROI_IDX), (3, 2), 0.9)
        if 'max' in self.kind:
            # Empty bins are -inf (test_empty_max_bins_are_minus_inf); 0 here, as in the
            # references, keeps the numerical gradient finite.
            xp = device.xp
            y = F.where(xp.isfinite(y.array), y, xp.zeros_like(y.array))
        return y,

    def forward_expected(self, inputs):
        x = inputs[0].astype(numpy.float64)
        if self.kind == 'roi_pooling_2d':
            boxes = ROIS5[:, [2, 1, 4, 3]]
            y = pool_reference(x, boxes, ROIS5[:, 0].astype(int), 3, 2, 0.9, True,
                               numpy.max)
        elif self.kind.endswith('pooling_2d'):
            reduce = numpy.max if 'max' in self.kind else numpy.mean
            y = pool_reference(x, ROIS4, ROI_IDX, 3, 2, 0.9, False, reduce)
        else:
            y = align_reference(x, ROIS4, ROI_IDX, 3, 2, 0.9, None, 'max' in self.kind)
        return y.astype(self.dtype),


@pytest.mark.parametrize('fn', [F.roi_max_pooling_2d, F.roi_max_align_2d])
def test_empty_max_bins_are_minus_inf(fn):
    # As in Chainer (CPU and GPU): a max over a bin with nothing in the image is -inf,
    # and it passes no gradient.
    x = chainer.Variable(numpy.random.RandomState(0).rand(1, 2, 4, 5))
    rois = numpy.array([[1, 1, 3, 4], [9, 9, 12, 12]], numpy.float32)
    y = fn(x, rois, numpy.zeros(2, 'i'), 2, 1.0)
    assert numpy.isfinite(y.array[0]).all()
    assert (y.array[1] == -numpy.inf).all()
    y.grad = numpy.ones_like(y.array)
    y.backward()
    assert x.grad.sum() == pytest.approx(8.0)
    gx, = chainer.grad([F.sum(fn(x, rois[1:], numpy.zeros(1, 'i'), 2, 1.0) * 0)], [x])
    assert not gx.array.any()


def test_max_align_skips_nan_and_minus_inf_samples():
    # Chainer's RoIAlign took a sample only if it exceeded the running max, which
    # starts at -inf: NaN samples never count, and a bin of -inf samples is empty.
    x = numpy.random.RandomState(0).rand(1, 1, 4, 4)
    rois, idx = numpy.array([[0, 0, 4, 4]], 'f'), numpy.zeros(1, 'i')
    clean = F.roi_max_align_2d(x, rois, idx, 1, 1.0, 2).array
    nan_x = x.copy()
    nan_x[0, 0, 0, 0] = numpy.nan
    got = F.roi_max_align_2d(nan_x, rois, idx, 1, 1.0, 2).array
    assert numpy.isfinite(got).all() and got[0, 0, 0, 0] <= clean[0, 0, 0, 0]
    v = chainer.Variable(numpy.full((1, 1, 4, 4), -numpy.inf))
    y = F.roi_max_align_2d(v, rois, idx, 1, 1.0, 2)
    assert y.array[0, 0, 0, 0] == -numpy.inf
    y.grad = numpy.ones_like(y.array)
    y.backward()
    assert not v.grad.any()


def test_align_sampling_ratio():
    x = numpy.random.rand(2, 3, 8, 9)
    y = F.roi_average_align_2d(x, ROIS4, ROI_IDX, 2, 1.0, sampling_ratio=2)
    numpy.testing.assert_allclose(
        y.array, align_reference(x, ROIS4, ROI_IDX, 2, 2, 1.0, 2, False), rtol=1e-6)


@pytest.mark.parametrize('ratio', [(None, 3), (1, None), (1, 2)])
@pytest.mark.parametrize('use_max', [False, True])
def test_align_sampling_ratio_per_axis(ratio, use_max):
    x = numpy.random.rand(2, 3, 8, 9)
    fn = F.roi_max_align_2d if use_max else F.roi_average_align_2d
    y = fn(x, ROIS4, ROI_IDX, (2, 3), 1.0, sampling_ratio=ratio)
    numpy.testing.assert_allclose(
        y.array, align_reference(x, ROIS4, ROI_IDX, 2, 3, 1.0, ratio, use_max),
        rtol=1e-5, atol=1e-6)  # the reference computes coordinates in float32


@pytest.mark.parametrize('kind', ['roi_max_pooling_2d', 'roi_average_pooling_2d',
                                  'roi_average_align_2d', 'roi_max_align_2d'])
def test_roi_bad_sizes_and_scales(kind):
    # Chainer raised TypeError for these arguments.
    x = numpy.zeros((2, 3, 8, 9), numpy.float32)
    fn = getattr(F, kind)
    for outsize in (0, -1, 2.5, (2,), (2, 0), True):
        with pytest.raises(TypeError, match='outsize'):
            fn(x, ROIS4, ROI_IDX, outsize, 1.0)
    for scale in (0, -0.5, 'a', None):
        with pytest.raises(TypeError, match='spatial_scale'):
            fn(x, ROIS4, ROI_IDX, 2, scale)
    # NumPy scalars are numbers as well.
    y = fn(x, ROIS4, ROI_IDX, (numpy.int64(2), 3), numpy.float32(0.6))
    assert y.shape == (4, 3, 2, 3)
    assert fn(x, ROIS4, ROI_IDX, 2, numpy.int32(2)).shape == (4, 3, 2, 2)
    if 'align' in kind:
        for ratio in (0, 1.5, (1, 0), (None, None, 1)):
            with pytest.raises(TypeError, match='sampling_ratio'):
                fn(x, ROIS4, ROI_IDX, 2, 1.0, sampling_ratio=ratio)


def test_roi_bad_inputs():
    x = numpy.zeros((2, 3, 8, 9), numpy.float32)
    with pytest.raises(type_check.InvalidType):
        F.roi_pooling_2d(x, ROIS4, 2, 2, 1.0)                      # needs 5 columns
    with pytest.raises(type_check.InvalidType):
        F.roi_max_pooling_2d(x, ROIS4, ROI_IDX[:2], 2, 1.0)         # index count
    with pytest.raises(type_check.InvalidType):
        F.roi_average_align_2d(x, ROIS4, ROI_IDX.astype('f'), 2, 1.0)
    with pytest.raises(type_check.InvalidType):
        F.roi_max_align_2d(x[0], ROIS4, ROI_IDX, 2, 1.0)
    with pytest.raises(ValueError):
        F.roi_average_pooling_2d(x, ROIS4, numpy.array([0, 1, 2, 0], 'i'), 2, 1.0)


@pytest.mark.parametrize('fn', [F.roi_max_pooling_2d, F.roi_average_pooling_2d,
                                F.roi_average_align_2d, F.roi_max_align_2d])
def test_no_rois(fn):
    x = chainer.Variable(numpy.random.rand(2, 3, 8, 9))
    y = fn(x, numpy.zeros((0, 4), 'f'), numpy.zeros(0, 'i'), 2, 1.0)
    assert y.shape == (0, 3, 2, 2)
    F.sum(y).backward()
    numpy.testing.assert_array_equal(x.grad, numpy.zeros_like(x.array))


def test_max_align_in_chunks_matches(monkeypatch):
    from chainer.functions.pooling import _roi
    x = numpy.random.rand(2, 3, 8, 9)
    whole = F.roi_max_align_2d(x, ROIS4, ROI_IDX, 3, 1.0).array
    monkeypatch.setattr(_roi, '_CHUNK', 10)
    numpy.testing.assert_array_equal(F.roi_max_align_2d(x, ROIS4, ROI_IDX, 3, 1.0).array,
                                     whole)


def _roi_call(kind, x, rois, roi_indices):
    if kind == 'roi_pooling_2d':
        return F.roi_pooling_2d(x, rois, 3, 2, 0.9)
    return getattr(F, kind)(x, rois, roi_indices, (3, 2), 0.9)


@pytest.mark.parametrize('kind', ['roi_pooling_2d', 'roi_max_pooling_2d',
                                  'roi_average_pooling_2d', 'roi_average_align_2d',
                                  'roi_max_align_2d'])
@pytest.mark.parametrize('wrap_rois,wrap_indices', [(True, False), (False, True),
                                                    (True, True)])
def test_rois_given_as_variables(kind, wrap_rois, wrap_indices):
    x_data = numpy.random.RandomState(2).permutation(2 * 3 * 8 * 9).reshape(
        2, 3, 8, 9).astype(numpy.float32)
    rois_data = ROIS5 if kind == 'roi_pooling_2d' else ROIS4
    rois = chainer.Variable(rois_data) if wrap_rois else rois_data
    indices = chainer.Variable(ROI_IDX) if wrap_indices else ROI_IDX
    x = chainer.Variable(x_data)
    y = _roi_call(kind, x, rois, indices)
    x_ref = chainer.Variable(x_data)
    y_ref = _roi_call(kind, x_ref, rois_data, ROI_IDX)
    numpy.testing.assert_array_equal(y.array, y_ref.array)
    gy = numpy.random.RandomState(3).uniform(-1, 1, y.shape).astype(numpy.float32)
    y.grad = gy
    y.backward()
    y_ref.grad = gy
    y_ref.backward()
    numpy.testing.assert_array_equal(x.grad, x_ref.grad)
    if wrap_rois:
        assert rois.grad is None  # the boxes get no gradient


@pytest.mark.parametrize('kind,label', [
    ('roi_pooling_2d', 'ROIPooling2D'), ('roi_max_pooling_2d', 'ROIMaxPooling2D'),
    ('roi_average_pooling_2d', 'ROIAveragePooling2D'),
    ('roi_average_align_2d', 'ROIAverageAlign2D'), ('roi_max_align_2d', 'ROIMaxAlign2D')])
def test_roi_node_in_the_graph(kind, label):
    # One node named and fed as Chainer's: x, the boxes and (but for roi_pooling_2d)
    # their batch indices; only x gets a gradient.
    x = chainer.Variable(numpy.ones((2, 3, 8, 9), numpy.float32))
    rois = chainer.Variable(ROIS5 if kind == 'roi_pooling_2d' else ROIS4)
    y = _roi_call(kind, x, rois, ROI_IDX)
    node = y.creator
    assert node.label == label
    assert node.inputs[0] is x.node and node.inputs[1] is rois.node
    assert len(node.inputs) == (2 if kind == 'roi_pooling_2d' else 3)
    gx, grois = chainer.grad([F.sum(y)], [x, rois])
    assert grois is None and gx.shape == x.shape


def test_input_check_messages_name_chainers_nodes():
    x = numpy.zeros((1, 1, 4, 4), numpy.float32)
    with pytest.raises(type_check.InvalidType) as e:
        F.roi_pooling_2d(x, numpy.zeros((1, 4), numpy.float32), 2, 2, 1.0)
    assert str(e.value) == ('\nInvalid operation is performed in: ROIPooling2D (Forward)\n\n'
                            'Expect: in_types[1].shape[1] == 5\nActual: 4 != 5')
    with pytest.raises(type_check.InvalidType) as e:
        F.roi_max_align_2d(x, numpy.zeros((1, 4), numpy.float32), numpy.zeros((1, 1), 'i'),
                           2, 1.0)
    assert str(e.value) == ('\nInvalid operation is performed in: ROIMaxAlign2D (Forward)\n\n'
                            'Expect: in_types[2].ndim == 1\nActual: 2 != 1')


@pytest.mark.parametrize('outh, outw, scale, error', [
    # Chainer 7.8.1 failed in NumPy (ZeroDivisionError for 0, ValueError for a negative
    # size, TypeError for a float size or a string scale); ours computed an empty or
    # truncated grid
    (0, 2, 1.0, ValueError),
    (2, -1, 1.0, ValueError),
    (2.5, 2, 1.0, TypeError),
    (2, 2, 'a', TypeError),
])
def test_roi_pooling_2d_bad_grid_sizes(outh, outw, scale, error):
    x = numpy.ones((1, 2, 6, 6), 'f')
    rois = numpy.array([[0, 1, 1, 4, 4]], 'f')
    with pytest.raises(error):
        F.roi_pooling_2d(x, rois, outh, outw, scale)
    assert F.roi_pooling_2d(x, rois, numpy.int64(2), 2, numpy.float32(0.5)).shape == (1, 2, 2, 2)


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('channel_taps', [False, True])
def test_sparse_gather_and_scatter_bitwise_as_the_indexed_forms(dtype, channel_taps):
    # The gather reads blocks of RoIs through flat indices (several blocks here), the
    # scatter is one sparse product: both bit for bit the advanced-index forms.
    from chainer.functions.pooling import _roi
    rng = numpy.random.RandomState(0)
    n, c, h, w, R, k = 3, 16, 9, 8, 24, 16
    x = rng.randn(n, c, h, w).astype(dtype)
    batch = rng.randint(-n, n, R)
    pos = rng.randint(0, h * w, (R, c if channel_taps else 1, 7, 7, k)).astype(numpy.int32)
    weight = rng.uniform(0, 1, pos.shape).astype(dtype)
    node = _roi.SparseGather(batch, pos, weight)
    y, = node.forward((x,))
    index = _roi._index(numpy, batch, pos, c)
    xf = x.reshape(n, c, h * w)
    assert y.tobytes() == (xf[index] * weight).sum(axis=-1).tobytes()
    gy = rng.randn(*y.shape).astype(dtype)
    gx, = _roi.SparseScatter(batch, pos, weight, x.shape).forward((gy,))
    expected = numpy.zeros_like(xf)
    numpy.add.at(expected, index, numpy.broadcast_to(gy[..., None] * weight,
                                                     numpy.broadcast_shapes(*(
                                                         i.shape for i in index))))
    assert gx.tobytes() == expected.reshape(x.shape).tobytes()
    with pytest.raises(IndexError):
        _roi.SparseGather(batch + 2 * n, pos, weight).forward((x,))
