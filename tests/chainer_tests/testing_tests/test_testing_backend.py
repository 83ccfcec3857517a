import unittest

import numpy
import pytest

import chainer
from chainer import testing
from chainer.testing import attr
from chainer.testing import backend as testing_backend

_CPU_NAME = ('use_chainerx_false__chainerx_device_None__use_cuda_false__cuda_device_None__'
             'use_cudnn_never__cudnn_deterministic_false__autotune_false__'
             'cudnn_fast_batch_normalization_false__use_ideep_never')


def test_defaults_and_repr():
    config = testing.BackendConfig({})
    assert config.use_chainerx is False
    assert config.chainerx_device is None
    assert config.use_cuda is False
    assert config.cuda_device is None
    assert config.use_cudnn == 'never'
    assert config.cudnn_deterministic is False
    assert config.autotune is False
    assert config.cudnn_fast_batch_normalization is False
    assert config.use_ideep == 'never'
    assert repr(config) == (
        "<BackendConfig use_chainerx=False chainerx_device=None use_cuda=False "
        "cuda_device=None use_cudnn='never' cudnn_deterministic=False autotune=False "
        "cudnn_fast_batch_normalization=False use_ideep='never'>")
    assert config.get_func_str() == _CPU_NAME
    assert config.get_pytest_marks() == []


def test_cpu_device_and_arrays():
    config = testing.BackendConfig({})
    assert config.xp is numpy
    assert isinstance(config.device, chainer.backend.CpuDevice)
    a = numpy.arange(3, dtype=numpy.float32)
    b = config.get_array(a)
    assert isinstance(b, numpy.ndarray)
    numpy.testing.assert_array_equal(a, b)


def test_context_sets_configuration():
    config = testing.BackendConfig(
        {'use_cudnn': 'always', 'cudnn_deterministic': True, 'autotune': True,
         'cudnn_fast_batch_normalization': True})
    before = chainer.config.use_cudnn
    with config as entered:
        assert entered is config
        assert chainer.config.use_cudnn == 'always'
        assert chainer.config.cudnn_deterministic is True
        assert chainer.config.autotune is True
        assert chainer.config.cudnn_fast_batch_normalization is True
        assert chainer.config.use_ideep == 'never'
    assert chainer.config.use_cudnn == before


def test_cuda_config():
    config = testing.BackendConfig({'use_cuda': True, 'use_cudnn': 'always'})
    assert config.cuda_device == 0
    assert config.get_func_str() == _CPU_NAME.replace(
        'use_cuda_false__cuda_device_None', 'use_cuda_true__cuda_device_0').replace(
        'use_cudnn_never', 'use_cudnn_always')
    def f():
        pass

    for mark in config.get_pytest_marks():
        f = mark(f)
    assert {'gpu', 'cudnn'} <= {m.name for m in f.pytestmark}


def test_multi_gpu_marks():
    config = testing.BackendConfig({'use_cuda': True, 'cuda_device': 1})

    def f():
        pass

    for mark in config.get_pytest_marks():
        f = mark(f)
    multi = [m for m in f.pytestmark if m.name == 'multi_gpu']
    assert max(m.args[0] for m in multi) == 2


def test_gpu_limit_skips_under_unittest_too(monkeypatch):
    # CHAINER_TEST_GPU_LIMIT skips with unittest's skip, as Chainer's, so a
    # plain `python -m unittest` run skips the test as well as pytest.
    monkeypatch.setenv('CHAINER_TEST_GPU_LIMIT', '1')

    class Case(unittest.TestCase):
        @attr.multi_gpu(2)
        def test_two(self):
            raise AssertionError('ran')

        @attr.gpu
        def test_one(self):
            pass

    result = unittest.TestResult()
    unittest.defaultTestLoader.loadTestsFromTestCase(Case).run(result)
    assert [(t.id().rsplit('.', 1)[1], reason) for t, reason in result.skipped] == [
        ('test_two', '2 GPUs required')]
    assert result.wasSuccessful()


def test_marks_as_chainer_lists_them():
    # gpu, then cudnn, then multi_gpu; ideep only for a CPU configuration.
    config = testing.BackendConfig(
        {'use_cuda': True, 'cuda_device': 1, 'use_cudnn': 'always', 'use_ideep': 'always'})
    assert config.get_pytest_marks()[:2] == [attr.gpu, attr.cudnn]
    assert len(config.get_pytest_marks()) == 3
    config = testing.BackendConfig({'use_ideep': 'always'})
    assert config.get_pytest_marks() == [attr.ideep]


def test_chainerx_config_marks():
    config = testing.BackendConfig({'use_chainerx': True, 'chainerx_device': 'cuda:0'})

    def f():
        pass

    for mark in config.get_pytest_marks():
        f = mark(f)
    assert {m.name for m in f.pytestmark} >= {'chainerx', 'gpu'}


@pytest.mark.parametrize('params, error', [
    ([], TypeError),
    ({'use_cuda_x': True}, ValueError),
    ({'use_chainerx': True}, ValueError),
])
def test_bad_params(params, error):
    with pytest.raises(error):
        testing.BackendConfig(params)


@pytest.mark.parametrize('method_names, params', [
    ('test_a', [{}]),
    (None, {}),
    (None, [1]),
    (None, [{'bogus': 1}]),
])
def test_inject_bad_args(method_names, params):
    with pytest.raises((TypeError, ValueError)):
        testing.inject_backend_tests(method_names, params)


_calls = []


@testing.inject_backend_tests(
    None,
    [{}, {'use_cudnn': 'always'}, {'use_cuda': True},
     {'use_chainerx': True, 'chainerx_device': 'native:0'},
     {'use_ideep': 'always'}])
class TestInjected(unittest.TestCase):

    def test_receives_config(self, backend_config):
        assert isinstance(backend_config, testing.BackendConfig)
        if backend_config.use_cuda:  # runs only where CuPy sees a GPU
            assert backend_config.xp is not numpy
            return
        _calls.append(backend_config.use_cudnn)


def _generated(suffix_replacements=()):
    import sys
    name = f'TestInjected_{_CPU_NAME}'
    for old, new in suffix_replacements:
        name = name.replace(old, new)
    return getattr(sys.modules[__name__], name)


def test_injected_classes_exist_and_run():
    cls = _generated()
    _calls.clear()
    result = unittest.TestResult()
    cls('test_receives_config').run(result)
    assert result.wasSuccessful()
    assert _calls == ['never']
    cudnn = _generated([('use_cudnn_never', 'use_cudnn_always')])
    cudnn('test_receives_config').run(result)
    assert _calls == ['never', 'always']


@pytest.mark.parametrize('replacements, reason', [
    ([('use_cuda_false__cuda_device_None', 'use_cuda_true__cuda_device_0')],
     'CUDA (CuPy) is not available'),
    ([('use_chainerx_false__chainerx_device_None',
       'use_chainerx_true__chainerx_device_native:0')],
     'ChainerX is not available'),
    ([('use_ideep_never', 'use_ideep_always')], 'iDeep is not available'),
])
def test_unavailable_backends_are_skipped(replacements, reason):
    if reason.startswith('CUDA') and testing_backend._cuda_available():
        pytest.skip('CuPy is available here')
    cls = _generated(replacements)
    result = unittest.TestResult()
    cls('test_receives_config').run(result)
    assert [r for _, r in result.skipped] == [reason]


def test_backend_config_is_not_a_fixture():
    import inspect
    method = _generated().test_receives_config
    assert list(inspect.signature(method).parameters) == ['self']


def test_one_gpu_tests_are_not_multi_gpu():
    # `-m "gpu and not multi_gpu"` selects the one-GPU tests (attr.gpu and a
    # cuda_device 0 configuration), as with Chainer, whose gpu mark is plain.
    @attr.gpu
    def f():
        pass

    assert [m.name for m in f.pytestmark] == ['gpu']
    def g():
        pass

    g = attr.multi_gpu(1)(g)
    assert [m.name for m in g.pytestmark] == ['gpu']

    def h():
        pass

    for mark in testing.BackendConfig({'use_cuda': True}).get_pytest_marks():
        h = mark(h)
    assert [m.name for m in h.pytestmark] == ['gpu']
