import os
import random
import unittest

import numpy
import pytest

from chainer import testing


def _draw():
    return numpy.random.rand(3), random.random()


@testing.fix_random()
def test_fixed_function_1():
    a, b = _draw()
    _seen.append((a.tolist(), b))


@testing.fix_random()
def test_fixed_function_2():
    a, b = _draw()
    _seen.append((a.tolist(), b))
    assert _seen[0] == _seen[1]


_seen = []


@testing.fix_random()
class TestFixedClass(unittest.TestCase):
    values = []

    def setUp(self):
        self.x = numpy.random.rand()

    def test_a(self):
        type(self).values.append(self.x)

    def test_b(self):
        type(self).values.append(self.x)
        if len(self.values) == 2:
            assert self.values[0] == self.values[1]


@testing.fix_random(setup_method='setup_method', teardown_method='teardown_method')
class TestFixedPytestClass:
    def setup_method(self, method):
        self.x = numpy.random.rand()

    def teardown_method(self, method):
        pass

    def test_value(self):
        testing.generate_seed()  # inside a fixed test
        # fix_random's seed: CHAINER_TEST_RANDOM_SEED where set, else 100
        seed = int(os.environ.get('CHAINER_TEST_RANDOM_SEED', '100'))
        with_seed = numpy.random.RandomState(seed).rand()
        assert self.x == with_seed


def test_state_is_restored():
    numpy.random.seed(7)
    expected = numpy.random.RandomState(7).rand(2)

    @testing.fix_random()
    def test_inner():
        numpy.random.rand(5)

    test_inner()
    numpy.testing.assert_array_equal(numpy.random.rand(2), expected)


def test_generate_seed():
    @testing.fix_random()
    def test_inner():
        return testing.generate_seed(), testing.generate_seed()

    first = test_inner()
    assert first == test_inner()
    assert all(isinstance(s, int) and 0 <= s < 2 ** 32 for s in first)
    with pytest.raises(AssertionError):
        testing.generate_seed()


def test_env_seed(monkeypatch):
    monkeypatch.setenv('CHAINER_TEST_RANDOM_SEED', '5')

    @testing.fix_random()
    def test_inner():
        return numpy.random.rand()

    assert test_inner() == numpy.random.RandomState(5).rand()
    monkeypatch.setenv('CHAINER_TEST_RANDOM_SEED', 'x')
    with pytest.raises(ValueError):
        test_inner()


def test_bad_target():
    with pytest.raises(ValueError):
        testing.fix_random()(3)


@pytest.mark.parametrize('kwargs', [
    {}, {'setup_method': 'setup_method', 'teardown_method': 'teardown_method'}])
def test_class_without_the_methods(kwargs):
    # A plain class has no setUp that pytest would call: refused, as in Chainer.
    class TestPlain:
        def setup_method(self, method):
            pass

        def test_a(self):
            pass

    with pytest.raises(AttributeError, match='teardown_method|setUp'):
        testing.fix_random(**kwargs)(TestPlain)


def test_default_seeds_are_chainers(monkeypatch):
    # Chainer's fix_random (through CuPy's testing helper) seeds Python's
    # generator with 99 and NumPy's with 100: a test draws what it drew there.
    monkeypatch.delenv('CHAINER_TEST_RANDOM_SEED', raising=False)
    monkeypatch.delenv('CHAINER_TEST_RANDOM_NONDETERMINISTIC', raising=False)

    @testing.fix_random()
    def test_inner():
        return random.random(), numpy.random.rand()

    assert test_inner() == (random.Random(99).random(), numpy.random.RandomState(100).rand())


@pytest.mark.gpu
def test_default_cupy_seed_is_chainers(monkeypatch, cupy):
    monkeypatch.delenv('CHAINER_TEST_RANDOM_SEED', raising=False)
    monkeypatch.delenv('CHAINER_TEST_RANDOM_NONDETERMINISTIC', raising=False)

    @testing.fix_random()
    def test_inner():
        return cupy.random.rand(3).get()

    drawn = test_inner()
    cupy.random.seed(101)
    numpy.testing.assert_array_equal(drawn, cupy.random.rand(3).get())
