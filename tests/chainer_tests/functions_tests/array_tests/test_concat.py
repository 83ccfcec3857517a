import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'case': [([(2, 3), (2, 1), (2, 4)], 1), ([(2, 3), (1, 3)], 0), ([(2, 3, 2)], -1),
             ([(3,), (0,), (2,)], 0), ([(2, 3, 4), (2, 3, 1)], -1)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestConcat(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        return tuple(numpy.random.uniform(-1, 1, s).astype(self.dtype) for s in self.case[0])

    def forward(self, inputs, device):
        return F.concat(inputs, self.case[1]),

    def forward_expected(self, inputs):
        return numpy.concatenate(inputs, self.case[1]),


def test_default_axis_is_one():
    a = numpy.ones((2, 1), numpy.float32)
    assert F.concat((a, a)).shape == (2, 2)


@pytest.mark.parametrize('shapes,axis,dtypes', [
    ([(2, 3), (3, 3)], 1, None),
    ([(2, 3), (2, 3, 1)], 1, None),
    ([(2, 3), (2, 3)], 2, None),
    ([(2, 3), (2, 3)], -3, None),
    ([(2, 3), (2, 3)], 0, (numpy.float32, numpy.float64)),
    ([()], 0, None),
])
def test_concat_errors(shapes, axis, dtypes):
    dtypes = dtypes or (numpy.float32,) * len(shapes)
    xs = [numpy.zeros(s, d) for s, d in zip(shapes, dtypes)]
    with pytest.raises(type_check.InvalidType):
        F.concat(xs, axis)
