"""Each converter: export one function call, check it and run it in onnxruntime."""
import warnings

import numpy
import pytest

import chainer
import chainer.functions as F
from tests.onnx_chainer_tests import _util


def _x(*shape, seed=0, dtype=numpy.float32):
    return numpy.random.RandomState(seed).uniform(-1, 1, shape).astype(dtype)


def _pos(*shape, seed=0):
    return numpy.random.RandomState(seed).uniform(0.5, 2, shape).astype(numpy.float32)


X = _x(2, 3, 4)
X4 = _x(2, 3, 6, 6)
P = _pos(2, 3, 4)
U = _x(2, 3, 4, seed=1) * 0.9

UNARY = [
    ('relu', F.relu, X), ('sigmoid', F.sigmoid, X), ('tanh', F.tanh, X),
    ('leaky_relu', lambda x: F.leaky_relu(x, 0.3), X),
    ('elu', lambda x: F.elu(x, 0.7), X),
    ('clipped_relu', lambda x: F.clipped_relu(x, 0.5), X),
    ('hard_sigmoid', F.hard_sigmoid, X * 4),
    ('softplus', F.softplus, X), ('softplus_beta', lambda x: F.softplus(x, 2.0), X),
    ('selu', F.selu, X),
    ('softmax_axis2', lambda x: F.softmax(x, axis=2), X),
    ('log_softmax', F.log_softmax, X),
    ('neg', lambda x: -x, X), ('abs', F.absolute, X),
    ('add_const', lambda x: x + 2.5, X), ('rsub_const', lambda x: 2.5 - x, X),
    ('mul_const', lambda x: x * 3, X), ('div_const', lambda x: x / 3, X),
    ('rdiv_const', lambda x: 3 / x, P), ('pow_const', lambda x: x ** 2.5, P),
    ('rpow_const', lambda x: 2.0 ** x, X),
    ('exp', F.exp, X), ('log', F.log, P), ('sqrt', F.sqrt, P), ('square', F.square, X),
    ('sin', F.sin, X), ('cos', F.cos, X), ('tan', F.tan, X),
    ('arcsin', F.arcsin, U), ('arccos', F.arccos, U), ('arctan', F.arctan, X),
    ('sinh', F.sinh, X), ('cosh', F.cosh, X), ('sign', lambda x: F.sign(x), X),
    ('identity', F.identity, X),
    ('sum', F.sum, X), ('sum_axis', lambda x: F.sum(x, axis=(0, 2), keepdims=True), X),
    ('max', lambda x: F.max(x, axis=1), X), ('min', F.min, X),
    ('prod', lambda x: F.prod(x, axis=2), X), ('logsumexp', lambda x: F.logsumexp(x, 1), X),
    ('mean', lambda x: F.mean(x, axis=1), X),
    ('argmax', lambda x: F.argmax(x, axis=1), X), ('argmin', F.argmin, X),
    ('clip', lambda x: F.clip(x, -0.3, 0.4), X),
    ('broadcast_to', lambda x: F.broadcast_to(x[:, :1], (2, 3, 4)), X),
    ('reshape', lambda x: F.reshape(x, (4, -1)), X),
    ('transpose', F.transpose, X), ('transpose_axes', lambda x: F.transpose(x, (1, 0, 2)), X),
    ('swapaxes', lambda x: F.swapaxes(x, 0, 2), X),
    ('moveaxis', lambda x: F.moveaxis(x, 0, -1), X),
    ('rollaxis', lambda x: F.rollaxis(x, 2), X),
    ('expand_dims', lambda x: F.expand_dims(x, 1), X),
    ('squeeze', lambda x: F.squeeze(x[:, :1]), X),
    ('flatten', F.flatten, X),
    ('cast', lambda x: F.cast(x, numpy.float64), X),
    ('copy', lambda x: F.copy(x, -1), X),
    ('split_axis', lambda x: F.split_axis(x, [1, 3], axis=2), X),
    ('separate', lambda x: F.separate(x, 1), X),
    ('tile', lambda x: F.tile(x, (2, 1)), X),
    ('repeat', lambda x: F.repeat(x, 2, axis=1), X),
    ('pad', lambda x: F.pad(x, ((0, 0), (1, 2), (0, 1)), 'constant'), X),
    ('getitem', lambda x: x[1, :, ::-2], X),
    ('getitem_none', lambda x: x[..., None, 1:3], X),
    ('getitem_array', lambda x: x[:, [2, 0]], X),
    ('getitem_leading_list', lambda x: x[[0, 0, 1]], X),
    ('getitem_leading_array', lambda x: F.get_item(x, numpy.array([1, 0])), X),
    ('depth2space', lambda x: F.depth2space(x, 2), _x(1, 8, 2, 3)),
    ('space2depth', lambda x: F.space2depth(x, 2), _x(1, 2, 4, 6)),
    ('resize_images', lambda x: F.resize_images(x, (9, 5)), X4),
    ('max_pooling', lambda x: F.max_pooling_2d(x, 3, 2, 1), X4),
    ('max_pooling_cover_all', lambda x: F.max_pooling_2d(x, 2, 2, cover_all=True), _x(1, 2, 5, 5)),
    ('average_pooling', lambda x: F.average_pooling_2d(x, 2, 2, 1), X4),
    ('local_response_normalization', F.local_response_normalization, X4),
    ('normalize', F.normalize, _x(3, 5)),
    ('dropout_eval', F.dropout, X),
    ('unpooling', lambda x: F.unpooling_2d(x, 2, cover_all=False), _x(1, 2, 3, 3)),
    ('group_normalization',
     lambda x: F.group_normalization(x, 2, _pos(4, seed=5), _x(4, seed=6)), _x(2, 4, 3, 3)),
    ('layer_normalization',
     lambda x: F.layer_normalization(x, _pos(3, 4, seed=5), _x(3, 4, seed=6)), _x(2, 3, 4)),
    ('multi_add', lambda x: x + x * 2 + x * 3, X),
    ('arctanh', F.arctanh, U), ('erf', F.erf, X), ('erfc', F.erfc, X),
    ('log2', F.log2, P), ('log10', F.log10, P), ('log1p', F.log1p, P), ('expm1', F.expm1, X),
    ('cumsum', lambda x: F.cumsum(x, axis=1), X), ('cumsum_flat', F.cumsum, X),
    ('sum_to', lambda x: F.sum_to(x, (3, 1)), X),
    ('flip', lambda x: F.flip(x, 2), X), ('fliplr', F.fliplr, X), ('flipud', F.flipud, X),
    ('crelu', F.crelu, X),
    ('swish', lambda x: F.swish(x, _pos(3, seed=7)), X),
    ('einsum', lambda x: F.einsum('ijk,ilk->jl', x, x), X),
    ('unpooling_3d', lambda x: F.unpooling_nd(x, 2, cover_all=False), _x(1, 1, 2, 2, 2)),
]


@pytest.mark.parametrize('name,fn,x', UNARY, ids=[u[0] for u in UNARY])
def test_unary(name, fn, x):
    _util.check(fn, x, rtol=1e-5, atol=1e-5)



@pytest.mark.parametrize('fn,op', [(F.argmax, 'ArgMax'), (F.argmin, 'ArgMin'),
                                   (lambda v: F.repeat(v, 2), 'Repeat')])
def test_flattening_over_all_axes_names_its_shape_constant_as_chainer(fn, op):
    # The flattening Reshape's shape is <function>_const_shape, Chainer's name.
    model = _util.check(fn, _x(2, 3))
    reshape = next(n for n in model.graph.node if n.op_type == 'Reshape')
    assert reshape.input[1] == f'{op}_0_const_shape'

BINARY = [
    ('add', lambda a, b: a + b), ('sub', lambda a, b: a - b), ('mul', lambda a, b: a * b),
    ('div', lambda a, b: a / b), ('pow', lambda a, b: F.absolute(a) ** b),
    ('maximum', F.maximum), ('minimum', F.minimum),
    ('concat', lambda a, b: F.concat((a, b), axis=2)),
    ('stack', lambda a, b: F.stack((a, b), axis=1)),
    ('hstack', lambda a, b: F.hstack((a, b))), ('vstack', lambda a, b: F.vstack((a, b))),
    ('dstack', lambda a, b: F.dstack((a, b))),
    ('where', lambda a, b: F.where(a.array > 0, a, b)),
    ('matmul', lambda a, b: F.matmul(a, b, transb=True)),
    ('linear_interpolate', lambda a, b: F.linear_interpolate(F.sigmoid(a), a, b)),
    ('fmod', lambda a, b: F.fmod(a, b + 2)),
    ('squared_difference', F.squared_difference),
    ('squared_error', F.squared_error),
    ('mean_squared_error', F.mean_squared_error),
    ('mean_absolute_error', F.mean_absolute_error),
]


@pytest.mark.parametrize('name,fn', BINARY, ids=[b[0] for b in BINARY])
def test_binary(name, fn):
    # where's condition is an array taken at export time.
    _util.check(fn, [_x(2, 3, 4, seed=1), _x(2, 3, 4, seed=2)], rtol=1e-5, atol=1e-5,
                fresh_input=name != 'where')


@pytest.mark.parametrize('a_shape,b_shape,transa,transb', [
    ((2, 3, 4), (2, 4, 5), False, False),
    ((2, 4), (2, 4, 3), True, False),
    ((2, 3, 4), (2, 5, 4), False, True),
    ((2, 3), (2, 3), False, True),
])
def test_batch_matmul(a_shape, b_shape, transa, transb):
    # One BatchMatMul node, which Chainer's onnx_chainer could not convert.
    def fn(a, b):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', DeprecationWarning)
            return F.batch_matmul(a, b, transa, transb)
    _util.check(fn, [_x(*a_shape, seed=1), _x(*b_shape, seed=2)])


@pytest.mark.parametrize('opset', [11, 13])
def test_batch_matmul_at_older_opsets(opset):
    def fn(a, b):
        with warnings.catch_warnings():
            warnings.simplefilter('ignore', DeprecationWarning)
            return F.batch_matmul(a, b, transa=True)
    _util.check(fn, [_x(2, 4, seed=1), _x(2, 4, 3, seed=2)], opset_version=opset)


def test_maxout_exports_as_reshape_and_max():
    model = _util.check(lambda x: F.maxout(x, 2), [_x(3, 4, 2, seed=1)])
    ops = [n.op_type for n in model.graph.node]
    assert 'Reshape' in ops and ops[-1] == 'ReduceMax'


def test_linear_3d_input():
    W, b = _x(5, 4, seed=3), _x(5, seed=4)
    _util.check(lambda x: F.linear(x, W, b, n_batch_axes=2), X)


def test_convolution_variants():
    W = _x(4, 3, 3, 3, seed=3)
    _util.check(lambda x: F.convolution_2d(x, W, stride=2, pad=1), X4, atol=1e-5)
    _util.check(lambda x: F.convolution_2d(x, W, stride=2, cover_all=True), _x(1, 3, 6, 6),
                atol=1e-5)
    _util.check(lambda x: F.convolution_2d(x, W, dilate=2), X4, atol=1e-5)
    Wg = _x(6, 1, 3, 3, seed=3)
    _util.check(lambda x: F.convolution_2d(x, Wg, groups=3), X4, atol=1e-5)


def test_deconvolution():
    W = _x(3, 2, 3, 3, seed=3)
    _util.check(lambda x: F.deconvolution_2d(x, W, stride=2, pad=1), X4, atol=1e-5)
    _util.check(lambda x: F.deconvolution_2d(x, W, stride=2, pad=1, outsize=(12, 12)), X4,
                atol=1e-5)


@pytest.mark.parametrize('batch', [2, 0])
def test_linear_over_batch_axes_reshapes_back_with_minus_one_as_chainer(batch):
    from onnx import numpy_helper
    fn = lambda x: F.linear(x, _x(5, 4, seed=3), n_batch_axes=2)  # noqa: E731
    x = _x(batch, 3, 4)
    model = _util.onnx_chainer.export(_util.FuncModel(fn), x, opset_version=11)
    shapes = [numpy_helper.to_array(n.attribute[0].t).tolist() for n in model.graph.node
              if n.op_type == 'Constant' and n.output[0].endswith('_const_shape')]
    assert shapes == ([[6, -1], [2, 3, -1]] if batch else [[0, 4], [0, 3, 5]])
    _util.check(fn, x, opset_version=11)


@pytest.mark.parametrize('ksize,stride,pad', [(2, 1, 1), (1, 1, 1), (3, 1, 1), (2, 2, 1)])
def test_deconvolution_with_pads_passes_shape_inference(ksize, stride, pad):
    # pads with output_shape made ONNX's shape inference fail; pads alone give the size
    W = _x(3, 2, ksize, ksize, seed=3)
    _util.check(lambda x: F.deconvolution_2d(x, W, stride=stride, pad=pad), _x(2, 3, 5, 4),
                atol=1e-5, opset_version=11)


@pytest.mark.parametrize('outsize', [(9, 9), (9, 10), (10, 9)])
def test_deconvolution_outsize_smaller_than_the_full_output_crops_its_end(outsize):
    # Chainer's outsize may be below the full size (a cover_all convolution's inverse):
    # the end is cropped, an end padding in ONNX (never a negative output_padding).
    W = _x(2, 3, 2, 2, seed=3)
    x = _x(1, 2, 5, 5)
    fn = lambda v: F.deconvolution_2d(v, W, stride=2, outsize=outsize)  # noqa: E731
    model = _util.onnx_chainer.export(_util.FuncModel(fn), x, opset_version=11)
    attrs = {a.name: _util.onnx.helper.get_attribute_value(a)
             for a in model.graph.node[0].attribute}
    assert all(p >= 0 for p in attrs.get('output_padding', []))
    _util.check(fn, x, atol=1e-5, opset_version=11)


def test_prelu_and_embed():
    W = _x(3, seed=3)
    _util.check(lambda x: F.prelu(x, W), X)
    E = _x(7, 4, seed=3)
    ids = numpy.array([[0, 6, -1], [3, 3, 1]], numpy.int32)
    _util.check(lambda t: F.embed_id(t, E, ignore_label=-1), ids)


def test_select_item_and_permutate():
    t = numpy.array([2, 0], numpy.int32)
    _util.check(lambda x: F.select_item(x, t), _x(2, 3))
    idx = numpy.array([2, 0, 1], numpy.int32)
    _util.check(lambda x: F.permutate(x, idx, axis=1), X)
    _util.check(lambda x: F.permutate(x, idx, axis=1, inv=True), X)


def test_softmax_cross_entropy():
    t = numpy.array([1, -1, 3], numpy.int32)
    x = _x(3, 4)
    _util.check(lambda x: F.softmax_cross_entropy(x, t), x)
    _util.check(lambda x: F.softmax_cross_entropy(x, t, normalize=False), x)
    _util.check(lambda x: F.softmax_cross_entropy(x, t, reduce='no'), x)


def test_batch_normalization_train_mode_uses_batch_statistics():
    gamma, beta = _pos(3, seed=3), _x(3, seed=4)
    fn = lambda x: F.batch_normalization(x, gamma, beta)  # noqa: E731
    model = _util.FuncModel(fn)
    onnx_model = _util.onnx_chainer.export(model, X4, train=True)
    with chainer.using_config('train', True):
        want = fn(X4).array
    got, = _util.run_onnx(onnx_model, X4)
    numpy.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-5)


def test_float64_model():
    _util.check(lambda x: F.relu(x) * 2.0 + 1, X.astype(numpy.float64))


REDUCTIONS = [u for u in UNARY if u[0] in (
    'sum', 'sum_axis', 'max', 'min', 'prod', 'logsumexp', 'mean', 'normalize')]


@pytest.mark.parametrize('opset', [13, 18])
@pytest.mark.parametrize('name,fn,x', REDUCTIONS, ids=[u[0] for u in REDUCTIONS])
def test_reductions_at_each_opset(name, fn, x, opset):
    _util.check(fn, x, rtol=1e-5, atol=1e-5, opset_version=opset)


OPSET_11 = [u for u in UNARY if u[0] in (
    'log_softmax', 'sum', 'sum_axis', 'expand_dims', 'squeeze', 'separate', 'repeat',
    'getitem', 'unpooling')]


@pytest.mark.parametrize('name,fn,x', OPSET_11, ids=[u[0] for u in OPSET_11])
def test_unary_at_opset_11(name, fn, x):
    # Before opset 13 the axes of Squeeze/Unsqueeze/ReduceSum/Split are attributes,
    # and (Log)Softmax normalizes over all axes from its axis on.
    _util.check(fn, x, rtol=1e-5, atol=1e-5, opset_version=11)


def test_operator_missing_at_the_opset_raises_runtime_error():
    x = _x(2, 3)
    with pytest.raises(RuntimeError, match=r'EinSum is not supported by onnx_chainer at opset '
                       r'11: its Einsum node needs a newer opset \(12 or newer\)'):
        _util.onnx_chainer.export(_util.FuncModel(lambda v: F.einsum('ij->ji', v)), x,
                            opset_version=11)
    with pytest.warns(UserWarning, match='opset_version 6'), \
            pytest.raises(RuntimeError, match='`ReLU` of Chainer with ONNX opset_version 6'):
        _util.onnx_chainer.export(_util.FuncModel(F.relu), x, opset_version=6)


def test_support_hands_the_newest_declared_opset_not_above_the_request():
    from onnx_chainer.functions.opset_version import support

    @support((6, 8))
    def conv(func, opset_version, *rest):
        return opset_version

    assert [conv(None, v) for v in (6, 7, 8, 9)] == [6, 6, 8, 8]
    # Chainer's words, so matches written for its message hold
    with pytest.raises(RuntimeError, match='ONNX-Chainer cannot convert `NoneType` '
                       'of Chainer with ONNX opset_version 5'):
        conv(None, 5)
    assert support(None)(conv.__wrapped__)(None, 5) == 5


@pytest.mark.parametrize('opset', [7, 10, 11, 12, 13, 18])
def test_dropout_traced_in_training_runs_as_identity(opset):
    x = _x(2, 3)
    model = _util.onnx_chainer.export(_util.FuncModel(lambda v: F.dropout(v, 0.3)), x,
                                      train=True, opset_version=opset)
    node = [n for n in model.graph.node if n.op_type == 'Dropout'][0]
    assert [a.name for a in node.attribute] == (['ratio'] if opset < 12 else [])
    _util.onnx.checker.check_model(model, full_check=True)
    numpy.testing.assert_array_equal(_util.run_onnx(model, x)[0], x)


CONST_NAMES = [
    (lambda x: x + 2, ['AddConstant_0_const_value']),
    (lambda x: 2 / x, ['DivFromConstant_0_const_value']),
    (lambda x: x ** 2, ['PowVarConst_0_const_value']),
    (lambda x: F.clip(x, -1.0, 1.0), ['Clip_0_const_x_min', 'Clip_0_const_x_max']),
    (lambda x: F.clipped_relu(x, 1.0), ['ClippedReLU_0_const_zero', 'ClippedReLU_0_const_clip_z']),
    (lambda x: F.reshape(x, (6, 4)), ['Reshape_0_const_shape']),
    (lambda x: F.broadcast_to(x, (2, 2, 3, 4)), ['BroadcastTo_0_const_shape']),
    (lambda x: F.tile(x, (1, 2)), ['Tile_0_const_tiles']),
    (lambda x: F.pad(x, 1, 'constant'), ['Pad_0_const_pads']),
    (lambda x: F.pad(x, 1, 'constant', constant_values=1.5),
     ['Pad_0_const_pads', 'Pad_0_const_constant_value']),
    (lambda x: x[1:, ::2], ['GetItem_0_const_starts', 'GetItem_0_const_ends',
                            'GetItem_0_const_axes', 'GetItem_0_const_steps']),
    (lambda x: x[:, [2, 0]], ['GetItem_0_const_indices']),
    (lambda x: F.linear_interpolate(F.sigmoid(x), x, x), ['LinearInterpolate_0_const_one']),
]


@pytest.mark.parametrize('fn,names', CONST_NAMES)
def test_constants_are_named_after_their_role_as_chainer_did(fn, names):
    # Users diff exported graphs against Chainer's: a converter's constants are
    # <Function>_<k>_const_<role>, with Chainer's role names.
    model = _util.onnx_chainer.export(_util.FuncModel(fn), _x(2, 3, 4), opset_version=11)
    consts = [n.output[0] for n in model.graph.node if n.op_type == 'Constant']
    assert consts == names


def test_unpooling_roi_is_chainers_empty_float64_at_opset_11():
    from onnx import numpy_helper
    fn = lambda x: F.unpooling_2d(x, 2, cover_all=False)  # noqa: E731
    model = _util.onnx_chainer.export(_util.FuncModel(fn), _x(1, 2, 3, 3), opset_version=11)
    roi, = [numpy_helper.to_array(n.attribute[0].t) for n in model.graph.node
            if n.output[0] == 'Unpooling2D_0_const_roi']
    assert roi.shape == (0,) and roi.dtype == numpy.float64


@pytest.mark.parametrize('index', [
    (slice(None), slice(-10, None, -1)), (slice(-3, -10, -1),), (Ellipsis, slice(-5, 1, -2)),
    (slice(-2, -10, -1), slice(-4, None, -1)), (slice(None), slice(-3, None, -1)),
])
def test_getitem_backward_slice_starting_before_the_axis_is_empty(index):
    # Python makes x[-10::-1] of fewer values empty; ONNX's Slice clamps the start to 0.
    _util.check(lambda x: x[index], _x(2, 3, 4), opset_version=11)


@pytest.mark.parametrize('index', [
    (1, slice(None), [0, 2]), (1, None, [2, 0]), ([1, 0], slice(1, None), -1),
    (0, Ellipsis, [1, 1, 0]), (slice(None), 1, [0, 2]), (None, 1, [2, 0]),
])
def test_getitem_int_and_array_apart_put_the_array_axis_first(index):
    # NumPy's rule: indices split by a slice or None give their axis first
    _util.check(lambda x: x[index], _x(2, 3, 4), opset_version=13)


_MAX = 2 ** 63 - 1
GETITEM_SLICES = [
    (lambda x: x[1:, ::2], [1, 0], [_MAX, _MAX], [0, 1], [1, 2]),
    (lambda x: x[:, 1:3], [1], [3], [1], [1]),
    (lambda x: x[:, ::1, 1:], [0, 1], [_MAX, _MAX], [1, 2], [1, 1]),
    (lambda x: x[-1], [-1], [_MAX], [0], [1]),
    (lambda x: x[-2:, :, :-1], [-2, 0], [_MAX, -1], [0, 2], [1, 1]),
    (lambda x: x[::-1], [_MAX], [-_MAX - 1], [0], [-1]),
    (lambda x: x[1, :, ::-2], [1, _MAX], [2, -_MAX - 1], [0, 2], [1, -2]),
]


@pytest.mark.parametrize('fn,starts,ends,axes,steps', GETITEM_SLICES)
def test_getitem_slice_inputs_as_chainer_wrote_them(fn, starts, ends, axes, steps):
    # The bounds as given, int64 extremes for open ends, and no entry for a full ':'.
    x = _x(2, 3, 4)
    model = _util.onnx_chainer.export(_util.FuncModel(fn), x, opset_version=11)
    consts = {n.output[0].rsplit('_', 1)[-1]:
              _util.onnx.numpy_helper.to_array(n.attribute[0].t).tolist()
              for n in model.graph.node if n.op_type == 'Constant'}
    assert consts == {'starts': starts, 'ends': ends, 'axes': axes, 'steps': steps}
    _util.check(fn, x, rtol=0, atol=0)


FORMS = [
    ('T', lambda x: x.T, [('Transpose', {})]),
    ('transpose_default', F.transpose, [('Transpose', {})]),
    ('separate', lambda x: F.separate(x, -1),
     [('Split', {'axis': -1})] + [('Squeeze', {'axes': [-1]})] * 4),
    ('separate_size_1', lambda x: F.separate(x[:1], 0),
     [('Slice', {}), ('Split', {'axis': 0}), ('Squeeze', {'axes': [0]})]),
    ('split_axis', lambda x: F.split_axis(x, [1, 3], -1),
     [('Split', {'axis': -1, 'split': [1, 2, 1]})]),
    ('sum_negative_axis', lambda x: F.sum(x, -1), [('ReduceSum', {'axes': [-1], 'keepdims': 0})]),
    ('sum_axes_keepdims', lambda x: F.sum(x, (0, -1), keepdims=True),
     [('ReduceSum', {'axes': [0, -1], 'keepdims': 1})]),
    ('sum_all', F.sum, [('ReduceSum', {'keepdims': 0})]),
    ('max_negative_axis', lambda x: F.max(x, -2), [('ReduceMax', {'axes': [-2], 'keepdims': 0})]),
    ('logsumexp', lambda x: F.logsumexp(x, -1),
     [('ReduceLogSumExp', {'axes': [-1], 'keepdims': 0})]),
    ('expand_dims', lambda x: F.expand_dims(x, -1), [('Unsqueeze', {'axes': [3]})]),
    ('squeeze', lambda x: F.squeeze(x[:1], -3),
     [('Slice', {}), ('Squeeze', {'axes': [-3]})]),
    ('stack', lambda x: F.stack([x, x], -1),
     [('Unsqueeze', {'axes': [3]}), ('Unsqueeze', {'axes': [3]}), ('Concat', {'axis': 3})]),
    ('linear_interpolate', lambda x: F.linear_interpolate(x, x, x),
     [('Sub', {}), ('Mul', {}), ('Mul', {}), ('Add', {})]),
    ('convolution', lambda x: F.convolution_1d(x, _x(2, 3, 2, seed=3)),
     [('Conv', {'group': 1, 'kernel_shape': [2], 'pads': [0, 0], 'strides': [1]})]),
    ('dilated_convolution', lambda x: F.convolution_1d(x, _x(2, 3, 2, seed=3), dilate=2),
     [('Conv', {'dilations': [2], 'group': 1, 'kernel_shape': [2], 'pads': [0, 0],
                'strides': [1]})]),
    ('deconvolution', lambda x: F.deconvolution_1d(x, _x(3, 2, 2, seed=3)),
     [('ConvTranspose', {'group': 1, 'kernel_shape': [2], 'output_shape': [5], 'pads': [0, 0],
                         'strides': [1]})]),
    ('convolution_2d', lambda x: F.convolution_2d(F.reshape(x, (1, 2, 3, 4)),
                                                  _x(2, 2, 2, 2, seed=3)),
     [('Reshape', {}), ('Conv', {'dilations': [1, 1], 'group': 1, 'kernel_shape': [2, 2],
                                 'pads': [0, 0, 0, 0], 'strides': [1, 1]})]),
    ('max_pooling', lambda x: F.max_pooling_1d(x, 2),
     [('MaxPool', {'ceil_mode': 1, 'kernel_shape': [2], 'pads': [0, 0], 'storage_order': 0,
                   'strides': [2]})]),
    ('depth2space', lambda x: F.depth2space(F.reshape(x, (1, 4, 2, 3)), 2),
     [('Reshape', {}), ('DepthToSpace', {'blocksize': 2})]),
    ('softmax_first_axis', lambda x: F.softmax(x, 0),
     [('Transpose', {'perm': [2, 1, 0]}), ('Softmax', {'axis': 2}),
      ('Transpose', {'perm': [2, 1, 0]})]),
    ('log_softmax_middle_axis', lambda x: F.log_softmax(x, -2),
     [('Transpose', {'perm': [0, 2, 1]}), ('LogSoftmax', {'axis': 2}),
      ('Transpose', {'perm': [0, 2, 1]})]),
]


@pytest.mark.parametrize('name,fn,nodes', FORMS, ids=[f[0] for f in FORMS])
def test_opset_11_nodes_in_chainer_form(name, fn, nodes):
    # Users diff exported graphs against Chainer's: axes as given (Unsqueeze's
    # normalized, as Chainer did), attributes in Chainer's order, no perm for a
    # default transpose, no sizes for an equal Split.
    from onnx import helper
    x = _x(2, 3, 4)
    model = _util.onnx_chainer.export(_util.FuncModel(fn), x, opset_version=11)
    got = [(n.op_type, {a.name: helper.get_attribute_value(a) for a in n.attribute})
           for n in model.graph.node if n.op_type != 'Constant']
    assert got == nodes
    assert [list(d) for _, d in got] == [list(d) for _, d in nodes]
    for opset in (11, 13, 18):
        _util.check(fn, x, rtol=1e-5, atol=1e-5, opset_version=opset)


@pytest.mark.parametrize('train', [False, True])
def test_batch_normalization_statistics_named_as_chainer_did(train):
    # Arrays passed as mean/var (or a traced batch's statistics) are the parameters
    # <function>_param_avg_mean / _avg_var.
    x = _x(4, 3, 2)
    g, b = _pos(3, seed=1), _x(3, seed=2)
    m, v = _x(3, seed=3), _pos(3, seed=4)
    if train:
        fn = lambda x: F.batch_normalization(x, g, b)  # noqa: E731
        func = 'BatchNormalization_0'
    else:
        fn = lambda x: F.fixed_batch_normalization(x, g, b, m, v)  # noqa: E731
        func = 'FixedBatchNormalization_0'
    model = _util.onnx_chainer.export(_util.FuncModel(fn), x, opset_version=11, train=train)
    node, = model.graph.node
    assert node.input[3:] == [f'{func}_param_avg_mean', f'{func}_param_avg_var']
    assert [t.name for t in model.graph.initializer][2:] == list(node.input[3:])
    if not train:
        _util.check(fn, x, rtol=1e-5, atol=1e-5, opset_version=11)


NODE_NAMES = [
    (lambda x: F.relu(x), [('Relu', 'ReLU_0')]),
    (lambda x: F.sum(x), [('ReduceSum', 'Sum_0')]),
    (lambda x: x[1:], [('Slice', 'GetItem_0_tmp_0')]),
    (lambda x: F.hstack([x, x]), [('Concat', 'Hstack_0_tmp_0')]),
    (lambda x: F.matmul(x[0], x[0].T),
     [('Slice', 'GetItem_0_tmp_0'), ('Squeeze', 'GetItem_0_tmp_1'),
      ('Slice', 'GetItem_1_tmp_0'), ('Squeeze', 'GetItem_1_tmp_1'),
      ('Transpose', 'Transpose_0'), ('MatMul', 'MatMul_0_tmp_0')]),
    (lambda x: F.select_item(x[0], numpy.array([0, 1, 2], numpy.int32)),
     [('Slice', 'GetItem_0_tmp_0'), ('Squeeze', 'GetItem_0_tmp_1'),
      ('Unsqueeze', 'SelectItem_0_tmp_0'), ('GatherElements', 'SelectItem_0_tmp_1'),
      ('Squeeze', 'SelectItem_0_tmp_2')]),
]


@pytest.mark.parametrize('fn,nodes', NODE_NAMES)
def test_node_names_as_chainer_wrote_them(fn, nodes):
    # A call that is one node is named after the call, except for the converters
    # whose nodes Chainer named as helpers (<call>_tmp_<j>) even when there is one.
    model = _util.onnx_chainer.export(_util.FuncModel(fn), _x(2, 3, 4), opset_version=11)
    assert [(n.op_type, n.name) for n in model.graph.node if n.op_type != 'Constant'] == nodes


def test_select_item_takes_narrow_integer_labels():
    t = numpy.array([2, 0], numpy.int16)
    _util.check(lambda x: F.select_item(x, t), _x(2, 3))


def test_roi_pooling_is_refused_by_its_own_name():
    # F.roi_pooling_2d is a composition here: the export traces it as Chainer's
    # ROIPooling2D node, whose converter says why it is refused (not a part's name).
    rois = numpy.array([[0, 0, 0, 3, 3]], numpy.float32)
    fn = lambda x: F.roi_pooling_2d(x, rois, 2, 2, 1.0)  # noqa: E731
    with pytest.raises(ValueError, match='ROIPooling2D is not supported.*MaxRoiPool'):
        _util.onnx_chainer.export(_util.FuncModel(fn), _x(1, 2, 4, 4), opset_version=11)

    def max_roi_pool(params):
        f = params.func
        return _util.onnx.helper.make_node('MaxRoiPool', params.input_names,
                                           params.output_names, pooled_shape=[f.outh, f.outw],
                                           spatial_scale=f.spatial_scale),
    model = _util.onnx_chainer.export(_util.FuncModel(fn), _x(1, 2, 4, 4),
                                      external_converters={'ROIPooling2D': max_roi_pool})
    assert [n.op_type for n in model.graph.node] == ['MaxRoiPool']
    assert chainer.functions.roi_pooling_2d(_x(1, 2, 4, 4), rois, 2, 2, 1.0).shape == (1, 2, 2, 2)


@pytest.mark.parametrize('shape', [(), (3,), (2, 3)])
@pytest.mark.parametrize('fn', [F.hstack, F.vstack, F.dstack])
def test_stacking_low_rank_inputs_unsqueezes_them(fn, shape):
    # The axes numpy.atleast_{1,2,3}d adds are an Unsqueeze, as Chainer wrote it.
    x = numpy.arange(int(numpy.prod(shape)), dtype=numpy.float32).reshape(shape)
    args = [x, numpy.asarray(x + 1)]
    stack = lambda a, b: fn([a, b])  # noqa: E731
    model = _util.onnx_chainer.export(_util.FuncModel(stack), args, opset_version=11)
    ops = [n.op_type for n in model.graph.node]
    assert 'Reshape' not in ops and ops[-1] == 'Concat'
    _util.check(stack, args, opset_version=11)
    _util.check(stack, args)



@pytest.mark.parametrize('ksize,stride,pad,size', [(3, 2, 1, 6), (2, 2, 0, 7), (3, 2, 0, 4)])
def test_max_pooling_cover_all_is_ceil_mode_with_chainers_pads(ksize, stride, pad, size):
    # Where cover_all adds a last window that starts inside the input, it is
    # ceil_mode with the symmetric pads, as Chainer wrote it (not extra end pads).
    x = _x(1, 2, size, size)
    model = _util.check(lambda v: F.max_pooling_2d(v, ksize, stride, pad), x)
    node, = [n for n in model.graph.node if n.op_type == 'MaxPool']
    attrs = {a.name: _util.onnx.helper.get_attribute_value(a) for a in node.attribute}
    assert attrs['ceil_mode'] == 1
    assert attrs['pads'] == [pad] * 4

def test_max_pooling_window_wholly_in_the_padding():
    # cover_all with pad=1, stride 2 over 3 values: the last window holds only padding
    # (-inf in Chainer); the end padding reaches the kernel size, which runtimes refuse
    # as a MaxPool pad, so it is a Pad of -inf.
    fn = lambda x: F.max_pooling_1d(x, 2, 2, 1, cover_all=True)  # noqa: E731
    x = _x(2, 2, 3)
    assert chainer.functions.max_pooling_1d(x, 2, 2, 1).shape == (2, 2, 3)
    model = _util.onnx_chainer.export(_util.FuncModel(fn), x, opset_version=11)
    assert [n.op_type for n in model.graph.node if n.op_type != 'Constant'] == ['Pad', 'MaxPool']
    _util.onnx.checker.check_model(model, full_check=True)
    got, = _util.run_onnx(model, x)
    want = fn(x).array
    finite = numpy.isfinite(want)
    assert not finite.all()
    numpy.testing.assert_allclose(got[finite], want[finite], rtol=1e-6)
    # onnxruntime starts its maxima at the lowest float, not -inf
    assert (got[~finite] <= numpy.finfo(numpy.float32).min).all()


@pytest.mark.parametrize('kwargs', [{}, {'axis': -1}, {'eps': 1e-3, 'axis': 2}])
def test_normalize_is_traced_as_one_normalize_l2_call(kwargs):
    # F.normalize is a composition here: the export traces it as Chainer's NormalizeL2
    # node, so its graph output and nodes carry that name, as in Chainer.
    fn = lambda x: F.normalize(x, **kwargs)  # noqa: E731
    x = _pos(2, 3, 4)
    model = _util.onnx_chainer.export(_util.FuncModel(fn), x, opset_version=11)
    assert [o.name for o in model.graph.output] == ['NormalizeL2_0']
    assert {n.name.split('_tmp_')[0] for n in model.graph.node} == {'NormalizeL2_0'}
    _util.check(fn, x, opset_version=11)
    _util.check(fn, x)


def _ops(model):
    return [n.op_type for n in model.graph.node if n.op_type != 'Constant']


def _attr(node, name):
    return next(list(a.ints) for a in node.attribute if a.name == name)


@pytest.mark.parametrize('shape, ksize, stride, pad, ops', [
    ((2, 3, 4), 1, 1, 1, ['AveragePool', 'Pad']),
    ((2, 3, 5, 4), (3, 1), (4, 1), (3, 1), ['Slice', 'AveragePool', 'Pad']),
    ((2, 3, 2), 1, 4, 2, ['Shape', 'Slice', 'Concat', 'ConstantOfShape', 'Cast']),
])
def test_average_pooling_pad_as_large_as_the_kernel(shape, ksize, stride, pad, ops):
    # Runtimes refuse a pad as large as the kernel, and onnxruntime before 1.32 folds a
    # zero Pad node into the pool after it: the windows wholly in the padding are zeros
    # padded onto the output (all of it in the last case).
    fn = lambda x: F.average_pooling_nd(x, ksize, stride, pad)  # noqa: E731
    x = _x(*shape)
    model = _util.onnx_chainer.export(_util.FuncModel(fn), x, opset_version=11)
    assert _ops(model) == ops
    assert all(p < k for n in model.graph.node if n.op_type == 'AveragePool'
               for p, k in zip(_attr(n, 'pads'), _attr(n, 'kernel_shape') * 2))
    _util.check(fn, x, opset_version=11)
    _util.check(fn, x)


@pytest.mark.parametrize('opset', [11, 13, 14, 18])
@pytest.mark.parametrize('axis', [None, 1, -1])
def test_cumsum_float16_is_valid_at_every_opset(opset, axis):
    # CumSum takes float16 from opset 14 on; before, it runs in float32.
    _util.check(lambda x: F.cumsum(x, axis=axis), _x(2, 3, 4, dtype=numpy.float16),
                rtol=1e-2, atol=1e-2, opset_version=opset)


class _BNChain(chainer.Chain):
    def __init__(self, **kwargs):
        super().__init__()
        with self.init_scope():
            self.bn = chainer.links.BatchNormalization(3, **kwargs)

    def forward(self, x):
        return self.bn(x)


@pytest.mark.parametrize('kwargs', [{}, {'use_beta': False}, {'use_gamma': False}])
def test_batch_normalization_link_traced_in_train_mode_names_statistics_after_link(kwargs):
    # A link's batch statistics are named after the link (param_bn_avg_mean), as
    # its running statistics are in test mode, whichever of gamma/beta it has.
    x = _x(4, 3)
    model = _BNChain(**kwargs)
    onnx_model = _util.onnx_chainer.export(model, x, train=True)
    node, = [n for n in onnx_model.graph.node if n.op_type == 'BatchNormalization']
    assert list(node.input[3:]) == ['param_bn_avg_mean', 'param_bn_avg_var']
    stats = {t.name: _util.onnx.numpy_helper.to_array(t) for t in onnx_model.graph.initializer}
    numpy.testing.assert_allclose(stats['param_bn_avg_mean'], x.mean(axis=0), rtol=1e-6)
    numpy.testing.assert_allclose(stats['param_bn_avg_var'], x.var(axis=0), rtol=1e-5)
    with chainer.using_config('train', True):
        want = model(x).array
    got, = _util.run_onnx(onnx_model, x)
    numpy.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)



def test_batch_normalization_finetuning_writes_the_decay_of_the_next_batch():
    # A fine-tuning link traced in train mode: momentum is the decay its next batch
    # would take, 1 - 1/(N + 1), as Chainer wrote it; the export counts no batch.
    class Finetune(_BNChain):
        def forward(self, x):
            return self.bn(x, finetune=True)

    x = _x(4, 3)
    model = Finetune()
    model.bn(x, finetune=True)
    onnx_model = _util.onnx_chainer.export(model, x, train=True)
    node, = [n for n in onnx_model.graph.node if n.op_type == 'BatchNormalization']
    assert {a.name: a.f for a in node.attribute}['momentum'] == 0.5
    assert model.bn.N == 1



@pytest.mark.parametrize('train', [False, True])
def test_link_parameters_lead_the_initializers_in_namedparams_order(train):
    # As Chainer listed them: beta before gamma (namedparams() sorts by name),
    # whichever the function takes first, then the statistics.
    onnx_model = _util.onnx_chainer.export(_BNChain(), _x(4, 3), train=train)
    assert [t.name for t in onnx_model.graph.initializer] == [
        'param_bn_beta', 'param_bn_gamma', 'param_bn_avg_mean', 'param_bn_avg_var']

def test_context_get_link_finds_owner_of_parameter():
    model = _BNChain()
    ctx = _util.onnx_chainer.context.Context(model)
    assert ctx.get_link(model.bn.gamma) == ('param_bn', model.bn)
    assert ctx.get_link(chainer.Parameter(numpy.zeros(3, numpy.float32))) is None
    # the exported link's own parameters belong to no child link
    ctx = _util.onnx_chainer.context.Context(model.bn)
    assert ctx.get_link(model.bn.gamma) is None


@pytest.mark.parametrize('mode,width', [('reflect', ((0, 0), (1, 2), (0, 3))),
                                        ('edge', ((1, 0), (4, 2), (0, 5)))])
def test_pad_reflect_and_edge_are_onnx_pad_modes(mode, width):
    fn = lambda x: F.pad(x, width, mode)  # noqa: E731
    model = _util.check(fn, X, opset_version=11)
    node, = [n for n in model.graph.node if n.op_type == 'Pad']
    assert _util.onnx.helper.get_attribute_value(node.attribute[0]) == mode.encode()
    _util.check(fn, X)


def test_pad_reflect_wider_than_axis_is_refused():
    # NumPy reflects again past the far end; ONNX Pad reflects once.
    with pytest.raises(ValueError, match="Pad .*mode 'reflect' with a pad as wide"):
        _util.onnx_chainer.export(_util.FuncModel(lambda x: F.pad(x, 3, 'reflect')), X)


@pytest.mark.parametrize('kwargs', [
    {'ksize': 3, 'cover_all': True},
    {'ksize': 2, 'pad': 1, 'cover_all': False},
    {'ksize': 2, 'pad': 1, 'cover_all': True},
    {'ksize': (2, 3), 'pad': (1, 0), 'cover_all': True},
])
def test_unpooling_smaller_than_the_repeated_input_is_cropped(kwargs):
    # cover_all, pad and outsize keep a window of the k x k repeated input.
    x = _x(1, 2, 3, 3)
    _util.check(lambda v: F.unpooling_2d(v, **kwargs), x, opset_version=11)
    _util.check(lambda v: F.unpooling_2d(v, **kwargs), x)


@pytest.mark.parametrize('kwargs', [{'stride': 1}, {'outsize': (7, 6), 'cover_all': False}])
def test_unpooling_with_other_stride_or_larger_output_is_refused(kwargs):
    with pytest.raises(ValueError, match='Unpooling2D .*stride == ksize'):
        _util.onnx_chainer.export(
            _util.FuncModel(lambda v: F.unpooling_2d(v, 2, **kwargs)), _x(1, 2, 3, 3))


@pytest.mark.parametrize('index', [
    ([[0, 1], [1, 0]],),                                     # a 2-D array: Gather
    (slice(None), numpy.array([[0, 2], [1, -1]])),
    (slice(None), 1, [[0, 1], [3, 2]]),
    (slice(None), None, [[0, 1], [1, 2]], slice(None)),
    (1, slice(None), [[0, 3], [2, 1]]),                      # apart: array axes first
    ([0, 1], [1, 2]),                                        # several: GatherND
    ([0, 1], [0, -1], slice(None)),
    ([0, 1], [0, 2], [2, 3]),
    (0, [0, 1], [2, 3]),
    ([1, 0], [0, 2], 0),
    ([0, 1], [0, 2], None),
    ([[0], [1]], [[0, 2, 1]]),                               # broadcast against each other
    (numpy.array(1), slice(None, 2)),                        # a 0-d array is an int
])
def test_getitem_with_integer_arrays_as_numpy(index):
    x = _x(2, 3, 4)
    for opset in (11, 18):
        model = _util.check(lambda v: v[index], x, rtol=0, atol=0, opset_version=opset)
        assert not model.graph.initializer


def test_getitem_with_several_arrays_is_one_gathernd():
    model = _util.onnx_chainer.export(_util.FuncModel(lambda v: v[[0, 1], [1, 2]]), X)
    assert [n.op_type for n in model.graph.node] == ['Constant', 'GatherND']
    indices = _util.onnx.numpy_helper.to_array(model.graph.node[0].attribute[0].t)
    assert indices.tolist() == [[0, 1], [1, 2]]


@pytest.mark.parametrize('index', [
    ([0, 1], 0, [0, 1]), (slice(None), [0, 1], [0, 1]), (None, [0, 1], [0, 1]),
    (numpy.array([True, False]),),
])
def test_getitem_arrays_onnx_cannot_gather_are_refused(index):
    with pytest.raises(ValueError, match='GetItem is not supported'):
        _util.onnx_chainer.export(_util.FuncModel(lambda v: v[index]), X)



@pytest.mark.parametrize('fn,chainer_raised', [
    (lambda v: F.repeat(v, (1, 2, 0), axis=1), NotImplementedError),
    (lambda v: F.unpooling_2d(v, 2, stride=1), RuntimeError),
    (lambda v: F.pad(v, 1, 'wrap'), ValueError),
])
def test_unsupported_options_raise_what_chainer_raised_for_them(fn, chainer_raised):
    # Chainer's converters refused options with ValueError, NotImplementedError or
    # RuntimeError, case by case; ours raise one error that is all three.
    with pytest.raises(chainer_raised, match='is not supported by onnx_chainer'):
        _util.onnx_chainer.export(_util.FuncModel(fn), X4)

@pytest.mark.parametrize('opset', [11, 13])
@pytest.mark.parametrize('kwargs', [{}, {'normalize': False}, {'reduce': 'no'},
                                    {'ignore_label': 2}])
@pytest.mark.parametrize('shape', [(3, 4), (2, 4, 3)])
def test_softmax_cross_entropy_at_opset_11_and_later(kwargs, shape, opset):
    # Before SoftmaxCrossEntropyLoss (opset 12) the loss is LogSoftmax and OneHot,
    # with the labels an input, so that ignored labels are masked at run time.
    x = _x(*shape)
    ignore = kwargs.get('ignore_label', -1)
    t = numpy.random.RandomState(1).randint(0, 4, (shape[0],) + shape[2:]).astype(numpy.int32)
    t.flat[0] = ignore
    fn = lambda x, t: F.softmax_cross_entropy(x, t, **kwargs)  # noqa: E731
    _util.check(fn, (x, t), atol=1e-6, opset_version=opset)
    model = _util.onnx_chainer.export(_util.FuncModel(fn), (x, t), opset_version=opset)
    # all or none ignored (a mean over no labels is 0, as Chainer's; onnxruntime's
    # SoftmaxCrossEntropyLoss with reduction='mean' gave NaN)
    for labels in (numpy.full_like(t, ignore), numpy.zeros_like(t) + 3):
        want = fn(x, labels).array
        got, = _util.run_onnx(model, (x, labels))
        numpy.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)
