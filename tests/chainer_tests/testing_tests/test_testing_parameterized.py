import pathlib
import shutil
import subprocess
import sys
import textwrap
import unittest
from xml.etree import ElementTree

import numpy
import pytest

from chainer import testing
from chainer.testing import _bundle


@testing.parameterize(
    {'shape': (3, 2), 'dtype': numpy.float32},
    {'shape': (), 'dtype': numpy.float64},
)
class TestParameterizeUnittest(unittest.TestCase):

    def test_attributes(self):
        assert self.shape in ((3, 2), ())
        assert self.dtype in (numpy.float32, numpy.float64)


@testing.parameterize(*testing.product({'a': [1, 2], 'b': ['x']}))
class TestParameterizePytestClass:

    def test_attributes(self):
        assert self.a in (1, 2)
        assert self.b == 'x'


def _module():
    return sys.modules[__name__]


def test_generated_class_names():
    names = set(vars(_module()))
    assert ('TestParameterizeUnittest_param_0_{dtype=float32, shape=(3, 2)}'
            in names)
    assert 'TestParameterizeUnittest_param_1_{dtype=float64, shape=()}' in names
    assert "TestParameterizePytestClass_param_0_{a=1, b='x'}" in names
    assert "TestParameterizePytestClass_param_1_{a=2, b='x'}" in names
    # The decorated name is bound to a non-class bundle that no one collects.
    assert not isinstance(TestParameterizeUnittest, type)
    assert _bundle.is_bundle(TestParameterizeUnittest)


def test_functions_and_modules_are_named_by_name():
    # No address in a generated name: names stay the same from run to run
    # (and from one pytest-xdist worker to another).
    def scale(x):
        return x

    class Base(unittest.TestCase):
        def test_x(self):
            pass

    Base.__module__ = __name__
    testing.parameterize({'f': scale, 'm': numpy, 'c': numpy.float16, 'v': 1})(Base)
    name = 'Base_param_0_{c=float16, f=scale, m=numpy, v=1}'
    try:
        assert hasattr(_module(), name)
    finally:
        delattr(_module(), name)


def test_numpy_scalars_are_named_as_under_numpy_1():
    # Chainer ran on NumPy 1, where a NumPy scalar's repr is its value: the
    # names (and the failure and str texts) users' -k filters and logs know.
    class Base(unittest.TestCase):
        def test_fail(self):
            raise ValueError('boom')

    Base.__module__ = __name__
    testing.parameterize({'s': numpy.float32(1.5), 't': (numpy.int64(3), numpy.bool_(True))})(Base)
    name = 'Base_param_0_{s=1.5, t=(3, True)}'
    try:
        cls = getattr(_module(), name)
        assert str(cls('test_fail')).endswith("parameter: {'s': 1.5, 't': (3, True)}")
        with pytest.raises(ValueError, match=r'  t: \(3, True\)\n'):
            cls('test_fail').test_fail()
    finally:
        delattr(_module(), name)
    assert repr(numpy.float32(1.5)) == 'np.float32(1.5)'  # the option did not leak


def test_generated_class_module_and_attributes():
    cls = getattr(_module(), 'TestParameterizeUnittest_param_0_{dtype=float32, shape=(3, 2)}')
    assert cls.__module__ == __name__
    assert cls.shape == (3, 2)
    assert cls.dtype is numpy.float32
    assert issubclass(cls, unittest.TestCase)


def test_function_parameter_is_not_bound():
    def f(x):
        return x * 2

    class Base(unittest.TestCase):
        def test_call(self):
            assert self.func(3) == 6

    Base.__module__ = __name__
    testing.parameterize({'func': f})(Base)
    cls = getattr(_module(), 'Base_param_0_{func=f}')
    try:
        unittest.TextTestRunner(stream=open('/dev/null', 'w')).run(cls('test_call'))
        assert cls('test_call').func(4) == 8
    finally:
        delattr(_module(), cls.__name__)


def test_long_value_is_shortened():
    class Base:
        pass

    Base.__module__ = __name__
    testing.parameterize({'v': 'a' * 300})(Base)
    names = [n for n in vars(_module()) if n.startswith('Base_param_0_{v=')]
    assert len(names) == 1
    name = names[0]
    try:
        value = name[len('Base_param_0_{v='):-1]
        assert len(value) == 100
        assert '...' in value
    finally:
        delattr(_module(), name)


def test_failure_message_names_parameters():
    class Base(unittest.TestCase):
        def test_fail(self):
            raise ValueError('boom')

    Base.__module__ = __name__
    testing.parameterize({'p': 1})(Base)
    cls = getattr(_module(), 'Base_param_0_{p=1}')
    try:
        with pytest.raises(ValueError) as info:
            cls('test_fail').test_fail()
        msg = str(info.value)
        assert 'Parameterized test failed.' in msg
        assert 'Base test method: Base.test_fail' in msg
        assert '  p: 1' in msg
        # Chainer's layout: a blank line, then the cause, shown once.
        assert msg.endswith('  p: 1\n\n\n(caused by)\nValueError: boom\n')
        assert info.value.__cause__ is None and info.value.__suppress_context__
    finally:
        delattr(_module(), cls.__name__)


def test_product_dict_order():
    assert testing.product({'b': [1, 2], 'a': ['x', 'y']}) == [
        {'a': 'x', 'b': 1}, {'a': 'x', 'b': 2},
        {'a': 'y', 'b': 1}, {'a': 'y', 'b': 2}]


def test_product_comma_names():
    assert testing.product({'a,b': [(1, 2), (3, 4)], 'c': [0]}) == [
        {'a': 1, 'b': 2, 'c': 0}, {'a': 3, 'b': 4, 'c': 0}]


def test_product_list_of_lists():
    result = testing.product([
        [{'a': 1}, {'a': 2}],
        [{'b': 3, 'c': 4}],
    ])
    assert result == [{'a': 1, 'b': 3, 'c': 4}, {'a': 2, 'b': 3, 'c': 4}]


def test_product_dict():
    assert testing.product_dict([{'a': 1}], [{'b': 2}, {'b': 3}]) == [
        {'a': 1, 'b': 2}, {'a': 1, 'b': 3}]
    assert testing.product_dict() == [{}]


def test_pairwise_product_dict_swapped_in_as_chainers_conftest_does(monkeypatch):
    # Chainer's own conftest.py swaps these names to run pairwise combinations only.
    from chainer.testing import parameterized
    assert testing.product_dict is parameterized._product_dict_orig
    monkeypatch.setattr(testing, 'product_dict', parameterized._pairwise_product_dict)
    monkeypatch.setattr(parameterized, 'product_dict', parameterized._pairwise_product_dict)
    sizes = {'a': 3, 'b': 4, 'c': 2, 'd': 3}
    params = testing.product({k: list(range(n)) for k, n in sizes.items()})
    assert 12 <= len(params) < 3 * 4 * 2 * 3
    for x, y in [('a', 'b'), ('a', 'c'), ('a', 'd'), ('b', 'c'), ('b', 'd'), ('c', 'd')]:
        assert {(p[x], p[y]) for p in params} == {
            (u, v) for u in range(sizes[x]) for v in range(sizes[y])}
    two = [[{'a': 1}, {'a': 2}], [{'b': 3}]]
    assert testing.product_dict(*two) == parameterized._product_dict_orig(*two)
    assert testing.product_dict([{'a': 1}], [], [{'b': 2}]) == []


@pytest.mark.parametrize('bad', [1, 'abc', [1, 2], [[1]]])
def test_product_bad_input(bad):
    with pytest.raises(TypeError):
        testing.product(bad)


def test_from_pytest_parameterize():
    assert testing.from_pytest_parameterize('a', [1, 2]) == [{'a': 1}, {'a': 2}]
    assert testing.from_pytest_parameterize('a, b', [(1, 2)]) == [{'a': 1, 'b': 2}]
    for error in (ValueError, AssertionError):  # AssertionError as Chainer's
        with pytest.raises(error):
            testing.from_pytest_parameterize('a,b', [(1, 2, 3)])
    for error in (TypeError, AssertionError):  # AssertionError as Chainer's
        with pytest.raises(error):
            testing.from_pytest_parameterize(['a'], [1])
        with pytest.raises(error):
            testing.parameterize_pytest(('a', 'b'), [(1, 2)])
        with pytest.raises(error):
            testing.product({'a': 3})


def test_parameterize_rejects_non_dicts():
    with pytest.raises(TypeError):
        testing.parameterize([{'a': 1}])


def test_bundle_cannot_be_instantiated():
    with pytest.raises(TypeError):
        TestParameterizeUnittest()


_COLLECTED_MODULE = '''
import unittest
import numpy
import pytest
from chainer import testing
from chainer.testing import attr


@testing.parameterize(*testing.product({'x': [1, 2]}))
@testing.inject_backend_tests(None, [{}, {'use_cuda': True}])
class TestStacked(unittest.TestCase):
    def test_a(self, backend_config):
        assert backend_config.xp is numpy or backend_config.use_cuda
        assert self.x in (1, 2)


@testing.inject_backend_tests(['test_b'], [{}])
@testing.parameterize({'y': 'v'})
class TestStackedOther:
    def test_b(self, backend_config):
        assert self.y == 'v'

    def test_plain(self):
        assert self.y == 'v'


@testing.inject_backend_tests(['test_c'], [{}])
class TestPartial(unittest.TestCase):
    def test_c(self, backend_config):
        assert backend_config.use_cuda is False

    def test_d(self):
        pass


@attr.slow
@testing.parameterize({'z': 1})
class TestMarked(unittest.TestCase):
    def test_e(self):
        pass


@attr.gpu
@testing.fix_random()
@testing.parameterize({'v': 1}, {'v': 2})
class TestGpuMarked(unittest.TestCase):
    def test_g(self):
        pass


@testing.parameterize({'w': 1})
class TestFail(unittest.TestCase):
    def test_f(self):
        assert self.w == 2
'''

_CPU = ('use_chainerx_false__chainerx_device_None__use_cuda_false__cuda_device_None__'
        'use_cudnn_never__cudnn_deterministic_false__autotune_false__'
        'cudnn_fast_batch_normalization_false__use_ideep_never')
_GPU = _CPU.replace('use_cuda_false__cuda_device_None', 'use_cuda_true__cuda_device_0')


def test_pytest_collects_generated_classes(tmp_path):
    (tmp_path / 'test_collected_mod.py').write_text(textwrap.dedent(_COLLECTED_MODULE))
    (tmp_path / 'pytest.ini').write_text(
        '[pytest]\nmarkers =\n    gpu\n    cudnn\n    slow\n    multi_gpu\n'
        '    ideep\n    chainerx\n')
    shutil.copy(pathlib.Path(__file__).parents[2] / 'conftest.py', tmp_path)
    report = tmp_path / 'report.xml'
    proc = subprocess.run(
        [sys.executable, '-m', 'pytest', '-p', 'no:cacheprovider', '-m', 'not slow',
         f'--junitxml={report}', str(tmp_path / 'test_collected_mod.py')],
        cwd=tmp_path, capture_output=True, text=True, timeout=120)
    out = proc.stdout
    results = {}
    for case in ElementTree.parse(report).iter('testcase'):
        cls_name = case.get('classname').split('.', 1)[1]
        status = 'PASSED'
        if case.find('failure') is not None:
            status = 'FAILED'
        elif case.find('skipped') is not None:
            status = 'SKIPPED'
        results[f"{cls_name}::{case.get('name')}"] = status
    expected = {
        f'TestStacked_{_CPU}_param_0_{{x=1}}::test_a': 'PASSED',
        f'TestStacked_{_CPU}_param_1_{{x=2}}::test_a': 'PASSED',
        f'TestStacked_{_GPU}_param_0_{{x=1}}::test_a': 'SKIPPED',
        f'TestStacked_{_GPU}_param_1_{{x=2}}::test_a': 'SKIPPED',
        "TestStackedOther_param_0_{y='v'}::test_plain": 'PASSED',
        f"TestStackedOther_param_0_{{y='v'}}_{_CPU}::test_b": 'PASSED',
        'TestPartial::test_d': 'PASSED',
        f'TestPartial_{_CPU}::test_c': 'PASSED',
        'TestFail_param_0_{w=1}::test_f': 'FAILED',
        'TestGpuMarked_param_0_{v=1}::test_g': 'SKIPPED',
        'TestGpuMarked_param_1_{v=2}::test_g': 'SKIPPED',
    }
    assert results == expected, out + proc.stderr
    assert '1 deselected' in out  # TestMarked carries the slow mark
    assert 'Parameterized test failed.' in out
