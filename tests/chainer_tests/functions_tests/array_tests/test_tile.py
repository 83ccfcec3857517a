import numpy
import pytest

import chainer.functions as F
from chainer import testing

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'case': [((2, 3), 2), ((2, 3), (2, 1)), ((3,), (2, 2)), ((2, 3, 1), (3,)),
             ((), (2,)), ((2, 3), 0), ((), ())],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestTile(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.case[0]).astype(self.dtype),

    def forward(self, inputs, device):
        return F.tile(inputs[0], self.case[1]),

    def forward_expected(self, inputs):
        return numpy.asarray(numpy.tile(inputs[0], self.case[1])),


@pytest.mark.parametrize('reps,error', [(-1, ValueError), ((2, -1), ValueError),
                                        (1.5, TypeError), ([2], TypeError)])
def test_tile_errors(reps, error):
    with pytest.raises(error):
        F.tile(numpy.zeros((2, 3), numpy.float32), reps)
