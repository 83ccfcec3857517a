"""fake_as_funcnode / as_funcnode: inputs, attributes, returned structures, backward."""
import numpy
import pytest

import chainer
import chainer.functions as F
from tests.onnx_chainer_tests import _util

onnx = _util.onnx
onnx_chainer = _util.onnx_chainer
replace_func = onnx_chainer.replace_func


def _x():
    return chainer.Variable(numpy.array([1., 2.], numpy.float32))


def _fn(x, a, b=3, c=None, d=(1, 2)):
    return x * a + b


def _attrs(node):
    return {k: getattr(node, k) for k in ('alpha', 'b', 'gamma', 'd')}


def test_other_arguments_and_defaults_are_attributes():
    g = replace_func.fake_as_funcnode(_fn, 'Fn', rename_attributes=[(1, 'alpha'), ('c', 'gamma')],
                                      experimental_warning=False)
    y = g(_x(), 2.0, c=5)
    node = y.creator_node
    assert node.custom_function_node_name == 'Fn' and len(node.inputs) == 1
    assert _attrs(node) == {'alpha': 2.0, 'b': 3, 'gamma': 5, 'd': (1, 2)}
    numpy.testing.assert_array_equal(y.array, [5., 7.])
    # An array argument is an attribute too: only Variables are inputs.
    node = g(_x(), numpy.ones(2, numpy.float32)).creator_node
    assert len(node.inputs) == 1 and isinstance(node.alpha, numpy.ndarray)


def test_default_attribute_names():
    h = replace_func.fake_as_funcnode(lambda xs, k: [xs[0] + k, xs[1] * k], 'Lst',
                                      experimental_warning=False)
    x = _x()
    ys = h([x, x * 2], 3)
    assert isinstance(ys, list) and len(ys) == 2
    assert len(ys[0].creator_node.inputs) == 2 and ys[0].creator_node.arg1 == 3


@pytest.mark.parametrize('call', [
    lambda g, h: g(numpy.ones(2, numpy.float32), 2.0),
    lambda g, h: h([_x(), 2.0], 3),
])
def test_without_variables_or_with_mixed_lists_raises_value_error(call):
    g = replace_func.fake_as_funcnode(_fn, 'Fn', experimental_warning=False)
    h = replace_func.fake_as_funcnode(lambda xs, k: xs, 'Lst', experimental_warning=False)
    with pytest.raises(ValueError):
        call(g, h)


def test_returned_structures_and_arrays():
    d = replace_func.fake_as_funcnode(lambda x: {'a': x, 'b': x * 2}, 'D',
                                      experimental_warning=False)(_x())
    assert sorted(d) == ['a', 'b'] and all(isinstance(v, chainer.Variable) for v in d.values())
    y = replace_func.fake_as_funcnode(lambda x: x.array * 2, 'A', experimental_warning=False)(_x())
    assert isinstance(y, chainer.Variable)
    with pytest.raises(ValueError):
        replace_func.fake_as_funcnode(lambda x: 3, 'B', experimental_warning=False)(_x())


def test_backward_through_the_wrapped_function():
    g = replace_func.fake_as_funcnode(_fn, 'Fn', experimental_warning=False)
    x = _x()
    y = g(x, 2.0)
    y.grad = numpy.ones(2, numpy.float32)
    y.backward()
    numpy.testing.assert_array_equal(x.grad, [2., 2.])
    a = replace_func.fake_as_funcnode(lambda x: x.array * 2, 'A', experimental_warning=False)
    y = a(_x())
    y.grad = numpy.ones(2, numpy.float32)
    with pytest.raises(ValueError):
        y.backward()


def test_wrapping_warns_experimental():
    with pytest.warns(FutureWarning, match='as_funcnode'):
        replace_func.fake_as_funcnode(_fn, 'Fn')


def test_decorated_function_exports_as_its_converter_says():
    with pytest.warns(FutureWarning):
        @replace_func.as_funcnode('Dec', rename_attributes=[('k', 'kk')])
        def dec(x, k=2):
            return x * k

    assert dec(_x()).creator_node.kk == 2

    def convert(params):
        c = params.context.add_const(numpy.asarray(params.func.kk, numpy.float32), 'k')
        return onnx.helper.make_node('Mul', [params.input_names[0], c], params.output_names),

    x = numpy.array([1., -2.], numpy.float32)
    model = onnx_chainer.export(_util.FuncModel(lambda v: F.relu(dec(v, k=3))), x,
                                external_converters={'Dec': convert})
    assert [(n.op_type, list(n.output)) for n in model.graph.node] == [
        ('Constant', ['Dec_0_const_k']), ('Mul', ['Dec_0']), ('Relu', ['ReLU_0'])]
    numpy.testing.assert_allclose(_util.run_onnx(model, x)[0], [3., 0.])


def test_sign_exports_as_one_node():
    # As Chainer: F.sign makes no FunctionNode, so the export traces it as one 'sign' node.
    model = _util.check(lambda v: F.relu(F.sign(v) * v), numpy.array([-1., 0., 2.], 'f'))
    assert [n.op_type for n in model.graph.node] == ['Sign', 'Mul', 'Relu']


@pytest.mark.filterwarnings("ignore::FutureWarning")
def test_function_wrapped_as_reshape_takes_its_shape_as_an_input():
    # The built-in Reshape converter also serves a function wrapped as 'Reshape'
    # whose target shape is its second input (a reshape decided at run time).
    class Model(chainer.Chain):
        @onnx_chainer.as_funcnode('Reshape')
        def reshape(self, x, shape):
            return F.reshape(x, tuple(int(s) for s in shape.array))

        def forward(self, x, shape):
            return self.reshape(x, shape)

    x = numpy.arange(24, dtype=numpy.float32).reshape(2, 3, 4)
    shape = numpy.array([6, 4], numpy.int64)
    model = onnx_chainer.export(Model(), (x, shape))
    node, = model.graph.node
    assert (node.op_type, list(node.input)) == ('Reshape', ['Input_0', 'Input_1'])
    assert not model.graph.initializer
    got, = _util.run_onnx(model, (x, numpy.array([4, 6], numpy.int64)))
    numpy.testing.assert_array_equal(got, x.reshape(4, 6))
