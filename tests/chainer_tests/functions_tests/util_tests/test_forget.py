import numpy
import pytest

import chainer
import chainer.functions as F
from chainer import gradient_check
from chainer.functions.util.forget import forget


def _f(x, y):
    return F.tanh(x) * y + x


def _two(x, y):
    return x * y, x + y


def test_forward_and_no_graph_inside():
    x = chainer.Variable(numpy.random.rand(3, 2))
    y = chainer.Variable(numpy.random.rand(3, 2))
    z = forget(_f, x, y)
    numpy.testing.assert_allclose(z.array, numpy.tanh(x.array) * y.array + x.array)
    assert type(z.creator_node).__name__ == 'Forget'
    assert z.creator_node.inputs[0] is x.node and z.creator_node.inputs[1] is y.node


def test_backward_matches_direct():
    xd = numpy.random.rand(3, 2)
    yd = numpy.random.rand(3, 2)
    gy = numpy.random.rand(3, 2)
    gradient_check.check_backward(lambda x, y: forget(_f, x, y), (xd, yd), gy)


def test_double_backward():
    xd = numpy.random.rand(3, 2)
    yd = numpy.random.rand(3, 2)
    gradient_check.check_double_backward(
        lambda x, y: forget(_f, x, y), (xd, yd), numpy.random.rand(3, 2),
        (numpy.random.rand(3, 2), numpy.random.rand(3, 2)))


def test_second_order_matches_direct():
    x1 = chainer.Variable(numpy.array([0.3, -0.5, 1.2]))
    x2 = chainer.Variable(x1.array.copy())
    for x, use_forget in ((x1, True), (x2, False)):
        y = forget(F.tanh, x) if use_forget else F.tanh(x)
        gx, = chainer.grad([F.sum(y ** 2)], [x], enable_double_backprop=True)
        F.sum(gx).backward()
    numpy.testing.assert_allclose(x1.grad, x2.grad)


@pytest.mark.parametrize('double', [False, True])
def test_parameters_used_inside_get_gradients(double):
    # As a backward through func's own graph would: a link called inside func
    # accumulates its parameters' gradients (and a captured Variable's).
    rng = numpy.random.RandomState(3)
    with chainer.using_config('dtype', numpy.float64):
        link = chainer.links.Linear(4, 2)
    scale = chainer.Variable(rng.rand(2))
    x = chainer.Variable(rng.rand(3, 4))

    def func(a):
        return F.tanh(link(a)) * scale

    grads = {}
    for use_forget in (False, True):
        link.cleargrads()
        scale.cleargrad()
        x.cleargrad()
        link.W.grad = numpy.ones_like(link.W.array)  # added to, not replaced
        y = forget(func, x) if use_forget else func(x)
        F.sum(y * y).backward(enable_double_backprop=double)
        grads[use_forget] = [v.grad.copy() for v in (x, link.W, link.b, scale)]
    for direct, recomputed in zip(grads[False], grads[True]):
        numpy.testing.assert_allclose(recomputed, direct, rtol=1e-12)


def test_multiple_outputs_with_one_unused():
    x = chainer.Variable(numpy.random.rand(4))
    y = chainer.Variable(numpy.random.rand(4))
    a, b = forget(_two, x, y)
    F.sum(a).backward()
    numpy.testing.assert_allclose(x.grad, y.array)
    numpy.testing.assert_allclose(y.grad, x.array)


def test_array_inputs_are_wrapped():
    z = forget(F.exp, numpy.zeros(2, numpy.float32))
    assert isinstance(z, chainer.Variable) and z.requires_grad
    z.grad = numpy.ones(2, numpy.float32)
    z.backward()


def test_bad_return_values():
    x = chainer.Variable(numpy.ones(2))
    with pytest.raises(RuntimeError, match='Variable'):
        forget(lambda v: v.array, x)
    with pytest.raises(RuntimeError, match='2nd element'):
        forget(lambda v: (v * 2, v.array), x)
    with pytest.raises(TypeError):
        forget(3, x)


def test_exported():
    assert F.forget is forget
