"""Tiny sine and cosine FunctionNodes, with right and deliberately wrong derivatives,
for the tests of gradient checking (gradient_check and the testing test cases)."""
import chainer


class Sin(chainer.FunctionNode):
    def forward(self, inputs):
        x, = inputs
        self.retain_inputs((0,))
        return chainer.backend.get_array_module(x).sin(x),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return grad_outputs[0] * Cos().apply((x,))[0],


class Cos(chainer.FunctionNode):
    def forward(self, inputs):
        x, = inputs
        self.retain_inputs((0,))
        return chainer.backend.get_array_module(x).cos(x),

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return -grad_outputs[0] * Sin().apply((x,))[0],


class WrongSin(Sin):
    """Wrong first derivative (sin' = sin)."""

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return grad_outputs[0] * Sin().apply((x,))[0],


class SinWrongSecondOrder(Sin):
    """Correct first derivative, wrong second derivative (cos' = +sin)."""

    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return grad_outputs[0] * WrongCos().apply((x,))[0],


class WrongCos(Cos):
    def backward(self, indexes, grad_outputs):
        x, = self.get_retained_inputs()
        return grad_outputs[0] * Sin().apply((x,))[0],
