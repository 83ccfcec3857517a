import unittest

import pytest

from chainer.testing import condition


def _run(case):
    result = unittest.TestResult()
    case.run(result)
    return result


class _Counter(unittest.TestCase):
    setups = 0
    teardowns = 0
    calls = 0

    def setUp(self):
        type(self).setups += 1

    def tearDown(self):
        type(self).teardowns += 1


def _make(decorator, outcomes):
    """A TestCase whose test fails or passes following ``outcomes``."""
    outcomes = list(outcomes)

    class Case(_Counter):
        @decorator
        def test_it(self):
            type(self).calls += 1
            if not outcomes.pop(0):
                self.fail('planned failure')

    return Case


def test_retry_passes_after_failures():
    case = _make(condition.retry(3), [False, False, True])
    assert _run(case('test_it')).wasSuccessful()
    assert case.calls == 3
    # One setUp/tearDown by the runner plus one per trial.
    assert case.setups == 4 and case.teardowns == 4


def test_retry_fails_when_all_fail():
    case = _make(condition.retry(2), [False, False])
    result = _run(case('test_it'))
    assert len(result.failures) == 1
    msg = result.failures[0][1]
    assert 'Fail: 2, Success: 0' in msg
    assert 'planned failure' in msg


def test_first_error_leaves_out_unittest_frames():
    # As unittest (and Chainer's report) does: the failing assertion's own
    # frames inside unittest are not shown, the test's line is.
    case = _make(condition.repeat(2), [False, True])
    with pytest.raises(AssertionError) as info:
        case('test_it').test_it()
    msg = str(info.value)
    assert 'The first error message:\nTraceback (most recent call last):\n' in msg
    assert "self.fail('planned failure')" in msg
    assert 'unittest' not in msg.replace('test_testing_condition', '')
    assert msg.endswith('AssertionError: planned failure\n')


def test_retry_stops_at_first_success():
    case = _make(condition.retry(5), [True])
    assert _run(case('test_it')).wasSuccessful()
    assert case.calls == 1


def test_repeat_needs_all():
    case = _make(condition.repeat(3), [True, False, True])
    result = _run(case('test_it'))
    assert len(result.failures) == 1
    assert case.calls == 2  # stops once success is impossible
    assert _run(_make(condition.repeat(3), [True] * 3)('test_it')).wasSuccessful()


def test_repeat_with_success_at_least():
    case = _make(condition.repeat_with_success_at_least(4, 2), [False, True, False, True])
    assert _run(case('test_it')).wasSuccessful()
    case = _make(condition.repeat_with_success_at_least(4, 2), [False, False, False])
    assert not _run(case('test_it')).wasSuccessful()
    assert case.calls == 3


def test_skip_in_trial_skips():
    class Case(unittest.TestCase):
        @condition.retry(3)
        def test_it(self):
            self.skipTest('not here')

    result = _run(Case('test_it'))
    assert [r for _, r in result.skipped] == ['not here']


def test_error_counts_as_failure():
    case = _make(condition.retry(2), [])  # pop from empty list: IndexError
    result = _run(case('test_it'))
    assert len(result.failures) == 1
    assert 'IndexError' in result.failures[0][1]


def test_zero_times_fails_and_zero_successes_runs_once():
    # As Chainer: the verdict follows each trial, so repeat(0) runs nothing
    # and fails, and min_success=0 runs one trial and passes whatever it gives.
    case = _make(condition.repeat(0), [])
    result = _run(case('test_it'))
    assert case.calls == 0
    assert len(result.failures) == 1
    assert 'Fail: 0, Success: 0' in result.failures[0][1]

    case = _make(condition.repeat_with_success_at_least(3, 0), [False])
    result = _run(case('test_it'))
    assert case.calls == 1
    assert result.wasSuccessful()


@pytest.mark.parametrize('times, min_success', [(2, 3), (2, -1)])
def test_bad_arguments(times, min_success):
    with pytest.raises(ValueError):
        condition.repeat_with_success_at_least(times, min_success)


_plain_calls = []


@condition.retry(3)
def test_plain_function_retry(tmp_path):
    # pytest fixtures still reach the wrapped function.
    assert tmp_path.exists()
    _plain_calls.append(1)
    assert len(_plain_calls) >= 2


class TestPytestStyle:
    calls = 0

    @condition.repeat(2)
    def test_method(self):
        type(self).calls += 1
        assert type(self).calls <= 2
