"""Opsets 7-10, which Chainer's converters wrote: the older operator forms, and the
clear refusal of functions whose operators are newer."""
import numpy
import pytest

import chainer
import chainer.functions as F
import chainer.links as L
from tests.onnx_chainer_tests import _util
from tests.onnx_chainer_tests.test_converters import BINARY, UNARY, _x

from onnx_chainer.functions._util import UnsupportedError  # noqa: E402

OLD = (7, 8, 9, 10)

#: The oldest opset at which each of these cases exports (the others export at 7).
NEEDS = {
    'broadcast_to': 8,  # Expand
    'sinh': 9, 'cosh': 9, 'sign': 9, 'arctanh': 9, 'erf': 9, 'erfc': 9, 'where': 9,
    'getitem': 10, 'flip': 10, 'fliplr': 10, 'flipud': 10,  # Slice with steps
    'fmod': 10,  # Mod
    'cumsum': 11, 'cumsum_flat': 11, 'einsum': 12,
}

CASES = [(n, f, x) for n, f, x in UNARY] + \
    [(n, f, [_x(2, 3, 4, seed=1), _x(2, 3, 4, seed=2)]) for n, f in BINARY]


def _export(fn, x, opset):
    model = fn if isinstance(fn, chainer.Link) else _util.FuncModel(fn)
    return _util.onnx_chainer.export(model, x, opset_version=opset)


def _ops(model):
    return [n for n in model.graph.node if n.op_type != 'Constant']


def _attrs(node):
    from onnx import helper
    return {a.name: helper.get_attribute_value(a) for a in node.attribute}


@pytest.mark.parametrize('opset', OLD)
@pytest.mark.parametrize('name,fn,x', CASES, ids=[c[0] for c in CASES])
def test_each_converter_at_older_opsets_runs_or_names_the_opset_it_needs(name, fn, x, opset):
    needed = NEEDS.get(name, 7)
    if opset >= needed:
        _util.check(fn, x, rtol=1e-5, atol=1e-5, opset_version=opset,
                    fresh_input=name != 'where')
        return
    # a RuntimeError too, as the refusals of Chainer's converters were
    with pytest.raises(UnsupportedError, match=rf'at opset {opset}: .*\({needed} or newer\)'):
        _export(fn, x, opset)


class _Net(chainer.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.c = L.Convolution2D(3, 4, 3, pad=1)
            self.bn = L.BatchNormalization(4)
            self.d = L.Deconvolution2D(4, 2, 2, stride=2)
            self.l1 = L.Linear(None, 5)
            self.l2 = L.Linear(5, 3, nobias=True)

    def forward(self, x):
        h = F.max_pooling_2d(F.relu(self.bn(self.c(x))), 2)  # cover_all
        h = F.average_pooling_2d(self.d(h), 2)
        return F.softmax(self.l2(F.dropout(self.l1(h))))


class _Rnn(chainer.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.lstm = L.NStepLSTM(1, 3, 4, 0.0)
            self.gru = L.NStepGRU(1, 3, 4, 0.0)
            self.rnn = L.NStepRNNTanh(1, 3, 4, 0.0)

    def forward(self, x):
        xs = [x[0], x[1, :2]]
        return sum(F.concat(link(*([None] * (2 if link is self.lstm else 1)), xs)[-1], 0)
                   for link in (self.lstm, self.gru, self.rnn))


@pytest.mark.parametrize('opset', OLD)
@pytest.mark.parametrize('link,x', [(_Net, _x(2, 3, 6, 6)), (_Rnn, _x(2, 3, 3))])
def test_models_at_older_opsets(link, x, opset):
    numpy.random.seed(0)
    _util.check(link(), x, rtol=1e-5, atol=1e-5, opset_version=opset)


@pytest.mark.parametrize('opset', OLD)
def test_no_warning_from_opset_7(opset, recwarn):
    _export(F.relu, _x(2, 3), opset)
    assert not [w for w in recwarn if 'opset' in str(w.message)]


def test_below_opset_7_warns_and_raises_chainers_runtime_error():
    with pytest.warns(UserWarning, match='opset_version 6'), \
            pytest.raises(RuntimeError, match='`ReLU` of Chainer with ONNX opset_version 6'):
        _export(F.relu, _x(2, 3), 6)


@pytest.mark.parametrize('opset', OLD)
def test_gemm_without_bias_has_a_zero_c_before_opset_11(opset):
    # Gemm's C is required before opset 11.
    gemm, = _ops(_util.check(lambda x: F.linear(x, _x(5, 3, seed=1)), _x(2, 3),
                             opset_version=opset))
    assert len(gemm.input) == 3


@pytest.mark.parametrize('opset', OLD)
def test_pad_takes_attributes_before_opset_11(opset):
    fn = lambda x: F.pad(x, ((0, 0), (1, 2), (0, 1)), 'constant', constant_values=1.5)  # noqa: E731
    pad, = _ops(_util.check(fn, _x(2, 3, 4), opset_version=opset))
    assert len(pad.input) == 1
    assert _attrs(pad) == {'mode': b'constant', 'pads': [0, 1, 0, 0, 2, 1], 'value': 1.5}


@pytest.mark.parametrize('opset', OLD)
def test_clip_takes_attributes_before_opset_11(opset):
    clip, = _ops(_export(lambda x: F.clip(x, -0.5, 0.25), _x(2, 3), opset))
    assert len(clip.input) == 1 and _attrs(clip) == {'min': -0.5, 'max': 0.25}


@pytest.mark.parametrize('opset', [7, 9])
def test_slice_takes_attributes_before_opset_10(opset):
    nodes = _ops(_util.check(lambda x: x[1:, :, 1:3], _x(2, 3, 4), opset_version=opset))
    s, = [n for n in nodes if n.op_type == 'Slice']
    assert len(s.input) == 1
    assert _attrs(s) == {'starts': [1, 1], 'ends': [2 ** 63 - 1, 3], 'axes': [0, 2]}


@pytest.mark.parametrize('opset,op,n_inputs,attrs', [
    (7, 'Upsample', 1, {'mode': b'nearest', 'scales': [1.0, 1.0, 2.0, 2.0]}),
    (8, 'Upsample', 1, {'mode': b'nearest', 'scales': [1.0, 1.0, 2.0, 2.0]}),
    (9, 'Upsample', 2, {'mode': b'nearest'}),
    (10, 'Resize', 2, {'mode': b'nearest'})])
def test_unpooling_is_upsample_before_opset_10_and_resize_10_at_10(opset, op, n_inputs, attrs):
    node, = _ops(_util.check(lambda x: F.unpooling_2d(x, 2, cover_all=False),
                             _x(1, 2, 3, 3), opset_version=opset))
    assert (node.op_type, len(node.input), _attrs(node)) == (op, n_inputs, attrs)


@pytest.mark.parametrize('opset', OLD)
def test_max_pooling_cover_all_pads_the_end_before_ceil_mode(opset):
    # ceil_mode is an attribute from opset 10, storage_order from 8.
    node, = _ops(_util.check(lambda x: F.max_pooling_2d(x, 3, 2, 1, cover_all=True),
                             _x(1, 2, 6, 6), opset_version=opset))
    attrs = _attrs(node)
    assert ('ceil_mode' in attrs) == (opset >= 10)
    assert ('storage_order' in attrs) == (opset >= 8)


@pytest.mark.parametrize('opset', [7, 8])
def test_integer_constants_are_initializers_before_opset_9(opset):
    # A Constant node holds only floats before opset 9.
    model = _util.check(lambda x: F.reshape(x, (4, -1)), _x(2, 3, 4), opset_version=opset)
    assert [n.op_type for n in model.graph.node] == ['Reshape']
    assert [i.name for i in model.graph.initializer] == ['Reshape_0_const_shape']


@pytest.mark.parametrize('opset', OLD)
def test_softmax_cross_entropy_embed_and_permutate_at_older_opsets(opset):
    # Permutate's inverse is a Scatter from opset 9 (ScatterElements from 11),
    # EmbedID's ignored labels are masked without Where before 9, and SelectItem is
    # a Gather of the flattened input before GatherElements (11).
    idx = numpy.array([2, 0, 1], numpy.int32)
    for labels in (numpy.array([1, 0, 3], numpy.int32), numpy.array([2, 2, 0])):
        _util.check(lambda x, t: F.select_item(x, t), [_x(3, 4), labels], opset_version=opset)
    _util.check(lambda x: F.permutate(x, idx, axis=1, inv=True), _x(2, 3, 4),
                opset_version=opset)
    t = numpy.array([1, -1, 3], numpy.int32)
    ids = numpy.array([[0, 6, -1], [3, 3, 1]], numpy.int32)
    _util.check(lambda t: F.embed_id(t, _x(7, 4, seed=3), ignore_label=-1), ids,
                opset_version=opset)
    fn = lambda x: F.softmax_cross_entropy(x, t)  # noqa: E731
    if opset < 9:  # OneHot, Where
        with pytest.raises(UnsupportedError, match=r'node needs a newer opset \(9 or newer\)'):
            _export(fn, _x(3, 4), opset)
    else:
        _util.check(fn, _x(3, 4), opset_version=opset)


@pytest.mark.parametrize('opset', OLD)
@pytest.mark.parametrize('fn', [lambda x: F.squeeze(x[:, :, :1], -1),
                                lambda x: F.separate(x, -1)[1]])
def test_negative_axes_of_squeeze_are_counted_from_the_front_before_opset_11(fn, opset):
    # Squeeze's axes may be negative from opset 11 on.
    _util.check(fn, _x(2, 3, 4), opset_version=opset)
