"""The losses' gradient nodes: one formula whether or not a graph is recorded."""
import numpy
import pytest

import chainer
import chainer.functions as F
from chainer.functions.loss.softmax_cross_entropy import _SoftmaxCrossEntropyGrad_NoDoubleBackprop

_rng = numpy.random.RandomState(3)
X = _rng.uniform(-2, 2, (4, 3))
T_REAL = _rng.uniform(-2, 2, (4, 3))
T_INT = numpy.array([0, 2, 1, 2], numpy.int32)
T_BIN = numpy.array([[0, 1, -1], [1, 1, 0], [0, -1, 1], [1, 0, 0]], numpy.int32)

LOSSES = {
    'mean_squared_error': lambda x: F.mean_squared_error(x, T_REAL.astype(x.dtype)),
    'huber_loss': lambda x: F.huber_loss(x, T_REAL.astype(x.dtype), 1.0),
    'huber_loss_no': lambda x: F.huber_loss(x, T_REAL.astype(x.dtype), 1.0, reduce='no'),
    'hinge_L1': lambda x: F.hinge(x, T_INT),
    'hinge_L2_no': lambda x: F.hinge(x, T_INT, norm='L2', reduce='no'),
    'sigmoid_cross_entropy': lambda x: F.sigmoid_cross_entropy(x, T_BIN),
    'sigmoid_cross_entropy_no': lambda x: F.sigmoid_cross_entropy(x, T_BIN, reduce='no'),
    'softmax_cross_entropy': lambda x: F.softmax_cross_entropy(x, T_INT),
    'softmax_cross_entropy_ignore': lambda x: F.softmax_cross_entropy(
        x, numpy.array([0, -1, 1, 2], numpy.int32), reduce='no'),
}


@pytest.mark.parametrize('name', sorted(LOSSES))
@pytest.mark.parametrize('dtype', [numpy.float32, numpy.float64])
def test_same_gradient_with_and_without_graph(name, dtype):
    grads = []
    for double in (False, True):
        x = chainer.Variable(X.astype(dtype))
        y = LOSSES[name](x)
        gy = numpy.linspace(0.5, 1.5, y.size).reshape(y.shape).astype(dtype)
        gx, = chainer.grad([y], [x], grad_outputs=[gy], enable_double_backprop=double)
        assert gx.dtype == dtype
        assert (gx.creator is not None) == double
        grads.append(gx.array)
    numpy.testing.assert_allclose(grads[0], grads[1], rtol=1e-6)


def test_softmax_cross_entropy_second_order_is_a_clear_error():
    x = chainer.Variable(X.astype(numpy.float32))
    loss = F.softmax_cross_entropy(x, T_INT)
    gx, = chainer.grad([loss], [x], enable_double_backprop=True)
    with pytest.raises(RuntimeError, match='enable_double_backprop=True'):
        gx.grad = numpy.ones_like(gx.array)
        gx.backward()


def test_softmax_cross_entropy_grad_needs_no_forward_node():
    # integer labels: the softmax exp(x - log_z) is formed from x and the row normalizers
    y = numpy.full((2, 3), 1 / 3, numpy.float32)
    t = numpy.array([0, 2], numpy.int32)
    log_z = numpy.full((2, 1), numpy.log(3), numpy.float32)
    grad = _SoftmaxCrossEntropyGrad_NoDoubleBackprop(None, t, 'no', 1.0, log_z=log_z,
                                                     y_dtype=numpy.dtype(numpy.float32))
    gx, = grad.apply((numpy.zeros((2, 3), numpy.float32), numpy.ones(2, numpy.float32)))
    expected = y.copy()
    expected[[0, 1], t] -= 1
    numpy.testing.assert_allclose(gx.array, expected)


def test_softmax_cross_entropy_grad_node_has_chainer_s_label():
    # Function hooks (TimerHook, PrintHook) show the node under Chainer's name.
    from chainer import function_hooks
    x = chainer.Variable(numpy.zeros((2, 3), numpy.float32))
    t = numpy.array([0, 2], numpy.int32)
    hook = function_hooks.TimerHook()
    with hook:
        F.softmax_cross_entropy(x, t).backward()
    assert '_SoftmaxCrossEntropyGrad_NoDoubleBackprop' in [name for name, _ in hook.call_history]
