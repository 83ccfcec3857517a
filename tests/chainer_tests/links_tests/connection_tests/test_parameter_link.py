import numpy
import pytest

import chainer
import chainer.links as L
from chainer import testing


class TestParameterLink:

    def test_holds_array(self):
        a = numpy.arange(6, dtype='f').reshape(2, 3)
        link = L.Parameter(a)
        assert isinstance(link.W, chainer.Parameter)
        assert link.W.array is a
        assert [name for name, _ in link.namedparams()] == ['/W']

    def test_forward_returns_a_copy_of_param_in_the_graph(self):
        # As Chainer: two Identity nodes lead from W to the result.
        link = L.Parameter(numpy.ones(3, 'f'))
        for y in (link(), link(volatile='on')):
            assert y is not link.W
            assert y.array is link.W.array
            assert y.creator.label == 'Identity'
            middle = y.creator.inputs[0]
            assert middle.creator.label == 'Identity'
            assert middle.creator.inputs[0] is link.W.node

    def test_gradient_flows(self):
        link = L.Parameter(numpy.ones(3, 'f'))
        link.cleargrads()
        loss = chainer.functions.sum(link() * 2)
        loss.backward()
        numpy.testing.assert_array_equal(link.W.grad, numpy.full(3, 2, 'f'))

    def test_float64(self):
        link = L.Parameter(numpy.ones(3))
        assert link.W.dtype == numpy.float64

    def test_save_load(self):
        src = L.Parameter(numpy.random.randn(2, 3).astype('f'))
        dst = L.Parameter(numpy.zeros((2, 3), 'f'))
        testing.save_and_load_npz(src, dst)
        numpy.testing.assert_array_equal(dst.W.array, src.W.array)


@pytest.mark.parametrize('bad', [[1.0, 2.0], None, 1.5])
def test_parameter_link_needs_an_array(bad):
    with pytest.raises(TypeError):
        L.Parameter(bad)


def test_gradient_starts_as_nan_as_for_every_link_parameter():
    link = L.Parameter(numpy.ones((2, 3), numpy.float16))
    assert link.W.grad.dtype == numpy.float16 and numpy.isnan(link.W.grad).all()
    link.cleargrads()
    assert link.W.grad is None
    assert L.Parameter(numpy.arange(3)).W.grad is None  # no NaN in an integer array


def test_copy_init_gives_nan_as_chainer():
    # Chainer's W had a NaN initializer (the array was set afterwards).
    link = L.Parameter(numpy.arange(6, dtype='f').reshape(2, 3))
    copied = link.copy(mode='init')
    assert copied.W.shape == (2, 3) and copied.W.dtype == numpy.float32
    assert numpy.isnan(copied.W.array).all()
    numpy.testing.assert_array_equal(link.W.array, numpy.arange(6).reshape(2, 3))
    for mode in ('share', 'copy'):
        numpy.testing.assert_array_equal(link.copy(mode=mode).W.array, link.W.array)
