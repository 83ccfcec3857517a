import numpy
import pytest

import chainer
from chainer import testing
from chainer.functions.math.exponential import exp, log, log2, log10
from chainer.utils import type_check

_backends = [{}, {'use_cuda': True}]
_FUNCS = {'exp': (exp, numpy.exp), 'log': (log, numpy.log), 'log2': (log2, numpy.log2),
          'log10': (log10, numpy.log10)}


@testing.parameterize(*testing.product({
    'name': ['exp', 'log', 'log2', 'log10'],
    'shape': [(3, 2), (), (0, 3)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, _backends)
class TestExponential(testing.FunctionTestCase):

    def setUp(self):
        self.func, self.expected = _FUNCS[self.name]
        if self.dtype == numpy.float16:
            self.check_forward_options = {'atol': 1e-3, 'rtol': 1e-3}
            self.check_backward_options = {'eps': 2 ** -5, 'atol': 5e-2, 'rtol': 5e-2}
            self.check_double_backward_options = {
                'eps': 2 ** -5, 'atol': 5e-2, 'rtol': 5e-2}
        else:
            self.check_backward_options = {'atol': 1e-3, 'rtol': 1e-3}
            self.check_double_backward_options = {'atol': 1e-3, 'rtol': 1e-3}

    def generate_inputs(self):
        return numpy.random.uniform(0.5, 2, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        return self.func(inputs[0]),

    def forward_expected(self, inputs):
        return numpy.asarray(self.expected(inputs[0]), dtype=self.dtype),


@pytest.mark.parametrize('func', [exp, log, log2, log10])
def test_integer_input(func):
    with pytest.raises(type_check.InvalidType):
        func(numpy.array([1, 2], numpy.int32))


@pytest.mark.parametrize('func', [exp, log, log2, log10])
def test_scalar_input(func):
    with pytest.raises(TypeError):
        func(1.0)


def test_labels():
    x = chainer.Variable(numpy.ones(2, numpy.float32))
    assert [f(x).creator.label for f in (exp, log, log2, log10)] == [
        'exp', 'log', 'log2', 'log10']
