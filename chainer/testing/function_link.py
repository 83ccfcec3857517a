"""Base test cases for functions and links (:class:`FunctionTestCase` & co.).

A subclass describes the function (or link) under test: how to generate
inputs, how to run it and what it should compute. The base class supplies
``test_forward``, ``test_backward`` and ``test_double_backward`` (or
``test_initializers``); they take a :class:`~chainer.testing.BackendConfig`,
so the subclass is decorated with :func:`chainer.testing.inject_backend_tests`.
"""
from __future__ import annotations

import contextlib
import io
import numbers
import unittest
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import numpy

import chainer
from chainer.utils.error import _caused_by, _format_array_props

if TYPE_CHECKING:
    from chainer.types import DeviceSpec

__all__ = ['FunctionTestCase', 'FunctionTestError', 'InitializerArgument',
           'LinkInitializersTestCase', 'LinkTestCase', 'LinkTestError']

# How many times dodge_nondifferentiable regenerates inputs before giving up.
_MAX_DODGE_TRIES = 100


class _TestError(AssertionError):
    """Base class of the errors raised when the code under test is wrong."""

    @classmethod
    def check(cls, expr: Any, message: str) -> None:
        """Raises ``cls(message)`` unless ``expr`` is true."""
        if not expr:
            raise cls(message)

    @classmethod
    def fail(cls, message: str, exc: BaseException | None = None) -> None:
        """Raises ``cls`` with ``message`` (and the text of ``exc`` if given)."""
        if exc is not None:
            raise _caused_by(cls, message, exc) from None
        raise cls(message)

    @classmethod
    @contextlib.contextmanager
    def raise_if_fail(cls, message: str,
                      error_types: Any = AssertionError) -> Iterator[None]:
        """Turns ``error_types`` raised in the block into ``cls`` errors."""
        try:
            yield
        except error_types as e:
            cls.fail(message, e)


class FunctionTestError(_TestError):
    """Raised when the function under test is implemented incorrectly."""


class LinkTestError(_TestError):
    """Raised when the link under test is implemented incorrectly."""


def _is_initializer_like(value: Any) -> bool:
    return (value is None or callable(value)
            or isinstance(value, (numbers.Number, numpy.number, numpy.bool_))
            or isinstance(value, chainer.backend.get_array_types()))


class InitializerArgument:
    """An initializer argument of a link with the initializer it stands for.

    Used in :meth:`LinkTestCase.generate_params` and
    :meth:`LinkInitializersTestCase.get_initializers` when the value passed
    to the link's constructor (``argument_value``, e.g. ``None``) is not
    itself the initializer the link ends up using (``expected_initializer``).
    """

    def __init__(self, argument_value: Any, expected_initializer: Any) -> None:
        if expected_initializer is None:
            raise ValueError('Expected initializer cannot be None.')
        if not _is_initializer_like(expected_initializer):
            raise TypeError(
                'expected_initializer must be an initializer, an array or a scalar, '
                f'not {type(expected_initializer).__name__}')
        self.argument_value = argument_value
        self.expected_initializer = expected_initializer

    def __repr__(self) -> str:
        return (f'InitializerArgument({self.argument_value!r}, '
                f'{self.expected_initializer!r})')


# ---------------------------------------------------------------------------
# helpers

def _to_cpu(a: Any) -> Any:
    if a is None or isinstance(a, numpy.ndarray):
        return a
    return chainer.backend.CpuDevice().send(a)


def _noncontiguous(a: Any) -> Any:
    """A non-contiguous copy of ``a`` (0- and 1-element arrays stay as they are).

    As Chainer's: every second element of a buffer twice as long on each
    axis, taken backwards, so the strides are negative.
    """
    if a is None or a.size <= 1:
        return a
    xp = chainer.backend.get_array_module(a)
    every_other_backwards = (slice(None, None, -2),) * a.ndim
    with chainer.backend.get_device_from_array(a):
        buf = xp.empty(tuple(2 * n for n in a.shape), dtype=a.dtype)
    view = buf[every_other_backwards]
    view[...] = a
    return view


def _check_array_tuple(arrays: Any, func_name: str) -> tuple:
    """Validates what a ``generate_*``/``forward_expected`` method returned."""
    if not isinstance(arrays, tuple):
        raise TypeError(f'`{func_name}()` must return a tuple, not {type(arrays)}.')
    result = []
    for a in arrays:
        if isinstance(a, numpy.generic):
            a = numpy.asarray(a)
        if not (a is None or isinstance(a, numpy.ndarray)):
            raise TypeError(
                f'{func_name}() must return a tuple of NumPy arrays or None.\n'
                f'Actual: {tuple(type(a) for a in arrays)}')
        result.append(a)
    return tuple(result)


def _check_variable_tuple(outputs: Any, device: Any, func_name: str,
                          error: type[_TestError]) -> tuple:
    if not isinstance(outputs, tuple):
        error.fail(f'`{func_name}()` must return a tuple, not {type(outputs)}.')
    if not all(isinstance(v, chainer.Variable) for v in outputs):
        error.fail(f'{func_name}() must return a tuple of Variables.\n'
                   f'Actual: {", ".join(str(type(v)) for v in outputs)}')
    types = device.supported_array_types
    if not all(isinstance(v.array, types) for v in outputs):
        error.fail(f'{func_name}() must return a tuple of Variables of arrays supported '
                   f'by device {device}.\n'
                   f'Actual: {", ".join(str(type(v.array)) for v in outputs)}')
    return outputs


def _check_arrays_equal(actual: Sequence[Any], expected: Sequence[Any],
                        error: type[_TestError], **options: Any) -> None:
    """Raises ``error`` unless the arrays match in number, shape, dtype and value."""
    from chainer.testing.array import assert_allclose

    message = None
    details = ''
    if len(actual) != len(expected):
        message = f'Number of outputs ({len(actual)}, {len(expected)}) does not match'
    elif not all(a.shape == e.shape and a.dtype == e.dtype
                 for a, e in zip(actual, expected)):
        message = 'Shapes and/or dtypes do not match'
    else:
        failed = []
        for i, (a, e) in enumerate(zip(actual, expected)):
            try:
                assert_allclose(a, e, **options)
            except AssertionError as exc:
                failed.append((i, exc))
        if failed:
            message = ('Outputs do not match the expected values.\n'
                       'Indices of outputs that do not match: '
                       + ', '.join(str(i) for i, _ in failed))
            details = ''.join(f'\n\nError details of output [{i}]:\n{exc}'
                              for i, exc in failed)
    if message is not None:
        error.fail(f'{message}\n'
                   f'Expected shapes and dtypes: {_format_array_props(expected)}\n'
                   f'Actual shapes and dtypes:   {_format_array_props(actual)}\n{details}')


def _random_like(template: Sequence[Any]) -> tuple:
    return tuple(
        None if a is None
        else numpy.random.uniform(-1, 1, a.shape).astype(a.dtype, copy=False)
        for a in template)


def _check_modified(before: Sequence[Any], after: Sequence[Any],
                    error: type[_TestError], when: str) -> None:
    changed = []
    for i, (b, a) in enumerate(zip(before, after)):
        if b is None:
            continue
        a = _to_cpu(a)
        same = (a.shape == b.shape and bool(numpy.all(
            (a == b) | (numpy.isnan(a) & numpy.isnan(b)) if a.dtype.kind in 'fc'
            else a == b)))
        if not same:
            changed.append(i)
    if not changed:
        return
    f = io.StringIO()
    f.write(f'Input arrays have been modified during {when}.\n'
            f'Indices of modified inputs: {", ".join(map(str, changed))}\n'
            f'Input array shapes and dtypes: {_format_array_props(after)}\n')
    for i in changed:
        f.write(f'\nInput[{i}]:\nOriginal:\n{before[i]}\nAfter {when}:\n{after[i]}\n')
    error.fail(f.getvalue())


def _dodging(enabled: bool, do_check, error: type[_TestError]) -> None:
    """Runs ``do_check``; with ``enabled`` retries it on non-differentiable inputs."""
    from chainer import gradient_check

    if not enabled:
        do_check()
        return
    for _ in range(_MAX_DODGE_TRIES):
        try:
            do_check()
        except gradient_check.NondifferentiableError:
            continue
        return
    error.fail(f'dodge_nondifferentiable: the generated inputs were at a '
               f'non-differentiable point {_MAX_DODGE_TRIES} times in a row; '
               'generate inputs away from such points')


class _ContiguityMixin:
    contiguous: str | None = None

    def _to_noncontiguous_as_needed(self, arrays: Sequence[Any]) -> tuple:
        if self.contiguous is None:
            return tuple(_noncontiguous(a) for a in arrays)
        if self.contiguous == 'C':
            return tuple(arrays)
        raise ValueError(f"Invalid value of `contiguous`: {self.contiguous!r} "
                         "(expected None or 'C')")


def _need_backend_config(case: Any, backend_config: Any, base: type) -> None:
    """Rejects calls of the test methods that did not get a BackendConfig."""
    if backend_config is not None:
        return
    if type(case) is base:
        # The base class itself, collected because a test module imported it.
        raise unittest.SkipTest(f'{base.__name__} is a base class')
    raise TypeError(
        f'{type(case).__name__}: the tests of {base.__name__} take a BackendConfig; '
        'decorate the class with chainer.testing.inject_backend_tests')


def _send(device: Any, arrays: Sequence[Any]) -> tuple:
    return tuple(None if a is None else device.send(a) for a in arrays)


def _options(value: Any) -> dict:
    return {} if value is None else dict(value)


# ---------------------------------------------------------------------------
# functions

class FunctionTestBase(_ContiguityMixin):
    """The machinery of :class:`FunctionTestCase`, without ``unittest``."""

    backend_config = None
    check_forward_options: dict | None = None
    check_backward_options: dict | None = None
    check_double_backward_options: dict | None = None
    skip_forward_test = False
    skip_backward_test = False
    skip_double_backward_test = False
    dodge_nondifferentiable = False
    numerical_grad_dtype = numpy.float64
    contiguous = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Per-instance copies: setUp commonly calls ``.update()`` on them.
        self.check_forward_options = _options(self.check_forward_options)
        self.check_backward_options = _options(self.check_backward_options)
        self.check_double_backward_options = _options(self.check_double_backward_options)

    # -- what subclasses implement ------------------------------------------

    def before_test(self, test_name: str) -> None:
        """Called at the start of each test with its name."""

    def generate_inputs(self) -> tuple:
        """Returns a tuple of NumPy input arrays."""
        raise NotImplementedError('generate_inputs() is not implemented.')

    def forward(self, inputs: tuple, device: DeviceSpec) -> tuple:
        """Runs the function on a tuple of Variables; returns a tuple of Variables."""
        raise NotImplementedError('forward() is not implemented.')

    def forward_expected(self, inputs: tuple) -> tuple:
        """Returns the expected outputs (tuple of NumPy arrays) for NumPy inputs."""
        raise NotImplementedError('forward_expected() is not implemented.')

    def generate_grad_outputs(self, outputs_template: tuple) -> tuple:
        """Output gradients: uniform in [-1, 1] with the outputs' shapes and dtypes."""
        return _random_like(outputs_template)

    def generate_grad_grad_inputs(self, inputs_template: tuple) -> tuple:
        """Second-order input gradients: uniform in [-1, 1] like the inputs."""
        return _random_like(inputs_template)

    def check_forward_outputs(self, outputs: tuple, expected_outputs: tuple) -> None:
        """Compares the actual outputs with the expected ones."""
        _check_arrays_equal(tuple(_to_cpu(a) for a in outputs), expected_outputs,
                            FunctionTestError, **self.check_forward_options)

    # -- internals --------------------------------------------------------------

    def _generate_inputs(self) -> tuple:
        return _check_array_tuple(self.generate_inputs(), 'generate_inputs')

    def _forward_expected(self, inputs: tuple) -> tuple:
        return _check_array_tuple(self.forward_expected(inputs), 'forward_expected')

    def _forward(self, inputs: tuple, backend_config: Any) -> tuple:
        with backend_config:
            outputs = self.forward(tuple(inputs), backend_config.device)
        return _check_variable_tuple(outputs, backend_config.device, 'forward',
                                     FunctionTestError)

    def _begin(self, test_name: str, backend_config: Any) -> None:
        self.backend_config = backend_config
        self.test_name = test_name
        self.before_test(test_name)

    def run_test_forward(self, backend_config: Any) -> None:
        """The forward test: outputs against :meth:`forward_expected`."""
        if self.skip_forward_test:
            raise unittest.SkipTest('skip_forward_test is set')
        self._begin('test_forward', backend_config)

        cpu_inputs = self._to_noncontiguous_as_needed(self._generate_inputs())
        inputs_copied = [None if a is None else a.copy() for a in cpu_inputs]
        expected = self._forward_expected(cpu_inputs)

        inputs = self._to_noncontiguous_as_needed(
            _send(backend_config.device, cpu_inputs))
        outputs = self._forward(
            tuple(None if a is None else
                  chainer.Variable(a, requires_grad=a.dtype.kind == 'f') for a in inputs),
            backend_config)

        _check_modified(inputs_copied, inputs, FunctionTestError, 'forward')
        self.check_forward_outputs(tuple(v.array for v in outputs), expected)

    def run_test_backward(self, backend_config: Any) -> None:
        """The backward test: :func:`~chainer.gradient_check.check_backward`."""
        from chainer import gradient_check

        if self.skip_backward_test:
            raise unittest.SkipTest('skip_backward_test is set')
        self._begin('test_backward', backend_config)

        def f(*args):
            return self._forward(args, backend_config)

        def do_check():
            inputs = self._generate_inputs()
            grad_outputs = self._generate_grad_outputs(self._forward_expected(inputs))
            device = backend_config.device
            inputs = self._to_noncontiguous_as_needed(_send(device, inputs))
            grad_outputs = self._to_noncontiguous_as_needed(_send(device, grad_outputs))
            with FunctionTestError.raise_if_fail('backward is not implemented correctly'):
                gradient_check.check_backward(
                    f, inputs, grad_outputs, dtype=self.numerical_grad_dtype,
                    detect_nondifferentiable=self.dodge_nondifferentiable,
                    **self.check_backward_options)

        _dodging(self.dodge_nondifferentiable, do_check, FunctionTestError)

    def run_test_double_backward(self, backend_config: Any) -> None:
        """The double-backward test: :func:`~chainer.gradient_check.check_double_backward`."""
        from chainer import gradient_check

        if self.skip_double_backward_test:
            raise unittest.SkipTest('skip_double_backward_test is set')
        self._begin('test_double_backward', backend_config)

        def f(*args):
            return self._forward(args, backend_config)

        def do_check():
            inputs = self._generate_inputs()
            grad_outputs = self._generate_grad_outputs(self._forward_expected(inputs))
            grad_grad_inputs = self._generate_grad_grad_inputs(inputs)
            if len(grad_grad_inputs) == len(inputs):
                # Only float inputs have a first-order gradient to differentiate.
                grad_grad_inputs = tuple(
                    gg for x, gg in zip(inputs, grad_grad_inputs)
                    if x is not None and x.dtype.kind == 'f')
            device = backend_config.device
            inputs = self._to_noncontiguous_as_needed(_send(device, inputs))
            grad_outputs = self._to_noncontiguous_as_needed(_send(device, grad_outputs))
            grad_grad_inputs = self._to_noncontiguous_as_needed(
                _send(device, grad_grad_inputs))
            with FunctionTestError.raise_if_fail(
                    'double backward is not implemented correctly'):
                gradient_check.check_double_backward(
                    f, inputs, grad_outputs, grad_grad_inputs,
                    dtype=self.numerical_grad_dtype,
                    detect_nondifferentiable=self.dodge_nondifferentiable,
                    **self.check_double_backward_options)

        _dodging(self.dodge_nondifferentiable, do_check, FunctionTestError)

    def _generate_grad_outputs(self, outputs_template: tuple) -> tuple:
        return _check_array_tuple(self.generate_grad_outputs(outputs_template),
                                  'generate_grad_outputs')

    def _generate_grad_grad_inputs(self, inputs_template: tuple) -> tuple:
        return _check_array_tuple(self.generate_grad_grad_inputs(inputs_template),
                                  'generate_grad_grad_inputs')


class FunctionTestCase(FunctionTestBase, unittest.TestCase):
    """Base class of forward, backward and double-backward tests of a function.

    Subclasses implement :meth:`generate_inputs`, :meth:`forward` and
    :meth:`forward_expected` (and optionally :meth:`generate_grad_outputs`,
    :meth:`generate_grad_grad_inputs` and :meth:`before_test`), set the
    ``check_*_options`` dicts (passed to ``assert_allclose``,
    ``check_backward`` and ``check_double_backward``) and the ``skip_*_test``,
    ``dodge_nondifferentiable``, ``numerical_grad_dtype`` and ``contiguous``
    attributes as needed, and are decorated with
    :func:`chainer.testing.inject_backend_tests`.
    """

    def test_forward(self, backend_config: Any = None) -> None:
        """Tests the forward computation."""
        _need_backend_config(self, backend_config, FunctionTestCase)
        self.run_test_forward(backend_config)

    def test_backward(self, backend_config: Any = None) -> None:
        """Tests the backward computation."""
        _need_backend_config(self, backend_config, FunctionTestCase)
        self.run_test_backward(backend_config)

    def test_double_backward(self, backend_config: Any = None) -> None:
        """Tests the second-order backward computation."""
        _need_backend_config(self, backend_config, FunctionTestCase)
        self.run_test_double_backward(backend_config)


# ---------------------------------------------------------------------------
# links

def _check_initializer_like(init: Any, where: str) -> None:
    if isinstance(init, InitializerArgument):
        return
    if init is None:
        raise ValueError(
            f'{where}: an initializer cannot be None; use '
            'InitializerArgument(None, expected_initializer) instead.')
    if not _is_initializer_like(init):
        raise TypeError(
            f'{where}: an initializer must be an initializer, an array, a scalar '
            f'or an InitializerArgument, not {type(init).__name__}')


def _argument_value(init: Any) -> Any:
    return init.argument_value if isinstance(init, InitializerArgument) else init


def _expected_initializer(init: Any) -> Any:
    return init.expected_initializer if isinstance(init, InitializerArgument) else init


def _fill_expected(init: Any, shape: tuple, dtype: Any) -> numpy.ndarray:
    """The array an initializer-like ``init`` gives for ``shape`` and ``dtype``."""
    array = numpy.empty(shape, dtype=dtype)
    if callable(init):
        init(array)  # chainer.Initializer fills its argument in place
    else:
        array[...] = _to_cpu(init)
    return array


class _LinkTestBase(_ContiguityMixin):
    backend_config = None
    contiguous = None
    # Names of the link's parameters in the order of generate_params(),
    # e.g. ('gamma', 'beta') for BatchNormalization.
    param_names: Sequence[str] = ()

    def before_test(self, test_name: str) -> None:
        """Called at the start of each test with its name."""

    def generate_params(self) -> tuple:
        """Returns one initializer-like per initializer argument of the link."""
        raise NotImplementedError('generate_params is not implemented.')

    def generate_inputs(self) -> tuple:
        """Returns a tuple of NumPy input arrays."""
        raise NotImplementedError('generate_inputs is not implemented.')

    def create_link(self, initializers: Sequence[Any]) -> Any:
        """Returns the link under test built with ``initializers``."""
        raise NotImplementedError('create_link is not implemented.')

    def forward(self, link: Any, inputs: tuple, device: DeviceSpec) -> tuple:
        """Calls the link; returns its outputs as a tuple of Variables."""
        outputs = link(*inputs)
        if not isinstance(outputs, tuple):
            outputs = (outputs,)
        return outputs

    def check_forward_outputs(self, outputs: tuple, expected_outputs: tuple) -> None:
        """Compares the actual outputs with the expected ones."""
        _check_arrays_equal(tuple(_to_cpu(a) for a in outputs), expected_outputs,
                            LinkTestError, **self.check_forward_options)

    # -- internals --------------------------------------------------------------

    def _begin(self, test_name: str, backend_config: Any) -> None:
        self.backend_config = backend_config
        self.test_name = test_name
        self.before_test(test_name)

    def _generate_params(self) -> tuple:
        inits = self.generate_params()
        if not isinstance(inits, (tuple, list)):
            raise TypeError('`generate_params` must return a tuple or a list.')
        for init in inits:
            _check_initializer_like(init, 'generate_params')
        return tuple(inits)

    def _generate_inputs(self) -> tuple:
        return _check_array_tuple(self.generate_inputs(), 'generate_inputs')

    def _create_link(self, inits: Sequence[Any], backend_config: Any) -> Any:
        link = self.create_link([_argument_value(i) for i in inits])
        if not isinstance(link, chainer.Link):
            raise TypeError('`create_link` must return a chainer.Link object.')
        link.to_device(backend_config.device)
        return link

    def _forward(self, link: Any, inputs: tuple, backend_config: Any) -> tuple:
        with backend_config:
            outputs = self.forward(link, tuple(inputs), backend_config.device)
        return _check_variable_tuple(outputs, backend_config.device, 'forward',
                                     LinkTestError)

    def _create_initialized_link(self, inits: Sequence[Any], backend_config: Any):
        """A link on the device whose parameters a forward pass has initialized."""
        link = self._create_link(inits, backend_config)
        inputs = self._to_noncontiguous_as_needed(
            _send(backend_config.device, self._generate_inputs()))
        outputs = self._forward(
            link, tuple(None if a is None else chainer.Variable(a) for a in inputs),
            backend_config)
        link.cleargrads()
        return link, inputs, tuple(v.array for v in outputs)

    def _get_params(self, link: Any) -> list:
        params = []
        for name in self.param_names:
            param = getattr(link, name, None)
            if param is None:
                LinkTestError.fail(f"Link does not have a parameter named '{name}'.")
            params.append(param)
        return params


class LinkTestCase(_LinkTestBase, unittest.TestCase):
    """Base class of forward and backward tests of a link.

    Subclasses set ``param_names`` and implement :meth:`generate_params`,
    :meth:`create_link`, :meth:`generate_inputs` and :meth:`forward_expected`
    (optionally :meth:`forward`, :meth:`generate_grad_outputs` and
    :meth:`before_test`), and are decorated with
    :func:`chainer.testing.inject_backend_tests`. The backward test checks
    the gradients of the inputs and of the named parameters.
    """

    check_forward_options: dict | None = None
    check_backward_options: dict | None = None
    skip_forward_test = False
    skip_backward_test = False
    dodge_nondifferentiable = False
    numerical_grad_dtype = numpy.float64

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.check_forward_options = _options(self.check_forward_options)
        self.check_backward_options = _options(self.check_backward_options)

    def forward_expected(self, link: Any, inputs: tuple) -> tuple:
        """Returns the expected outputs (NumPy arrays) of the CPU ``link``."""
        raise NotImplementedError('forward_expected() is not implemented.')

    def generate_grad_outputs(self, outputs_template: tuple) -> tuple:
        """Output gradients: uniform in [-1, 1] with the outputs' shapes and dtypes."""
        return _random_like(outputs_template)

    def test_forward(self, backend_config: Any = None) -> None:
        """Tests the forward computation."""
        _need_backend_config(self, backend_config, LinkTestCase)
        if self.skip_forward_test:
            raise unittest.SkipTest('skip_forward_test is set')
        self._begin('test_forward', backend_config)

        link = self._create_link(self._generate_params(), backend_config)
        inputs_np = self._generate_inputs()
        inputs = self._to_noncontiguous_as_needed(_send(backend_config.device, inputs_np))
        outputs = self._forward(
            link, tuple(None if a is None else chainer.Variable(a) for a in inputs),
            backend_config)
        actual = tuple(v.array for v in outputs)

        # The expected values are computed on the CPU, from the parameters
        # the forward pass above may have initialized.
        link.to_device(chainer.backend.CpuDevice())
        expected = _check_array_tuple(self.forward_expected(link, inputs_np),
                                      'forward_expected')
        self.check_forward_outputs(actual, expected)

    def test_backward(self, backend_config: Any = None) -> None:
        """Tests the gradients of the inputs and of the parameters."""
        _need_backend_config(self, backend_config, LinkTestCase)
        from chainer import gradient_check

        if self.skip_backward_test:
            raise unittest.SkipTest('skip_backward_test is set')
        self._begin('test_backward', backend_config)

        def do_check():
            inits = self._generate_params()
            # A throw-away link gives initialized parameter values and the
            # output shapes.
            link, inputs, outputs = self._create_initialized_link(inits, backend_config)
            params = [p.array for p in self._get_params(link)]
            grad_outputs = _check_array_tuple(
                self.generate_grad_outputs(tuple(_to_cpu(a) for a in outputs)),
                'generate_grad_outputs')
            grad_outputs = _send(backend_config.device, grad_outputs)

            inputs = self._to_noncontiguous_as_needed(inputs)
            params = self._to_noncontiguous_as_needed(params)
            grad_outputs = self._to_noncontiguous_as_needed(grad_outputs)

            forward_link, _, _ = self._create_initialized_link(inits, backend_config)
            n_inputs = len(inputs)

            def f(*args):
                # The parameters are checked as extra inputs: they replace
                # the link's own for the call.
                with forward_link.init_scope():
                    for name, p in zip(self.param_names, args[n_inputs:]):
                        setattr(forward_link, name, p)
                return self._forward(forward_link, args[:n_inputs], backend_config)

            with LinkTestError.raise_if_fail('backward is not implemented correctly'):
                gradient_check.check_backward(
                    f, tuple(inputs) + tuple(params), grad_outputs,
                    dtype=self.numerical_grad_dtype,
                    detect_nondifferentiable=self.dodge_nondifferentiable,
                    **self.check_backward_options)

        _dodging(self.dodge_nondifferentiable, do_check, LinkTestError)


class LinkInitializersTestCase(_LinkTestBase, unittest.TestCase):
    """Base class of tests that a link initializes its parameters as asked.

    Subclasses set ``param_names`` and implement :meth:`get_initializers`,
    :meth:`generate_params`, :meth:`create_link` and :meth:`generate_inputs`.
    For each parameter, each initializer-like of :meth:`get_initializers` is
    passed to the link (the other parameters use :meth:`generate_params`) and
    the parameter's value is compared with what the initializer gives
    (options in ``check_initializers_options``).
    """

    check_initializers_options: dict | None = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.check_initializers_options = _options(self.check_initializers_options)

    def get_initializers(self) -> tuple:
        """One tuple/list of initializer-likes to try per parameter."""
        raise NotImplementedError('get_initializers is not implemented.')

    def _get_initializers(self) -> tuple:
        params_inits = self.get_initializers()
        if not isinstance(params_inits, (tuple, list)):
            raise TypeError('`get_initializers` must return a tuple or a list.')
        for param_inits in params_inits:
            if not isinstance(param_inits, (tuple, list)):
                raise TypeError('`get_initializers` must return a tuple or a list '
                                'of tuples or lists.')
            for init in param_inits:
                _check_initializer_like(init, 'get_initializers')
        return tuple(params_inits)

    def test_initializers(self, backend_config: Any = None) -> None:
        """Tests each initializer of each parameter."""
        _need_backend_config(self, backend_config, LinkInitializersTestCase)
        self._begin('test_initializers', backend_config)
        for i_param, param_inits in enumerate(self._get_initializers()):
            # One generate_params call per parameter, as Chainer's (seeded draws).
            inits = list(self._generate_params())
            for init in param_inits:
                inits[i_param] = init
                self._test_single_initializer(i_param, inits, backend_config)

    def _test_single_initializer(self, i_param: int, inits: list,
                                 backend_config: Any) -> None:
        link, _, _ = self._create_initialized_link(inits, backend_config)
        array = _to_cpu(self._get_params(link)[i_param].array)
        expected = _fill_expected(_expected_initializer(inits[i_param]),
                                  array.shape, array.dtype)
        with LinkTestError.raise_if_fail(
                f'parameter {self.param_names[i_param]!r} is not initialized as '
                f'expected by {inits[i_param]!r}'):
            _check_arrays_equal((array,), (expected,), LinkTestError,
                                **self.check_initializers_options)
