"""export() options, custom converters, export_testcase and error messages."""
import io
import os
import threading

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
    # As Chainer: the inputs of a dict are Input_<i> too, unless named.
    net = Net()
    x, y = _args()
    model = onnx_chainer.export(net, {'x': x, 'y': y}, export_params=False)
    names = [i.name for i in model.graph.input]
    assert names == ['param_l1_W', 'param_l1_b', 'Input_0', 'Input_1']
    assert not model.graph.initializer or all(
        i.name not in ('param_l1_W', 'param_l1_b') for i in model.graph.initializer)


def test_export_params_false_makes_passed_arrays_graph_inputs():
    # As Chainer: arrays the model passes to functions are inputs without
    # values too, after the model's inputs and before running statistics.
    c = numpy.arange(3, dtype=numpy.float32)

    def fn(x):
        y = F.fixed_batch_normalization(x, c + 1, c, c * 3, c + 2)
        return y * numpy.full((1, 3), 2, numpy.float32)

    x = numpy.ones((2, 3), numpy.float32)
    model = onnx_chainer.export(_util.FuncModel(fn), x, export_params=False)
    names = [i.name for i in model.graph.input]
    assert names[0] == 'Input_0' and len(names) == 6
    assert names[-2:] == ['FixedBatchNormalization_0_param_avg_mean',
                          'FixedBatchNormalization_0_param_avg_var']
    assert not model.graph.initializer
    model = onnx_chainer.export(_util.FuncModel(fn), x)
    assert [i.name for i in model.graph.input] == ['Input_0']
    assert len(model.graph.initializer) == 5
    # an array only returned is no function's input: it stays a constant
    model = onnx_chainer.export(_util.FuncModel(lambda x: (x * 2, chainer.Variable(c))), x,
                                export_params=False)
    assert [i.name for i in model.graph.input] == ['Input_0']
    assert [i.name for i in model.graph.initializer] == ['const1']


def test_opset_range():
    assert onnx_chainer.MINIMUM_OPSET_VERSION <= onnx_chainer.MAXIMUM_OPSET_VERSION
    for v in (onnx_chainer.MINIMUM_OPSET_VERSION, onnx_chainer.MAXIMUM_OPSET_VERSION):
        model = onnx_chainer.export(Net(), _args(), opset_version=v)
        assert model.opset_import[0].version == v
        _util.run_onnx(model, _args())


def test_producer_is_chainer():
    # As Chainer's exporter: the producer is "Chainer" at Chainer's version.
    model = onnx_chainer.export(Net(), _args())
    assert (model.producer_name, model.producer_version) == ('Chainer', chainer.__version__)


def test_unsupported_function_names_function_and_opset():
    fn = lambda x: F.lgamma(x)  # noqa: E731
    with pytest.raises(ValueError, match=r'LGamma .*opset 18'):
        onnx_chainer.export(_util.FuncModel(fn), numpy.zeros((2,), numpy.float32))
    with pytest.raises(ValueError, match=r"Pad .*opset 18: mode 'symmetric'"):
        onnx_chainer.export(_util.FuncModel(lambda x: F.pad(x, 1, 'symmetric')),
                            numpy.zeros((1, 1, 3, 3), numpy.float32))


def test_local_response_normalization_is_one_lrn_node():
    x = numpy.random.RandomState(0).randn(1, 4, 3, 3).astype(numpy.float32)
    f = _util.FuncModel(lambda v: F.local_response_normalization(v, n=3))
    model = onnx_chainer.export(f, x)
    assert [n.op_type for n in model.graph.node] == ['LRN']
    numpy.testing.assert_allclose(_util.run_onnx(model, x)[0], f(x).array, rtol=1e-5)


def test_external_converter_overrides():
    def convert_relu(params):
        return (onnx.helper.make_node('LeakyRelu', params.input_names, params.output_names,
                                      alpha=0.0),)

    model = onnx_chainer.export(_util.FuncModel(F.relu), numpy.ones((2,), numpy.float32),
                                external_converters={'ReLU': convert_relu})
    assert model.graph.node[0].op_type == 'LeakyRelu'


def test_as_funcnode_exports_one_custom_node():
    @onnx_chainer.as_funcnode('MyScale', rename_attributes=[(1, 'factor')])
    def scale(x, factor):
        return x * factor

    def convert_myscale(params):
        c = params.context.add_const(numpy.asarray(params.func.factor, numpy.float32), 'f')
        return (onnx.helper.make_node('Mul', [params.input_names[0], c], params.output_names),)

    x = numpy.arange(3, dtype=numpy.float32)
    model = onnx_chainer.export(_util.FuncModel(lambda v: F.relu(scale(v, 2.0))), x,
                                external_converters={'MyScale': convert_myscale})
    assert [n.op_type for n in model.graph.node] == ['Constant', 'Mul', 'Relu']
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


def test_failed_export_testcase_keeps_the_old_test_case(tmp_path):
    # A directory in the way of one output: the model and inputs are not replaced
    # either, so the test case is not a new model with the old data.
    out = str(tmp_path / 'tc')
    onnx_chainer.export_testcase(Net(), _args(), out, save_text=True)
    names = sorted(os.listdir(out)) + sorted(os.listdir(os.path.join(out, 'test_data_set_0')))
    before = {n: open(os.path.join(out, n), 'rb').read() for n in ('model.onnx', 'model.onnx.txt')}
    os.remove(os.path.join(out, 'test_data_set_0', 'output_0.pb'))
    os.makedirs(os.path.join(out, 'test_data_set_0', 'output_0.pb'))
    net = Net()
    net.l1.W.array[...] += 1
    with pytest.raises(IsADirectoryError, match='output_0.pb'):
        onnx_chainer.export_testcase(net, _args(), out, save_text=True)
    assert sorted(os.listdir(out)) + sorted(
        os.listdir(os.path.join(out, 'test_data_set_0'))) == names
    for n, data in before.items():
        assert open(os.path.join(out, n), 'rb').read() == data


def test_export_testcase_with_gradients(tmp_path):
    out = str(tmp_path / 'case')
    onnx_chainer.export_testcase(Net(), _args(), out, output_grad=True)
    names = os.listdir(os.path.join(out, 'test_data_set_0'))
    assert 'gradient_0.pb' in names and 'gradient_1.pb' in names


class BNNet(chainer.Chain):
    def __init__(self):
        super().__init__()
        with self.init_scope():
            self.l1 = L.Linear(3, 4)
            self.bn = L.BatchNormalization(4)
            self.unused = L.Linear(2, 2)

    def forward(self, x):
        return F.relu(self.bn(self.l1(x)))


def _read_pb(path):
    from onnx import numpy_helper
    t = onnx.TensorProto()
    with open(path, 'rb') as f:
        t.ParseFromString(f.read())
    return t.name, numpy_helper.to_array(t)


def test_export_testcase_gradients_count_every_parameter(tmp_path):
    # As Chainer: gradient_<i> numbers model.namedparams() (a parameter without a
    # gradient warns and is skipped); the model is traced in test mode unless
    # train=True, and its running statistics do not change either way.
    import warnings
    out = str(tmp_path / 'case')
    net = BNNet()
    x = _args()[0]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter('always')
        onnx_chainer.export_testcase(net, x, out, output_grad=True, train=True)
    messages = [str(w.message) for w in caught]
    assert not [w for w in caught if w.category is DeprecationWarning]
    assert sum('has no gradient' in m for m in messages) == 2
    data = os.path.join(out, 'test_data_set_0')
    paths = [p for p, _ in net.namedparams()]
    grads = sorted(n for n in os.listdir(data) if n.startswith('gradient_'))
    assert grads == [f'gradient_{i}.pb' for i, p in enumerate(paths) if 'unused' not in p]
    name, g = _read_pb(os.path.join(data, 'gradient_0.pb'))
    assert name == onnx_helper_name(paths[0])
    numpy.testing.assert_array_equal(g, dict(net.namedparams())[paths[0]].grad)
    assert not net.bn.avg_mean.any() and net.bn.N == 0


def onnx_helper_name(path):
    return onnx_chainer.onnx_helper.cleanse_param_name(path)


def test_export_testcase_without_params_writes_them_as_inputs(tmp_path):
    out = str(tmp_path / 'case')
    net = BNNet()
    net.bn.avg_var[:] = 2
    onnx_chainer.export_testcase(net, _args()[0], out, export_params=False)
    data = os.path.join(out, 'test_data_set_0')
    # The graph lists the parameters first (all, unused too, in namedparams()
    # order), then the model's inputs, then the running statistics, as Chainer;
    # input_0 is the model's.
    graph = onnx.load(os.path.join(out, 'model.onnx')).graph
    assert [i.name for i in graph.input] == [
        'param_bn_beta', 'param_bn_gamma', 'param_l1_W', 'param_l1_b', 'param_unused_W',
        'param_unused_b', 'Input_0', 'param_bn_avg_mean', 'param_bn_avg_var']
    inputs = [_read_pb(os.path.join(data, f'input_{i}.pb')) for i in range(9)]
    assert [n for n, _ in inputs] == ['Input_0', 'param_bn_beta', 'param_bn_gamma',
                                      'param_l1_W', 'param_l1_b', 'param_unused_W',
                                      'param_unused_b', 'param_bn_avg_mean',
                                      'param_bn_avg_var']
    numpy.testing.assert_array_equal(inputs[-1][1], net.bn.avg_var)
    numpy.testing.assert_array_equal(inputs[5][1], net.unused.W.array)
    from onnx_chainer.testing import test_onnxruntime
    test_onnxruntime.check_model_expect(out)


def test_export_testcase_without_params_writes_passed_arrays_as_inputs(tmp_path):
    out = str(tmp_path / 'case')
    c = numpy.arange(3, dtype=numpy.float32)

    def fn(x):
        return F.fixed_batch_normalization(x, c + 1, c, c * 3, c + 2) * c

    onnx_chainer.export_testcase(_util.FuncModel(fn), numpy.ones((2, 3), numpy.float32),
                                 out, export_params=False)
    assert len(os.listdir(os.path.join(out, 'test_data_set_0'))) == 6  # c is one input
    from onnx_chainer.testing import test_onnxruntime
    test_onnxruntime.check_model_expect(out)


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


def test_export_signature_is_chainers():
    import inspect
    params = list(inspect.signature(onnx_chainer.export).parameters)
    assert params == ['model', 'args', 'filename', 'export_params', 'graph_name', 'save_text',
                      'opset_version', 'input_names', 'output_names', 'train',
                      'return_named_inout', 'external_converters', 'external_opset_imports',
                      'input_shapes', 'no_testcase']


def test_writing_a_file_without_testcase_is_deprecated(tmp_path):
    import warnings
    with pytest.warns(DeprecationWarning, match='export_testcase'):
        onnx_chainer.export(Net(), _args(), str(tmp_path / 'a.onnx'))
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        onnx_chainer.export(Net(), _args(), str(tmp_path / 'b.onnx'), no_testcase=True)
        onnx_chainer.export(Net(), _args())


def test_save_text_ends_with_newline(tmp_path):
    path = str(tmp_path / 'm.onnx')
    model = onnx_chainer.export(Net(), _args(), path, save_text=True, no_testcase=True)
    with open(path + '.txt') as f:
        assert f.read() == str(model) + '\n'


def test_failed_save_text_writes_neither_file(tmp_path):
    # A directory in the way of the .txt file: the model file is not written either.
    path = str(tmp_path / 'm.onnx')
    os.makedirs(path + '.txt')
    with pytest.raises(IsADirectoryError, match='m.onnx.txt'):
        onnx_chainer.export(Net(), _args(), path, save_text=True, no_testcase=True)
    assert os.listdir(str(tmp_path)) == ['m.onnx.txt']


def test_opset_outside_range_warns_and_converters_raise_runtime_error():
    with pytest.warns(UserWarning, match='opset_version 6'):
        with pytest.raises(RuntimeError,
                           match='`LinearFunction` of Chainer with ONNX opset_version 6'):
            onnx_chainer.export(Net(), _args(), opset_version=6)


def test_default_names_follow_the_functions():
    # Inputs are Input_<i>; each call is <class>_<k>, its output too (graph outputs included).
    model = onnx_chainer.export(Net(), _args())
    assert [i.name for i in model.graph.input] == ['Input_0', 'Input_1']
    assert [o.name for o in model.graph.output] == ['Add_0', 'Sigmoid_0']
    nodes = [(n.op_type, n.name, list(n.input), list(n.output)) for n in model.graph.node]
    assert nodes == [
        ('Gemm', 'LinearFunction_0', ['Input_0', 'param_l1_W', 'param_l1_b'],
         ['LinearFunction_0']),
        ('Sigmoid', 'Sigmoid_0', ['Input_1'], ['Sigmoid_0']),
        ('Relu', 'ReLU_0', ['LinearFunction_0'], ['ReLU_0']),
        ('Add', 'Add_0', ['ReLU_0', 'Input_1'], ['Add_0'])]


def test_outputs_keep_the_order_the_model_returns():
    # Chainer moved each unnamed output to where its function was converted; we keep
    # the model's order, the order sessions return them in.
    class Late(chainer.Chain):
        def forward(self, x):
            b = F.sigmoid(x)
            return F.relu(x), b

    model = onnx_chainer.export(Late(), numpy.ones((2,), numpy.float32))
    assert [o.name for o in model.graph.output] == ['ReLU_0', 'Sigmoid_0']


class DictNet(chainer.Chain):
    def forward(self, x, y):
        return {'p': F.relu(x), 'q': F.tanh(y) + x}


def test_dict_names_are_matched_by_key():
    x, y = numpy.ones((2, 3), numpy.float32), numpy.zeros((2, 3), numpy.float32)
    model, ins, outs = onnx_chainer.export(
        DictNet(), {'x': x, 'y': y}, input_names={'y': 'Y', 'x': 'X'},
        output_names={'q': 'Q', 'p': 'P'}, return_named_inout=True)
    assert list(ins) == ['X', 'Y'] and ins['X'].array is not None
    assert numpy.array_equal(ins['X'].array, x)
    assert list(outs) == ['P', 'Q']
    got = dict(zip(['P', 'Q'], _util.run_onnx(model, [x, y])))
    numpy.testing.assert_allclose(got['Q'], numpy.tanh(y) + x, rtol=1e-6)


@pytest.mark.parametrize('args,kwargs', [
    (lambda: _args(), {'input_names': 'x'}),
    (lambda: _args(), {'input_names': ['x']}),
    (lambda: _args(), {'input_names': {'x': 'a', 'y': 'b'}}),
    (lambda: {'x': _args()[0], 'y': _args()[1]}, {'input_names': {'x': 'a', 'z': 'b'}}),
    (lambda: _args(), {'output_names': 'a'}),
    (lambda: _args(), {'output_names': ['a', 'b', 'c']}),
])
def test_names_that_do_not_fit_raise_value_error(args, kwargs):
    with pytest.raises(ValueError):
        onnx_chainer.export(Net(), args(), **kwargs)


def test_args_of_another_type_raise_value_error():
    with pytest.raises(ValueError, match='args'):
        onnx_chainer.export(Net(), 3)


def test_input_shapes_declare_dynamic_axes():
    model = onnx_chainer.export(Net(), _args(), input_shapes=[('n', 3), (None, 4)])
    dims = [[(d.dim_param, d.dim_value) for d in i.type.tensor_type.shape.dim]
            for i in model.graph.input]
    assert dims == [[('n', 0), ('', 3)], [('', 0), ('', 4)]]
    out = [d.dim_value for d in model.graph.output[1].type.tensor_type.shape.dim]
    assert out == [0, 4]
    x, y = (numpy.ones((5, 3), numpy.float32), numpy.ones((5, 4), numpy.float32))
    assert _util.run_onnx(model, [x, y])[0].shape == (5, 4)
    with pytest.raises(ValueError):
        onnx_chainer.export(Net(), _args(), input_shapes=[(2, 3)])
    with pytest.raises(ValueError):
        onnx_chainer.export(Net(), _args(), input_shapes=[(2, 3), (2, 4, 1)])
    with pytest.raises(ValueError):
        onnx_chainer.export(Net(), _args()[0], input_shapes=[(2, 3), (2, 3)])



def test_input_shapes_without_export_params_reshape_the_inputs_not_the_parameters():
    # The parameters come first among the graph's inputs then: the shapes go to
    # the model's inputs by name, and the outputs are inferred from them.
    model = onnx_chainer.export(Net(), _args(), input_shapes=[('n', 3), ('n', 4)],
                                export_params=False)
    dims = {i.name: [d.dim_param or d.dim_value for d in i.type.tensor_type.shape.dim]
            for i in model.graph.input}
    assert dims == {'param_l1_W': [4, 3], 'param_l1_b': [4],
                    'Input_0': ['n', 3], 'Input_1': ['n', 4]}
    out = [[d.dim_param or d.dim_value for d in o.type.tensor_type.shape.dim]
           for o in model.graph.output]
    assert out == [['n', 4], ['n', 4]]


@pytest.mark.parametrize('kwargs', [{'input_names': ['a', 'a']},
                                    {'output_names': ['a', 'a']},
                                    {'output_names': {'x': 'a', 'y': 'a'}}])
def test_names_given_twice_raise_value_error(kwargs):
    # Chainer merged two inputs named alike into one graph input (or kept one of
    # two outputs): a silently wrong model.
    class Pair(Net):
        def forward(self, x, y):
            out = super().forward(x, y)
            return dict(zip('xy', out)) if isinstance(kwargs.get('output_names'), dict) else out

    with pytest.raises(ValueError, match="the name 'a'"):
        onnx_chainer.export(Pair(), _args(), **kwargs)


def test_an_input_named_as_a_parameter_raises_validation_error():
    # Chainer's checker refused it (it listed the parameters as inputs too); an
    # input and an initializer of one name would make the input replace W.
    import onnx
    with pytest.raises(onnx.checker.ValidationError, match='param_l1_W'):
        onnx_chainer.export(Net(), _args(), input_names=['param_l1_W', 'y'])


def test_without_export_params_every_parameter_is_an_input():
    # As Chainer: the unused link's parameters are inputs too, so code feeding
    # every parameter by name runs; with export_params they are left out.
    x = _args()[0]
    model = onnx_chainer.export(BNNet(), x, export_params=False)
    names = [i.name for i in model.graph.input]
    assert names[:6] == ['param_bn_beta', 'param_bn_gamma', 'param_l1_W', 'param_l1_b',
                         'param_unused_W', 'param_unused_b']
    model = onnx_chainer.export(BNNet(), x)
    assert 'param_unused_W' not in [t.name for t in model.graph.initializer]

def test_converters_take_one_params_object():
    from onnx_chainer import mapping
    from onnx_chainer.functions.converter import FunctionConverterParams
    seen = []

    def convert_relu(params):
        seen.append((type(params.func).__name__, params.opset_version, params.input_names,
                     params.output_names))
        return mapping.converters['ReLU'](params)

    onnx_chainer.export(_util.FuncModel(F.relu), numpy.ones((2,), numpy.float32),
                        opset_version=14, external_converters={'ReLU': convert_relu})
    assert seen == [('ReLU', 14, ['Input_0'], ['ReLU_0'])]
    assert FunctionConverterParams(opset_version=13).input_names is None


def test_context_constants_are_constant_nodes_named_after_the_function():
    # As Chainer: a converter's constants are Constant nodes put before its nodes;
    # the initializers are the parameters.
    def convert_relu(params):
        c = params.context.add_const(numpy.zeros((), numpy.float32), 'zero')
        return onnx.helper.make_node('Max', [params.input_names[0], c], params.output_names),

    model = onnx_chainer.export(_util.FuncModel(F.relu), numpy.ones((2,), numpy.float32),
                                external_converters={'ReLU': convert_relu})
    assert not model.graph.initializer
    nodes = [(n.op_type, n.name, list(n.input), list(n.output)) for n in model.graph.node]
    assert nodes == [('Constant', 'ReLU_0', [], ['ReLU_0_const_zero']),
                     ('Max', '', ['Input_0', 'ReLU_0_const_zero'], ['ReLU_0'])]


def test_custom_domain_without_opset_imports_warns():
    def convert_relu(params):
        return onnx.helper.make_node('MyRelu', params.input_names, params.output_names,
                                     domain='my'),

    x = numpy.ones((2,), numpy.float32)
    with pytest.warns(UserWarning, match='external_opset_imports'):
        model = onnx_chainer.export(_util.FuncModel(F.relu), x,
                                    external_converters={'ReLU': convert_relu})
    assert model.graph.node[0].domain == 'my'
    model = onnx_chainer.export(_util.FuncModel(F.relu), x,
                                external_converters={'ReLU': convert_relu},
                                external_opset_imports={'my': 1})
    assert [(o.domain, o.version) for o in model.opset_import][1] == ('my', 1)


def test_uninitialized_parameter_warns():
    class Lazy(chainer.Chain):
        def __init__(self):
            super().__init__()
            with self.init_scope():
                self.l1 = L.Linear(None, 2)
                self.unused = L.Linear(None, 2)

        def forward(self, x):
            return self.l1(x)

    with pytest.warns(UserWarning, match='/unused/W'):
        onnx_chainer.export(Lazy(), numpy.ones((1, 3), numpy.float32))


def test_reshape_writes_the_shape_given():
    # As Chainer: a -1 stays, so the exported Reshape follows a dynamic axis.
    x = numpy.arange(12, dtype=numpy.float32).reshape(2, 6)
    model = onnx_chainer.export(_util.FuncModel(lambda v: F.reshape(v, (-1, 3))), x,
                                input_shapes=[('n', 6)])
    shape = [onnx.numpy_helper.to_array(n.attribute[0].t) for n in model.graph.node
             if n.op_type == 'Constant']
    assert [s.tolist() for s in shape] == [[-1, 3]]
    y = _util.run_onnx(model, numpy.ones((4, 6), numpy.float32))[0]
    assert y.shape == (8, 3)
    _util.check(lambda v: F.reshape(v, (0, 3)), numpy.zeros((0, 6), numpy.float32))


def test_input_with_history_is_a_plain_input():
    # The graph stops at the model's inputs (Chainer also converted the functions
    # that made an input Variable, and wrote an invalid graph).
    x = chainer.Variable(numpy.ones((2,), numpy.float32))
    model = onnx_chainer.export(_util.FuncModel(F.tanh), F.relu(x))
    assert [(n.op_type, list(n.input)) for n in model.graph.node] == [('Tanh', ['Input_0'])]


def test_convert_parameter():
    from onnx_chainer.context import Context
    net = Net()
    tensor = onnx_chainer.convert_parameter(net.l1.W, Context(net))
    assert tensor.name == 'param_l1_W'
    numpy.testing.assert_array_equal(onnx.numpy_helper.to_array(tensor), net.l1.W.array)
    with pytest.raises(ValueError):
        onnx_chainer.convert_parameter([1.0], Context(net))


def test_variable_computed_before_the_export():
    # A Variable the model keeps from an earlier call: its function is converted too.
    class Kept(chainer.Chain):
        def __init__(self):
            super().__init__()
            self.src = chainer.Variable(numpy.arange(3, dtype=numpy.float32))
            self.k = F.exp(self.src)

        def forward(self, x):
            return x * self.k

    x = numpy.ones(3, numpy.float32)
    model = onnx_chainer.export(Kept(), x)
    assert [n.op_type for n in model.graph.node] == ['Exp', 'Mul']
    numpy.testing.assert_allclose(_util.run_onnx(model, x)[0], numpy.exp(numpy.arange(3)),
                                  rtol=1e-6)
    gone = Kept()
    del gone.src
    with pytest.raises(ValueError, match='before the export'):
        onnx_chainer.export(gone, x)


def test_load_test_data_and_check_model_expect(tmp_path):
    from onnx_chainer.testing import test_onnxruntime
    out = str(tmp_path / 'case')
    onnx_chainer.export_testcase(Net(), _args(), out)
    data = os.path.join(out, 'test_data_set_0')
    inputs, outputs = test_onnxruntime.load_test_data(data, ['a', 'Input_1'], ['p', 'q'])
    # A tensor keeps its name where given, else takes the first name not taken.
    assert list(inputs) == ['a', 'Input_1'] and list(outputs) == ['p', 'q']
    numpy.testing.assert_array_equal(inputs['a'], _args()[0])
    test_onnxruntime.check_model_expect(out, input_names=['Input_1', 'Input_0'])
    with pytest.raises(AssertionError):
        test_onnxruntime.check_model_expect(out, input_names=['Input_0'])


def test_gen_test_data_set_seeds_the_model_generator(tmp_path, monkeypatch):
    from onnx_chainer.testing import get_test_data_set
    monkeypatch.setattr(get_test_data_set, 'TEST_OUT_DIR', str(tmp_path))

    class Noisy(chainer.Chain):
        def forward(self, x):
            return F.dropout(x)

    x = numpy.ones((4, 5), numpy.float32)
    numpy.random.seed(0)
    d = get_test_data_set.gen_test_data_set(Noisy(), x, 'noisy', 13, train=True)
    numpy.random.seed(42)
    want = F.dropout(x).array
    _, got = _read_pb(os.path.join(d, 'test_data_set_0', 'output_0.pb'))
    numpy.testing.assert_array_equal(got, want)


def test_rename_variable_name_and_format_customized_shapes():
    import collections
    from onnx_chainer.context import Context
    from onnx_chainer.export import format_customized_shapes, rename_variable_name
    a = chainer.Variable(numpy.ones(2, numpy.float32))
    b = chainer.Variable(numpy.ones(3, numpy.float32))
    ctx = Context(chainer.Chain())
    named = collections.OrderedDict((ctx.get_name(v), v) for v in (a, b))
    rename_variable_name(ctx, {'p': a, 'q': b}, named, {'q': 'Q', 'p': 'P'})
    assert list(named) == ['P', 'Q'] and named['Q'] is b
    assert ctx.get_name(b) == 'Q' and ctx.is_pinned(b)
    with pytest.raises(ValueError):
        rename_variable_name(ctx, [a, b], named, 'xy')
    x = numpy.ones((2, 3), numpy.float32)
    assert format_customized_shapes(x, (None, 3)) == [(None, 3)]
    assert format_customized_shapes({'a': x}, [(4, 3)]) == [(4, 3)]
    with pytest.raises(ValueError):
        format_customized_shapes([x], (2, 3))


def test_model_input_returned_as_it_is_is_the_graph_output_as_chainer_wrote_it():
    x = numpy.arange(6, dtype=numpy.float32).reshape(2, 3)
    fn = lambda a, b: (a, F.relu(b), b)  # noqa: E731
    model = onnx_chainer.export(_util.FuncModel(fn), [x, x + 1])
    assert [o.name for o in model.graph.output] == ['Input_0', 'ReLU_0', 'Input_1']
    assert [n.op_type for n in model.graph.node] == ['Relu']
    _util.check(fn, [x, x + 1])
    # Named or returned twice, the output is a copy under its own name.
    model = onnx_chainer.export(_util.FuncModel(fn), [x, x + 1], output_names=['p', 'q', 'r'])
    assert [o.name for o in model.graph.output] == ['p', 'q', 'r']
    fn2 = lambda a: (a, a)  # noqa: E731
    model = onnx_chainer.export(_util.FuncModel(fn2), x)
    assert [o.name for o in model.graph.output] == ['Input_0', 'Identity_0']
    _util.check(fn2, x)


def _in_thread(f):
    result = []
    t = threading.Thread(target=lambda: result.append(f()))
    t.start()
    t.join(10)
    return result[0]


def test_the_name_of_the_function_converted_is_per_thread():
    # Threads export at once: another thread's conversion does not rename this one's
    # nodes (Chainer's one global name did; with ours a thread read another's None).
    helper = onnx_chainer.onnx_helper
    helper.set_func_name('Mine_0')
    try:
        assert _in_thread(helper.get_func_name) is None

        def other():
            helper.set_func_name('Other_0')
            return helper.fresh_name('tmp')

        assert _in_thread(other) == 'Other_0_tmp_0'
        assert helper.get_func_name() == 'Mine_0'
        assert helper.fresh_name('tmp') == 'Mine_0_tmp_0'
    finally:
        helper.set_func_name(None)


def test_exports_overlapping_in_threads_put_the_functions_back():
    # The first export to start replaces the traced functions, the last to end puts
    # them back: an export ending first does not undo another's replacements, nor
    # does the other keep its replacements for good.
    original = F.sign
    first_in, first_may_leave = threading.Event(), threading.Event()

    def first():
        with onnx_chainer.mapping.patch_functions():
            first_in.set()
            first_may_leave.wait(10)

    t = threading.Thread(target=first)
    t.start()
    assert first_in.wait(10)
    try:
        with onnx_chainer.mapping.patch_functions():
            assert F.sign is not original
            first_may_leave.set()
            t.join(10)
            assert F.sign is not original
    finally:
        first_may_leave.set()
        t.join(10)
    assert F.sign is original

