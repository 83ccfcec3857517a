import unittest
import warnings

import numpy
import pytest

from chainer import testing
from chainer.testing import helper


def _skipped(decorated_case):
    result = unittest.TestResult()
    decorated_case('test_it').run(result)
    return bool(result.skipped)


def _case(decorator):
    class Case(unittest.TestCase):
        @decorator
        def test_it(self):
            pass
    return Case


def test_with_requires():
    assert not _skipped(_case(testing.with_requires('numpy>=1.0')))
    assert not _skipped(_case(testing.with_requires('numpy', 'pytest>=1')))
    assert _skipped(_case(testing.with_requires('numpy<1.0')))
    assert _skipped(_case(testing.with_requires('no-such-package-for-rechainer')))


def test_without_requires():
    assert _skipped(_case(testing.without_requires('numpy>=1.0')))
    assert not _skipped(_case(testing.without_requires('numpy<1.0')))


def test_simple_requirement_parser():
    assert helper._satisfied_simple('numpy>=1.0,<1000')
    assert not helper._satisfied_simple('numpy<1.0')
    assert helper._satisfied_simple(f'numpy=={numpy.__version__}')
    assert not helper._satisfied_simple('no-such-package-for-rechainer')
    with pytest.raises(ValueError):
        helper._satisfied_simple('numpy>>1')


def test_requires_bad_input():
    with pytest.raises(TypeError):
        testing.with_requires(1)
    with pytest.raises(ValueError):
        testing.with_requires('numpy>>1')


@testing.with_requires('no-such-package-for-rechainer')
class TestSkippedPytestClass:
    def test_never_runs(self):
        raise AssertionError('must be skipped')


@testing.with_requires('no-such-package-for-rechainer')
@testing.parameterize({'a': 1})
class TestSkippedBundle(unittest.TestCase):
    def test_never_runs(self):
        raise AssertionError('must be skipped')


def test_assert_warns():
    with testing.assert_warns(UserWarning):
        warnings.warn('x', UserWarning)
    with pytest.raises(AssertionError, match='DeprecationWarning not triggerred'):
        with testing.assert_warns(DeprecationWarning):
            warnings.warn('x', UserWarning)


def test_patch_wraps_original():
    with testing.patch('numpy.linalg.norm') as mocked:
        value = numpy.linalg.norm(numpy.array([3.0, 4.0]))
    assert value == 5.0
    assert mocked.call_count == 1
    with testing.patch('numpy.linalg.norm', wraps=lambda x: 1.5) as mocked:
        assert numpy.linalg.norm(numpy.ones(3)) == 1.5
    assert numpy.linalg.norm(numpy.array([3.0, 4.0])) == 5.0
