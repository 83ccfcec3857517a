"""chainer.testing pieces code written for Chainer relies on."""
from __future__ import annotations

import os
import subprocess
import sys
import unittest

import numpy
import pytest

from chainer import testing
from chainer.testing import condition
from chainer.testing import doctest_helper
from chainer.testing import helper
from chainer.testing import matrix
from chainer.testing import parameterized

_ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), '..', '..', '..'))


class TestRequirementOnChainer:

    def test_chainer_requirement_uses_the_compatible_version(self):
        assert helper._requirements_satisfied(('chainer>=5',))
        assert helper._requirements_satisfied(('chainer==7.8.1',))
        assert helper._requirements_satisfied(('Chainer>=7,<8',))
        assert not helper._requirements_satisfied(('chainer<7',))
        assert not helper._requirements_satisfied(('chainer>=8',))

    @pytest.mark.parametrize('decorator, skipped', [
        (testing.with_requires, 0), (testing.without_requires, 1)])
    def test_decorators_on_chainer(self, decorator, skipped):
        @decorator('chainer>=5')
        class T(unittest.TestCase):
            def test_x(self):
                pass

        result = unittest.TestResult()
        unittest.defaultTestLoader.loadTestsFromTestCase(T).run(result)
        # Python 3.12 no longer counts a test of a skipped class in testsRun.
        assert len(result.skipped) == skipped and not result.errors and not result.failures
        assert result.testsRun == 1 or skipped


class TestDoctestHelper:

    def test_skipif(self, monkeypatch):
        monkeypatch.delenv('CHAINER_DOCTEST_NO_SKIP', raising=False)
        assert doctest_helper.skipif(True) is True
        assert doctest_helper.skipif(0) is False
        monkeypatch.setenv('CHAINER_DOCTEST_NO_SKIP', '1')
        assert doctest_helper.skipif(True) is False
        monkeypatch.delenv('CHAINER_DOCTEST_NO_SKIP')
        monkeypatch.setenv('READTHEDOCS', 'True')
        assert doctest_helper.skipif(True) is False

    def test_requirements(self, monkeypatch):
        monkeypatch.delenv('CHAINER_DOCTEST_NO_SKIP', raising=False)
        assert doctest_helper.skipif_requires_satisfied('chainer>=5')
        assert not doctest_helper.skipif_requires_satisfied('chainer<5')

    def test_cuda_devices_follow_the_gpu_limit(self, monkeypatch):
        monkeypatch.delenv('CHAINER_DOCTEST_NO_SKIP', raising=False)
        monkeypatch.delenv('READTHEDOCS', raising=False)
        # Unset, nothing is skipped, whatever GPUs there are (as in Chainer).
        monkeypatch.delenv('CHAINER_TEST_GPU_LIMIT', raising=False)
        assert doctest_helper.skipif_not_enough_cuda_devices(1000) is False
        monkeypatch.setenv('CHAINER_TEST_GPU_LIMIT', '1')
        assert doctest_helper.skipif_not_enough_cuda_devices(2) is True
        assert doctest_helper.skipif_not_enough_cuda_devices(1) is False
        monkeypatch.setenv('CHAINER_TEST_GPU_LIMIT', '0')
        assert doctest_helper.skipif_not_enough_cuda_devices(1) is True


def test_testing_imports_without_pytest():
    # pytest is hidden: importing works, the marks explain what is missing.
    code = '\n'.join([
        'import sys',
        'sys.modules["pytest"] = None',
        'from chainer import testing',
        'from chainer.testing import attr',
        'assert not attr.is_available()',
        'assert isinstance(attr.get_error(), ImportError)',
        'marked = attr.gpu(lambda: None)',
        'try:',
        '    marked()',
        'except RuntimeError as e:',
        '    assert "pytest" in str(e), e',
        'else:',
        '    raise AssertionError("a gpu test ran without pytest")',
        'testing.parameterize({"a": 1})',
        'testing.with_requires("numpy")',
        'print("ok")',
    ])
    out = subprocess.run([sys.executable, '-c', code], cwd=_ROOT, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == 'ok'


def test_attr_availability_with_pytest():
    from chainer.testing import attr
    assert attr.is_available() and attr.get_error() is None
    attr.check_available()


def test_training_availability():
    from chainer.testing import training
    assert training.is_available() and training.get_error() is None
    training.check_available()


def test_quiet_test_runner():
    class T(unittest.TestCase):
        def test_ok(self):
            pass

        def test_bad(self):
            raise AssertionError('no')

    suite = unittest.defaultTestLoader.loadTestsFromTestCase(T)
    result = condition.QuietTestRunner().run(suite)
    assert result.testsRun == 2 and len(result.failures) == 1


def test_repeat_count_errors_are_assertion_errors():
    with pytest.raises(AssertionError):
        condition.repeat_with_success_at_least(10, 11)
    with pytest.raises(ValueError):
        condition.repeat_with_success_at_least(3, -1)


def test_product_dict_orig():
    a = [{'x': 1}, {'x': 2}]
    b = [{'y': 3}]
    assert parameterized._product_dict_orig(a, b) == [{'x': 1, 'y': 3}, {'x': 2, 'y': 3}]
    assert testing.product_dict(a, b) == parameterized._product_dict_orig(a, b)
    assert parameterized._product_dict_orig() == [{}]


class TestGenerateMatrixBroadcast:

    def test_broadcast_helper(self):
        out = matrix._broadcast_to(numpy.array([1., 2.]), (3, 2))
        assert out.shape == (3, 2)
        with pytest.raises(ValueError, match=r'\(3,\).*\(2,\)'):
            matrix._broadcast_to(numpy.ones(3), (2,))

    def test_singular_values_are_broadcast(self):
        a = testing.generate_matrix((4, 3, 2), singular_values=numpy.array([3., 1.]))
        s = numpy.linalg.svd(a, compute_uv=False)
        numpy.testing.assert_allclose(s, numpy.broadcast_to([3., 1.], (4, 2)))

    def test_bad_singular_value_shape(self):
        with pytest.raises(ValueError):
            testing.generate_matrix((2, 2), singular_values=[1., 2., 3.])
        with pytest.raises(ValueError):
            testing.generate_matrix((0, 2, 2), singular_values=[1., 2., 3.])

    def test_complex_and_errors(self):
        a = testing.generate_matrix((3, 3), dtype=numpy.complex64, singular_values=1.)
        assert a.dtype == numpy.complex64
        numpy.testing.assert_allclose(numpy.linalg.svd(a, compute_uv=False), 1., rtol=1e-5)
        with pytest.raises(TypeError):
            testing.generate_matrix((3, 3), dtype=numpy.int32, singular_values=1.)
        with pytest.raises(TypeError, match='singular_values'):
            testing.generate_matrix((3, 3))
        with pytest.raises(ValueError, match='negative'):
            testing.generate_matrix((3, 3), singular_values=-1.)
        with pytest.raises(ValueError):
            testing.generate_matrix((3,), singular_values=1.)
