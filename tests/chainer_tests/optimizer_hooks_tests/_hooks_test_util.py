"""A small model with fixed parameters and gradients for the optimizer hook tests."""
import numpy

import chainer


class Leaf(chainer.Link):
    def __init__(self, dtype=numpy.float32, seed=0):
        super().__init__()
        rng = numpy.random.RandomState(seed)
        with self.init_scope():
            self.W = chainer.Parameter(rng.uniform(-1, 1, (3, 4)).astype(dtype))
            self.b = chainer.Parameter(numpy.array([0.5, 0.0, -0.25, 0.0, 2.0], dtype=dtype))


class Model(chainer.Chain):
    def __init__(self, dtype=numpy.float32):
        super().__init__()
        with self.init_scope():
            self.l1 = Leaf(dtype, seed=0)
            self.l2 = Leaf(dtype, seed=1)


def setup(dtype=numpy.float32, lr=1.0, grad_scale=1.0, seed=3):
    """Model + SGD(lr) with fixed gradients; returns (model, optimizer, params, grads)."""
    from chainer.optimizers.sgd import SGD
    model = Model(dtype)
    opt = SGD(lr=lr)
    opt.setup(model)
    rng = numpy.random.RandomState(seed)
    params, grads = {}, {}
    for name, p in model.namedparams():
        g = (rng.uniform(-1, 1, p.shape) * grad_scale).astype(dtype)
        p.grad = g.copy()
        params[name] = p.array.copy()
        grads[name] = g
    return model, opt, params, grads


def check_gpu_update(hook, expected, **tolerances):
    """Updates the model on CuPy with ``hook`` (SGD with lr 1); each parameter must
    then be close to ``expected(param, grad)`` of its NumPy values before the update."""
    import pytest
    cupy = pytest.importorskip('cupy')
    model, opt, params, grads = setup()
    model.to_device('@cupy:0')
    opt.add_hook(hook)
    opt.update()
    for name, p in model.namedparams():
        numpy.testing.assert_allclose(cupy.asnumpy(p.array),
                                      expected(params[name], grads[name]), **tolerances)
