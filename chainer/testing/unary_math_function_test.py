"""The :func:`unary_math_function_unittest` class decorator."""
from __future__ import annotations

import unittest
import warnings
from collections.abc import Callable
from typing import Any

import numpy

import chainer

__all__ = ['unary_math_function_unittest']


def _make_data_default(shape: tuple, dtype: Any) -> tuple:
    x = numpy.random.uniform(-1, 1, shape).astype(dtype, copy=False)
    gy = numpy.random.uniform(-1, 1, shape).astype(dtype, copy=False)
    ggx = numpy.random.uniform(-1, 1, shape).astype(dtype, copy=False)
    return x, gy, ggx


def _is_old_style(func: Any) -> bool:
    function_class = getattr(chainer, 'Function', None)
    return function_class is not None and isinstance(func, function_class)


def _func_name(func: Any) -> str:
    if _is_old_style(func):
        return type(func).__name__.lower()
    name = getattr(func, '__name__', None)
    if name is None:
        raise ValueError(
            f'cannot tell the name of {func!r}; give func_expected explicitly')
    return name


def _nonlinear(func: Callable) -> Callable:
    # The second derivative of a linear function is zero everywhere; squaring
    # the output makes the double-backward test meaningful.
    def squared(x):
        y = func(x)
        return y * y
    return squared


def _default_options(dtype: Any) -> tuple[dict, dict, dict]:
    """Chainer's tolerances per dtype; the decorator's options update them key by key."""
    if numpy.dtype(dtype) == numpy.float16:
        tiny = float(numpy.finfo(numpy.float16).eps)
        forward = {'atol': tiny, 'rtol': tiny}
        backward = {'eps': 2 ** -4, 'atol': 2 ** -4, 'rtol': 2 ** -4, 'dtype': numpy.float64}
        double_backward = dict(backward)
    else:
        forward = {'atol': 1e-4, 'rtol': 1e-4}
        backward = {'dtype': numpy.float64, 'atol': 1e-4, 'rtol': 1e-4}
        double_backward = dict(backward)
    return forward, backward, double_backward


def _gpu_test(method: Callable) -> Callable:
    def wrapper(self):
        from chainer.backends import cuda
        if not cuda.available:
            raise unittest.SkipTest('CUDA (CuPy) is not available')
        return method(self, cuda.to_gpu)
    wrapper.__name__ = method.__name__
    wrapper.__qualname__ = method.__qualname__
    try:
        from chainer.testing import attr
    except ImportError:  # pytest missing: the skip above still applies
        return wrapper
    return attr.gpu(wrapper)


def unary_math_function_unittest(
        func: Any, func_expected: Callable | None = None, label_expected: str | None = None,
        make_data: Callable | None = None, is_linear: bool | None = None,
        forward_options: dict | None = None, backward_options: dict | None = None,
        double_backward_options: dict | None = None) -> Callable[[type], type]:
    """Class decorator adding tests of an elementwise unary math function.

    The decorated :class:`unittest.TestCase` gets forward, backward and
    double-backward tests on the CPU and the GPU, parameterized over
    ``shape`` in ``(3, 2)`` and ``()`` and ``dtype`` in float16, float32 and
    float64.

    Args:
        func: The Chainer function (or a :class:`chainer.Function` instance,
            whose double backward is then not tested).
        func_expected: Computes the expected output as
            ``func_expected(x, dtype=x.dtype)``; defaults to the NumPy
            function named like ``func``.
        label_expected: Expected ``label`` of the function node ``func``
            creates; tested when given (or for a ``chainer.Function``).
        make_data: ``make_data(shape, dtype)`` returns ``(x, gy, ggx)``
            (``(x, gy)`` for a ``chainer.Function``); by default uniform in
            ``[-1, 1]``.
        is_linear: Deprecated; linear functions are handled without it. When
            true, the double-backward test uses ``func(x) ** 2``.
        forward_options: Options of :func:`chainer.testing.assert_allclose`.
        backward_options: Options of
            :func:`chainer.gradient_check.check_backward`.
        double_backward_options: Options of
            :func:`chainer.gradient_check.check_double_backward`.
    """
    from chainer import gradient_check
    from chainer import testing

    old_style = _is_old_style(func)
    if not (old_style or callable(func)):
        raise TypeError(f'func must be callable, not {type(func).__name__}')
    if func_expected is None:
        name = _func_name(func)
        func_expected = getattr(numpy, name, None)
        if func_expected is None:
            raise ValueError(
                f"NumPy has no functions corresponding to Chainer function '{name}'.")
    if label_expected is None and old_style:
        label_expected = _func_name(func)
    if make_data is None:
        if old_style:
            def make_data(shape, dtype):
                return _make_data_default(shape, dtype)[:2]
        else:
            make_data = _make_data_default
    if is_linear is not None:
        warnings.warn('is_linear option is deprecated', DeprecationWarning)

    def decorator(klass):
        if not (isinstance(klass, type) and issubclass(klass, unittest.TestCase)):
            raise TypeError('unary_math_function_unittest decorates a '
                            'unittest.TestCase subclass')

        def setUp(self):
            data = make_data(self.shape, self.dtype)
            if old_style:
                self.x, self.gy = data
            else:
                self.x, self.gy, self.ggx = data
            fwd, bwd, dbl = _default_options(self.dtype)
            self.forward_options = {**fwd, **(forward_options or {})}
            self.backward_options = {**bwd, **(backward_options or {})}
            self.double_backward_options = {**dbl, **(double_backward_options or {})}

        def check_forward(self, x_data):
            y = func(chainer.Variable(x_data))
            self.assertIsInstance(y, chainer.Variable)
            self.assertEqual(y.array.dtype, x_data.dtype)
            self.assertEqual(y.array.shape, x_data.shape)
            x_cpu = chainer.backend.CpuDevice().send(x_data)
            y_expected = func_expected(x_cpu, dtype=x_cpu.dtype)
            testing.assert_allclose(y_expected, y.array, **self.forward_options)

        def test_forward_cpu(self):
            self.check_forward(self.x)

        @_gpu_test
        def test_forward_gpu(self, to_gpu):
            self.check_forward(to_gpu(self.x))

        def check_backward(self, x_data, y_grad):
            gradient_check.check_backward(func, x_data, y_grad, **self.backward_options)

        def test_backward_cpu(self):
            self.check_backward(self.x, self.gy)

        @_gpu_test
        def test_backward_gpu(self, to_gpu):
            self.check_backward(to_gpu(self.x), to_gpu(self.gy))

        members = {
            'setUp': setUp,
            'check_forward': check_forward,
            'test_forward_cpu': test_forward_cpu,
            'test_forward_gpu': test_forward_gpu,
            'check_backward': check_backward,
            'test_backward_cpu': test_backward_cpu,
            'test_backward_gpu': test_backward_gpu,
        }

        if not old_style:
            def check_double_backward(self, x_data, y_grad, x_grad_grad):
                f = _nonlinear(func) if is_linear else func
                gradient_check.check_double_backward(
                    f, x_data, y_grad, x_grad_grad, **self.double_backward_options)

            def test_double_backward_cpu(self):
                self.check_double_backward(self.x, self.gy, self.ggx)

            @_gpu_test
            def test_double_backward_gpu(self, to_gpu):
                self.check_double_backward(
                    to_gpu(self.x), to_gpu(self.gy), to_gpu(self.ggx))

            members.update(check_double_backward=check_double_backward,
                           test_double_backward_cpu=test_double_backward_cpu,
                           test_double_backward_gpu=test_double_backward_gpu)

        if label_expected is not None:
            def test_label(self):
                y = func(chainer.Variable(self.x))
                self.assertEqual(y.creator_node.label, label_expected)
            members['test_label'] = test_label

        for name, member in members.items():
            member.__qualname__ = f'{klass.__qualname__}.{name}'
            setattr(klass, name, member)

        return testing.parameterize(*testing.product({
            'shape': [(3, 2), ()],
            'dtype': [numpy.float16, numpy.float32, numpy.float64],
        }))(klass)

    return decorator
