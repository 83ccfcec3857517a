import os
import unittest

import numpy
import pytest

from chainer import testing

_API_NAMES = [
    'BackendConfig', 'FunctionTestCase', 'FunctionTestError', 'InitializerArgument',
    'LinkInitializersTestCase', 'LinkTestCase', 'LinkTestError', 'assert_allclose',
    'assert_warns', 'distribution_unittest', 'fix_random', 'from_pytest_parameterize',
    'generate_matrix', 'generate_seed', 'get_trainer_with_mock_updater',
    'inject_backend_tests', 'parameterize', 'parameterize_pytest', 'patch', 'product',
    'product_dict', 'run_module', 'save_and_load', 'save_and_load_hdf5',
    'save_and_load_npz', 'unary_math_function_unittest', 'with_requires',
    'without_requires', 'attr', 'condition']


def test_public_names_are_listed():
    assert set(_API_NAMES) <= set(dir(testing))


def test_eager_names_exist():
    for name in _API_NAMES:
        if name not in testing._LAZY_NAMES:
            assert getattr(testing, name) is not None


def test_unknown_attribute():
    with pytest.raises(AttributeError):
        testing.no_such_name


def test_run_module_ignores_imported_modules():
    testing.run_module('some.module', __file__)  # must not start pytest


@testing.parameterize({'a': 1})
class TestStr(unittest.TestCase):
    def test_str(self):
        assert str(self).endswith("  parameter: {'a': 1}")


@testing.parameterize_pytest('a,b', [(1, 2), (3, 4)])
class TestParameterizePytest:
    def test_sum(self):
        assert self.a + 1 == self.b


def test_parameterize_pytest_names():
    import sys
    module = vars(sys.modules[__name__])
    assert 'TestParameterizePytest_param_0_{a=1, b=2}' in module
    assert 'TestParameterizePytest_param_1_{a=3, b=4}' in module


def test_mock_trainer():
    training = pytest.importorskip('chainer.training')
    if not hasattr(training, 'Trainer'):
        pytest.skip('chainer.training.Trainer is not written yet')
    trainer = testing.get_trainer_with_mock_updater((3, 'iteration'), iter_per_epoch=2)
    updater = trainer.updater
    for expected_epoch, expected_new in [(0, False), (1, True), (1, False)]:
        updater.update()
        assert updater.epoch == expected_epoch
        assert updater.is_new_epoch == expected_new
    assert updater.iteration == 3
    assert updater.epoch_detail == 1.5
    assert updater.previous_epoch_detail == 1.0
    assert updater.update_core.call_count == 3


def test_save_and_load_npz():
    serializers = pytest.importorskip('chainer.serializers')
    import chainer
    if not (hasattr(chainer, 'Link') and hasattr(serializers, 'save_npz')):
        pytest.skip('chainer.Link or chainer.serializers.save_npz is not written yet')
    src = chainer.Link()
    with src.init_scope():
        src.w = chainer.Parameter(numpy.arange(3, dtype=numpy.float32))
    dst = chainer.Link()
    with dst.init_scope():
        dst.w = chainer.Parameter(numpy.zeros(3, dtype=numpy.float32))
    assert serializers is not None
    testing.save_and_load_npz(src, dst)
    numpy.testing.assert_array_equal(dst.w.array, src.w.array)


def test_save_and_load_calls_both_in_a_temporary_directory(tmp_path, monkeypatch):
    # As Chainer's: the file is named filename in a temporary directory that is
    # removed afterwards, so nothing is written into the working directory.
    monkeypatch.chdir(tmp_path)
    calls = []

    def saver(f, o):
        calls.append(('save', f, o))
        with open(f, 'w') as out:
            out.write(o)

    def loader(f, o):
        with open(f) as file:
            calls.append(('load', f, o, file.read()))

    testing.save_and_load('s', 'd', 'f.npz', saver, loader)
    path = calls[0][1]
    assert os.path.basename(path) == 'f.npz' and os.path.isabs(path)
    assert calls == [('save', path, 's'), ('load', path, 'd', 's')]
    assert not os.path.exists(path)
    assert list(tmp_path.iterdir()) == []
