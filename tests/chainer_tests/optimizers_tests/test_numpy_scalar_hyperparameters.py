"""Hyperparameters given as NumPy float32 scalars act as Chainer's did under NumPy 1,
where a float32 scalar combined with a Python number gave a float64: on float64
parameters the steps equal those with the same values as Python floats."""
import numpy
import pytest

import chainer
from chainer import optimizer_hooks
from chainer import optimizers


def _run(make_optimizer, hooks=(), loss_scale=None, steps=4):
    rs = numpy.random.RandomState(0)
    link = chainer.Link()
    with link.init_scope():
        link.w = chainer.Parameter(rs.uniform(-1, 1, (3, 4)))
    opt = make_optimizer()
    opt.setup(link)
    for hook in hooks:
        opt.add_hook(hook)
    for _ in range(steps):
        g = rs.uniform(-1, 1, (3, 4))
        if loss_scale is not None:
            link.w.grad = g * loss_scale
            link.w._loss_scale = loss_scale
        else:
            link.w.grad = g
        opt.update()
    return link.w.array


_f32 = numpy.float32

_CASES = [
    ('SGD', dict(lr=_f32(0.01))),
    ('NesterovAG', dict(lr=_f32(0.01))),
    ('MomentumSGD', dict(lr=_f32(0.1), momentum=_f32(0.9))),
    ('Adam', dict(alpha=_f32(0.01), beta1=_f32(0.9), eta=_f32(0.5),
                  weight_decay_rate=_f32(0.1))),
    ('AdaBound', dict(alpha=_f32(0.01), final_lr=_f32(0.1), gamma=_f32(0.1))),
    ('AdaGrad', dict(lr=_f32(0.1))),
    ('RMSprop', dict(lr=_f32(0.1), alpha=_f32(0.9))),
    ('RMSpropGraves', dict(lr=_f32(0.1), momentum=_f32(0.9))),
    ('AdaDelta', dict(rho=_f32(0.9))),
    ('SMORMS3', dict(lr=_f32(0.1))),
    ('CorrectedMomentumSGD', dict(lr=_f32(0.1), momentum=_f32(0.9))),
]


@pytest.mark.parametrize('name,kwargs', _CASES)
def test_float32_hyperparameters_steer_float64_params_in_float64(name, kwargs):
    cls = getattr(optimizers, name)
    as_python = {k: float(v) for k, v in kwargs.items()}
    numpy.testing.assert_array_equal(_run(lambda: cls(**kwargs)),
                                     _run(lambda: cls(**as_python)))


def test_lr_changed_to_float32_between_steps():
    def make(value):
        def make_optimizer():
            opt = optimizers.Adam()
            opt.alpha = value
            return opt
        return make_optimizer
    numpy.testing.assert_array_equal(_run(make(_f32(0.03))), _run(make(float(_f32(0.03)))))


def test_nesterov_squares_a_float32_momentum_in_float32():
    # Chainer's momentum * momentum of two float32 scalars was a float32 under
    # NumPy 1 as well; only the sums with Python numbers were float64.
    m = _f32(0.9)
    rule = optimizers.NesterovAG(lr=0.1, momentum=m).create_update_rule()
    lr, momentum, squared, lr_next = rule.cpu_constants(numpy.dtype(numpy.float64))
    assert squared == numpy.float64(m * m)
    assert lr_next == (1 + float(m)) * 0.1


@pytest.mark.parametrize('hook_class,value', [
    (optimizer_hooks.WeightDecay, 0.1), (optimizer_hooks.Lasso, 0.1),
    (optimizer_hooks.GradientClipping, 0.3),
])
def test_float32_hook_arguments_under_a_loss_scale(hook_class, value):
    def run(arg):
        return _run(lambda: optimizers.SGD(lr=0.5), hooks=[hook_class(arg)], loss_scale=3.0)
    numpy.testing.assert_array_equal(run(_f32(value)), run(float(_f32(value))))


def test_float32_lars_arguments():
    def run(cast):
        hook = optimizer_hooks.GradientLARS(threshold=cast(0.01), weight_decay=cast(0.01),
                                            eps=cast(1e-3))
        return _run(lambda: optimizers.SGD(lr=0.5), hooks=[hook])
    numpy.testing.assert_array_equal(run(_f32), run(lambda v: float(_f32(v))))


def test_adabound_zero_alpha_as_float32_divides_as_numpy():
    # A NumPy scalar division by zero gave inf/nan with a warning in Chainer, not
    # a ZeroDivisionError.
    opt = optimizers.AdaBound(alpha=_f32(0.0))
    link = chainer.Link()
    with link.init_scope():
        link.w = chainer.Parameter(numpy.ones(3))
    opt.setup(link)
    opt.alpha = _f32(0.1)
    link.w.grad = numpy.ones(3)
    with numpy.errstate(all='ignore'):
        opt.update()
