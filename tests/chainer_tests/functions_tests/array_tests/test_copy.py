import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import backend
from chainer import testing

_F16 = {'atol': 5e-2, 'rtol': 5e-2}


@testing.parameterize(*testing.product({
    'shape': [(3, 2), (), (0,)],
    'dtype': [numpy.float16, numpy.float32, numpy.float64],
    'dst': [-1, '@numpy'],
}))
@testing.inject_backend_tests(None, [{}])
class TestCopy(testing.FunctionTestCase):

    def setUp(self):
        self.check_forward_options = {'atol': 0, 'rtol': 0}
        if self.dtype == numpy.float16:
            self.check_backward_options = dict(_F16)
            self.check_double_backward_options = dict(_F16)

    def generate_inputs(self):
        return numpy.random.uniform(-1, 1, self.shape).astype(self.dtype),

    def forward(self, inputs, device):
        return F.copy(inputs[0], self.dst),

    def forward_expected(self, inputs):
        return inputs[0].copy(),


def test_copy_is_new_array():
    x = numpy.ones(3, numpy.float32)
    y = F.copy(x, backend.CpuDevice())
    assert isinstance(y.array, numpy.ndarray)
    assert y.array is not x and not numpy.shares_memory(y.array, x)


def test_copy_bad_device():
    with pytest.raises((TypeError, ValueError)):
        F.copy(numpy.ones(3, numpy.float32), object())


@pytest.mark.gpu
def test_copy_cpu_gpu_roundtrip():
    import cupy
    x = chainer.Variable(numpy.arange(3, dtype=numpy.float32))
    y = F.copy(x, 0)
    assert isinstance(y.array, cupy.ndarray)
    z = F.copy(y, -1)
    assert isinstance(z.array, numpy.ndarray)
    z.grad = numpy.ones(3, numpy.float32)
    z.backward()
    assert isinstance(x.grad, numpy.ndarray)
    numpy.testing.assert_array_equal(x.grad, 1)


@pytest.mark.gpu
@pytest.mark.parametrize('to_gpu', [True, False])
def test_copy_across_devices(to_gpu):
    import cupy
    x_host = numpy.random.uniform(-1, 1, (3, 2)).astype(numpy.float32)
    x = chainer.Variable(x_host if to_gpu else cupy.asarray(x_host))
    y = F.copy(x, '@cupy:0' if to_gpu else '@numpy')
    assert isinstance(y.array, cupy.ndarray) == to_gpu
    numpy.testing.assert_array_equal(cupy.asnumpy(y.array), x_host)
    g = numpy.arange(6, dtype=numpy.float32).reshape(3, 2)
    y.grad = cupy.asarray(g) if to_gpu else g
    y.backward()
    assert type(x.grad) is type(x.array)
    numpy.testing.assert_array_equal(cupy.asnumpy(x.grad), g)


def test_copy_of_none_names_the_input():
    # Chainer 7.8.1 returned a Variable without data; ours failed reading None.copy
    for x in (None, chainer.Variable(None)):
        with pytest.raises(AttributeError, match='input 0 of Copy is None'):
            F.copy(x, -1)
