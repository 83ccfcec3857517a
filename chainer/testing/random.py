"""Fixing the random seeds of tests (``fix_random``, ``generate_seed``).

The seed is ``CHAINER_TEST_RANDOM_SEED`` when set, else the fixed defaults
Chainer's ``fix_random`` used (through CuPy's testing helper: Python's
generator 99, NumPy's 100, CuPy's 101), so a test draws what it drew under
Chainer; ``CHAINER_TEST_RANDOM_NONDETERMINISTIC=1`` seeds from the OS instead.
"""
from __future__ import annotations

import functools
import os
import random
import types
from typing import TYPE_CHECKING, Any

import numpy

from chainer.testing import _bundle

if TYPE_CHECKING:
    from collections.abc import Callable

_DEFAULT_SEED = 100
# Python's and CuPy's defaults, beside NumPy's _DEFAULT_SEED.
_PYTHON_DEFAULT_SEED = 99
_CUPY_DEFAULT_SEED = 101

# Nesting depth: condition.retry/repeat call setUp/tearDown again inside an
# already fixed test; only the outermost pair seeds and restores.
_nest_count = 0
_saved_states: tuple | None = None


def _seeds() -> tuple[int, int, int] | None:
    """The seeds of Python's, NumPy's and CuPy's generators; None: from the OS."""
    if bool(int(os.environ.get('CHAINER_TEST_RANDOM_NONDETERMINISTIC', '0'))):
        return None
    value = os.environ.get('CHAINER_TEST_RANDOM_SEED')
    if value is None:
        return _PYTHON_DEFAULT_SEED, _DEFAULT_SEED, _CUPY_DEFAULT_SEED
    try:
        seed = int(value)
    except ValueError:
        raise ValueError(
            f'CHAINER_TEST_RANDOM_SEED must be an integer, got {value!r}') from None
    return seed, seed, seed


def _cupy():
    try:
        from chainer.backends import cuda
    except ImportError:
        return None
    return cuda.cupy if getattr(cuda, 'available', False) else None


def do_setup(deterministic: bool = True) -> None:
    """Saves the random states and seeds Python, NumPy (and CuPy) generators."""
    global _saved_states
    python_seed, numpy_seed, cupy_seed = (_seeds() if deterministic else None) or (None,) * 3
    _saved_states = (random.getstate(), numpy.random.get_state())
    random.seed(python_seed)
    numpy.random.seed(numpy_seed)
    cupy = _cupy()
    if cupy is not None:
        cupy.random.seed(cupy_seed)


def do_teardown() -> None:
    """Restores the random states saved by :func:`do_setup`."""
    global _saved_states
    if _saved_states is not None:
        python_state, numpy_state = _saved_states
        random.setstate(python_state)
        numpy.random.set_state(numpy_state)
        _saved_states = None
    cupy = _cupy()
    if cupy is not None:
        cupy.random.reset_states()


def _setup_random() -> None:
    global _nest_count
    if _nest_count == 0:
        do_setup(_seeds() is not None)
    _nest_count += 1


def _teardown_random() -> None:
    global _nest_count
    if _nest_count <= 0:
        raise AssertionError('_setup_random has not been called')
    _nest_count -= 1
    if _nest_count == 0:
        do_teardown()


def generate_seed() -> int:
    """A seed drawn from NumPy's generator; only inside a ``fix_random`` test."""
    if _nest_count <= 0:
        raise AssertionError('random is not set up')
    return int(numpy.random.randint(0xffffffff, dtype=numpy.int64))


def _with_arity_of(original: Any, wrapper: Any) -> Any:
    # pytest passes the test method to setup_method/teardown_method only when
    # they declare a parameter for it, judging by the positional arity.
    code = getattr(original, '__code__', None)
    if code is None or code.co_argcount < 2:
        return wrapper

    def with_arg(self, arg, *args, **kwargs):
        return wrapper(self, arg, *args, **kwargs)

    return functools.wraps(original)(with_arg)


def fix_random(*, setup_method: str = 'setUp',
               teardown_method: str = 'tearDown') -> Callable[[Any], Any]:
    """Decorator fixing random seeds for a test function or test class.

    On a class, the seed is set before ``setup_method`` and the random states
    are restored after ``teardown_method`` (pass ``'setup_method'`` and
    ``'teardown_method'`` for pytest-style classes).
    """

    def fix_class(klass: type) -> type:
        # Looked up now so that the wrappers call the class's own methods.
        # A missing one is an error, as in Chainer: a setUp added to a plain
        # class would never be called, so the seed would silently not be fixed.
        for name in (setup_method, teardown_method):
            if not hasattr(klass, name):
                raise AttributeError(
                    f'fix_random: {klass.__name__} has no {name!r} method to '
                    'wrap (pytest-style classes need setup_method= and '
                    'teardown_method= naming methods they define)')
        original_setup = getattr(klass, setup_method)
        original_teardown = getattr(klass, teardown_method)

        def setup(self, *args, **kwargs):
            _setup_random()
            try:
                original_setup(self, *args, **kwargs)
            except BaseException:
                # No teardown follows a failed setup.
                _teardown_random()
                raise

        def teardown(self, *args, **kwargs):
            try:
                original_teardown(self, *args, **kwargs)
            finally:
                _teardown_random()

        setattr(klass, setup_method, _with_arity_of(original_setup, setup))
        setattr(klass, teardown_method, _with_arity_of(original_teardown, teardown))
        return klass

    def decorator(impl: Any) -> Any:
        if isinstance(impl, types.FunctionType) and impl.__name__.startswith('test_'):
            @functools.wraps(impl)
            def test_func(*args, **kwargs):
                _setup_random()
                try:
                    return impl(*args, **kwargs)
                finally:
                    _teardown_random()
            return test_func
        if isinstance(impl, type) or _bundle.is_bundle(impl):
            return _bundle.apply_to_classes(impl, fix_class)
        raise ValueError(f"Can't apply fix_random to {impl}")

    return decorator
