"""Decorators running a flaky test several times (``retry``, ``repeat``)."""
from __future__ import annotations

import functools
import traceback
import types
import unittest
from collections.abc import Callable
from typing import Any

from chainer.utils.error import _ValueAssertionError


class QuietTestRunner:
    """Runs a ``unittest`` suite and returns its result without printing."""

    def run(self, suite: Any) -> unittest.TestResult:
        result = unittest.TestResult()
        suite(result)
        return result


def _is_skip(exc: BaseException) -> bool:
    # pytest.skip raises an OutcomeException subclass named 'Skipped'.
    return isinstance(exc, unittest.SkipTest) or type(exc).__name__ == 'Skipped'


def _skip_reason(exc: BaseException) -> str:
    return str(getattr(exc, 'msg', None) or exc)


def _run_once(f: Callable, instance: Any, args: tuple, kwargs: dict) -> BaseException | None:
    """Runs one trial; returns the exception it failed with, or ``None``."""
    try:
        if isinstance(instance, unittest.TestCase):
            # A fresh instance so that setUp and tearDown run once per trial.
            trial = type(instance)(instance._testMethodName)
            try:
                trial.setUp()
                try:
                    f(trial, *args, **kwargs)
                finally:
                    trial.tearDown()
            finally:
                cleaned = trial.doCleanups()
            if cleaned is False:
                raise AssertionError('a cleanup function of the test failed')
        else:
            f(*args, **kwargs)
    except (KeyboardInterrupt, SystemExit, GeneratorExit):
        raise
    except BaseException as e:
        return e
    return None


def _format_failure(exc: BaseException) -> str:
    """The traceback of a failed trial without unittest's own frames, as unittest prints it."""
    kept = []
    tb = exc.__traceback__
    while tb is not None:
        if '__unittest' not in tb.tb_frame.f_globals:
            kept.append(tb)
        tb = tb.tb_next
    trimmed = None
    for tb in reversed(kept):
        trimmed = types.TracebackType(trimmed, tb.tb_frame, tb.tb_lasti, tb.tb_lineno)
    return ''.join(traceback.format_exception(type(exc), exc, trimmed))


def repeat_with_success_at_least(times: int, min_success: int):
    """Runs the test up to ``times`` times; it passes after ``min_success`` passes.

    Works on ``unittest.TestCase`` methods (each trial on a new instance with
    its own ``setUp``/``tearDown``), pytest-style methods and functions.  A
    skip in any trial skips the test.
    """
    if not isinstance(times, int) or not isinstance(min_success, int):
        raise TypeError('times and min_success must be integers')
    if not 0 <= min_success <= times:
        raise _ValueAssertionError(
            f'min_success must be between 0 and times ({times}), got {min_success}')

    def decorator(f: Callable) -> Callable:
        @functools.wraps(f)
        def wrapper(*args, **kwargs):
            instance = None
            if args and isinstance(args[0], unittest.TestCase):
                instance, args = args[0], args[1:]
            successes = 0
            failures: list[BaseException] = []
            # As Chainer: the verdict is taken after each trial, so with
            # min_success=0 one trial runs, and with times=0 the test fails.
            for _ in range(times):
                exc = _run_once(f, instance, args, kwargs)
                if exc is None:
                    successes += 1
                elif _is_skip(exc):
                    # A skipped trial skips the whole test, whatever is left.
                    raise unittest.SkipTest(_skip_reason(exc))
                else:
                    failures.append(exc)
                if successes >= min_success:
                    return
                if len(failures) > times - min_success:
                    break
            msg = f'\nFail: {len(failures)}, Success: {successes}'
            if failures:
                msg += '\n\nThe first error message:\n' + _format_failure(failures[0])
            raise AssertionError(msg) from None

        return wrapper

    return decorator


def repeat(times: int):
    """The test must pass all ``times`` trials."""
    return repeat_with_success_at_least(times, times)


def retry(times: int):
    """The test passes if one of up to ``times`` trials passes."""
    return repeat_with_success_at_least(times, 1)
