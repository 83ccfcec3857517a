"""Functions given None inputs or returning None outputs (arrays that are absent)."""
import numpy
import pytest

import chainer
from chainer import functions


class _DoubleFirst(chainer.Function):
    """Old-style function: doubles its first input, the second output is absent."""

    def forward(self, inputs):
        x, missing = inputs
        assert missing is None
        return x * 2, None

    def backward(self, inputs, grad_outputs):
        gy, g_missing = grad_outputs
        assert g_missing is None
        return gy * 2, None


class _AddOneNode(chainer.FunctionNode):
    """FunctionNode whose second output is absent; it retains both outputs."""

    def forward(self, inputs):
        self.retain_outputs((0, 1))
        return inputs[0] + 1, None

    def backward(self, indexes, grad_outputs):
        assert grad_outputs[1] is None
        return grad_outputs[0],


def test_old_style_function_none_input_and_output():
    x = chainer.Variable(numpy.arange(3, dtype=numpy.float32))
    y, absent = _DoubleFirst()(x, None)
    numpy.testing.assert_array_equal(y.array, [0, 2, 4])
    assert absent.array is None
    assert absent.node.dtype is None and absent.node.shape is None
    assert absent.creator_node is y.creator_node
    y.grad = numpy.ones(3, numpy.float32)
    y.backward()
    numpy.testing.assert_array_equal(x.grad, [2, 2, 2])


def test_function_node_none_output_retained_and_backward():
    x = chainer.Variable(numpy.ones((2, 1), numpy.float32))
    y, absent = _AddOneNode().apply((x,))
    assert absent.array is None
    retained = y.creator_node.output_data
    numpy.testing.assert_array_equal(retained[0], numpy.full((2, 1), 2, numpy.float32))
    assert retained[1] is None
    assert y.creator_node.rank == 0 and y.node.rank == 1
    functions.sum(y).backward()
    numpy.testing.assert_array_equal(x.grad, numpy.ones((2, 1), numpy.float32))


def test_function_node_none_output_without_backprop():
    x = chainer.Variable(numpy.ones(2, numpy.float32))
    with chainer.no_backprop_mode():
        y, absent = _AddOneNode().apply((x,))
    assert y.creator_node is None
    assert absent.array is None


def test_none_input_reaches_forward_as_none():
    seen = []

    class Probe(chainer.FunctionNode):
        def forward(self, inputs):
            seen.extend(inputs)
            return inputs[0],

    x = numpy.zeros(2, numpy.float32)
    y, = Probe().apply((x, None))
    assert seen[1] is None
    assert len(y.creator_node.inputs) == 2
    assert y.creator_node.inputs[1].data is None


class _ReturnsList(chainer.FunctionNode):
    def forward(self, inputs):
        return [inputs[0]]


class _OldReturnsList(chainer.Function):
    def forward(self, inputs):
        return [inputs[0]]


class _TooManyGrads(chainer.FunctionNode):
    def forward(self, inputs):
        return inputs[0] * 1,

    def backward(self, indexes, grad_outputs):
        return grad_outputs[0], grad_outputs[0], grad_outputs[0]


def test_forward_output_not_a_tuple_message():
    x = numpy.zeros(2, numpy.float32)
    with pytest.raises(TypeError, match=r'forward output must be a tuple \(_ReturnsList\)'):
        _ReturnsList().apply((x,))
    with pytest.raises(TypeError, match=r'forward output must be a tuple \(_OldReturnsList\)'):
        _OldReturnsList()(x)


def test_forward_output_numpy_subclasses_mix_and_non_arrays_are_refused():
    # A NumPy subclass (np.memmap, say) is a NumPy array, as in Chainer.
    class _SubArray(numpy.ndarray):
        pass

    class Mixed(chainer.FunctionNode):
        def forward(self, inputs):
            return inputs[0], inputs[0].view(_SubArray)

    class NotArray(chainer.FunctionNode):
        def forward(self, inputs):
            return inputs[0], [1.0]

    x = numpy.zeros(2, numpy.float32)
    ys = Mixed().apply((x,))
    assert [type(y.array) for y in ys] == [numpy.ndarray, _SubArray]
    # Chainer's message: the function and the types it returned
    with pytest.raises(TypeError, match=r"(?s)forward output must be a tuple of ndarrays.*"
                       r"Function: NotArray.*<class 'list'>"):
        NotArray().apply((x,))


@pytest.mark.gpu
@pytest.mark.parametrize('gpu_first', [False, True])
def test_forward_output_mixing_numpy_and_cupy_message(gpu_first):
    import cupy

    class Mixed(chainer.FunctionNode):
        def forward(self, inputs):
            ys = inputs[0], cupy.asarray(inputs[0])
            return ys[::-1] if gpu_first else ys

    with pytest.raises(TypeError, match=r'incompatible array types are mixed in the '
                                        r'forward output \(Mixed\)'):
        Mixed().apply((numpy.zeros(2, numpy.float32),))


def test_gpu_array_outputs_pass_through(monkeypatch):
    """CuPy outputs skip the normalization step (a NumPy subclass plays CuPy's array
    type here)."""
    from chainer import function_node

    class _GpuArray(numpy.ndarray):
        pass

    monkeypatch.setattr(function_node, '_gpu_ndarray', _GpuArray)
    normalized = []
    real = chainer.FunctionNode._normalize_outputs
    monkeypatch.setattr(chainer.FunctionNode, '_normalize_outputs',
                        lambda self, outs: normalized.append(1) or real(self, outs))

    class Outputs(chainer.FunctionNode):
        def __init__(self, kinds):
            self.kinds = kinds

        def forward(self, inputs):
            x = inputs[0]
            return tuple(x.view(_GpuArray) if k == 'gpu' else x for k in self.kinds)

    x = numpy.zeros(2, numpy.float32)
    ys = Outputs(['gpu', 'gpu']).apply((x,))
    assert [type(y.array) for y in ys] == [_GpuArray, _GpuArray] and not normalized
    # (a NumPy subclass mixes with NumPy arrays: the CuPy/NumPy mix is a gpu test above)


def test_wrong_number_of_gradients_message():
    x = chainer.Variable(numpy.zeros(2, numpy.float32))
    y, = _TooManyGrads().apply((x,))
    y.grad = numpy.ones(2, numpy.float32)
    with pytest.raises(ValueError) as e:
        y.backward()
    # Chainer's text: the node and its inputs' and outputs' shapes follow.
    assert str(e.value) == (
        'number of gradients returned from backward is incorrect: 3 != expected 1\n'
        '  function=_TooManyGrads (_TooManyGrads)\n'
        '    input 0: shape=(2,) dtype=float32\n'
        '    output 0: shape=(2,) dtype=float32')


def test_debug_mode_gradient_check_messages_are_chainers():
    class BadShape(chainer.FunctionNode):
        def forward(self, inputs):
            return inputs[0] * 2,

        def backward(self, indexes, grad_outputs):
            return chainer.Variable(numpy.ones(3, numpy.float32)),

    class NotVariable(BadShape):
        def backward(self, indexes, grad_outputs):
            return numpy.ones(2, numpy.float32),

    tail = ('\n  function={0} ({0})\n    input 0: shape=(2,) dtype=float32\n'
            '    output 0: shape=(2,) dtype=float32')
    for cls, head, err in [
            (BadShape, 'shape of gradients returned from backward is incorrect: input-index=0, '
                       'actual (3,) != expected (2,)', ValueError),
            (NotVariable, "type of gradients returned from backward is incorrect: "
                          "<class 'numpy.ndarray'> != expected "
                          "<class 'chainer.variable.Variable'>", ValueError)]:
        x = chainer.Variable(numpy.ones(2, numpy.float32))
        y, = cls().apply((x,))
        y.grad = numpy.ones(2, numpy.float32)
        with chainer.using_config('debug', True):
            with pytest.raises(err) as e:
                y.backward()
        assert str(e.value) == head + tail.format(cls.__name__)


def test_type_check_of_a_none_input():
    from chainer.utils import type_check

    class CountsOnly(chainer.FunctionNode):
        def check_type_forward(self, in_types):
            type_check.expect(in_types.size() == 2)

        def forward(self, inputs):
            return inputs[0],

    class ReadsDtype(CountsOnly):
        def check_type_forward(self, in_types):
            type_check.expect(in_types[1].dtype == numpy.float32)

    x = numpy.ones(2, numpy.float32)
    y, = CountsOnly().apply((x, None))
    numpy.testing.assert_array_equal(y.array, x)
    # Chainer's error: the check's own, reading .dtype of None.
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'dtype'"):
        ReadsDtype().apply((x, None))


def test_builtin_function_given_none_raises_chainers_attribute_error():
    import chainer.functions as F
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'dtype'"):
        F.exp(None)
    with pytest.raises(AttributeError, match="'NoneType' object has no attribute 'dtype'"):
        F.relu(chainer.Variable())


def test_none_input_error_names_the_input():
    # Chainer's type and text, then which input was None (Chainer's text alone
    # pointed at no input).
    import chainer.functions as F
    x = numpy.ones((2, 3), numpy.float32)
    with pytest.raises(AttributeError) as e:
        F.linear(x, None)
    assert str(e.value) == ("'NoneType' object has no attribute 'dtype' (input 1 of "
                            'LinearFunction is None; a function takes Variables or arrays)')
    with pytest.raises(AttributeError, match=r'\(x of LocalConvolution2DFunction is None;'):
        F.local_convolution_2d(None, numpy.ones((2, 1, 1, 3, 1, 1), numpy.float32))
