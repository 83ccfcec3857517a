"""export() options, custom converters, export_testcase and error messages."""
import io
import os

import numpy
import pytest

import chainer
import chainer.functions as F
import chainer.links as L
from tests.onnx_chainer_tests import _util

onnx = _util.onnx
onnx_chainer = _util.onnx_chainer


class Net(chainer.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(3, 4)

    def forward(self, x, y):
        return F.relu(self.l1(x)) + y, F.sigmoid(y)


def _args():
    rs = numpy.random.RandomState(0)
    return [rs.randn(2, 3).astype(numpy.float32), rs.randn(2, 4).astype(numpy.float32)]


def test_names_file_and_text(tmp_path):
    path = tmp_path / 'm.onnx'
    model, ins, outs = onnx_chainer.export(
        Net(), _args(), str(path), save_text=True, input_names=['x', 'y'],
        output_names=['a', 'b'], return_named_inout=True, graph_name='net')
    assert list(ins) == ['x', 'y'] and list(outs) == ['a', 'b']
    assert model.graph.name == 'net'
    assert [o.name for o in model.graph.output] == ['a', 'b']
    loaded = onnx.load(str(path))
    assert loaded.graph.node == model.graph.node
    assert os.path.exists(str(path) + '.txt')
    buf = io.BytesIO()
    onnx_chainer.export(Net(), _args(), buf)
    assert onnx.load_from_string(buf.getvalue()).graph.input[0].name == 'Input_0'


def test_dict_args_and_export_params_false():
    net = Net()
    x, y = _args()
    model = onnx_chainer.export(net, {'x': x, 'y': y}, export_params=False)
    names = [i.name for i in model.graph.input]
    assert names[:2] == ['x', 'y'] and 'param_l1_W' in names
    assert not model.graph.initializer or all(
        i.name not in ('param_l1_W', 'param_l1_b') for i in model.graph.initializer)


def test_opset_range():
    assert onnx_chainer.MINIMUM_OPSET_VERSION <= onnx_chainer.MAXIMUM_OPSET_VERSION
    for v in (onnx_chainer.MINIMUM_OPSET_VERSION, onnx_chainer.MAXIMUM_OPSET_VERSION):
        model = onnx_chainer.export(Net(), _args(), opset_version=v)
        assert model.opset_import[0].version == v
        _util.run_onnx(model, _args())
    with pytest.raises(ValueError, match='opset_version 7'):
        onnx_chainer.export(Net(), _args(), opset_version=7)


def test_producer_is_chainer():
    # As Chainer's exporter: the producer is "Chainer" at Chainer's version.
    model = onnx_chainer.export(Net(), _args())
    assert (model.producer_name, model.producer_version) == ('Chainer', chainer.__version__)


def test_unsupported_function_names_function_and_opset():
    fn = lambda x: F.lgamma(x)  # noqa: E731
    with pytest.raises(ValueError, match=r'LGamma .*opset 18'):
        onnx_chainer.export(_util.FuncModel(fn), numpy.zeros((2,), numpy.float32))
    with pytest.raises(ValueError, match=r"Pad .*opset 18: mode 'reflect'"):
        onnx_chainer.export(_util.FuncModel(lambda x: F.pad(x, 1, 'reflect')),
                            numpy.zeros((1, 1, 3, 3), numpy.float32))


def test_local_response_normalization_is_one_lrn_node():
    x = numpy.random.RandomState(0).randn(1, 4, 3, 3).astype(numpy.float32)
    f = _util.FuncModel(lambda v: F.local_response_normalization(v, n=3))
    model = onnx_chainer.export(f, x)
    assert [n.op_type for n in model.graph.node] == ['LRN']
    numpy.testing.assert_allclose(_util.run_onnx(model, x)[0], f(x).array, rtol=1e-5)


def test_external_converter_overrides():
    def convert_relu(func, opset_version, input_names, output_names, context):
        return (onnx.helper.make_node('LeakyRelu', input_names, output_names, alpha=0.0),)

    model = onnx_chainer.export(_util.FuncModel(F.relu), numpy.ones((2,), numpy.float32),
                                external_converters={'ReLU': convert_relu})
    assert model.graph.node[0].op_type == 'LeakyRelu'


def test_as_funcnode_exports_one_custom_node():
    @onnx_chainer.as_funcnode('MyScale', rename_attributes=[(1, 'factor')])
    def scale(x, factor):
        return x * factor

    def convert_myscale(func, opset_version, input_names, output_names, context):
        c = context.add_const(numpy.asarray(func.factor, numpy.float32))
        return (onnx.helper.make_node('Mul', [input_names[0], c], output_names),)

    x = numpy.arange(3, dtype=numpy.float32)
    model = onnx_chainer.export(_util.FuncModel(lambda v: F.relu(scale(v, 2.0))), x,
                                external_converters={'MyScale': convert_myscale})
    assert [n.op_type for n in model.graph.node] == ['Mul', 'Relu']
    numpy.testing.assert_allclose(_util.run_onnx(model, x)[0], x * 2)


def test_export_testcase_roundtrip(tmp_path):
    from onnx_chainer.testing import input_generator, test_onnxruntime
    out = str(tmp_path / 'case')
    args = [input_generator.increasing(2, 3), input_generator.positive_increasing(2, 4)]
    onnx_chainer.export_testcase(Net(), args, out)
    assert os.path.exists(os.path.join(out, 'model.onnx'))
    data = os.path.join(out, 'test_data_set_0')
    assert sorted(os.listdir(data)) == ['input_0.pb', 'input_1.pb', 'output_0.pb',
                                        'output_1.pb']
    test_onnxruntime.check_model_expect(out)


def test_export_testcase_with_gradients(tmp_path):
    out = str(tmp_path / 'case')
    onnx_chainer.export_testcase(Net(), _args(), out, output_grad=True)
    names = os.listdir(os.path.join(out, 'test_data_set_0'))
    assert 'gradient_0.pb' in names and 'gradient_1.pb' in names


def test_gen_test_data_set(tmp_path, monkeypatch):
    from onnx_chainer.testing import get_test_data_set
    monkeypatch.setattr(get_test_data_set, 'TEST_OUT_DIR', str(tmp_path))
    d = get_test_data_set.gen_test_data_set(Net(), _args(), 'net', 13)
    assert d == os.path.join(str(tmp_path), 'opset13', 'net')
    assert os.path.exists(os.path.join(d, 'model.onnx'))


def test_shared_parameter_is_one_initializer():
    class Shared(chainer.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.l1 = L.Linear(3, 3)

        def forward(self, x):
            return self.l1(self.l1(x))

    x = numpy.ones((1, 3), numpy.float32)
    model = _util.check(Shared(), x)
    assert sorted(i.name for i in model.graph.initializer) == ['param_l1_W', 'param_l1_b']


def test_outputs_that_are_inputs_or_repeated():
    x = numpy.arange(3, dtype=numpy.float32)
    model = _util.check(lambda v: (v, F.relu(v), F.relu(v) * 1), x)
    assert len(model.graph.output) == 3

    def twice(v):
        y = F.relu(v)
        return y, y

    _util.check(twice, x)
