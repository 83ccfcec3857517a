import numpy

import chainer
from chainer import testing
from chainer.functions.array.identity import identity as array_identity
from chainer.functions.math.identity import Identity, identity

_backends = [{}, {'use_cuda': True}]


@testing.parameterize(*testing.product({
    'shape': [(3, 2), (), (0,)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, _backends)
class TestIdentity(testing.FunctionTestCase):

    def generate_inputs(self):
        return (numpy.random.uniform(-1, 1, self.shape).astype(self.dtype),
                numpy.random.uniform(-1, 1, (2,)).astype(self.dtype))

    def forward(self, inputs, device):
        return identity(*inputs)

    def forward_expected(self, inputs):
        return inputs


def test_single_input_returns_variable():
    x = chainer.Variable(numpy.ones(2, numpy.float32))
    y = identity(x)
    assert isinstance(y, chainer.Variable) and y is not x
    assert isinstance(y.creator, Identity)
    assert y.array is x.array


def test_array_module_reexport():
    assert array_identity is identity


def test_any_dtype():
    y = identity(numpy.array([1, 2], numpy.int32))
    assert y.dtype == numpy.int32
