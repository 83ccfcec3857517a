import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'case': [('hstack', [(2, 3), (2, 1)]), ('hstack', [(3,), (2,)]), ('hstack', [(), ()]),
             ('hstack', [(2, 3, 2), (2, 1, 2)]), ('hstack', [(2, 3)]),
             ('vstack', [(2, 3), (1, 3)]), ('vstack', [(3,), (3,)]), ('vstack', [(), ()]),
             ('vstack', [(2, 3, 2), (1, 3, 2)]),
             ('dstack', [(2, 3), (2, 3)]), ('dstack', [(3,), (3,)]), ('dstack', [(), ()]),
             ('dstack', [(2, 3, 2), (2, 3, 1)]), ('dstack', [(2, 1, 2, 3), (2, 1, 1, 3)])],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestHVDStack(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        return tuple(numpy.random.uniform(-1, 1, s).astype(self.dtype) for s in self.case[1])

    def forward(self, inputs, device):
        return getattr(F, self.case[0])(inputs),

    def forward_expected(self, inputs):
        return getattr(numpy, self.case[0])(inputs),


@pytest.mark.parametrize('name,shapes', [
    ('hstack', [(2, 3), (3, 3)]),
    ('hstack', [(2,), (2, 1)]),
    ('vstack', [(3,), (2,)]),
    ('vstack', [(2, 3), (2, 2)]),
    ('dstack', [(2, 3), (2, 2)]),
    ('dstack', [(2, 3, 1), (2, 2, 1)]),
    ('hstack', []),
])
def test_stack_like_errors(name, shapes):
    xs = [numpy.zeros(s, numpy.float32) for s in shapes]
    with pytest.raises(type_check.InvalidType):
        getattr(F, name)(xs)


def test_dtype_mismatch():
    with pytest.raises(type_check.InvalidType):
        F.hstack([numpy.zeros(2, numpy.float32), numpy.zeros(2, numpy.float64)])
