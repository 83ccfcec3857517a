"""Pieces the optimizers' update rules have in common."""
from __future__ import annotations

from typing import Any, Callable

import numpy

from chainer import backend
from chainer import optimizer
from chainer.backends import cuda
from chainer.utils.array import widen_scalar
from chainer.utils.error import _repr


def set_given(hyperparam: optimizer.Hyperparameter, **values: Any) -> None:
    """Sets the hyperparameters given; a None value is left to the parent hyperparameter."""
    for name, value in values.items():
        if value is not None:
            setattr(hyperparam, name, value)


def lookup(hyperparam: Any, name: str) -> Any:
    """``getattr(hyperparam, name)`` without Python's slow path for inherited values.

    A value a :class:`~chainer.optimizer.Hyperparameter` inherits is found by a
    failed attribute lookup (an exception) and ``__getattr__``; this reads the
    instance dictionaries up the parent chain instead, so update rules can read
    their hyperparameters anew at every step at little cost. Anything but a
    plain Hyperparameter in the chain (a subclass may define properties) is
    left to ``getattr``. NumPy float16/float32 scalars come back as float64
    (:func:`~chainer.utils.array.widen_scalar`).
    """
    hp = hyperparam
    while type(hp) is optimizer.Hyperparameter:
        d = hp.__dict__
        if name in d:
            return widen_scalar(d[name])
        hp = d.get('_parent')
    return widen_scalar(getattr(hyperparam, name))


def numbers(hyperparam: Any, *names: str) -> tuple:
    """The values of the hyperparameters ``names``; ``TypeError`` for one that is not
    a number (None, a string), which an update would silently turn into NaN."""
    values = tuple([lookup(hyperparam, name) for name in names])
    for name, value in zip(names, values):
        if value is None or isinstance(value, (str, bytes)):
            raise TypeError(f'hyperparameter {name} must be a number, got {_repr(value)}')
    return values


def constants(rule: Any, compute: Callable[[Any, Any], Any], key: Any) -> Any:
    """``compute(rule, key)``, kept on ``rule`` until a hyperparameter changes.

    Update rules derive per-step constants (hyperparameters cast to the
    parameter's dtype, scalars as 0-d arrays, the CuPy kernel) from their
    hyperparameters. Reading and casting them anew for every parameter at every
    step is most of the host time of an update, on the GPU above all. The
    constants are computed again when an attribute of any
    :class:`~chainer.optimizer.Hyperparameter` was set or deleted since, when the
    rule's ``hyperparam`` was replaced, or when ``compute`` (a function, not a
    bound method) or ``key`` (the parameter's dtype, say) differs from the last
    call. A chain holding a Hyperparameter subclass, whose properties may change
    by themselves, is read anew at every call.
    """
    memo = rule._derived
    hyperparam = rule.hyperparam
    if memo is not None and memo[0] is optimizer._generation and memo[1] is hyperparam \
            and memo[2] is compute and memo[3] == key:
        return memo[4]
    generation = optimizer._generation
    value = compute(rule, key)
    hp = hyperparam
    while hp is not None:
        if type(hp) is not optimizer.Hyperparameter:
            return value
        hp = hp.__dict__.get('_parent')
    rule._derived = (generation, hyperparam, compute, key, value)
    return value


def scalars(values: tuple, dtype: Any) -> tuple:
    """Read-only 0-d arrays of ``dtype`` holding ``values``.

    NumPy multiplies an array by a 0-d array of its dtype faster than by a
    scalar, with the same products as with ``dtype.type(value)``.
    """
    arrays = []
    for value in values:
        a = numpy.array(value, dtype)
        a.flags.writeable = False
        arrays.append(a)
    return tuple(arrays)


def vectors(*arrays: Any) -> list:
    """The arrays as they are, or as 1-element views when the first one is 0-d.

    NumPy's arithmetic on 0-d arrays returns scalars, which the in-place CPU
    steps cannot write into (``out=`` needs an array); on the views every
    temporary is an array and every write reaches the parameter and its state.
    """
    if arrays[0].ndim:
        return list(arrays)
    return [a.reshape(1) for a in arrays]


# Elements per block of a blocked CPU step (a few such blocks fit in L2 cache).
CPU_BLOCK = 1 << 16
# Parameters from this size on are worth a blocked step.
BLOCKED_SIZE = 2 * CPU_BLOCK


def run_blocked(step: Callable[[list, list], None], arrays: list, n_scratch: int) -> None:
    """Runs the in-place CPU step ``step(arrays, scratch)`` over NumPy ``arrays`` of one
    shape, with ``n_scratch`` scratch arrays (``out=`` arguments) of the first one's dtype.

    Large C-contiguous arrays go block by block through block-sized scratch
    arrays, so that the step's passes run on data held in the CPU cache; others
    go at once, with None for each scratch array (each pass allocates its result).
    """
    first = arrays[0]
    size = first.size
    if size >= BLOCKED_SIZE and all(a.flags.c_contiguous for a in arrays):
        flat = [a.reshape(-1) for a in arrays]
        scratch = [numpy.empty(CPU_BLOCK, first.dtype) for _ in range(n_scratch)]
        for start in range(0, size, CPU_BLOCK):
            stop = min(start + CPU_BLOCK, size)
            n = stop - start
            step([a[start:stop] for a in flat], [t[:n] for t in scratch])
    else:
        step(arrays, [None] * n_scratch)


def update_moments(grad: Any, m: Any, v: Any, tmp: Any, one_minus_beta1: Any,
                   one_minus_beta2: Any) -> None:
    """The in-place CPU update of the running moments of Adam-like rules, through the
    scratch array ``tmp``: ``m += (1 - beta1) * (grad - m)`` and
    ``v += (1 - beta2) * (grad * grad - v)``."""
    numpy.subtract(grad, m, out=tmp)
    tmp *= one_minus_beta1
    m += tmp
    numpy.multiply(grad, grad, out=tmp)
    tmp -= v
    tmp *= one_minus_beta2
    v += tmp


def zeros_state(state: dict, param: Any, *names: str) -> None:
    """Adds to ``state`` an array of zeros like ``param.array``, on its device, per name."""
    device = param.device
    with backend.using_device(device):
        for name in names:
            state[name] = device.xp.zeros_like(param.array)


def cast_eps(eps: float, dtype: Any, optimizer_name: str) -> Any:
    """Casts ``eps`` to ``dtype``; a nonzero eps that underflows to zero is an error."""
    dtype = numpy.dtype(dtype)
    cast = dtype.type(eps)
    if eps != 0 and cast == 0:
        raise ValueError(
            f'eps of {optimizer_name} optimizer is too small for {dtype.name} ({eps})')
    return cast


def nonvanishing_eps(eps: float, dtype: Any) -> Any:
    """``eps`` in ``dtype``; a nonzero eps that underflows there becomes the dtype's
    smallest nonzero value of its sign.

    Chainer let it vanish, so that elements whose gradients had all been zero stepped
    by ``0 / 0 = nan``; so small an addend leaves every other denominator as it was.
    """
    dtype = numpy.dtype(dtype)
    cast = dtype.type(eps)
    if eps != 0 and cast == 0:
        return numpy.nextafter(dtype.type(0), dtype.type(eps > 0 or -1))
    return cast


def _names(spec: str) -> list:
    """The names of a comma-separated list such as ``'lr, eps'``."""
    return [name.strip() for name in spec.split(',')]


class ElementwiseRule(optimizer.UpdateRule):
    """Base of the update rules whose step is elementwise: one fused kernel on the GPU.

    A subclass sets ``default_hyperparam`` and ``state_names`` (arrays of zeros
    like the parameter, unless it overrides :meth:`init_state`), and gives

    - the CPU step: :meth:`step_cpu` ``(data, grad, *state, *cpu_constants)``
      updates the arrays in place;
    - the GPU step: CUDA code ``gpu_code`` named ``gpu_name`` (or, when they
      depend on hyperparameters, from :meth:`gpu_source`), over ``grad`` and the
      scalars named in ``gpu_scalars`` (in, all of type ``T``) and ``param`` and
      the state arrays (in-out, named as in ``gpu_state``, by default as in
      ``state_names``).

    :meth:`cpu_constants` and :meth:`gpu_constants` derive the constants from the
    hyperparameters; they run again only after a hyperparameter changed
    (:func:`constants`).
    """

    is_elementwise = True
    default_hyperparam: optimizer.Hyperparameter
    state_names: tuple = ()
    gpu_scalars = ''
    gpu_state = ''
    gpu_code = ''
    gpu_name = ''

    def __init__(self, parent_hyperparam: optimizer.Hyperparameter | None = None,
                 **values: Any) -> None:
        super().__init__(
            self.default_hyperparam if parent_hyperparam is None else parent_hyperparam)
        set_given(self.hyperparam, **values)

    def init_state(self, param: Any) -> None:
        zeros_state(self.state, param, *self.state_names)

    def hyperparameters(self, *names: str) -> tuple:
        """The current values of the hyperparameters ``names`` (see :func:`numbers`)."""
        return numbers(self.hyperparam, *names)

    def cpu_constants(self, dtype: numpy.dtype) -> tuple:
        """The constants :meth:`step_cpu` takes after the state, for a ``dtype`` gradient."""
        raise NotImplementedError

    def gpu_constants(self, dtype: numpy.dtype) -> tuple:
        """The values of ``gpu_scalars``, as Python numbers (the kernel casts them to T).

        By default, the hyperparameters of those names.
        """
        return self.hyperparameters(*_names(self.gpu_scalars))

    def gpu_source(self) -> tuple:
        """``(code, name)`` of the GPU step: ``gpu_code`` and ``gpu_name`` by default."""
        return self.gpu_code, self.gpu_name

    def gpu_kernel(self) -> Any:
        """The CuPy kernel of the GPU step."""
        in_params = ', '.join([f'T {n}' for n in ('grad', *_names(self.gpu_scalars))])
        state = _names(self.gpu_state) if self.gpu_state else self.state_names
        out_params = ', '.join([f'T {n}' for n in ('param', *state)])
        return cuda.elementwise(in_params, out_params, *self.gpu_source())

    def step_cpu(self, data: Any, grad: Any, *state_and_constants: Any) -> None:
        """Updates ``data`` and the state arrays in place."""
        raise NotImplementedError

    def _cpu(self, dtype: numpy.dtype) -> tuple:
        return self.cpu_constants(dtype)

    def _gpu(self, dtype: numpy.dtype) -> tuple:
        return self.gpu_kernel(), self.gpu_constants(dtype)

    def update_core_cpu(self, param: Any) -> None:
        grad = param.grad
        if grad is None:
            return
        data = param.array
        arrays = (data, grad, *map(self._state.__getitem__, self.state_names))
        if not data.ndim:
            arrays = vectors(*arrays)
        self.step_cpu(*arrays, *constants(self, ElementwiseRule._cpu, grad.dtype))

    def update_core_gpu(self, param: Any) -> None:
        grad = param.grad
        if grad is None:
            return
        kernel, values = constants(self, ElementwiseRule._gpu, grad.dtype)
        kernel(grad, *values, param.array, *map(self._state.__getitem__, self.state_names))


class VelocityRule(ElementwiseRule):
    """Base of the update rules with a velocity ``v`` and hyperparameters lr, momentum.

    A subclass writes the CPU step in :meth:`step_cpu` ``(data, grad, v, lr,
    momentum)`` (the constants of :meth:`cpu_constants`, by default the two
    hyperparameters as Python floats) and the same step as ``gpu_code``.
    """

    state_names = ('v',)
    gpu_scalars = 'lr, momentum'

    def __init__(self, parent_hyperparam: optimizer.Hyperparameter | None = None,
                 lr: float | None = None, momentum: float | None = None) -> None:
        super().__init__(parent_hyperparam, lr=lr, momentum=momentum)

    def cpu_constants(self, dtype: numpy.dtype) -> tuple:
        return self.hyperparameters('lr', 'momentum')


class RuleOptimizer(optimizer.GradientMethod):
    """Base of the optimizers that take their hyperparameters as arguments (every value
    is set, None included: it fails at the first update, as in Chainer) and give each
    parameter a ``rule_class`` update rule over them."""

    rule_class: type

    def __init__(self, **hyperparameters: Any) -> None:
        super().__init__()
        hp = self.hyperparam
        for name, value in hyperparameters.items():
            setattr(hp, name, value)

    def create_update_rule(self) -> optimizer.UpdateRule:
        return self.rule_class(self.hyperparam)


class VelocityOptimizer(RuleOptimizer):
    """Base of the optimizers with hyperparameters lr and momentum (``rule_class``)."""

    def __init__(self, lr: float, momentum: float) -> None:
        super().__init__(lr=lr, momentum=momentum)

    lr = optimizer.HyperparameterProxy('lr')
    momentum = optimizer.HyperparameterProxy('momentum')


class LrEpsRule(ElementwiseRule):
    """Base of the update rules with hyperparameters lr and eps."""

    gpu_scalars = 'lr, eps'

    def __init__(self, parent_hyperparam: optimizer.Hyperparameter | None = None,
                 lr: float | None = None, eps: float | None = None) -> None:
        super().__init__(parent_hyperparam, lr=lr, eps=eps)


class LrEpsOptimizer(RuleOptimizer):
    """Base of the optimizers with hyperparameters lr and eps (``rule_class``)."""

    def __init__(self, lr: float, eps: float) -> None:
        super().__init__(lr=lr, eps=eps)

    lr = optimizer.HyperparameterProxy('lr')
    eps = optimizer.HyperparameterProxy('eps')
