"""Trigonometric functions and their inverses."""
from __future__ import annotations

from typing import TYPE_CHECKING

from chainer import backend
from chainer import function_node
from chainer.functions.array.broadcast import broadcast_to
from chainer.functions.array.cast import _as_dtype
from chainer.functions.math._unary import Unary
from chainer import utils
from chainer.functions.math.square import square
from chainer.functions.math.sum import sum_to
from chainer.utils import type_check

if TYPE_CHECKING:
    from chainer.types import VariableOrArray
    from chainer.variable import Variable


class Sin(Unary):
    """Elementwise sine."""

    _name = 'sin'

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return SinGrad().apply((x, grad_outputs[0]))


class SinGrad(function_node.FunctionNode):
    """``gy * cos(x)``, the gradient of sine, built in one fresh array."""

    is_elementwise = True

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, gy = inputs
        gx = utils.force_array(backend.get_array_module(x).cos(x))
        gx *= gy
        return gx,

    def backward(self, indexes, grad_outputs):
        x, gy = self.get_retained_inputs()
        g, = grad_outputs
        # -sin(x) * gy * g in Chainer's order (bit-identical results)
        return tuple(CosGrad().apply((x, gy))[0] * g if i == 0
                     else SinGrad().apply((x, g))[0] for i in indexes)


def sin(x: VariableOrArray) -> Variable:
    """Elementwise sine function."""
    return Sin().apply((x,))[0]


class Cos(Unary):
    """Elementwise cosine."""

    _name = 'cos'

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return CosGrad().apply((x, grad_outputs[0]))


class CosGrad(function_node.FunctionNode):
    """``-(gy * sin(x))``, the gradient of cosine, built in one fresh array."""

    is_elementwise = True

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, gy = inputs
        xp = backend.get_array_module(x)
        gx = utils.force_array(xp.sin(x))
        gx *= gy
        return xp.negative(gx, out=gx),

    def backward(self, indexes, grad_outputs):
        x, gy = self.get_retained_inputs()
        g, = grad_outputs
        # -cos(x) * gy * g in Chainer's order (bit-identical results)
        return tuple(-SinGrad().apply((x, gy))[0] * g if i == 0
                     else CosGrad().apply((x, g))[0] for i in indexes)


def cos(x: VariableOrArray) -> Variable:
    """Elementwise cosine function."""
    return Cos().apply((x,))[0]


class Tan(Unary):
    """Elementwise tangent."""

    _name = 'tan'

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        # tan' = 1 / cos ** 2, as Chainer: near pi / 2 in float16, 1 + tan ** 2 overflows
        # where gy / cos ** 2 does not.
        return grad_outputs[0] / square(cos(x)),


def tan(x: VariableOrArray) -> Variable:
    """Elementwise tangent function."""
    return Tan().apply((x,))[0]


def _fresh_square(xp, x):
    """``x * x`` in a fresh array (an array also where ``x`` is 0-d)."""
    return xp.multiply(x, x, out=xp.empty_like(x))


class _InverseTrigGrad(function_node.FunctionNode):
    """``gy * d(x)`` for the derivative ``d`` of an inverse trigonometric function.

    Subclasses give ``_derivative(xp, x)`` (built in one fresh array, which
    forward multiplies by ``gy`` in place) and ``_grad_x(x, gy, ggx)``, the
    gradient with respect to ``x`` in Chainer's form of it (so that second
    derivatives agree with Chainer's to the bit).
    """

    is_elementwise = True

    def check_type_forward(self, in_types):
        type_check._argname(in_types, ('x', 'gy'))
        x_type, gy_type = in_types
        type_check.expect(x_type.dtype.kind == 'f', gy_type.dtype == x_type.dtype,
                          gy_type.shape == x_type.shape)

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x, gy = inputs
        xp = backend.get_array_module(x)
        d = self._derivative(xp, x)
        d *= gy
        return utils.force_array(d, x.dtype),

    def _grad_gy(self, x, ggx):
        return type(self)().apply((x, ggx))[0]

    def backward(self, indexes, grad_outputs):
        x, gy = self.get_retained_inputs()
        ggx, = grad_outputs
        return tuple(self._grad_x(x, gy, ggx) if i == 0 else self._grad_gy(x, ggx)
                     for i in indexes)


class ArcsinGrad(_InverseTrigGrad):
    """``gy / sqrt(1 - x ** 2)``."""

    @staticmethod
    def _derivative(xp, x):
        one = x.dtype.type(1)
        d = _fresh_square(xp, x)
        xp.subtract(one, d, out=d)
        xp.sqrt(d, out=d)
        return xp.divide(one, d, out=d)

    @staticmethod
    def _grad_x(x, gy, ggx):
        return ggx * gy * x / ((1 - x ** 2) ** 1.5)


class ArccosGrad(_InverseTrigGrad):
    """``-gy / sqrt(1 - x ** 2)``."""

    @staticmethod
    def _derivative(xp, x):
        one = x.dtype.type(1)
        d = _fresh_square(xp, x)
        xp.subtract(one, d, out=d)
        xp.sqrt(d, out=d)
        return xp.divide(-one, d, out=d)

    @staticmethod
    def _grad_x(x, gy, ggx):
        return -ggx * (gy * x) / ((1 - x ** 2) ** 1.5)


class ArctanGrad(_InverseTrigGrad):
    """``gy / (1 + x ** 2)``."""

    @staticmethod
    def _derivative(xp, x):
        one = x.dtype.type(1)
        d = _fresh_square(xp, x)
        d += one
        return xp.divide(one, d, out=d)

    @staticmethod
    def _grad_x(x, gy, ggx):
        x_sq = square(x)
        return -2 * gy * x * ggx / (square(x_sq) + 2 * x_sq + 1)

    @staticmethod
    def _grad_gy(x, ggx):
        return ggx / (square(x) + 1)


class Arcsin(Unary):
    """Elementwise inverse sine."""

    _name = 'arcsin'

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return ArcsinGrad().apply((x, grad_outputs[0]))


def arcsin(x: VariableOrArray) -> Variable:
    """Elementwise arcsine function."""
    return Arcsin().apply((x,))[0]


class Arccos(Unary):
    """Elementwise inverse cosine."""

    _name = 'arccos'

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return ArccosGrad().apply((x, grad_outputs[0]))


def arccos(x: VariableOrArray) -> Variable:
    """Elementwise arccosine function."""
    return Arccos().apply((x,))[0]


class Arctan(Unary):
    """Elementwise inverse tangent."""

    _name = 'arctan'

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return ArctanGrad().apply((x, grad_outputs[0]))


def arctan(x: VariableOrArray) -> Variable:
    """Elementwise arctangent function."""
    return Arctan().apply((x,))[0]


class Arctan2(function_node.FunctionNode):
    """Elementwise arctangent of ``x1 / x2`` choosing the quadrant (broadcasting)."""

    is_elementwise = True

    @property
    def label(self):
        return 'arctan2'

    def check_type_forward(self, in_types):
        # Chainer took two float dtypes (the output is NumPy's promotion of them)
        type_check._argname(in_types, ('x1', 'x2'))
        x1_type, x2_type = in_types
        type_check.expect(x1_type.dtype.kind == 'f', x2_type.dtype.kind == 'f')
        with type_check._failing_as(type_check._InvalidValue):  # NumPy's, in Chainer
            type_check.expect_broadcast_shapes(x1_type.shape, x2_type.shape)

    def forward(self, inputs):
        self.retain_inputs((0, 1))
        x1, x2 = inputs
        return utils.force_array(backend.get_array_module(x1).arctan2(x1, x2)),

    def backward(self, indexes, grad_outputs):
        inputs = self.get_retained_inputs()
        gy, = grad_outputs
        # inputs of other dtypes than the output's are computed with in its dtype,
        # and their gradients cast back (Chainer's backward failed for them)
        x1, x2 = [_as_dtype(x, gy.dtype) for x in inputs]
        gxs = Arctan2Grad().apply((x1, x2, gy))
        return tuple(_as_dtype(gxs[i], inputs[i].dtype) for i in indexes)


class Arctan2Grad(function_node.FunctionNode):
    """``(x2 / sqnorm * gy, -x1 / sqnorm * gy)`` with ``sqnorm = x1 ** 2 + x2 ** 2``:
    the gradients of ``arctan2(x1, x2)`` (summed to the shapes of broadcast inputs),
    one node as in Chainer, with its second derivatives in Chainer's forms."""

    is_elementwise = True

    def forward(self, inputs):
        self.retain_inputs((0, 1, 2))
        x1, x2, gy = inputs
        sqnorm = x1 * x1 + x2 * x2
        # x / sqnorm first, as in Chainer: gy / sqnorm overflows float16 for
        # inputs near 0 where the ratio does not
        gx1 = x2 / sqnorm * gy
        gx2 = -x1 / sqnorm * gy
        return (utils.force_array(utils.sum_to(gx1, x1.shape)),
                utils.force_array(utils.sum_to(gx2, x2.shape)))

    def backward(self, indexes, grad_outputs):
        x1, x2, gy = self.get_retained_inputs()
        shape = gy.shape
        xp = backend.get_array_module(gy)
        ggx1, ggx2 = (broadcast_to(xp.zeros(shape, gy.dtype) if g is None else g, shape)
                      for g in grad_outputs)
        x1_sq = square(x1)
        x2_sq = square(x2)
        sqnorm = x1_sq + x2_sq
        ret = []
        for i in indexes:
            if i == 0:
                g = (-ggx1 * 2 * x1 * x2 + ggx2 * (x1_sq - x2_sq)) * gy / square(sqnorm)
                ret.append(sum_to(g, x1.shape))
            elif i == 1:
                g = (ggx1 * (x1_sq - x2_sq) + ggx2 * (2 * x1 * x2)) * gy / square(sqnorm)
                ret.append(sum_to(g, x2.shape))
            else:
                ret.append((ggx1 * x2 - ggx2 * x1) / sqnorm)
        return tuple(ret)


def arctan2(x1: VariableOrArray, x2: VariableOrArray) -> Variable:
    """Elementwise arctangent of ``x1 / x2``, in the quadrant given by the signs of both."""
    return Arctan2().apply((x1, x2))[0]
