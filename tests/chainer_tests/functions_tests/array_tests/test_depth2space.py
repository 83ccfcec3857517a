import numpy
import pytest

import chainer.functions as F
from chainer import testing
from chainer.utils import type_check

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


def _depth2space_ref(x, r):
    b, c, h, w = x.shape
    c //= r * r
    y = numpy.empty((b, c, h * r, w * r), x.dtype)
    for i in range(h * r):
        for j in range(w * r):
            y[:, :, i, j] = x[:, ((i % r) * r + (j % r)) * c:((i % r) * r + (j % r) + 1) * c,
                              i // r, j // r]
    return y


@testing.parameterize(*testing.product({
    'case': [('d2s', (2, 8, 2, 3), 2), ('d2s', (1, 9, 1, 2), 3), ('d2s', (1, 3, 2, 2), 1),
             ('s2d', (2, 2, 4, 6), 2), ('s2d', (1, 1, 3, 3), 3)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestDepth2Space(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.case[1]).astype(self.dtype),

    def forward(self, inputs, device):
        kind, _, r = self.case
        f = F.depth2space if kind == 'd2s' else F.space2depth
        return f(inputs[0], r),

    def forward_expected(self, inputs):
        kind, shape, r = self.case
        x = inputs[0]
        if kind == 'd2s':
            return _depth2space_ref(x, r),
        b, c, h, w = shape
        # space2depth is the inverse of depth2space: find y with d2s(y) == x.
        idx = numpy.arange(b * c * h * w).reshape(b, c * r * r, h // r, w // r)
        perm = _depth2space_ref(idx, r).ravel()
        y = numpy.empty(x.size, x.dtype)
        y[perm] = x.ravel()
        return y.reshape(b, c * r * r, h // r, w // r),


def test_roundtrip():
    x = numpy.random.rand(2, 12, 3, 2).astype(numpy.float32)
    numpy.testing.assert_array_equal(F.space2depth(F.depth2space(x, 2), 2).array, x)


def test_depth2space_errors():
    with pytest.raises(type_check.InvalidType):
        F.depth2space(numpy.zeros((1, 3, 2, 2), numpy.float32), 2)
    with pytest.raises(type_check.InvalidType):
        F.depth2space(numpy.zeros((4, 2, 2), numpy.float32), 2)
    with pytest.raises(type_check.InvalidType):
        F.depth2space(numpy.zeros((1, 4, 2, 2), numpy.int32), 2)
    with pytest.raises(type_check.InvalidType):
        F.space2depth(numpy.zeros((1, 1, 3, 2), numpy.float32), 2)


def test_indivisible_sizes_are_also_value_errors():
    # Chainer failed in a NumPy reshape (ValueError).
    for call in (lambda: F.space2depth(numpy.ones((1, 1, 3, 2), numpy.float32), 2),
                 lambda: F.depth2space(numpy.ones((1, 3, 2, 2), numpy.float32), 2)):
        with pytest.raises(type_check.InvalidType):
            call()
        with pytest.raises(ValueError):
            call()


@pytest.mark.parametrize('f', [F.depth2space, F.space2depth])
def test_type_error_names_the_input_x(f):
    # Chainer's message reads "x.dtype.kind == f"
    with pytest.raises(type_check.InvalidType, match=r'x\.dtype\.kind == f'):
        f(numpy.zeros((1, 4, 2, 2), numpy.int32), 2)


@pytest.mark.parametrize('r', [2, 3])
@pytest.mark.parametrize('dtype', [numpy.float16, numpy.float64])
def test_large_arrays_copy_block_by_block_bitwise(r, dtype):
    # from 4096 elements on, NumPy arrays are copied one channel group at a time
    x = numpy.random.uniform(-1, 1, (2, 4 * r * r, 13, 11)).astype(dtype)
    for a in (x, x[:, :, ::-1]):  # a non-contiguous input too
        y = F.depth2space(a, r).array
        assert y.flags.c_contiguous
        numpy.testing.assert_array_equal(y, _depth2space_ref(a, r))
        numpy.testing.assert_array_equal(F.space2depth(y, r).array, a)
