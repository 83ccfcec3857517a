"""Arithmetic of Variables: the operators ``+ - * / // ** @`` and their functions."""
from __future__ import annotations

import numbers
from typing import TYPE_CHECKING

import numpy

import chainer
from chainer import function_node
from chainer import utils
from chainer.backends import cuda
from chainer.functions.math.exponential import log
from chainer.functions.math.floor import floor
from chainer.functions.math.matmul import matmul as _matmul
from chainer.functions.math.sum import SumTo, sum_to
from chainer.utils import array as array_utils
from chainer.utils import type_check
from chainer.variable import Variable, _ARRAY_TYPES

if TYPE_CHECKING:
    from chainer.types import VariableOrArray

_ndarray = numpy.ndarray
_gpu_ndarray = cuda.ndarray
_asarray = numpy.asarray
# a per-channel operand of a large NumPy array spread over a sample (the same values)
_sample_operands = array_utils.sample_operands
_SPREAD_MIN_SIZE = array_utils._SPREAD_MIN_SIZE


def _arr(y):
    """Keeps 0-d results as arrays (NumPy turns ``0-d op scalar`` into a scalar)."""
    return y if type(y) is _ndarray or type(y) is _gpu_ndarray else utils.force_array(y)


def _c(x, value):
    """``value`` in the dtype of ``x``; Python scalars with a float array need no cast
    (NumPy keeps the array's dtype for them)."""
    if type(value) in _FAST_SCALARS and x.dtype.kind == 'f':
        return value
    return x.dtype.type(value)


def _is_scalar(value) -> bool:
    # NumPy's numeric scalars (timedelta64 is one); datetime64, str_, bytes_ and void
    # are not numbers (Chainer failed on them with a TypeError from NumPy)
    return isinstance(value, (int, float, complex, numpy.number, numpy.bool_))


_FAST_SCALARS = (float, int)


def _rhs(x, value):
    """Turns the right-hand side of a binary operator into a Variable or a constant."""
    if type(value) in _FAST_SCALARS:
        return value
    if isinstance(value, Variable):
        return value
    if type(value) is complex:
        raise TypeError('A Python complex constant cannot be combined with a Variable.\n'
                        f'Actual: {value!r}')
    if _is_scalar(value):
        return value
    if isinstance(value, numbers.Real) or (
            isinstance(value, numbers.Number) and not isinstance(value, numbers.Complex)):
        # Chainer took whatever numpy.isscalar accepts, Fraction and Decimal too
        return float(value)
    if isinstance(value, _ARRAY_TYPES):
        return Variable._new(value.astype(x.dtype, copy=False), False)
    raise TypeError(
        'Value must be a scalar, `numpy.ndarray`, `cupy.ndarray` or a `Variable`.\n'
        f'Actual: {type(value)}')


def _check_same_dtype_broadcastable(in_types, names=('lhs', 'rhs')) -> None:
    type_check._argname(in_types, names)
    type_check.expect(in_types[0].dtype == in_types[1].dtype)
    type_check.expect_broadcast_shapes(in_types[0].shape, in_types[1].shape)


def _sum_to(gx, shape):
    """The one place where broadcast gradients are reduced."""
    if gx.shape == shape:
        return gx
    return sum_to(gx, shape)


def _sum_to_array(gx, shape):
    """:func:`_sum_to` on arrays (static-graph replay): the same node's forward."""
    if gx.shape == shape:
        return gx
    return SumTo(shape).forward((gx,))[0]


class _OneInputNode(function_node.FunctionNode):
    """A node of one input ``x`` (``-x``, ``x + c``, ``c - x``, ``x * c``).

    Chainer checked on every call that there was one input; the operators always
    give one, so here :meth:`check_type_forward` runs only where ``apply`` was given
    another number of inputs (each ``forward`` asks), off the operators' hot path.
    """

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls._has_type_check = False

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x',))

    def _input(self, inputs):
        """The one input of ``forward``'s ``inputs`` (the check runs where there are more)."""
        if len(inputs) != 1:
            self._check_data_type_forward(inputs)
        return inputs[0]


class Neg(_OneInputNode):

    @property
    def label(self):
        return '__neg__'

    def forward(self, inputs):
        return _arr(-self._input(inputs)),

    def backward(self, indexes, grad_outputs):
        return neg(grad_outputs[0]),

    def static_backward(self, indexes, inputs, outputs, grad_outputs):
        """:meth:`backward` on arrays (static-graph replay)."""
        return Neg().forward(grad_outputs)


def neg(self):
    """``-x``."""
    return Neg().apply((self,))[0]


class Absolute(function_node.FunctionNode):

    @property
    def label(self):
        return '|_|'

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        self.retain_inputs((0,))
        x = inputs[0]
        return _arr(abs(x)),

    def backward(self, indexes, grad_outputs):
        return _AbsoluteGrad(self.get_retained_inputs()[0].array).apply(grad_outputs)


class _AbsoluteGrad(function_node.FunctionNode):
    """``sign(x) * gy``; linear in ``gy``. One array is made (no sign array kept
    alive by a product node), which matters for large inputs."""

    is_elementwise = True

    def __init__(self, x):
        self.x = x

    def forward(self, inputs):
        gy, = inputs
        xp = chainer.backend.get_array_module(gy)
        gx = utils.force_array(xp.sign(self.x), gy.dtype)
        gx *= gy
        return gx,

    def backward(self, indexes, grad_outputs):
        return _AbsoluteGrad(self.x).apply(grad_outputs)


def absolute(self: VariableOrArray) -> Variable:
    """``abs(x)``, elementwise."""
    return Absolute().apply((self,))[0]


class Add(function_node.FunctionNode):
    is_elementwise = True

    @property
    def label(self):
        return '_ + _'

    def check_type_forward(self, in_types):
        _check_same_dtype_broadcastable(in_types)

    def forward(self, inputs):
        a, b = inputs
        self._shapes = (a.shape, b.shape)
        if type(a) is _gpu_ndarray:
            y = _gpu_raw_op(a, '+', b)
            if y is not None:
                return y,
        if a.size >= _SPREAD_MIN_SIZE or b.size >= _SPREAD_MIN_SIZE:
            a, b = _sample_operands(a, b)
        return _arr(a + b),

    def backward(self, indexes, grad_outputs):
        gy = grad_outputs[0]
        s0, s1 = self._shapes
        if s0 == s1:  # nothing was broadcast: gy is the gradient of both
            return (gy, gy) if len(indexes) == 2 else (gy,)
        if len(indexes) == 2:
            return _sum_to(gy, s0), _sum_to(gy, s1)
        return _sum_to(gy, self._shapes[indexes[0]]),

    def static_backward(self, indexes, inputs, outputs, grad_outputs):
        """:meth:`backward` on arrays (static-graph replay)."""
        gy = grad_outputs[0]
        return tuple([_sum_to_array(gy, self._shapes[i]) for i in indexes])


# CuPy: ``x + y`` and ``x * y`` of C-contiguous float32/float64 arrays of one
# shape and dtype on the current device, or of such an array and a Python
# scalar, run as one RawKernel launch. A CuPy ufunc call resolves types,
# broadcasts and builds an indexer on every call; for the small arrays of an
# op-by-op graph that host work, not the GPU, sets the pace. False: the ufunc
# (benchmarks/gpu/bench.py compares the two).
_USE_RAW_KERNELS = True
_RAW_TYPES = {numpy.dtype(numpy.float32): 'float', numpy.dtype(numpy.float64): 'double'}
_RAW_BLOCK = 256
_raw_kernels: dict = {}


def _raw_kernel(op: str, dtype, arrays: bool):
    """The RawKernel of ``y[i] = a[i] op b[i]`` (``arrays``) or ``a[i] op c``."""
    kernel = _raw_kernels.get((op, dtype, arrays))
    if kernel is None:
        ctype = _RAW_TYPES[dtype]
        name = (f'rechainer_{"add" if op == "+" else "mul"}_'
                f'{"arrays" if arrays else "scalar"}_{ctype}')
        second, rhs = (f'const {ctype}* b', 'b[i]') if arrays else (f'const {ctype} c', 'c')
        kernel = _raw_kernels[op, dtype, arrays] = cuda.raw(
            f'extern "C" __global__ void {name}(const {ctype}* a, {second}, '
            f'{ctype}* y, const long long n) {{\n'
            '    const long long i = (long long)blockIdx.x * blockDim.x + threadIdx.x;\n'
            f'    if (i < n) y[i] = a[i] {op} {rhs};\n'
            '}\n', name)
    return kernel


def _gpu_raw_op(x, op: str, other):
    """``x op other`` of a CuPy array as one raw launch, or None where the ufunc
    must compute it. ``other`` is a Python scalar (taken in the dtype of ``x``,
    as :func:`_c` casts it) or an array like ``x``."""
    dtype = x.dtype
    if not _USE_RAW_KERNELS or dtype not in _RAW_TYPES or not x.flags.c_contiguous:
        return None
    device = x.data.device_id
    if type(other) is _gpu_ndarray:
        if (other.shape != x.shape or other.dtype != dtype or not other.flags.c_contiguous
                or other.data.device_id != device):
            return None
        arrays = True
    elif type(other) in _FAST_SCALARS:
        other = dtype.type(other)
        arrays = False
    else:
        return None
    if device != cuda.cupy.cuda.runtime.getDevice():
        return None
    y = cuda.cupy.ndarray(x.shape, dtype)  # the cheapest allocation
    n = x.size
    if n:
        _raw_kernel(op, dtype, arrays)(((n + _RAW_BLOCK - 1) // _RAW_BLOCK,), (_RAW_BLOCK,),
                                       (x, other, y, numpy.int64(n)))
    return y


class AddConstant(_OneInputNode):
    is_elementwise = True
    _shown = None  # what the label prints, where it is not ``value`` (``x - c``)

    def __init__(self, value):
        self.value = value

    @property
    def label(self):
        return f'_ + {_label_const(self.value if self._shown is None else self._shown)}'

    def forward(self, inputs):
        x = self._input(inputs)
        if type(x) is _gpu_ndarray:
            y = _gpu_raw_op(x, '+', self.value)
            if y is not None:
                return y,
        return _arr(x + _c(x, self.value)),

    def backward(self, indexes, grad_outputs):
        return grad_outputs[0],

    def static_backward(self, indexes, inputs, outputs, grad_outputs):
        """:meth:`backward` on arrays (static-graph replay)."""
        return grad_outputs[0],


class MultiAdd(function_node.FunctionNode):
    is_elementwise = True

    def check_type_forward(self, in_types):
        for i, t in enumerate(in_types):
            type_check._argname((t,), (f'x{i}',))
            type_check.expect(in_types[0].dtype == t.dtype)
        # Shapes that do not broadcast fail in forward with NumPy's ValueError, as in Chainer.

    def forward(self, xs):
        self._shapes = [x.shape for x in xs]
        y = xs[0]
        # The first sum allocates, the rest accumulate in place.
        y = y + xs[1] if len(xs) > 1 else y.copy()
        for x in xs[2:]:
            if y.shape == numpy.broadcast_shapes(y.shape, x.shape):
                y += x
            else:
                y = y + x
        return _arr(y),

    def backward(self, indexes, grad_outputs):
        gy = grad_outputs[0]
        return tuple([_sum_to(gy, self._shapes[i]) for i in indexes])


def add(*xs: VariableOrArray | float) -> Variable:
    """Elementwise sum of Variables (with broadcasting), or of a Variable and constants."""
    if len(xs) == 2:
        lhs, rhs = xs
        if not isinstance(lhs, Variable):
            lhs = chainer.as_variable(lhs)
        rhs = _rhs(lhs, rhs)
        if isinstance(rhs, Variable):
            return Add().apply((lhs, rhs))[0]
        return AddConstant(rhs).apply((lhs,))[0]
    if len(xs) == 0:
        raise TypeError('add() needs at least one input')
    return MultiAdd().apply(xs)[0]


class Sub(function_node.FunctionNode):
    is_elementwise = True

    @property
    def label(self):
        return '_ - _'

    def check_type_forward(self, in_types):
        _check_same_dtype_broadcastable(in_types)

    def forward(self, inputs):
        a, b = inputs
        self._shapes = (a.shape, b.shape)
        if a.size >= _SPREAD_MIN_SIZE or b.size >= _SPREAD_MIN_SIZE:
            a, b = _sample_operands(a, b)
        return _arr(a - b),

    def backward(self, indexes, grad_outputs):
        gy = grad_outputs[0]
        ret = []
        for i in indexes:
            g = _sum_to(gy, self._shapes[i])
            ret.append(g if i == 0 else -g)
        return tuple(ret)

    def static_backward(self, indexes, inputs, outputs, grad_outputs):
        """:meth:`backward` on arrays (static-graph replay)."""
        gy = grad_outputs[0]
        ret = []
        for i in indexes:
            g = _sum_to_array(gy, self._shapes[i])
            ret.append(g if i == 0 else Neg().forward((g,))[0])
        return tuple(ret)


def sub(self, rhs):
    """``x - y``."""
    rhs = _rhs(self, rhs)
    if isinstance(rhs, Variable):
        return Sub().apply((self, rhs))[0]
    if self.dtype.kind == 'b' or type(rhs) in _FAST_SCALARS and self.dtype.kind == 'f':
        return AddConstant(-rhs).apply((self,))[0]
    node = AddConstant(_negated_in_dtype(self, rhs))
    node._shown = _negated_exactly(rhs)
    return node.apply((self,))[0]


def _negated_in_dtype(x, value):
    """``-value`` in the dtype of ``x``, wrapping as the subtraction does (``uint8 - 2``
    adds 254), never in a NumPy scalar's own (``-numpy.uint8(200)`` is 56)."""
    return numpy.negative(_asarray(_c(x, value)))[()]


def _negated_exactly(value):
    """``-value`` as the label of ``x - value`` shows it: in the constant's own type
    (``x - numpy.float32(0.1)`` adds ``(-0.10000000149011612)``), integers and bools
    as Python ints so that nothing wraps."""
    if isinstance(value, (bool, numpy.bool_, numpy.integer)):
        return -int(value)
    return -value


class SubFromConstant(_OneInputNode):
    is_elementwise = True

    def __init__(self, value):
        self.value = value

    @property
    def label(self):
        return f'{_label_const(self.value)} - _'

    def forward(self, inputs):
        x = self._input(inputs)
        return _arr(_c(x, self.value) - x),

    def backward(self, indexes, grad_outputs):
        return -grad_outputs[0],


def rsub(self, rhs):
    """``y - x`` for a constant or array ``y``."""
    rhs = _rhs(self, rhs)
    if isinstance(rhs, Variable):
        return Sub().apply((rhs, self))[0]
    return SubFromConstant(rhs).apply((self,))[0]


class Mul(function_node.FunctionNode):
    is_elementwise = True

    @property
    def label(self):
        return '_ * _'

    def check_type_forward(self, in_types):
        type_check._expect_float_pair(in_types, ('lhs', 'rhs'))

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        a, b = inputs
        if type(a) is _gpu_ndarray:
            y = _gpu_raw_op(a, '*', b)
            if y is not None:
                return y,
        if a.size >= _SPREAD_MIN_SIZE or b.size >= _SPREAD_MIN_SIZE:
            a, b = _sample_operands(a, b)
        return _arr(a * b),

    def backward(self, indexes, grad_outputs):
        gy = grad_outputs[0]
        xs = self.get_retained_inputs()
        if len(indexes) == 2 and self.inputs[0] is self.inputs[1]:
            # x * x: both gradients are gy * x (one node, handed out twice).
            g = gy * xs[0]
            return g, g
        ret = []
        for i in indexes:
            g = gy * xs[1 - i]
            ret.append(_sum_to(g, xs[i].shape))
        return tuple(ret)

    def static_backward(self, indexes, inputs, outputs, grad_outputs):
        """:meth:`backward` on arrays (static-graph replay)."""
        gy = grad_outputs[0]
        ret = []
        for i in indexes:
            g, = Mul().forward((gy, inputs[1 - i]))
            ret.append(_sum_to_array(g, inputs[i].shape))
        return tuple(ret)


class MulConstant(_OneInputNode):
    is_elementwise = True

    def __init__(self, value):
        self.value = value

    @property
    def label(self):
        return f'_ * {_label_const(self.value)}'

    def forward(self, inputs):
        x = self._input(inputs)
        if type(x) is _gpu_ndarray:
            y = _gpu_raw_op(x, '*', self.value)
            if y is not None:
                return y,
        return _arr(x * _c(x, self.value)),

    def backward(self, indexes, grad_outputs):
        return MulConstant(self.value).apply(grad_outputs)

    def static_backward(self, indexes, inputs, outputs, grad_outputs):
        """:meth:`backward` on arrays (static-graph replay)."""
        return MulConstant(self.value).forward(grad_outputs)


def mul(self, rhs):
    """``x * y``."""
    if type(rhs) is Variable:  # the common case of gradient formulas
        return Mul().apply((self, rhs))[0]
    rhs = _rhs(self, rhs)
    if isinstance(rhs, Variable):
        return Mul().apply((self, rhs))[0]
    return MulConstant(rhs).apply((self,))[0]


class _ScaledProduct(function_node.FunctionNode):
    """``coefficient * x0 * x1 * ...`` of arrays of one shape and dtype.

    Gradient formulas use it to record a product of several factors as one
    node; its own gradients are scaled products again.
    """

    is_elementwise = True

    def __init__(self, coefficient):
        self.coefficient = coefficient

    def check_type_forward(self, in_types):
        type_check.expect(in_types.size() > 0)
        for i, t in enumerate(in_types):
            type_check._argname((t,), (f'x{i}',))
            type_check.expect(t.dtype.kind == 'f', t.dtype == in_types[0].dtype,
                              t.shape == in_types[0].shape)

    def forward(self, inputs):
        self.retain_inputs(tuple(range(len(inputs))))
        if type(inputs[0]) is _gpu_ndarray:  # CuPy: one fused kernel
            return _gpu_product_kernel(len(inputs))(*inputs, self.coefficient),
        y = inputs[0] * inputs[0].dtype.type(self.coefficient)
        for x in inputs[1:]:
            if type(y) is _ndarray:
                y *= x  # y is this node's own buffer
            else:
                y = y * x
        return _arr(y),

    def backward(self, indexes, grad_outputs):
        xs = self.get_retained_inputs()
        g, = grad_outputs
        return tuple([
            _ScaledProduct(self.coefficient).apply((g,) + xs[:i] + xs[i + 1:])[0]
            for i in indexes])


def _scaled_product(coefficient, *xs) -> Variable:
    """``coefficient * xs[0] * xs[1] * ...`` for Variables of one shape, as one node."""
    return _ScaledProduct(coefficient).apply(xs)[0]


class Div(function_node.FunctionNode):
    is_elementwise = True

    @property
    def label(self):
        return '_ / _'

    def check_type_forward(self, in_types):
        type_check._expect_float_pair(in_types, ('lhs', 'rhs'))

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        a, b = inputs
        if a.size >= _SPREAD_MIN_SIZE or b.size >= _SPREAD_MIN_SIZE:
            a, b = _sample_operands(a, b)
        return _arr(a / b),

    def backward(self, indexes, grad_outputs):
        x0, x1 = self.get_retained_inputs()
        grads = DivGrad(tuple(indexes)).apply((x0, x1, grad_outputs[0]))
        return tuple(grads[i] for i in indexes)


class DivGrad(function_node.FunctionNode):
    """``(gy / x1, -(gy / x1) * x0 / x1)`` summed to the shapes of ``x0`` and ``x1``,
    the gradients of ``x0 / x1``, from ``(x0, x1, gy)``; its own derivatives in
    Chainer's forms (so that second derivatives of quotients agree with Chainer's
    to the bit). Only the outputs in ``indexes`` are computed (the other is zeros
    nobody reads).
    """

    is_elementwise = True

    def __init__(self, indexes: tuple = (0, 1)) -> None:
        self.indexes = indexes

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))
        x0, x1, gy = inputs
        gx0 = _arr(gy / x1)
        if 1 in self.indexes:
            gx1 = _sum_to_array(_arr(-gx0 * x0 / x1), x1.shape)
        else:
            gx1 = _zeros_view(gx0, x1.shape)
        if 0 in self.indexes:
            gx0 = _sum_to_array(gx0, x0.shape)
        else:
            gx0 = _zeros_view(gx0, x0.shape)
        return gx0, gx1

    def backward(self, indexes, grad_outputs):
        x0, x1, gy = self.get_retained_inputs()
        ggx0, ggx1 = grad_outputs
        x1_square = x1 * x1
        ret = []
        for i in indexes:
            if i == 0:
                ret.append(None if ggx1 is None
                           else _sum_to(-ggx1 * gy / x1_square, x0.shape))
            elif i == 1:
                g = None if ggx0 is None else -ggx0 * gy / x1_square
                if ggx1 is not None:
                    g1 = ggx1 * 2 * gy * x0 / (x1_square * x1)
                    g = g1 if g is None else g + g1
                ret.append(None if g is None else _sum_to(g, x1.shape))
            else:
                g = None if ggx0 is None else ggx0 / x1
                if ggx1 is not None:
                    g1 = ggx1 * x0 / x1_square
                    g = -g1 if g is None else g - g1
                if g is not None and g.shape != gy.shape:
                    g = chainer.functions.broadcast_to(g, gy.shape)
                ret.append(g)
        return tuple(ret)


def _zeros_view(like, shape):
    xp = chainer.backend.get_array_module(like)
    return xp.broadcast_to(xp.zeros((), like.dtype), shape)


def div(self, rhs):
    """``x / y``."""
    return _divide(self, rhs, False)


def _divide(self, rhs, floored: bool):
    """``x / y``; for an integer ``x`` and a constant ``y``, the quotient is rounded down
    before the cast to ``x``'s dtype where ``floored`` (``-3 // 2`` is -2, not -1)."""
    rhs = _rhs(self, rhs)
    if isinstance(rhs, Variable):
        return Div().apply((self, rhs))[0]
    reciprocal = _reciprocal(rhs)  # a Python zero raises ZeroDivisionError for every dtype
    if _is_int_dtype(self):
        if reciprocal != reciprocal:
            raise ValueError('cannot divide an integer Variable by NaN')
        return DivByConstant(rhs, floored).apply((self,))[0]
    return MulConstant(reciprocal).apply((self,))[0]


def _reciprocal(value):
    """``1 / value`` in float64 (NumPy 2 would divide in a NumPy scalar's own
    dtype, so that ``1. / numpy.float16(3)`` kept only float16 digits)."""
    if isinstance(value, numpy.generic):
        return numpy.float64(1.) / value
    return 1. / value


def _is_int_dtype(x) -> bool:
    return x.dtype.kind in 'iub'


class DivByConstant(function_node.FunctionNode):
    """``x / c`` (or ``x // c`` with ``floored``) for integer ``x`` (the reciprocal would
    be truncated)."""

    def __init__(self, value, floored=False):
        self.value = value
        self.floored = floored

    @property
    def label(self):
        return f'_ {"//" if self.floored else "/"} {_label_const(self.value)}'

    def forward(self, inputs):
        x = inputs[0]
        # the constant keeps its own type: cast to x's integer dtype, 0.5 would be 0
        q = x / self.value
        if self.floored:
            q = chainer.backend.get_array_module(x).floor(q.real)  # a NumPy complex constant
        return _arr(q.astype(x.dtype, copy=False)),

    def backward(self, indexes, grad_outputs):
        return DivByConstant(self.value, self.floored).apply(grad_outputs)


class DivFromConstant(function_node.FunctionNode):
    is_elementwise = True

    def __init__(self, value):
        self.value = value

    @property
    def label(self):
        return f'{_label_const(self.value)} / _'

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        self.retain_inputs((0,))
        x = inputs[0]
        return _arr(_c(x, self.value) / x),

    def backward(self, indexes, grad_outputs):
        x = self.get_retained_inputs()[0]
        return DivFromConstantGrad(self.value).apply((x, grad_outputs[0]))


class DivFromConstantGrad(function_node.FunctionNode):
    """``-value * gy / x ** 2``, the gradient of ``value / x``, from ``(x, gy)``.

    Its own node so that its gradient by ``x`` is ``2 value gy / x ** 3`` in one
    piece: differentiating ``/ (x * x)`` gives ``inf * 0`` (NaN) at ``x = 0``.
    """

    is_elementwise = True

    def __init__(self, value):
        self.value = value

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, gy = inputs
        # Negated in x's dtype: a NumPy scalar such as numpy.uint8(3) would wrap or
        # refuse when negated in its own.
        return _arr(gy * -_c(x, self.value) / (x * x)),

    def backward(self, indexes, grad_outputs):
        x, gy = self.get_retained_inputs()
        g, = grad_outputs
        ret = []
        for i in indexes:
            if i == 0:
                # Chainer's order, g * 2 * value * gy / x ** 3 (2 * value alone may
                # overflow float16)
                ret.append(g * 2 * _c(x, self.value) * gy / x ** 3)
            else:
                ret.append(DivFromConstantGrad(self.value).apply((x, g))[0])
        return tuple(ret)


def rdiv(self, rhs):
    """``y / x`` for a constant or array ``y``."""
    rhs = _rhs(self, rhs)
    if isinstance(rhs, Variable):
        return Div().apply((rhs, self))[0]
    return DivFromConstant(rhs).apply((self,))[0]


def floordiv(self, rhs):
    """``x // y`` (not differentiable: its gradient is zero almost everywhere)."""
    return floor(_divide(self, rhs, True))


def rfloordiv(self, rhs):
    """``y // x``."""
    return floor(rdiv(self, rhs))


class PowVarVar(function_node.FunctionNode):
    """``a ** b``. Its gradient node keeps the output array (not the output
    variable, as in Chainer)."""

    is_elementwise = True

    def __init__(self):
        self.y = None

    @property
    def label(self):
        return '_ ** _'

    def check_type_forward(self, in_types):
        type_check._expect_float_pair(in_types, ('lhs', 'rhs'))

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        a, b = inputs
        self.y = _arr(a ** b)
        return self.y,

    def backward(self, indexes, grad_outputs):
        x0, x1 = self.get_retained_inputs()
        gxs = PowVarVarGrad(self.y, 1 in indexes).apply((x0, x1, grad_outputs[0]))
        return tuple(gxs[i] for i in indexes)


class PowVarVarGrad(function_node.FunctionNode):
    """``(x1 * x0 ** (x1 - 1) * gy, log(x0) * y * gy)`` summed to the inputs' shapes:
    the gradients of ``y = x0 ** x1`` (the second zeros unless ``need_gx1``), one
    node as in Chainer, with its second derivatives in Chainer's forms."""

    is_elementwise = True

    def __init__(self, y, need_gx1: bool = True):
        self.y = y
        self.need_gx1 = need_gx1

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))
        x0, x1, gy = inputs
        xp = chainer.backend.get_array_module(x0)
        gx0 = _sum_to_array(_arr(x1 * x0 ** (x1 - x1.dtype.type(1)) * gy), x0.shape)
        if self.need_gx1:
            gx1 = _sum_to_array(_arr(xp.log(x0) * self.y * gy), x1.shape)
        else:
            gx1 = xp.zeros_like(x1)
        return gx0, gx1

    def backward(self, indexes, grad_outputs):
        x0, x1, gy = self.get_retained_inputs()
        ggx0, ggx1 = grad_outputs
        log_x0 = log(x0)
        pow_x0_x1 = x0 ** x1
        pow_x0_x1_1 = x0 ** (x1 - 1)
        ret = []
        for i in indexes:
            if i == 0:
                g0 = 0 if ggx0 is None else ggx0 * x1 * (x1 - 1) * x0 ** (x1 - 2)
                g1 = 0 if ggx1 is None else ggx1 * pow_x0_x1_1 * (log_x0 * x1 + 1)
                ret.append(_sum_to((g0 + g1) * gy, x0.shape))
            elif i == 1:
                g0 = 0 if ggx0 is None else ggx0 * pow_x0_x1_1 * (log_x0 * x1 + 1)
                g1 = 0 if ggx1 is None else ggx1 * log_x0 * log_x0 * pow_x0_x1
                ret.append(_sum_to((g0 + g1) * gy, x1.shape))
            else:
                g0 = 0 if ggx0 is None else ggx0 * x1 * pow_x0_x1_1
                g1 = 0 if ggx1 is None else ggx1 * log_x0 * pow_x0_x1
                ret.append(g0 + g1)
        return tuple(ret)


def _gpu_product_kernel(n: int, power: int = 1, scale_rest: bool = False):
    """CuPy kernel of ``x0 ** power * c * x1 * ... * x(n-1)`` (inputs, then the
    scalar ``c``), multiplied left to right as the NumPy code does; with
    ``scale_rest``, ``x0 ** power * (c * x1 * ...)``."""
    names = [f'x{i}' for i in range(n)]
    first = ' * '.join(['x0'] * power)
    rest = ' * '.join(['c'] + names[1:])
    expr = f'{first} * ({rest})' if scale_rest else f'{first} * {rest}'
    return cuda.elementwise(', '.join(f'T {x}' for x in names) + ', T c', 'T y',
                            f'y = {expr}',
                            f'rechainer_product_{n}_{power}{"_s" if scale_rest else ""}')


def _pow_const(x, value):
    """``x ** value`` for a scalar ``value``; squares and cubes as products.

    NumPy computes a general power about ten times slower than a product. A float16
    cube is multiplied in float32, where it is exact before its one rounding, as
    NumPy's (and CuPy's) float16 power is.
    """
    if value == 3 and x.dtype == numpy.float16:
        if type(x) is _gpu_ndarray:
            return array_utils.compute_kernel(
                'T x', 'T y', 'C c = (C)x; y = (T)(c * c * c)', 'rechainer_cube',
                x.dtype)(x)
        y = x.astype(numpy.float32)
        c = y * y
        c *= y
        return c.astype(numpy.float16)
    if type(x) is _gpu_ndarray and value == 3:  # CuPy: one kernel
        return _gpu_product_kernel(1, 3)(x, 1)
    if value == 2:
        return x * x
    if value == 3:
        y = x * x
        if type(y) is _ndarray:
            y *= x
            return y
        return y * x
    if value == 0.5 and type(x) is _ndarray:
        # NumPy 1 (Chainer's) took x ** 0.5 as sqrt for float16 too: NaN at -inf and
        # -0 at -0, where NumPy 2's float16 power gives inf and 0.
        return numpy.sqrt(x)
    return x ** x.dtype.type(value)


class PowVarConst(function_node.FunctionNode):
    is_elementwise = True

    def __init__(self, value):
        self.value = value

    @property
    def label(self):
        return f'_ ** {_label_const(self.value)}'

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        self.retain_inputs((0,))
        x = inputs[0]
        return _arr(_pow_const(x, self.value)),

    def backward(self, indexes, grad_outputs):
        x = self.get_retained_inputs()[0]
        return PowVarConstGrad(self.value).apply((x, grad_outputs[0]))


class PowVarConstGrad(function_node.FunctionNode):
    """``coefficient * x ** (value - 1) * gy``: the gradient of ``x ** value``.

    ``coefficient`` defaults to ``value``; the second derivative is the same node
    with the exponent and coefficient moved on, so that each order of a power
    costs one node. Past the degree of an integer power the coefficient is 0 and
    the node gives ``0 * gy``: zeros still connected to ``x``, as Chainer's
    gradients are (they are not None), but without Chainer's NaN at ``x = 0``.
    Products are taken in Chainer's order: ``coefficient * x ** (value - 1)``, then
    ``gy``, for the gradient; for the gradients of gradients (``scale_gy``) the
    power of ``x`` last, by ``coefficient * gy``, so that a huge ``x`` overflows
    only where Chainer's did (the second derivative's ``gy`` is Chainer's
    ``ggx * value * gy``, its coefficient ``value - 1``: Chainer's bits).
    """

    is_elementwise = True

    def __init__(self, value, coefficient=None, scale_gy: bool = False):
        self.value = value
        self.coefficient = value if coefficient is None else coefficient
        self.scale_gy = scale_gy

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, gy = inputs
        e = self.value - 1
        c = x.dtype.type(self.coefficient)
        if self.coefficient == 0:
            return _arr(gy * c),
        if (type(x) is _gpu_ndarray and e in (1, 2, 3) and x.dtype == gy.dtype
                and not (e == 3 and x.dtype == numpy.float16)):
            return _gpu_product_kernel(2, int(e), self.scale_gy)(x, gy, c),  # CuPy: one kernel
        if e == 0:
            return _arr(gy * c),
        if self.scale_gy:
            return _arr((x if e == 1 else _pow_const(x, e)) * (gy * c)),
        if e == 1:
            return _arr(x * c * gy),
        return _arr(_pow_const(x, e) * c * gy),

    def backward(self, indexes, grad_outputs):
        x, gy = self.get_retained_inputs()
        g, = grad_outputs
        value = self.value
        ret = []
        for i in indexes:
            if (i == 0 and self.coefficient != 0 and not self.scale_gy
                    and type(x.array) is numpy.ndarray):
                # Chainer's order: g * value * gy * (value - 1) * x ** (value - 2)
                # (on CuPy, one launch fewer: g * gy first)
                ret.append(PowVarConstGrad(value - 1, value - 1, True)
                           .apply((x, g * _c(x, self.coefficient) * gy))[0])
            elif i == 0:
                ret.append(PowVarConstGrad(value - 1, self.coefficient * (value - 1), True)
                           .apply((x, gy * g))[0])
            else:
                ret.append(PowVarConstGrad(value, self.coefficient, True).apply((x, g))[0])
        return tuple(ret)


class PowConstVar(function_node.FunctionNode):
    is_elementwise = True

    def __init__(self, value):
        self.value = value

    @property
    def label(self):
        return f'{_label_const(self.value)} ** _'

    def check_type_forward(self, in_types):
        type_check._expect_float(in_types)

    def forward(self, inputs):
        self.retain_outputs((0,))
        x = inputs[0]
        return _arr(x.dtype.type(self.value) ** x),

    def backward(self, indexes, grad_outputs):
        y = self.get_retained_outputs()[0]
        value = numpy.float64(self.value)
        if value <= 0:
            # Chainer's math.log raised ValueError ('math domain error') here.
            raise ValueError(
                f'cannot differentiate {_label_const(self.value)} ** x with respect to x: '
                'the gradient needs the logarithm of the base, which must be positive')
        return PowConstVarGrad(y.dtype.type(numpy.log(value))).apply((y, grad_outputs[0]))


class PowConstVarGrad(function_node.FunctionNode):
    """``log_value * y * gy``, the gradient of ``value ** x`` from its output ``y``
    (one node; its own gradients in Chainer's order: ``log_value * ggx`` first)."""

    is_elementwise = True

    def __init__(self, log_value):
        self.log_value = log_value

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        y, gy = inputs
        return _arr(self.log_value * y * gy),

    def backward(self, indexes, grad_outputs):
        y, gy = self.get_retained_inputs()
        gygy = grad_outputs[0] * self.log_value
        return tuple(gygy * (gy if i == 0 else y) for i in indexes)


def pow(self, rhs):
    """``x ** y``."""
    rhs = _rhs(self, rhs)
    if isinstance(rhs, Variable):
        return PowVarVar().apply((self, rhs))[0]
    if isinstance(rhs, numpy.bool_):
        rhs = bool(rhs)
    elif isinstance(rhs, numpy.integer):
        rhs = int(rhs)  # the gradient's exponent rhs - 1 would wrap for numpy.uint8(0)
    elif isinstance(rhs, numpy.complexfloating):
        rhs = float(numpy.float64(rhs))  # Chainer's real part (NumPy's ComplexWarning)
    elif isinstance(rhs, numpy.floating) and self.dtype.kind == 'f':
        # Chainer cast the exponent to x's dtype, so its gradient's exponent (value - 1)
        # is computed there too (not in, say, float16, where 65504 - 1 rounds to 65504).
        rhs = self.dtype.type(rhs)
    return PowVarConst(rhs).apply((self,))[0]


def rpow(self, rhs):
    """``y ** x`` for a constant or array ``y``."""
    rhs = _rhs(self, rhs)
    if isinstance(rhs, Variable):
        return PowVarVar().apply((rhs, self))[0]
    return PowConstVar(rhs).apply((self,))[0]


def matmul(self, rhs):
    """``x @ y`` (``F.matmul``)."""
    rhs = _rhs(self, rhs)
    if not isinstance(rhs, Variable):
        raise TypeError('the operand of @ must be an array or a Variable, not a scalar')
    return _matmul(self, rhs)


def rmatmul(self, rhs):
    """``y @ x`` (``rhs`` is the left operand, as in Chainer's signature)."""
    rhs = _rhs(self, rhs)
    if not isinstance(rhs, Variable):
        raise TypeError('the operand of @ must be an array or a Variable, not a scalar')
    return _matmul(rhs, self)


def _label_const(value) -> str:
    """A constant as graph labels print it, Chainer's way: ``str(value)``, but a
    negative number formatted in parentheses (``_ + (-1)``; a NumPy float32
    ``-0.1`` formats as ``(-0.10000000149011612)``)."""
    if isinstance(value, _ARRAY_TYPES):
        return 'constant array'
    if isinstance(value, (int, float, numpy.integer, numpy.floating)) and value < 0:
        return f'({value})'
    return str(value)


def _pos(self):
    return self


def install_variable_arithmetics() -> None:
    """Installs the arithmetic operators on :class:`chainer.Variable`."""
    V = Variable
    V.__neg__ = neg
    V.__abs__ = absolute
    V.__pos__ = _pos
    V.__add__ = add
    V.__radd__ = add
    V.__sub__ = sub
    V.__rsub__ = rsub
    V.__mul__ = mul
    V.__rmul__ = mul
    V.__truediv__ = div
    V.__rtruediv__ = rdiv
    V.__div__ = div  # Python 2's names, which Chainer installed and documented too
    V.__rdiv__ = rdiv
    V.__floordiv__ = floordiv
    V.__rfloordiv__ = rfloordiv
    V.__pow__ = pow
    V.__rpow__ = rpow
    V.__matmul__ = matmul
    V.__rmatmul__ = rmatmul
