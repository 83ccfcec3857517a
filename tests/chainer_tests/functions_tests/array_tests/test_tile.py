import numpy
import pytest

import chainer
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


@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
@pytest.mark.parametrize('shape,reps', [
    ((64, 256, 32), (2, 1, 2)), ((5, 7), (3, 4)), ((5, 7), (64,)), ((5, 7), (65,)),
    ((6, 1), (1, 9)), ((3, 2), (2, 2, 2)), ((40, 3), (1, 1)), ((4,), 0), ((2, 3), (8, 8)),
])
@pytest.mark.parametrize('contiguous', [True, False])
def test_tile_gradient_is_numpys_sum_over_the_tiles(dtype, shape, reps, contiguous):
    # The tiles added in turn have the bits of NumPy's reduction over the
    # repetition axes; the forward is numpy.tile's copy in a fresh array.
    rng = numpy.random.RandomState(6)
    x = rng.standard_normal(shape).astype(dtype)
    y = F.tile(x, reps)
    want_y = numpy.tile(x, reps)
    numpy.testing.assert_array_equal(y.array, want_y)
    assert y.array.flags.c_contiguous and not numpy.shares_memory(y.array, x)
    gy = rng.standard_normal(y.shape).astype(dtype)
    if not contiguous:
        gy = numpy.asfortranarray(gy)
    xv = chainer.Variable(x)
    y = F.tile(xv, reps)
    y.grad = gy
    y.backward()
    full_shape, full_reps = x.shape, (reps,) if isinstance(reps, int) else reps
    if len(full_shape) < len(full_reps):
        full_shape = (1,) * (len(full_reps) - len(full_shape)) + full_shape
    full_reps = (1,) * (len(full_shape) - len(full_reps)) + tuple(full_reps)
    split = sum(([r, s] for r, s in zip(full_reps, full_shape)), [])
    want = gy.reshape(split).sum(axis=tuple(range(0, len(split), 2))).reshape(x.shape)
    assert xv.grad.dtype == dtype and xv.grad.shape == x.shape
    numpy.testing.assert_array_equal(xv.grad, want)


def test_bad_reps_message_is_chainers():
    with pytest.raises(TypeError,
                       match="^reps must be int or tuple of ints.\nActual: <class 'float'>$"):
        F.tile(numpy.zeros(2, numpy.float32), 1.5)
